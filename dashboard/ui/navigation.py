"""The dashboard's pages, sign-in gate and sidebar (called from app.py).

A page is one row of `PAGES`; `operator_only` pages are left out of a viewer's navigation
(and check the role again themselves). Alarms is open to viewers read-only: its actions check
the role.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from config import Config
from dashboard.access import resolve_auth, unauthenticated_bind_problem
from dashboard.settings import load_dashboard_config
from dashboard.ui.access import (
    CURRENT_VIEWER_KEY,
    current_viewer,
    oidc_configured,
    sidebar_identity,
)

log = logging.getLogger("pacing.app")


@dataclass(frozen=True, slots=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    operator_only: bool = False
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/overview.py", "Overview", ":material/dashboard:", "Monitor", default=True),
    PageSpec("views/targets.py", "Targets", ":material/target:", "Monitor"),
    # views/ is a package, so views/alarms.py is the module views.alarms, not a second `alarms`.
    PageSpec("views/alarms.py", "Alarms", ":material/notifications:", "Monitor"),
    PageSpec("views/health.py", "Health", ":material/monitor_heart:", "Monitor"),
    PageSpec("views/backlog.py", "Backlog", ":material/inventory:", "Data"),
    PageSpec("views/history.py", "History", ":material/history:", "Data"),
    PageSpec("views/audit.py", "Audit", ":material/fact_check:", "Data"),
    PageSpec("views/users.py", "Users", ":material/group:", "Settings", operator_only=True),
)


class OpenBindError(RuntimeError):
    """The server would be reachable from other machines without any sign-in."""


def refuse_open_bind_without_sign_in(config: Config) -> None:
    """Stop start-up when no sign-in is configured and the address is not loopback."""
    options = config.dashboard
    auth = resolve_auth(options.auth, options.users_file.exists(), oidc_configured())
    problem = unauthenticated_bind_problem(auth, st.config.get_option("server.address"))
    if problem is not None:
        raise OpenBindError(problem)
    log.info("dashboard sign-in: %s", auth)


def run_navigation() -> None:
    """Sign-in gate, then the pages this viewer may open."""
    config = load_dashboard_config()
    viewer = current_viewer(config)
    if viewer is None:
        # Register every page (hidden, not run) so a shared link such as /alarms?range=24h
        # survives the sign-in instead of ending on "page not found".
        st.navigation(page_sections(include_operator_pages=True), position="hidden")
        st.stop()
        return
    st.session_state[CURRENT_VIEWER_KEY] = viewer
    sidebar_identity(viewer)
    st.navigation(page_sections(include_operator_pages=viewer.is_operator)).run()


def page_sections(*, include_operator_pages: bool) -> dict[str, list[st.Page]]:
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        if spec.operator_only and not include_operator_pages:
            continue
        page = st.Page(
            spec.path,
            title=spec.title,
            icon=spec.icon,
            default=spec.default,
        )
        sections.setdefault(spec.section, []).append(page)
    return sections
