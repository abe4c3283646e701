"""Pacing Watch dashboard: navigation, the embedded node's lifespan, /healthz.

`streamlit run app.py` imports this module once as the server's ASGI app (its lifespan starts
the embedded node exactly once per process) and then runs it as a script for every browser
session (`__name__ == "__main__"`), where it only draws the navigation.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard.health import health_report
from dashboard.settings import load_dashboard_config
from dashboard.ui.navigation import refuse_open_bind_without_sign_in

log = logging.getLogger("pacing.app")

# What the pages import on their first run (Plotly, the pandas Styler and its Jinja templates,
# the loaders): imported once at process start instead of by the first visitor's session.
PAGE_MODULES = (
    "pandas.io.formats.style",
    "plotly.graph_objects",
    "plotly.subplots",
    *(f"dashboard.ui.{page}" for page in ("overview", "targets", "alarms", "health", "history")),
)


def import_page_modules() -> None:
    """Import `PAGE_MODULES` (in a daemon thread: the server answers meanwhile)."""
    for name in PAGE_MODULES:
        importlib.import_module(name)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    """Start the embedded node once per server process; stop it on shutdown."""
    from domain.phases import StartupTimings
    from node.build import start_embedded_node, stop_embedded_node
    from node.logs import configure_logging

    timings = StartupTimings()
    timings.add_imports()
    # A bad file stops start-up with every problem listed; a good one is cached for the pages.
    config = load_dashboard_config(timings=timings)
    configure_logging(config.log)
    refuse_open_bind_without_sign_in(config)
    for warning in config.warnings:
        log.warning("config: %s", warning)
    watch = None
    timings.start_lap()
    if config.node.embedded:
        start_embedded_node(config)
        timings.lap("build and start node")
    else:
        log.info("[node] embedded = false: this dashboard only reads %s", config.node.database_path)
        from node.no_master_watch import build_no_master_watch

        watch = build_no_master_watch(config)  # nobody else raises NoMasterNode when all nodes die
        watch.start()
        timings.lap("start NoMasterNode watch")
    log.info("%s", timings.report())
    # After start-up's own work, while the first browser still loads the page's scripts.
    threading.Thread(target=import_page_modules, name="import-pages", daemon=True).start()
    try:
        yield {}
    finally:
        stop_embedded_node()
        if watch is not None:
            watch.stop()


async def healthz(_request: Request) -> JSONResponse:
    """200 when a node is alive and its last cycle is recent, 503 otherwise."""
    report = health_report(load_dashboard_config())
    return JSONResponse(report, status_code=200 if report["ok"] else 503)


if __name__ == "__main__":
    from dashboard.ui.navigation import run_navigation

    st.set_page_config(page_title="Pacing Watch", page_icon=":material/speed:", layout="wide")
    run_navigation()
else:
    from node.metrics import metrics_routes

    app = st.App(
        __file__,
        lifespan=lifespan,
        routes=[
            Route("/healthz", healthz),
            *metrics_routes(lambda: load_dashboard_config().node.database_path),
        ],
    )
