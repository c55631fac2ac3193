"""The learned split of a sentence's other places on hand-written reports: a small hand-built decision
adds an event at a place named after "، وفي" and not at the provinces named as directions, the list
rule alone splits nothing there, and the shipped decision loads with a threshold."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from marsad.extract.events import EventExtractor
from marsad.extract.placing import ADDED_PLACE
from marsad.learn.linear import LinearModel
from marsad.learn.splits import ANOTHER, SPLIT_MODEL, SplitDecision, candidate_features, candidates, packaged
from marsad.model import Document, Event
from marsad.pipeline import Pipeline

# "coalition jets struck Houthi positions in At Tuhayta district south of Hodeidah province, and in Hays
# district west of Taizz province, yesterday": two places of air strikes, two provinces named as directions
TEXT = ("شنت مقاتلات التحالف العربي غارات على مواقع الحوثيين في مديرية التحيتا جنوب محافظة الحديدة، "
        "وفي مديرية حيس غرب محافظة تعز أمس.")


def decision(threshold: float = 0.5) -> SplitDecision:
    """Trusts a place joined by "و" (log-odds +4), never one right after a direction (-8)."""
    model = LinearModel(("other", ANOTHER), {"and": 0, "dir_before": 1},
                        np.array([[4.0], [-8.0]], dtype=np.float32), np.array([-2.0], dtype=np.float32), {})
    return SplitDecision(model, threshold)


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline.default(ner=False, learned=False)


def _events(pipe: Pipeline, split: SplitDecision | None, text: str = TEXT) -> list[Event]:
    extractor = next(s for s in pipe.stages if isinstance(s, EventExtractor))
    extractor.split_decision = split
    try:
        return list(pipe(Document.from_parts("t", text, date(2018, 6, 5))).events)
    finally:
        extractor.split_decision = None


def test_the_list_rule_alone_keeps_one_event(pipe: Pipeline) -> None:
    assert [e.location for e in _events(pipe, None)] == ["At Tuhayta"]


def test_a_decision_adds_the_place_joined_by_and(pipe: Pipeline) -> None:
    events = _events(pipe, decision())
    assert [e.location for e in events] == ["At Tuhayta", "Hays"]
    assert {e.event_type for e in events} == {"Explosions/Remote violence"}
    # the added event says where it came from; the sentence's own does not
    assert ADDED_PLACE in events[1].tags.split(";") and ADDED_PLACE not in events[0].tags.split(";")
    # its place points at its own span of the text
    where = {f: (s, e) for f, s, e in events[1].provenance}["location"]
    assert TEXT[where[0]:where[1]].endswith("حيس") and where[1] == TEXT.index("حيس") + len("حيس")
    # a decision that trusts nothing adds nothing
    assert [e.location for e in _events(pipe, decision(threshold=0.999))] == ["At Tuhayta"]


def test_candidates_and_features(pipe: Pipeline) -> None:
    a = pipe(Document.from_parts("t", TEXT, date(2018, 6, 5)))
    from marsad.model import MentionKind, Place

    places = [m for m in a.mentions if m.kind is MentionKind.PLACE and isinstance(m.value, Place)]
    tuhayta = next(m for m in places if m.value.name == "At Tuhayta")
    cands = candidates(a, tuhayta.sent, [tuhayta.value])
    names = [m.value.name for m in cands]
    assert "At Tuhayta" not in names and "Hays" in names  # the covered place is no candidate
    assert not candidates(a, tuhayta.sent, [m.value for m in cands] + [tuhayta.value])

    class _Frame:  # (the fields the features read)
        event_type = "Explosions/Remote violence"
        place = tuhayta.value
        sents = [tuhayta.sent]

    feats = {m.value.name: set(f) for m, f in zip(cands, candidate_features(a, _Frame(), cands, [tuhayta]),
                                                  strict=True)}
    assert "and" in feats["Hays"] and "dir_before" not in feats["Hays"]
    assert "side:after" in feats["Hays"]
    province = next(n for n in feats if n != "Hays")
    assert "dir_before" in feats[province]


@pytest.mark.skipif(not SPLIT_MODEL.exists(), reason="no shipped split model")
def test_the_shipped_decision_loads() -> None:
    d = packaged()
    assert d is not None and 0.0 < d.threshold < 1.0
    assert d.model.meta["trained_on"]["split"].startswith("train")


def test_the_sentences_toll_stays_with_the_events_own_place(pipe: Pipeline) -> None:
    text = TEXT.replace("شنت مقاتلات", "قتل ستة مدنيين حين شنت مقاتلات")
    events = _events(pipe, decision(), text)
    assert [(e.location, e.fatalities) for e in events] == [("At Tuhayta", 6), ("Hays", 0)]
