"""The Dask executor writes what the local executor writes, and resumes without redoing work.

The corpus is synthetic (templated Arabic reports), 2,000 documents plus a few bad records:
malformed JSON, empty text, a record without ``doc_id`` (its fallback id carries the line
number, so line counting across partitions is checked), a duplicate id in a later partition
and a document that makes the stage raise. Every test runs with a light stand-in pipeline;
the equality test also runs with ``Pipeline.default()`` when it can be built.
"""

from __future__ import annotations

import functools
import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from marsad.consolidate.duplicates import DuplicateIndex
from marsad.io.readers import iter_documents
from marsad.io.writers import document_record, open_writer
from marsad.model import Analysis, Event
from marsad.pipeline import Normalise, Pipeline, Segment
from marsad.run.dask import plan_partitions, run_dask
from marsad.run.local import RunSummary, run, timed

PLACES = ["دمشق", "حلب", "إدلب", "درعا", "الموصل", "صنعاء", "تعز", "بنغازي", "الرقة", "دير الزور"]
ACTORS = ["قوات النظام", "فصائل المعارضة", "الجيش العراقي", "قوات التحالف", "مسلحون مجهولون"]
VERBS = ["قصفت", "هاجمت", "استهدفت", "اشتبكت مع عناصر في"]
QUIET = ["افتتح محافظ {p} معرضا للكتاب", "ارتفعت أسعار الخضار في أسواق {p}", "عقد مجلس {p} اجتماعا"]


def synthetic_records(n: int, seed: int = 7) -> list[dict]:
    """``n`` short templated reports (about two thirds mention an attack), deterministic."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        place, actor = rng.choice(PLACES), rng.choice(ACTORS)
        if rng.random() < 0.66:
            killed = rng.randint(1, 60)
            body = (f"{actor} {rng.choice(VERBS)} مدينة {place} يوم الاثنين. "
                    f"وقتل {killed} شخصا وأصيب {rng.randint(0, 99)} آخرون بحسب مصادر محلية.")
        else:
            body = rng.choice(QUIET).format(p=place) + "."
        out.append({"doc_id": f"syn-{i:05d}", "published": f"2018-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "title": f"تقرير من {place}", "text": body})
    return out


_TRIGGER = re.compile(r"قصف|هاجم|استهدف|اشتبك")
_NUMBER = re.compile(r"\d+")


@dataclass
class ToyEvents:
    """Stand-in event stage: one event per sentence with an attack verb; raises on a marker."""

    name: str = "toy-events"
    requires: tuple[str, ...] = ("sentences",)
    provides: tuple[str, ...] = ("events",)

    def __call__(self, analysis: Analysis) -> Analysis:
        if "BOOM" in analysis.doc.text:
            raise RuntimeError("stand-in failure")
        events = []
        for k, sent in enumerate(analysis.sentences):
            m = _TRIGGER.search(sent.text)
            if not m:
                continue
            place = next((p for p in PLACES if p in sent.text), None)
            nums = _NUMBER.findall(analysis.doc.text)
            events.append(Event(
                doc_id=analysis.doc.doc_id, event_id=f"{analysis.doc.doc_id}-{k}", event_type="Battles",
                sub_event_type="Armed clash", event_date=str(analysis.doc.published), location_text=place,
                fatalities=int(nums[0]) if nums else 0,
                evidence=((sent.start + m.start(), sent.start + m.end()),),
            ))
        return replace(analysis, events=tuple(events))


def light_pipeline() -> Pipeline:
    """Normalise + Segment + the stand-in event stage."""
    return Pipeline([Normalise(), Segment(), ToyEvents()])


def _real_factory() -> Pipeline:
    return Pipeline.default(ner=False)


def _factory(name: str):
    """The pipeline factory of a test parameter; skips when the real pipeline is not there yet."""
    if name == "stand-in":
        return light_pipeline
    try:
        _real_factory()
    except Exception as exc:  # noqa: BLE001 — any import/build error means "not landed yet"
        pytest.skip(f"Pipeline.default() cannot be built yet: {type(exc).__name__}: {exc}")
    return _real_factory


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 good documents and some bad records, as JSONL (line numbers matter)."""
    path = tmp_path_factory.mktemp("corpus") / "reports.jsonl"
    recs = [json.dumps(r, ensure_ascii=False) for r in synthetic_records(2000)]
    recs[10] = '{"doc_id": "broken", "text": '  # malformed JSON
    recs[400] = json.dumps({"doc_id": "empty", "text": "   "})
    recs[777] = json.dumps({"text": "قصفت قوات مجهولة قرية قرب حلب وقتل 3 مدنيين."}, ensure_ascii=False)
    recs[1234] = json.dumps({"doc_id": "syn-00005", "text": "قصفت طائرات مدينة تعز وقتل 9."},
                            ensure_ascii=False)
    recs[1500] = json.dumps({"doc_id": "boom", "text": "BOOM قصفت طائرات مدينة حلب."}, ensure_ascii=False)
    recs.insert(900, "")  # a blank line still counts for line numbers
    path.write_text("\n".join(recs) + "\n", encoding="utf-8")
    return path


def local_output(inputs: list[Path], output: Path, factory) -> list[dict]:
    """What the local executor writes: events of each result, in input order, with their document's
    fields, and none of a document that repeats an earlier one (marsad extract's duplicate check)."""
    copies = DuplicateIndex()
    with open_writer(output) as writer:
        for doc, events, failure, _drops in run(iter_documents(inputs), factory):
            if doc is not None and failure is None and copies.check(doc) is None:
                writer.write_many(document_record(e, doc) for e in events)
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def test_plan_cuts_jsonl_by_bytes(corpus: Path) -> None:
    data = corpus.read_bytes()
    plan = plan_partitions([corpus], "64KB")
    assert len(plan) == -(-len(data) // 64_000) and {p.kind for p in plan} == {"jsonl"}
    assert plan[0].start == 0 and plan[0].offset == 0 and plan[-1].stop == 2001
    assert all(a.stop == b.start for a, b in zip(plan, plan[1:], strict=False))
    for a, b in zip(plan, plan[1:], strict=False):
        assert data[b.offset - 1:b.offset] == b"\n"  # cut at a line end ...
        assert b.offset - a.offset >= 64_000  # ... the first one after 64 KB
        assert data[a.offset:b.offset - 1].count(b"\n") < b.stop - a.start  # ... and not a later one
        assert data[:b.offset].count(b"\n") == b.start  # line numbers as the reader counts them
    assert plan_partitions([corpus], "64KB") == plan  # deterministic, so resume can trust it


@pytest.mark.parametrize("name", ["stand-in", "default"])
def test_dask_output_equals_local_output(corpus: Path, tmp_path: Path, name: str) -> None:
    factory = _factory(name)
    expected = local_output([corpus], tmp_path / "local.jsonl", factory)
    out = tmp_path / "dask.jsonl"
    summary = run_dask([corpus], out, partition_size="64KB", pipeline_factory=factory, n_workers=2,
                       processes=False)
    assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == expected
    assert summary.events == len(expected)
    # 2000 records + 1 blank line: broken, duplicate syn-00005 (and boom, in the stand-in) fail; one is empty
    assert not (tmp_path / "dask.jsonl.parts").exists()
    assert summary.documents + summary.failures + summary.empty == 2000
    if factory is light_pipeline:
        assert (summary.documents, summary.failures, summary.empty) == (1996, 3, 1)
        assert any(e["doc_id"] == "reports.jsonl:778" for e in expected)  # fallback id by line number
        assert not any(e["doc_id"] == "syn-00005" and e["fatalities"] == 9 for e in expected)


def test_dask_parquet_output(corpus: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    local_output([corpus], tmp_path / "local.jsonl", light_pipeline)
    expected = [json.loads(line)
                for line in (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()]
    out = tmp_path / "dask.parquet"
    run_dask([corpus], out, partition_size="128KB", pipeline_factory=light_pipeline, n_workers=2,
             processes=False)
    rows = pq.read_table(out).to_pylist()
    assert [(r["doc_id"], r["event_id"], r["fatalities"]) for r in rows] == [
        (e["doc_id"], e["event_id"], e["fatalities"]) for e in expected
    ]


def test_resume_skips_done_partitions(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marsad.run.dask as dask_mod

    full = tmp_path / "full.jsonl"
    run_dask([corpus], full, partition_size="80KB", pipeline_factory=light_pipeline, n_workers=2,
             processes=False)
    plan = plan_partitions([corpus], "80KB")
    assert len(plan) == 6

    # first run: "killed" after three partitions (the fourth raises), parts kept
    out = tmp_path / "resumed.jsonl"
    real = dask_mod.process_partition

    def dying(part, *args, **kwargs):
        if part.index >= 3:
            raise Killed(part.index)
        return real(part, *args, **kwargs)

    monkeypatch.setattr(dask_mod, "process_partition", dying)
    with pytest.raises(Killed):
        run_dask([corpus], out, partition_size="80KB", pipeline_factory=light_pipeline, n_workers=1,
                 processes=False, retries=0)
    done = sorted(p.name for p in (tmp_path / "resumed.jsonl.parts").glob("*.done.json"))
    assert done == [f"part-{i:05d}.done.json" for i in range(3)]
    assert not out.exists()

    # second run: only the remaining partitions are processed (done ones are not rewritten)
    monkeypatch.setattr(dask_mod, "process_partition", real)
    parts = tmp_path / "resumed.jsonl.parts"
    before = {p.name: p.stat().st_mtime_ns for p in parts.glob("part-*")}
    summary = run_dask([corpus], out, partition_size="80KB", pipeline_factory=light_pipeline, n_workers=2,
                       processes=False, keep_parts=True)
    after = {p.name: p.stat().st_mtime_ns for p in parts.glob("part-*")}
    assert all(after[name] == t for name, t in before.items())
    assert sorted(set(after) - set(before)) == [f"part-{i:05d}{x}" for i in (3, 4, 5)
                                                for x in (".done.json", ".jsonl")]
    # the documents of the three finished partitions: their lines less the blank line, "broken" and "empty"
    assert summary.skipped == plan[3].start - 3
    assert summary.documents + summary.skipped + summary.failures + summary.empty == 2000
    assert out.read_bytes() == full.read_bytes()


class Killed(Exception):
    """Stands for the run being killed mid-way."""


def test_changed_input_invalidates_parts(corpus: Path, tmp_path: Path) -> None:
    src = tmp_path / "small.jsonl"
    src.write_text("\n".join(corpus.read_text(encoding="utf-8").splitlines()[:100]) + "\n", encoding="utf-8")
    out = tmp_path / "ev.jsonl"
    run_dask([src], out, partition_size="3KB", pipeline_factory=light_pipeline, n_workers=1, processes=False,
             keep_parts=True)
    assert (tmp_path / "ev.jsonl.parts" / "_plan.json").exists()
    with src.open("a", encoding="utf-8") as fh:  # the corpus grows: the old parts are stale
        fh.write(json.dumps({"doc_id": "new", "text": "هاجمت قوات مدينة حلب وقتل 4."},
                            ensure_ascii=False) + "\n")
    summary = run_dask([src], out, partition_size="3KB", pipeline_factory=light_pipeline, n_workers=1,
                       processes=False)
    assert summary.skipped == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[-1])["doc_id"] == "new"


def test_process_workers_build_their_own_pipeline(corpus: Path, tmp_path: Path) -> None:
    """Real worker processes (not threads): the factory travels by pickle and is built there."""
    src = tmp_path / "few.jsonl"
    src.write_text("\n".join(corpus.read_text(encoding="utf-8").splitlines()[:120]) + "\n", encoding="utf-8")
    try:
        _real_factory()
        factory = _real_factory
    except Exception:  # noqa: BLE001 — the real pipeline has not landed: use library stages only
        factory = functools.partial(Pipeline, [Normalise(), Segment()])
    local_output([src], tmp_path / "local.jsonl", factory)
    out = tmp_path / "dask.jsonl"
    summary = run_dask([src], out, partition_size="10KB", pipeline_factory=factory, n_workers=2,
                       processes=True)
    assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert summary.documents + summary.failures + summary.empty == 120


def test_directory_of_mixed_inputs(tmp_path: Path) -> None:
    """Parquet cut by row groups, a broken .gz, a text file and a hidden file: same as local."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    recs = synthetic_records(90, seed=11)
    table = pa.Table.from_pylist([{"doc_id": r["doc_id"], "text": r["text"], "title": r["title"]}
                                  for r in recs[:60]]
                                 + [{"doc_id": None, "text": "قصفت مدفعية بلدة قرب درعا وقتل 2.",
                                     "title": None}])
    pq.write_table(table, src / "a.parquet", row_group_size=10)
    (src / "b.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    with (src / "sub" / "c.jsonl").open("w", encoding="utf-8") as fh:
        for r in recs[60:]:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        fh.write(json.dumps(recs[0], ensure_ascii=False))  # duplicate of a Parquet row, no final newline
    (src / "sub" / "d.txt").write_text("هاجم مسلحون نقطة تفتيش في تعز وقتل 5.", encoding="utf-8")
    (src / ".hidden.jsonl").write_text(json.dumps(recs[1], ensure_ascii=False) + "\n", encoding="utf-8")

    meta = pq.ParquetFile(src / "a.parquet").metadata
    group_bytes = [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]
    size = max(group_bytes) + 1  # so that two row groups make a partition
    assert meta.num_row_groups == 7 and all(a + b >= size
                                            for a, b in zip(group_bytes, group_bytes[1:], strict=False))
    plan = plan_partitions([src], size)
    kinds = [p.kind for p in plan]
    assert kinds[:5] == ["parquet"] * 4 + ["file"] and kinds[-1] == "files"  # the broken .gz is read whole
    assert kinds[5:-1] == ["jsonl"] * len(kinds[5:-1]) and len(kinds[5:-1]) >= 2
    assert [(p.start, p.stop, p.offset) for p in plan[:4]] == [(0, 2, 0), (2, 4, 20), (4, 6, 40), (6, 7, 60)]
    expected = local_output([src], tmp_path / "local.jsonl", light_pipeline)
    out = tmp_path / "dask.jsonl"
    summary = run_dask([src], out, partition_size=size, pipeline_factory=light_pipeline, n_workers=2,
                       processes=False)
    assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert any(e["doc_id"] == "a.parquet:61" for e in expected)
    local = RunSummary()
    for _ in timed(run(iter_documents([src]), light_pipeline), local):
        pass
    assert (summary.documents, summary.failures, summary.events) == (local.documents, local.failures,
                                                                     local.events)


def test_small_files_are_grouped(tmp_path: Path) -> None:
    """A directory of one-document files becomes a few partitions, not one per file."""
    src = tmp_path / "pages"
    src.mkdir()
    for i, r in enumerate(synthetic_records(23, seed=5)):
        (src / f"p{i:03d}.txt").write_text(r["text"].ljust(100 + 50 * (i % 3)), encoding="utf-8")
    (src / "p005.txt").write_text("  ", encoding="utf-8")  # an empty page: reported in place
    sizes = [f.stat().st_size for f in sorted(src.iterdir())]
    plan = plan_partitions([src], "1500B")
    groups, total = [0], 0
    for n in sizes:  # the rule: a run ends with the file that brings it to 1,500 bytes or more
        groups[-1], total = groups[-1] + 1, total + n
        if total >= 1500:
            groups.append(0)
            total = 0
    assert [(p.kind, len(p.paths)) for p in plan] == [("files", n) for n in groups if n]
    assert len(plan) > 2
    local_output([src], tmp_path / "local.jsonl", light_pipeline)
    out = tmp_path / "dask.jsonl"
    summary = run_dask([src], out, partition_size="1500B", pipeline_factory=light_pipeline, n_workers=2,
                       processes=False)
    assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (summary.documents, summary.failures, summary.empty) == (22, 0, 1)


def test_warc_split_into_partitions_equals_local_run(tmp_path: Path) -> None:
    """The CI stand-in for the 1 GB WARC: a few-MB .warc.gz cut into several partitions, run
    through the command line on a LocalCluster of 2 processes, gives the local run's file."""
    from marsad.cli import main
    from marsad.synthetic import write_synthetic_warc

    factory = _factory("default")  # skips where the real pipeline cannot be built
    assert factory is _real_factory
    warc = tmp_path / "crawl.warc.gz"
    pages = write_synthetic_warc(warc, 2_500_000, page_padding=6000, noise=4000, seed=9)
    plan = plan_partitions([warc], "400KB")
    assert len(plan) >= 5 and {p.kind for p in plan} == {"warc"}
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert main(["extract", str(warc), "-o", str(local), "-q", "--no-ner"]) == 0
    assert main(["extract", str(warc), "-o", str(dask), "-q", "--no-ner", "--executor", "dask",
                 "--workers", "2", "--partition-size", "400KB"]) == 0
    events = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    assert len({e["doc_id"] for e in events}) > pages / 3  # most reports carry an event
    assert dask.read_bytes() == local.read_bytes()


def test_warc_resume_skips_done_partitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marsad.run.dask as dask_mod
    from marsad.synthetic import write_synthetic_warc

    warc = tmp_path / "crawl.warc"
    write_synthetic_warc(warc, 400_000, page_padding=3000, noise=1000, seed=2)
    expected = local_output([warc], tmp_path / "local.jsonl", light_pipeline)
    assert expected
    real = dask_mod.process_partition

    def dying(part, *args, **kwargs):
        if part.index >= 2:
            raise Killed(part.index)
        return real(part, *args, **kwargs)

    out = tmp_path / "dask.jsonl"
    monkeypatch.setattr(dask_mod, "process_partition", dying)
    with pytest.raises(Killed):
        run_dask([warc], out, partition_size="60KB", pipeline_factory=light_pipeline, n_workers=1,
                 processes=False, retries=0)
    monkeypatch.setattr(dask_mod, "process_partition", real)
    summary = run_dask([warc], out, partition_size="60KB", pipeline_factory=light_pipeline, n_workers=2,
                       processes=False)
    assert summary.skipped > 0 and summary.documents > 0
    assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
