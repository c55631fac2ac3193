"""The learned frame opener: which sentences it is asked about, how it reads its classes, the frame
it opens (its trigger a span of the text, its tag and reason), and the shipped model's provenance."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from marsad.extract.events import EventExtractor
from marsad.learn.linear import MODELS, LinearModel
from marsad.learn.opener import (
    NONE,
    OPENED,
    WEAK_ROLES,
    OpenerDecision,
    Opening,
    evidence,
    opener_parts,
    read,
)
from marsad.model import Analysis, Document, Mention, MentionKind
from marsad.pipeline import Pipeline

# written for these tests: a detail sentence whose only event words are a death word and fire
DETAIL = "سقط خمسة قتلى بنيران مجهولين في مدينة الرمادي أمس."
# ... and one with no event word at all
QUIET = "ذكرت الصحيفة أن الطقس كان جميلا."
PUBLISHED = date(2018, 3, 5)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.default(ner=False, events_only=True, learned=False)


@dataclass(frozen=True)
class _Says:
    """An opener that gives every sentence it is asked about the same opening."""

    opening: Opening
    threshold: float

    def judge(self, analysis: Analysis, si: int, by_sent: dict[int, list[Mention]], why: str) -> Opening:
        return self.opening


def _with_opener(pipeline: Pipeline, opener: object, in_articles: bool = True) -> Pipeline:
    extractor = pipeline.stages[-1]
    extractor.opener_decision, extractor.opener_in_articles = opener, in_articles
    return pipeline


def test_the_type_is_the_sum_of_its_sub_types() -> None:
    o = read({NONE: 0.3, "Battles|Armed clash": 0.25, "Violence against civilians|Attack": 0.2,
              "Battles|Government regains territory": 0.05, "Protests|Peaceful protest": 0.2})
    assert o.p_event == pytest.approx(0.7)
    assert (o.event_type, o.sub_event_type) == ("Battles", "Armed clash")  # 0.3 against 0.2
    assert read({NONE: 1.0}) == Opening(0.0, "", "")


def test_only_sentences_with_an_event_word_are_asked(pipeline: Pipeline) -> None:
    for text, expected in ((DETAIL, True), (QUIET, False)):
        a = pipeline(Document.from_parts("t", text, PUBLISHED))
        assert evidence(a.by_sentence().get(0, [])) is expected


def test_talks_alone_are_no_evidence(pipeline: Pipeline) -> None:
    text = "وقعت الحكومة اتفاقا مع المعارضة في جنيف أمس."  # written for this test: an agreement word only
    a = pipeline(Document.from_parts("t", text, PUBLISHED))
    ms = a.by_sentence().get(0, [])
    roles = {m.attr("role") for m in ms if m.kind is MentionKind.TRIGGER}
    assert roles and roles <= WEAK_ROLES and not evidence(ms)


def test_a_long_document_without_frames_is_not_asked(pipeline: Pipeline) -> None:
    # a detail sentence amid four quiet ones, no frame of the rules: the opener is not asked (speed);
    # the same sentence with one quiet one beside it (a feed item) is
    says = _Says(Opening(0.9, "Violence against civilians", "Attack"), 0.5)
    try:
        long = _with_opener(pipeline, says)(Document.from_parts("t", " ".join([QUIET] * 4 + [DETAIL]),
                                                                PUBLISHED))
        short = _with_opener(pipeline, says)(Document.from_parts("t", f"{QUIET} {DETAIL}", PUBLISHED))
    finally:
        _with_opener(pipeline, None)
    assert long.events == () and len(short.events) == 1


def test_an_opener_for_short_documents_is_not_asked_in_an_article(pipeline: Pipeline) -> None:
    # the rules open a frame in the first sentence; the detail sentence after three quiet ones is asked
    # only of an opener that works in articles too; in a feed item both openers are asked
    strike = "قتل ثلاثة مدنيين في غارة جوية على مدينة الرمادي أمس."  # written for this test
    article = Document.from_parts("t", " ".join([strike] + [QUIET] * 3 + [DETAIL]), PUBLISHED)
    item = Document.from_parts("t", DETAIL, PUBLISHED)
    opened = {}
    for articles in (True, False):
        says = _Says(Opening(0.9, "Violence against civilians", "Attack"), 0.5)
        try:
            opened[articles] = [any(d.reason == OPENED
                                    for d in _with_opener(pipeline, says, articles)(doc).drops)
                                for doc in (article, item)]
        finally:
            _with_opener(pipeline, None)
    assert opened == {True: [True, True], False: [False, True]}


def test_the_features_say_what_the_rules_made_of_the_sentence(pipeline: Pipeline) -> None:
    stages = pipeline.stages[:[s.name for s in pipeline.stages].index("actors") + 1]
    a = Pipeline(stages)(Document.from_parts("t", DETAIL, PUBLISHED))
    parts = [p for p in opener_parts(a, 0, a.by_sentence(), "rules:no_typed_trigger") if isinstance(p, str)]
    assert "o:why:rules:no_typed_trigger" in parts and "o:role:kill" in parts and "bias" in parts


def test_a_confident_opener_opens_a_frame_the_rules_do_not(pipeline: Pipeline) -> None:
    doc = Document.from_parts("t", DETAIL, PUBLISHED)
    assert pipeline(doc).events == ()  # the rules alone: no typed trigger, no frame
    says = _Says(Opening(0.8, "Violence against civilians", "Attack"), 0.5)
    try:
        a = _with_opener(pipeline, says)(doc)
    finally:
        _with_opener(pipeline, None)
    [e] = a.events
    assert (e.event_type, e.sub_event_type) == ("Violence against civilians", "Attack")
    assert OPENED in e.tags.split(";")
    assert e.location == "Ramadi"
    # offsets sacred: the trigger is the sentence's strongest event word, a span of the text
    s, t = {f: (s, t) for f, s, t in e.provenance}["event_type"]
    assert DETAIL[s:t] == "قتلى"
    [d] = [d for d in a.drops if d.reason == OPENED]  # the change is named, with the model's P(event)
    assert d.span == (0, len(DETAIL)) and d.p_event == 0.8 and d.event_type == e.event_type


def test_an_unsure_opener_opens_nothing(pipeline: Pipeline) -> None:
    doc = Document.from_parts("t", DETAIL, PUBLISHED)
    try:
        a = _with_opener(pipeline, _Says(Opening(0.4, "Battles", "Armed clash"), 0.5))(doc)
    finally:
        _with_opener(pipeline, None)
    assert a.events == () and not any(d.reason == OPENED for d in a.drops)
    assert any(d.reason == "rules:no_typed_trigger" for d in a.drops)


def test_a_frame_the_rules_open_is_not_asked(pipeline: Pipeline) -> None:
    text = "قتل ثلاثة مدنيين في غارة جوية على مدينة الرمادي أمس."  # a typed trigger: the rules' frame
    doc = Document.from_parts("t", text, PUBLISHED)
    try:
        a = _with_opener(pipeline, _Says(Opening(0.99, "Protests", "Peaceful protest"), 0.0))(doc)
    finally:
        _with_opener(pipeline, None)
    assert a.events and all(e.event_type != "Protests" for e in a.events)
    assert not any(d.reason == OPENED for d in a.drops)


def test_a_linear_model_is_read_as_an_opening() -> None:
    classes = (NONE, "Battles|Armed clash", "Protests|Peaceful protest")
    w = np.array([[0.0, 2.0, 0.0]], dtype=np.float32)
    model = LinearModel(classes, {"o:role:kill": 0}, w, np.zeros(3, dtype=np.float32), {"threshold": 0.6})
    decision = OpenerDecision(model, 0.6)
    a = Pipeline.default(ner=False, learned=False)(Document.from_parts("t", DETAIL, PUBLISHED))
    o = decision.judge(a, 0, a.by_sentence(), "rules:no_typed_trigger")
    assert o.event_type == "Battles" and o.p_event == pytest.approx(1 - 1 / (2 + np.exp(2)), abs=1e-6)
    assert any(m.kind is MentionKind.TRIGGER for m in a.mentions)


def test_the_shipped_opener_says_how_it_was_trained() -> None:
    path = MODELS / "opener.json"
    if not path.exists():
        pytest.skip("no shipped opener")
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert "held-out refused" in meta["trained_on"]["split"]
    assert 0.0 < meta["threshold"] <= 1.01 and "out of fold" in meta["chosen_by"]
    assert meta["cross_validation"]["grouped_by"] == "article"
    assert OpenerDecision.load().threshold == meta["threshold"]


def test_the_opener_is_asked_in_short_documents_by_default() -> None:
    from marsad.stages import default_stages

    def extractor(**kw: str) -> EventExtractor:
        return next(s for s in default_stages(ner=False, **kw) if s.name == "events")

    assert extractor(opener="off").opener_decision is None
    if (MODELS / "opener.npz").exists():
        short, everywhere = extractor(), extractor(opener="all")
        assert isinstance(short.opener_decision, OpenerDecision)
        assert isinstance(everywhere.opener_decision, OpenerDecision)
        assert short.opener_asked_in(3, False) and not short.opener_asked_in(4, True)
        assert everywhere.opener_asked_in(4, True) and not everywhere.opener_asked_in(4, False)
    with pytest.raises(ValueError, match="opener"):
        default_stages(ner=False, opener="sometimes")
