"""Helpers shared by test packages."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_test_config(folder: Path, refresh_period_s: float = 1.0) -> tuple[Path, Path]:
    """The shipped example, pointed at a private database and a short refresh period."""
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    database = folder / "pacing.db"
    text, replaced_db = re.subn(
        r'(?m)^database\s*=\s*".*"', f'database = "{database.as_posix()}"', text
    )
    text, replaced_period = re.subn(
        r"(?m)^refreshPeriod\s*=\s*[0-9.]+", f"refreshPeriod = {refresh_period_s}", text
    )
    assert replaced_db == 1 and replaced_period == 1, "pacing.toml layout changed"
    config = folder / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    return config, database
