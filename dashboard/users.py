"""The dashboard's local users file: names, roles and salted scrypt hashes (no Streamlit, no SQL).

The file is JSON, written atomically (temp file, fsync, rename) with mode 0600:

    {"version": 1, "users": {"alice": {"role": "operator", "salt": "…hex…", "hash": "…hex…",
                                        "n": 16384, "r": 8, "p": 1}}}

Passwords never leave this module; only their scrypt hashes are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

Role = Literal["viewer", "operator"]
ROLES: tuple[Role, ...] = get_args(Role)
SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES = 2**14, 8, 1, 32
MIN_PASSWORD_CHARS = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
FILE_VERSION = 1


class UsersFileError(Exception):
    """The users file or a request about it is wrong; the message says what to do."""


@dataclass(frozen=True, slots=True)
class DashboardUser:
    """One stored user: the role and how to check a password, never the password."""

    name: str
    role: Role
    salt: bytes
    password_hash: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P


def hash_password(
    password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    """The scrypt hash of `password` with `salt` (stdlib hashlib.scrypt)."""
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * 1024 * 1024,
        dklen=HASH_BYTES,
    )


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsersFileError(
            f"user name {name!r} — expected 1 to 64 letters, digits or . _ @ - "
            "(starting with a letter or digit)"
        )
    return name


def check_role(role: str) -> Role:
    for allowed in ROLES:
        if role == allowed:
            return allowed
    raise UsersFileError(f"role {role!r} — expected one of {', '.join(ROLES)}")


def load_users(path: Path) -> dict[str, DashboardUser]:
    """Every user in the file; an empty dict when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise UsersFileError(f"users file {path}: unreadable ({error.strerror})") from None
    try:
        raw = json.loads(text)
        users = raw["users"]
        if raw.get("version") != FILE_VERSION or not isinstance(users, dict):
            raise ValueError("unexpected layout")
        return {name: _user(name, entry) for name, entry in users.items()}
    except (ValueError, KeyError, TypeError) as error:
        raise UsersFileError(
            f"users file {path}: not a Pacing Watch users file ({error}) — expected the JSON "
            "written by `pacing user add`; move it away and add the users again"
        ) from None


def _user(name: str, entry: Mapping[str, object]) -> DashboardUser:
    return DashboardUser(
        name=check_name(name),
        role=check_role(str(entry["role"])),
        salt=bytes.fromhex(str(entry["salt"])),
        password_hash=bytes.fromhex(str(entry["hash"])),
        n=int(str(entry.get("n", SCRYPT_N))),
        r=int(str(entry.get("r", SCRYPT_R))),
        p=int(str(entry.get("p", SCRYPT_P))),
    )


def save_users(path: Path, users: Mapping[str, DashboardUser]) -> None:
    """Write the file atomically with owner-only permissions."""
    payload = {
        "version": FILE_VERSION,
        "users": {
            user.name: {
                "role": user.role,
                "salt": user.salt.hex(),
                "hash": user.password_hash.hex(),
                "n": user.n,
                "r": user.r,
                "p": user.p,
            }
            for user in sorted(users.values(), key=lambda u: u.name)
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".users-", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def make_user(name: str, role: str, password: str, salt: bytes | None = None) -> DashboardUser:
    """A new user record with a fresh random salt."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UsersFileError(f"password — expected at least {MIN_PASSWORD_CHARS} characters")
    salt = secrets.token_bytes(16) if salt is None else salt
    return DashboardUser(check_name(name), check_role(role), salt, hash_password(password, salt))


def add_user(path: Path, name: str, role: str, password: str, *, replace: bool = False) -> None:
    """Add a user (or, with `replace`, change an existing user's password and role)."""
    users = load_users(path)
    if name in users and not replace:
        raise UsersFileError(
            f"user {name!r} already exists in {path}: use --replace to change the password or role"
        )
    users[name] = make_user(name, role, password)
    save_users(path, users)


def remove_user(path: Path, name: str) -> None:
    users = load_users(path)
    if name not in users:
        raise UsersFileError(f"user {name!r} is not in {path}")
    del users[name]
    save_users(path, users)


_DUMMY = DashboardUser("dummy", "viewer", b"\0" * 16, b"\0" * HASH_BYTES)


def verify_password(users: Mapping[str, DashboardUser], name: str, password: str) -> Role | None:
    """The user's role when the password matches, else None (same work for unknown names)."""
    user = users.get(name)
    candidate = user or _DUMMY
    digest = hash_password(password, candidate.salt, candidate.n, candidate.r, candidate.p)
    if user is not None and hmac.compare_digest(digest, user.password_hash):
        return user.role
    return None
