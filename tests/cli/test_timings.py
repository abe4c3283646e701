"""`--timings`: each start-up phase's seconds on standard error, the output unchanged."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_cli import pacing, private_config


def _phases(stderr: str) -> dict[str, tuple[float, float]]:
    """{phase: (wall s, cpu s)} from a timings report."""
    rows = re.findall(r"(?m)^  (\S+(?: \S+)?) +(\d+\.\d{3}) +(\d+\.\d{3})$", stderr)
    return {name: (float(wall), float(cpu)) for name, wall, cpu in rows}


def test_check_config_times_reading_validating_and_deriving_apart() -> None:
    plain = pacing("check-config", "pacing.toml")
    timed = pacing("check-config", "--timings", "pacing.toml")
    assert timed.returncode == 0, timed.stderr
    assert timed.stdout == plain.stdout  # the description is untouched
    assert "start-up timings" in timed.stderr and "start-up timings" not in plain.stderr
    phases = _phases(timed.stderr)
    assert list(phases) == ["import", "read/parse", "validate", "derive", "total"]
    wall_total = sum(wall for name, (wall, _) in phases.items() if name != "total")
    assert abs(phases["total"][0] - wall_total) < 0.005  # rounding of each line only


def test_a_refused_file_still_shows_how_far_loading_went(tmp_path: Path) -> None:
    config = tmp_path / "pacing.toml"
    config.write_text("[pacing]\nrefreshPeriod = -1\n", encoding="utf-8")
    result = pacing("check-config", "--timings", str(config))
    assert result.returncode == 1
    assert "refreshPeriod" in result.stderr
    assert list(_phases(result.stderr)) == ["import", "read/parse", "validate", "derive", "total"]


def test_a_node_times_building_and_starting_before_its_first_cycle(tmp_path: Path) -> None:
    config = private_config(tmp_path)
    result = pacing("node", "--config", str(config), "--cycles", "1", "--timings")
    assert result.returncode == 0, result.stderr
    assert list(_phases(result.stderr)) == [
        "import",
        "import node",
        "read/parse",
        "validate",
        "derive",
        "build node",
        "start node",
        "total",
    ]
