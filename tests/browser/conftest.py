"""A real dashboard server on a free loopback port, and a real headless Chromium."""

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
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dashboard.users import add_user
from tests.support import ROOT, write_test_config

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
# (name, password) of the users a signed-in dashboard knows.
OPERATOR = ("olga", "operator password")
VIEWER = ("victor", "viewer password")


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


@contextmanager
def running_dashboard(folder: Path, config: Path, database: Path) -> Iterator[Dashboard]:
    """`streamlit run app.py` on a free loopback port until the block ends."""
    port = free_port()
    log_path = folder / "server.log"
    env = {**os.environ, "PACING_CONFIG": str(config)}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    board = Dashboard(url, config, database, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"dashboard exited with {server.returncode}:\n{board.log()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dashboard not healthy within 60 s:\n{board.log()}")
            time.sleep(0.3)
        yield board
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("dashboard")
    config, database = write_test_config(folder)
    with running_dashboard(folder, config, database) as board:
        yield board


def with_local_users(folder: Path) -> tuple[Path, Path]:
    """A test config that asks for sign-in: operator olga and viewer victor."""
    config, database = write_test_config(folder)
    users = folder / "users.json"
    with config.open("a", encoding="utf-8") as out:
        out.write(f'\n[dashboard]\nauth = "local"\nusers_file = "{users.as_posix()}"\n')
    add_user(users, OPERATOR[0], "operator", OPERATOR[1])
    add_user(users, VIEWER[0], "viewer", VIEWER[1])
    return config, database


@pytest.fixture(scope="session")
def signed_in_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A dashboard behind local sign-in, shared: each test creates the state it needs."""
    folder = tmp_path_factory.mktemp("signed-in")
    config, database = with_local_users(folder)
    with running_dashboard(folder, config, database) as board:
        yield board


@pytest.fixture
def fresh_signed_in_dashboard(tmp_path: Path) -> Iterator[Dashboard]:
    """A dashboard behind local sign-in that no session has opened yet."""
    config, database = with_local_users(tmp_path)
    with running_dashboard(tmp_path, config, database) as board:
        yield board


# Package scope, not session: Playwright's sync API keeps an event loop running on the main
# thread until it stops, and tests after the browser tests call asyncio.run() there.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=30_000)


def new_page(browser: Browser) -> Page:
    """A page in a context of its own (no cookies, no session shared with other tests)."""
    return browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()


def sign_in(page: Page, url: str, name: str, password: str) -> None:
    """Sign in through the local users form and wait for the sidebar to name the user."""
    open_page(page, url)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=20_000)
