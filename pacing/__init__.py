"""Pacing maths (pure): snapshots in, one decision per target out; queueing formulas beside it.

The values it takes and gives (`TargetSnapshot`, `PacingDecision`) live in `domain.decisions`.

`Pacer.decide` is pure: no clock (``now`` is a parameter), no I/O. It keeps per-target state
between calls (estimates, controller state) that can be saved with `Pacer.state` and restored
with `Pacer.restore`, so a restarted node warm-starts.

Algorithms: `predictive` (the default: a binomial model of accepts against the free slots at
landing, corrected by feedback on the measured abandonment, with guards), and the baselines
`progressive` and `adaptive` kept for comparison in the pacing lab (`pacing simulate`).
"""

from pacing.pacer import TUNING_DEFAULTS, Pacer, estimate_wait_s

__all__ = ["TUNING_DEFAULTS", "Pacer", "estimate_wait_s"]
