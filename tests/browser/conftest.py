"""Fixtures of the browser tests: a real dashboard server and a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.users import add_user
from tests.browser.harness import Dashboard, launched_chromium, open_page, running_dashboard
from tests.support import write_test_config

# (name, password) of the users a signed-in dashboard knows.
OPERATOR = ("olga", "operator password")
VIEWER = ("victor", "viewer password")


def with_local_users(folder: Path) -> tuple[Path, Path]:
    """A test config that asks for sign-in: operator olga and viewer victor."""
    config, database = write_test_config(folder)
    users = folder / "users.json"
    with config.open("a", encoding="utf-8") as out:
        out.write(f'\n[dashboard]\nauth = "local"\nusers_file = "{users.as_posix()}"\n')
    add_user(users, OPERATOR[0], "operator", OPERATOR[1])
    add_user(users, VIEWER[0], "viewer", VIEWER[1])
    return config, database


@contextmanager
def serving(folder: Path, *, signed_in: bool) -> Iterator[Dashboard]:
    """A dashboard on the test config in `folder`, behind local sign-in or open."""
    config, database = with_local_users(folder) if signed_in else write_test_config(folder)
    with running_dashboard(folder, config, database) as board:
        yield board


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    with serving(tmp_path_factory.mktemp("dashboard"), signed_in=False) as board:
        yield board


@pytest.fixture(scope="session")
def signed_in_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A dashboard behind local sign-in, shared: each test creates the state it needs."""
    with serving(tmp_path_factory.mktemp("signed-in"), signed_in=True) as board:
        yield board


@pytest.fixture
def fresh_signed_in_dashboard(tmp_path: Path) -> Iterator[Dashboard]:
    """A dashboard behind local sign-in that no session has opened yet."""
    with serving(tmp_path, signed_in=True) as board:
        yield board


# Package scope, not session: Playwright's sync API keeps an event loop running on the main
# thread until it stops, and tests after the browser tests call asyncio.run() there.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a context of its own: no cookies, no session shared with other tests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    yield context.new_page()
    context.close()


def sign_in(page: Page, url: str, name: str, password: str) -> None:
    """Sign in through the local users form and wait for the sidebar to name the user."""
    open_page(page, url)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=20_000)
