"""The shared Aho–Corasick automaton: every occurrence, in the order the recognisers rely on."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.text.automaton import Automaton


def _naive(keys: list[str], text: str) -> list[tuple[int, int, int]]:
    """Every occurrence by brute force, ordered by end and, at one end, longest first."""
    found = [(s, s + len(k), i) for i, k in enumerate(keys) for s in range(len(text))
             if text.startswith(k, s)]
    return sorted(found, key=lambda h: (h[1], h[0]))


def test_overlapping_hits_by_end_longest_first() -> None:
    auto = Automaton({"دير الزور": "city", "الزور": "short", "دير": "monastery"})
    text = "في دير الزور"
    assert auto.find(text) == [(3, 6, "monastery"), (3, 12, "city"), (7, 12, "short")]
    assert auto.hits(text) == _naive(auto.keys(), text)


@given(st.lists(st.text(alphabet="ابت ", min_size=1, max_size=4), min_size=1, max_size=8, unique=True),
       st.text(alphabet="ابت ج", max_size=40))
def test_hits_equal_brute_force(keys: list[str], text: str) -> None:
    assert Automaton((k, i) for i, k in enumerate(keys)).hits(text) == _naive(keys, text)


def test_offsets_are_str_indices_beyond_the_bmp_and_lone_surrogates() -> None:
    auto = Automaton({"حلب": 1})
    assert auto.find("😀 حلب") == [(2, 5, 1)]
    assert auto.find("\ud800 حلب") == [(2, 5, 1)]  # a lone surrogate (a JSON escape) does not stop the scan


def test_empty_pickled_and_invalid() -> None:
    assert Automaton({}).find("حلب") == [] and len(Automaton({})) == 0
    auto = pickle.loads(pickle.dumps(Automaton({"حلب": (1, "x")})))
    assert auto.find("بحلب") == [(1, 4, (1, "x"))] and auto.keys() == ["حلب"]
    with pytest.raises(ValueError):
        Automaton([("حلب", 1), ("حلب", 2)])
    with pytest.raises(ValueError):
        Automaton({"": 1})
