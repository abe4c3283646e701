"""Retry decisions for backlog items (pure: values and `now` in, a decision out)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backlog.classify import ErrorPolicy, is_backloggable
from storage.backlog.items import BacklogItem


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """`Backlog.Processor.*` values the processor needs, in seconds."""

    min_item_age_s: float
    max_attempts: int
    max_item_age_s: float
    errors: ErrorPolicy


def too_old(item: BacklogItem, now: float, settings: RetrySettings) -> str | None:
    """Why an item must not be written any more (older than MaxItemAgeMillis), or None."""
    age_s = now - item.created_at
    if age_s > settings.max_item_age_s:
        return (
            f"gave up: the item is {age_s:.0f} s old, older than "
            f"Backlog.Processor.MaxItemAgeMillis ({settings.max_item_age_s * 1000:.0f} ms)"
        )
    return None


def after_failure(item: BacklogItem, name: str, settings: RetrySettings) -> str | None:
    """None to retry the item later; else the reason it goes to `failed/`."""
    if not is_backloggable(name, settings.errors):
        return f"unhandled database error {name}: not in Backlog.BackLoggableErrorsList"
    if item.attempts + 1 >= settings.max_attempts:
        return (
            f"gave up after {item.attempts + 1} attempts (Backlog.Processor.MaxAttempts = "
            f"{settings.max_attempts}); last error {name}"
        )
    return None
