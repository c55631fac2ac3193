from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.text.normalise import normalise, normalise_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد إلى آخر", "احمد الي اخر"),  # alef forms, alef maqsura
        ("مدينة", "مدينه"),  # ta marbuta
        ("قُتِلَ", "قتل"),  # diacritics
        ("الأطفــال", "الاطفال"),  # tatweel
        ("٢٦ و۳", "26 و3"),  # Eastern Arabic and Persian digits
        ("السورييين", "السوريين"),  # a letter typed three times
        ("مسؤول", "مسوول"),
        ("\u200fنص\u200e", "نص"),  # direction marks
    ],
)
def test_normalise_maps(raw: str, expected: str) -> None:
    assert normalise(raw)[0] == expected


def test_normalise_identity_needs_no_map() -> None:
    norm, offsets = normalise("قتل 5 اشخاص")
    assert offsets is None and norm == "قتل 5 اشخاص"


def test_normalise_offsets_point_back() -> None:
    text = "قُتِلَ ١٢ من السورييين"
    norm, offsets = normalise(text)
    assert offsets is not None and len(offsets) == len(norm) + 1
    i = norm.index("12")
    assert text[offsets[i]:offsets[i + 2]] == "١٢"
    j = norm.index("السوريين")
    assert text[offsets[j]:offsets[j + len("السوريين")]] == "السورييين"


def test_normalise_key_collapses_space() -> None:
    assert normalise_key("  دير   الزّور ") == "دير الزور"


@given(st.text())
def test_offset_map_is_monotone_and_in_range(text: str) -> None:
    norm, offsets = normalise(text)
    assert len(norm) <= len(text)
    if offsets is None:
        assert len(norm) == len(text)
        return
    assert offsets[-1] == len(text)
    assert all(a < b for a, b in zip(offsets, offsets[1:], strict=False))
    # every kept character comes from the same or a mapped original character
    from marsad.text.normalise import CHAR_MAP

    for i, ch in enumerate(norm):
        src = text[offsets[i]]
        assert ch == CHAR_MAP.get(src, src)


def test_hashtag_marks_are_read_as_words() -> None:
    text = "غارات على مديرية التحيتا في محافظة #الحديدة و#جنوب_فرنسا"
    norm, offsets = normalise(text)
    assert "محافظه الحديده" in norm and "جنوب فرنسا" in norm and "#" not in norm
    start = norm.index("الحديده")
    assert text[offsets[start]:offsets[start + len("الحديده")]] == "الحديدة"
