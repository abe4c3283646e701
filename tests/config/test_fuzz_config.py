"""Fuzz (hypothesis): generated configuration files end in a `Config` or one `ConfigError`.

Files are written to disk and read by `load_config`, the loader every command uses. Most are
valid TOML built from the real section and option names with values of every kind (huge
integers, inf, nan, deep and long arrays, long strings), so the readers themselves are
exercised; some are arbitrary text or bytes. Nothing but `ConfigError` may escape. Time and
memory are bounded by construction (file size, nesting, counts: test_config_hostile.py has a
test for each limit), not by timing here.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import ConfigError, load_config
from tests.support import toml_table

SECTIONS: dict[str, list[str]] = {
    "node": ["node_id", "embedded", "database", "timezone"],
    "pacing": ["refreshPeriod", "optimizationGoal", "algorithm", "optimizationTarget"],
    "pacingEndpoint": ["targetEndpoint", "timeout", "chunkSize", "gzip"],
    "metrics": [
        "reporter.log.enabled",
        "reporter.log.logFrequency",
        "GcLatency.threshold",
        "GcFrequency.threshold",
        "HeapMemoryUsage.threshold",
    ],
    "Backlog": [
        "Processor.ThreadCount",
        "DiskSpaceMonitor.WarningUsedMB",
        "DiskSpaceMonitor.MaxUsedMB",
        "Processor.MaxItemAgeMillis",
        "HiveOff.RetentionDays",
        "HiveOff.StartTime",
        "BackLoggableErrorsList.StartsWith",
    ],
    "alarms": ["on_delay", "off_delay", "cancel_timeout", "webhook_url", "webhook_retries"],
    "stat_source": ["kind", "url", "timeout", "retries", "stale_after", "primary_recheck"],
    "publisher": ["kind", "retries", "concurrency", "lease_ttl", "budget_ratio"],
    "simulator": ["seed", "speed", "shift_length_s", "reactive_per_min", "handle_time_mean_s"],
}

scalars = (
    st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["30s", "1e20h", "500ms", "chat", "http://x", "", "-1"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


sections = st.dictionaries(
    st.sampled_from(sorted(SECTIONS)),
    st.none(),
    max_size=len(SECTIONS),
).flatmap(
    lambda chosen: st.fixed_dictionaries(
        {
            name: st.dictionaries(st.sampled_from(SECTIONS[name]), values, max_size=4)
            for name in chosen
        }
    )
)
queue = st.fixed_dictionaries(
    {"name": st.text(max_size=8) | values, "number": st.sampled_from(["7001", "7002"]) | values},
    optional={
        "pacing": st.fixed_dictionaries({}, optional={"media": values, "optimizationGoal": values})
    },
)
agent = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=6)},
    optional={"count": st.integers(min_value=-3, max_value=200) | values, "skills": values},
)
group = st.fixed_dictionaries(
    {"name": st.text(max_size=6)},
    optional={
        "agents": st.lists(st.text(max_size=6), max_size=3) | values,
        "skill_expression": st.text(alphabet="()&|<>=! SalesSpanish0123456789", max_size=30)
        | values,
        "capacity": st.dictionaries(st.sampled_from(["chat", "voice", "x y"]), values, max_size=2)
        | values,
        "origination_dns": st.lists(st.sampled_from(["7001", "7002", "nowhere"]), max_size=3)
        | values,
    },
)


@st.composite
def files(draw: st.DrawFn) -> str:
    text = "".join(toml_table(name, table) for name, table in draw(sections).items())
    for name, strategy in (("virtual_queues", queue), ("agents", agent), ("agent_groups", group)):
        for table in draw(st.lists(strategy, max_size=3)):
            pacing = table.pop("pacing", None)
            text += toml_table(name, table, array=True)
            if isinstance(pacing, dict):
                text += toml_table(f"{name}.pacing", pacing)
    return text


def loaded(path: Path) -> None:
    try:
        config = load_config(path)
    except ConfigError as error:
        assert str(error).startswith("configuration ")
        return
    options = (config.pacing, config.pacing_endpoint, config.metrics, config.backlog,
               config.stat_source, config.publisher, config.alarms, config.simulator)  # fmt: skip
    for option in options:  # whatever was accepted is a number the node can live with
        for field in fields(option):
            value = getattr(option, field.name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert math.isfinite(value) and abs(value) < 2**63, (field.name, value)


FUZZ = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=files())
def test_a_generated_configuration_is_a_config_or_one_configuration_error(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "pacing.toml"
    path.write_text(text, encoding="utf-8")
    loaded(path)


@FUZZ
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes_are_a_config_or_one_configuration_error(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "pacing.toml"
    path.write_bytes(data)
    loaded(path)
