"""`pacing fake-gpe` runs as a real process with faults from flags and the control API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from config import load_config
from tests.support import ROOT


def test_the_remote_example_points_both_ports_at_the_fakes() -> None:
    config = load_config(ROOT / "examples" / "remote.toml")
    assert (config.stat_source.kind, config.publisher.kind) == ("http", "http")
    assert config.hybrid_integration is not None
    assert config.hybrid_integration.base_auth_url == "http://127.0.0.1:8700/oauth/token"
    assert config.stat_source.backup_url == "http://127.0.0.1:8701/stats"


def test_fake_gpe_serves_statistics_and_switches_faults(tmp_path: Path) -> None:
    env = {**os.environ, "PACING_CLIENT_SECRET": "demo-secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "fake-gpe", "--port", "0", "--fault", "stats_stale=60"]
        + ["--config", str(ROOT / "examples" / "remote.toml")],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = line.split(" serving on ")[1].split()[0]
        state = httpx.get(f"{url}/_fake/state").json()
        assert state["faults"] == {"stats_stale": {"value": "60", "times": None}}
        stats = httpx.get(f"{url}/stats").json()
        assert set(stats["virtual_queues"]) == {"7001", "7002", "7003"}
        refused = httpx.post(f"{url}/_fake/faults", json={"name": "no_such_fault"})
        assert refused.status_code == 400 and "rate_limit" in refused.json()["message"]
        token = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("pacing-demo", "demo-secret"),
        )
        assert token.status_code == 200 and token.json()["expires_in"] > 0
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
