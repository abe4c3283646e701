"""The cluster tests' database and cluster fixtures.

`cluster_database` names the one database every node of a test shares. Today it is a SQLite
file (nodes on one machine); once the rest of storage runs on PostgreSQL, parametrising this
fixture with a scratch `postgresql://` database (tests/postgres.py) runs every cluster test on
both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import Cluster


@pytest.fixture
def cluster_database(tmp_path: Path) -> str:
    return str(tmp_path / "pacing.db")


@pytest.fixture
def make_cluster(tmp_path: Path, cluster_database: str) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(**options: float) -> Cluster:
        cluster = Cluster(tmp_path, cluster_database, **options)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()
