"""A hostile engagement platform against a real node over loopback HTTP (issue 13, items 3, 5).

Voided answers and per-target errors are stored as what they were; HTTP failures read alike;
a platform that trickles its answers (bulk or token) never holds a worker past the cycle's
deadline, so the first cycle after it heals publishes, and a stopping node leaves no thread
behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import Config, load_config
from fakes import FakeRemote
from tests.scripted_server import (
    SECRET_ENV,
    Reply,
    ScriptedServer,
    bulk_answer,
    json_reply,
    one_target_config,
    publisher_sections,
    stats_doc,
    stats_section,
    token_reply,
    trickling,
)

from .conftest import HttpNode, http_config, http_node

BULK = "/api/v2/journey/actiontargets/bulk"


@pytest.fixture
def node(tmp_path: Path, remote: FakeRemote) -> HttpNode:
    return http_node(http_config(tmp_path, remote))


@pytest.mark.parametrize(
    "fault,status,error",
    [
        ("malformed_json", "failed", "invalid answer: answer is not JSON"),
        ("wrong_count", "failed", "invalid answer: answer has 2 results for 3 entities"),
        ("target_errors", "partial", "platform error: invalid.value"),
        ("negative_counts", "partial", "invalid answer item: pendingInvitationCount -1"),
    ],
)
def test_a_voided_answer_is_stored_as_what_it_was(
    node: HttpNode, remote: FakeRemote, fault: str, status: str, error: str
) -> None:
    node.settle()
    remote.set_fault(fault)
    outcome = node.cycle()
    assert outcome.cycle.status == status
    assert error in (outcome.cycle.error or "")
    assert all(error in (target.error or "") for target in outcome.targets)
    assert outcome.cycle.errors_count == len(outcome.targets)


@pytest.mark.parametrize("status,code", [("500", "internal.server.error"), ("503", "")])
def test_every_bulk_http_failure_names_the_url_the_status_and_the_code(
    node: HttpNode, remote: FakeRemote, status: str, code: str
) -> None:
    node.settle()
    remote.set_fault("status", status)
    error = node.cycle().cycle.error or ""
    shown = code or "service.unavailable"
    assert f"bulk pacing request to {remote.url}{BULK}: HTTP {status} ({shown})" in error


@pytest.mark.parametrize("status", ["500", "503"])
def test_every_statistics_http_failure_names_the_url_the_status_and_the_code(
    node: HttpNode, remote: FakeRemote, status: str
) -> None:
    node.settle()
    remote.set_fault("stats_status", status)
    error = node.cycle().cycle.error or ""
    assert (
        f"primary: statistics request to {remote.url}/stats: HTTP {status} (service.unavailable)"
        in error
    )


def scripted_node(folder: Path, stats: ScriptedServer, platform: ScriptedServer) -> HttpNode:
    text = one_target_config(
        database=str(folder / "pacing.db"),
        refresh_period_s=1.0,
        stat_source=stats_section(f"{stats.url}/stats"),
        publisher=publisher_sections(platform.url, timeout_s=1.0),
    )
    (folder / "pacing.toml").write_text(text, encoding="utf-8")
    config: Config = load_config(folder / "pacing.toml")
    return http_node(config)


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "hostile-secret")


@pytest.fixture
def stats() -> Iterator[ScriptedServer]:
    with ScriptedServer(lambda *_: json_reply(stats_doc())) as server:
        yield server


def test_a_pending_count_beyond_its_bound_voids_only_that_answer(
    tmp_path: Path, stats: ScriptedServer, secret: None
) -> None:
    def platform(method: str, path: str, n: int, body: bytes) -> Reply:
        if path.endswith("/oauth/token"):
            return token_reply()
        return bulk_answer(body, pending=2**63 if n < 2 else 0)

    with ScriptedServer(platform) as server:
        node = scripted_node(tmp_path, stats, server)
        refused = node.cycle()
        assert refused.cycle.status == "partial"
        assert "pendingInvitationCount 9223372036854775808, expected a whole number" in (
            refused.targets[0].error or ""
        )
        assert node.cycle().cycle.status == "ok"


SLOW_ANSWER = b'{"results": [' + b" " * 10_000


def publisher_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(("gpe-publish", "gpe-http"))}


@pytest.mark.parametrize("stuck", ["bulk", "token"])
def test_the_first_cycle_after_a_trickling_platform_heals_publishes(
    tmp_path: Path, stats: ScriptedServer, secret: None, stuck: str
) -> None:
    healed = threading.Event()

    def platform(method: str, path: str, n: int, body: bytes) -> Reply:
        token = path.endswith("/oauth/token")
        if healed.is_set() or (token and stuck == "bulk") or (not token and stuck == "token"):
            return token_reply() if token else bulk_answer(body)
        return trickling(SLOW_ANSWER, every_s=0.2)

    with ScriptedServer(platform) as server:
        node = scripted_node(tmp_path, stats, server)
        for _ in range(5):  # more cycles than publisher workers (4)
            assert node.cycle().cycle.status == "failed"
        healed.set()
        after = node.cycle()
        assert (after.cycle.status, after.cycle.error) == ("ok", None)
        assert server.trickles_finished == 0  # every trickle was still going when abandoned


def test_a_node_stopping_while_the_platform_trickles_leaves_no_thread_behind(
    tmp_path: Path, stats: ScriptedServer, secret: None
) -> None:
    before = publisher_threads()  # other tests' nodes
    with ScriptedServer(lambda *_: trickling(SLOW_ANSWER, every_s=0.2)) as server:
        node = scripted_node(tmp_path, stats, server)
        for _ in range(3):
            node.cycle()
        ours = publisher_threads() - before
        assert ours
        node.node.stop()
        for thread in ours:
            thread.join(timeout=30)  # waits for a state: every worker has ended
        assert [thread for thread in ours if thread.is_alive()] == []
        assert server.trickles_finished == 0
