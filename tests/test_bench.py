"""The benchmark runs end to end on a small synthetic corpus and reports what it promises.

A behaviour test, not a timing test: it checks counts, structure and the JSON file, never speed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marsad.bench import build_baseline, dictionary_keys, run_benchmark
from marsad.pipeline import Normalise, Pipeline, Segment


def stand_in() -> Pipeline:
    return Pipeline([Normalise(), Segment()], timings=True)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl"
    lines = [json.dumps({"doc_id": f"b{i}", "text": f"قصفت طائرات مدينة حلب وقتل {i} مدنيين. وأصيب آخرون."},
                        ensure_ascii=False) for i in range(40)]
    lines[3] = "{broken"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_run_benchmark_table_and_json(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    table = run_benchmark([corpus], limit=25, json_path=out, workers=2, pipeline_factory=stand_in,
                          with_cold_start=False)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["marsad"]["documents"] == 25
    assert data["read"]["documents"] == data["baseline"]["documents"] == 25
    assert data["read"]["failures"] == 1  # the broken line is reported, not counted as a document
    assert data["marsad_2_workers"]["documents"] == 25
    assert data["marsad_2_workers"]["same_events"] is True
    assert set(data["stage_seconds"]) == {"normalise", "segment"}
    assert data["stage_documents"] == 25
    assert data["peak_rss_mb"] > 0 and data["baseline_keys"] > 0
    for label in ("read only", "baseline", "marsad, 1 worker", "marsad, 2 workers", "speed-up", "normalise",
                  "median of 3", "1-worker passes"):
        assert label in table
    # three 1-worker passes, each with its own pipeline; the reported one is the median
    passes = sorted(p["seconds"] for p in data["marsad_passes"])
    assert len(passes) == 3 and len(data["baseline_passes"]) == 3
    assert data["marsad"]["seconds"] == passes[1]
    assert all(p["documents"] == 25 for p in data["marsad_passes"])


def test_baseline_automaton_finds_keys() -> None:
    keys, sources = dictionary_keys(None)  # no pipeline: the data/*.tsv fallback
    assert sources and sources[-1].startswith("data/*.tsv")
    auto = build_baseline(["حلب", "قصف"])
    assert auto.find("قصف على حلب") == [(0, 3, 3), (8, 11, 3)]
    assert keys == sorted(set(keys))


def test_profile_pipeline_reports_stages(corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyinstrument")
    from marsad.bench import profile_pipeline

    html = tmp_path / "profile.html"
    text = profile_pipeline([corpus], limit=10, html_path=html, pipeline_factory=stand_in)
    assert "Pipeline.__call__" in text
    assert html.stat().st_size > 0
