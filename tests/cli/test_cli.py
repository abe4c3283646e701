"""The `pacing` command line, run as operators run it (a real process, real files)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def pacing(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def private_config(folder: Path) -> Path:
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^database\s*=\s*".*"', 'database = "pacing.db"', text)
    config = folder / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_check_config_prints_the_derived_targets_and_exits_0() -> None:
    result = pacing("check-config", "pacing.toml")
    assert result.returncode == 0, result.stderr
    assert "Proactive Chat - chat: media chat, goal 3 %" in result.stdout
    assert "No warnings." in result.stdout


def test_check_config_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        """
[pacing]
refreshPeriod = -1
[[virtual_queues]]
name = "Q"
number = "1"
[virtual_queues.pacing]
media = "chat,voice"
""",
        encoding="utf-8",
    )
    result = pacing("check-config", str(bad))
    assert result.returncode == 1
    assert 'virtual_queues[0].pacing.media: "chat,voice" — expected one media name' in (
        result.stderr
    )
    assert "pacing.refreshPeriod: -1 — expected" in result.stderr
    assert "2 problems" in result.stderr


def test_check_config_warns_about_an_alias_that_differs_from_its_number(tmp_path: Path) -> None:
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    text = text.replace('alias = "7001"', 'alias = "PC"', 1)
    config = tmp_path / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    result = pacing("check-config", str(config))
    assert result.returncode == 0, result.stderr
    assert "abandoned" in result.stdout and "read 0" in result.stdout


def test_a_headless_node_run_can_be_exported_as_csv(tmp_path: Path) -> None:
    config = private_config(tmp_path)
    run = pacing("node", "--config", str(config), "--cycles", "4")
    assert run.returncode == 0, run.stderr
    assert "could not record" not in run.stderr
    out = tmp_path / "history.csv"
    export = pacing(
        "export", "--config", str(config), "--target", "Proactive Chat - chat", "--out", str(out)
    )
    assert export.returncode == 0, export.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert {row["target_id"] for row in rows} == {"Proactive Chat - chat"}
    assert "exported 4 rows" in export.stderr


def test_export_refuses_a_malformed_time_with_the_expected_form(tmp_path: Path) -> None:
    config = private_config(tmp_path)
    pacing("node", "--config", str(config), "--cycles", "1")
    result = pacing("export", "--config", str(config), "--since", "yesterday")
    assert result.returncode == 2
    assert '--since: "yesterday" — expected an ISO-8601 date or date-time' in result.stderr


def test_export_before_any_node_ran_says_there_is_no_database(tmp_path: Path) -> None:
    config = private_config(tmp_path)
    result = pacing("export", "--config", str(config))
    assert result.returncode == 1
    assert "pacing.db" in result.stderr
    assert "Traceback" not in result.stderr
