"""Tests for marsad.recognise.numbers (hand-written phrases)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Analysis, Document, MentionKind
from marsad.recognise.numbers import find_numbers, parse_number
from marsad.text.normalise import normalise, normalise_key


def analyse(text: str) -> Analysis:
    norm, offsets = normalise(text)
    return Analysis(doc=Document(doc_id="t", text=text), norm=norm, offsets=offsets)


def nums(text: str) -> list:
    return find_numbers(analyse(text))


def one(text: str):
    found = nums(text)
    assert len(found) == 1, [(m.span.text, m.value) for m in found]
    return found[0]


@pytest.mark.parametrize(
    "phrase, value",
    [
        ("واحد", 1), ("واحدة", 1), ("اثنان", 2), ("اثنين", 2), ("اثنتين", 2), ("اثنتان", 2),
        ("ثلاثة", 3), ("ثلاث", 3), ("ثلاثه", 3), ("أربعة", 4), ("أربع", 4), ("خمسة", 5), ("ستة", 6),
        ("سبع", 7), ("ثمانية", 8), ("ثماني", 8), ("تسعة", 9), ("عشرة", 10), ("عشر", 10),
        ("أحد عشر", 11), ("إحدى عشرة", 11), ("اثنا عشر", 12), ("اثني عشر", 12), ("اثنتي عشرة", 12),
        ("ثلاثة عشر", 13), ("خمس عشرة", 15), ("تسعة عشر", 19),
        ("عشرون", 20), ("عشرين", 20), ("ثلاثون", 30), ("ثلاثين", 30), ("أربعين", 40), ("تسعون", 90),
        ("ثلاثة وعشرين", 23), ("خمسة و عشرون", 25), ("واحد وثلاثون", 31),
        ("مئة", 100), ("مائة", 100), ("مئه", 100), ("مائه", 100), ("مئتان", 200), ("مئتين", 200),
        ("مائتين", 200), ("ثلاثمئة", 300), ("ثلاثمائة", 300), ("ثلاث مئة", 300), ("خمسمائة", 500),
        ("مئة وخمسة وعشرون", 125), ("ثلاثمئة واثنا عشر", 312),
        ("ألف", 1000), ("ألفين", 2000), ("ثلاثة آلاف", 3000), ("عشرة آلاف", 10000),
        ("ثلاثة آلاف وخمسمئة", 3500), ("ثمانية عشر ألفا", 18000), ("مليون", 1_000_000),
        ("مليونين", 2_000_000), ("ألف ومئتان", 1200),
        ("26", 26), ("1200", 1200), ("1,200", 1200), ("1.200", 1200), ("3 آلاف", 3000),
        ("1.5 مليون", 1_500_000), ("٢٦", 26), ("۲۶", 26),
    ],
)
def test_parse_number_and_find(phrase: str, value: int) -> None:
    assert parse_number(normalise_key(phrase)) == value
    m = one(phrase)
    assert m.kind is MentionKind.NUMBER
    assert m.value == value
    assert m.span.text == phrase


@pytest.mark.parametrize("phrase", ["", "قتلى", "ثلاثة ثلاثة", "عشرون ثلاثون"])
def test_parse_number_rejects(phrase: str) -> None:
    assert parse_number(normalise_key(phrase)) is None


@pytest.mark.parametrize(
    "text, span, value",
    [
        ("مقتل ثلاثة وعشرين شخصا", "ثلاثة وعشرين", 23),
        ("قتل ٢٦ جنديا", "٢٦", 26),
        ("قتل ٢٦ جنديًا في الهجوم", "٢٦", 26),
        ("ارتفعت الحصيلة إلى 26 قتيلا", "26", 26),
        ("سقوط ل15 شخصا", "15", 15),
        ("وثلاثة جرحى", "ثلاثة", 3),
        ("بخمسة صواريخ", "خمسة", 5),
        ("ثلاثـــة قتلى", "ثلاثـــة", 3),
        ("ثَلاثَةُ قتلى", "ثَلاثَةُ", 3),
        ("مقتل ١٬٢٠٠ شخص", "١٬٢٠٠", 1200),
    ],
)
def test_find_in_context(text: str, span: str, value: int) -> None:
    m = one(text)
    assert (m.span.text, m.value) == (span, value)


@pytest.mark.parametrize(
    "text, value, vague",
    [
        ("قتل عشرات المدنيين", 10, True),
        ("سقوط العشرات", 10, True),
        ("مئات الجرحى", 100, True),
        ("ومئات القتلى", 100, True),
        ("آلاف النازحين", 1000, True),
        ("عشرات الآلاف من السكان", 10000, True),
        ("عدة أشخاص", 3, True),
        ("بضعة جنود", 3, True),
        ("عدد من المدنيين", 3, True),
        ("وخلفت عددا من القتلى", 3, True),
        ("سقط عدد كبير من الضحايا", 3, True),
        ("العديد من القتلى", 3, True),
    ],
)
def test_vague(text: str, value: int, vague: bool) -> None:
    m = one(text)
    assert m.value == value
    assert m.attr("vague") is vague
    assert m.attr("high") is None


def test_several_span_excludes_conjunction() -> None:
    assert one("وبضعة جنود").span.text == "بضعة"


@pytest.mark.parametrize(
    "text, value, qualifier, low, high, span",
    [
        ("أكثر من 20 قتيلا", 20, "more_than", 21, None, "أكثر من 20"),
        ("نحو 30 شخصا", 30, "approx", None, None, "نحو 30"),
        ("حوالي خمسين مدنيا", 50, "approx", None, None, "حوالي خمسين"),
        ("قرابة مئة", 100, "approx", None, None, "قرابة مئة"),
        ("بنحو 30", 30, "approx", None, None, "نحو 30"),
        ("ما لا يقل عن ١٥ مدنيا", 15, "at_least", 15, None, "ما لا يقل عن ١٥"),
        ("20 شخصا على الأقل", 20, "at_least", 20, None, "20"),
        ("أقل من 10", 10, "less_than", None, 9, "أقل من 10"),
    ],
)
def test_qualifiers(text: str, value: int, qualifier: str, low, high, span: str) -> None:
    m = one(text)
    assert (m.value, m.attr("qualifier"), m.attr("low"), m.attr("high"), m.span.text) == (
        value, qualifier, low, high, span,
    )
    assert m.attr("approx") is True


@pytest.mark.parametrize(
    "text, low, high, span",
    [
        ("بين 10 و15 شخصا", 10, 15, "بين 10 و15"),
        ("ما بين 10 و 15", 10, 15, "ما بين 10 و 15"),
        ("10 إلى 15 قتيلا", 10, 15, "10 إلى 15"),
        ("من 10 الى 15 قتيلا", 10, 15, "من 10 الى 15"),
        ("10-15 قتيلا", 10, 15, "10-15"),
        ("3 أو 4 أشخاص", 3, 4, "3 أو 4"),
        ("بين عشرة وعشرين", 10, 20, "بين عشرة وعشرين"),
    ],
)
def test_ranges(text: str, low: int, high: int, span: str) -> None:
    m = one(text)
    assert ((m.value, m.attr("low"), m.attr("high"), m.attr("range"), m.span.text)
            == (low, low, high, True, span))


def test_separate_counts_are_not_a_range() -> None:
    found = nums("قتل 5 جنود و3 مدنيين")
    assert [m.value for m in found] == [5, 3]
    assert not any(m.attr("range") for m in found)


@pytest.mark.parametrize("text", ["في عام 2013", "منذ 2011", "عام ٢٠١٥", "في 2014 قتل", "العام 2015"])
def test_years_flagged(text: str) -> None:
    assert one(text).attr("year") is True


def test_four_digit_toll_not_year() -> None:
    assert one("مقتل 2000 شخص").attr("year") is None


@pytest.mark.parametrize(
    "text, unit",
    [
        ("على بعد 450 كلم", "km"), ("450 كم", "km"), ("20 كيلومترا", "km"), ("500 متر", "m"),
        ("20%", "percent"), ("20 %", "percent"), ("٢٠٪", "percent"), ("20 بالمئة", "percent"),
        ("30 في المائة", "percent"), ("100 دولار", "currency"), ("5 أطنان", "weight"),
        ("منذ 3 سنوات", "duration"), ("مدفع 120 ملم", "mm"), ("خلال 24 ساعة", "duration"),
    ],
)
def test_units_flagged(text: str, unit: str) -> None:
    assert one(text).attr("unit") == unit


@pytest.mark.parametrize("text", ["الساعة 10", "في الساعة العاشرة", "عند 10 صباحا", "الساعة 10:30", "9 مساء"])
def test_times_flagged_or_skipped(text: str) -> None:
    assert all(m.attr("time") for m in nums(text))


@pytest.mark.parametrize("text", ["اللواء 93", "الفرقة 17", "الطريق 5"])
def test_labels_flagged(text: str) -> None:
    assert one(text).attr("label") is True


@pytest.mark.parametrize(
    "text",
    [
        "طائرة F16", "طائرة F-16", "مقاتلة MiG-21", "Su-24", "طائرة إف-16", "COVID19", "3D",
        "الثالث", "القرن التاسع عشر", "الحادي عشر من", "يوم الاثنين", "لست أدري", "24/12/2015",
        "الخميس", "الثلاثاء",
    ],
)
def test_not_numbers(text: str) -> None:
    assert nums(text) == []


def test_day_of_month_flagged() -> None:
    found = nums("في 3 آب/ أغسطس 2015")
    assert [(m.value, m.attr("day"), m.attr("year")) for m in found] == [(3, True, None), (2015, None, True)]


@pytest.mark.parametrize("text", ["قتيلين", "شخصين", "جريحان", "طفلين", "جنديين", "امرأتين"])
def test_duals(text: str) -> None:
    m = one(text)
    assert (m.value, m.attr("dual")) == (2, True)


def test_dual_with_explicit_two_counted_once() -> None:
    found = nums("سقوط قتيلين اثنين")
    assert [(m.value, m.span.text) for m in found] == [(2, "اثنين")]


def test_several_numbers_and_norm_offsets() -> None:
    a = analyse("قُتِلَ ثلاثةُ جنود و١٢ مدنيا، وجُرح عشرون")
    found = find_numbers(a)
    assert [m.value for m in found] == [3, 12, 20]
    for m in found:
        s, e = m.attr("norm_start"), m.attr("norm_end")
        assert a.span_from_norm(s, e) == m.span


_ALPHABET = st.sampled_from(
    list("ثلاثةعشرونمئألفاتوبين قتلىكلم%٠١٢٣٤٥٦٧٨٩0123456789,./-ًٌَُِّْـ()") + ["  ", "آلاف", "عشرات", "أكثر من "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_spans_match_text(text: str) -> None:
    a = analyse(text)
    for m in find_numbers(a):
        s = m.span
        assert a.doc.text[s.start:s.end] == s.text
        assert isinstance(m.value, int)


@pytest.mark.parametrize(
    "text, span, value, vague",
    [
        ("نحو 12 ألفا و500 جندي", "نحو 12 ألفا و500", 12500, False),
        ("ولمئات الآلاف من الناس", "مئات الآلاف", 100000, True),
        ("ملايين الناس", "ملايين", 1_000_000, True),
        ("وصل 3 آلاف لاجئ", "3 آلاف", 3000, False),
    ],
)
def test_scaled_and_plural(text: str, span: str, value: int, vague: bool) -> None:
    m = one(text)
    assert (m.span.text, m.value, m.attr("vague")) == (span, value, vague)


@pytest.mark.parametrize("text", ["ألّف كتابا", "من بعده"])
def test_homographs_skipped(text: str) -> None:
    assert nums(text) == []


_SCAN_ALPHABET = st.sampled_from(
    list("ثلاثةعشرونمئألفاتوبين قتلىكلمسخ%0123456789,./-()") + ["  ", "آلاف", "عشرات", "بضعة", "قتيلين", "ست"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCAN_ALPHABET, max_size=40).map("".join))
def test_anchored_scanner_equals_finditer(text: str) -> None:
    from marsad.recognise.numbers import _MASTER, _SCANNER

    norm, _ = normalise(text)
    assert [m.span() for m in _SCANNER.finditer(norm)] == [m.span() for m in _MASTER.finditer(norm)]


@pytest.mark.parametrize("text, value", [("سقوط 15قتيلا", 15), ("بـ15 صاروخا", 15), ("و٣٠ جريحا", 30)])
def test_digits_glued_to_words(text: str, value: int) -> None:
    assert one(text).value == value


@pytest.mark.parametrize("text", ["10 رمضان 1436 هـ", "في 1436هـ", "شوال 1436"])
def test_hijri_years_flagged(text: str) -> None:
    found = nums(text)
    assert found and found[-1].attr("year") is True


def test_hijri_day_flagged() -> None:
    assert nums("10 رمضان 1436 هـ")[0].attr("day") is True


@pytest.mark.parametrize("text", ["بتاريخ 17 /5 / 1436هـ", "في 24/12/2015", "2015-12-24"])
def test_numeric_dates_not_numbers(text: str) -> None:
    assert nums(text) == []


@pytest.mark.parametrize("text, value", [("نصف مليون لاجئ", 500_000), ("وربع مليون", 250_000),
                                         ("نصف ألف", 500)])
def test_fractions_of_multipliers(text: str, value: int) -> None:
    assert one(text).value == value


@pytest.mark.parametrize(
    "text, span",
    [("قتل إسرائيليان وأصيب ثالث", "إسرائيليان"), ("مدنيان", "مدنيان"), ("قتل جنديان سوريان", "جنديان"),
     ("وفلسطينيان", "فلسطينيان")],
)
def test_nisba_duals(text: str, span: str) -> None:
    m = one(text)
    assert (m.value, m.span.text, m.attr("dual")) == (2, span, True)


@pytest.mark.parametrize("text", ["أصدر بيانا", "في بيان رسمي", "الفلسطينيان", "أحيان", "كيان"])
def test_not_nisba_duals(text: str) -> None:
    assert nums(text) == []


def test_dead_is_not_two_hundred() -> None:
    assert nums("عثر عليه ميتًا") == []
