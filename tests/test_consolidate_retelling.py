"""Retelling facts of an event report (consolidate.retelling) and the pair features built on them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from marsad.consolidate import consolidate
from marsad.consolidate.model import rule_model
from marsad.consolidate.retelling import KINDS, has_cue, report_kind
from marsad.consolidate.similarity import RETELL_FEATURES, RETOLD_FEATURES, pair_features, report
from marsad.model import Document, Event
from marsad.store.sqlite import Store

# Short sentences written for these tests.
NEW = "قصفت الطائرات الحربية بلدة حمورية صباح اليوم."
TOLL = "ارتفعت حصيلة القتلى في القصف على بلدة حمورية إلى 12."
REPLY = "قصفت القوات مواقع المسلحين ردا على الهجوم على البلدة."
ALLEGED = "وزار المفتشون موقع الهجوم الكيماوي المزعوم على دوما."


def row(event_date: str | None = "2018-03-05", published: str = "2018-03-05", dated: bool = True,
        tags: str = "") -> dict:
    prov = {"event_type": [0, 4], **({"event_date": [10, 15]} if dated else {})}
    return {"event_date": event_date, "published": published, "provenance": prov, "tags": tags}


@pytest.mark.parametrize(("text", "expected"), [(NEW, False), (TOLL, True), (REPLY, True), (ALLEGED, True),
                                                ("", False)])
def test_look_back_words(text: str, expected: bool):
    assert has_cue(text) is expected


def test_the_kind_of_a_report():
    assert report_kind(row(), NEW) == "fresh"
    assert report_kind(row(event_date="2018-03-04"), NEW) == "fresh"  # "yesterday" is news of the day
    assert report_kind(row(event_date="2018-03-02"), NEW) == "retold"  # three days before publication
    assert report_kind(row(dated=False), NEW) == "undated"  # the publication day is a fallback
    assert report_kind(row(), TOLL) == "retold"
    assert report_kind(row(tags="air strike;toll updated"), NEW) == "retold"
    # a stored member has no provenance: its day alone says nothing of the date's source
    assert report_kind({"event_date": "2018-03-05", "published": "2018-03-05"}, NEW) == "fresh"
    kinds = {report_kind(r, t) for r, t in ((row(), NEW), (row(dated=False), NEW), (row(), REPLY))}
    assert kinds == set(KINDS)


def test_retelling_features_cross_the_kinds_with_the_day_gap():
    a = {"sub_event_type": "Air/drone strike", "location": "Hammurah", "country": "SY",
         "event_date": "2018-03-05", "report_kind": "fresh"}
    b = {**a, "event_date": "2018-03-08", "report_kind": "retold"}
    feats = pair_features(a, b, 0.3)
    assert "retell:fresh+retold" in feats and "retell:fresh+retold&gap=2" in feats
    assert "retold:1&gap=2" in feats and "undated:0&gap=2" in feats
    same_day = pair_features(a, {**a, "report_kind": "fresh"}, 0.3)
    assert "retell:fresh+fresh&gap=0" in same_day and "retold:0&gap=0" in same_day
    # without the kind (a store consolidated before it was computed): no retelling feature at all
    old = pair_features({**a, "report_kind": None}, b, 0.3)
    assert not [f for f in old if f.startswith(RETELL_FEATURES + RETOLD_FEATURES)]
    assert report(b).kind == "retold"


def test_consolidation_keeps_the_kind_on_each_member(tmp_path: Path):
    reports = [("new", date(2018, 3, 5), NEW, "2018-03-05", (("event_date", 40, 45),), ""),
               ("toll", date(2018, 3, 6), TOLL, "2018-03-05", (), "toll updated")]
    with Store.open(tmp_path / "r.db") as store:
        for doc_id, published, text, day, prov, tags in reports:
            doc = Document(doc_id, text, published, None, "outlet", f"https://example.org/{doc_id}")
            ev = Event(doc_id=doc_id, event_id=f"ev-{doc_id}", event_type="Explosions/Remote violence",
                       sub_event_type="Air/drone strike", event_date=day, country="SY", location="Hammurah",
                       evidence=((0, len(text)),), provenance=prov, tags=tags)
            store.add_result(doc, [ev])
        consolidate(store, model=rule_model())
        kinds = {m["event_id"]: m["report_kind"] for r in store.iter_incidents()
                 for m in (r["members"] if isinstance(r["members"], list) else json.loads(r["members"]))}
    assert kinds == {"ev-new": "fresh", "ev-toll": "retold"}


def test_the_retelling_features_are_made_only_for_a_model_that_weighs_them():
    import numpy as np

    from marsad.consolidate.model import MergeModel
    from marsad.learn.linear import LinearModel

    a = report({**row(), "report_kind": "fresh"})
    b = report({**row("2018-03-04"), "report_kind": "retold"})
    assert any(f.startswith(RETELL_FEATURES) for f in pair_features(a, b, 0.3))
    without = pair_features(a, b, 0.3, retelling=False)
    assert not any(f.startswith(RETELL_FEATURES + RETOLD_FEATURES) for f in without)
    retelling = RETELL_FEATURES + RETOLD_FEATURES
    assert without == [f for f in pair_features(a, b, 0.3) if not f.startswith(retelling)]

    def model(vocab: list[str]) -> MergeModel:
        linear = LinearModel(("separate", "same"), {f: i for i, f in enumerate(vocab)},
                             np.ones((len(vocab), 1), dtype=np.float32), np.zeros(1, dtype=np.float32), {})
        return MergeModel(linear, 0.5)

    assert model(["retell:fresh+retold", "sub=same"]).reads_retelling
    assert not model(["sub=same"]).reads_retelling
    assert not rule_model().reads_retelling
