"""The local users file, roles and `pacing user add`."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from cli.main import main
from dashboard.access import oidc_role, resolve_auth, unauthenticated_bind_problem
from dashboard.users import (
    UsersFileError,
    add_user,
    load_users,
    remove_user,
    verify_password,
)
from tests.support import write_test_config


def test_a_user_signs_in_with_the_right_password_only(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    add_user(path, "alice", "operator", "correct horse")
    users = load_users(path)
    assert verify_password(users, "alice", "correct horse") == "operator"
    assert verify_password(users, "alice", "wrong horse!") is None
    assert verify_password(users, "mallory", "correct horse") is None


def test_the_file_holds_salted_hashes_not_passwords_and_only_its_owner_reads_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "users.json"
    add_user(path, "alice", "viewer", "same password")
    add_user(path, "bob", "viewer", "same password")
    text = path.read_text()
    assert "same password" not in text
    entries = json.loads(text)["users"]
    assert entries["alice"]["salt"] != entries["bob"]["salt"]
    assert entries["alice"]["hash"] != entries["bob"]["hash"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_adding_an_existing_user_needs_replace(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    add_user(path, "alice", "viewer", "first password")
    with pytest.raises(UsersFileError, match="--replace"):
        add_user(path, "alice", "operator", "second password")
    add_user(path, "alice", "operator", "second password", replace=True)
    assert verify_password(load_users(path), "alice", "second password") == "operator"
    remove_user(path, "alice")
    assert load_users(path) == {}


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("alice", "admin", "long enough", "expected one of viewer, operator"),
        ("al ice", "viewer", "long enough", "expected 1 to 64 letters"),
        ("alice", "viewer", "short", "at least 8 characters"),
    ],
)
def test_bad_requests_say_what_is_expected(
    tmp_path: Path, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(UsersFileError, match=message):
        add_user(tmp_path / "users.json", name, role, password)


def test_a_foreign_file_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"alice": "secret"}')
    with pytest.raises(UsersFileError, match="written by `pacing user add`"):
        load_users(path)


def test_pacing_user_add_writes_the_configured_users_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = write_test_config(tmp_path)
    users_file = tmp_path / "people.json"
    with config.open("a") as out:
        out.write(f'\n[dashboard]\nusers_file = "{users_file.as_posix()}"\n')
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    args = [
        "user",
        "add",
        "olga",
        "--role",
        "operator",
        "--password-stdin",
        "--config",
        str(config),
    ]
    assert main(args) == 0
    assert verify_password(load_users(users_file), "olga", "a long password") == "operator"
    assert main(["user", "list", "--config", str(config)]) == 0
    assert "olga\toperator" in capsys.readouterr().out


def test_auto_sign_in_prefers_oidc_then_the_users_file_then_none() -> None:
    assert resolve_auth("auto", users_file_exists=True, oidc_configured=True) == "oidc"
    assert resolve_auth("auto", users_file_exists=True, oidc_configured=False) == "local"
    assert resolve_auth("auto", users_file_exists=False, oidc_configured=False) == "none"
    assert resolve_auth("local", users_file_exists=False, oidc_configured=True) == "local"


def test_oidc_operators_are_listed_by_email_and_everyone_else_views() -> None:
    assert oidc_role("Olga@Example.com", ["olga@example.com"]) == "operator"
    assert oidc_role("victor@example.com", ["olga@example.com"]) == "viewer"
    assert oidc_role(None, ["olga@example.com"]) == "viewer"


def test_without_sign_in_only_a_loopback_address_is_allowed() -> None:
    assert unauthenticated_bind_problem("none", "127.0.0.1") is None
    assert unauthenticated_bind_problem("none", "::1") is None
    assert unauthenticated_bind_problem("local", "0.0.0.0") is None
    problem = unauthenticated_bind_problem("none", "0.0.0.0")
    assert problem is not None and "--server.address 127.0.0.1" in problem
    assert unauthenticated_bind_problem("none", None) is not None
