"""Notification channels behind one small interface: a log line, a webhook, an e-mail.

Every channel has the shape `notify(notification) -> None` and raises `NotifyError` when the
message could not be delivered. The dispatcher runs them on its own thread, so a slow relay or
receiver never delays a pacing cycle, and one failing channel never stops the others.
Only raises and clears are notified (operator actions are in the history, not in inboxes).
"""

from __future__ import annotations

import json
import logging
import queue
import smtplib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Literal, Protocol
from urllib.parse import urlsplit

import httpx

from alarms.model import ACTIVE_STATES, AlarmCondition, AlarmState, AlarmTransition
from config.alarms import SmtpOptions, WebhookOptions

log = logging.getLogger("alarms.notify")

NotificationKind = Literal["raised", "cleared"]


class NotifyError(Exception):
    """A channel could not deliver a notification (the text names the channel and the cause)."""


@dataclass(frozen=True, slots=True)
class AlarmNotification:
    """What a channel sends: one raise or clear of one alarm instance."""

    kind: NotificationKind
    event_id: int  # the condition's detect event id for a raise, its cancel event id for a clear
    condition: str
    category: str
    scope: str
    from_state: str
    to_state: str
    rule: str
    reason: str
    value: float | None
    who: str | None
    occurrence: int
    at: float
    node_id: str

    @property
    def at_iso(self) -> str:
        return datetime.fromtimestamp(self.at, tz=UTC).isoformat()

    def subject(self) -> str:
        scope = "" if self.scope == "global" else f" [{self.scope}]"
        return f"[{self.category}] {self.condition}{scope} {self.kind}"

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "at_iso": self.at_iso}


def notification_for(
    transition: AlarmTransition, condition: AlarmCondition, node_id: str
) -> AlarmNotification | None:
    """A raise (into active-unacknowledged) or a clear (out of active); None otherwise."""
    if transition.to_state is AlarmState.UNACK:
        kind: NotificationKind = "raised"
    elif transition.from_state in ACTIVE_STATES and transition.to_state not in ACTIVE_STATES:
        if transition.to_state in (AlarmState.SHELVED, AlarmState.OUT_OF_SERVICE):
            return None
        kind = "cleared"
    else:
        return None
    return AlarmNotification(
        kind=kind,
        event_id=condition.detect_event_id if kind == "raised" else condition.cancel_event_id,
        condition=transition.condition,
        category=transition.severity.value,
        scope=transition.scope,
        from_state=transition.from_state.value,
        to_state=transition.to_state.value,
        rule=transition.rule,
        reason=transition.reason,
        value=transition.value,
        who=transition.who,
        occurrence=transition.occurrence,
        at=transition.at,
        node_id=node_id,
    )


class Notifier(Protocol):
    name: str

    def notify(self, notification: AlarmNotification) -> None: ...


class LogNotifier:
    """One structured line per notification on the `alarms.notify` logger."""

    name = "log"

    def notify(self, notification: AlarmNotification) -> None:
        level = logging.WARNING if notification.kind == "raised" else logging.INFO
        log.log(level, "alarm %s", json.dumps(notification.as_json(), sort_keys=True))


class WebhookNotifier:
    """JSON POST to a URL, retried with backoff on transport errors, 429 and 5xx."""

    name = "webhook"

    def __init__(
        self,
        options: WebhookOptions,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._options = options
        self._client = httpx.Client(timeout=options.timeout_s, transport=transport)
        self._sleep = sleep
        parts = urlsplit(options.url)
        self.where = f"{parts.scheme}://{parts.hostname}"  # the path may hold a token: never shown

    def notify(self, notification: AlarmNotification) -> None:
        last = ""
        for attempt in range(self._options.retries + 1):
            if attempt:
                self._sleep(min(0.5 * 2 ** (attempt - 1), 10.0))
            try:
                response = self._client.post(self._options.url, json=notification.as_json())
            except httpx.HTTPError as error:
                last = f"{type(error).__name__}"
                continue
            if response.is_success:
                return
            last = f"HTTP {response.status_code}"
            if response.status_code != 429 and response.status_code < 500:
                break
        raise NotifyError(
            f"webhook {self.where}: {last} after {attempt + 1} attempt(s) — check "
            "alarms.webhook_url and that the receiver is up"
        )

    def close(self) -> None:
        self._client.close()


class SmtpNotifier:
    """Plain-text e-mail through an SMTP relay (stdlib smtplib); the password is read at send."""

    name = "smtp"

    def __init__(self, options: SmtpOptions) -> None:
        self._options = options

    def notify(self, notification: AlarmNotification) -> None:
        o = self._options
        message = EmailMessage()
        message["Subject"] = notification.subject()
        message["From"] = o.sender
        message["To"] = ", ".join(o.recipients)
        message.set_content(_email_body(notification))
        try:
            with smtplib.SMTP(o.host, o.port, timeout=o.timeout_s) as smtp:
                if o.starttls:
                    smtp.starttls()
                if o.user:
                    smtp.login(o.user, o.password() or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise NotifyError(
                f"smtp {o.host}:{o.port}: {type(error).__name__}: {error} — check "
                "alarms.smtp_host, smtp_port and the relay"
            ) from error


def _email_body(n: AlarmNotification) -> str:
    lines = [
        f"{n.condition} was {n.kind} ({n.rule}) at {n.at_iso}.",
        "",
        f"Category:   {n.category}",
        f"Scope:      {n.scope}",
        f"Event id:   {n.event_id}",
        f"State:      {n.from_state} -> {n.to_state}",
        f"Reason:     {n.reason or '-'}",
        f"Value:      {'-' if n.value is None else f'{n.value:g}'}",
        f"Occurrence: {n.occurrence}",
        f"Node:       {n.node_id}",
    ]
    if n.who:
        lines.append(f"Operator:   {n.who}")
    return "\n".join(lines) + "\n"


_STOP = object()


class NotificationDispatcher:
    """A node service: a bounded queue and one thread delivering to every channel."""

    name = "alarm notifications"

    def __init__(self, notifiers: Sequence[Notifier], capacity: int = 1000) -> None:
        self.notifiers = tuple(notifiers)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=capacity)
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    def submit(self, notification: AlarmNotification) -> None:
        """Queue a notification; never blocks (a full queue drops it and says so)."""
        try:
            self._queue.put_nowait(notification)
        except queue.Full:
            self.dropped += 1
            log.error("notification queue full: %s dropped", notification.subject())

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alarm-notify", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued, then stop the thread."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout_s)
        for notifier in self.notifiers:
            close = getattr(notifier, "close", None)
            if callable(close):
                close()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert isinstance(item, AlarmNotification)
            for notifier in self.notifiers:
                try:
                    notifier.notify(item)
                    self.delivered += 1
                except Exception as error:  # noqa: BLE001 - one channel must not stop the others
                    self.failed += 1
                    log.error("notification %s not sent: %s", item.subject(), error)
