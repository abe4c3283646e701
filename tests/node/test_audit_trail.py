"""Every acknowledgement, shelve and user change leaves one audit row (real SQLite files)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlite_utils

from dashboard.user_changes import add_user_audited, remove_user_audited
from domain.signals import AlarmSignal
from node.alarm_actions import acknowledge, shelve
from node.alarm_evaluator import evaluate_and_store
from storage.alarms.export import export_alarm_history
from storage.alarms.store import load_instance
from storage.audit import AuditFilter, read_audit

FAILED = "PacingRequestsFailed/global"


def trail(db: sqlite_utils.Database) -> list[tuple[str, ...]]:
    frame = read_audit(db, AuditFilter()).sort_values("audit_id")
    columns = ["who", "action", "subject", "old_value", "new_value", "reason"]
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


def test_an_acknowledgement_and_a_shelve_are_audited_once(db: sqlite_utils.Database) -> None:
    evaluate_and_store(db, [AlarmSignal("PacingRequestsFailed", True, 10.0, reason="x")], 10.0)
    acknowledge(db, FAILED, "ana", now=11.0, comment="on it")
    acknowledge(db, FAILED, "bob", now=12.0)  # an idempotent repeat changes nothing
    shelve(db, FAILED, "ana", now=13.0, until=3613.0, comment="maintenance")
    assert trail(db) == [
        (
            "ana",
            "alarm.acknowledge",
            "PacingRequestsFailed (global)",
            "active_unacknowledged",
            "active_acknowledged",
            "on it",
        ),
        (
            "ana",
            "alarm.shelve",
            "PacingRequestsFailed (global)",
            "active_acknowledged",
            "shelved until 1970-01-01T01:00:13+00:00",
            "maintenance",
        ),
    ]


def test_user_changes_are_audited_with_old_and_new_role(
    db: sqlite_utils.Database, db_path: Path, tmp_path: Path
) -> None:
    users = tmp_path / "users.json"
    common = {"who": "olga", "source": "dashboard"}
    add_user_audited(users, db_path, "victor", "viewer", "a long password", replace=False, **common)
    add_user_audited(
        users, db_path, "victor", "operator", "a long password", replace=True, **common
    )
    remove_user_audited(users, db_path, "victor", **common)
    assert [row[:5] for row in trail(db)] == [
        ("olga", "user.add", "victor", "", "viewer"),
        ("olga", "user.change", "victor", "viewer", "operator"),
        ("olga", "user.remove", "victor", "operator", ""),
    ]
    assert "a long password" not in str(trail(db))


def test_the_audit_filter_takes_a_family_of_actions(db: sqlite_utils.Database) -> None:
    evaluate_and_store(db, [AlarmSignal("PacingRequestsFailed", True, 10.0, reason="x")], 10.0)
    acknowledge(db, FAILED, "ana", now=11.0)
    assert len(read_audit(db, AuditFilter(action="alarm"))) == 1
    assert len(read_audit(db, AuditFilter(action="alarm.acknowledge"))) == 1
    assert len(read_audit(db, AuditFilter(action="alarm.ack"))) == 0
    assert len(read_audit(db, AuditFilter(who="bob"))) == 0
    assert len(read_audit(db, AuditFilter(since=11.5))) == 0


def test_an_expired_acknowledgement_re_alarms_an_alarm_still_active(
    db: sqlite_utils.Database,
) -> None:
    evaluate_and_store(db, [AlarmSignal("PacingRequestsFailed", True, 10.0, reason="x")], 10.0)
    acknowledge(db, FAILED, "ana", now=11.0)
    evaluate_and_store(db, [], 600.0, ack_expiry_s=600.0)
    assert load_instance(db, FAILED).state == "active_acknowledged"  # type: ignore[union-attr]
    evaluation, _ = evaluate_and_store(db, [], 611.0, ack_expiry_s=600.0)
    [transition] = evaluation.transitions
    assert transition.rule == "acknowledgement expires, alarm active"
    assert transition.to_state == "active_unacknowledged"


def test_the_alarm_history_exports_every_transition_as_quoted_neutralised_csv(
    db: sqlite_utils.Database,
) -> None:
    evaluate_and_store(
        db, [AlarmSignal("PacingRequestsFailed", True, 10.0, reason="=HYPERLINK(x)")], 10.0
    )
    acknowledge(db, FAILED, "ana", now=11.0, comment="+1 on it")
    out = io.StringIO()
    assert export_alarm_history(db, out, since=0.0, until=100.0) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["rule"] for row in rows] == ["alarm occurs", "operator acknowledges"]
    assert rows[0]["at"] == "1970-01-01T00:00:10+00:00"
    assert rows[0]["reason"] == "'=HYPERLINK(x)" and rows[1]["comment"] == "'+1 on it"
    assert out.getvalue().startswith('"at","condition"')
    assert export_alarm_history(db, io.StringIO(), since=10.5, until=100.0) == 1
