"""The Overview's read model at any number of targets: worst first, searched, filtered, paged.

Every target is graded from its latest row (`target_state`) and its active alarms into one of
`OVERVIEW_STATES`, worst first: an active alarm, abandonment over goal, stale (an old row or a
statistics error), ok. Within a state, the target furthest over its goal comes first. The
grading, the search, the filter, the ordering and the paging are SQL: a page costs one pass
over `target_state` (one row per target) whatever the number of targets, never a frame of
every target. Every function takes `now`; no clock here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import sqlite_utils

from storage.errors import InvalidQueryError
from storage.frames import count_where

# Worst first: the order of the table and of the state filter.
OVERVIEW_STATES = ("alarm", "over goal", "stale", "ok")

# An alarm instance in one of these states is active (raised, whether acknowledged or not).
_ACTIVE_ALARM_STATES = ("active_unacknowledged", "active_acknowledged")

MAX_PAGE_ROWS = 500
MAX_SEARCH_CHARS = 200

# The columns of `OverviewPage.rows`, in order.
OVERVIEW_COLUMNS = (
    "state",
    "target_id",
    "media",
    "logged_in_slots",
    "ready_slots",
    "busy_slots",
    "in_queue",
    "pending_invitations",
    "allowed_invitations",
    "abandoned_pct",
    "goal_pct",
    "active_alarms",
    "at",
    "reason",
    "error",
)

# Figures summed over every matching target (the totals row), in order.
SUMMED_FIGURES = (
    "logged_in_slots",
    "ready_slots",
    "busy_slots",
    "in_queue",
    "pending_invitations",
    "allowed_invitations",
)


@dataclass(frozen=True, slots=True)
class StateTotals:
    """Targets in one state that match the search, and the sums of their figures."""

    state: str
    targets: int
    sums: dict[str, int]  # SUMMED_FIGURES → sum over these targets (NULL figures count 0)


@dataclass(frozen=True, slots=True)
class OverviewPage:
    """One page of the graded target table, and the totals it is a page of."""

    rows: pd.DataFrame  # OVERVIEW_COLUMNS, worst first
    offset: int
    totals: tuple[StateTotals, ...]  # one per OVERVIEW_STATES entry, search applied, no filter
    states: tuple[str, ...]  # the state filter the page applies

    @property
    def matching(self) -> int:
        """Targets that pass the search and the state filter (every page together)."""
        return sum(t.targets for t in self.totals if t.state in self.states)

    @property
    def known(self) -> int:
        """Targets that pass the search, whatever their state."""
        return sum(t.targets for t in self.totals)


def _like_pattern(search: str) -> str:
    """A LIKE pattern matching `search` anywhere, its wildcards taken literally."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _graded_sql(search: str) -> str:
    """The graded targets as a sub-select (`rank` indexes OVERVIEW_STATES).

    Named parameters: `stale_before`, and `search` (a LIKE pattern) when `search` is not empty.
    """
    # lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    where = "WHERE lower(s.target_id) LIKE lower(:search) ESCAPE '\\'" if search else ""
    active = ", ".join(f"'{state}'" for state in _ACTIVE_ALARM_STATES)
    # CAST(... AS DOUBLE PRECISION), not a `100.0` literal: PostgreSQL reads that literal as an
    # exact numeric and would return Decimals; SQLite gives the same float either way.
    return f"""
    SELECT g.*,
           CASE WHEN g.active_alarms > 0 THEN 0
                WHEN g.abandoned_pct > g.goal_pct THEN 1
                WHEN g.at < :stale_before OR g.error IS NOT NULL THEN 2
                ELSE 3 END AS rank
    FROM (
        SELECT s.target_id, s.media, s.logged_in_slots, s.ready_slots, s.busy_slots, s.in_queue,
               s.pending_invitations, s.allowed_invitations, s.goal_pct, s.at, s.reason,
               s.error, coalesce(a.n, 0) AS active_alarms,
               CASE WHEN s.accepted_total + s.abandoned_total > 0
                    THEN CAST(s.abandoned_total AS DOUBLE PRECISION) * 100
                         / (s.accepted_total + s.abandoned_total)
               END AS abandoned_pct
        FROM target_state AS s
        LEFT JOIN (SELECT scope, count(*) AS n FROM alarm_instances
                   WHERE state IN ({active}) GROUP BY scope) AS a ON a.scope = s.target_id
        {where}
    ) AS g
    """


def check_overview_query(search: str, states: Sequence[str], offset: int, limit: int) -> None:
    """Refuse a query the table cannot answer, naming what was wrong."""
    unknown = [state for state in states if state not in OVERVIEW_STATES]
    if unknown:
        raise InvalidQueryError(
            f"overview state filter: {unknown} — expected some of {', '.join(OVERVIEW_STATES)}"
        )
    if not 1 <= limit <= MAX_PAGE_ROWS:
        raise InvalidQueryError(f"overview page size: {limit} — expected 1 to {MAX_PAGE_ROWS}")
    if offset < 0:
        raise InvalidQueryError(f"overview offset: {offset} — expected 0 or more")
    if len(search) > MAX_SEARCH_CHARS:
        raise InvalidQueryError(
            f"overview search: {len(search)} characters — expected at most {MAX_SEARCH_CHARS}"
        )


def read_overview_page(
    db: sqlite_utils.Database,
    *,
    now: float,
    stale_after_s: float,
    search: str = "",
    states: Sequence[str] = OVERVIEW_STATES,
    offset: int = 0,
    limit: int = 50,
) -> OverviewPage:
    """`limit` targets from `offset`, worst first, among those matching `search` and `states`.

    `search` is a case-insensitive substring of the target id (which holds the VQ name);
    a target is stale when its latest row is older than `now - stale_after_s`.
    """
    search = search.strip()
    check_overview_query(search, states, offset, limit)
    graded = _graded_sql(search)
    named: dict[str, object] = {"stale_before": now - stale_after_s}
    if search:
        named["search"] = _like_pattern(search)
    ranks = [OVERVIEW_STATES.index(state) for state in states] or [-1]
    rank_list = ", ".join(str(rank) for rank in ranks)  # integers we made, not caller text
    # nullif: SQLite divides by 0 to NULL, PostgreSQL raises; a 0 % goal sorts last on both.
    page_sql = f"""
    SELECT rank, target_id, media, logged_in_slots, ready_slots, busy_slots, in_queue,
           pending_invitations, allowed_invitations, abandoned_pct, goal_pct, active_alarms, at,
           reason, error
    FROM ({graded}) AS graded WHERE rank IN ({rank_list})
    ORDER BY rank, abandoned_pct / nullif(goal_pct, 0) DESC NULLS LAST, target_id
    LIMIT :limit OFFSET :offset
    """
    found = db.conn.execute(page_sql, {**named, "limit": limit, "offset": offset}).fetchall()
    rows = [(OVERVIEW_STATES[row[0]], *row[1:]) for row in found]
    sums = ", ".join(f"coalesce(sum({name}), 0)" for name in SUMMED_FIGURES)
    totals_sql = f"SELECT rank, count(*), {sums} FROM ({graded}) AS graded GROUP BY rank"
    by_rank = {row[0]: row[1:] for row in db.conn.execute(totals_sql, named).fetchall()}
    totals = tuple(
        StateTotals(
            state,
            int(by_rank.get(rank, (0,))[0]),
            dict(zip(SUMMED_FIGURES, map(int, by_rank.get(rank, (0,) * 7)[1:]), strict=True)),
        )
        for rank, state in enumerate(OVERVIEW_STATES)
    )
    return OverviewPage(_page_frame(rows), offset, totals, tuple(states))


def _page_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(OVERVIEW_COLUMNS))
    whole = [*SUMMED_FIGURES, "active_alarms"]
    return frame.astype(
        {
            **dict.fromkeys(whole, "Int64"),
            **dict.fromkeys(("abandoned_pct", "goal_pct", "at"), "float64"),
        }
    )


@dataclass(frozen=True, slots=True)
class OverviewActivity:
    """The Overview's activity tiles, each read in time linear in targets (not in history)."""

    allowed_per_minute: float  # allowances of the fresh targets' latest rows, as a rate
    accepted_last_hour: int  # per target: latest running total minus the hour-old one
    abandoned_last_hour: int
    targets_paced: int  # latest row fresh and without error
    targets_known: int


# The hour's increase of each target's running totals: its latest totals minus those it had in
# the first cycle of the hour (one cycle's rows, found through the cycle id: an index in every
# schema, whatever the number of cycles in the hour). A counter that went down within the hour
# (a restarted source) counts from its restart: its latest total, not a negative. A target
# missing from that first cycle adds nothing.
_HOUR_SQL = """
SELECT coalesce(sum(CASE WHEN s.accepted_total >= h.accepted_total
                         THEN s.accepted_total - h.accepted_total
                         ELSE s.accepted_total END), 0),
       coalesce(sum(CASE WHEN s.abandoned_total >= h.abandoned_total
                         THEN s.abandoned_total - h.abandoned_total
                         ELSE s.abandoned_total END), 0)
FROM cycle_targets AS h
JOIN target_state AS s ON s.target_id = h.target_id
WHERE h.cycle_id = (SELECT cycle_id FROM cycles WHERE started_at > :since AND started_at <= :now
                    ORDER BY started_at LIMIT 1)
"""


def read_overview_activity(
    db: sqlite_utils.Database, *, now: float, stale_after_s: float
) -> OverviewActivity:
    """Allowed invitations per minute now, accepted and abandoned in the last hour, paced."""
    allowed, paced, known = db.conn.execute(
        f"""
        SELECT coalesce(sum(CASE WHEN at >= :fresh AND error IS NULL AND interval_s > 0
                                 THEN CAST(allowed_invitations AS DOUBLE PRECISION) * 60
                                      / interval_s END), 0),
               {count_where("at >= :fresh AND error IS NULL")}, count(*)
        FROM target_state
        """,
        {"fresh": now - stale_after_s},
    ).fetchone()
    accepted, abandoned = db.conn.execute(_HOUR_SQL, {"since": now - 3600.0, "now": now}).fetchone()
    return OverviewActivity(float(allowed), int(accepted), int(abandoned), int(paced), int(known))
