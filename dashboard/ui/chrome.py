"""Page chrome: the title, Grafana-like range and refresh pickers, and the target picker.

Every picker is a widget bound to a query parameter (`range`, `refresh`, `from`, `to`,
`targets`), so a view is a link that can be shared.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import streamlit as st

from config import Config
from dashboard.settings import load_dashboard_config
from dashboard.target_choice import PICKER_OPTIONS, picker_options
from dashboard.timerange import (
    DEFAULT_RANGE,
    DEFAULT_REFRESH,
    RANGE_CHOICES,
    REFRESH_CHOICES,
    TimeRange,
    TimeRangeError,
    refresh_seconds,
    resolve_range,
)


def dashboard_config() -> Config:
    """The configuration the dashboard reads (loaded again only when the file changes)."""
    return load_dashboard_config()


@dataclass(frozen=True, slots=True)
class Chrome:
    """What a chart page's header chose; `current_range()` resolves it at each refresh."""

    config: Config
    range_key: str
    custom_from: datetime | None
    custom_to: datetime | None
    refresh_s: float | None  # None: paused

    @property
    def database(self) -> str:
        """The database path, as the cached loaders take it (a hashable string)."""
        return str(self.config.node.database_path)

    @property
    def run_every(self) -> timedelta | None:
        return None if self.refresh_s is None else timedelta(seconds=self.refresh_s)

    def current_range(self) -> TimeRange:
        """The range at this moment (relative ranges follow the clock); raises TimeRangeError."""
        return resolve_range(
            self.range_key, time.time(), self.config.node.zone, self.custom_from, self.custom_to
        )


def page_chrome(title: str, caption: str | None = None, *, live: bool = True) -> Chrome:
    """Title, then Grafana-like pickers: range and refresh (URL keys `range`, `refresh`).

    `live=False` (a filter page such as History) draws no refresh picker.
    """
    config = dashboard_config()
    head, pick_range, pick_refresh = st.columns([3, 1.2, 1])
    head.title(title)
    if caption:
        head.caption(caption)
    # The options are the URL values themselves (Streamlit writes the shown text to the URL).
    range_key = pick_range.selectbox(
        "Time range (last …)",
        list(RANGE_CHOICES),
        index=list(RANGE_CHOICES).index(DEFAULT_RANGE),
        key="range",
        bind="query-params",
    )
    if not live:
        refresh_key = "paused"
    else:
        refresh_key = pick_refresh.selectbox(
            "Refresh every",
            list(REFRESH_CHOICES),
            index=list(REFRESH_CHOICES).index(DEFAULT_REFRESH),
            key="refresh",
            bind="query-params",
            help="How often the live parts of the page reload. Paused: they stay as they are.",
        )
    custom_from = custom_to = None
    if range_key == "custom":
        custom_from, custom_to = _custom_range(config)
    return Chrome(config, str(range_key), custom_from, custom_to, refresh_seconds(str(refresh_key)))


def _custom_range(config: Config) -> tuple[datetime, datetime]:
    """The `from` and `to` pickers of a custom range, in the operator's time zone."""
    zone = config.node.zone
    now = datetime.now(zone).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    left, right = st.columns(2)
    custom_from = left.datetime_input(
        f"From ({config.node.timezone})",
        value=now - timedelta(hours=24),
        key="from",
        bind="query-params",
    )
    custom_to = right.datetime_input(
        f"To ({config.node.timezone})",
        value=now + timedelta(hours=1),
        key="to",
        bind="query-params",
    )
    return custom_from, custom_to


def resolved_range(chrome: Chrome) -> TimeRange | None:
    """The chrome's range now, or None after telling the operator what to fix."""
    try:
        return chrome.current_range()
    except TimeRangeError as error:
        st.warning(f"Time range: {error}", icon=":material/date_range:")
        return None


def selected_targets(
    known: Sequence[str],
    default_count: int = 10,
    placeholder: str = "Choose one or more pacing targets",
) -> list[str]:
    """A target multiselect kept in the URL (`targets`); defaults to the first few targets.

    Above PICKER_OPTIONS targets, a "Find targets" box narrows the options to the first
    matches (plus the chosen ones), so the page never sends thousands of options.
    """
    default = list(known[:default_count])
    options = list(known)
    if len(known) > PICKER_OPTIONS:
        find = st.text_input(
            f"Find targets (part of the name; {len(known):,} targets, "
            f"the first {PICKER_OPTIONS} matches are listed)",
            key="target_find",
            max_chars=200,
        )
        current = st.session_state.get("targets")
        chosen = current if current is not None else st.query_params.get_all("targets")
        options = picker_options(known, [*default, *chosen], find)
    chosen = st.multiselect(
        "Targets",
        options,
        default=default,
        key="targets",
        bind="query-params",
        placeholder=placeholder,
    )
    return [str(target) for target in chosen]
