"""build/event_errors.py: where a missed or false event goes, on hand-built codings and predictions."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))

from event_errors import classify_document  # noqa: E402

STRIKE = "Explosions/Remote violence"
# coded: air strikes on two districts named in one sentence (0-100), and a clash told at 200-260
GOLDS = [
    {"event_type": STRIKE, "sub_event_type": "Air/drone strike", "country": "YE", "latitude": 14.2,
     "longitude": 43.3, "geo_precision": 2},
    {"event_type": STRIKE, "sub_event_type": "Air/drone strike", "country": "YE", "latitude": 15.5,
     "longitude": 45.4, "geo_precision": 2},
    {"event_type": "Battles", "sub_event_type": "Armed clash", "country": "YE", "latitude": 13.6,
     "longitude": 44.0, "geo_precision": 1},
]
EVIDENCE = [[(0, 100)], [(0, 100)], [(200, 260)]]


def _pred(event_type: str, lat: float, lon: float, *spans: tuple[int, int]) -> dict:
    return {"event_type": event_type, "sub_event_type": "", "country": "YE", "latitude": lat,
            "longitude": lon, "geo_precision": 2, "evidence": [list(s) for s in spans]}


def test_a_place_of_the_sentence_not_split_and_a_type_confused() -> None:
    preds = [_pred(STRIKE, 14.2, 43.3, (0, 100)), _pred(STRIKE, 13.6, 44.0, (200, 260))]
    missed, false = classify_document(GOLDS, EVIDENCE, preds)
    assert missed == [(1, "same_type_on_its_sentences_matched_another"), (2, "other_type_on_its_sentences")]
    # the strike told at the clash's place: a coded strike was missed, so a place error
    assert false == [(1, "coded_event_of_its_type_missed")]


def test_a_wrong_place_an_extra_telling_and_an_article_without_events() -> None:
    far = _pred(STRIKE, 17.0, 49.0, (0, 100))  # Al Mahrah, 400 km off (another place of the same country)
    missed, false = classify_document(GOLDS[:1], EVIDENCE[:1], [far])
    assert missed == [(0, "same_type_on_its_sentences_placed_wrong")]
    assert false == [(0, "coded_event_of_its_type_missed")]
    again = [_pred(STRIKE, 14.2, 43.3, (0, 100)), _pred(STRIKE, 14.25, 43.3, (300, 340))]
    assert classify_document(GOLDS[:1], EVIDENCE[:1], again) == ([], [(1, "extra_telling")])
    assert classify_document([], [], [far]) == ([], [(0, "article_without_coded_events")])
    assert classify_document(GOLDS[2:], EVIDENCE[2:], []) == ([(0, "no_event_in_article")], [])
