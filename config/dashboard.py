"""The `[dashboard]` section: who may sign in to the dashboard, and how.

Import `DashboardOptions` from `engine.config`. Secrets never live here: OpenID Connect keys
go in Streamlit's `.streamlit/secrets.toml`, passwords only as salted scrypt hashes in the
users file written by `pacing user add`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from config.reader import TableReader

AuthMode = Literal["auto", "none", "local", "oidc"]
AUTH_MODES: tuple[AuthMode, ...] = ("auto", "none", "local", "oidc")
DEFAULT_USERS_FILE = "data/users.json"


@dataclass(frozen=True, slots=True)
class DashboardOptions:
    """`auth`: "auto" uses OIDC when secrets.toml has an [auth] section, else the users file
    when it exists, else no sign-in (localhost only)."""

    auth: AuthMode = "auto"
    users_file: Path = Path(DEFAULT_USERS_FILE)
    oidc_provider: str | None = None  # a named [auth.<provider>] of secrets.toml
    oidc_operators: tuple[str, ...] = ()  # e-mail addresses given the operator role


def read_dashboard(table: TableReader | None, base_dir: Path | None) -> DashboardOptions:
    default_file = Path(DEFAULT_USERS_FILE)
    if base_dir is not None:
        default_file = base_dir / default_file
    if table is None:
        return DashboardOptions(users_file=default_file)
    provider = table.string("oidc_provider")
    if provider is not None and "_" in provider:
        table.report("oidc_provider", provider, "a provider name without underscores")
    options = DashboardOptions(
        auth=table.choice("auth", "auto", AUTH_MODES),
        users_file=table.path_value("users_file", DEFAULT_USERS_FILE, base_dir) or default_file,
        oidc_provider=provider,
        oidc_operators=tuple(
            address.strip().lower() for address in table.string_list("oidc_operators", ())
        ),
    )
    table.finish()
    return options
