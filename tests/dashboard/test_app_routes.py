"""The dashboard server's own routes, on a real `streamlit run app.py` (issue 13).

`GET /metrics` is the path a Prometheus scrape uses: it must serve the exposition itself (it
answered 200 with Streamlit's HTML page, which the Prometheus parser rejects at `<!--`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.browser.harness import Dashboard, refused_start, running_dashboard
from tests.support import write_test_config


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("routes")
    config, database = write_test_config(folder)
    with running_dashboard(folder, config, database) as board:
        yield board


@pytest.mark.parametrize("path", ["/metrics", "/metrics/"])
def test_the_metrics_path_serves_the_prometheus_exposition(server: Dashboard, path: str) -> None:
    response = httpx.get(f"{server.url}{path}", timeout=30, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {family.name for family in text_string_to_metric_families(response.text)}
    assert "pacing_database_up" in families


def test_a_dashboard_refuses_to_start_an_embedded_node_that_paces_nothing(tmp_path: Path) -> None:
    config = tmp_path / "pacing.toml"
    config.write_text(f'[node]\ndatabase = "{tmp_path / "pacing.db"}"\n', encoding="utf-8")
    result = refused_start(config)
    assert result.returncode != 0
    assert "nothing will be paced" in result.stdout + result.stderr
    assert not (tmp_path / "pacing.db").exists()
