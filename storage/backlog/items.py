"""One backlog item: a cycle's records as a checksummed JSON document (pure: no I/O).

The file name carries what a processor needs before opening the file: the due time (so a
sorted listing is the processing order), the attempt, and a digest of the record id.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from domain.records import CycleRecord, TargetRecord

FORMAT_VERSION = 1
SUFFIX = ".json"


class ItemCorruptError(ValueError):
    """A backlog file that cannot be decoded: empty, truncated, edited or of another format."""


@dataclass(frozen=True, slots=True)
class BacklogItem:
    """The records of one cycle whose database write failed, and its retry bookkeeping."""

    cycle: CycleRecord
    targets: tuple[TargetRecord, ...]
    attempts: int  # database writes tried so far (the first, direct one included)
    created_at: float  # epoch s of the first failure
    due_at: float  # not retried before this time
    last_error: str = ""

    @property
    def record_id(self) -> str:
        """The idempotency key of the whole item: the cycle id."""
        return self.cycle.cycle_id

    def retried(self, error: str, now: float, delay_s: float) -> BacklogItem:
        """The same records after one more failed attempt, due again after `delay_s`."""
        return replace(self, attempts=self.attempts + 1, due_at=now + delay_s, last_error=error)


def new_item(
    cycle: CycleRecord, targets: tuple[TargetRecord, ...], error: str, now: float, delay_s: float
) -> BacklogItem:
    """The item for a cycle whose first (direct) write failed with `error` at `now`."""
    return BacklogItem(cycle, tuple(targets), 1, now, now + delay_s, error)


def item_file_name(item: BacklogItem) -> str:
    """`<due ms, 15 digits>-<attempt>-<record digest>.json`: sorts in due order."""
    due_ms = max(0, math.ceil(item.due_at * 1000))
    digest = hashlib.sha256(item.record_id.encode("utf-8")).hexdigest()[:24]
    return f"{due_ms:015d}-{item.attempts:04d}-{digest}{SUFFIX}"


def due_from_name(name: str) -> float | None:
    """The due time encoded in a file name; None for a name this module did not make."""
    head, _, _ = name.partition("-")
    if not name.endswith(SUFFIX) or len(head) != 15 or not head.isdigit():
        return None
    return int(head) / 1000


def encode_item(item: BacklogItem) -> bytes:
    """The file content: canonical JSON with a SHA-256 checksum of everything else."""
    body = {
        "format": FORMAT_VERSION,
        "record_id": item.record_id,
        "attempts": item.attempts,
        "created_at": item.created_at,
        "due_at": item.due_at,
        "last_error": item.last_error,
        "cycle": asdict(item.cycle),
        "targets": [asdict(target) for target in item.targets],
    }
    return json.dumps({**body, "checksum": _checksum(body)}, sort_keys=True).encode("utf-8")


def decode_item(data: bytes) -> BacklogItem:
    """Parse and verify a file's content; raises `ItemCorruptError` naming what is wrong."""
    if not data:
        raise ItemCorruptError("the file is empty")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ItemCorruptError(f"not valid JSON (truncated?): {exc}") from None
    if not isinstance(document, dict):
        raise ItemCorruptError(f"expected a JSON object, got {type(document).__name__}")
    checksum = document.pop("checksum", None)
    if document.get("format") != FORMAT_VERSION:
        raise ItemCorruptError(f"format {document.get('format')!r}, expected {FORMAT_VERSION}")
    if checksum != _checksum(document):
        raise ItemCorruptError("checksum mismatch: the file was changed after it was written")
    try:
        cycle = CycleRecord(**_only_fields(CycleRecord, document["cycle"]))
        targets = tuple(
            TargetRecord(**_only_fields(TargetRecord, target)) for target in document["targets"]
        )
        item = BacklogItem(
            cycle,
            targets,
            int(document["attempts"]),
            float(document["created_at"]),
            float(document["due_at"]),
            str(document.get("last_error", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ItemCorruptError(f"the records inside are invalid: {exc}") from None
    if item.record_id != document.get("record_id"):
        raise ItemCorruptError("record_id does not match the cycle inside")
    return item


def _only_fields(cls: type, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise TypeError(f"{cls.__name__} must be a JSON object, got {type(raw).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = set(raw) - names
    if unknown:
        raise TypeError(f"unknown {cls.__name__} field(s): {', '.join(sorted(unknown))}")
    return dict(raw)


def _checksum(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
