"""Connections that need secrets: the forward proxy and `hybrid_integration`.

Secrets never live in the TOML file or in these dataclasses: the config names an environment
variable or a file, and the secret is read at use time, so no repr or log line can show it.
Import these names from `engine.config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from config.reader import ConfigError, TableReader


class SecretUnavailableError(ConfigError):
    """A secret named in the configuration (environment variable or file) cannot be read."""

    def __str__(self) -> str:
        return "\n".join(self.problems)


def _read_secret(
    where: str, env_name: str | None, file_path: Path | None, environ: Mapping[str, str] | None
) -> str:
    if env_name is not None:
        value = (os.environ if environ is None else environ).get(env_name, "")
        if not value:
            raise SecretUnavailableError(
                [
                    f"{where}: environment variable {env_name} is not set or empty — expected the "
                    f"secret in {env_name} (set it before starting the node)"
                ]
            )
        return value
    if file_path is not None:
        try:
            value = file_path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SecretUnavailableError(
                [
                    f"{where}: cannot read {file_path} ({error.strerror}) — expected a readable "
                    "file holding the secret"
                ]
            ) from error
        if not value:
            raise SecretUnavailableError(
                [f"{where}: {file_path} is empty — expected a file holding the secret"]
            )
        return value
    raise SecretUnavailableError([f"{where}: no secret configured — expected an env var or file"])


@dataclass(frozen=True, slots=True)
class ForwardProxyOptions:
    """The forward proxy; the password is read at use time from `password_env`/`password_file`."""

    enabled: bool = False
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password_env: str | None = None
    password_file: Path | None = None

    def password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The proxy password, or None when no password is configured."""
        if self.password_env is None and self.password_file is None:
            return None
        return _read_secret("forward-proxy", self.password_env, self.password_file, environ)


@dataclass(frozen=True, slots=True)
class HybridIntegration:
    """The engagement platform connection (`hybrid_integration` transaction object).

    Holds only where the client secret lives; `client_secret()` reads it at use time.
    """

    base_auth_url: str
    base_service_url: str
    client_id: str
    client_secret_env: str | None = None
    client_secret_file: Path | None = None

    def client_secret(self, environ: Mapping[str, str] | None = None) -> str:
        """Read the secret now; raise `SecretUnavailableError` naming the variable or file."""
        return _read_secret(
            "hybrid_integration", self.client_secret_env, self.client_secret_file, environ
        )


def _reject_secret(table: TableReader, key: str, env_key: str, file_key: str) -> None:
    if table.has(key):
        table.problems.append(
            f"{table.path(key)}: (hidden) — expected no secret in the configuration file: "
            f"remove it and put it in an environment variable named by {env_key} "
            f"or in a file named by {file_key}"
        )


def _secret_source(
    table: TableReader, env_key: str, file_key: str, base_dir: Path | None
) -> tuple[str | None, Path | None]:
    env_name = table.string(env_key)
    file_path = table.path_value(file_key, None, base_dir)
    if env_name is not None and file_path is not None:
        table.report(file_key, str(file_path), f"either {env_key} or {file_key}, not both")
    return env_name, file_path


def read_forward_proxy(table: TableReader | None, base_dir: Path | None) -> ForwardProxyOptions:
    if table is None:
        return ForwardProxyOptions()
    _reject_secret(table, "password", "password_env", "password_file")
    enabled = table.boolean("enabled", False)
    host = table.string("host", required=enabled)
    port_value = table.value("port")
    port: int | None = None
    expected_port = "a port number between 1 and 65535"
    if port_value is None:
        if enabled:
            table.report_missing("port", expected_port)
    elif (
        isinstance(port_value, int)
        and not isinstance(port_value, bool)
        and port_value in range(1, 65536)
    ):
        port = port_value
    else:
        table.report("port", port_value, expected_port)
    password_env, password_file = _secret_source(table, "password_env", "password_file", base_dir)
    options = ForwardProxyOptions(
        enabled=enabled,
        host=host,
        port=port,
        user=table.string("user"),
        password_env=password_env,
        password_file=password_file,
    )
    table.finish()
    return options


def read_hybrid_integration(
    table: TableReader | None, base_dir: Path | None
) -> HybridIntegration | None:
    if table is None:
        return None
    for key in ("client_secret", "password"):
        _reject_secret(table, key, "client_secret_env", "client_secret_file")
    base_auth_url = table.url("base_auth_url", required=True)
    base_service_url = table.url("base_service_url", required=True)
    client_id = table.string("client_id", required=True)
    env_name, file_path = _secret_source(table, "client_secret_env", "client_secret_file", base_dir)
    if env_name is None and file_path is None:
        table.report_missing(
            "client_secret_env",
            "the name of the environment variable holding the client secret "
            "(or client_secret_file: the path of a file holding it)",
        )
    table.finish()
    return HybridIntegration(
        base_auth_url=base_auth_url or "",
        base_service_url=base_service_url or "",
        client_id=client_id or "",
        client_secret_env=env_name,
        client_secret_file=file_path,
    )
