"""Hostile statistics against a real `pacing node --cycles N` process (issue 13, items 1 and 4).

A loopback server scripted per request plays the statistics endpoint; the node runs as
operators run it, its address space capped (`memory_limit_mb`) so that an input which would
blow memory fails the test instead of the machine. What the database holds afterwards is the
verdict: every cycle recorded, the bad ones stale with the figure named, no counter poisoned.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scripted_server import (
    Reply,
    ScriptedServer,
    gzip_bomb,
    json_reply,
    one_target_config,
    padded_stream,
    stats_doc,
    stats_section,
    trickling,
)
from tests.support import pacing_cli

CYCLES = 8
NODE_MEMORY_MB = 800  # a node needs about 500 MB of address space (see tests.support)


def run_node(
    folder: Path, script: Callable[[str, str, int, bytes], Reply], *, backup: bool = False
) -> subprocess.CompletedProcess[str]:
    good = ScriptedServer(lambda *_: json_reply(stats_doc()))
    with ScriptedServer(script) as server, good:
        section = stats_section(
            f"{server.url}/stats",
            backup_url=f"{good.url}/stats" if backup else None,
            timeout_s=1.0,
        )
        (folder / "pacing.toml").write_text(one_target_config(stat_source=section))
        return pacing_cli(
            "node",
            "--config",
            str(folder / "pacing.toml"),
            "--cycles",
            str(CYCLES if not backup else 3),
            cwd=folder,
            memory_limit_mb=NODE_MEMORY_MB,
        )


def rows(database: Path, sql: str) -> list[sqlite3.Row]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def target_rows(folder: Path) -> list[sqlite3.Row]:
    return rows(
        folder / "pacing.db",
        "SELECT c.seq, c.status, t.* FROM cycle_targets t JOIN cycles c USING (cycle_id) "
        "ORDER BY c.seq",
    )


def alarm_reasons(folder: Path, condition: str, to_state: str) -> list[str]:
    """The reasons of every transition of `condition` into `to_state`, oldest first."""
    transitions = rows(
        folder / "pacing.db",
        "SELECT condition, to_state, reason FROM alarm_transitions ORDER BY transition_id",
    )
    return [
        t["reason"]
        for t in transitions
        if t["condition"] == condition and t["to_state"] == to_state
    ]


def failed_items(folder: Path) -> list[Path]:
    return [path for path in (folder / "backlog").rglob("failed/*") if path.is_file()]


HUGE_FIRST = 3
HUGE = {
    "2**63 slots and 2**64 accepted": dict(
        logged_in=2**63, ready=2**62, busy=2**62, accepted=2**64, abandoned=2**63
    ),
    "10**30 everywhere": dict(
        logged_in=10**30, ready=10**29, busy=10**29, accepted=10**30, abandoned=10**29
    ),
    "2**64 accepted only": dict(accepted=2**64),
    "2**63 - 1 accepted": dict(accepted=2**63 - 1),
    "10**9 logged in": dict(logged_in=10**9, ready=5 * 10**8, busy=5 * 10**8),
    "10**12 waiting": dict(current=10**12),
    "10**12 accepted from the first document": dict(accepted=10**12),
}


@pytest.mark.parametrize("figures", list(HUGE.values()), ids=list(HUGE))
def test_huge_figures_make_the_target_stale_and_never_poison_a_later_cycle(
    tmp_path: Path, figures: dict[str, int]
) -> None:
    def script(method: str, path: str, n: int, body: bytes) -> Reply:
        if n < HUGE_FIRST:
            return json_reply(stats_doc(**figures))
        return json_reply(stats_doc(accepted=120 + n))

    result = run_node(tmp_path, script)
    assert result.returncode == 0, result.stderr[-3000:]
    recorded = target_rows(tmp_path)
    assert [row["seq"] for row in recorded] == list(range(1, CYCLES + 1))
    assert failed_items(tmp_path) == []
    for row in recorded[:HUGE_FIRST]:
        assert row["reason"] == "stale" and row["allowed_invitations"] == 0
        assert "— expected a whole number between 0 and" in row["error"]
    assert [row["accepted_total"] for row in recorded[HUGE_FIRST:]] == [
        120 + n for n in range(HUGE_FIRST, CYCLES)
    ]
    assert {row["status"] for row in recorded[HUGE_FIRST:]} == {"ok"}
    raised = alarm_reasons(tmp_path, "StatisticsStale", "active_unacknowledged")
    assert raised and "expected a whole number between 0 and" in raised[0]


ONE_BAD = {
    "a spike of 10**12 accepted": 10**12,
    "a dip to 0 accepted": 0,
}


@pytest.mark.parametrize("bad", list(ONE_BAD.values()), ids=list(ONE_BAD))
def test_one_implausible_document_never_moves_a_running_total(tmp_path: Path, bad: int) -> None:
    def script(method: str, path: str, n: int, body: bytes) -> Reply:
        return json_reply(stats_doc(accepted=bad if n == 2 else 120 + n))

    result = run_node(tmp_path, script)
    assert result.returncode == 0, result.stderr[-3000:]
    totals = [row["accepted_total"] for row in target_rows(tmp_path)]
    # before: a spike stayed as an offset of 10**12 for ever, a dip added 123 phantom accepts
    assert totals[3:] == [120 + n for n in range(3, CYCLES)]
    assert totals[2] in (None, 121)  # stale (spike) or held (dip), never the bad value


UNUSABLE: dict[str, Callable[[], Reply]] = {
    "nested 100,000 deep": lambda: Reply(
        200, b'{"virtual_queues": ' + b"[" * 100_000 + b"]" * 100_000 + b', "agent_groups": {}}'
    ),
    "generated 10 years ahead": lambda: json_reply(
        stats_doc(generated_at=time.time() + 10 * 365 * 86400)
    ),
    "generated_at 1e300": lambda: json_reply(stats_doc(generated_at=1e300)),
    "generated an hour ago": lambda: json_reply(stats_doc(generated_at=time.time() - 3600)),
    "covering no configured queue": lambda: json_reply(
        {"virtual_queues": {}, "agent_groups": {}, "generated_at": time.time()}
    ),
    "a 200 MB document": lambda: padded_stream(200),
    "a gzip bomb of 1 GB": lambda: BOMB,
    "a trickle": lambda: trickling(b" " * 10_000, every_s=0.2),
}
BOMB = gzip_bomb(1024)


@pytest.mark.parametrize("answer", list(UNUSABLE.values()), ids=list(UNUSABLE))
def test_an_unusable_document_fails_over_to_the_backup(
    tmp_path: Path, answer: Callable[[], Reply]
) -> None:
    result = run_node(tmp_path, lambda *_: answer(), backup=True)
    assert result.returncode == 0, result.stderr[-3000:]
    recorded = target_rows(tmp_path)
    assert [row["status"] for row in recorded] == ["ok"] * 3
    assert all(row["reason"] != "stale" for row in recorded)
    failover = alarm_reasons(tmp_path, "StatisticsFailover", "active_unacknowledged")
    assert failover and "primary: " in failover[0]
    assert alarm_reasons(tmp_path, "StatisticsStale", "active_unacknowledged") == []
