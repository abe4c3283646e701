"""The [alarms] section: defaults, durations, notifier settings, secrets kept out of the file."""

from __future__ import annotations

from typing import Any

import pytest

from config import ConfigError, parse_config
from tests.support import ROOT, shipped_raw


def parse(alarms: dict[str, Any]) -> Any:
    raw = shipped_raw()
    raw["alarms"] = alarms
    return parse_config(raw, source="test.toml", base_dir=ROOT)


def test_an_absent_section_gives_the_defaults() -> None:
    options = parse({}).alarms
    assert (options.on_delay_s, options.off_delay_s, options.cancel_timeout_s) == (0, 30, 86_400)
    assert options.webhook is None and options.smtp is None and not options.tracemalloc


def test_notifiers_and_delays_are_read_with_units() -> None:
    options = parse(
        {
            "on_delay": "10s",
            "off_delay": "2min",
            "webhook_url": "https://hooks.example.com/x",
            "smtp_host": "relay",
            "smtp_to": "a@example.com, b@example.com",
            "smtp_user": "pacing",
            "smtp_password_env": "SMTP_PASSWORD",
        }
    ).alarms
    assert (options.on_delay_s, options.off_delay_s) == (10.0, 120.0)
    assert options.webhook.url == "https://hooks.example.com/x"
    assert options.smtp.recipients == ("a@example.com", "b@example.com")
    assert options.smtp.password({"SMTP_PASSWORD": "s3cret"}) == "s3cret"


def test_every_problem_is_listed_and_a_password_in_the_file_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(
            {
                "off_delay": "-3s",
                "smtp_host": "relay",
                "smtp_password": "hunter2",
                "webhook_url": "ftp://x",
                "tracemaloc": True,
            }
        )
    text = str(caught.value)
    assert 'alarms.off_delay: "-3s" — expected a duration between 0 s and 1 h' in text
    assert "alarms.smtp_password: (hidden) — expected no secret" in text and "hunter2" not in text
    assert "alarms.smtp_to: missing — expected at least one recipient" in text
    assert 'alarms.webhook_url: "ftp://x" — expected a URL' in text
    assert 'did you mean "tracemalloc"?' in text


def test_runbooks_and_the_acknowledgement_expiry_are_read() -> None:
    options = parse(
        {
            "ack_expiry": "30min",
            "runbooks": {
                "GcLatency": "https://wiki.example.com/gc",
                "PacingRequestsFailed": "https://wiki.example.com/gpe",
            },
        }
    ).alarms
    assert options.ack_expiry_s == 1800.0
    assert options.runbook("GC Latency") == "https://wiki.example.com/gc"
    assert options.runbook("PacingRequestsFailed") == "https://wiki.example.com/gpe"
    assert options.runbook("CycleOverrun") is None
    assert parse({}).alarms.ack_expiry_s == 0.0  # never expires by default


def test_a_runbook_of_an_unknown_condition_or_not_a_url_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        parse(
            {
                "ack_expiry": "9 days",
                "runbooks": {"GcLatencyy": "https://x.example.com", "CycleOverrun": "wiki/page"},
            }
        )
    text = str(raised.value)
    assert "alarms.runbooks.GcLatencyy: " in text and 'did you mean "GcLatency"' in text
    assert 'alarms.runbooks.CycleOverrun: "wiki/page" — expected a URL starting with http' in text
    assert "alarms.ack_expiry: " in text and "between 0 s and 7 days" in text
