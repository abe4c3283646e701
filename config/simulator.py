"""The simulator's scenario: every knob of the simulated contact centre, and its TOML parsing.

One table (`SCENARIO_SETTINGS`: name, kind, plausible range, what is expected, help) drives
validation in `Scenario.__post_init__`, the problems `parse_scenario` reports and the README
table, so the three never disagree. The ranges keep the simulator finite: a speed of 1e300 or
a shift of 1e-300 s would spin its event loop for ever, a reactive rate of 1e9 per minute fill
memory with arrivals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from config.limits import MAX_PROBLEMS_KEPT
from config.reader import ProblemList
from config.toml_text import shown_toml, toml_repr

HandleTimeDistribution = Literal["exponential", "lognormal"]
PerMedia = tuple[tuple[str, float], ...]

DEFAULT_MEDIA = "default"
_HOUR_S, _DAY_S, _WEEK_S = 3600.0, 86_400.0, 7 * 86_400.0
_MAX_MEDIA = 100  # entries of a per-media table
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
    expected: str  # completes "<where>.<name>: <value> — expected …" (the range is added)
    help: str
    low: float = -math.inf
    high: float = math.inf

    @property
    def expected_text(self) -> str:
        if math.isinf(self.low) and math.isinf(self.high):
            return self.expected
        return f"{self.expected} between {_bound(self.low)} and {_bound(self.high)}"

    @property
    def range_text(self) -> str:
        if math.isinf(self.low) and math.isinf(self.high):
            return ""
        return f"{_bound(self.low)} – {_bound(self.high)}"


def _bound(value: float) -> str:
    if isinstance(value, int) or (value == int(value) and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:g}"


SCENARIO_SETTINGS: tuple[ScenarioSetting, ...] = (
    ScenarioSetting(
        "seed", "int", "a whole number", "random seed: same seed, same run", 0, 2**63 - 1
    ),
    ScenarioSetting(
        "speed",
        "positive",
        "a number of simulated seconds per wall second",
        "simulated seconds per wall second in the live demo (used by the node, which then sees "
        "handle times and answer delays in wall seconds: ÷ speed)",
        0.01,
        1000,
    ),
    ScenarioSetting(
        "shift_length_s",
        "positive",
        "a number of seconds",
        "how long an agent stays logged in per shift",
        1,
        _WEEK_S,
    ),
    ScenarioSetting(
        "off_shift_s",
        "non_negative",
        "a number of seconds",
        "how long an agent stays logged out between two shifts",
        0,
        _WEEK_S,
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
        "a number of seconds",
        "with start_staffed = false: agents log in at a uniform time within this window",
        0,
        _DAY_S,
    ),
    ScenarioSetting(
        "acceptance_probability",
        "probability",
        "a probability",
        "chance that a visitor accepts an invitation (if before the timeout)",
        0,
        1,
    ),
    ScenarioSetting(
        "accept_delay_mean_s",
        "positive",
        "a number of seconds",
        "mean of the exponential delay before a visitor accepts",
        0.1,
        _HOUR_S,
    ),
    ScenarioSetting(
        "decline_delay_mean_s",
        "positive",
        "a number of seconds",
        "mean of the exponential delay before a visitor declines",
        0.1,
        _HOUR_S,
    ),
    ScenarioSetting(
        "invitation_timeout_s",
        "positive",
        "a number of seconds",
        "an invitation not answered within this time expires",
        0.1,
        _HOUR_S,
    ),
    ScenarioSetting(
        "patience_mean_s",
        "positive",
        "a number of seconds",
        "mean exponential patience of a proactive interaction waiting in the VQ (1e9: never "
        "abandons)",
        0.1,
        1e9,
    ),
    ScenarioSetting(
        "reactive_patience_mean_s",
        "positive",
        "a number of seconds",
        "mean exponential patience of a waiting reactive interaction",
        0.1,
        1e9,
    ),
    ScenarioSetting(
        "visitor_rate_per_min",
        "non_negative",
        "a number of visitors per minute",
        "Poisson rate of web visitors an invitation can be sent to, per target",
        0,
        10_000,
    ),
    ScenarioSetting(
        "handle_time_mean_s",
        "per_media_positive",
        "a number of seconds",
        "mean handle time per media (`default` for the others)",
        0.1,
        1e9,
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
        "a number",
        "sigma of the log of handle time (lognormal only; mean stays handle_time_mean_s)",
        0.01,
        3,
    ),
    ScenarioSetting(
        "reactive_per_min",
        "per_media_non_negative",
        "a number of interactions per minute",
        "Poisson rate of reactive (non-proactive) interactions per target, per media",
        0,
        1_000,
    ),
    ScenarioSetting(
        "disposition_window",
        "positive_int",
        "a whole number",
        "the platform's acceptance rate and delays average the last N dispositions",
        1,
        100_000,
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
    raw: Mapping[str, object], where: str = "simulator", problems: list[str] | None = None
) -> tuple[Scenario, list[str]]:
    """Validate a TOML table; return the scenario (defaults for bad fields) and every problem.

    Per-media tables merge into the defaults: `handle_time_mean_s = {chat = 100}` changes chat
    only. A table that sets `default` stands alone instead: `{default = 300}` is 300 s for every
    media it does not name (merged, the built-in chat, email and voice entries would still
    win). Problems read `simulator.acceptance_probability: 1.5 — expected a probability between
    0 and 1`. With `problems` given (a `ProblemList`), they are added to it and it is returned.
    """
    problems = [] if problems is None else problems
    changes: dict[str, Any] = {}  # each value checked against its setting's kind
    defaults = Scenario()
    for key, value in raw.items():
        setting = _SETTINGS_BY_NAME.get(key)
        if setting is None:
            if len(problems) >= MAX_PROBLEMS_KEPT:  # a million typos: counted, not composed
                if isinstance(problems, ProblemList):
                    problems.more += 1
                continue
            known = ", ".join(_SETTINGS_BY_NAME)
            problems.append(
                f"{where}.{str(key)[:80]}: {shown_toml(value)} — expected a known simulator "
                f"setting ({known})"
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
    """The README table of settings: name, default, plausible range, meaning."""
    defaults = Scenario()
    lines = ["| setting | default | range | meaning |", "|---|---|---|---|"]
    for setting in SCENARIO_SETTINGS:
        value = getattr(defaults, setting.name)
        shown = toml_repr(dict(value)) if setting.kind.startswith("per_media") else toml_repr(value)
        lines.append(f"| `{setting.name}` | `{shown}` | {setting.range_text} | {setting.help} |")
    return "\n".join(lines)


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


def _check_scalar(setting: ScenarioSetting, value: object) -> object | None:
    """The converted value, or None when `value` does not fit the setting's kind and range."""
    kind = setting.kind
    converted = _convert(kind, value)
    number = isinstance(converted, int | float) and not isinstance(converted, bool)
    if number and not setting.low <= converted <= setting.high:  # type: ignore[operator]
        return None
    return converted


def _convert(kind: SettingKind, value: object) -> object | None:
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
        converted = _check_scalar(setting, value)
        if converted is None:
            return None, [f"{place}: {shown_toml(value)} — expected {setting.expected_text}"]
        return converted, []
    if not isinstance(value, Mapping) or not value or len(value) > _MAX_MEDIA:
        example = f"{{chat = 180, default = 200}} (at most {_MAX_MEDIA} media)"
        return None, [
            f"{place}: {shown_toml(value)} — expected a table of media = value, e.g. {example}"
        ]
    problems: list[str] = []
    table: dict[str, float] = {}
    for media, entry in value.items():
        converted = _check_scalar(setting, entry)
        if converted is None:
            problems.append(
                f"{place}.{str(media)[:80]}: {shown_toml(entry)} — expected {setting.expected_text}"
            )
        else:
            assert isinstance(converted, float)
            table[str(media)] = converted
    return table, problems
