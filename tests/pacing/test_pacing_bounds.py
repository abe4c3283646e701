"""The pacer is safe on its own: absurd figures never crash it, wrap a cast or blow memory.

Sources bound what they report (`domain.bounds`), but `decide` must not trust them: it clips
its inputs and caps every allowance before an integer cast. The absurd figures below are the
ones a statistics server sent in issue 13 (2**63 slots: IndexError; 10**9 logged in: 6 GB).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.bounds import INVITATIONS_PER_CYCLE_MAX
from domain.decisions import ALGORITHMS, OPTIMIZATION_TARGETS, TargetSnapshot
from pacing import Pacer
from tests.support import run_with_memory_limit

BASE = TargetSnapshot(
    target_id="Proactive Chat - chat",
    media="chat",
    goal_pct=3.0,
    logged_in_slots=18,
    ready_slots=6,
    busy_slots=12,
    in_queue=1,
    accepted_total=120,
    abandoned_total=3,
    pending_invitations=0,
    acceptance_rate=0.3,
    accept_delay_s=10.0,
    avg_handle_time_s=180.0,
)
ABSURD = {
    "2**63 slots, 2**64 accepted": dict(
        logged_in_slots=2**63, ready_slots=2**62, busy_slots=2**62, accepted_total=2**64
    ),
    "10**30 slots": dict(logged_in_slots=10**30, ready_slots=10**29, busy_slots=10**29),
    "10**9 logged in": dict(logged_in_slots=10**9, ready_slots=5 * 10**8, busy_slots=5 * 10**8),
    "2**63 pending": dict(pending_invitations=2**63),
    "10**12 waiting": dict(in_queue=10**12),
    "10**300 s handle time": dict(avg_handle_time_s=1e300, accept_delay_s=1e300),
}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("target", OPTIMIZATION_TARGETS)
@pytest.mark.parametrize("figures", list(ABSURD.values()), ids=list(ABSURD))
def test_absurd_figures_give_a_bounded_allowance(
    algorithm: str, target: str, figures: dict[str, float]
) -> None:
    pacer = Pacer(algorithm=algorithm, optimization_target=target)
    snapshot = replace(BASE, **figures)  # type: ignore[arg-type]
    for cycle in range(3):
        decision = pacer.decide([snapshot, BASE], now=1000.0 + 5 * cycle)
        assert all(0 <= d.allowed_invitations <= INVITATIONS_PER_CYCLE_MAX for d in decision)


def test_a_billion_logged_in_slots_stays_within_a_few_hundred_mb() -> None:
    code = """
from dataclasses import replace
from tests.pacing.test_pacing_bounds import ABSURD, BASE
from pacing import Pacer
pacer = Pacer()
for name, figures in ABSURD.items():
    for cycle in range(3):
        pacer.decide([replace(BASE, **figures)], now=1000.0 + 5 * cycle)
print("decided")
"""
    result = run_with_memory_limit(code, limit_mb=700)
    assert result.returncode == 0 and "decided" in result.stdout, result.stderr[-2000:]
