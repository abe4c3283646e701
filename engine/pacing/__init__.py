"""The public pacing API: snapshots in, one decision per target out.

`Pacer.decide` is pure: no clock (``now`` is a parameter), no I/O. It keeps per-target state
between calls (estimates, controller state) that can be saved with `Pacer.state` and restored
with `Pacer.restore`, so a restarted node warm-starts.

Algorithms: `predictive` (the default: a binomial model of accepts against the free slots at
landing, corrected by feedback on the measured abandonment, with guards), and the baselines
`progressive` and `adaptive` kept for comparison in the pacing lab (`pacing simulate`).
"""

from engine.pacing.api import (
    ALGORITHMS,
    OPTIMIZATION_TARGETS,
    Algorithm,
    OptimizationTarget,
    PacingDecision,
    TargetSnapshot,
)
from engine.pacing.pacer import TUNING_DEFAULTS, Pacer, estimate_wait_s

__all__ = [
    "ALGORITHMS",
    "OPTIMIZATION_TARGETS",
    "TUNING_DEFAULTS",
    "Algorithm",
    "OptimizationTarget",
    "Pacer",
    "PacingDecision",
    "TargetSnapshot",
    "estimate_wait_s",
]
