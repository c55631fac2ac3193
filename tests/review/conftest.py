"""Fixtures of the review desk's tests: a desk over SQLite and over a throwaway PostgreSQL
cluster (skipped where the server binaries are absent)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.review.db import Desk
from marsad.review.pgtemp import TempCluster, server_bin

_ids = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[TempCluster | None]:
    if server_bin() is None:
        yield None
        return
    cluster = TempCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def desk_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "desk.db")
    cluster = request.getfixturevalue("pg_cluster")
    if cluster is None:
        pytest.skip("no PostgreSQL server binaries on this machine")
    return cluster.create_db(f"t{next(_ids)}")


@pytest.fixture
def desk(desk_url: str) -> Iterator[Desk]:
    d = Desk.open(desk_url)
    try:
        yield d
    finally:
        d.close()
