"""Publish 10,000 targets per cycle to the fake engagement platform over loopback.

Prints the round-trip time of a whole publish (all chunks, sent concurrently) and the bytes on
the wire per target (request and answer, HTTP headers included), with and without gzip.
Asserts nothing.

    .venv/bin/python benchmarks/gpe_publish.py [TARGETS] [CYCLES]
"""

from __future__ import annotations

import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import HybridIntegration, parse_config  # noqa: E402
from connectors.gpe import EngagementPublisher, PublisherSettings  # noqa: E402
from connectors.http_retry import RetryPolicy, build_exchanger  # noqa: E402
from domain.decisions import PacingDecision  # noqa: E402
from domain.signals import CollectingSink  # noqa: E402
from domain.statistics import TargetStatistics  # noqa: E402
from fakes import FakeCredentials, FakeRemote  # noqa: E402

SECRET_ENV = "PACING_BENCH_SECRET"


def run(remote: FakeRemote, count: int, cycles: int, *, gzip: bool) -> None:
    integration = HybridIntegration(
        f"{remote.url}/oauth/token", f"{remote.url}/api/", "bench", client_secret_env=SECRET_ENV
    )
    ids = [f"Virtual Queue {i:05d} - chat" for i in range(count)]
    settings = PublisherSettings(
        chunk_size=500,
        concurrency=4,
        gzip=gzip,
        budget_s=60.0,
        policy=RetryPolicy(retries=0, timeout_s=30.0),
    )
    publisher = EngagementPublisher(
        integration,
        settings,
        dict.fromkeys(ids, "chat"),
        CollectingSink(),
        build_exchanger(max_connections=8),
    )
    decisions = [PacingDecision(t, i % 7, 5.0, 12.0, "progressive") for i, t in enumerate(ids)]
    stats = {t: TargetStatistics(t, 10, 4, 6, 1, 120 + i, 3) for i, t in enumerate(ids)}
    publisher.publish(decisions[:1], stats, time.time())  # token and connections warm
    before = remote.state()
    times_s = []
    for _ in range(cycles):
        started = time.perf_counter()
        answers = publisher.publish(decisions, stats, time.time())
        times_s.append(time.perf_counter() - started)
        assert len(answers) == count, f"only {len(answers)} of {count} answered"
    time.sleep(0.2)  # the server counts its last answer's bytes after sending it
    after = remote.state()
    publisher.close()
    per_target = cycles * count
    bytes_in = (after["bulk_bytes_in"] - before["bulk_bytes_in"]) / per_target
    bytes_out = (after["bulk_bytes_out"] - before["bulk_bytes_out"]) / per_target
    requests = (after["bulk_requests"] - before["bulk_requests"]) / cycles
    print(
        f"gzip={'on ' if gzip else 'off'}  {count} targets, {requests:.0f} requests/cycle: "
        f"round trip median {statistics.median(times_s) * 1000:.0f} ms "
        f"(min {min(times_s) * 1000:.0f}, max {max(times_s) * 1000:.0f}); "
        f"bytes/target request {bytes_in:.1f}, answer {bytes_out:.1f}"
    )


def main(count: int, cycles: int) -> None:
    import os

    os.environ[SECRET_ENV] = "bench-secret"
    raw = tomllib.loads((ROOT / "pacing.toml").read_text(encoding="utf-8"))
    config = parse_config(raw, source="pacing.toml")
    remote = FakeRemote(
        config.targets,
        config.agent_groups,
        config.simulator,
        credentials=FakeCredentials("bench", "bench-secret"),
    ).start()
    try:
        for gzip in (False, True):
            run(remote, count, cycles, gzip=gzip)
    finally:
        remote.stop()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
    )
