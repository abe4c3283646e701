"""Hostile configuration files (issue 13): each one clear `ConfigError` line, never a traceback.

Every case is a whole file on disk, read by `load_config` (the loader `pacing check-config`,
`pacing node` and the dashboard use); a few go through the real CLI to prove the operator sees
one message and exit code 1. Limits are enforced before the work they bound (`config.limits`),
each with its own test; memory is proven in an address-space-capped process, never by timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_config
from config.limits import (
    MAX_AGENTS,
    MAX_FILE_BYTES,
    MAX_ITEMS,
    MAX_SKILL_EVALUATIONS,
    MAX_TABLES,
    MAX_TARGET_AGENTS,
    MAX_VALUES,
)
from tests.scripted_server import one_target_config
from tests.support import pacing_cli, run_with_memory_limit

GOOD = one_target_config()


def edited(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def with_section(section: str) -> str:
    return GOOD + "\n" + section


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


CASES: dict[str, tuple[str | bytes, str]] = {
    # encodings
    "one byte 0x80": (b"\x80", "not UTF-8: byte 0x80 at line 1, column 1"),
    "a Latin-1 name": (
        edited('name = "Proactive Chat"', 'name = "Jos\xe9"').encode("latin-1"),
        "not UTF-8: byte 0xe9 at line",
    ),
    "a PNG header": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not UTF-8"),
    "UTF-16 with a BOM": (GOOD.encode("utf-16"), "not UTF-8: byte 0xff at line 1, column 1"),
    # depth and recursion
    "arrays 5,000 deep": (
        edited("refreshPeriod = 2.0", f"refreshPeriod = {nested(5000)}"),
        "nested deeper than 16 levels",
    ),
    "inline tables 5,000 deep": (
        edited("refreshPeriod = 2.0", "refreshPeriod = " + "{a = " * 5000 + "1" + "}" * 5000),
        "nested deeper than 16 levels",
    ),
    "a dotted key 5,000 deep": ("a." * 5000 + "b = 1\n", "nested deeper than 16 levels"),
    "3,000 nested parentheses": (
        edited(
            'agents = ["chat-01", "chat-02", "chat-03", "chat-04", "chat-05", "chat-06"]',
            f'skill_expression = "{"(" * 300 + "Sales > 1" + ")" * 300}"',
        ),
        "parentheses nested at most 32 deep",
    ),
    "an expression of 3,000 parentheses": (
        edited(
            'agents = ["chat-01", "chat-02", "chat-03", "chat-04", "chat-05", "chat-06"]',
            f'skill_expression = "{"(" * 3000 + "Sales > 1" + ")" * 3000}"',
        ),
        "an expression of at most 1,000 characters",
    ),
    "a skill level of 900 digits": (
        edited(
            'agents = ["chat-01", "chat-02", "chat-03", "chat-04", "chat-05", "chat-06"]',
            f'skill_expression = "Sales > {"9" * 900}"',
        ),
        "a skill level (a whole number between 0 and 1,000,000)",
    ),
    "an integer of 5,000 digits": (
        edited("refreshPeriod = 2.0", "refreshPeriod = " + "9" * 5000),
        "a whole number of more than 4,300 digits",
    ),
    # numbers out of any sane range
    "refreshPeriod inf": (
        edited("refreshPeriod = 2.0", "refreshPeriod = inf"),
        "pacing.refreshPeriod: inf — expected a number of seconds between 0.1 and 3,600",
    ),
    "refreshPeriod 1e300": (edited("refreshPeriod = 2.0", "refreshPeriod = 1e300"), "0.1 and"),
    "refreshPeriod nan": (edited("refreshPeriod = 2.0", "refreshPeriod = nan"), "0.1 and"),
    "refreshPeriod 1 ns": (edited("refreshPeriod = 2.0", "refreshPeriod = 1e-9"), "0.1 and"),
    "refreshPeriod 2**64": (edited("refreshPeriod = 2.0", f"refreshPeriod = {2**64}"), "0.1 and"),
    "off_delay 1e20 h": (
        with_section('[alarms]\noff_delay = "100000000000000000000h"\n'),
        'alarms.off_delay: "100000000000000000000h" — expected a duration between 0 s and 1 h',
    ),
    "on_delay 1e300": (with_section("[alarms]\non_delay = 1e300\n"), "alarms.on_delay: 1e+300"),
    "cancel_timeout inf": (
        with_section("[alarms]\ncancel_timeout = inf\n"),
        "alarms.cancel_timeout: inf — expected a duration between 1 min and 30 days",
    ),
    "abandonment_window 1e300": (
        with_section("[alarms]\nabandonment_window = 1e300\n"),
        "alarms.abandonment_window",
    ),
    "webhook 1 ns and 10**9 retries": (
        with_section(
            '[alarms]\nwebhook_url = "http://127.0.0.1:9/x"\nwebhook_timeout = 1e-9\n'
            "webhook_retries = 1000000000\n"
        ),
        "alarms.webhook_retries: 1000000000 — expected a whole number of retries between 0 and 10",
    ),
    "logFrequency 1 ns": (
        with_section('[metrics]\n"reporter.log.logFrequency" = 0.000000001\n'),
        "metrics.reporter.log.logFrequency",
    ),
    "GC thresholds 1e300 and inf": (
        with_section('[metrics]\n"GcLatency.threshold" = 1e300\n"GcFrequency.threshold" = inf\n'),
        "metrics.GcFrequency.threshold: inf",
    ),
    "stat source timeout inf": (
        with_section(
            '[stat_source]\nkind = "http"\nurl = "http://127.0.0.1:9/stats"\ntimeout = inf\n'
            "retries = 1000000000\nprimary_recheck = 1e300\nstale_after = 1e300\n"
        ),
        "stat_source.timeout: inf — expected a number of seconds between 0.1 and 60",
    ),
    "publisher concurrency 10**6": (
        with_section(
            "[publisher]\nconcurrency = 1000000\nlease_ttl = 1e300\n[pacingEndpoint]\n"
            "chunkSize = 1000000000000\ntimeout = 1e300\n"
        ),
        "publisher.concurrency: 1000000 — expected a whole number of requests between 1 and 32",
    ),
    "100,000 backlog threads": (
        edited('folder = "backlog"', 'folder = "backlog"\n"Processor.ThreadCount" = 100000'),
        "Backlog.Processor.ThreadCount: 100000 — expected a whole number of threads between 1",
    ),
    "a 1 ms disk check": (
        edited(
            'folder = "backlog"', 'folder = "backlog"\n"DiskSpaceMonitor.CheckIntervalMillis" = 1'
        ),
        "Backlog.DiskSpaceMonitor.CheckIntervalMillis: 1 — expected",
    ),
    "MaxUsedMB 2**63": (
        edited(
            'folder = "backlog"', f'folder = "backlog"\n"DiskSpaceMonitor.MaxUsedMB" = {2**63 - 1}'
        ),
        "Backlog.DiskSpaceMonitor.MaxUsedMB: 9223372036854775807 — expected",
    ),
    "simulator speed 1e300": (with_section("[simulator]\nspeed = 1e300\n"), "simulator.speed"),
    "simulator shift 1e-300": (
        with_section("[simulator]\nshift_length_s = 1e-300\n"),
        "simulator.shift_length_s",
    ),
    "reactive 10**9 per minute": (
        with_section("[simulator]\nreactive_per_min = { default = 1e9 }\n"),
        "simulator.reactive_per_min.default",
    ),
    "seed 2**200": (with_section(f"[simulator]\nseed = {2**200}\n"), "simulator.seed: 1.607e+60"),
    # sizes
    "count 10**9": (
        edited("count = 6", "count = 1000000000"),
        "agents[0].count: 1000000000 — expected a whole number between 1 and 100,000",
    ),
    "capacity 10**9": (
        edited("capacity = { chat = 3 }", "capacity = { chat = 1000000000 }"),
        "capacity.chat: 1000000000 — expected a whole number of interactions at once between 1",
    ),
    "a name of 10,000 characters": (
        edited('name = "Proactive Chat"', f'name = "{"x" * 10_000}"'),
        "expected a string of at most 200 characters",
    ),
}


@pytest.mark.parametrize(("content", "expected"), list(CASES.values()), ids=list(CASES))
def test_a_hostile_file_is_one_clear_configuration_error(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    path = tmp_path / "pacing.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert expected in str(raised.value)
    assert all(len(line) < 400 for line in str(raised.value).splitlines())


THROUGH_THE_CLI = ["one byte 0x80", "arrays 5,000 deep", "3,000 nested parentheses",
                   "refreshPeriod inf", "count 10**9", "an integer of 5,000 digits"]  # fmt: skip


@pytest.mark.parametrize("case", THROUGH_THE_CLI)
def test_check_config_prints_one_message_and_exits_1_without_a_traceback(
    tmp_path: Path, case: str
) -> None:
    content, expected = CASES[case]
    path = tmp_path / "pacing.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = pacing_cli("check-config", str(path), memory_limit_mb=600)  # the CLI needs 430
    assert result.returncode == 1
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 2  # the header line and the problem


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "pacing.toml"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing to read but zeros
    with pytest.raises(ConfigError, match="larger than 64 MiB"):
        load_config(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[[x]]\n" * (MAX_TABLES + 1), "1,500,001 tables — expected at most 1,500,000 tables"),
        (b"".join(b"k%d = 1\n" % i for i in range(MAX_VALUES + 1)), "3,000,001 values"),
        (b"x = [" + b"1," * MAX_ITEMS + b"1]\n", "4,000,001 array items"),
    ],
    ids=["tables", "values", "array items"],
)
def test_the_structure_a_file_would_build_is_counted_before_parsing(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "pacing.toml"
    path.write_bytes(content)
    code = f"from config import load_config, ConfigError\ntry:\n    load_config({str(path)!r})\n"
    code += "except ConfigError as error:\n    print(error)\n"
    result = run_with_memory_limit(code, limit_mb=300)  # parsing first would need gigabytes
    assert expected in result.stdout, result.stderr[-2000:]


def test_the_roster_limit_is_checked_before_any_agent_is_made(tmp_path: Path) -> None:
    entries = MAX_AGENTS // 100_000 + 1
    roster = "".join(f'[[agents]]\nname = "a{i}"\ncount = 100000\n' for i in range(entries))
    path = tmp_path / "pacing.toml"
    path.write_text(roster, encoding="utf-8")
    code = f"from config import load_config, ConfigError\ntry:\n    load_config({str(path)!r})\n"
    code += "except ConfigError as error:\n    print(error)\n"
    result = run_with_memory_limit(code, limit_mb=300)
    expected = f"expected a roster of at most {MAX_AGENTS:,} agents"
    assert expected in result.stdout, result.stderr[-2000:]


def test_skill_groups_are_not_resolved_when_the_work_would_be_too_much(tmp_path: Path) -> None:
    groups = MAX_SKILL_EVALUATIONS // 100_000 + 1
    text = '[[agents]]\nname = "a"\ncount = 100000\nskills = { Sales = 1 }\n'
    text += "".join(
        f'[[agent_groups]]\nname = "g{i}"\nskill_expression = "Sales > 0"\n'
        "capacity = { chat = 1 }\norigination_dns = []\n"
        for i in range(groups)
    )
    path = tmp_path / "pacing.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="skill_expression groups × 100,000 agents"):
        load_config(path)


def test_target_agents_are_counted_before_targets_are_derived(tmp_path: Path) -> None:
    queues = MAX_TARGET_AGENTS // 100_000 + 1
    text = "".join(
        f'[[virtual_queues]]\nname = "q{i}"\nnumber = "{i}"\n[virtual_queues.pacing]\n'
        'media = "chat"\n'
        for i in range(queues)
    )
    names = ", ".join(f'"q{i}"' for i in range(queues))
    text += '[[agents]]\nname = "a"\ncount = 100000\nskills = { Sales = 1 }\n'
    text += '[[agent_groups]]\nname = "all"\nskill_expression = "Sales > 0"\n'
    text += f"capacity = {{ chat = 1 }}\norigination_dns = [{names}]\n"
    path = tmp_path / "pacing.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="agents over all pacing targets"):
        load_config(path)


def test_a_thousand_problems_are_counted_not_all_printed(tmp_path: Path) -> None:
    path = tmp_path / "pacing.toml"
    path.write_text("[pacing]\n" + "".join(f"x{i} = 1\n" for i in range(1000)), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert len(raised.value.problems) == 1000
    assert str(raised.value).splitlines()[-1] == "  … and 950 more"


@pytest.mark.parametrize("content", [b"", b"# nothing here\n"], ids=["empty", "comments only"])
def test_a_file_that_paces_nothing_is_a_warning_for_check_config_and_an_error_for_a_node(
    tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "pacing.toml").write_bytes(content)
    check = pacing_cli("check-config", "pacing.toml", cwd=tmp_path)
    assert check.returncode == 0
    assert "nothing will be paced" in check.stdout
    node = pacing_cli("node", "--config", "pacing.toml", "--cycles", "1", cwd=tmp_path)
    assert node.returncode == 1
    assert "nothing will be paced" in node.stderr and "Traceback" not in node.stderr
    assert not (tmp_path / "data" / "pacing.db").exists()
