"""The simulator's scenario: every knob of the simulated contact centre, and its TOML parsing.

One table (`SCENARIO_SETTINGS`: name, kind, what is expected, help) drives validation in
`Scenario.__post_init__`, the problems `parse_scenario` reports and the README table, so the
three never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any, Literal

HandleTimeDistribution = Literal["exponential", "lognormal"]
PerMedia = tuple[tuple[str, float], ...]

DEFAULT_MEDIA = "default"
_HANDLE_TIME_DISTRIBUTIONS: tuple[str, ...] = ("exponential", "lognormal")

SettingKind = Literal[
    "bool",
    "int",
    "positive_int",
    "positive",
    "non_negative",
    "probability",
    "distribution",
    "per_media_positive",
    "per_media_non_negative",
]


@dataclass(frozen=True, slots=True)
class ScenarioSetting:
    """One scenario setting as the docs and the parser know it."""

    name: str
    kind: SettingKind
    expected: str  # completes "<where>.<name>: <value> — expected …"
    help: str


SCENARIO_SETTINGS: tuple[ScenarioSetting, ...] = (
    ScenarioSetting("seed", "int", "an integer", "random seed: same seed, same run"),
    ScenarioSetting(
        "speed",
        "positive",
        "a positive number of simulated seconds per wall second",
        "simulated seconds per wall second in the live demo (used by the node, which then sees "
        "handle times and answer delays in wall seconds: ÷ speed)",
    ),
    ScenarioSetting(
        "shift_length_s",
        "positive",
        "a positive number of seconds",
        "how long an agent stays logged in per shift",
    ),
    ScenarioSetting(
        "off_shift_s",
        "non_negative",
        "a number of seconds, 0 or more",
        "how long an agent stays logged out between two shifts",
    ),
    ScenarioSetting(
        "start_staffed",
        "bool",
        "true or false",
        "start mid-day: each agent is on or off shift at t=0 in proportion to the shift cycle",
    ),
    ScenarioSetting(
        "login_spread_s",
        "non_negative",
        "a number of seconds, 0 or more",
        "with start_staffed = false: agents log in at a uniform time within this window",
    ),
    ScenarioSetting(
        "acceptance_probability",
        "probability",
        "a probability between 0 and 1",
        "chance that a visitor accepts an invitation (if before the timeout)",
    ),
    ScenarioSetting(
        "accept_delay_mean_s",
        "positive",
        "a positive number of seconds",
        "mean of the exponential delay before a visitor accepts",
    ),
    ScenarioSetting(
        "decline_delay_mean_s",
        "positive",
        "a positive number of seconds",
        "mean of the exponential delay before a visitor declines",
    ),
    ScenarioSetting(
        "invitation_timeout_s",
        "positive",
        "a positive number of seconds",
        "an invitation not answered within this time expires",
    ),
    ScenarioSetting(
        "patience_mean_s",
        "positive",
        "a positive number of seconds",
        "mean exponential patience of a proactive interaction waiting in the VQ",
    ),
    ScenarioSetting(
        "reactive_patience_mean_s",
        "positive",
        "a positive number of seconds",
        "mean exponential patience of a waiting reactive interaction",
    ),
    ScenarioSetting(
        "visitor_rate_per_min",
        "non_negative",
        "a number of visitors per minute, 0 or more",
        "Poisson rate of web visitors an invitation can be sent to, per target",
    ),
    ScenarioSetting(
        "handle_time_mean_s",
        "per_media_positive",
        "a positive number of seconds",
        "mean handle time per media (`default` for the others)",
    ),
    ScenarioSetting(
        "handle_time_distribution",
        "distribution",
        'one of "exponential", "lognormal"',
        "shape of the handle time distribution",
    ),
    ScenarioSetting(
        "handle_time_sigma",
        "positive",
        "a positive number",
        "sigma of the log of handle time (lognormal only; mean stays handle_time_mean_s)",
    ),
    ScenarioSetting(
        "reactive_per_min",
        "per_media_non_negative",
        "a number of interactions per minute, 0 or more",
        "Poisson rate of reactive (non-proactive) interactions per target, per media",
    ),
    ScenarioSetting(
        "disposition_window",
        "positive_int",
        "a positive integer",
        "the platform's acceptance rate and delays average the last N dispositions",
    ),
)
_SETTINGS_BY_NAME = {setting.name: setting for setting in SCENARIO_SETTINGS}


@dataclass(frozen=True, slots=True)
class Scenario:
    """Every knob of the simulated contact centre; see `SCENARIO_SETTINGS` for meanings."""

    seed: int = 42
    speed: float = 1.0
    shift_length_s: float = 8 * 3600.0
    off_shift_s: float = 3600.0
    start_staffed: bool = False
    login_spread_s: float = 900.0
    acceptance_probability: float = 0.3
    accept_delay_mean_s: float = 10.0
    decline_delay_mean_s: float = 20.0
    invitation_timeout_s: float = 60.0
    patience_mean_s: float = 60.0
    reactive_patience_mean_s: float = 300.0
    visitor_rate_per_min: float = 60.0
    handle_time_mean_s: PerMedia = (
        ("chat", 180.0),
        ("default", 200.0),
        ("email", 600.0),
        ("voice", 240.0),
    )
    handle_time_distribution: HandleTimeDistribution = "lognormal"
    handle_time_sigma: float = 0.6
    reactive_per_min: PerMedia = (("default", 1.0),)
    disposition_window: int = 200

    def __post_init__(self) -> None:
        problems: list[str] = []
        for setting in SCENARIO_SETTINGS:
            value = getattr(self, setting.name)
            if setting.kind.startswith("per_media"):
                value = dict(value)
                if DEFAULT_MEDIA not in value:
                    problems.append(f"{setting.name} must have a {DEFAULT_MEDIA!r} entry")
            _, setting_problems = _check(setting, value, "Scenario")
            problems.extend(setting_problems)
        if problems:
            raise ValueError("invalid scenario: " + "; ".join(problems))

    def handle_time_mean_for(self, media: str) -> float:
        """Mean handle time for `media`, falling back to the `default` entry."""
        return _per_media_value(self.handle_time_mean_s, media)

    def reactive_per_min_for(self, media: str) -> float:
        """Reactive arrival rate for `media`, falling back to the `default` entry."""
        return _per_media_value(self.reactive_per_min, media)


def parse_scenario(
    raw: Mapping[str, object], where: str = "simulator"
) -> tuple[Scenario, list[str]]:
    """Validate a TOML table; return the scenario (defaults for bad fields) and every problem.

    Per-media tables merge into the defaults: `handle_time_mean_s = {chat = 100}` changes chat
    only. A table that sets `default` stands alone instead: `{default = 300}` is 300 s for every
    media it does not name (merged, the built-in chat, email and voice entries would still
    win). Problems read `simulator.acceptance_probability: 1.5 — expected a probability between
    0 and 1`.
    """
    problems: list[str] = []
    changes: dict[str, Any] = {}  # each value checked against its setting's kind
    defaults = Scenario()
    for key, value in raw.items():
        setting = _SETTINGS_BY_NAME.get(key)
        if setting is None:
            known = ", ".join(_SETTINGS_BY_NAME)
            problems.append(
                f"{where}.{key}: {toml_repr(value)} — expected a known simulator setting ({known})"
            )
            continue
        converted, setting_problems = _check(setting, value, where)
        if setting_problems:
            problems.extend(setting_problems)
            continue
        if setting.kind.startswith("per_media"):
            assert isinstance(converted, dict)
            merged = {} if DEFAULT_MEDIA in converted else dict(getattr(defaults, key))
            merged.update(converted)
            converted = tuple(sorted(merged.items()))
        changes[key] = converted
    return replace(defaults, **changes), problems


def scenario_settings_markdown() -> str:
    """The README table of settings: name, default, meaning."""
    defaults = Scenario()
    lines = ["| setting | default | meaning |", "|---|---|---|"]
    for setting in SCENARIO_SETTINGS:
        value = getattr(defaults, setting.name)
        shown = toml_repr(dict(value)) if setting.kind.startswith("per_media") else toml_repr(value)
        lines.append(f"| `{setting.name}` | `{shown}` | {setting.help} |")
    return "\n".join(lines)


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


def _per_media_value(table: PerMedia, media: str) -> float:
    fallback = 0.0
    for name, value in table:
        if name == media:
            return value
        if name == DEFAULT_MEDIA:
            fallback = value
    return fallback


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_scalar(kind: SettingKind, value: object) -> object | None:
    """The converted value, or None when `value` does not fit `kind`."""
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind in ("int", "positive_int"):
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        return value if kind == "int" or value > 0 else None
    if kind == "distribution":
        return value if value in _HANDLE_TIME_DISTRIBUTIONS else None
    if not _is_number(value):
        return None
    assert isinstance(value, int | float)
    number = float(value)
    if not math.isfinite(number):
        return None
    if kind in ("positive", "per_media_positive"):
        return number if number > 0 else None
    if kind in ("non_negative", "per_media_non_negative"):
        return number if number >= 0 else None
    if kind == "probability":
        return number if 0 <= number <= 1 else None
    raise AssertionError(f"unhandled setting kind {kind!r}")


def _check(setting: ScenarioSetting, value: object, where: str) -> tuple[object, list[str]]:
    """Convert one setting's value; the problems name the setting (and the media entry)."""
    place = f"{where}.{setting.name}"
    if not setting.kind.startswith("per_media"):
        converted = _check_scalar(setting.kind, value)
        if converted is None:
            return None, [f"{place}: {toml_repr(value)} — expected {setting.expected}"]
        return converted, []
    if not isinstance(value, Mapping) or not value:
        example = "{chat = 180, default = 200}"
        return None, [
            f"{place}: {toml_repr(value)} — expected a table of media = value, e.g. {example}"
        ]
    problems: list[str] = []
    table: dict[str, float] = {}
    for media, entry in value.items():
        converted = _check_scalar(setting.kind, entry)
        if converted is None:
            problems.append(f"{place}.{media}: {toml_repr(entry)} — expected {setting.expected}")
        else:
            assert isinstance(converted, float)
            table[str(media)] = converted
    return table, problems
