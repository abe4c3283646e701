"""A real `pacing node` process against servers that trickle, and a database that refuses.

Before issue 13: a statistics server sending a byte every few tenths of a second held the
cycle for as long as it trickled (no cycle recorded, no alarm), SIGTERM could not stop the
node, and `--cycles N` exited 0 when no cycle reached the database. Waits here are for
states (rows in the database, the process gone), each with a generous give-up.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.scripted_server import (
    ScriptedServer,
    json_reply,
    one_target_config,
    stats_doc,
    stats_section,
    trickling,
)
from tests.support import ROOT, pacing_cli

NEVER_ENDING = b" " * 100_000  # at 0.2 s a byte: longer than any test


def recorded_cycles(database: Path) -> list[sqlite3.Row]:
    if not database.exists():
        return []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM cycles ORDER BY seq").fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        connection.close()


def wait_for(condition: object, give_up_s: float = 60.0) -> None:
    deadline = time.monotonic() + give_up_s
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.1)


def test_a_trickling_statistics_server_gets_a_failed_cycle_each_period_and_sigterm_stops(
    tmp_path: Path,
) -> None:
    with ScriptedServer(lambda *_: trickling(NEVER_ENDING, every_s=0.2)) as server:
        section = stats_section(f"{server.url}/stats", timeout_s=1.0)
        (tmp_path / "pacing.toml").write_text(
            one_target_config(refresh_period_s=1.0, stat_source=section)
        )
        node = subprocess.Popen(
            [sys.executable, "-m", "cli", "node", "--config", "pacing.toml"],
            cwd=tmp_path,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            database = tmp_path / "pacing.db"
            wait_for(lambda: len(recorded_cycles(database)) >= 3)
            cycles = recorded_cycles(database)
            assert len(cycles) >= 3, "no cycle recorded while the server trickles"
            assert all(cycle["status"] == "failed" for cycle in cycles)
            assert (
                f"statistics request to {server.url}/stats: no complete answer within"
                in (cycles[0]["error"])
            )
            wait_for(lambda: server.count("/stats") > len(recorded_cycles(database)))
            node.send_signal(signal.SIGTERM)  # while a request trickles
            try:
                node.wait(timeout=60)
            except subprocess.TimeoutExpired:
                node.kill()
                raise AssertionError("SIGTERM did not stop a node whose request trickled") from None
        finally:
            if node.poll() is None:
                node.kill()
            stderr = node.stderr.read() if node.stderr else ""
        assert node.returncode == 0, stderr[-3000:]
        assert server.trickles_finished == 0
    with sqlite3.connect(database) as connection:
        stopped = connection.execute("SELECT stopped_at FROM nodes").fetchone()
        raised = connection.execute(
            "SELECT count(*) FROM alarm_transitions WHERE condition = 'StatisticsStale' "
            "AND to_state = 'active_unacknowledged'"
        ).fetchone()
    assert stopped[0] is not None
    assert raised[0] >= 1


def test_a_trickling_response_head_is_bounded_too(tmp_path: Path) -> None:
    with ScriptedServer(lambda *_: trickling(NEVER_ENDING, head_too=True, every_s=0.2)) as server:
        section = stats_section(f"{server.url}/stats", timeout_s=1.0)
        (tmp_path / "pacing.toml").write_text(one_target_config(stat_source=section))
        result = pacing_cli("node", "--config", "pacing.toml", "--cycles", "1", cwd=tmp_path)
        assert server.trickles_finished == 0
    (cycle,) = recorded_cycles(tmp_path / "pacing.db")
    assert cycle["status"] == "failed"
    assert "no complete answer within" in cycle["error"], result.stderr[-2000:]


def test_cycles_that_never_reach_the_database_make_the_run_exit_1(tmp_path: Path) -> None:
    with ScriptedServer(lambda *_: json_reply(stats_doc())) as server:
        section = stats_section(f"{server.url}/stats")
        (tmp_path / "pacing.toml").write_text(one_target_config(stat_source=section))
        first = pacing_cli("node", "--config", "pacing.toml", "--cycles", "1", cwd=tmp_path)
        assert first.returncode == 0, first.stderr[-2000:]
        refuse = (
            "CREATE TRIGGER refuse BEFORE INSERT ON cycles BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
        with sqlite3.connect(tmp_path / "pacing.db") as connection:
            connection.execute(refuse)
        result = pacing_cli("node", "--config", "pacing.toml", "--cycles", "2", cwd=tmp_path)
    assert result.returncode == 1
    assert "is not in the database" in result.stderr
    assert len(list((tmp_path / "backlog").rglob("failed/*.json"))) >= 2
