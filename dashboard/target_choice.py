"""Choosing targets among thousands: the picker lists the chosen ones and the first matches.

A multiselect of 10,000 options sends every option to the browser at each run and makes it
filter them as the operator types; above `PICKER_OPTIONS` targets the page asks for a part of
the name first and lists at most that many matches, plus whatever is already chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

PICKER_OPTIONS = 200


def picker_options(
    known: Sequence[str],
    chosen: Sequence[str],
    find: str,
    limit: int = PICKER_OPTIONS,
) -> list[str]:
    """The chosen targets that are known, then the first `limit` known ones containing `find`
    (case-insensitive), without repeats."""
    needle = find.strip().casefold()
    known_set = set(known)
    matches: list[str] = []
    for target in known:
        if len(matches) >= limit:
            break
        if needle in target.casefold():
            matches.append(target)
    return list(dict.fromkeys([*(t for t in chosen if t in known_set), *matches]))


def form_options(
    known: Sequence[str],
    chosen: Sequence[str],
    in_force: Sequence[str],
    limit: int = PICKER_OPTIONS,
) -> list[str]:
    """The targets a form offers: every known one up to `limit`; above it only the chosen ones
    and those with a control in force (known ones, without repeats), so a page of a
    10,000-target centre does not send 10,000 options for one select box."""
    if len(known) <= limit:
        return list(known)
    known_set = set(known)
    return list(dict.fromkeys(t for t in [*chosen, *sorted(in_force)] if t in known_set))
