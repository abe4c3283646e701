"""Typed readers over one TOML table that collect problems instead of raising.

Every problem reads `where: value — expected …` so one `ConfigError` can list them all. A reader
remembers which keys it was asked about; `finish()` reports every other key as unknown, with a
"did you mean" suggestion, so a typo never passes silently. Every number is checked against
its declared range (`config.ranges`), every string against a length; values and keys are
quoted short, whatever their size.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from config.limits import MAX_PROBLEMS_KEPT, MAX_PROBLEMS_SHOWN, MAX_TEXT_CHARS
from config.ranges import option_range

_T = TypeVar("_T", bound=str)

MISSING = "missing"
_SHOWN_CHARS = 80


class ProblemList(list[str]):
    """The problems found so far; beyond `MAX_PROBLEMS_KEPT`, only counted.

    A file of a million typos must stay as cheap to reject as a file of one: readers ask
    `full` before composing a message, and `more` counts the ones not kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self.more = 0

    @property
    def full(self) -> bool:
        return len(self) >= MAX_PROBLEMS_KEPT

    def append(self, problem: str) -> None:
        if self.full:
            self.more += 1
        else:
            super().append(problem)

    def extend(self, problems: Iterable[str]) -> None:
        for problem in problems:
            self.append(problem)


class ConfigError(Exception):
    """A configuration that cannot be used; `problems` lists every problem found, one per line.

    The message lists the first `MAX_PROBLEMS_SHOWN` and counts the rest.
    """

    def __init__(self, problems: list[str], source: str = "<memory>") -> None:
        self.problems = list(problems)
        self.source = source
        count = len(self.problems) + (problems.more if isinstance(problems, ProblemList) else 0)
        noun = "problem" if count == 1 else "problems"
        header = f"configuration {clip(source)} has {count} {noun}:"
        lines = [header, *(f"  {problem}" for problem in self.problems[:MAX_PROBLEMS_SHOWN])]
        if count > MAX_PROBLEMS_SHOWN:
            lines.append(f"  … and {count - MAX_PROBLEMS_SHOWN:,} more")
        super().__init__("\n".join(lines))


def clip(text: str, size: int = _SHOWN_CHARS) -> str:
    """`text`, cut to `size` characters with an ellipsis when longer."""
    return text if len(text) <= size else text[: size - 1] + "…"


def show(value: object) -> str:
    """A value as the operator wrote it in TOML (strings in double quotes, true/false), short.

    Long strings, long arrays and deep tables are cut: the cost and the length of a problem
    line never depend on the size of the value.
    """
    return clip(_shown(value, 3))


def _shown(value: object, depth: int) -> str:
    if isinstance(value, str):
        return json.dumps(clip(value, _SHOWN_CHARS), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() < 64 else f"{float(value):.3e}"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else json.dumps(value).replace("Infinity", "inf")
    if isinstance(value, list | dict):
        if depth == 0:
            return "[…]" if isinstance(value, list) else "{…}"
        items = list(value.items())[:4] if isinstance(value, dict) else list(value)[:4]
        more = ", …" if len(value) > 4 else ""
        if isinstance(value, dict):
            inner = ", ".join(
                f"{json.dumps(clip(str(k), 40))}: {_shown(v, depth - 1)}" for k, v in items
            )
            return "{" + inner + more + "}"
        return "[" + ", ".join(_shown(item, depth - 1) for item in items) + more + "]"
    return clip(repr(value))


def problem(where: str, value: object, expected: str) -> str:
    return f"{clip(where, 120)}: {show(value)} — expected {expected}"


def suggestion(word: str, choices: Iterable[str]) -> str:
    """` (did you mean "x"?)` when a close choice exists, else an empty string."""
    if len(word) > _SHOWN_CHARS:  # no option name is that long; matching would only cost
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {choice.lower(): choice for choice in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f' (did you mean "{close[0]}"?)' if close else ""


_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|sec|m|min|h)?\s*$")
_DURATION_UNITS_S = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_duration_s(value: object) -> float | None:
    """`"30min"`, `"10s"`, `"1h"`, `"500ms"` or a bare number of seconds; None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer beyond any float: no duration
            return None
    if not isinstance(value, str) or len(value) > _SHOWN_CHARS:
        return None
    match = _DURATION.match(value)
    if match is None:
        return None
    return float(match.group(1)) * _DURATION_UNITS_S[match.group(2) or "s"]


class TableReader:
    """Reads one table at `where` (`pacing`, `virtual_queues[2].pacing`) into typed values."""

    def __init__(self, raw: Mapping[str, object], where: str, problems: list[str]) -> None:
        self.raw = raw
        self.where = where
        self.problems = problems
        self._known: list[str] = []

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def report(self, key: str, value: object, expected: str) -> None:
        self.problems.append(problem(self.path(key), value, expected))

    def report_missing(self, key: str, expected: str) -> None:
        self.problems.append(f"{clip(self.path(key), 120)}: {MISSING} — expected {expected}")

    def has(self, key: str) -> bool:
        self._mark(key)
        return key in self.raw

    def _mark(self, key: str) -> None:
        if key not in self._known:
            self._known.append(key)

    def value(self, key: str) -> object:
        self._mark(key)
        return self.raw.get(key)

    def finish(self, what: str = "option") -> None:
        """Report every key nobody asked about."""
        for key in self.raw:
            if key not in self._known:
                if isinstance(self.problems, ProblemList) and self.problems.full:
                    self.problems.more += 1  # counted, not composed (no suggestion search)
                    continue
                expected = f"one of {', '.join(self._known)}" if self._known else "nothing here"
                self.problems.append(
                    f"{clip(self.path(key), 120)}: unknown {what} — expected {expected}"
                    f"{suggestion(key, self._known)}"
                )

    # --- scalars -------------------------------------------------------------------------

    def string(
        self,
        key: str,
        default: str | None = None,
        *,
        required: bool = False,
        max_chars: int = MAX_TEXT_CHARS,
    ) -> str | None:
        value = self.value(key)
        if value is None:
            if required:
                self.report_missing(key, "a non-empty string")
            return default
        if not isinstance(value, str) or not value.strip():
            self.report(key, value, "a non-empty string")
            return default
        if len(value) > max_chars:
            self.report(key, value, f"a string of at most {max_chars:,} characters")
            return default
        return value

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.value(key)
        expected = "a URL starting with http:// or https://"
        if value is None:
            if required:
                self.report_missing(key, expected)
            return None
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            self.report(key, value, f"{expected} of at most {MAX_TEXT_CHARS:,} characters")
            return None
        if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
            self.report(key, value, expected)
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.value(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.report(key, value, "true or false")
            return default
        return value

    def integer(self, key: str, default: int) -> int:
        """A whole number within the option's declared range (`config.ranges`)."""
        bound = option_range(self.path(key))
        value = self.value(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not bound.holds(value):
            self.report(key, value, bound.expected)
            return default
        return value

    def number(self, key: str, default: float) -> float:
        """A finite number within the option's declared range (`config.ranges`)."""
        bound = option_range(self.path(key))
        value = self.value(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not bound.holds(value):
            self.report(key, value, bound.expected)
            return default
        return float(value)

    def choice(self, key: str, default: _T, allowed: Sequence[_T]) -> _T:
        value = self.value(key)
        if value is None:
            return default
        for option in allowed:
            if value == option:
                return option
        listed = ", ".join(f'"{option}"' for option in allowed)
        hint = suggestion(value, allowed) if isinstance(value, str) else ""
        self.report(key, value, f"one of {listed}{hint}")
        return default

    def duration_s(self, key: str, default_s: float) -> float:
        """A duration within the option's declared range (`config.ranges`)."""
        bound = option_range(self.path(key))
        value = self.value(key)
        if value is None:
            return default_s
        seconds = parse_duration_s(value)
        if seconds is None or not bound.holds(seconds):
            self.report(key, value, bound.expected)
            return default_s
        return seconds

    def string_list(
        self, key: str, default: Sequence[str], *, comma_separated: bool = False
    ) -> tuple[str, ...]:
        value = self.value(key)
        if value is None:
            return tuple(default)
        if comma_separated and isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
            return tuple(str(item) for item in value)
        expected = "a list of strings"
        if comma_separated:
            expected += " or a comma-separated string"
        self.report(key, value, expected)
        return tuple(default)

    def path_value(self, key: str, default: str | None, base_dir: Path | None) -> Path | None:
        text = self.string(key, default)
        if text is None:
            return None
        path = Path(text).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        return path

    # --- nested tables -------------------------------------------------------------------

    def table(self, key: str) -> TableReader | None:
        value = self.value(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.report(key, value, f"a table [{self.path(key)}]")
            return None
        return TableReader(value, self.path(key), self.problems)

    def tables(self, key: str, max_count: int) -> list[TableReader]:
        """An array of tables `[[key]]`; each reader's where is `key[i]` (0-based)."""
        value = self.value(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.report(key, "…", f"an array of tables [[{self.path(key)}]]")
            return []
        if len(value) > max_count:
            self.problems.append(
                f"{self.path(key)}: {len(value):,} tables — expected at most {max_count:,} "
                f"[[{self.path(key)}]]"
            )
            return []
        return [
            TableReader(item, f"{self.path(key)}[{index}]", self.problems)
            for index, item in enumerate(value)
        ]
