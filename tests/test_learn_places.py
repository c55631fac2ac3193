"""The learned place-mention decision on hand-written reports: a small hand-built model takes common
words and given names the gazetteer holds for no place, and without a model the geocoder is the rules'."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from marsad.geo.gazetteer import MemoryGazetteer
from marsad.geo.geocode import Geocoder
from marsad.geo.places import find_places
from marsad.learn.linear import LinearModel
from marsad.learn.places import NOT_PLACE, PLACE_MODEL, PlaceDecision, packaged, place_features
from marsad.model import Analysis, Document, Place
from marsad.text.normalise import normalise

# (in the article's own country, so that only the model, not the rules' "foreign", can drop them)
RAKHAM = Place(1, "Rakham", "EG", 30.5, 31.0, "village", 0)
RANIA = Place(2, "Raniye", "EG", 30.2, 31.1, "city", 20_000)
CAIRO = Place(3, "Cairo", "EG", 30.04, 31.24, "city", 9_000_000)
GIZA = Place(4, "Giza", "EG", 30.01, 31.21, "city", 2_400_000)
GAZ = MemoryGazetteer({"رخام": [RAKHAM], "رانية": [RANIA], "القاهرة": [CAIRO], "الجيزة": [GIZA]})


def analyse(text: str) -> Analysis:
    doc = Document.from_parts("t", text)
    norm, offsets = normalise(doc.text)
    return Analysis(doc, norm, offsets)


def small_model(threshold: float = 0.5) -> PlaceDecision:
    """Binary model: a name right after "حجر" (a slab of ...) or after "تدعى" (called) is no place."""
    feats = ["w-1:حجر", "w-1:تدعي", "c-1:loc"]
    # the column is the log-odds of the second class ("place")
    weights = np.array([[-6.0], [-6.0], [2.0]], dtype=np.float32)
    model = LinearModel((NOT_PLACE, "place"), {f: i for i, f in enumerate(feats)}, weights,
                        np.array([3.0], dtype=np.float32), {"threshold": threshold})
    return PlaceDecision(model, threshold)


def by_text(ms, text: str):
    return next(m for m in ms if m.span.text == text)


@pytest.mark.parametrize("text, word", [
    ("وضع المتظاهرون حجر رخام أمام مبنى المحافظة في القاهرة.", "رخام"),
    ("قتلت مواطنة تدعى رانية برصاص مجهولين في الجيزة.", "رانية"),
])
def test_common_word_is_not_a_place(text: str, word: str) -> None:
    geo = Geocoder(GAZ, place_decision=small_model())
    assert geo.learned
    ms = geo.resolve(analyse(text))
    m = by_text(ms, word)
    assert m.attr("role") == "not_place" and m.attr("p_not_place") >= 0.5
    # the real place keeps no role and is the event's place
    cairo_or_giza = next(x for x in ms if x.value in (CAIRO, GIZA))
    assert cairo_or_giza.attr("role") is None
    chosen, place, _ = geo.event_place(analyse(text), ms, [(0, len(text))], 0)
    assert place is not None and place.country == "EG" and chosen is cairo_or_giza


def test_a_place_after_a_preposition_stays() -> None:
    geo = Geocoder(GAZ, place_decision=small_model())
    m = by_text(geo.resolve(analyse("قصفت طائرات حربية قرية في رخام صباح اليوم.")), "رخام")
    assert m.attr("role") is None and m.attr("p_not_place") is None and m.value is RAKHAM


def test_no_model_is_the_rules_alone() -> None:
    text = "وضع المتظاهرون حجر رخام أمام مبنى المحافظة في القاهرة."
    rules = Geocoder(GAZ, place_decision=None)
    assert not rules.learned
    ms = rules.resolve(analyse(text))
    assert by_text(ms, "رخام").attr("role") is None
    # a model that never reaches its threshold changes nothing either
    never = Geocoder(GAZ, place_decision=small_model(threshold=1.01)).resolve(analyse(text))
    assert [(m.span, m.value, m.attrs) for m in never] == [(m.span, m.value, m.attrs) for m in ms]


def test_not_a_place_casts_no_country_vote() -> None:
    # "رخام" alone would make its country the article's; taken for a word, it says nothing
    geo = Geocoder(GAZ, place_decision=small_model())
    a = analyse("وضع المتظاهرون حجر رخام أمام المبنى.")
    mentions = find_places(a, GAZ)
    ctx = geo.country_context(a, mentions, ["not_place"])
    assert ctx == Counter()
    assert geo.country_context(a, mentions, [None]) == Counter({"EG": 1.0})


def test_features_are_read_from_the_text() -> None:
    a = analyse("وضع المتظاهرون حجر رخام أمام مبنى المحافظة في القاهرة.")
    mentions = find_places(a, GAZ)
    feats = place_features(a, mentions, [None] * len(mentions), [], Counter({"EG": 1.0}))
    rakham, cairo = feats
    assert {"k:رخام", "w-1:حجر", "w-2:المتظاهرون", "w+1:امام", "mod:-", "f:village", "top:yes"} <= set(rakham)
    assert {"w-1:في", "c-1:loc", "top:yes", "w+1:</s>"} <= set(cairo)
    # deterministic: the same features (in the same order) every time
    assert place_features(a, mentions, [None] * len(mentions), [], Counter({"EG": 1.0})) == feats


def test_the_rules_foreign_reason_stays() -> None:
    # a Yemeni village in an Egyptian report: the rules already call it a misreading; that reason stays
    yemeni = Place(5, "Rakham", "YE", 15.0, 44.0, "village", 0)
    geo = Geocoder(MemoryGazetteer({"رخام": [yemeni], "القاهرة": [CAIRO]}), place_decision=small_model())
    m = by_text(geo.resolve(analyse("وضع المتظاهرون حجر رخام أمام مبنى المحافظة في القاهرة.")), "رخام")
    assert m.attr("role") == "foreign" and m.attr("p_not_place") >= 0.5


def test_default_is_the_packaged_model_with_the_shipped_gazetteer_only() -> None:
    assert not Geocoder(GAZ).learned  # another gazetteer: the model's features would not fit it
    from marsad.geo.gazetteer import Gazetteer

    assert Geocoder(Gazetteer.load()).learned == (packaged() is not None)
    assert not Geocoder(Gazetteer.load(), place_decision=None).learned


def test_packaged_model_loads_with_its_threshold() -> None:
    if not PLACE_MODEL.exists():
        pytest.skip("no packaged place model")
    decision = packaged()
    assert decision is not None and 0.0 < decision.threshold <= 1.0
    assert set(decision.model.classes) == {NOT_PLACE, "place"}
    assert decision.model.meta["trained_on"]["split"].startswith("train")
