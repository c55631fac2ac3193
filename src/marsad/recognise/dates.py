"""Date expressions in Arabic news, resolved against the publication date.

Requires: ``Analysis.norm`` and ``Analysis.doc.published`` (a ``datetime.date`` or None).
Provides: ``find_dates`` (``MentionKind.DATE`` mentions, value ``YYYY-MM-DD`` or None) and the
pure ``resolve_expression``.

Attrs of each mention: ``precision`` (1 day, 2 week, 3 month, as events.md section 3),
``relative`` (resolved against the publication date), ``expr`` (today, yesterday,
day_before_yesterday, tomorrow, weekday, last_week, this_week, last_month, this_month,
ago, explicit, numeric, month_year, month, day_of_month, hijri), ``norm_start``,
``norm_end`` and, when they
apply, ``future`` (after publication), ``weekday`` (0 = Monday, as ``date.weekday``),
``weekday_mismatch`` ("اليوم (الأربعاء)" in an article dated a Thursday: the value still
follows the publication date) and ``calendar`` ("hijri": tabular conversion, with
``approx_days`` 1 since the sighted calendar may differ by a day).

Conventions: a weekday means the most recent such day on or before publication (the
publication day itself unless "الماضي" is said); a day and month without a year take the
latest year that does not put the date after publication; a month-precision date is the
15th of that month (or the publication day, when earlier); "الاسبوع الماضي" is seven days
before publication; "منذ/قبل N ايام|اسابيع|اشهر" counts back (a month = 30 days); a bare
month name ("آب", "ماي") is not a date unless "شهر", a year or "الماضي/المقبل" goes with it;
numeric dates with a year 1300-1600 are Hijri.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from marsad.model import Analysis, Mention, MentionKind
from marsad.recognise.numbers import MONTH_PATTERN, MONTHS, parse_number, trie_regex
from marsad.text.automaton import AnchoredScanner
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

__all__ = [
    "PUBLISHED_MAX", "PUBLISHED_MIN", "check_published", "find_dates", "gregorian_to_hijri",
    "hijri_to_gregorian",
    "resolve_expression",
]

# --------------------------------------------------------------------------- the calendar's edges
#: The publication dates marsad accepts. A date outside (``0001-01-01``, ``9999-12-31``, a year
#: mistyped as ``0218``) is not a publication date: arithmetic on it (a week back, a day on)
#: would leave the calendar, and it anchors nothing a news article says.
PUBLISHED_MIN = date(1900, 1, 1)
PUBLISHED_MAX = date(2199, 12, 31)
#: The dates a date expression may resolve to: later stages step a few days around an event's
#: day (a toll over three days), so the calendar's first and last days are kept out.
_VALUE_MIN = date(1, 1, 1) + timedelta(days=7)
_VALUE_MAX = date(9999, 12, 31) - timedelta(days=7)


def check_published(value: Any) -> tuple[date | None, str | None]:
    """A publication date from ``value`` (a ``date``, a ``datetime`` or a ``YYYY-MM-DD...`` string):
    ``(date, None)``, or ``(None, reason)`` when ``value`` is given but is no date marsad can use
    (unparsable, of another type, or outside ``PUBLISHED_MIN``..``PUBLISHED_MAX``). ``None`` and an
    empty string give ``(None, None)``: no date, nothing to report."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None, f"not a YYYY-MM-DD date: {ascii(value[:40])}"
    else:
        return None, f"not a date: {type(value).__name__}"
    if not PUBLISHED_MIN <= day <= PUBLISHED_MAX:
        return None, f"{day.isoformat()} is outside {PUBLISHED_MIN.isoformat()}..{PUBLISHED_MAX.isoformat()}"
    return day, None

# --------------------------------------------------------------------------- lexicon
WEEKDAYS: dict[str, int] = {
    normalise_key(k): v
    for k, v in {
        "الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الاربعاء": 2, "الخميس": 3,
        "الجمعة": 4, "السبت": 5, "الأحد": 6,
    }.items()
}
HIJRI_MONTHS: dict[str, int] = {}
for _m, _forms in {
    1: ("محرم",), 2: ("صفر",), 3: ("ربيع الأول", "ربيع أول"),
    4: ("ربيع الثاني", "ربيع الآخر", "ربيع ثاني"),
    5: ("جمادى الأولى", "جمادى الأول"), 6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر"),
    7: ("رجب",), 8: ("شعبان",), 9: ("رمضان",), 10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة"), 12: ("ذو الحجة", "ذي الحجة"),
}.items():
    for _f in _forms:
        HIJRI_MONTHS[normalise_key(_f)] = _m

# ordinal day words: "الخامس من حزيران", "الحادي والعشرين من"
_ORD_UNITS = ["الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع"]
_ORD_DAYS: dict[str, int] = {}
for _i, _w in enumerate(_ORD_UNITS, 1):
    _ORD_DAYS[_w] = _i
    _ORD_DAYS[_w + " عشر"] = 10 + _i
_ORD_DAYS["العاشر"] = 10
_ORD_DAYS["الحادي عشر"] = 11
_ORD_DAYS["العشرين"] = 20
_ORD_DAYS["الثلاثين"] = 30
for _i, _w in enumerate(["الحادي"] + _ORD_UNITS[1:], 1):
    _ORD_DAYS[_w + " والعشرين"] = 20 + _i
_ORD_DAYS["الحادي والثلاثين"] = 31
_ORD_DAYS.pop("الاول عشر", None)

_WD = trie_regex(WEEKDAYS)
_MON = MONTH_PATTERN
_HMON = trie_regex(HIJRI_MONTHS)
_ORD = trie_regex(_ORD_DAYS)
_B = r"(?<![\w])"
_E = r"(?![\w])"
_PARTS = r"(?:صباح|مساء|ظهر|فجر|ليله|ليل|عصر|ظهيره|مطلع|يوم|نهار|منتصف\s+ليل|منتصف\s+ليله)"
_PFX = r"[وبل]?"
# "(الخميس)" / "الخميس" right after a relative word
_WD_TAIL = rf"(?:\s*[,،]?\s*\(?\s*(?P<{{name}}>{_WD})\s*\)?)?"
# a month, possibly doubled: "آب/ أغسطس", "(أغسطس) آب", "آب (أغسطس)"
_MEXPR = (
    rf"(?:\(\s*)?(?P<m1>{_MON})(?!\w)(?:\s*\))?(?:\s*[/\-]?\s*(?:\(\s*)?(?P<m2>{_MON})(?!\w)(?:\s*\))?)?"
)

_QUAL = r"(?:الماضيه?|المنصرمه?|الفايته?|السابقه?|المقبله?|القادمه?|الجاري|الحاليه?)"

_DATE_RE = re.compile(
    "|".join(
        [
            # 24/12/2015, 24-12-2015, 24.12.2015
            r"(?P<dmy>(?<![\d/.\-])(?P<d1>\d{1,2})\s*[/.\-]\s*(?P<mo1>\d{1,2})\s*[/.\-]\s*(?P<y1>\d{4})(?![\d/.\-]))",
            # 2015-12-24, 2015/12/24
            r"(?P<ymd>(?<![\d/.\-])(?P<y2>\d{4})[/.\-](?P<mo2>\d{1,2})[/.\-](?P<d2>\d{1,2})(?![\d/.\-]))",
            # Hijri: "10 رمضان 1436 هـ"
            rf"(?P<hijri>{_B}(?P<hd>\d{{1,2}})\s+(?:من\s+)?(?:شهر\s+)?(?P<hm>{_HMON}){_E}"
            rf"(?:\s+(?:من\s+)?(?:عام\s+|سنه\s+)?(?P<hy>\d{{3,4}})(?:\s*(?:ه|هجري|هجريه)(?!\w))?)?)",
            # "الخميس 24 كانون الاول 2015", "3 آب/ أغسطس 2015", "الخامس من حزيران"
            rf"(?P<explicit>(?:{_B}(?:{_PARTS}\s+){{0,2}}{_PFX}(?P<ewd>{_WD}){_E}\s*[,،]?\s*(?:الموافق\s+)?)?"
            rf"(?:(?<![\d/.\-])(?P<ed>\d{{1,2}})(?![\d/.\-])|{_B}{_PFX}(?P<eo>{_ORD}){_E})\s*(?:من\s+)?(?:شهر\s+)?"
            rf"{_MEXPR.replace('m1', 'em1').replace('m2', 'em2')}"
            rf"(?:\s*[,،]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنه\s+)?(?P<ey>\d{{4}})(?!\d)"
            rf"|\s*(?:من\s+)?(?:العام|السنه)\s+(?P<eyq>{_QUAL}){_E}"
            rf"|\s*(?P<eq>المقبل|القادم|الجاري|الحالي|الماضي|المنصرم|الفايت|السابق){_E})?)",
            # "24 من الشهر الجاري / الماضي"
            rf"(?P<dom>(?<![\d/.\-])(?P<dd>\d{{1,2}})\s+(?:من\s+)?(?P<dwhich>الشهر\s+(?:الجاري|الحالي|الماضي|المنصرم|الفايت|السابق)|هذا\s+الشهر){_E})",
            # "(شهر) آب 2015", "آب/ أغسطس من العام 2015"
            rf"(?P<monthyear>{_B}(?:شهر\s+)?(?:{_PFX})?{_MEXPR.replace('m1', 'ym1').replace('m2', 'ym2')}"
            rf"\s*[,،]?\s*(?:من\s+)?(?:عام\s+|العام\s+|سنه\s+)?(?P<yy>\d{{4}})(?!\d))",
            # "(شهر) يوليو (تموز) الماضي", "شهر آب": month precision, year from publication
            rf"(?P<monthrel>{_B}(?:(?P<mshahr>شهر)\s+)?(?:{_PFX})?"
            rf"{_MEXPR.replace('m1', 'rm1').replace('m2', 'rm2')}"
            rf"(?:\s*(?:من\s+)?(?P<myear>العام|السنه)\s+(?P<myq>{_QUAL}){_E}|\s*(?P<mq>{_QUAL}){_E})?)",
            # before yesterday
            rf"(?P<dby>{_B}(?:(?:{_PARTS}\s+){{0,2}}{_PFX}(?:اول\s+(?:من\s+)?امس|امس\s+الاول)"
            rf"|{_PFX}(?:الليله|ليله)\s+(?:ما\s+)?قبل\s+(?:الماضيه|الفايته|البارحه)){_E}{_WD_TAIL.format(name='w2')})",
            # yesterday
            rf"(?P<yest>{_B}(?:{_PARTS}\s+){{0,2}}{_PFX}(?:امس|البارحه){_E}{_WD_TAIL.format(name='w1')})",
            rf"(?P<lastnight>{_B}{_PFX}(?:الليله|ليله)\s+(?:الماضيه|الفايته|المنصرمه|البارحه){_E})",
            # tomorrow
            rf"(?P<tomorrow>{_B}(?:(?:{_PARTS}\s+){{0,2}}{_PFX}(?:غدا|الغد|غد)|بعد\s+غد){_E})",
            # today: "اليوم (الخميس)", "صباح اليوم", "هذا اليوم"
            rf"(?P<today>{_B}(?:(?:{_PARTS}|هذا)\s+)?{_PFX}(?:اليوم|الليله){_E}(?!\s+(?:التالي|السابق|الموالي|الاول|الثاني|الثالث|الرابع|الاخير|نفسه|ذاته|العالمي|الوطني|الدولي|الذي|الذ))(?!\s+قبل){_WD_TAIL.format(name='w0')})",
            # weeks / months
            rf"(?P<week>{_B}{_PFX}الاسبوع\s+(?P<wk>الماضي|المنصرم|الفايت|السابق|الجاري|الحالي){_E})",
            rf"(?P<month>{_B}{_PFX}الشهر\s+(?P<mk>الماضي|المنصرم|الفايت|السابق|الجاري|الحالي){_E})",
            # "منذ يومين", "قبل ثلاثه ايام", "منذ اسبوع"
            rf"(?P<ago>{_B}(?:منذ|قبل|(?=بعد\s+(?!ساع)\S+(?:\s+\S+)?\s+من\s)بعد)\s+(?P<agon>[^\s]+(?:\s+[^\s]+)?\s+)??"
            rf"(?P<agou>يومين|يوم|ايام|يوما|اسبوعين|اسبوع|اسابيع|شهرين|شهر|اشهر|ساعات|ساعه|ساعتين){_E}"
            rf"(?!\s+{_PFX}(?:{_WD}){_E}))",  # "منذ يوم الجمعة" is since Friday, not a day ago
            # weekdays: "يوم الخميس", "الخميس الماضي", "مساء الخميس"
            rf"(?P<weekday>{_B}(?:{_PARTS}\s+){{0,2}}{_PFX}(?P<wd>{_WD}){_E}"
            rf"(?:\s+(?P<wq>{_QUAL}){_E})?)",
        ]
    )
)
_PAST = {"الماضي", "المنصرم", "الفايت", "السابق"}


def _anchor_words() -> set[str]:
    words = set(WEEKDAYS) | {"صباح", "مساء", "ظهر", "فجر", "ليل", "عصر", "ظهيره", "مطلع", "يوم", "نهار",
                             "منتصف"}
    words |= {"هذا", "امس", "البارحه", "اليوم", "الليله", "غد", "بعد", "الاسبوع", "الشهر", "منذ", "قبل",
              "اول", "شهر", "("}
    for k in [*MONTHS, *HIJRI_MONTHS, *_ORD_DAYS]:
        first = k.split(" ")[0]
        words.add(first if len(first) >= 3 or first == k else k)
    return words


_PARTS_WORDS = ("صباح", "مساء", "ظهر", "فجر", "ليله", "ليل", "عصر", "ظهيره", "مطلع", "يوم", "نهار", "منتصف")


def _first_words() -> set[str]:
    """Every word a match of ``_DATE_RE`` can begin with, when it begins with a letter: a part of
    the day, a clitic ([وبل]) and what may follow it, or a word that takes none."""
    heads = {*WEEKDAYS, "امس", "البارحه", "اول", "الليله", "ليله", "غدا", "الغد", "غد", "اليوم", "الاسبوع",
             "الشهر"}
    heads |= {k.split(" ")[0] for k in [*MONTHS, *_ORD_DAYS]}
    words = {pfx + h for pfx in ("", "و", "ب", "ل") for h in heads}
    # "و(آب)": the clitic alone is the first word
    return words | {*_PARTS_WORDS, "هذا", "شهر", "منذ", "قبل", "بعد", "و", "ب", "ل"}


_SCANNER = AnchoredScanner(_DATE_RE, _anchor_words(), first_words=_first_words())


# --------------------------------------------------------------------------- calendars
_HIJRI_EPOCH = 227015  # date.toordinal() of 1 Muharram 1 AH = 16 July 622 Julian (civil epoch)


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """Tabular (arithmetical) Islamic calendar to Gregorian; may differ by a day from sighting."""
    ordinal = (
        day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + _HIJRI_EPOCH - 1
    )
    return date.fromordinal(ordinal)


def gregorian_to_hijri(d: date) -> tuple[int, int, int]:
    """Inverse of :func:`hijri_to_gregorian`: ``(year, month, day)``."""
    o = d.toordinal()
    year = (30 * (o - _HIJRI_EPOCH) + 10646) // 10631
    start = hijri_to_gregorian(year, 1, 1).toordinal()
    month = min(12, math.ceil((o - 29 - start) / 29.5) + 1)
    month = max(month, 1)
    day = o - hijri_to_gregorian(year, month, 1).toordinal() + 1
    return year, month, day


# --------------------------------------------------------------------------- helpers
def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_mid(y: int, m: int, published: date | None) -> date:
    d = date(y, m, 15)
    if published and (published.year, published.month) == (y, m) and published < d:
        return published
    return d


def _last_weekday(published: date, wd: int, past: bool) -> date:
    delta = (published.weekday() - wd) % 7
    if delta == 0 and past:
        delta = 7
    return published - timedelta(days=delta)


def _year_shift(year: int, qualifier: str) -> int:
    """"العام الماضي" = the year before, "العام المقبل" = the year after, else this year."""
    q = qualifier.removesuffix("ه")
    return year - 1 if q in _PAST else year + 1 if q in ("المقبل", "القادم") else year


def _year_for(day: int, month: int, published: date | None) -> date | None:
    """Day and month without a year: the latest date not after publication."""
    if published is None:
        return None
    d = _safe_date(published.year, month, day)
    if d is None or d > published:
        d = _safe_date(published.year - 1, month, day)
    return d


_ABOUT = frozenset({"اكثر من", "نحو", "حوالي", "قرابه", "زهاء", "ما يقارب"})
_AGO_UNITS = {
    "يوم": (1, 1), "يوما": (1, 1), "ايام": (1, 1), "يومين": (2, 1),
    "اسبوع": (7, 2), "اسابيع": (7, 2), "اسبوعين": (14, 2),
    "شهر": (30, 3), "اشهر": (30, 3), "شهرين": (60, 3),
    "ساعه": (0, 1), "ساعات": (0, 1), "ساعتين": (0, 1),
}


def _resolve(m: re.Match[str], published: date | None) -> tuple[date | None, int, dict[str, Any]]:
    """Resolve one match: ``(date or None, precision, attrs)``. A date the arithmetic would put
    outside the calendar ("قبل 99999999 يوما", a year after 9999) or too near its edges is dropped:
    ``None`` with the attr ``out_of_range``; a publication date outside ``PUBLISHED_MIN``..``PUBLISHED_MAX``
    anchors nothing (relative expressions stay unresolved)."""
    if published is not None and not PUBLISHED_MIN <= published <= PUBLISHED_MAX:
        published = None
    try:
        d, precision, attrs = _resolve_match(m, published)
    except (OverflowError, ValueError):  # date arithmetic that leaves the calendar
        return None, 1, {"relative": published is not None, "expr": m.lastgroup, "out_of_range": True}
    if d is not None and not _VALUE_MIN <= d <= _VALUE_MAX:
        return None, precision, {**attrs, "out_of_range": True}
    return d, precision, attrs


def _resolve_match(m: re.Match[str], published: date | None) -> tuple[date | None, int, dict[str, Any]]:
    """:func:`_resolve` without the calendar's guard."""
    kind = m.lastgroup or ""
    g = m.group
    rel: dict[str, Any] = {"relative": True}
    if kind == "dmy":
        y, mo, d = int(g("y1")), int(g("mo1")), int(g("d1"))
        if 1300 <= y <= 1600 and 1 <= mo <= 12 and 1 <= d <= 30:  # a Hijri year: "17/5/1436 هـ"
            return hijri_to_gregorian(y, mo, d), 1, {"relative": False, "expr": "numeric",
                                                     "calendar": "hijri", "approx_days": 1}
        return _safe_date(y, mo, d), 1, {"relative": False, "expr": "numeric"}
    if kind == "ymd":
        y, mo, d = int(g("y2")), int(g("mo2")), int(g("d2"))
        if 1300 <= y <= 1600 and 1 <= mo <= 12 and 1 <= d <= 30:
            return hijri_to_gregorian(y, mo, d), 1, {"relative": False, "expr": "numeric",
                                                     "calendar": "hijri", "approx_days": 1}
        return _safe_date(y, mo, d), 1, {"relative": False, "expr": "numeric"}
    if kind == "hijri":
        hd, hm = int(g("hd")), HIJRI_MONTHS[normalise_key(g("hm"))]
        attrs = {"relative": False, "expr": "hijri", "calendar": "hijri", "approx_days": 1}
        if g("hy"):
            hy = int(g("hy"))
        elif published is not None:
            hy = gregorian_to_hijri(published)[0]
            if hijri_to_gregorian(hy, hm, min(hd, 30)) > published:
                hy -= 1
            attrs["relative"] = True
        else:
            return None, 1, attrs
        if not (1 <= hd <= 30 and 1 <= hy <= 3000):
            return None, 1, attrs
        return hijri_to_gregorian(hy, hm, hd), 1, attrs
    if kind == "explicit":
        day = int(g("ed")) if g("ed") else _ORD_DAYS[normalise_key(g("eo"))]
        month = MONTHS[normalise_key(g("em1"))]
        attrs = {"relative": False, "expr": "explicit"}
        if g("ewd"):
            attrs["weekday"] = WEEKDAYS[g("ewd")]
        if g("ey"):
            return _safe_date(int(g("ey")), month, day), 1, attrs
        attrs["relative"] = True
        if published is not None and g("eyq"):
            return _safe_date(_year_shift(published.year, g("eyq")), month, day), 1, attrs
        eq = g("eq")
        if published is not None and eq in ("المقبل", "القادم"):
            d = _safe_date(published.year, month, day)
            if d is not None and d < published:
                d = _safe_date(published.year + 1, month, day)
            return d, 1, attrs
        if published is not None and eq in ("الجاري", "الحالي"):
            return _safe_date(published.year, month, day), 1, attrs
        return _year_for(day, month, published), 1, attrs
    if kind == "monthyear":
        month = MONTHS[normalise_key(g("ym1"))]
        return _month_mid(int(g("yy")), month, published), 3, {"relative": False, "expr": "month_year"}
    if kind == "monthrel":
        month = MONTHS[normalise_key(g("rm1"))]
        attrs = {**rel, "expr": "month"}
        q = (g("mq") or "").removesuffix("ه")
        if published is None:
            return None, 3, attrs
        if g("myq"):
            return _month_mid(_year_shift(published.year, g("myq")), month, published), 3, attrs
        y = published.year
        if q in ("المقبل", "القادم"):
            if month <= published.month:
                y += 1
        elif q in ("الجاري", "الحالي"):
            pass
        elif month > published.month or (month == published.month and q in _PAST):
            y -= 1
        return _month_mid(y, month, published), 3, attrs
    if kind == "dom":
        if published is None:
            return None, 1, {**rel, "expr": "day_of_month"}
        day = int(g("dd"))
        if any(p in g("dwhich") for p in _PAST):
            first = published.replace(day=1) - timedelta(days=1)
            return _safe_date(first.year, first.month, day), 1, {**rel, "expr": "day_of_month"}
        return _safe_date(published.year, published.month, day), 1, {**rel, "expr": "day_of_month"}
    if published is None:
        return None, 1, {**rel, "expr": kind}
    if kind in ("today", "yest", "lastnight", "dby"):
        back, expr, wgroup = {
            "today": (0, "today", "w0"), "yest": (1, "yesterday", "w1"),
            "lastnight": (1, "yesterday", None), "dby": (2, "day_before_yesterday", "w2"),
        }[kind]
        d = published - timedelta(days=back)
        attrs = {**rel, "expr": expr}
        if wgroup and g(wgroup):  # "اليوم (الخميس)": the weekday confirms (or contradicts) the date
            attrs["weekday"] = WEEKDAYS[g(wgroup)]
            if attrs["weekday"] != d.weekday():
                attrs["weekday_mismatch"] = True
        return d, 1, attrs
    if kind == "tomorrow":
        days = 2 if "بعد" in g("tomorrow") else 1
        return published + timedelta(days=days), 1, {**rel, "expr": "tomorrow", "future": True}
    if kind == "week":
        if g("wk") in _PAST:
            return published - timedelta(days=7), 2, {**rel, "expr": "last_week"}
        return published, 2, {**rel, "expr": "this_week"}
    if kind == "month":
        if g("mk") in _PAST:
            prev = published.replace(day=1) - timedelta(days=1)
            return _month_mid(prev.year, prev.month, None), 3, {**rel, "expr": "last_month"}
        return _month_mid(published.year, published.month, published), 3, {**rel, "expr": "this_month"}
    if kind == "ago":
        step, precision = _AGO_UNITS[g("agou")]
        n = 1
        if g("agou") == "ايام" and not g("agon"):
            # "قبل أيام": a few days ago, the day unknown (time_precision 2)
            return published - timedelta(days=3), 2, {**rel, "expr": "ago"}
        agon = (g("agon") or "").strip()
        if agon:
            parsed = parse_number(agon)
            if parsed is None and agon in _ABOUT:
                # "بعد أكثر من شهر من التفجير": a month and more (a day past the unit)
                extra = 1 if agon == "اكثر من" else 0
                return published - timedelta(days=step + extra), precision, {**rel, "expr": "ago"}
            if parsed is None:
                return None, precision, {**rel, "expr": "ago"}
            n = parsed
        return published - timedelta(days=step * n), precision, {**rel, "expr": "ago"}
    if kind == "weekday":
        wd = WEEKDAYS[g("wd")]
        q = (g("wq") or "").removesuffix("ه")
        if q in ("المقبل", "القادم"):
            delta = (wd - published.weekday()) % 7 or 7
            return published + timedelta(days=delta), 1, {**rel, "expr": "weekday", "weekday": wd,
                                                          "future": True}
        return _last_weekday(published, wd, q in _PAST), 1, {**rel, "expr": "weekday", "weekday": wd}
    return None, 1, {**rel, "expr": kind}


def resolve_expression(norm_phrase: str, published: date) -> tuple[str | None, int]:
    """Resolve the first date expression of a normalised phrase: ``(YYYY-MM-DD or None, precision)``.

    Precision 0 means no date expression was recognised.
    """
    for m in _DATE_RE.finditer(norm_phrase):
        if _bare_month(m):
            continue
        d, precision, _ = _resolve(m, published)
        return (d.isoformat() if d else None), precision
    return None, 0


# a month name after these is a time ("في أكتوبر"); "آب", "ماي", "أوت" stay too ambiguous even then
_MONTH_AFTER = re.compile(r"(?:^|\s)(?:في|خلال|منذ|مطلع|اواخر|اوايل|منتصف)\s+$")
_AMBIGUOUS_MONTHS = frozenset({"اب", "ماي", "اوت"})


def _bare_month(m: re.Match[str], norm: str = "") -> bool:
    """A month name alone ("آب", "ماي") is too ambiguous to be a date, unless "في" or the like
    governs an unambiguous one ("تفجير في أكتوبر")."""
    if m.lastgroup != "monthrel" or m.group("mq") or m.group("mshahr") or m.group("myq"):
        return False
    governed = bool(norm) and _MONTH_AFTER.search(norm, max(0, m.start() - 8), m.start()) is not None
    return not governed or normalise_key(m.group("rm1")) in _AMBIGUOUS_MONTHS


def find_dates(analysis: Analysis) -> list[Mention]:
    """All date mentions of ``analysis.norm``, resolved against ``analysis.doc.published``."""
    published = analysis.doc.published
    if published is not None and not PUBLISHED_MIN <= published <= PUBLISHED_MAX:
        published = None  # (readers, extract() and the HTTP layer report such a date)
    if published is None:
        log.debug("%r: no publication date, relative dates stay unresolved", analysis.doc.doc_id)
    out: list[Mention] = []
    for m in _SCANNER.finditer(analysis.norm):
        if _bare_month(m, analysis.norm):
            continue
        if _bare_month(m) and published is not None \
                and MONTHS[normalise_key(m.group("rm1"))] == published.month:
            continue  # "في مايو" in a May report says no more than the publication date
        s, e = m.span()
        # trailing spaces/parentheses of optional parts are not part of the expression
        while e > s and analysis.norm[e - 1] in " \t\n(":
            e -= 1
        d, precision, attrs = _resolve(m, published)
        if d is not None and published is not None and d > published:
            attrs["future"] = True
        value = d.isoformat() if d else None
        base: list[tuple[str, Any]] = [
            ("precision", precision),
            ("relative", attrs.pop("relative", False)),
            ("expr", attrs.pop("expr", m.lastgroup)),
            ("norm_start", s),
            ("norm_end", e),
        ]
        base.extend(sorted(attrs.items()))
        out.append(analysis.mention(MentionKind.DATE, s, e, value, tuple(base)))
    return out
