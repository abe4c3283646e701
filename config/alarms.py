"""The `[alarms]` section: delays, notifier settings and probe options.

Thresholds stay where the original keeps them (`[metrics]`); this section holds what the
original configured outside the pacing application (notification channels, anti-chatter
delays). The SMTP password is never in the file: `smtp_password_env` or `smtp_password_file`
names where it is read at send time. Import these names from `engine.config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from config.reader import TableReader, suggestion
from config.secrets import _read_secret, _reject_secret, _secret_source
from domain.signals import Condition

__all__ = ["AlarmOptions", "SmtpOptions", "WebhookOptions", "read_alarms"]


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """JSON POST of every raise and clear; the URL may hold a token: it is never logged."""

    url: str
    timeout_s: float = 5.0
    retries: int = 3


@dataclass(frozen=True, slots=True)
class SmtpOptions:
    """E-mail of every raise and clear through an SMTP relay."""

    host: str
    port: int = 25
    sender: str = "pacing-watch@localhost"
    recipients: tuple[str, ...] = ()
    user: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    starttls: bool = False
    timeout_s: float = 10.0

    def password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """Read the password now (None when no user/password is configured)."""
        if self.password_env is None and self.password_file is None:
            return None
        return _read_secret("alarms.smtp_password", self.password_env, self.password_file, environ)


@dataclass(frozen=True, slots=True)
class AlarmOptions:
    on_delay_s: float = 0.0
    off_delay_s: float = 30.0
    cancel_timeout_s: float = 86_400.0
    abandonment_window_s: float = 900.0
    tracemalloc: bool = False
    log_notifications: bool = True
    webhook: WebhookOptions | None = None
    smtp: SmtpOptions | None = None
    ack_expiry_s: float = 0.0  # 0: an acknowledgement never expires
    runbooks: tuple[tuple[str, str], ...] = ()  # (condition, URL), shown on the alarm

    def runbook(self, condition: str) -> str | None:
        """The runbook URL configured for `condition`, if any."""
        return dict(self.runbooks).get(condition)


def read_alarms(table: TableReader | None, base_dir: Path | None) -> AlarmOptions:
    if table is None:
        return AlarmOptions()
    options = AlarmOptions(
        on_delay_s=table.duration_s("on_delay", 0.0),
        off_delay_s=table.duration_s("off_delay", 30.0),
        cancel_timeout_s=table.duration_s("cancel_timeout", 86_400.0),
        abandonment_window_s=table.duration_s("abandonment_window", 900.0),
        tracemalloc=table.boolean("tracemalloc", False),
        log_notifications=table.boolean("log_notifications", True),
        webhook=_read_webhook(table),
        smtp=_read_smtp(table, base_dir),
        ack_expiry_s=table.duration_s("ack_expiry", 0.0),
        runbooks=_read_runbooks(table),
    )
    table.finish()
    return options


def _read_runbooks(table: TableReader) -> tuple[tuple[str, str], ...]:
    """`runbooks = { GcLatency = "https://…" }`: a URL per alarm condition name."""
    runbooks = table.table("runbooks")
    if runbooks is None:
        return ()
    # "GC Latency" is written GcLatency, as in [metrics] "GcLatency.threshold"
    names = {_key_name(name): name for name in Condition}
    by_lower = {key.lower(): name for key, name in names.items()}
    found: list[tuple[str, str]] = []
    for key in list(runbooks.raw):
        url = runbooks.url(key, required=True)
        condition = by_lower.get(str(key).replace(" ", "").lower())
        if condition is None:
            runbooks.report(
                key,
                "…",
                f"an alarm condition name, one of {', '.join(sorted(names))}"
                f"{suggestion(str(key), list(names))}",
            )
            continue
        if url is not None:
            found.append((condition, url))
    return tuple(found)


def _key_name(condition: str) -> str:
    words = condition.split()
    return "".join(word.capitalize() for word in words) if len(words) > 1 else condition


def _read_webhook(table: TableReader) -> WebhookOptions | None:
    url = table.url("webhook_url")
    timeout_s = table.duration_s("webhook_timeout", 5.0)
    retries = table.integer("webhook_retries", 3)
    return WebhookOptions(url, timeout_s, retries) if url else None


def _read_smtp(table: TableReader, base_dir: Path | None) -> SmtpOptions | None:
    _reject_secret(table, "smtp_password", "smtp_password_env", "smtp_password_file")
    host = table.string("smtp_host")
    port = table.integer("smtp_port", 25)
    sender = table.string("smtp_from", "pacing-watch@localhost") or "pacing-watch@localhost"
    recipients = table.string_list("smtp_to", (), comma_separated=True)
    user = table.string("smtp_user")
    password_env, password_file = _secret_source(
        table, "smtp_password_env", "smtp_password_file", base_dir
    )
    starttls = table.boolean("smtp_starttls", False)
    timeout_s = table.duration_s("smtp_timeout", 10.0)
    if host is None:
        return None
    if not recipients:
        table.report_missing("smtp_to", "at least one recipient address when smtp_host is set")
    if user is not None and password_env is None and password_file is None:
        table.report_missing(
            "smtp_password_env", "where the password of smtp_user is read (or smtp_password_file)"
        )
    return SmtpOptions(
        host=host,
        port=port,
        sender=sender,
        recipients=recipients,
        user=user,
        password_env=password_env,
        password_file=password_file,
        starttls=starttls,
        timeout_s=timeout_s,
    )
