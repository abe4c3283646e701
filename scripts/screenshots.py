"""Take one PNG per dashboard page into docs/: a real server on a temp database, real Chromium.

Run: .venv/bin/python scripts/screenshots.py [--run-seconds 60] [--out docs]

Starts `streamlit run app.py` with the shipped pacing.toml pointed at a temporary database, a
1 s refresh period and a 1 ms GC Latency threshold (so that real alarms appear), lets the
embedded node run, then opens every page in headless Debian
chromium (/usr/bin/chromium, or $PACING_CHROMIUM) and saves `<page>.png`.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PACING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
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


def write_config(folder: Path) -> Path:
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    database = folder / "pacing.db"
    text = re.sub(r'(?m)^database\s*=\s*".*"', f'database = "{database.as_posix()}"', text)
    text = re.sub(r"(?m)^refreshPeriod\s*=\s*[0-9.]+", "refreshPeriod = 1", text)
    text = re.sub(
        r'(?m)^"GcLatency\.threshold"\s*=\s*[0-9.]+',
        f'"GcLatency.threshold" = {SCREENSHOT_GC_LATENCY_MS}',
        text,
    )
    config = folder / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    return config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with log.open("w") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PACING_CONFIG": str(config)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the dashboard exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the dashboard was not healthy within 60 s:\n{log.read_text()}")


def shoot(page: Page, url: str, out: Path) -> None:
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=30_000)
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
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = folder / "server.log"
        server = start_server(write_config(folder), port, log)
        try:
            wait_healthy(url, server, log)
            sys.stdout.write(f"dashboard up at {url}; the node runs {args.run_seconds:g} s\n")
            time.sleep(args.run_seconds)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(viewport={"width": 1400, "height": 1500})
                page = context.new_page()
                for name, path in PAGES.items():
                    query = "?range=15m&refresh=paused" if name in RANGED else ""
                    shoot(page, f"{url}/{path}{query}", args.out / f"{name}.png")
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
