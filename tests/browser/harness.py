"""A real dashboard server on a free loopback port, and a real headless Chromium.

The browser tests (through their conftest) and scripts/screenshots.py start both the same way.
Nothing here needs pytest: a failure raises, with the server's log in the message.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support import ROOT

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
HEALTHY_WITHIN_S = 60


class DashboardDidNotStart(RuntimeError):
    """The server exited, or did not answer /healthz in time; the message holds its log."""


@dataclass(frozen=True)
class Dashboard:
    url: str
    config_path: Path
    database_path: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """`streamlit run app.py` as `make run` starts it, on this port and address."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def refused_start(config: Path, address: str = "127.0.0.1") -> subprocess.CompletedProcess[str]:
    """`streamlit run app.py` with `config`, expected to refuse to start: its exit and output."""
    return subprocess.run(
        streamlit_command(free_port() if address == "127.0.0.1" else 0, address=address),
        cwd=ROOT,
        env={**os.environ, "PACING_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def spawn_dashboard(config: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`streamlit run app.py` on a free loopback port, its output in `log_path`: process, URL."""
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            streamlit_command(port),
            cwd=ROOT,
            env={**os.environ, "PACING_CONFIG": str(config)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return server, f"http://127.0.0.1:{port}"


@contextmanager
def running_dashboard(folder: Path, config: Path, database: Path) -> Iterator[Dashboard]:
    """`streamlit run app.py` on a free loopback port, healthy, until the block ends."""
    log_path = folder / "server.log"
    server, url = spawn_dashboard(config, log_path)
    board = Dashboard(url, config, database, log_path)
    try:
        wait_healthy(board, server)
        yield board
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_healthy(board: Dashboard, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HEALTHY_WITHIN_S
    while True:
        if server.poll() is not None:
            raise DashboardDidNotStart(f"dashboard exited with {server.returncode}:\n{board.log()}")
        try:
            if httpx.get(f"{board.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise DashboardDidNotStart(
                f"dashboard not healthy within {HEALTHY_WITHIN_S} s:\n{board.log()}"
            )
        time.sleep(0.3)


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's headless Chromium (or $PACING_CHROMIUM), closed when the block ends."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
            "(or set PACING_CHROMIUM to another Chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(page: Page, url: str) -> None:
    """Go to `url` and wait until Streamlit has finished running the page's script."""
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=30_000)
