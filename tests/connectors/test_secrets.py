"""No secret (client secret, access token) in any log line, database row or export."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from fakes import FakeRemote
from node.logs import PROJECT_LOGGERS
from storage.db import connect_readonly
from storage.export import export_cycle_history

from .conftest import SECRET, http_config, http_node


def test_no_secret_reaches_logs_database_or_export(
    tmp_path: Path,
    remote: FakeRemote,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in (*PROJECT_LOGGERS, "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    config = http_config(tmp_path, remote)
    node = http_node(config)
    for faults in ((), ("unauthorized",), ("unauthorized", "token_refuse"), ("status",), ()):
        remote.clear_faults()
        for fault in faults:
            remote.set_fault(fault, times=1)
        node.cycle()
    signals = node.signals()
    node.node.stop()
    secrets = {SECRET, *remote.issued_tokens}
    assert len(secrets) >= 2  # the secret and at least one token were really used
    database = config.node.database_path
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    db = connect_readonly(database)
    export = io.StringIO()
    rows = export_cycle_history(db, export, None, None, None, None)
    db.close()
    assert rows == 5 * len(config.targets)
    texts = {
        "logs": caplog.text,
        "export": export.getvalue(),
        "alarm reasons": " ".join(s.reason for s in signals),
    }
    for secret in secrets:
        assert secret.encode() not in stored
        for where, text in texts.items():
            assert secret not in text, f"a secret leaked into the {where}"
    assert "token request" in caplog.text  # the failures were logged, without the secret
