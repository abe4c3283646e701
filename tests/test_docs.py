"""Every option an operator can set is documented in the README."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from engine.simulator import SCENARIO_SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = tomllib.loads((ROOT / "pacing.toml").read_text(encoding="utf-8"))
TABLE_ROWS = "\n".join(line for line in README.splitlines() if line.startswith("|"))
# Tables whose keys are the operator's own names (skills, media), not options.
FREE_FORM = {"skills", "capacity"}


def option_keys(table: Mapping[str, Any], section: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        if key in FREE_FORM:
            yield section, key
        elif isinstance(value, dict) and section != "simulator":
            yield from option_keys(value, key if not section else f"{section}.{key}")
        elif isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
            for item in value:
                yield from option_keys(item, key)
        else:
            yield section, key


@pytest.mark.parametrize("section,key", sorted(set(option_keys(EXAMPLE))))
def test_every_option_of_the_example_is_in_the_readme(section: str, key: str) -> None:
    documented = re.search(rf"(?<![\w.]){re.escape(key)}(?![\w])", TABLE_ROWS)
    assert documented, f"[{section}] {key} is in pacing.toml but in no table of README.md"


@pytest.mark.parametrize("setting", [s.name for s in SCENARIO_SETTINGS])
def test_every_simulator_setting_is_in_the_readme(setting: str) -> None:
    assert f"`{setting}`" in README


def test_the_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
