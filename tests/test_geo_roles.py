"""The word lists of the place roles (data/place_roles.tsv): checked when loaded, and every word one
that normalised text can hold."""

from __future__ import annotations

import pytest

from marsad.geo.geocode import _nisba_matches
from marsad.geo.roles import WORD_LISTS, parse_place_words, place_words
from marsad.text.normalise import normalise

HEADER = "# a comment\nlist\tword\tcountry\n"


def test_the_shipped_lists_load_and_each_word_is_normalised() -> None:
    words = place_words()
    assert set(words) == set(WORD_LISTS) and all(words[name] for name in WORD_LISTS)
    for ws in words.values():
        assert all(normalise(w)[0] == w for w in ws)
    assert words["nisba"]["سوري"] == "SY" and words["nisba"]["كردي"] == ""


@pytest.mark.parametrize("row, says", [
    ("meeting\tمؤتمر\t", "'موتمر'"),  # a hamza seat the normaliser folds: the word would never match
    ("meetings\tاجتماع\t", "unknown list"),
    ("nisba\tسوري\tSyria", "no two-letter country code"),
    ("speech\tقال\t\nspeech\tقال\t", "twice"),
])
def test_a_bad_row_is_refused_with_its_line(row: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as err:
        parse_place_words(HEADER + row, "t.tsv")
    assert "t.tsv:3" in str(err.value) or "t.tsv:4" in str(err.value)


def test_the_algerian_adjective_points_at_algeria_and_the_israeli_one_at_no_country() -> None:
    # written for this test; before the lists were checked, "جزائري" never matched normalised text
    norm = normalise("قال الجيش الإسرائيلي إن وزير الخارجية الجزائري وصل")[0]
    assert [place_words()["nisba"][m.group(1)] for m in _nisba_matches(norm)] == ["DZ"]
