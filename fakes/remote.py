"""The fake servers' world: one simulated contact centre, its tokens, faults and counters.

The statistics the fake serves and the answers it gives to bulk pacing come from the same
simulator, so the numbers agree. `fakes.server.FakeRemote` serves a world over HTTP.
"""

from __future__ import annotations

import base64
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from config import AgentGroup
from config.simulator import Scenario
from domain.statistics import PublishResult
from domain.targets import PacingTarget
from fakes.documents import stats_document
from fakes.faults import Switchboard
from simulator import ContactCentreSimulator

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FakeCredentials:
    client_id: str
    client_secret: str
    expires_in_s: int = 86399


@dataclass(slots=True)
class WireCounters:
    """What crossed the socket for bulk requests (headers included), for the benchmark."""

    bulk_requests: int = 0
    bulk_bytes_in: int = 0
    bulk_bytes_out: int = 0
    entities: int = 0
    token_requests: int = 0
    stats_requests: int = 0


# How many bulk requests the publish log keeps (the oldest go first): hours of a test cluster.
PUBLISH_LOG_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class PublishRecord:
    """One bulk request as it arrived: when, from which node, under which lease term.

    `node` and `term` come from the `X-Pacing-Node` and `X-Pacing-Term` headers (None when a
    client does not send them); a cluster test checks from these that one node publishes.
    """

    at: float
    node: str | None
    term: int | None
    targets: int

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at, "node": self.node, "term": self.term, "targets": self.targets}


class RemoteState:
    """The fake servers' world: simulator, tokens, faults, counters (`FakeRemote` serves it)."""

    def __init__(
        self,
        targets: Sequence[PacingTarget],
        agent_groups: Sequence[AgentGroup],
        scenario: Scenario,
        *,
        credentials: FakeCredentials | None = None,
        serve_platform: bool = True,
    ) -> None:
        self.targets = tuple(targets)
        self.agent_groups = tuple(agent_groups)
        self.credentials = credentials
        self.serve_platform = serve_platform
        self.faults = Switchboard()
        self.counters = WireCounters()
        self.issued_tokens: set[str] = set()
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.simulator = ContactCentreSimulator(self.targets, scenario)
        self.epoch = time.time()
        self.speed = scenario.speed
        self._known = {target.target_id for target in self.targets}
        self.reset_base: dict[str, tuple[int, int, int]] = {}
        self.publish_log: deque[PublishRecord] = deque(maxlen=PUBLISH_LOG_SIZE)

    def record_publish(self, node: str | None, term: str | None, targets: int) -> None:
        """Log who sent a bulk request (headers as received; a bad term is kept as None)."""
        try:
            term_number = int(term) if term is not None else None
        except ValueError:
            term_number = None
        with self.lock:
            self.publish_log.append(PublishRecord(time.time(), node, term_number, targets))

    def set_fault(self, name: str, value: str | None = None, times: int | None = None) -> None:
        self.faults.set(name, value, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def sleep(self, seconds: float) -> None:
        """Wait, but give up at once when the server stops (so tests end quickly)."""
        self.stop_event.wait(seconds)

    # -- the simulated world ------------------------------------------------------------

    def simulated_s(self, now: float) -> float:
        return max(0.0, (now - self.epoch) * self.speed)

    def statistics_document(self) -> dict[str, Any]:
        now = time.time()
        with self.lock:
            statistics = self.simulator.read_statistics(self.simulated_s(now))
        return stats_document(self.targets, self.agent_groups, statistics, now)

    def publish(self, allowed: dict[str, int], interval_s: float) -> dict[str, PublishResult]:
        """Allowances for the simulator's own targets; others are not simulated."""
        known = {t: max(0, n) for t, n in allowed.items() if t in self._known}
        if not known:
            return {}
        with self.lock:
            return self.simulator.publish(
                known, max(interval_s, 0.001) * self.speed, self.simulated_s(time.time())
            )

    def check_basic_auth(self, header: str | None) -> bool:
        if self.credentials is None or not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
        except ValueError:
            return False
        client_id, _, secret = decoded.partition(":")
        return secrets.compare_digest(
            f"{client_id}:{secret}",
            f"{self.credentials.client_id}:{self.credentials.client_secret}",
        )

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.issued_tokens.add(token)
        return token

    def state(self) -> dict[str, Any]:
        counters = self.counters
        return {
            "faults": self.faults.snapshot(),
            "bulk_requests": counters.bulk_requests,
            "bulk_bytes_in": counters.bulk_bytes_in,
            "bulk_bytes_out": counters.bulk_bytes_out,
            "entities": counters.entities,
            "token_requests": counters.token_requests,
            "stats_requests": counters.stats_requests,
            "publishes": [record.as_json() for record in list(self.publish_log)],
        }
