"""Values as TOML writes them, for problem lines: `true`, `"text"`, `{chat = 180}`, cut short."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time

__all__ = ["shown_toml", "toml_repr"]


def toml_repr(value: object) -> str:
    """Show a value as TOML would write it (`true`, `"text"`, `{chat = 180}`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {toml_repr(v)}" for k, v in value.items())
        return "{" + inner + "}" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_repr(item) for item in value) + "]"
    return repr(value)


def _toml_key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else toml_repr(key)


def shown_toml(value: object) -> str:
    """A value as TOML writes it, cut short: a problem line never grows with the value."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"{float(value):.3e}" if value.bit_length() < 1000 else "a huge integer"
    if isinstance(value, list | tuple | Mapping) and len(value) > 8:
        return "[…]" if isinstance(value, list | tuple) else "{…}"
    text = toml_repr(value)
    return text if len(text) <= 80 else text[:79] + "…"
