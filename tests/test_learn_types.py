"""The learned type decision: when it overrules the rules' type or sub-type, what its features
read, the stage that records each change, and the shipped model's provenance."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from marsad.learn.features import text_features
from marsad.learn.linear import MODELS, LinearModel
from marsad.learn.types import NEVER, TypeDecision, TypeEvents, choose, type_features
from marsad.model import Analysis, Document, Event, Sentence
from marsad.pipeline import Pipeline

AIR = "Explosions/Remote violence|Air/drone strike"
SHELL = "Explosions/Remote violence|Shelling/artillery/missile attack"


def _model(classes: tuple[str, ...], weights: dict[str, list[float]]) -> LinearModel:
    vocab = {f: i for i, f in enumerate(weights)}
    w = np.array([weights[f] for f in weights], dtype=np.float32).reshape(len(weights), -1)
    return LinearModel(classes, vocab, w, np.zeros(len(classes), dtype=np.float32), {"model": "test"})


def test_another_type_only_where_the_model_is_sure_of_it() -> None:
    proba = {"Battles|Armed clash": 0.1, AIR: 0.6, SHELL: 0.3}
    # the type's probability is the sum of its sub-types'; its most probable sub-type comes with it
    assert choose(proba, ("Battles", "Armed clash"), 0.8, NEVER) == (
        ("Explosions/Remote violence", "Air/drone strike"), pytest.approx(0.9))
    assert choose(proba, ("Battles", "Armed clash"), 0.95, NEVER) is None


def test_another_sub_type_by_its_share_of_the_type() -> None:
    proba = {"Battles|Armed clash": 0.1, AIR: 0.6, SHELL: 0.3}
    rules = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert choose(proba, rules, 0.8, NEVER) is None  # the type stands; the sub-type threshold is off
    assert choose(proba, rules, 0.8, 0.6) == (("Explosions/Remote violence", "Air/drone strike"),
                                               pytest.approx(2 / 3))
    assert choose(proba, rules, 0.8, 0.7) is None
    assert choose(proba, ("Explosions/Remote violence", "Air/drone strike"), 0.8, 0.5) is None


def test_a_territory_sub_type_of_the_rules_stands() -> None:
    proba = {"Battles|Armed clash": 0.9, "Battles|Non-state actor overtakes territory": 0.1}
    assert choose(proba, ("Battles", "Non-state actor overtakes territory"), 0.8, 0.5) is None
    assert choose(proba, ("Battles", "Government regains territory"), 0.8, 0.5) is None


def test_a_type_the_model_never_saw_keeps_the_rules_sub_type() -> None:
    assert choose({"Battles|Armed clash": 0.6, AIR: 0.4}, ("Riots", "Mob violence"), 0.9, 0.5) is None


def _analysis(text: str, title: str | None = None) -> Analysis:
    from marsad.learn.data import frame_stages

    stages, _ = frame_stages()
    return Pipeline(stages)(Document.from_parts("t", text, date(2018, 3, 5), title))


def test_features_read_the_clause_the_rest_of_the_sentence_the_headline_and_the_article() -> None:
    body = "شنت طائرات حربية غارات على بلدة كفرنبل أمس، وسط اشتباكات بين الجيش وهيئة تحرير الشام."
    a = _analysis(body, title="غارات على ريف إدلب")
    start = a.doc.text.index("شنت")
    clause = (start, start + body.index("، وسط"))
    event = Event("t", "e", "Explosions/Remote violence", "Air/drone strike", evidence=(clause,))
    feats = type_features(a, event, a.by_sentence())
    assert "r:Explosions/Remote violence" in feats and f"rs:{AIR}" in feats
    assert any(f.startswith("t:Explosions/Remote violence|") for f in feats)  # the strikes, in its clause
    assert any(f.startswith("o:t:Battles|") for f in feats)  # the clashes, in the same sentence
    assert any(f.startswith("h:t:Explosions/Remote violence|") for f in feats)  # the headline's strikes
    assert "d:Battles" in feats and "rd:Explosions/Remote violence|Battles" in feats
    assert f"x:{text_features('غارات')[0]}" in feats
    assert len(feats) == len(set(feats))


def _event(conf: float = 0.9) -> Event:
    return Event("t", "e", "Battles", "Armed clash", confidence=conf, evidence=((0, 10),))


def test_the_stage_retypes_where_sure_and_records_the_change() -> None:
    doc = Document("t", "غارة جوية على المدينة.")
    a = Analysis(doc, sentences=(Sentence(0, len(doc.text), doc.text),), events=(_event(),))
    model = _model(("Battles|Armed clash", AIR), {f"x:{text_features('غارة')[0]}": [0.0, 6.0]})
    out = TypeEvents(TypeDecision(model, 0.8, NEVER))(a)
    (e,) = out.events
    assert (e.event_type, e.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    assert e.confidence == 0.9
    # a change, not a drop: recorded with the type the rules gave
    (d,) = out.drops
    assert d.reason == f"retyped:{AIR}" and d.event_type == "Battles"
    unsure = TypeEvents(TypeDecision(model, NEVER, NEVER))(a)
    assert unsure.events == a.events and unsure.drops == ()


def test_the_stage_declares_what_it_reads_and_gives() -> None:
    stage = TypeEvents(TypeDecision(_model(("Battles|Armed clash",), {"bias": [0.0]})))
    assert stage.requires == ("events",) and stage.provides == ("event_types",)


def test_the_shipped_model_says_how_it_was_trained_and_serves_before_the_event_model() -> None:
    path = MODELS / "types.npz"
    if not path.exists():
        pytest.skip("no type model shipped")
    decision = TypeDecision.load(path)
    meta = decision.model.meta
    assert meta["model"] == "types" and meta["cross_validation"]["grouped_by"] == "article"
    assert "held-out refused" in meta["trained_on"]["split"]
    assert 0.5 <= decision.type_threshold <= NEVER and 0.5 <= decision.sub_threshold <= NEVER
    assert all("|" in c for c in decision.model.classes)
    from marsad.stages import default_stages

    names = [s.name for s in default_stages(ner=False, types=True)]
    assert names[-3:] == ["events", "types", "calibrate"]
    # off by default (its cost; docs/learning.md)
    assert [s.name for s in default_stages(ner=False)][-2:] == ["events", "calibrate"]
