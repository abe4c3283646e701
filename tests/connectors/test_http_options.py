"""The HTTP options parse with units and paths, and bad values are named with what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, parse_config

from .conftest import shipped_raw


def test_http_options_are_read_with_durations_and_paths_relative_to_the_config(
    tmp_path: Path,
) -> None:
    raw = shipped_raw()
    raw["stat_source"] = {
        "kind": "http",
        "url": "https://stats.example/pacing",
        "ca_bundle": "certs/ca.pem",
        "stale_after": "20s",
        "primary_recheck": "1min",
        "retries": 0,
    }
    raw["publisher"].update(concurrency=8, lease_ttl="10s", budget_ratio=0.5, retries=1)
    config = parse_config(raw, source="t", base_dir=tmp_path)
    assert config.stat_source.ca_bundle == tmp_path / "certs" / "ca.pem"
    assert (config.stat_source.stale_after_s, config.stat_source.primary_recheck_s) == (20, 60)
    assert config.stat_source.retries == 0
    publisher = config.publisher
    assert (publisher.concurrency, publisher.lease_ttl_s, publisher.budget_ratio) == (8, 10, 0.5)


def test_bad_http_options_are_each_named() -> None:
    raw = shipped_raw()
    raw["publisher"].update(concurrency=0, budget_ratio=2, lease_ttl="soon")
    with pytest.raises(ConfigError) as raised:
        parse_config(raw)
    problems = "\n".join(raised.value.problems)
    assert "publisher.concurrency: 0 — expected a whole number of requests between 1 and 32" in (
        problems
    )
    assert "publisher.budget_ratio: 2 — expected a number between 0.05 and 1" in problems
    assert 'publisher.lease_ttl: "soon" — expected a duration' in problems


def test_a_lease_shorter_than_the_publish_deadline_is_refused() -> None:
    # The master confirms its lease outlives the publish before publishing: with this lease
    # no node would ever publish.
    raw = shipped_raw()
    raw["pacing"]["refreshPeriod"] = 5
    raw["publisher"].update(kind="http", lease_ttl="3s", budget_ratio=0.8)
    with pytest.raises(ConfigError) as raised:
        parse_config(raw)
    assert (
        "publisher.lease_ttl: 3 s — expected more than the publish deadline, "
        "budget_ratio × pacing.refreshPeriod = 4 s"
    ) in "\n".join(raised.value.problems)
