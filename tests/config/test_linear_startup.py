"""Start-up work grows linearly with the number of targets (issue 14), counted, not timed.

The work is counted as the Python lines the interpreter executes (`sys.settrace` line events:
every iteration of a loop or a comprehension is one or more), which does not depend on how
busy the machine is. Ten times the queues, groups and agents must cost about ten times the
lines; a quadratic step (a dictionary of every queue rebuilt for each group, every group
scanned for each queue, every seat of an agent checked for each target) makes it a hundred
times. Counting stops as soon as the bound is passed, so a quadratic start-up fails quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from config import ConfigError, parse_config
from pacing.pools import find_capacity_pools
from simulator import ContactCentreSimulator

SMALL, LARGE = 300, 3_000
# Linear work gives a ratio of about 10 (a little less: some work does not grow at all).
MAX_RATIO = 14


class _TooMuchWork(Exception):
    pass


def _lines_run(work: Callable[[], object], budget: int | None = None) -> int:
    """Python lines executed by `work()`; `_TooMuchWork` once past `budget`."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
            if budget is not None and count > budget:
                raise _TooMuchWork
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


def _assert_linear(work_for: Callable[[int], Callable[[], object]]) -> None:
    small = _lines_run(work_for(SMALL))
    budget = small * MAX_RATIO
    try:
        large = _lines_run(work_for(LARGE), budget)
    except _TooMuchWork:
        pytest.fail(
            f"{LARGE:,} targets ran more than {MAX_RATIO} times the {small:,} lines of "
            f"{SMALL:,} targets: start-up is not linear in targets"
        )
    assert large > small * 5  # it did measure the work: ten times the targets, more lines


def _document(n: int, *, unknown_dn: bool = False) -> dict[str, Any]:
    """`n` paced queues, each with its own group of 3 agents; every 50th also a skill group;
    one blended group of 5 agents serves every queue; `unknown_dn`: each group names a
    queue that does not exist as well."""
    skills = max(1, n // 50)
    queues = [
        {
            "name": f"VQ {i}",
            "number": f"{100_000 + i}",
            "pacing": {"media": "chat" if i % 2 else "voice"},
        }
        for i in range(n)
    ]
    agents: list[dict[str, Any]] = [
        {"name": f"a{i}", "count": 3, "skills": {f"S{i % skills}": 5}} for i in range(n)
    ]
    agents.append({"name": "b", "count": 5, "skills": {"Blended": 9}})
    groups: list[dict[str, Any]] = [
        {
            "name": f"G {i}",
            "agents": [f"a{i}-0{k}" for k in (1, 2, 3)],
            "capacity": {"chat": 2, "voice": 1},
            "origination_dns": [f"{100_000 + i}"] + (["no such queue"] if unknown_dn else []),
        }
        for i in range(n)
    ]
    groups += [
        {
            "name": f"Skill {j}",
            "skill_expression": f"S{j} > 1",
            "capacity": {"chat": 1},
            "origination_dns": [f"VQ {j}"],
        }
        for j in range(skills)
    ]
    groups.append(
        {
            "name": "Blended",
            "agents": [f"b-0{k}" for k in range(1, 6)],
            "capacity": {"chat": 2, "voice": 1},
            "origination_dns": [queue["number"] for queue in queues],
        }
    )
    return {"virtual_queues": queues, "agents": agents, "agent_groups": groups}


def test_reading_validating_and_deriving_targets_is_linear_in_targets() -> None:
    def work_for(n: int) -> Callable[[], object]:
        document = _document(n)
        return lambda: parse_config(document)

    _assert_linear(work_for)


def test_the_simulator_and_capacity_pools_build_linearly_in_targets() -> None:
    def work_for(n: int) -> Callable[[], object]:
        config = parse_config(_document(n))

        def build() -> None:
            ContactCentreSimulator(config.targets, config.simulator)
            find_capacity_pools(config.targets)

        return build

    _assert_linear(work_for)


def test_rejecting_a_file_of_unknown_queues_is_linear_in_targets() -> None:
    def work_for(n: int) -> Callable[[], object]:
        document = _document(n, unknown_dn=True)

        def reject() -> None:
            with pytest.raises(ConfigError, match="no such queue"):
                parse_config(document)

        return reject

    _assert_linear(work_for)


def test_the_documents_measured_derive_every_target_with_its_groups() -> None:
    targets = {target.target_id: target for target in parse_config(_document(100)).targets}
    assert len(targets) == 100
    voice, chat = targets["VQ 0 - voice"], targets["VQ 1 - chat"]
    assert voice.groups == ("G 0", "Skill 0", "Blended")
    assert len(voice.agents) == 3 + 5  # its own and the blended ones (Skill 0 is chat only)
    assert chat.groups == ("G 1", "Skill 1", "Blended")
    assert len(chat.agents) == 50 * 3 + 5  # every holder of S1 (its own among them), blended
