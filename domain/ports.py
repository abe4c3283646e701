"""The node's ports and extension points: how statistics come in, decisions go out, cycles are
recorded, and background parts plug in. Implementations live in the adapters (simulator,
HTTP connectors, storage); the node wires them (`node.build`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from domain.decisions import PacingDecision
from domain.records import CycleRecord, TargetRecord
from domain.statistics import PublishResult, TargetStatistics
from domain.targets import PacingTarget

# The vocabulary of the two ports: statistics and answers by target id, decisions in order.
StatisticsByTarget = Mapping[str, TargetStatistics]
AnswersByTarget = Mapping[str, PublishResult]
Decisions = Sequence[PacingDecision]


# The headers naming which node, under which master-lease term, sent a bulk request: our
# extension of the platform contract (docs/http.md), read back by the fake platform's log.
NODE_HEADER = "X-Pacing-Node"
TERM_HEADER = "X-Pacing-Term"


class PublishSkipped(Exception):  # noqa: N818 - a note, not an error: the cycle is not failed
    """The publisher deliberately did not publish this cycle (e.g. a standby node)."""


class PublishIncomplete(Exception):  # noqa: N818 - an outcome: some targets were answered
    """Some targets got no usable answer; `answers` holds the others' answers.

    `target_errors` names why each unanswered target got nothing (a failed or voided request,
    the platform's own error for it, an invalid item), so the cycle records it.
    """

    def __init__(
        self, message: str, answers: AnswersByTarget, target_errors: Mapping[str, str]
    ) -> None:
        super().__init__(message)
        self.answers = answers
        self.target_errors = dict(target_errors)


class StatSource(Protocol):
    """Where statistics come from: the simulator, an HTTP endpoint, a replay."""

    def read(
        self, targets: Sequence[PacingTarget], now: float
    ) -> Mapping[str, TargetStatistics]: ...


class Publisher(Protocol):
    """Where decisions go: the simulator or the engagement platform."""

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget: ...


@runtime_checkable
class Closable(Protocol):
    """A port holding connections: `close()` aborts what is in flight and frees them."""

    def close(self) -> None: ...


def close_port(port: object) -> None:
    """Close a port that holds connections (HTTP); ports without any have nothing to close."""
    if isinstance(port, Closable):
        port.close()


@dataclass(frozen=True, slots=True)
class CycleOutcome:
    """Everything one cycle produced, ready to record."""

    cycle: CycleRecord
    targets: tuple[TargetRecord, ...]
    decisions: tuple[PacingDecision, ...]


class CycleNotStored(Exception):  # noqa: N818 - an outcome the recorder already reported
    """The recorder kept the cycle aside (not in the database); the message says where."""


class CycleRecorder(Protocol):
    """Stores one cycle's outcome; raises when it could not (the node counts the failure)."""

    def record(self, outcome: CycleOutcome) -> None: ...


class CycleObserver(Protocol):
    """Told about every cycle after recording; an exception is logged, never fatal."""

    def after_cycle(self, outcome: CycleOutcome, recorded: bool) -> None: ...


class NodeService(Protocol):
    """A background part that lives as long as the node (its own threads or none)."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class LoadingService(NodeService, Protocol):
    """A service that starts at once and finishes loading in the background."""

    def wait_loaded(self, timeout_s: float | None = None) -> bool: ...
