"""The [metrics] reporters: console, log and messageServer lines from the latest sample."""

from __future__ import annotations

import io
import json
import logging

import pytest

from alarms.model import RuntimeSample
from config.options import MetricsOptions
from node.reporters import MetricsReporting, build_reporters

SAMPLE = RuntimeSample("n", 10.0, 0.0042, 0.005, 2, 6.0, 20, 104_857_600, 1_048_576_000)


def test_each_enabled_reporter_writes_the_runtime_figures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    out = io.StringIO()
    options = MetricsOptions(console_enabled=True, log_enabled=True, message_server_enabled=True)
    reporting = MetricsReporting(build_reporters(options, stdout=out), lambda: SAMPLE)
    with caplog.at_level(logging.INFO, logger="alarms.metrics"):
        assert reporting.report_now() == 3
    assert out.getvalue().startswith("[metrics] node n: GC pause max 4.20 ms, 6 collections/min")
    assert "RSS 100.0 MiB (10.0 % of limit)" in out.getvalue()
    [human, structured] = [r.getMessage() for r in caplog.records]
    assert human == out.getvalue()[len("[metrics] ") :].strip()
    assert json.loads(structured)["gc_collections_total"] == 20


def test_no_reporter_is_built_when_all_are_disabled() -> None:
    options = MetricsOptions(message_server_enabled=False)
    assert build_reporters(options) == []
