"""The local executor: N worker processes give the same results, in the same order, as one.

Synthetic templated reports (no corpus text), a stand-in pipeline that makes events and
raises on a marker, and reader failures mixed in, so that order and ids of failures are
checked as well as events.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from marsad.io.readers import PendingPage, iter_documents
from marsad.model import Analysis, Document, Event, Failure
from marsad.pipeline import Normalise, Pipeline, Segment
from marsad.run.local import RunSummary, run, timed

PLACES = ["حمص", "حماة", "كركوك", "عدن", "مأرب", "سرت", "غزة", "الحسكة"]
_VERB = re.compile(r"قصف|هاجم|فجر")


@dataclass
class VerbEvents:
    """Stand-in stage: an event per sentence with an attack verb; raises on ``BOOM``."""

    name: str = "verb-events"
    requires: tuple[str, ...] = ("sentences",)
    provides: tuple[str, ...] = ("events",)

    def __call__(self, analysis: Analysis) -> Analysis:
        if "BOOM" in analysis.doc.text:
            raise ValueError(f"cannot handle {analysis.doc.doc_id}")
        events = tuple(
            Event(doc_id=analysis.doc.doc_id, event_id=f"{analysis.doc.doc_id}-{k}", event_type="Explosions",
                  sub_event_type="Shelling", evidence=((s.start, s.end),))
            for k, s in enumerate(analysis.sentences) if _VERB.search(s.text)
        )
        return replace(analysis, events=events)


def stand_in() -> Pipeline:
    return Pipeline([Normalise(), Segment(), VerbEvents()])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(3)
    lines = []
    for i in range(300):
        place = rng.choice(PLACES)
        text = (f"قصفت المدفعية أطراف {place} صباح اليوم. وقال شهود إن {rng.randint(2, 40)} قذيفة سقطت."
                if i % 3 else f"زار وفد رسمي مدينة {place} لبحث مشاريع إعادة الإعمار.")
        if i in (50, 210):
            text = "BOOM " + text
        lines.append(json.dumps({"doc_id": f"loc-{i:04d}", "text": text}, ensure_ascii=False))
    lines[20] = "{not json"
    lines[120] = json.dumps({"doc_id": "loc-0001", "text": "هاجم مسلحون حاجزا."}, ensure_ascii=False)
    path = tmp_path_factory.mktemp("local") / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _flatten(results) -> list[tuple]:
    out = []
    for doc, events, failure, drops in results:
        out.append((
            doc.doc_id if doc else None,
            tuple(json.dumps(e.to_record(), ensure_ascii=False) for e in events),
            (failure.doc_id, failure.reason, failure.source) if failure else None,
            drops,
        ))
    return out


def test_two_workers_same_as_one(corpus: Path) -> None:
    one = _flatten(run(iter_documents(corpus), stand_in, workers=1))
    two = _flatten(run(iter_documents(corpus), stand_in, workers=2, batch_size=7))
    assert len(one) == 300
    assert two == one
    assert sum(len(ev) for _, ev, _, _ in one) > 150


@pytest.mark.parametrize("workers", [1, 2])
def test_failures_keep_order_and_ids(corpus: Path, workers: int) -> None:
    results = _flatten(run(iter_documents(corpus), stand_in, workers=workers, batch_size=5))
    failed = [(i, f) for i, (_, _, f, _) in enumerate(results) if f is not None]
    assert [(i, f[0]) for i, f in failed] == [
        (20, "docs.jsonl:21"), (50, "loc-0050"), (120, "loc-0001"), (210, "loc-0210"),
    ]
    reasons = dict((f[0], f[1]) for _, f in failed)
    assert reasons["docs.jsonl:21"].startswith("malformed JSON")
    assert reasons["loc-0050"] == "ValueError: cannot handle loc-0050"
    assert reasons["loc-0001"].startswith("duplicate doc_id")
    assert results[51][0] == "loc-0051" and results[51][2] is None  # the run went on


def test_failure_items_pass_through_in_place() -> None:
    items = [Document("a", "قصفت طائرات قرية."), Failure("b", "empty text", "x:2"), Document("c", "هدوء.")]
    results = list(run(items, stand_in, workers=2, batch_size=1))
    assert [r[0].doc_id if r[0] else r[2].doc_id for r in results] == ["a", "b", "c"]
    assert results[1] == (None, (), items[1], ())


def test_summary_counts(corpus: Path) -> None:
    summary = RunSummary()
    for _ in timed(run(iter_documents(corpus), stand_in, workers=2), summary):
        pass
    assert summary.documents + summary.failures + summary.empty == 300
    assert summary.failures == 4
    assert summary.events == sum(summary.by_type.values())


def test_strict_reraises() -> None:
    with pytest.raises(ValueError):
        list(run([Document("x", "BOOM قصف.")], stand_in, strict=True))


# ---------------------------------------------------------------- HTML pages extracted in the workers


def _warc_with_duplicates(path: Path) -> None:
    """Synthetic pages plus: an empty page whose URL comes again with text, a repeated URL,
    a non-HTML response and a page in cp1256."""
    import io as _io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from marsad.synthetic import synthetic_report

    def page(text: str) -> bytes:
        return f"<html><body><article><p>{text}</p></article></body></html>".encode()

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)

        def response(uri: str, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=_io.BytesIO(body), http_headers=http,
                                                warc_headers_dict={"WARC-Date": "2018-04-02T10:00:00Z"}))

        response("https://x.example/empty", b"<html><body></body></html>")
        for i in range(40):
            response(f"https://x.example/{i}", page(synthetic_report(i, seed=8)["text"]))
            if i == 10:
                response("https://x.example/empty", page("هاجم مسلحون حاجزا في حمص."))
                response("https://x.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
            if i == 20:
                response("https://x.example/3", page("قصف مكرر على عدن."))  # a repeated URL
            if i == 30:
                response("https://x.example/old", page("قصفت المدفعية أطراف مأرب.").decode().encode("cp1256"),
                         "text/html; charset=windows-1256")


def test_pages_extracted_in_workers_give_the_same_results(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    _warc_with_duplicates(warc)
    one = _flatten(run(iter_documents(warc), stand_in, workers=1))
    items = list(iter_documents(warc, defer_pages=True))
    assert sum(isinstance(x, PendingPage) for x in items) == 44  # every HTML page, unextracted
    two = _flatten(run(iter_documents(warc, defer_pages=True), stand_in, workers=2, batch_size=3))
    assert two == one
    failures = {f[0]: f[1] for _, _, f, _ in one if f}
    assert failures["https://x.example/empty"] == "empty text"  # the empty copy; the later one is kept
    assert failures["https://x.example/3"].startswith("duplicate doc_id")
    assert "https://x.example/empty" in [d for d, _, _, _ in one]


@pytest.mark.parametrize("workers", [1, 2])
def test_resumed_run_keeps_the_duplicate_check(tmp_path: Path, workers: int) -> None:
    """Killed after the first copy of a repeated URL and after an empty page whose URL comes
    again with text: the resumed run refuses the repeated copy and keeps the good one."""
    from marsad.run.extract import extract_files
    from marsad.store.checkpoint import done_path_for

    warc = tmp_path / "crawl.warc.gz"
    _warc_with_duplicates(warc)
    full = tmp_path / "full.jsonl"
    summary = extract_files([warc], full, workers=workers, progress=False, ner=False)
    assert (summary.failures, summary.empty) == (1, 1)  # the repeated URL; the empty page (no failure)
    out = tmp_path / "resumed.jsonl"
    extract_files([warc], out, workers=workers, progress=False, ner=False)
    done = done_path_for(out).read_text(encoding="utf-8").splitlines(keepends=True)
    done_path_for(out).write_text("".join(done[:8]), encoding="utf-8")  # as if killed after 8 documents
    resumed = extract_files([warc], out, workers=workers, progress=False, ner=False)
    assert resumed.skipped == 8
    assert out.read_bytes() == full.read_bytes()
    assert resumed.failures == 1  # the repeated URL, after the kill point; the empty page was done before


def test_batch_gc_settings_hold_during_a_run_and_are_restored() -> None:
    import gc

    from marsad.run.local import BATCH_GEN0

    before = gc.get_threshold()
    seen: list[int] = []

    class Probe:
        name, requires, provides = "probe", ("doc",), ()

        def __call__(self, analysis: Analysis) -> Analysis:
            seen.append(gc.get_threshold()[0])
            return analysis

    docs = [Document(f"d{i}", "نص قصير للاختبار") for i in range(3)]
    assert len(list(run(docs, lambda: Pipeline([Probe()])))) == 3
    assert seen == [BATCH_GEN0] * 3
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_long_documents_make_smaller_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("marsad.pipeline.BATCH_CHARS", 100)
    pipeline = stand_in()
    sizes: list[int] = []
    whole = pipeline.run_batch

    def counted(docs: list[Document]) -> list[Analysis | Exception]:
        sizes.append(len(docs))
        return whole(docs)

    pipeline.run_batch = counted  # type: ignore[method-assign]
    docs = [Document(f"d{i}", "قصف " * (40 if i in (2, 3) else 10)) for i in range(8)]  # 160 or 40 characters
    results = list(run(docs, lambda: pipeline))
    assert [r[0].doc_id for r in results] == [d.doc_id for d in docs] and all(r[2] is None for r in results)
    assert sizes == [3, 1, 3, 1]  # (d0 d1 d2) (d3) (d4 d5 d6) (d7): a batch ends once it reaches 100
