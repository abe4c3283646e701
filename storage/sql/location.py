"""Where the database is: a SQLite file path or a PostgreSQL URL, parsed once and redacted.

`[node] database` (and the tools) accept either; everything downstream asks the parsed
`DatabaseLocation` which engine it names instead of looking at the string again. The password
of a URL never leaves this module in clear: `redacted` is the only form for logs, UI and errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["DatabaseLocation", "DatabaseLocationError", "Dialect", "parse_location"]

Dialect = Literal["sqlite", "postgresql"]

# Every spelling of PostgreSQL we accept; all are served by psycopg 3.
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
_EXPECTED = "expected a SQLite file path or a postgresql://user@host:5432/dbname URL"
_SECRET_QUERY_KEYS = ("password", "sslpassword")


class DatabaseLocationError(ValueError):
    """The database setting is neither a SQLite path nor a PostgreSQL URL."""


@dataclass(frozen=True, slots=True)
class DatabaseLocation:
    """A parsed database location: the engine it names and the SQLAlchemy URL to reach it."""

    dialect: Dialect
    url: URL
    path: Path | None = None  # the SQLite file; None for PostgreSQL

    @property
    def redacted(self) -> str:
        """The location for logs, UI and error messages: the password is never shown."""
        if self.path is not None:
            return str(self.path)
        return _redact(self.url)

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:  # a dataclass repr would print the URL with its password
        return f"DatabaseLocation({self.redacted!r})"


def parse_location(value: str | Path, *, where: str = "database") -> DatabaseLocation:
    """Parse a SQLite path or a `postgresql://` URL; `where` names the setting in errors."""
    if isinstance(value, Path):
        return _sqlite(value)
    text = value.strip()
    if not text:
        raise DatabaseLocationError(f"{where}: empty — {_EXPECTED}")
    if "://" not in text:
        return _sqlite(Path(text))
    scheme = text.split("://", 1)[0].lower()
    if scheme in _SQLITE_SCHEMES:
        return _sqlite(Path(text.split("://", 1)[1].removeprefix("/")))
    if scheme not in _POSTGRES_SCHEMES:
        shown = scheme if scheme.isascii() and len(scheme) < 40 else "?"
        raise DatabaseLocationError(f"{where}: a {shown}:// URL — {_EXPECTED}")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseLocationError(
            f"{where}: {_redact_text(text)!r} is not a valid URL ({type(exc).__name__}) — "
            f"{_EXPECTED}"
        ) from None
    return DatabaseLocation("postgresql", url.set(drivername="postgresql+psycopg"))


def _sqlite(path: Path) -> DatabaseLocation:
    if not str(path):
        raise DatabaseLocationError(f"database: a SQLite URL without a path — {_EXPECTED}")
    return DatabaseLocation("sqlite", URL.create("sqlite+pysqlite", database=str(path)), path)


def _redact(url: URL) -> str:
    query = {
        key: ("***" if key.lower() in _SECRET_QUERY_KEYS else value)
        for key, value in url.query.items()
    }
    shown = url.set(drivername=url.get_backend_name(), query=query)
    return shown.render_as_string(hide_password=True)


def _redact_text(text: str) -> str:
    """Best effort for a URL SQLAlchemy could not parse: drop everything before the host."""
    scheme, _, rest = text.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}" if "@" in rest else text
