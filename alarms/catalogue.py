"""The default alarm conditions `pacing provision` creates, with the original's event ids.

The five conditions the original provisions keep their names and detect/cancel event ids
(GC Latency 10005/10006, Heap Memory Usage 10001/10002, PacingRequestsFailed 100603/100604,
PacingResponseTargetError 100605/100606, PacingResponseValidationError 100607/100608).
The others are new here; their ids continue the original's two ranges (100xx for runtime,
1006xx for pacing) without reusing one.
"""

from __future__ import annotations

from alarms.model import AlarmCondition, Category, ScopeKind
from config.alarms import AlarmOptions
from config.compliance import ComplianceOptions
from config.options import MetricsOptions
from domain.signals import Condition

# A value at least this many times its threshold asks for the next category up.
ESCALATE_FACTOR = 2.0

# name, description, category, detect id, cancel id, scope kind
_CATALOGUE: tuple[tuple[str, str, Category, int, int, ScopeKind], ...] = (
    (
        Condition.GC_LATENCY,
        "Defines the garbage collection latency threshold: a collection paused the node "
        "longer than metrics.GcLatency.threshold milliseconds.",
        Category.MAJOR,
        10005,
        10006,
        "global",
    ),
    (
        Condition.HEAP_MEMORY_USAGE,
        "Defines the heap memory usage threshold: the node's resident memory is above "
        "metrics.HeapMemoryUsage.threshold percent of the memory available to it.",
        Category.MAJOR,
        10001,
        10002,
        "global",
    ),
    (
        Condition.GC_FREQUENCY,
        "More full garbage collections (of the oldest generation) per minute than "
        "metrics.GcFrequency.threshold.",
        Category.MINOR,
        10007,
        10008,
        "global",
    ),
    (
        Condition.PACING_REQUESTS_FAILED,
        "Indicates that error occurs during pacing requests: transport error, timeout, "
        "non-2xx answer or token failure.",
        Category.MAJOR,
        100603,
        100604,
        "global",
    ),
    (
        Condition.PACING_RESPONSE_TARGET_ERROR,
        "Triggers if response contains error on one or more targets.",
        Category.MAJOR,
        100605,
        100606,
        "global",
    ),
    (
        Condition.PACING_RESPONSE_VALIDATION_ERROR,
        "Triggers if response contains invalid data (not JSON, missing or inconsistent results).",
        Category.MAJOR,
        100607,
        100608,
        "global",
    ),
    (
        Condition.ABANDONMENT_ABOVE_GOAL,
        "The lower 95 % Wilson bound of a target's abandonment over the window is above its "
        "optimizationGoal: significantly too many proactive interactions are abandoned.",
        Category.MAJOR,
        100609,
        100610,
        "target",
    ),
    (
        Condition.ABANDON_BUDGET_FAST_BURN,
        "A target abandons more than compliance.fast_burn times its goal over both the last "
        "5 minutes and the last hour: at this pace a 30-day abandon budget is gone in 2 days.",
        Category.MAJOR,
        100625,
        100626,
        "target",
    ),
    (
        Condition.ABANDON_BUDGET_SLOW_BURN,
        "A target abandons more than compliance.slow_burn times its goal over both the last "
        "30 minutes and the last 6 hours: at this pace a 30-day abandon budget is gone in 5 days.",
        Category.MINOR,
        100627,
        100628,
        "target",
    ),
    (
        Condition.CYCLE_OVERRUN,
        "A pacing cycle took longer than pacing.refreshPeriod.",
        Category.MINOR,
        100611,
        100612,
        "global",
    ),
    (
        Condition.STATISTICS_STALE,
        "A target is paced without fresh statistics (stat source error or stale data).",
        Category.MAJOR,
        100613,
        100614,
        "target",
    ),
    (
        Condition.NO_MASTER_NODE,
        "No node has written a fresh heartbeat: nobody is pacing.",
        Category.CRITICAL,
        100615,
        100616,
        "global",
    ),
    (
        Condition.BACKLOG_DISK_WARNING,
        "The backlog folder uses more than Backlog.DiskSpaceMonitor.WarningUsedMB.",
        Category.WARNING,
        100617,
        100618,
        "global",
    ),
    (
        Condition.BACKLOG_DISK_MAJOR,
        "The backlog folder uses more than Backlog.DiskSpaceMonitor.MaxUsedMB: records are lost.",
        Category.MAJOR,
        100619,
        100620,
        "global",
    ),
    (
        Condition.DATABASE_WRITE_FAILED,
        "A cycle could not be written and could not be backlogged (an unhandled write failure).",
        Category.MAJOR,
        100621,
        100622,
        "global",
    ),
    (
        Condition.STATISTICS_FAILOVER,
        "The primary statistics server failed and the backup serves: pacing goes on, but one "
        "more failure leaves every target without statistics.",
        Category.MINOR,
        100623,
        100624,
        "global",
    ),
    (
        Condition.CONFIGURATION_RELOAD_FAILED,
        "A configuration reload (SIGHUP or the dashboard's button) found a file that fails "
        "validation: nothing changed, the running configuration stays. The alarm names every "
        "problem; it clears at the next successful reload.",
        Category.MAJOR,
        100629,
        100630,
        "global",
    ),
    (
        Condition.MASTER_TAKEOVER,
        "A node took the master lease over from another (the lease term grew): the former "
        "master died, froze, lost the database or stopped. The reason names both nodes and "
        "the new term; cancelled at the new master's next publish.",
        Category.WARNING,
        100631,
        100632,
        "global",
    ),
)


def _parameters(
    name: str, metrics: MetricsOptions, alarms: AlarmOptions, compliance: ComplianceOptions
) -> dict[str, float]:
    if name == Condition.GC_LATENCY:
        return {"threshold_ms": metrics.gc_latency_threshold_ms, "escalate_factor": ESCALATE_FACTOR}
    if name == Condition.GC_FREQUENCY:
        return {
            "threshold_per_min": metrics.gc_frequency_threshold_per_min,
            "escalate_factor": ESCALATE_FACTOR,
        }
    if name == Condition.HEAP_MEMORY_USAGE:
        return {"threshold_pct": metrics.heap_usage_threshold_pct}
    if name == Condition.ABANDONMENT_ABOVE_GOAL:
        return {
            "window_s": alarms.abandonment_window_s,
            "z": 1.96,
            "escalate_factor": ESCALATE_FACTOR,
        }
    if name == Condition.ABANDON_BUDGET_FAST_BURN:
        return _burn(300.0, 3600.0, compliance.fast_burn, compliance.burn_min_resolved)
    if name == Condition.ABANDON_BUDGET_SLOW_BURN:
        return _burn(1800.0, 6 * 3600.0, compliance.slow_burn, compliance.burn_min_resolved)
    return {}


def _burn(short_s: float, long_s: float, rate: float, min_resolved: int) -> dict[str, float]:
    return {
        "short_window_s": short_s,
        "long_window_s": long_s,
        "burn_rate": rate,
        "min_resolved": float(min_resolved),
    }


def default_conditions(
    metrics: MetricsOptions | None = None,
    alarms: AlarmOptions | None = None,
    compliance: ComplianceOptions | None = None,
) -> tuple[AlarmCondition, ...]:
    """Every default condition, with thresholds from `[metrics]` and `[compliance]` and delays
    from `[alarms]`."""
    metrics = metrics or MetricsOptions()
    alarms = alarms or AlarmOptions()
    compliance = compliance or ComplianceOptions()
    return tuple(
        AlarmCondition(
            name=name,
            description=description,
            category=category,
            detect_event_id=detect_id,
            cancel_event_id=cancel_id,
            cancel_timeout_s=alarms.cancel_timeout_s,
            on_delay_s=alarms.on_delay_s,
            off_delay_s=alarms.off_delay_s,
            parameters=tuple(sorted(_parameters(name, metrics, alarms, compliance).items())),
            scope_kind=scope_kind,
        )
        for name, description, category, detect_id, cancel_id, scope_kind in _CATALOGUE
    )


def threshold_drift(
    stored: tuple[AlarmCondition, ...], wanted: tuple[AlarmCondition, ...]
) -> list[str]:
    """Parameters the database holds that differ from the configuration (operators' edits)."""
    by_name = {condition.name: condition for condition in stored}
    drift = []
    for condition in wanted:
        current = by_name.get(condition.name)
        if current is None:
            continue
        for key, value in condition.parameters:
            held = current.parameter(key)
            if held is not None and held != value:
                drift.append(
                    f'alarm condition "{condition.name}" uses {key} = {held:g} from the database, '
                    f"the configuration says {value:g}: run `pacing provision --overwrite` "
                    "to apply the file"
                )
    return drift
