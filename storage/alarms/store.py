"""Every SQL statement of the alarm subsystem: conditions, instances, transitions, samples.

Writers here run inside the caller's `write_transaction` (the evaluator and operator actions
read, decide and write under one `BEGIN IMMEDIATE`, which is what makes acknowledgement
race-safe across processes). Read models for the dashboard live in `storage.alarms_reads` and
are re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from alarms.model import (
    AlarmCondition,
    AlarmInstance,
    AlarmState,
    AlarmTransition,
    Category,
    RuntimeSample,
)
from storage.alarms.reads import (
    SAMPLE_COLUMNS,
    AlarmFigures,
    read_active_alarms,
    read_alarm_figures,
    read_alarm_history,
    read_conditions,
    read_latest_runtime_sample,
    read_runtime_samples,
)
from storage.frames import named_list, named_values
from storage.transactions import write_transaction

__all__ = [
    "AlarmFigures",
    "ProvisionResult",
    "load_conditions",
    "load_instance",
    "load_instances",
    "provision_conditions",
    "read_active_alarms",
    "read_alarm_figures",
    "read_alarm_history",
    "read_conditions",
    "read_latest_runtime_sample",
    "read_runtime_samples",
    "record_runtime_sample",
    "save_instances",
    "save_transitions",
]

_CONDITION_COLUMNS = (
    "name",
    "description",
    "category",
    "detect_event_id",
    "cancel_event_id",
    "cancel_timeout_s",
    "on_delay_s",
    "off_delay_s",
    "parameters",
    "scope_kind",
    "enabled",
)
_INSTANCE_COLUMNS = (
    "instance_id",
    "condition",
    "scope",
    "state",
    "severity",
    "raised",
    "detected",
    "detect_since",
    "cancel_since",
    "requested_severity",
    "raised_at",
    "cleared_at",
    "occurrences",
    "value",
    "reason",
    "acknowledged_by",
    "acknowledged_at",
    "shelved_by",
    "shelved_until",
    "updated_at",
)
_TRANSITION_COLUMNS = (
    "instance_id",
    "condition",
    "scope",
    "from_state",
    "to_state",
    "rule",
    "severity",
    "occurrence",
    "reason",
    "value",
    "who",
    "comment",
    "at",
)

_SAMPLE_COLUMNS = ("sample_id", *SAMPLE_COLUMNS)


@dataclass(frozen=True, slots=True)
class ProvisionResult:
    """What `provision_conditions` did, by condition name."""

    created: tuple[str, ...]
    replaced: tuple[str, ...]
    kept: tuple[str, ...]


def provision_conditions(
    db: sqlite_utils.Database,
    conditions: Sequence[AlarmCondition],
    now: float,
    *,
    overwrite: bool = False,
) -> ProvisionResult:
    """Create absent conditions; replace existing ones only with `overwrite` (one transaction)."""
    created: list[str] = []
    replaced: list[str] = []
    kept: list[str] = []
    placeholders = named_values(_CONDITION_COLUMNS)
    update = ", ".join(f"{c} = excluded.{c}" for c in _CONDITION_COLUMNS[1:])
    conflict = f"DO UPDATE SET {update}, provisioned_at = excluded.provisioned_at"
    sql = (
        f"INSERT INTO alarm_conditions ({', '.join(_CONDITION_COLUMNS)}, provisioned_at) "
        f"VALUES ({placeholders}, :provisioned_at) ON CONFLICT(name) "
        f"{conflict if overwrite else 'DO NOTHING'}"
    )
    with write_transaction(db):
        existing = {row[0] for row in db.conn.execute("SELECT name FROM alarm_conditions")}
        for condition in conditions:
            values = dict(zip(_CONDITION_COLUMNS, _condition_row(condition), strict=True))
            db.conn.execute(sql, {**values, "provisioned_at": now})
            if condition.name not in existing:
                created.append(condition.name)
            elif overwrite:
                replaced.append(condition.name)
            else:
                kept.append(condition.name)
    return ProvisionResult(tuple(created), tuple(replaced), tuple(kept))


def _condition_row(c: AlarmCondition) -> tuple[Any, ...]:
    return (
        c.name,
        c.description,
        c.category.value,
        c.detect_event_id,
        c.cancel_event_id,
        c.cancel_timeout_s,
        c.on_delay_s,
        c.off_delay_s,
        json.dumps(dict(c.parameters), sort_keys=True),
        c.scope_kind,
        int(c.enabled),
    )


def load_conditions(db: sqlite_utils.Database) -> tuple[AlarmCondition, ...]:
    """Every provisioned condition, by name."""
    rows = db.conn.execute(
        f"SELECT {', '.join(_CONDITION_COLUMNS)} FROM alarm_conditions ORDER BY name"
    ).fetchall()
    return tuple(_condition_from_row(row) for row in rows)


def _condition_from_row(row: Sequence[Any]) -> AlarmCondition:
    values = dict(zip(_CONDITION_COLUMNS, row, strict=True))
    try:
        parameters = json.loads(values["parameters"] or "{}")
    except json.JSONDecodeError:
        parameters = {}  # an operator's bad edit must not stop evaluation of the others
    return AlarmCondition(
        name=values["name"],
        description=values["description"],
        category=Category(values["category"]),
        detect_event_id=values["detect_event_id"],
        cancel_event_id=values["cancel_event_id"],
        cancel_timeout_s=values["cancel_timeout_s"],
        on_delay_s=values["on_delay_s"],
        off_delay_s=values["off_delay_s"],
        parameters=tuple(
            sorted(
                (str(k), float(v))
                for k, v in parameters.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            )
        ),
        scope_kind=values["scope_kind"],
        enabled=bool(values["enabled"]),
    )


def load_instances(
    db: sqlite_utils.Database, instance_ids: Iterable[str] | None = None
) -> dict[str, AlarmInstance]:
    """Stored instances by id (all of them, or those asked for)."""
    sql = f"SELECT {', '.join(_INSTANCE_COLUMNS)} FROM alarm_instances"
    params: dict[str, Any] = {}
    if instance_ids is not None:
        names, params = named_list("instance", tuple(instance_ids))
        sql += f" WHERE instance_id IN {names}" if params else " LIMIT 0"
    rows = db.conn.execute(sql, params).fetchall()
    instances = (_instance_from_row(row) for row in rows)
    return {instance.instance_id: instance for instance in instances}


def load_instance(db: sqlite_utils.Database, instance_id: str) -> AlarmInstance | None:
    return load_instances(db, [instance_id]).get(instance_id)


def _instance_from_row(row: Sequence[Any]) -> AlarmInstance:
    v = dict(zip(_INSTANCE_COLUMNS, row, strict=True))
    return AlarmInstance(
        condition=v["condition"],
        scope=v["scope"],
        state=AlarmState(v["state"]),
        severity=Category(v["severity"]),
        raised=bool(v["raised"]),
        detected=bool(v["detected"]),
        detect_since=v["detect_since"],
        cancel_since=v["cancel_since"],
        requested_severity=Category(v["requested_severity"]) if v["requested_severity"] else None,
        raised_at=v["raised_at"],
        cleared_at=v["cleared_at"],
        occurrences=v["occurrences"],
        value=v["value"],
        reason=v["reason"],
        acknowledged_by=v["acknowledged_by"],
        acknowledged_at=v["acknowledged_at"],
        shelved_by=v["shelved_by"],
        shelved_until=v["shelved_until"],
        updated_at=v["updated_at"],
    )


def save_instances(db: sqlite_utils.Database, instances: Iterable[AlarmInstance]) -> None:
    """Upsert instances (inside the caller's write transaction)."""
    placeholders = named_values(_INSTANCE_COLUMNS)
    update = ", ".join(f"{c} = excluded.{c}" for c in _INSTANCE_COLUMNS[1:])
    sql = (
        f"INSERT INTO alarm_instances ({', '.join(_INSTANCE_COLUMNS)}) VALUES ({placeholders}) "
        f"ON CONFLICT(instance_id) DO UPDATE SET {update}"
    )
    for i in instances:
        row = (
            i.instance_id,
            i.condition,
            i.scope,
            i.state.value,
            i.severity.value,
            int(i.raised),
            int(i.detected),
            i.detect_since,
            i.cancel_since,
            i.requested_severity.value if i.requested_severity else None,
            i.raised_at,
            i.cleared_at,
            i.occurrences,
            i.value,
            i.reason,
            i.acknowledged_by,
            i.acknowledged_at,
            i.shelved_by,
            i.shelved_until,
            i.updated_at,
        )
        db.conn.execute(sql, dict(zip(_INSTANCE_COLUMNS, row, strict=True)))


def save_transitions(db: sqlite_utils.Database, transitions: Iterable[AlarmTransition]) -> None:
    """Append transitions (inside the caller's write transaction)."""
    sql = (
        f"INSERT INTO alarm_transitions ({', '.join(_TRANSITION_COLUMNS)}) "
        f"VALUES ({named_values(_TRANSITION_COLUMNS)})"
    )
    for t in transitions:
        row = (
            t.instance_id,
            t.condition,
            t.scope,
            t.from_state.value,
            t.to_state.value,
            t.rule,
            t.severity.value,
            t.occurrence,
            t.reason,
            t.value,
            t.who,
            t.comment,
            t.at,
        )
        db.conn.execute(sql, dict(zip(_TRANSITION_COLUMNS, row, strict=True)))


def record_runtime_sample(db: sqlite_utils.Database, sample: RuntimeSample) -> None:
    """Store one sample; re-recording the same sample changes nothing."""
    row = (
        sample.sample_id,
        sample.node_id,
        sample.at,
        sample.gc_pause_max_s,
        sample.gc_pause_total_s,
        sample.gc_collections,
        sample.gc_collections_per_min,
        sample.gc_collections_total,
        sample.rss_bytes,
        sample.memory_limit_bytes,
        sample.heap_current_bytes,
        sample.heap_peak_bytes,
        sample.cycle_duration_s,
        sample.cycle_lateness_s,
        json.dumps([list(g) for g in sample.gc_by_generation]),
    )
    db.conn.execute(
        f"INSERT INTO runtime_samples ({', '.join(_SAMPLE_COLUMNS)}) "
        f"VALUES ({named_values(_SAMPLE_COLUMNS)}) ON CONFLICT(sample_id) DO NOTHING",
        dict(zip(_SAMPLE_COLUMNS, row, strict=True)),
    )
