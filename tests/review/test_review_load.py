"""The desk under load (bench/review_load.py, shortened): 50 reviewers on 127.0.0.1 reading
queues and saving edits; p95 under 200 ms, no edit lost or duplicated, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
BENCH = Path(__file__).parents[2] / "bench" / "review_load.py"


def test_fifty_reviewers(desk_url: str) -> None:
    spec = importlib.util.spec_from_file_location("review_load", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    busy = os.getloadavg()[0] > 2 * (os.cpu_count() or 1)  # other jobs on the machine, not the desk
    out = bench.run_load(desk_url, reviewers=50, seconds=8, docs=100)
    assert out["errors"] == []
    assert out["requests"] > 200 and out["edits_acknowledged"] > 20
    assert out["lost_edits"] == 0 and out["duplicated_edits"] == 0 and out["unacknowledged_stored"] == 0
    assert out["edits_stored"] == out["edits_acknowledged"]
    # the latency promise is for a machine the desk has to itself (CI's); the correctness ones always hold
    if busy or os.getloadavg()[0] > 2 * (os.cpu_count() or 1):
        if out["p95_ms"] >= 200:
            warnings.warn(f"p95 {out['p95_ms']:.0f} ms under a load average of {os.getloadavg()[0]:.1f}",
                          stacklevel=1)
        return
    assert out["p95_ms"] < 200, out
