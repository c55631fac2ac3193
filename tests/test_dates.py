"""Tests for marsad.recognise.dates (hand-written phrases, fixed publication dates)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Analysis, Document, MentionKind
from marsad.recognise.dates import find_dates, gregorian_to_hijri, hijri_to_gregorian, resolve_expression
from marsad.text.normalise import normalise, normalise_key

THU = date(2015, 12, 24)  # a Thursday


def analyse(text: str, published: date | None = THU) -> Analysis:
    norm, offsets = normalise(text)
    return Analysis(doc=Document(doc_id="t", text=text, published=published), norm=norm, offsets=offsets)


def one(text: str, published: date | None = THU):
    found = find_dates(analyse(text, published))
    assert len(found) == 1, [(m.span.text, m.value) for m in found]
    return found[0]


@pytest.mark.parametrize(
    "text, span, value, expr",
    [
        ("قتل اليوم ثلاثة", "اليوم", "2015-12-24", "today"),
        ("هذا اليوم", "هذا اليوم", "2015-12-24", "today"),
        ("صباح اليوم", "صباح اليوم", "2015-12-24", "today"),
        ("اليوم (الخميس)", "اليوم (الخميس)", "2015-12-24", "today"),
        ("اليوم الخميس", "اليوم الخميس", "2015-12-24", "today"),
        ("قصف أمس", "أمس", "2015-12-23", "yesterday"),
        ("صباح أمس", "صباح أمس", "2015-12-23", "yesterday"),
        ("مساء أمس", "مساء أمس", "2015-12-23", "yesterday"),
        ("ليلة أمس", "ليلة أمس", "2015-12-23", "yesterday"),
        ("أمس (الأربعاء)", "أمس (الأربعاء)", "2015-12-23", "yesterday"),
        ("وأمس", "وأمس", "2015-12-23", "yesterday"),
        ("البارحة", "البارحة", "2015-12-23", "yesterday"),
        ("الليلة الماضية", "الليلة الماضية", "2015-12-23", "yesterday"),
        ("الليلة الفائتة", "الليلة الفائتة", "2015-12-23", "yesterday"),
        ("أول أمس", "أول أمس", "2015-12-22", "day_before_yesterday"),
        ("أول من أمس", "أول من أمس", "2015-12-22", "day_before_yesterday"),
        ("أمس الأول", "أمس الأول", "2015-12-22", "day_before_yesterday"),
        ("يوم الثلاثاء", "يوم الثلاثاء", "2015-12-22", "weekday"),
        ("الثلاثاء", "الثلاثاء", "2015-12-22", "weekday"),
        ("الجمعة", "الجمعة", "2015-12-18", "weekday"),
        ("يوم الاثنين", "يوم الاثنين", "2015-12-21", "weekday"),
        ("الأحد الماضي", "الأحد الماضي", "2015-12-20", "weekday"),
        ("مساء يوم الأربعاء", "مساء يوم الأربعاء", "2015-12-23", "weekday"),
        ("يوم الخميس", "يوم الخميس", "2015-12-24", "weekday"),
        ("الخميس الماضي", "الخميس الماضي", "2015-12-17", "weekday"),
        ("منذ يومين", "منذ يومين", "2015-12-22", "ago"),
        ("قبل يومين", "قبل يومين", "2015-12-22", "ago"),
        ("منذ ثلاثة أيام", "منذ ثلاثة أيام", "2015-12-21", "ago"),
        ("قبل ٣ أيام", "قبل ٣ أيام", "2015-12-21", "ago"),
        ("منذ ساعات", "منذ ساعات", "2015-12-24", "ago"),
    ],
)
def test_relative_days(text: str, span: str, value: str, expr: str) -> None:
    m = one(text)
    assert m.kind is MentionKind.DATE
    assert (m.span.text, m.value, m.attr("expr"), m.attr("precision"), m.attr("relative")) == (
        span, value, expr, 1, True,
    )


@pytest.mark.parametrize(
    "text, value",
    [("غدا", "2015-12-25"), ("غدًا", "2015-12-25"), ("بعد غد", "2015-12-26"), ("الخميس المقبل", "2015-12-31")],
)
def test_future(text: str, value: str) -> None:
    m = one(text)
    assert (m.value, m.attr("future")) == (value, True)


@pytest.mark.parametrize(
    "text, value, precision",
    [
        ("الأسبوع الماضي", "2015-12-17", 2),
        ("الأسبوع الفائت", "2015-12-17", 2),
        ("منذ أسبوع", "2015-12-17", 2),
        ("الشهر الماضي", "2015-11-15", 3),
        ("الشهر الجاري", "2015-12-15", 3),
        ("قبل أيام", "2015-12-21", 2),  # a few days ago: the day is not known
        ("قبل ثلاثة أيام", "2015-12-21", 1),
        ("بعد أكثر من شهر", "2015-11-23", 3),  # more than a month: past the 30-day window
        ("قبل نحو أسبوعين", "2015-12-10", 2),
    ],
)
def test_week_month(text: str, value: str, precision: int) -> None:
    m = one(text)
    assert (m.value, m.attr("precision")) == (value, precision)


@pytest.mark.parametrize(
    "text, value",
    [
        ("في 3 آب/ أغسطس 2015", "2015-08-03"),
        ("في 3 (أغسطس) آب 2015", "2015-08-03"),
        ("في 3 آب (أغسطس) 2015", "2015-08-03"),
        ("24 كانون الأول 2015", "2015-12-24"),
        ("2 كانون الثاني 2015", "2015-01-02"),
        ("1 شباط 2015", "2015-02-01"), ("1 آذار 2015", "2015-03-01"), ("1 نيسان 2015", "2015-04-01"),
        ("1 أيار 2015", "2015-05-01"), ("1 حزيران 2015", "2015-06-01"), ("1 تموز 2015", "2015-07-01"),
        ("1 أيلول 2015", "2015-09-01"), ("1 تشرين الأول 2015", "2015-10-01"),
        ("1 تشرين الثاني 2015", "2015-11-01"),
        ("5 يناير 2015", "2015-01-05"), ("5 فبراير 2015", "2015-02-05"), ("5 مارس 2015", "2015-03-05"),
        ("5 أبريل 2015", "2015-04-05"), ("5 ابريل 2015", "2015-04-05"), ("5 مايو 2015", "2015-05-05"),
        ("5 يونيو 2015", "2015-06-05"), ("5 يونيه 2015", "2015-06-05"), ("5 يوليو 2015", "2015-07-05"),
        ("5 يوليه 2015", "2015-07-05"), ("5 اغسطس 2015", "2015-08-05"), ("5 سبتمبر 2015", "2015-09-05"),
        ("5 أكتوبر 2015", "2015-10-05"), ("5 نوفمبر 2015", "2015-11-05"), ("5 ديسمبر 2015", "2015-12-05"),
        ("15 جانفي 2015", "2015-01-15"), ("15 فيفري 2015", "2015-02-15"), ("15 أفريل 2015", "2015-04-15"),
        ("15 ماي 2015", "2015-05-15"), ("15 جوان 2015", "2015-06-15"), ("15 جويلية 2015", "2015-07-15"),
        ("15 أوت 2015", "2015-08-15"), ("15 غشت 2015", "2015-08-15"), ("15 شتنبر 2015", "2015-09-15"),
        ("15 نونبر 2015", "2015-11-15"), ("15 دجنبر 2014", "2014-12-15"),
        ("٣ آب ٢٠١٥", "2015-08-03"),
        ("الخميس 24 ديسمبر 2015", "2015-12-24"),
        ("في 3 من شهر آب من عام 2015", "2015-08-03"),
        ("الخامس من حزيران 2015", "2015-06-05"),
        ("الحادي والعشرين من تشرين الثاني 2015", "2015-11-21"),
    ],
)
def test_explicit(text: str, value: str) -> None:
    m = one(text)
    assert (m.value, m.attr("precision"), m.attr("expr"), m.attr("relative")) == (value, 1, "explicit", False)


@pytest.mark.parametrize(
    "text, value",
    [
        ("في 20 ديسمبر", "2015-12-20"),
        ("25 كانون الأول", "2014-12-25"),  # after publication this year -> last year
        ("24 كانون الأول", "2015-12-24"),
        ("3 آب/ أغسطس", "2015-08-03"),
        ("الخامس من حزيران", "2015-06-05"),
    ],
)
def test_day_month_without_year(text: str, value: str) -> None:
    m = one(text)
    assert (m.value, m.attr("relative")) == (value, True)


@pytest.mark.parametrize(
    "text, value",
    [("24/12/2015", "2015-12-24"), ("2015-12-24", "2015-12-24"), ("٢٤/١٢/٢٠١٥", "2015-12-24"),
     ("3.8.2015", "2015-08-03")],
)
def test_numeric(text: str, value: str) -> None:
    m = one(text)
    assert (m.value, m.attr("expr"), m.attr("precision")) == (value, "numeric", 1)


@pytest.mark.parametrize(
    "text, value",
    [("شهر حزيران 2015", "2015-06-15"), ("في آب/ أغسطس 2015", "2015-08-15"), ("في ديسمبر 2015", "2015-12-15"),
     ("يوليو من العام 2014", "2014-07-15")],
)
def test_month_year(text: str, value: str) -> None:
    m = one(text)
    assert (m.value, m.attr("precision"), m.attr("expr")) == (value, 3, "month_year")


def test_day_of_current_month() -> None:
    assert one("يوم 20 من الشهر الجاري").value == "2015-12-20"
    assert one("في 20 من الشهر الماضي").value == "2015-11-20"


@pytest.mark.parametrize(
    "hy, hm, hd, iso",
    [(1436, 9, 1, "2015-06-18"), (1436, 9, 10, "2015-06-27"), (1437, 1, 1, "2015-10-15"),
     (1, 1, 1, "0622-07-19")],
)
def test_hijri_conversion(hy: int, hm: int, hd: int, iso: str) -> None:
    d = hijri_to_gregorian(hy, hm, hd)
    assert d.isoformat() == iso
    assert gregorian_to_hijri(d) == (hy, hm, hd)


def test_hijri_roundtrip_range() -> None:
    for o in range(date(2010, 1, 1).toordinal(), date(2020, 1, 1).toordinal(), 7):
        d = date.fromordinal(o)
        assert hijri_to_gregorian(*gregorian_to_hijri(d)) == d


@pytest.mark.parametrize(
    "text, value",
    [("10 رمضان 1436 هـ", "2015-06-27"), ("في 10 رمضان 1436", "2015-06-27"),
     ("1 محرم 1437 هجري", "2015-10-15"),
     ("12 ربيع الأول 1437", "2015-12-24"), ("10 ذي الحجة 1436", "2015-09-24")],
)
def test_hijri_dates(text: str, value: str) -> None:
    m = one(text)
    assert (m.value, m.attr("calendar"), m.attr("precision"), m.attr("approx_days")) == (value, "hijri", 1, 1)


def test_hijri_without_year_takes_latest_past() -> None:
    assert one("10 رمضان").value == "2015-06-27"


def test_no_publication_date() -> None:
    assert one("صباح أمس", None).value is None
    assert one("3 آب 2015", None).value == "2015-08-03"
    assert one("3 آب", None).value is None


@pytest.mark.parametrize(
    "phrase, published, expected",
    [
        ("صباح امس", THU, ("2015-12-23", 1)),
        ("يوم الثلاثاء", THU, ("2015-12-22", 1)),
        ("اليوم (الخميس)", THU, ("2015-12-24", 1)),
        ("في 3 اب/ اغسطس 2015", THU, ("2015-08-03", 1)),
        ("الاسبوع الماضي", THU, ("2015-12-17", 2)),
        ("الشهر الماضي", date(2016, 1, 10), ("2015-12-15", 3)),
        ("يوم الخميس", date(2016, 1, 4), ("2015-12-31", 1)),
        ("1 كانون الثاني", date(2016, 1, 4), ("2016-01-01", 1)),
        ("امس", date(2016, 3, 1), ("2016-02-29", 1)),
        ("لا شيء هنا", THU, (None, 0)),
    ],
)
def test_resolve_expression(phrase: str, published: date, expected: tuple) -> None:
    assert resolve_expression(normalise_key(phrase), published) == expected


def test_several_dates_in_text() -> None:
    a = analyse("قال المرصد اليوم (الخميس) إن غارات صباح أمس على حلب قتلت 10، "
                "بعد هجوم يوم الثلاثاء 22 كانون الأول")
    found = find_dates(a)
    assert [m.value for m in found] == ["2015-12-24", "2015-12-23", "2015-12-22"]
    for m in found:
        assert a.span_from_norm(m.attr("norm_start"), m.attr("norm_end")) == m.span


@pytest.mark.parametrize("text", ["أمسية شعرية", "الأب", "كتاب 1950", "قبل أن يصل", "منذ عام 2011",
                                  "اليومية"])
def test_not_dates(text: str) -> None:
    assert find_dates(analyse(text)) == []


_ALPHABET = st.sampled_from(
    list("أمسليومخيجعةبثاء ()/-0123456789٠١٢٣ًَُِـ") + ["  ", "آب", "أغسطس", "رمضان", "الماضي", "صباح "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join), st.dates(date(2000, 1, 1), date(2030, 1, 1)))
def test_spans_match_text(text: str, published: date) -> None:
    a = analyse(text, published)
    for m in find_dates(a):
        s = m.span
        assert a.doc.text[s.start:s.end] == s.text
        assert m.value is None or len(m.value) == 10


@pytest.mark.parametrize(
    "text, value, future",
    [
        ("العاشر من شهر أغسطس (آب) المقبل", "2016-08-10", True),
        ("5 يناير المقبل", "2016-01-05", True),
        ("في 9 يوليو الجاري", "2015-07-09", None),
        ("20 ديسمبر الماضي", "2015-12-20", None),
    ],
)
def test_explicit_with_qualifier(text: str, value: str, future) -> None:
    m = one(text)
    assert (m.value, m.attr("future")) == (value, future)


def test_night_before_last() -> None:
    assert one("الليلة قبل الماضية").value == "2015-12-22"


def test_numeric_hijri() -> None:
    m = one("بتاريخ 10/9/1436 هـ")
    assert (m.value, m.attr("calendar")) == ("2015-06-27", "hijri")


@pytest.mark.parametrize("text", ["في اليوم التالي", "اليوم الأول", "اليوم العالمي"])
def test_today_not_in_other_days(text: str) -> None:
    assert find_dates(analyse(text)) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_anchored_scanner_equals_finditer(text: str) -> None:
    from marsad.recognise.dates import _DATE_RE, _SCANNER

    norm, _ = normalise(text)
    assert [m.span() for m in _SCANNER.finditer(norm)] == [m.span() for m in _DATE_RE.finditer(norm)]


_WORD_LIST = (
    ["صباح", "منتصف", "ليل", "ليلة", "يوم", "أمس", "وأمس", "بالأمس", "البارحة", "أول", "من", "الأول",
     "الليلة", "الماضية", "ما", "قبل", "بعد", "وبعد", "غد", "الغد", "غدا", "منذ", "يومين", "ثلاثة", "أيام",
     "هذا", "اليوم", "التالي", "الخميس", "والخميس", "الأسبوع", "الشهر", "شهر", "آب", "وآب", "أغسطس", "كانون",
     "الثاني", "الحادي", "والعشرين", "عشر", "العام", "عام", "المقبل", "رمضان", "السابق", "مقابل", "محاولة",
     "و", "(", ")", "/", "،", "24", "12", "2015", "1436", "هـ", "-", "."]
)
_WORDS = st.sampled_from(_WORD_LIST)


def _scans_agree(text: str) -> None:
    from marsad.recognise.dates import _DATE_RE, _SCANNER

    norm, _ = normalise(text)
    assert [m.span() for m in _SCANNER.finditer(norm)] == [m.span() for m in _DATE_RE.finditer(norm)], norm


def test_a_clitic_glued_to_a_parenthesis_starts_the_date() -> None:
    for text in ("ل(آب", "و(آب) 2015", "ب(أغسطس) الماضي"):
        _scans_agree(text)


def test_first_word_guard_on_every_pair_of_words() -> None:
    for a in _WORD_LIST:
        _scans_agree(" ".join(a + " " + b for b in _WORD_LIST))


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=12), st.lists(st.sampled_from([" ", "", "  "]), min_size=12, max_size=12))
def test_first_word_guard_never_skips_a_match(words: list[str], gaps: list[str]) -> None:
    _scans_agree("".join(w + g for w, g in zip(words, gaps, strict=False)))


def test_today_persian_yeh_and_weekday_attrs() -> None:
    assert one("الیوم").value == "2015-12-24"
    m = one("اليوم (الخميس)")
    assert (m.attr("weekday"), m.attr("weekday_mismatch")) == (3, None)
    m = one("اليوم (الأربعاء)")
    assert (m.value, m.attr("weekday_mismatch")) == ("2015-12-24", True)
    assert one("أمس (الأربعاء)").attr("weekday_mismatch") is None


@pytest.mark.parametrize(
    "text, value, future",
    [
        ("في يوليو (تموز) الماضي", "2015-07-15", None),
        ("خلال شهر آب", "2015-08-15", None),
        ("ديسمبر الجاري", "2015-12-15", None),
        ("ديسمبر الماضي", "2014-12-15", None),
        ("في يناير المقبل", "2016-01-15", True),
    ],
)
def test_month_relative(text: str, value: str, future) -> None:
    m = one(text)
    assert (m.value, m.attr("precision"), m.attr("future")) == (value, 3, future)


@pytest.mark.parametrize("text", ["آب", "ماي", "في ماي", "مايو", "في ديسمبر"])
def test_bare_month_is_not_a_date(text: str) -> None:
    assert find_dates(analyse(text)) == []  # THU is in December


def test_month_after_in_is_a_past_month() -> None:
    m = one("أسفر تفجير شاحنة في أكتوبر عن مقتل 500 شخص", date(2018, 7, 14))
    assert (m.value, m.attr("precision")) == ("2017-10-15", 3)


def test_feminine_qualifier_weekday() -> None:
    assert one("الجمعة الماضية").value == "2015-12-18"


@pytest.mark.parametrize(
    "text, value, precision",
    [
        ("الثالث من آب/أغسطس من العام الماضي", "2014-08-03", 1),
        ("3 مارس العام الحالي", "2015-03-03", 1),
        ("أغسطس من العام الماضي", "2014-08-15", 3),
    ],
)
def test_relative_year(text: str, value: str, precision: int) -> None:
    m = one(text)
    assert (m.value, m.attr("precision")) == (value, precision)


def test_since_friday_is_not_a_day_ago() -> None:
    found = find_dates(analyse("تجدد القصف بعد توقفه منذ يوم الجمعة", date(2018, 7, 8)))
    assert [(m.span.text, m.value) for m in found] == [("يوم الجمعة", "2018-07-06")]


def test_a_week_after_an_attack_dates_the_attack() -> None:
    m = one("ويأتي ذلك بعد أسبوع من هجوم مماثل على وزارة الداخلية", date(2018, 7, 14))
    assert m.value == "2018-07-07"
    assert find_dates(analyse("بعد ساعات من نجاح المقاومة", date(2018, 7, 14))) == []
