"""The /healthz report: is a node alive, and how old is its last cycle?"""

from __future__ import annotations

import time
from typing import Any

from config import Config
from domain.freshness import node_stale_after_s
from node.build import embedded_node
from storage.cycles import read_cycle_summary
from storage.db import StorageError, connect_readonly
from storage.nodes import read_node_status


def health_report(config: Config, now: float | None = None) -> dict[str, Any]:
    """A JSON-ready report; `ok` is true when some node's last cycle is recent."""
    now = time.time() if now is None else now
    period_s = config.pacing.refresh_period_s
    stale_after_s = node_stale_after_s(period_s)
    local = embedded_node()
    report: dict[str, Any] = {
        "ok": False,
        "embedded_node": None
        if local is None
        else {"node_id": local.node_id, "running": local.running},
        "nodes": [],
        "last_cycle_age_s": None,
    }
    try:
        db = connect_readonly(config.node.database_path)
    except StorageError as error:
        report["error"] = str(error)
        return report
    try:
        nodes = read_node_status(db, now=now, stale_after_s=stale_after_s)
        summary = read_cycle_summary(db, now=now, window_s=60.0)
    finally:
        db.close()
    report["nodes"] = [
        {
            "node_id": node.node_id,
            "mode": node.mode,
            "alive": node.alive,
            "last_heartbeat_age_s": node.last_heartbeat_age_s,
        }
        for node in nodes
    ]
    report["last_cycle_age_s"] = summary.last_cycle_age_s
    report["cycles_last_minute"] = summary.cycles_in_window
    fresh = summary.last_cycle_age_s is not None and summary.last_cycle_age_s <= stale_after_s
    report["ok"] = fresh and any(node.alive for node in nodes)
    return report
