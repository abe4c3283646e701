"""Who is looking at the dashboard and what they may do (pure: no Streamlit, no I/O).

Viewers may look; operators may also act (acknowledge, shelve, manage users, change settings).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from config.dashboard import AuthMode
from dashboard.users import Role

ResolvedAuth = Literal["none", "local", "oidc"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person behind a session."""

    name: str
    role: Role
    auth: ResolvedAuth

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"


def resolve_auth(mode: AuthMode, users_file_exists: bool, oidc_configured: bool) -> ResolvedAuth:
    """The sign-in actually used: "auto" prefers OIDC, then the users file, then none."""
    if mode == "auto":
        if oidc_configured:
            return "oidc"
        return "local" if users_file_exists else "none"
    return mode


def oidc_role(email: str | None, operators: Sequence[str]) -> Role:
    """Operators are listed by e-mail in `[dashboard] oidc_operators`; everyone else views."""
    if email and email.strip().lower() in {address.lower() for address in operators}:
        return "operator"
    return "viewer"


def is_loopback(address: str | None) -> bool:
    """Whether a server address only accepts connections from this machine."""
    if not address:
        return False  # Streamlit's default binds every interface
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def unauthenticated_bind_problem(auth: ResolvedAuth, address: str | None) -> str | None:
    """Why the server must not start: no sign-in and an address reachable from elsewhere."""
    if auth != "none" or is_loopback(address):
        return None
    shown = address or "every interface (the default)"
    return (
        f"the dashboard has no sign-in configured and would listen on {shown}. Either start it "
        "with --server.address 127.0.0.1 (what `make run` does), or configure sign-in: "
        "`pacing user add NAME --role operator` for local users, or an [auth] section in "
        ".streamlit/secrets.toml for OpenID Connect (see docs/dashboard.md)."
    )
