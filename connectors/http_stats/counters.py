"""Running totals continued across counter resets, and never moved by one bad document.

A statistics server restart (or a switch to a backup that counts differently) can restart a
running total at 0 or at another level. The pacer works on differences between cycles, so the
total it sees must never go down and never jump. The rules, per total of one target:

* a rise of at most `RISE_PER_S_MAX` per second since the last good document is taken as is;
* a drop is a *suspected reset*: the total is held for one document, and the next document
  decides. Still at the new, lower level: a confirmed reset (counting from 0, as Prometheus
  does, when the first value after the drop could have been counted since the last good
  document; otherwise from the new level, so a backup's own count never becomes a phantom
  rise). Back at the old level: it was a glitch and nothing moves;
* a rise faster than the bound is a *bad figure* (the target is stale for that document); the
  next document confirms the new level (then the total continues from it without the jump)
  or shows it was a spike (then nothing moved);
* continued totals stay below 2**53, where every integer is still an exact float.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.bounds import CONTINUED_TOTAL_MAX, RISE_PER_S_MAX

_MIN_ELAPSED_S = 1.0


@dataclass(frozen=True, slots=True)
class CounterTrack:
    """What is remembered about one running total between cycles."""

    last_raw: int
    offset: int = 0
    resets: int = 0
    last_at: float = 0.0  # when `last_raw` was read
    suspect: int | None = None  # a value that broke a rule once; the next document decides
    suspect_at: float = 0.0


@dataclass(frozen=True, slots=True)
class CounterStep:
    """One document's value continued: the new track, the total, and what happened.

    `event` is "" (plain rise), "held" (a drop, total held until confirmed), "reset" (a
    confirmed reset), "rebased" (a confirmed jump or a new level), "restarted" (the exact
    float range was reached). `bad` says why the value is not usable this cycle.
    """

    track: CounterTrack
    total: int
    event: str = ""
    bad: str = ""


def plain_rise(track: CounterTrack, raw: int, at: float) -> CounterTrack | None:
    """The next track when `raw` is a plain rise (the common case: no suspect, no drop, a
    plausible rise, an exact total); None when `continue_counter`'s full rules must decide.
    Its total is `offset + last_raw` of the track returned."""
    last_raw = track.last_raw
    if (
        track.suspect is None
        and last_raw <= raw <= last_raw + RISE_PER_S_MAX * max(at - track.last_at, _MIN_ELAPSED_S)
        and track.offset + raw <= CONTINUED_TOTAL_MAX
    ):
        return CounterTrack(raw, track.offset, track.resets, at, None, track.suspect_at)
    return None


def continue_counter(track: CounterTrack | None, raw: int, at: float) -> CounterStep:
    """Continue a running total with the value `raw` read at `at` (epoch seconds)."""
    if raw < 0:
        raise ValueError(f"a running total cannot be negative, got {raw}")
    if track is None:
        return CounterStep(CounterTrack(raw, last_at=at), raw)
    plain = plain_rise(track, raw, at)  # built without `replace`: it runs for every total
    if plain is not None:
        return CounterStep(plain, plain.offset + raw)
    if track.suspect is not None:
        confirmed = _confirm(track, track.suspect, raw, at)
        if confirmed is not None:
            return _bounded(confirmed)
        track = replace(track, suspect=None)
    total = track.offset + track.last_raw
    if raw < track.last_raw:
        return CounterStep(replace(track, suspect=raw, suspect_at=at), total, "held")
    allowed = _allowed_rise(track.last_at, at)
    if raw - track.last_raw > allowed:
        return CounterStep(
            replace(track, suspect=raw, suspect_at=at),
            total,
            bad=(
                f"rose by {raw - track.last_raw:,} in {max(at - track.last_at, 0):.3g} s — "
                f"expected at most {RISE_PER_S_MAX:,} per second"
            ),
        )
    return _bounded(CounterStep(replace(track, last_raw=raw, last_at=at), track.offset + raw))


def _confirm(track: CounterTrack, suspect: int, raw: int, at: float) -> CounterStep | None:
    """The step when `raw` confirms the suspected level; None when it does not."""
    if raw < suspect or raw - suspect > _allowed_rise(track.suspect_at, at):
        if suspect < track.last_raw and raw < suspect:  # dropped again: suspect the new low
            return CounterStep(
                replace(track, suspect=raw, suspect_at=at),
                track.offset + track.last_raw,
                "held",
            )
        return None
    before = track.offset + track.last_raw  # the continued total the pacer last saw
    if suspect < track.last_raw:
        if raw >= track.last_raw:
            return None  # back at the old level: the drop was a glitch
        counted_since_reset = suspect <= _allowed_rise(track.last_at, track.suspect_at)
        offset = before - (0 if counted_since_reset else suspect)
        event = "reset"
    else:
        offset = before - suspect  # a new level: continue from it without the jump
        event = "rebased"
    new = CounterTrack(raw, offset, track.resets + 1, at)
    return CounterStep(new, offset + raw, event)


def _allowed_rise(since: float, at: float) -> float:
    return RISE_PER_S_MAX * max(at - since, _MIN_ELAPSED_S)


def _bounded(step: CounterStep) -> CounterStep:
    """Start the continuation again at the raw value if the total left the exact range."""
    if step.total <= CONTINUED_TOTAL_MAX:
        return step
    track = step.track
    again = CounterTrack(track.last_raw, 0, track.resets + 1, track.last_at)
    return CounterStep(again, track.last_raw, "restarted")
