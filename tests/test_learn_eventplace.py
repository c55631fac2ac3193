"""The learned choice of an event's place on hand-written reports: a small hand-built ranker overrules
the rules' pick where its features say so, the shipped ranker reads real sentences, and without a
ranker the geocoder's choice is the rules'."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from marsad.geo.gazetteer import MemoryGazetteer
from marsad.geo.geocode import Geocoder
from marsad.learn.eventplace import (
    EVENT_PLACE,
    EVENT_PLACE_MODEL,
    EventPlaceRanker,
    candidate_features,
    packaged,
)
from marsad.learn.linear import LinearModel
from marsad.model import Analysis, Document, Place
from marsad.text.normalise import normalise

HAYS = Place(1, "Hays", "YE", 13.93, 43.48, "city", 20_000)
HODEIDAH = Place(2, "Al Hudaydah", "YE", 14.80, 42.95, "city", 400_000)
GAZ = MemoryGazetteer({"حيس": [HAYS], "الحديدة": [HODEIDAH]})
# "the coalition struck Hays, south of Hodeidah": the rules take the place nearest after the trigger
TEXT = "قصفت مقاتلات التحالف مواقع قرب الحديدة في مديرية حيس أمس."


def analyse(text: str) -> Analysis:
    doc = Document.from_parts("t", text)
    norm, offsets = normalise(doc.text)
    return Analysis(doc, norm, offsets)


def ranker(prefer: str) -> EventPlaceRanker:
    """A binary model whose only opinion is the feature ``prefer`` (log-odds of "event_place")."""
    model = LinearModel(("other", EVENT_PLACE), {prefer: 0}, np.array([[4.0]], dtype=np.float32),
                        np.array([-2.0], dtype=np.float32), {})
    return EventPlaceRanker(model)


def choose(geo: Geocoder, text: str = TEXT) -> Place | None:
    a = analyse(text)
    ms = geo.resolve(a)
    anchor = text.index("قصفت")
    return geo.event_place(a, ms, [(0, len(text))], anchor)[1]


def test_without_a_ranker_the_rules_choose() -> None:
    rules = choose(Geocoder(GAZ, place_decision=None, event_place_ranker=None))
    assert rules == HODEIDAH  # nearest to the trigger, at equal precision


def test_a_ranker_overrules_the_rules_pick() -> None:
    # a model that trusts a place after "مديرية" (a district) over one after "قرب" (near)
    geo = Geocoder(GAZ, place_decision=None, event_place_ranker=ranker("w-1:مديريه"))
    assert choose(geo) == HAYS
    # and one that agrees with the rules leaves their pick
    geo = Geocoder(GAZ, place_decision=None, event_place_ranker=ranker("rank:0"))
    assert choose(geo) == HODEIDAH


def test_features_describe_each_candidate_against_the_others() -> None:
    geo = Geocoder(GAZ, place_decision=None, event_place_ranker=None)
    a = analyse(TEXT)
    ms = [m for m in geo.resolve(a) if isinstance(m.value, Place)]
    anchor = TEXT.index("قصفت")
    feats = candidate_features(a, ms, [0, 1], anchor, Counter({("Hays", "YE"): 1, ("Al Hudaydah", "YE"): 1}),
                               HODEIDAH)
    assert len(feats) == 2
    hodeidah, hays = (dict(f.split(":", 1) for f in fs if ":" in f) for fs in feats)
    assert hodeidah["rank"] == "0" and hays["rank"] == "1"
    assert hodeidah["side"] == hays["side"] == "after"
    assert hodeidah["main"] == "True" and hays["main"] == "False"
    assert hodeidah["w-1"] == "قرب" and hays["w-1"] == "مديريه"


@pytest.mark.skipif(not EVENT_PLACE_MODEL.exists(), reason="no shipped event-place model")
def test_shipped_ranker_is_loaded_with_its_provenance() -> None:
    r = packaged()
    assert r is not None
    meta = r.model.meta
    assert meta["model"] == "eventplace" and "held-out refused" in meta["trained_on"]["split"]
    cv = meta["cross_validation"]
    # chosen out of fold: the model's picks are right at least as often as the rules'
    assert cv["choices_right"] >= cv["rules_choices_right"]
    p = r.probabilities(analyse(TEXT), [], [], 0, Counter(), None)
    assert p == []
