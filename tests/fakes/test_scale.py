"""The scale generator writes configurations the node accepts and documents it can parse."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from config.model import Config, parse_config
from connectors.http_stats.document import parse_document
from fakes.scale import scale_config_text, scale_stats_document


def _config(n: int, tmp_path: Path) -> Config:
    text = scale_config_text(n)
    return parse_config(tomllib.loads(text), "scale.toml", base_dir=tmp_path)


def test_every_queue_is_a_target_served_by_its_own_group_of_1_to_50_slots(tmp_path: Path) -> None:
    config = _config(120, tmp_path)
    targets = config.targets
    assert len(targets) == 120
    assert {target.media for target in targets} == {"chat", "voice"}
    assert all(len(target.groups) == 1 for target in targets)
    assert len({target.groups[0] for target in targets}) == 120
    assert all(1 <= target.total_slots <= 50 for target in targets)


def test_http_sources_are_configured_when_urls_are_given(tmp_path: Path) -> None:
    text = scale_config_text(3, stats_url="http://127.0.0.1:9/stats", gpe_url="http://127.0.0.1:9/")
    raw = tomllib.loads(text)
    assert raw["stat_source"]["url"] == "http://127.0.0.1:9/stats"
    assert raw["hybrid_integration"]["base_service_url"] == "http://127.0.0.1:9/api/"
    assert raw["publisher"]["kind"] == "http"


def test_documents_parse_for_every_target_and_totals_never_decrease(tmp_path: Path) -> None:
    targets = _config(60, tmp_path).targets
    before = parse_document(
        json.dumps(scale_stats_document(targets, cycle=3, generated_at=0.0)).encode(), targets
    )
    after = parse_document(
        json.dumps(scale_stats_document(targets, cycle=4, generated_at=5.0)).encode(), targets
    )
    assert not before.stale and not after.stale
    assert set(after.figures) == {target.target_id for target in targets}
    for target in targets:
        old, new = before.figures[target.target_id], after.figures[target.target_id]
        assert new.accepted_total >= old.accepted_total
        assert new.abandoned_total >= old.abandoned_total
        assert new.ready_slots + new.busy_slots == target.total_slots
