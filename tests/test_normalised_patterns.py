"""Patterns that run over normalised text hold no letter the normaliser folds away: a hamza seat, a taa
marbuta or an alef maqsura in such a pattern can never match ("خسائر" against the normalised "خساير")."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

import marsad.pipeline  # noqa: F401  (loads the extract package in its own order)
from marsad.extract import fatalities
from marsad.geo import geocode, places, roles
from marsad.learn import tolls
from marsad.text.normalise import normalise

FOLDED = frozenset(c for c in map(chr, range(0x600, 0x700)) if normalise(c)[0] != c and not c.isdigit())


def _patterns(module: ModuleType) -> list[tuple[str, re.Pattern[str]]]:
    """The module-level compiled patterns, and those in its lists of (name, pattern) and dicts of them."""
    out: list[tuple[str, re.Pattern[str]]] = []
    for name, value in vars(module).items():
        if isinstance(value, re.Pattern):
            out.append((name, value))
        elif isinstance(value, list) and value and all(
                isinstance(x, tuple) and len(x) >= 2 and isinstance(x[1], re.Pattern) for x in value):
            out += [(f"{name}[{x[0]}]", x[1]) for x in value]
        elif isinstance(value, dict) and value and all(isinstance(x, re.Pattern) for x in value.values()):
            out += [(f"{name}[{k}]", x) for k, x in value.items()]
    return out


# the modules whose patterns all read normalised text
@pytest.mark.parametrize("module", [fatalities, places, roles, geocode, tolls], ids=lambda m: m.__name__)
def test_patterns_over_normalised_text_hold_no_folded_letter(module: ModuleType) -> None:
    found = _patterns(module)
    assert found
    bad = {name: "".join(sorted(set(p.pattern) & FOLDED)) for name, p in found if set(p.pattern) & FOLDED}
    assert not bad, bad
