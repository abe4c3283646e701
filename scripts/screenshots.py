"""Take one PNG per dashboard page into docs/: a real server on a temp database, real Chromium.

Run: .venv/bin/python scripts/screenshots.py [--run-seconds 60] [--out docs]

Starts `streamlit run app.py` with the shipped pacing.toml pointed at a temporary database, a
1 s refresh period and a 1 ms GC Latency threshold (so that real alarms appear), lets the
embedded node run, then opens every page in headless Debian
chromium (/usr/bin/chromium, or $PACING_CHROMIUM) and saves `<page>.png`.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from playwright.sync_api import Page  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    SCRIPT_DONE,
    launched_chromium,
    open_page,
    running_dashboard,
)
from tests.support import ROOT, write_test_config  # noqa: E402

# page file name -> URL path (Streamlit derives it from the file name)
PAGES = {
    "overview": "",
    "targets": "targets",
    "alarms": "alarms",
    "health": "health",
    "backlog": "backlog",
    "history": "history",
    "users": "users",
}
RANGED = ("targets", "alarms", "health", "backlog", "history")
# A GC Latency threshold low enough that the node's own collections raise (and clear) alarms,
# so the Alarms page and the markers on the charts have something to show.
SCREENSHOT_GC_LATENCY_MS = 1


def write_config(folder: Path) -> tuple[Path, Path]:
    """The test config (private database, 1 s refresh) with the low GC Latency threshold."""
    config, database = write_test_config(folder, refresh_period_s=1)
    text, replaced = re.subn(
        r'(?m)^"GcLatency\.threshold"\s*=\s*[0-9.]+',
        f'"GcLatency.threshold" = {SCREENSHOT_GC_LATENCY_MS}',
        config.read_text(encoding="utf-8"),
    )
    if replaced != 1:
        raise SystemExit("pacing.toml has no GcLatency.threshold line to lower")
    config.write_text(text, encoding="utf-8")
    return config, database


def shoot(page: Page, url: str, out: Path) -> None:
    open_page(page, url)
    page.wait_for_timeout(2500)  # let plotly draw
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=30_000)
    if page.get_by_test_id("stException").count():
        raise SystemExit(f"{url} shows an exception")
    page.screenshot(path=str(out), full_page=True)
    sys.stdout.write(f"saved {out}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        with running_dashboard(folder, *write_config(folder)) as board:
            sys.stdout.write(f"dashboard up at {board.url}; the node runs {args.run_seconds:g} s\n")
            time.sleep(args.run_seconds)
            with launched_chromium() as browser:
                page = browser.new_context(viewport={"width": 1400, "height": 1500}).new_page()
                for name, path in PAGES.items():
                    query = "?range=15m&refresh=paused" if name in RANGED else ""
                    shoot(page, f"{board.url}/{path}{query}", args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
