"""Every option an operator can set is documented: in the README or in a docs/ page it links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.ranges import ranges_markdown
from config.simulator import SCENARIO_SETTINGS, scenario_settings_markdown
from domain.bounds import bounds_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))
# Table rows of the README and of every docs page the README links to.
TABLE_ROWS = "\n".join(
    line
    for text in [README, *(p.read_text(encoding="utf-8") for p in DOC_PAGES)]
    for line in text.splitlines()
    if line.startswith("|")
)
SECTION = re.compile(r"^\[\[?([^\]]+)\]\]?")
# An option line, active (`key = value`) or shipped commented out (`# key = value`).
OPTION = re.compile(r'^\s*#?\s*("[\w.\-]+"|[A-Za-z_][\w\-]*)\s*=\s*\S')
# Tables whose keys are the operator's own names (skills, media), not options.
FREE_FORM_SECTIONS = {"agents.skills", "agent_groups.capacity"}


def example_options() -> list[tuple[str, str]]:
    """(section, key) of every option line in pacing.toml, commented-out ones included."""
    options: list[tuple[str, str]] = []
    section = ""
    for line in (ROOT / "pacing.toml").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        header = SECTION.match(stripped.lstrip("#").strip())
        if header:
            section = header.group(1).strip()
            continue
        option = OPTION.match(line)
        if option and section not in FREE_FORM_SECTIONS:
            options.append((section, option.group(1).strip('"')))
    return sorted(set(options))


def test_the_example_lists_options() -> None:
    keys = {key for _, key in example_options()}
    assert {"refreshPeriod", "optimizationGoal", "Processor.ThreadCount", "seed"} <= keys


@pytest.mark.parametrize(("section", "key"), example_options())
def test_every_option_of_the_example_is_documented(section: str, key: str) -> None:
    documented = re.search(rf"(?<![\w.]){re.escape(key)}(?![\w])", TABLE_ROWS)
    assert documented, f"[{section}] {key} is in pacing.toml but in no table of the docs"


@pytest.mark.parametrize("page", [p.name for p in DOC_PAGES])
def test_every_docs_page_is_linked_from_the_readme(page: str) -> None:
    assert f"docs/{page}" in README


@pytest.mark.parametrize("setting", [s.name for s in SCENARIO_SETTINGS])
def test_every_simulator_setting_is_in_the_readme(setting: str) -> None:
    assert f"`{setting}`" in README


def test_the_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_the_readme_shows_the_ranges_the_code_declares() -> None:
    assert ranges_markdown() in README, "README's ranges table differs from config/ranges.py"
    assert scenario_settings_markdown() in README, "README's [simulator] table is out of date"


def test_the_http_page_shows_the_bounds_the_code_declares() -> None:
    http = (ROOT / "docs" / "http.md").read_text(encoding="utf-8")
    assert bounds_markdown() in http, "docs/http.md's bounds table differs from domain/bounds.py"
