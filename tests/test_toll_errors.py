"""build/toll_errors.py: the cause of a wrong toll, on hand-built coded numbers and predicted events."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))

from toll_errors import classify_document, classify_event  # noqa: E402


def _event(fatalities: int, *spans: tuple[int, int]) -> SimpleNamespace:
    return SimpleNamespace(fatalities=fatalities, provenance=tuple(("fatalities", s, e) for s, e in spans))


# coded numbers: event 0 killed 26 soldiers and 12 attackers (the seed's 38); 700 is a running total
NUMBERS = [{"span": [10, 12], "role": "deaths", "event": 0, "value": 26},
           {"span": [30, 32], "role": "deaths", "event": 0, "value": 12},
           {"span": [50, 53], "role": "running_total", "event": None, "value": 700},
           {"span": [70, 71], "role": "deaths", "event": 1, "value": 4}]
GOLD = {"fatalities": 38}


def test_a_running_total_counted() -> None:
    assert classify_event(0, GOLD, _event(700, (50, 53)), NUMBERS, []) == "running_total_counted"


def test_one_side_only() -> None:
    assert classify_event(0, GOLD, _event(26, (10, 12)), NUMBERS, []) == "sides_not_added"


def test_the_toll_of_another_event() -> None:
    assert classify_event(0, GOLD, _event(40, (70, 71)), NUMBERS, []) == "number_of_another_event"
    assert classify_event(0, GOLD, _event(0), NUMBERS, [_event(38, (10, 32))]) == "given_to_another_event"


def test_deaths_without_a_number_and_a_number_passed_over() -> None:
    assert classify_event(1, {"fatalities": 3}, _event(0), [], []) == "deaths_without_number"
    assert classify_event(0, GOLD, _event(0), NUMBERS, []) == "number_passed_over"


def test_an_article_total() -> None:
    doc = {"fatalities_total": 38, "events": [GOLD]}
    assert classify_document(doc, [_event(38, (10, 32))], [(0, 0)], NUMBERS) is None
    assert classify_document(doc, [_event(38, (10, 32)), _event(5)], [(0, 0)], NUMBERS) \
        == "deaths_to_event_gold_has_not"
    # an event the coders have not, with deaths
    assert classify_document(doc, [_event(38, (10, 32)), _event(38, (10, 32))], [(0, 0)], NUMBERS) \
        == "deaths_to_event_gold_has_not"
    # two coded events, the toll of the one counted by both
    two = {"fatalities_total": 38, "events": [GOLD, {"fatalities": 0}]}
    assert classify_document(two, [_event(38, (10, 32)), _event(38, (10, 32))], [(0, 0), (1, 1)],
                             NUMBERS) == "same_deaths_counted_twice"
    # a joint toll split evenly over two places is counted once (the coders gave it all to one)
    assert classify_document({**two, "fatalities_total": 30}, [_event(19, (10, 32)), _event(19, (10, 32))],
                             [(0, 0), (1, 1)], NUMBERS) == "matched_event_error"
