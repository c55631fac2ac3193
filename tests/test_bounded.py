"""Bounded work (issue 17, part 3): caps with named reasons, near-linear growth on pathological
shapes, and the per-document time budget that stops a runaway document while the run goes on.

Growth is checked by counting the work the caps allow (sentence lengths, frames, characters read
for events) and by comparing processor-time ratios generously, never by absolute timing.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from marsad.budget import TimeBudget, TimeBudgetExceeded, check
from marsad.extract.bounds import EVENT_CHARS, FRAMES, LONG_SENTENCE, cap_sentences
from marsad.extract.settings import DEFAULT
from marsad.model import Analysis, Document, Failure, Sentence
from marsad.pipeline import Normalise, Pipeline, Segment
from marsad.run.local import run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from pathological import shape  # noqa: E402

SEED = ("قتل سبعة مدنيين أمس في غارات روسية على مدينة سراقب في ريف إدلب، "
        "بحسب المرصد السوري لحقوق الإنسان.")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.default(events_only=True, ner=False, time_budget=None)


def test_a_long_sentence_is_cut_at_spaces_and_said() -> None:
    text = ("قتل خمسة مدنيين في حلب و" * 400).strip()
    sentences, drops = cap_sentences((Sentence(0, len(text), text),), text, limit=500)
    assert [d.reason for d in drops] == [LONG_SENTENCE] and drops[0].span == (0, len(text))
    assert len(sentences) > len(text) // 500
    for s in sentences:
        assert 0 < s.end - s.start <= 500 and text[s.start:s.end] == s.text
        assert not s.text[0].isspace() and not s.text[-1].isspace()
        assert s.end == len(text) or text[s.end].isspace()  # cut at a space, not mid-word
    # nothing of the text is lost between the pieces but spaces
    gaps = [text[a.end:b.start] for a, b in zip(sentences, sentences[1:], strict=False)]
    assert all(g.isspace() for g in gaps)
    # a run without any space is cut where it must be
    blob = "ق" * 1200
    pieces, _ = cap_sentences((Sentence(0, 1200, blob),), blob, limit=500)
    assert [(p.start, p.end) for p in pieces] == [(0, 500), (500, 1000), (1000, 1200)]


def test_no_cap_on_an_ordinary_article(pipeline: Pipeline) -> None:
    [analysis] = pipeline.run_batch([Document.from_parts("seed", " ".join([SEED] * 30), None,
                                                         "غارات على إدلب")])
    assert isinstance(analysis, Analysis) and analysis.events
    assert not [d for d in analysis.drops if d.reason.startswith("cap:")]


@pytest.mark.parametrize("name", ["dense_towns", "one_sentence", "qutila"])
def test_pathological_shapes_grow_linearly_with_named_caps(pipeline: Pipeline, name: str) -> None:
    seconds = {}
    for n in (10_000, 100_000):
        doc = Document(f"{name}-{n}", shape(name, n))
        t0 = time.thread_time()
        [analysis] = pipeline.run_batch([doc])
        seconds[n] = time.thread_time() - t0
        assert isinstance(analysis, Analysis), analysis
        # the work the caps allow: short sentences, few frames, events read from the window only
        assert all(s.end - s.start <= DEFAULT.max_sentence_chars for s in analysis.sentences)
        assert not analysis.sentences or analysis.sentences[-1].start < DEFAULT.max_event_chars
        assert len(analysis.events) <= DEFAULT.max_frames
        reasons = Counter(d.reason for d in analysis.drops)
        if n > DEFAULT.max_event_chars:
            assert reasons[EVENT_CHARS] == 1  # and said
        for d in analysis.drops:
            assert 0 <= d.span[0] <= d.span[1] <= len(doc.text)
    # ten times the text: at most ~30 times the time (linear is 10; quadratic was 100)
    assert seconds[100_000] <= 30 * max(seconds[10_000], 0.05), seconds


def test_the_frame_cap_names_what_it_leaves(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    events = importlib.import_module("marsad.extract.events")  # (marsad.extract is the function)

    monkeypatch.setattr(events, "DEFAULT", DEFAULT.__class__(max_frames=5))
    text = shape("dense_towns", 3000)
    [analysis] = pipeline.run_batch([Document("many", text)])
    assert isinstance(analysis, Analysis)
    capped = [d for d in analysis.drops if d.reason == FRAMES]
    assert capped and len(analysis.events) <= 5
    # the later stages saw only the sentences up to the cut
    assert analysis.sentences[-1].end <= capped[0].span[0]


# ------------------------------------------------------------------ the time budget


class Runaway:
    """A stage that never ends on a document holding "LOOP" (it checks the deadline as it goes)."""

    name = "runaway"
    requires = ("sentences",)
    provides = ("events",)

    def __call__(self, analysis: Analysis) -> Analysis:
        while "LOOP" in analysis.doc.text:
            check()
        return analysis


def runaway_pipeline() -> Pipeline:
    return Pipeline([Normalise(), Segment(), Runaway()], time_budget=TimeBudget(per_100k=0.01, minimum=0.2))


def test_a_runaway_document_fails_alone() -> None:
    pipe = runaway_pipeline()
    results = pipe.run_batch([Document("a", "هدوء."), Document("b", "LOOP"), Document("c", "هدوء.")])
    assert isinstance(results[0], Analysis) and isinstance(results[2], Analysis)
    assert isinstance(results[1], TimeBudgetExceeded) and "'runaway'" in str(results[1])
    with pytest.raises(TimeBudgetExceeded):
        pipe(Document("b", "LOOP"))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_run_records_it_with_its_id_and_goes_on(workers: int) -> None:
    items = [Document("a", "هدوء."), Document("b", "LOOP"), Failure("x", "malformed JSON", "f:3"),
             Document("c", "هدوء.")]
    results = list(run(items, runaway_pipeline, workers=workers, batch_size=2))
    assert [r[0].doc_id if r[0] else r[2].doc_id for r in results] == ["a", "b", "x", "c"]
    failure = results[1][2]
    assert failure is not None and failure.doc_id == "b" and failure.source == "budget"
    assert failure.reason.startswith("time budget: over its time budget of 0.2 s")
    assert results[3][2] is None


def test_budget_of_the_command_line() -> None:
    assert TimeBudget.of(0) is None and TimeBudget.of(None) is None
    assert TimeBudget.of(3.0) == TimeBudget(3.0, 10.0)
    assert TimeBudget.of(0.3).seconds(1000) == pytest.approx(1.0)  # the floor follows the rate
    assert TimeBudget().seconds(1_000_000) == pytest.approx(30.0)


def test_records_of_a_hand_built_document_with_lone_surrogates_are_writable(pipeline: Pipeline) -> None:
    """Found by the fuzz campaign: readers and extract() replace lone surrogates, but a Document built
    by hand kept them in the record's text fields (location_text ...), unwritable as UTF-8."""
    import json

    text = "قتل خمسة مدنيين أمس في غارة جوية على مدينة إد\ud855لب وحلب."
    [analysis] = pipeline.run_batch([Document("s\udfff", text)])
    assert isinstance(analysis, Analysis) and analysis.events
    for e in analysis.events:
        json.dumps(e.to_record(), ensure_ascii=False).encode("utf-8")


def test_time_budget_on_the_command_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import json

    from marsad.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"doc_id": "a", "text": SEED}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["extract", str(src), "-o", str(tmp_path / "none.jsonl"), "--no-ner", "-q",
                 "--time-budget", "0"]) == 0
    # a budget no article can keep: the document fails with its id and reason, the run finishes
    assert main(["extract", str(src), "-o", str(tmp_path / "tiny.jsonl"), "--no-ner", "-q",
                 "--time-budget", "0.00001"]) == 1
    assert any("'a'" in r.getMessage() and "time budget" in r.getMessage() for r in caplog.records)
    done = json.loads((tmp_path / "tiny.jsonl.done").read_text(encoding="utf-8"))
    assert done["doc_id"] == "a" and done["status"] == "failed"


def test_cut_sentences_keep_the_offsets_on_any_text() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from("قتل حلب \t\u00a0\u200f.٣"), min_size=1, max_size=400),
           st.integers(min_value=1, max_value=60))
    def prop(text: str, limit: int) -> None:
        whole = (Sentence(0, len(text), text),)
        pieces, drops = cap_sentences(whole, text, limit=limit)
        assert bool(drops) == (len(text) > limit)
        last = 0
        for p in pieces:
            assert last <= p.start < p.end <= len(text) and p.end - p.start <= limit
            assert text[p.start:p.end] == p.text and text[last:p.start].strip() == ""
            last = p.end
        assert text[last:].strip() == ""

    prop()
