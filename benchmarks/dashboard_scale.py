"""The dashboard at N targets in a real browser: server start and each page's time to ready.

Run: .venv/bin/python benchmarks/dashboard_scale.py [--targets 10000] [--hours 24]
         [--keep DIR] [--config scale|shipped] [--runs 3] [--screenshot PNG]

Builds (or reuses, with --keep) a database of `--hours` of history for `--targets` targets
(`benchmarks/history_fill.py`), tops it up with cycles until now, writes a configuration
with `[node] embedded = false` (by default `fakes.scale`'s configuration for the same targets;
`--config shipped` keeps the 3-target example so start-up measures only the dashboard's own
work), starts
`streamlit run app.py` on a free port and measures:

* server up: from the start of the process to `/_stcore/health` answering 200 (the dashboard
  only reads, so `/healthz` would say 503 about the stopped node);
* each page: from `page.goto` to the page's script finished
  (`[data-testid='stApp'][data-test-script-state='notRunning']`) with every Plotly chart drawn
  and every table's canvas painted, in headless Chromium, `--runs` times (the first run is cold:
  Streamlit's caches are empty).

Prints a table; asserts nothing. Timings on a shared machine are noisy: compare runs.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import httpx  # noqa: E402
from playwright.sync_api import Page  # noqa: E402

from benchmarks.history_fill import fill_history, top_up  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    SCRIPT_DONE,
    launched_chromium,
    spawn_dashboard,
)
from tests.support import ROOT  # noqa: E402

# (label, URL path and query): the ranged pages at their default range and at 24 h.
PAGES = (
    ("Overview", ""),
    ("Overview, search", "?"),  # filled in by measure(): a search typed into the page
    ("Targets 1 h", "targets?range=1h&refresh=paused"),
    ("Targets 24 h", "targets?range=24h&refresh=paused"),
    ("History 1 h", "history?range=1h"),
    ("History 24 h", "history?range=24h"),
    ("Alarms 24 h", "alarms?range=24h&refresh=paused"),
)

# The filled database is not a live node: with a 300 s period its rows and its heartbeat stay
# fresh (3 periods) while the pages are measured, as a live node's would.
REFRESH_PERIOD_S = 300.0

# Every chart drawn, every visible table painted (one in a closed expander never paints),
# nothing still loading.
_DRAWN = """() => {
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  const tables = [...document.querySelectorAll("[data-testid='stDataFrame']")];
  return charts.every(c => c.querySelector(".main-svg"))
      && tables.filter(t => t.checkVisibility()).every(t => t.querySelector("canvas"))
      && !document.querySelector("[data-testid='stSkeleton']");
}"""


def write_config(folder: Path, database: Path, targets: int, kind: str) -> Path:
    """A configuration reading `database`, its node not embedded."""
    if kind == "scale":
        from fakes.scale import scale_config_text

        text = scale_config_text(
            targets, database=database.as_posix(), refresh_period_s=REFRESH_PERIOD_S
        )
        text = text.replace("[node]\n", "[node]\nembedded = false\n", 1)
    else:
        text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
        text = re.sub(r'(?m)^database\s*=\s*".*"', f'database = "{database.as_posix()}"', text)
        text = re.sub(r"(?m)^embedded = true", "embedded = false", text)
        text = re.sub(
            r"(?m)^refreshPeriod\s*=\s*[0-9.]+", f"refreshPeriod = {REFRESH_PERIOD_S:g}", text
        )
    config = folder / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    return config


def start_server(config: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """`streamlit run app.py` on a free port: the process, its URL and seconds to health."""
    started = time.perf_counter()
    server, url = spawn_dashboard(config, log_path)
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the dashboard exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return server, url, time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)


def page_ready_s(page: Page, url: str, label: str) -> float:
    """Seconds from navigation to the script finished and everything drawn."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=600_000)
    if label == "Overview, search":
        box = page.get_by_label("Search targets")
        box.fill("VQ 0042")
        box.press("Enter")
        page.get_by_text("matching, worst first").first.wait_for(timeout=600_000)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=600_000)
    page.wait_for_function(_DRAWN, timeout=600_000, polling=50)
    elapsed = time.perf_counter() - started
    if page.get_by_test_id("stException").count():
        raise SystemExit(f"{url} shows an exception")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep the database here")
    parser.add_argument("--config", choices=("scale", "shipped"), default="scale")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshot", type=Path, default=None, help="PNG of the Overview")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dashboard-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "pacing.db"
    if not database.exists():
        started = time.perf_counter()
        for _ in fill_history(database, args.targets, hours=args.hours):
            pass
        size_mb = database.stat().st_size / 1e6
        print(f"filled {database} in {time.perf_counter() - started:.0f} s ({size_mb:,.0f} MB)")
    topped = top_up(database, args.targets)  # a kept database: cycles up to now, as if live
    print(f"{topped} cycles added up to now")
    config = write_config(folder, database, args.targets, args.config)
    server, url, up_s = start_server(config, folder / "server.log")
    print(f"server up in {up_s:.1f} s ({args.config} config, {args.targets:,} targets in the db)")
    try:
        with launched_chromium() as browser:
            # Streamlit scrolls inside its own container: the viewport is what a screenshot holds.
            context = browser.new_context(viewport={"width": 1400, "height": 1900})
            page = context.new_page()
            print(f"{'page':18} {'first s':>8} {'median s':>9} {'max s':>7}")
            for label, path in PAGES:
                target = f"{url}/" + ("" if path == "?" else path)
                times = [page_ready_s(page, target, label) for _ in range(args.runs)]
                if label == "Overview" and args.screenshot is not None:  # while rows are fresh
                    page.screenshot(path=str(args.screenshot), full_page=True)
                rest = times[1:] or times
                print(f"{label:18} {times[0]:8.2f} {statistics.median(rest):9.2f} {max(rest):7.2f}")
            if args.screenshot is not None:
                print(f"saved {args.screenshot}")
            context.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
