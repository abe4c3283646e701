"""Reading the configuration file: bounded before anything is parsed.

The file is read up to `MAX_FILE_BYTES`, checked to be UTF-8 (the position of the first bad
byte is named) and pre-scanned for nesting and size of structure before `tomllib` builds it.
Every way the file can be unreadable ends in one `ConfigError` line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

# tomli is the standard library's tomllib (same parser, same errors) compiled with mypyc:
# a 10,000-target file parses in about half the time. tomllib when it is not installed.
try:
    import tomli as tomllib
except ImportError:  # pragma: no cover - requirements.txt installs it
    import tomllib  # type: ignore[no-redef]

from config.limits import MAX_FILE_BYTES, decode_problem, structure_problem
from config.reader import ConfigError


def read_toml(path: Path) -> Mapping[str, object]:
    """The TOML document at `path`, or one `ConfigError` saying why there is none."""
    data = _read_bytes(path)
    problem = decode_problem(data)
    if problem is not None:
        raise ConfigError([f"{path}: {problem}"], str(path))
    structure = structure_problem(data)
    if structure is not None:
        raise ConfigError([f"{path}: {structure}"], str(path))
    try:
        return tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            [f"{path}: invalid TOML — expected valid TOML syntax: {error}"], str(path)
        ) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        raise ConfigError(
            [
                f"{path}: invalid TOML — a whole number of more than 4,300 digits; expected "
                "numbers an option can hold"
            ],
            str(path),
        ) from None


def _read_bytes(path: Path) -> bytes:
    """At most `MAX_FILE_BYTES` + 1 bytes: a bigger file (or a device) is never read whole."""
    try:
        with path.open("rb") as file:
            data = _read_at_most(file, MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            [
                f"{path}: missing file — expected a TOML configuration file "
                "(start from the pacing.toml shipped in the repository)"
            ],
            str(path),
        ) from None
    except OSError as error:
        raise ConfigError(
            [f"{path}: unreadable file ({error.strerror}) — expected a readable TOML file"],
            str(path),
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            [
                f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB — expected a configuration "
                f"file of at most {MAX_FILE_BYTES // 2**20} MiB"
            ],
            str(path),
        )
    return data


def _read_at_most(file: BinaryIO, limit: int) -> bytes:
    """Up to `limit` bytes, a megabyte at a time (a device or a pipe never ends)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = file.read(min(2**20, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)
