"""Notifications arrive at a real local SMTP server and a real local webhook receiver."""

from __future__ import annotations

import logging

import httpx
import pytest

from alarms.catalogue import default_conditions
from alarms.lifecycle import apply_event
from alarms.model import AlarmInstance, AlarmTransition, Cancel, Detect
from config.alarms import AlarmOptions, SmtpOptions, WebhookOptions
from connectors.notifiers import (
    AlarmNotification,
    LogNotifier,
    NotificationDispatcher,
    NotifyError,
    SmtpNotifier,
    WebhookNotifier,
    notification_for,
)
from tests.connectors.receivers import SmtpReceiver, WebhookReceiver, serving

CONDITIONS = default_conditions(alarms=AlarmOptions(off_delay_s=0.0))
CONDITION = {c.name: c for c in CONDITIONS}["PacingRequestsFailed"]


def raised_and_cleared() -> list[AlarmNotification]:
    instance = AlarmInstance(condition=CONDITION.name)
    transitions: list[AlarmTransition] = []
    for event in (Detect(100.0, reason="token request timed out"), Cancel(200.0)):
        step = apply_event(instance, CONDITION, event)
        instance = step.instance
        transitions.extend(step.transitions)
    notes = [notification_for(t, CONDITION, "node-1") for t in transitions]
    return [n for n in notes if n is not None]


def test_raises_and_clears_carry_the_detect_and_cancel_event_ids() -> None:
    raised, cleared = raised_and_cleared()
    assert (raised.kind, raised.event_id) == ("raised", 100603)
    assert (cleared.kind, cleared.event_id) == ("cleared", 100604)


def test_an_email_per_notification_reaches_a_real_smtp_server() -> None:
    with serving(SmtpReceiver()) as smtp:
        notifier = SmtpNotifier(
            SmtpOptions(host="127.0.0.1", port=smtp.port, recipients=("ops@example.com",))
        )
        for notification in raised_and_cleared():
            notifier.notify(notification)
    assert len(smtp.messages) == 2
    envelope, message = smtp.messages[0]
    assert envelope["rcpt"] == ["<ops@example.com>"]
    assert message["Subject"] == "[Major] PacingRequestsFailed raised"
    body = message.get_payload()
    assert "Event id:   100603" in body and "token request timed out" in body


def test_an_unreachable_smtp_relay_is_a_notify_error_naming_the_setting() -> None:
    with serving(SmtpReceiver()) as smtp:
        port = smtp.port
    notifier = SmtpNotifier(SmtpOptions(host="127.0.0.1", port=port, recipients=("a@b",)))
    with pytest.raises(NotifyError, match="check alarms.smtp_host"):
        notifier.notify(raised_and_cleared()[0])


def test_the_webhook_retries_a_busy_receiver_and_delivers_json() -> None:
    with serving(WebhookReceiver(failures_first=2)) as hook:
        notifier = WebhookNotifier(WebhookOptions(hook.url, retries=3), sleep=lambda _: None)
        notifier.notify(raised_and_cleared()[0])
        notifier.close()
    assert hook.attempts == 3
    [body] = hook.bodies
    assert body["condition"] == "PacingRequestsFailed" and body["event_id"] == 100603
    assert body["at_iso"].startswith("1970-01-01T00:01:40")


def test_a_webhook_failure_never_shows_the_url_path_that_may_hold_a_token() -> None:
    with serving(WebhookReceiver(failures_first=99)) as hook:
        notifier = WebhookNotifier(WebhookOptions(hook.url, retries=1), sleep=lambda _: None)
        with pytest.raises(NotifyError) as caught:
            notifier.notify(raised_and_cleared()[0])
        notifier.close()
    assert "HTTP 503 after 2 attempt(s)" in str(caught.value)
    assert "secret-token" not in str(caught.value)


def test_the_dispatcher_delivers_to_every_channel_even_when_one_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = WebhookNotifier(
        WebhookOptions("http://127.0.0.1:9/x", retries=0),
        transport=httpx.MockTransport(lambda request: httpx.Response(500)),
    )
    with serving(WebhookReceiver()) as hook, caplog.at_level(logging.INFO, "alarms.notify"):
        good = WebhookNotifier(WebhookOptions(hook.url))
        dispatcher = NotificationDispatcher([broken, LogNotifier(), good])
        dispatcher.start()
        for notification in raised_and_cleared():
            dispatcher.submit(notification)
        dispatcher.stop()
    assert [b["kind"] for b in hook.bodies] == ["raised", "cleared"]
    assert dispatcher.failed == 2 and dispatcher.delivered == 4
    assert any('"event_id": 100603' in r.getMessage() for r in caplog.records)
