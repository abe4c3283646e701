from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from config import (
    AgentGroup,
    Config,
    ConfigError,
    SecretUnavailableError,
    VirtualQueue,
    derive_targets,
    describe,
    load_config,
    parse_config,
)
from domain.targets import TargetAgent
from tests.support import ROOT as REPO_ROOT

BASE: dict[str, Any] = {
    "virtual_queues": [
        {"name": "Proactive Chat", "number": "7001", "pacing": {"media": "chat"}},
        {"name": "Proactive Voice", "number": "7002", "pacing": {"media": "voice"}},
        {"name": "Inbound Email", "number": "7004"},
    ],
    "agents": [
        {"name": "anna", "skills": {"Spanish": 7, "Sales": 2}},
        {"name": "ben", "skills": {"Spanish": 3, "Sales": 5}},
    ],
    "agent_groups": [
        {
            "name": "Chat Team",
            "agents": ["anna", "ben"],
            "capacity": {"chat": 3},
            "origination_dns": ["Proactive Chat"],
        },
        {
            "name": "Blended",
            "agents": ["anna", "carl"],
            "capacity": {"chat": 2, "voice": 1},
            "origination_dns": ["7001", "Proactive Voice"],
        },
    ],
}


def raw(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document.update(changes)
    return document


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(document)
    return caught.value.problems


def only_problem(document: dict[str, Any]) -> str:
    problems = problems_of(document)
    assert len(problems) == 1, problems
    return problems[0]


def target(config: Config, target_id: str) -> Any:
    return next(t for t in config.targets if t.target_id == target_id)


# --- the shipped example -------------------------------------------------------------------


def test_the_shipped_pacing_toml_loads_without_warnings_and_paces_three_queues() -> None:
    config = load_config(REPO_ROOT / "pacing.toml")
    assert config.warnings == ()
    assert [t.target_id for t in config.targets] == [
        "Proactive Chat - chat",
        "Proactive Voice - voice",
        "Sales Chat - chat",
    ]
    assert all(t.agents for t in config.targets)
    assert any(group.blended for group in config.agent_groups)
    assert any(group.skill_expression for group in config.agent_groups)
    assert config.node.database_path == REPO_ROOT / "data" / "pacing.db"
    assert "Proactive Chat - chat" in describe(config)


# --- derived targets -----------------------------------------------------------------------


def test_each_paced_queue_becomes_a_target_sorted_by_id_and_unpaced_queues_do_not() -> None:
    config = parse_config(raw())
    assert [t.target_id for t in config.targets] == [
        "Proactive Chat - chat",
        "Proactive Voice - voice",
    ]


def test_a_blended_group_serves_both_its_chat_and_voice_targets() -> None:
    config = parse_config(raw())
    assert target(config, "Proactive Chat - chat").groups == ("Chat Team", "Blended")
    assert target(config, "Proactive Voice - voice").groups == ("Blended",)
    assert [g.blended for g in config.agent_groups] == [False, True]


def test_agent_slots_are_the_group_capacity_for_the_target_media() -> None:
    voice = target(parse_config(raw()), "Proactive Voice - voice")
    assert voice.agents == (TargetAgent("anna", 1), TargetAgent("carl", 1))
    assert voice.total_slots == 2


def test_an_agent_in_two_groups_counts_once_with_the_larger_capacity() -> None:
    chat = target(parse_config(raw()), "Proactive Chat - chat")
    assert chat.agents == (TargetAgent("anna", 3), TargetAgent("ben", 3), TargetAgent("carl", 2))


def test_agents_of_a_group_without_the_queue_media_do_not_count_for_it() -> None:
    document = raw()
    document["agent_groups"][1]["capacity"] = {"chat": 2}
    config = parse_config(document)
    voice = target(config, "Proactive Voice - voice")
    assert voice.groups == ("Blended",)
    assert voice.agents == ()
    assert config.warnings == (
        'agent_groups[1].capacity: group "Blended" serves "Proactive Voice" (voice) but has no '
        "voice capacity — its agents will not count there",
        'virtual_queues[1]: "Proactive Voice" is served only by groups with no agents able to '
        "handle voice — it will never get agents",
    )


def test_a_skill_expression_group_is_resolved_against_the_roster() -> None:
    document = raw()
    document["agent_groups"][0] = {
        "name": "Spanish",
        "skill_expression": "Spanish > 5 & Sales >= 2",
        "capacity": {"chat": 1},
        "origination_dns": ["Proactive Chat"],
    }
    config = parse_config(document)
    assert config.agent_groups[0].agents == ("anna",)


def test_count_makes_identical_agents_with_zero_padded_names() -> None:
    config = parse_config(raw(agents=[{"name": "chat", "count": 3, "skills": {"Sales": 1}}]))
    assert [a.name for a in config.agents] == ["chat-01", "chat-02", "chat-03"]
    assert config.agents[2].skill_levels == {"Sales": 1}
    many = parse_config(raw(agents=[{"name": "x", "count": 100}]))
    assert many.agents[0].name == "x-001"


def test_goal_defaults_to_the_cluster_optimization_goal() -> None:
    document = raw(pacing={"optimizationGoal": 4.5})
    document["virtual_queues"][1]["pacing"]["optimizationGoal"] = 5
    config = parse_config(document)
    assert target(config, "Proactive Chat - chat").goal_pct == 4.5
    assert target(config, "Proactive Voice - voice").goal_pct == 5.0


def test_derive_targets_works_on_values_built_by_hand() -> None:
    queues = [VirtualQueue("Q", "1", "1", "chat", 3.0)]
    groups = [AgentGroup("G", ("a",), None, (("chat", 2),), ("Q",), ("Q",))]
    (only,) = derive_targets(queues, groups)
    assert (only.target_id, only.agents) == ("Q - chat", (TargetAgent("a", 2),))


def test_two_queues_deriving_the_same_target_id_are_an_error() -> None:
    queues = [
        VirtualQueue("A - chat", "1", "1", "x", 3.0),
        VirtualQueue("A", "2", "2", "chat - x", 3.0),
    ]
    with pytest.raises(ConfigError) as caught:
        derive_targets(queues, [])
    assert caught.value.problems == [
        'virtual_queues[1]: "A - chat - x" — expected a pacing target id not derived from '
        "another virtual queue as well"
    ]


# --- defaults ------------------------------------------------------------------------------


def test_an_empty_file_gives_every_default() -> None:
    config = parse_config({})
    assert config.targets == ()
    assert (config.pacing.refresh_period_s, config.pacing.default_goal_pct) == (5.0, 3.0)
    assert config.pacing.algorithm == "predictive"
    assert config.pacing.optimization_target == "abandonment_rate"
    assert config.pacing_endpoint.target_endpoint == "v2/journey/actiontargets/bulk"
    assert (config.pacing_endpoint.timeout_s, config.pacing_endpoint.chunk_size) == (3.0, 500)
    assert config.metrics.console_log_frequency_s == 1800.0
    assert config.metrics.message_server_enabled is True
    assert config.metrics.heap_usage_threshold_pct == 90.0
    assert (config.log.level, config.log.format, config.log.file) == ("INFO", "text", None)
    assert config.forward_proxy.enabled is False
    assert config.hybrid_integration is None
    assert config.backlog.processor_thread_count == 2
    assert config.backlog.backloggable_starts_with[0] == "SQLITE_BUSY"
    assert config.backlog.folder == Path("data/backlog")
    assert config.node.embedded is True and config.node.timezone == "UTC"
    assert config.stat_source.kind == "simulator" and config.publisher.kind == "simulator"


def test_durations_accept_units_and_bare_seconds() -> None:
    metrics = parse_config(
        raw(
            metrics={
                "reporter.console.logFrequency": "10s",
                "reporter.log.logFrequency": "1500ms",
                "reporter.messageServer.logFrequency": 100,
            }
        )
    ).metrics
    assert metrics.console_log_frequency_s == 10.0
    assert metrics.log_log_frequency_s == 1.5
    assert metrics.message_server_log_frequency_s == 100.0


def test_starts_with_accepts_a_comma_separated_string_like_the_original() -> None:
    backlog = parse_config(raw(Backlog={"BackLoggableErrorsList.StartsWith": "08, 66,HY"})).backlog
    assert backlog.backloggable_starts_with == ("08", "66", "HY")


def test_relative_paths_resolve_against_the_config_file_folder(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "pacing.toml"
    path.parent.mkdir()
    path.write_text('[node]\ndatabase = "db/p.db"\n[Backlog]\nfolder = "bl"\n', encoding="utf-8")
    config = load_config(path)
    assert config.node.database_path == path.parent / "db" / "p.db"
    assert config.backlog.folder == path.parent / "bl"


# --- warnings ------------------------------------------------------------------------------


def test_an_alias_different_from_the_number_warns_that_abandoned_counts_read_zero() -> None:
    document = raw()
    document["virtual_queues"][0]["alias"] = "PC"
    assert parse_config(document).warnings == (
        'virtual_queues[0].alias: "PC" differs from number "7001" — abandoned counts '
        '(PACS_VQ_Abandoned) of "Proactive Chat" will read 0; set alias = number',
    )


def test_a_paced_queue_no_group_serves_warns_that_it_never_gets_agents() -> None:
    document = raw()
    document["virtual_queues"].append(
        {"name": "Sales Chat", "number": "7003", "pacing": {"media": "chat"}}
    )
    config = parse_config(document)
    assert config.warnings == (
        'virtual_queues[3]: "Sales Chat" is paced but no agent group lists it in '
        "origination_dns — it will never get agents",
    )
    assert target(config, "Sales Chat - chat").agents == ()
    assert "1 warning(s):" in describe(config)


# --- errors: every problem named ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        pytest.param(
            ("virtual_queues", 2, "pacing"),
            {"media": "chat,voice"},
            'virtual_queues[2].pacing.media: "chat,voice" — expected one media name',
            id="a comma-separated media",
        ),
        pytest.param(
            ("virtual_queues", 0, "pacing", "media"),
            ["chat", "voice"],
            'virtual_queues[0].pacing.media: ["chat", "voice"] — expected one media name',
            id="a list of media",
        ),
        pytest.param(
            ("virtual_queues", 0, "pacing"),
            {"optimizationGoal": 3},
            "virtual_queues[0].pacing.media: missing — expected one media name",
            id="a pacing section without media",
        ),
        pytest.param(
            ("virtual_queues", 0, "pacing", "optimizationGoal"),
            140,
            "virtual_queues[0].pacing.optimizationGoal: 140 — expected a number between 0 and 100",
            id="an optimization goal outside 0 to 100",
        ),
        pytest.param(
            ("virtual_queues", 2, "number"),
            7004,
            'virtual_queues[2].number: 7004 — expected a string such as "7004"',
            id="a number that is not a string",
        ),
        pytest.param(
            ("virtual_queues", 0, "Alias"),
            "7001",
            "virtual_queues[0].Alias: unknown option — expected one of name, number, alias, "
            'pacing (did you mean "alias"?)',
            id="an unknown queue key",
        ),
        pytest.param(
            ("agent_groups", 1, "name"),
            "Chat Team",
            'agent_groups[1].name: "Chat Team" — expected a name not used by agent_groups[0]',
            id="a duplicate group name",
        ),
        pytest.param(
            ("agent_groups", 0, "skill_expression"),
            "Spanish > 5",
            'agent_groups[0].skill_expression: "Spanish > 5" — expected either agents or '
            "skill_expression, not both",
            id="a group with both agents and a skill expression",
        ),
        pytest.param(
            ("agent_groups", 0, "capacity"),
            {"chat": 0},
            "agent_groups[0].capacity.chat: 0 — expected a whole number of interactions at once "
            "between 1 and 100",
            id="a capacity that is not a positive whole number",
        ),
        pytest.param(
            ("agent_groups", 0, "origination_dns"),
            ["Proactive Chat", "Proactive Chta"],
            'agent_groups[0].origination_dns[1]: "Proactive Chta" — expected the name or number '
            'of a virtual queue (did you mean "Proactive Chat"?)',
            id="an unknown origination dn, with a suggestion",
        ),
    ],
)
def test_a_bad_entry_is_the_only_problem_named_by_its_path_with_what_was_expected(
    path: tuple[str | int, ...], value: Any, problem: str
) -> None:
    document = raw()
    *parents, key = path
    entry: Any = document
    for step in parents:
        entry = entry[step]
    entry[key] = value
    assert only_problem(document) == problem


def test_duplicate_queue_names_and_numbers_are_rejected() -> None:
    document = raw()
    document["virtual_queues"][2] = {"name": "Proactive Chat", "number": "7002"}
    assert problems_of(document) == [
        'virtual_queues[2].name: "Proactive Chat" — expected a name not used by virtual_queues[0]',
        'virtual_queues[2].number: "7002" — expected a number not used by virtual_queues[1]',
    ]


def test_duplicate_agent_names_are_rejected_after_count_expansion() -> None:
    document = raw(agents=[{"name": "x", "count": 2}, {"name": "x-02"}])
    assert (
        only_problem(document) == 'agents[1].name: "x-02" — expected a name not used by agents[0]'
    )


def test_a_group_with_neither_agents_nor_a_skill_expression_is_rejected() -> None:
    document = raw()
    del document["agent_groups"][0]["agents"]
    assert only_problem(document) == (
        "agent_groups[0].agents: missing — expected a list of agent names, or a "
        'skill_expression such as "Spanish > 5"'
    )


def test_a_skill_expression_that_does_not_parse_names_the_column() -> None:
    document = raw()
    del document["agent_groups"][0]["agents"]
    document["agent_groups"][0]["skill_expression"] = "Spanish >> 5"
    assert only_problem(document) == (
        'agent_groups[0].skill_expression: "Spanish >> 5" — expected a skill level '
        '(a whole number between 0 and 1,000,000), found ">" at column 10'
    )


def test_an_unknown_option_is_rejected_with_a_did_you_mean() -> None:
    assert only_problem(raw(pacing={"refreshPeriodd": 5})) == (
        "pacing.refreshPeriodd: unknown option — expected one of refreshPeriod, "
        'optimizationGoal, algorithm, optimizationTarget (did you mean "refreshPeriod"?)'
    )


def test_an_unknown_section_is_rejected_with_a_did_you_mean() -> None:
    problem = only_problem(raw(pacingEndpoints={}))
    assert problem.startswith("pacingEndpoints: unknown section — expected one of node, pacing,")
    assert problem.endswith('(did you mean "pacingEndpoint"?)')


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"pacing": {"algorithm": "progresive"}},
            'pacing.algorithm: "progresive" — expected one of "predictive", "progressive", '
            '"adaptive" (did you mean "progressive"?)',
        ),
        (
            {"pacing": {"refreshPeriod": 0}},
            "pacing.refreshPeriod: 0 — expected a number of seconds between 0.1 and 3,600",
        ),
        (
            {"pacingEndpoint": {"chunkSize": 0}},
            "pacingEndpoint.chunkSize: 0 — expected a whole number of entities between 1 and 5,000",
        ),
        (
            {"metrics": {"reporter.console.logFrequency": "30 minutes"}},
            'metrics.reporter.console.logFrequency: "30 minutes" — expected a duration between '
            '1 s and 1 day, such as "30s", "10min", "1h", "500ms" or a number of seconds',
        ),
        (
            {"metrics": {"reporter.log.enabled": "yes"}},
            'metrics.reporter.log.enabled: "yes" — expected true or false',
        ),
        (
            {"log": {"level": "VERBOSE"}},
            'log.level: "VERBOSE" — expected one of "DEBUG", "INFO", "WARNING", "ERROR"',
        ),
        (
            {"Backlog": {"Processor.ThreadCount": 0}},
            "Backlog.Processor.ThreadCount: 0 — expected a whole number of threads between 1 "
            "and 16",
        ),
        (
            {"Backlog": {"DiskSpaceMonitor.MaxUsedMB": 400}},
            "Backlog.DiskSpaceMonitor.MaxUsedMB: 400 — expected more than "
            "DiskSpaceMonitor.WarningUsedMB (500)",
        ),
        (
            {"node": {"timezone": "Mars/Olympus"}},
            'node.timezone: "Mars/Olympus" — expected an IANA time zone name such as '
            '"Europe/Paris"',
        ),
        (
            {"stat_source": {"kind": "http"}},
            "stat_source.url: missing — expected a URL starting with http:// or https://",
        ),
        (
            {"forward-proxy": {"enabled": True, "host": "proxy"}},
            "forward-proxy.port: missing — expected a port number between 1 and 65535",
        ),
        (
            {"publisher": {"kind": "http"}},
            'hybrid_integration: missing — expected the section when publisher.kind is "http" '
            "(base_auth_url, base_service_url, client_id, client_secret_env)",
        ),
        (
            {"simulator": {"seed": "x"}},
            'simulator.seed: "x" — expected',
        ),
    ],
)
def test_each_bad_option_is_named_with_what_was_expected(
    section: dict[str, Any], message: str
) -> None:
    problem = only_problem(raw(**section))
    if message.endswith("— expected"):
        assert problem.startswith(message)  # the simulator words its own expectations
    else:
        assert problem == message


HYBRID = {
    "base_auth_url": "https://login.example.com/oauth/token",
    "base_service_url": "https://api.example.com/api/",
    "client_id": "pacing",
    "client_secret_env": "PACING_TEST_SECRET",
}


def test_a_client_secret_written_in_the_file_is_rejected_without_showing_it() -> None:
    problem = only_problem(raw(hybrid_integration={**HYBRID, "client_secret": "s3cret"}))
    assert problem == (
        "hybrid_integration.client_secret: (hidden) — expected no secret in the configuration "
        "file: remove it and put it in an environment variable named by client_secret_env or "
        "in a file named by client_secret_file"
    )
    assert "s3cret" not in problem


def test_a_password_key_in_hybrid_integration_is_rejected_too() -> None:
    problem = only_problem(raw(hybrid_integration={**HYBRID, "password": "s3cret"}))
    assert problem.startswith("hybrid_integration.password: (hidden) — expected no secret")


def test_hybrid_integration_urls_must_be_http_and_a_secret_source_is_required() -> None:
    document = raw(
        hybrid_integration={
            "base_auth_url": "login.example.com",
            "base_service_url": "https://api.example.com/api/",
            "client_id": "pacing",
        }
    )
    assert problems_of(document) == [
        'hybrid_integration.base_auth_url: "login.example.com" — expected a URL starting '
        "with http:// or https://",
        "hybrid_integration.client_secret_env: missing — expected the name of the environment "
        "variable holding the client secret (or client_secret_file: the path of a file "
        "holding it)",
    ]


def test_the_client_secret_is_read_from_the_environment_at_use_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hybrid = parse_config(raw(hybrid_integration=HYBRID)).hybrid_integration
    assert hybrid is not None
    monkeypatch.setenv("PACING_TEST_SECRET", "from-env")
    assert hybrid.client_secret() == "from-env"
    assert "from-env" not in repr(hybrid)
    monkeypatch.delenv("PACING_TEST_SECRET")
    with pytest.raises(SecretUnavailableError) as caught:
        hybrid.client_secret()
    assert caught.value.problems == [
        "hybrid_integration: environment variable PACING_TEST_SECRET is not set or empty — "
        "expected the secret in PACING_TEST_SECRET (set it before starting the node)"
    ]


def test_the_client_secret_is_read_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n", encoding="utf-8")
    hybrid_table = {**HYBRID, "client_secret_file": "secret"}
    del hybrid_table["client_secret_env"]
    path = tmp_path / "pacing.toml"
    lines = [f'{key} = "{value}"' for key, value in hybrid_table.items()]
    path.write_text("[hybrid_integration]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(path)
    assert config.hybrid_integration is not None
    assert config.hybrid_integration.client_secret() == "from-file"
    assert "from-file" not in repr(config)
    secret_file.unlink()
    with pytest.raises(SecretUnavailableError, match=r"cannot read .*secret \(No such file"):
        config.hybrid_integration.client_secret()


def test_the_proxy_password_comes_from_an_environment_variable() -> None:
    proxy = parse_config(
        raw(**{"forward-proxy": {"enabled": True, "host": "p", "port": 3128, "password_env": "PX"}})
    ).forward_proxy
    assert proxy.password({"PX": "pw"}) == "pw"
    assert "pw" not in repr(proxy).replace("password", "")


def test_every_problem_is_reported_together_in_one_error() -> None:
    document = raw(pacing={"refreshPeriod": -1, "algoritm": "x"})
    document["virtual_queues"][0]["pacing"]["media"] = "chat,voice"
    document["agent_groups"][0]["origination_dns"] = ["nowhere"]
    with pytest.raises(ConfigError) as caught:
        parse_config(document, "site.toml")
    assert str(caught.value) == "\n".join(
        [
            "configuration site.toml has 4 problems:",
            "  pacing.refreshPeriod: -1 — expected a number of seconds between 0.1 and 3,600",
            "  pacing.algoritm: unknown option — expected one of refreshPeriod, optimizationGoal,"
            ' algorithm, optimizationTarget (did you mean "algorithm"?)',
            '  virtual_queues[0].pacing.media: "chat,voice" — expected one media name',
            '  agent_groups[0].origination_dns[0]: "nowhere" — expected the name or number of a '
            "virtual queue",
        ]
    )


# --- the file itself -----------------------------------------------------------------------


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}: missing file — expected a TOML configuration file (start from the "
        "pacing.toml shipped in the repository)"
    ]


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[pacing]\nrefreshPeriod = 5\nalgorithm "progressive"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}: invalid TOML — expected valid TOML syntax: ")
    assert "line 3" in problem
    assert str(caught.value).startswith(f"configuration {path} has 1 problem:")
