"""The backlog and hive-off options this issue added to `[Backlog]`."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, parse_config
from tests.support import shipped_raw


def parse_with(tmp_path: Path, **backlog: object) -> object:
    raw = shipped_raw()
    raw["Backlog"].update(backlog)
    return parse_config(raw, source="test", base_dir=tmp_path).backlog


def test_the_added_options_have_their_documented_defaults(tmp_path: Path) -> None:
    options = parse_with(tmp_path)
    assert options.processor_max_attempts == 100  # type: ignore[attr-defined]
    assert options.processor_max_item_age_ms == 604_800_000  # type: ignore[attr-defined]
    assert options.hive_off_start_time == "02:30"  # type: ignore[attr-defined]
    assert options.archive_folder == tmp_path / "data/archive"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "key,value,expected",
    [
        ("HiveOff.StartTime", "25:00", 'expected a time of day "HH:MM"'),
        ("Processor.MaxAttempts", 0, "expected a whole number of attempts between 1 and 10,000"),
        ("HiveOff.RetentionDays", "30", "expected a whole number of days between 1 and 3,650"),
    ],
)
def test_a_bad_value_is_named_with_what_was_expected(
    tmp_path: Path, key: str, value: object, expected: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_with(tmp_path, **{key: value})
    assert f"Backlog.{key}" in str(error.value) and expected in str(error.value)
