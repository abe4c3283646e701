"""Counter reset handling: running totals that go down are continued, never turned negative.

A statistics server restart (or a switch to the backup server) can restart a running total at
0 or at a smaller value. The pacer works on differences between cycles, so the total it sees
must never go down: after a drop, the last total before it becomes an offset added to every
later raw value, exactly as Prometheus treats counter resets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CounterTrack:
    """What is remembered about one running total between cycles."""

    last_raw: int
    offset: int = 0
    resets: int = 0


def continue_counter(track: CounterTrack | None, raw: int) -> tuple[CounterTrack, int, bool]:
    """The new track, the continued (monotonic) total, and whether a reset was detected."""
    if raw < 0:
        raise ValueError(f"a running total cannot be negative, got {raw}")
    if track is None:
        return CounterTrack(last_raw=raw), raw, False
    if raw < track.last_raw:
        # The server started counting again (from 0 or from where a backup was): everything
        # counted before the drop is kept as the offset.
        offset = track.offset + track.last_raw
        return CounterTrack(raw, offset, track.resets + 1), offset + raw, True
    return CounterTrack(raw, track.offset, track.resets), track.offset + raw, False
