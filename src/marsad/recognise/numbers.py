"""Arabic number recognition over normalised text.

Requires: ``Analysis.norm`` (see :mod:`marsad.text.normalise`) and its offsets.
Provides: ``parse_number`` for a normalised phrase and ``find_numbers`` that returns
``MentionKind.NUMBER`` mentions (``value`` an int) with original-text spans.

Every mention carries attrs ``vague``, ``low``, ``high``, ``norm_start``, ``norm_end``.
Optional attrs say what the number is NOT (a toll must skip them): ``year`` (also Hijri
years), ``day`` (day of a month in a date), ``time`` (clock time), ``unit`` (km, m, mm,
percent, currency, weight, duration), ``label`` (brigade / road / article numbers),
``decimal``. Others qualify it: ``qualifier`` (approx, more_than, at_least, less_than)
with ``approx`` True; ``range`` (value = low, with ``low``/``high``); ``dual`` (a dual
noun such as "قتيلين" = 2); ``mult`` (digits scaled by a word: "3 آلاف").
Vague quantities follow events.md section 4: عشرات 10, مئات 100, آلاف 1000,
عدة / بضعة / عدد من / العديد من 3 (``vague`` True, ``low`` = value, ``high`` None).
Ordinals ("الثالث", "التاسع عشر") and numeric dates ("24/12/2015") give no mention.

Speed: all patterns are compiled once at import. One master regex holds every form;
:class:`~marsad.text.automaton.AnchoredScanner` runs it only where a match can start (digit
runs and anchor words found by one Aho-Corasick pass), which is equivalent to ``finditer``
and several times faster.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from marsad.model import Analysis, Mention, MentionKind
from marsad.text.automaton import AnchoredScanner
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

__all__ = ["MONTHS", "MONTH_PATTERN", "find_numbers", "parse_number", "trie_regex"]

# --------------------------------------------------------------------------- lexicon
# classes: u unit, t ten (عشر), e teen, d tens, h hundred (multipliable), H hundreds, m multiplier
_RAW_WORDS: dict[str, tuple[str, int]] = {}


def _add(cls: str, value: int, *forms: str) -> None:
    for f in forms:
        _RAW_WORDS[normalise_key(f)] = (cls, value)


_add("u", 1, "واحد", "واحدة")
_add("u", 2, "اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثني", "اثنتا", "اثنتي", "إثنان", "إثنين")
_add("u", 3, "ثلاثة", "ثلاث")
_add("u", 4, "أربعة", "أربع")
_add("u", 5, "خمسة", "خمس")
_add("u", 6, "ستة", "ست")
_add("u", 7, "سبعة", "سبع")
_add("u", 8, "ثمانية", "ثماني", "ثمان")
_add("u", 9, "تسعة", "تسع")
_add("t", 10, "عشرة", "عشر")
_add("e", 11, "أحد عشر", "أحد عشرة", "إحدى عشرة", "إحدى عشر", "احدى عشرة")
for _v, _forms in {
    20: ("عشرون", "عشرين"), 30: ("ثلاثون", "ثلاثين"), 40: ("أربعون", "أربعين"),
    50: ("خمسون", "خمسين"), 60: ("ستون", "ستين"), 70: ("سبعون", "سبعين"),
    80: ("ثمانون", "ثمانين"), 90: ("تسعون", "تسعين"),
}.items():
    _add("d", _v, *_forms)
_add("h", 100, "مئة", "مائة", "مية")
_add("H", 200, "مئتان", "مئتين", "مائتان", "مائتين", "مئتي", "مائتا", "مائتي")  # not "مئتا" = "ميتا" (dead)
for _v, _stems in {
    300: ("ثلاث",), 400: ("أربع",), 500: ("خمس",), 600: ("ست",), 700: ("سبع",),
    800: ("ثمان", "ثماني"), 900: ("تسع",),
}.items():
    for _s in _stems:
        _add("H", _v, _s + "مئة", _s + "مائة")
_add("m", 1000, "ألف", "ألفا", "آلاف")
_add("m", 2000, "ألفان", "ألفين", "ألفي")
_add("m", 1_000_000, "مليون", "مليونا", "ملايين")
_add("m", 2_000_000, "مليونان", "مليونين")
_add("m", 1_000_000_000, "مليار", "مليارا", "مليارات")

# month names (all systems), shared with the date recogniser
MONTHS: dict[str, int] = {}
for _m, _forms in {
    1: ("كانون الثاني", "كانون ثاني", "يناير", "جانفي", "جانفييه"),
    2: ("شباط", "فبراير", "فيفري", "فبرير"),
    3: ("آذار", "مارس"),
    4: ("نيسان", "أبريل", "إبريل", "ابريل", "أفريل", "افريل"),
    5: ("أيار", "مايو", "ماي"),
    6: ("حزيران", "يونيو", "يونيه", "جوان"),
    7: ("تموز", "يوليو", "يوليه", "جويلية", "جويلييه", "يوليوز"),
    8: ("آب", "أغسطس", "اغسطس", "أوت", "غشت", "أغسطوس"),
    9: ("أيلول", "سبتمبر", "شتنبر"),
    10: ("تشرين الأول", "تشرين أول", "أكتوبر", "اكتوبر"),
    11: ("تشرين الثاني", "تشرين ثاني", "نوفمبر", "نونبر"),
    12: ("كانون الأول", "كانون أول", "ديسمبر", "دجنبر", "دیسمبر"),
}.items():
    for _f in _forms:
        MONTHS[normalise_key(_f)] = _m


def trie_regex(words: Iterable[str]) -> str:
    """A prefix-factored regex alternation for ``words`` (a space matches ``\\s+``)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        alts = []
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + emit(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            body = "(?:" + body + ")?"
        return body

    return emit(trie)


MONTH_PATTERN = trie_regex(MONTHS)

def _first_words(keys: Iterable[str]) -> set[str]:
    """Anchor words for multi-word keys: the first word, or the whole key when that word is short."""
    out = set()
    for k in keys:
        first = k.split(" ")[0]
        out.add(first if len(first) >= 3 or first == k else k)
    return out

_WORD = trie_regex(_RAW_WORDS)
_SEP = r"[,.\u066b\u066c]"
_DIGITS = rf"\d{{1,3}}(?:{_SEP}\d{{3}})+(?!\d)|\d+(?:[.\u066b]\d+)?"
_MULT = trie_regex(k for k, (c, _) in _RAW_WORDS.items() if c == "m")
_B = r"(?<![\w])"  # word start
_E = r"(?![\w])"  # word end
_DUAL_NOUNS = trie_regex(
    normalise_key(w)
    for w in ("قتيل", "شخص", "جريح", "طفل", "عنصر", "جندي", "شهيد", "رجل", "امرأت", "شاب")
)

# nouns whose "-ين" form is also a plural: only the nominative dual "-ان" counts
_DUAL_AN_WORDS = ("شرطي", "انتحاري", "قيادي", "مدني", "عسكري", "صحفي", "إرهابي", "حوثي", "مسلح", "مقاتل",
                  "مواطن", "ناشط", "مصاب", "مهاجم", "معتقل", "أسير", "ضابط", "فلسطيني", "إسرائيلي", "سوري",
                  "عراقي", "يمني", "مصري", "ليبي", "تركي", "لبناني", "سعودي", "أمريكي", "أميركي")
_DUAL_AN = trie_regex(normalise_key(w) for w in _DUAL_AN_WORDS)

_MASTER = re.compile(
    "|".join(
        [
            # numeric dates and clock times: consumed, not numbers
            r"(?P<ndate>(?<!\d)\d{1,4}(?:[.\-]|\s*/\s*)\d{1,2}(?:[.\-]|\s*/\s*)\d{2,4}(?!\d))",
            r"(?P<clock>(?<!\d)\d{1,2}:\d{2}(?!\d))",
            # vague quantities
            rf"(?P<vague>{_B}[وف]?[بل]?(?P<vc>(?:ال)?(?P<vq>عشرات|ميات|مايات|الاف|الالاف)"
            rf"(?:\s+(?:من\s+)?(?:ال)?(?P<vq2>الاف|ملايين))?){_E})",
            # (the accusative "عددا من" and "العديد من", "many", are the spec's "a number of" too)
            rf"(?P<several>{_B}(?:[وب]?(?P<sc>بضعه|بضع|عددا?(?:\s+كبيرا?)?\s+من|(?:ال)?عديد\s+من)"
            rf"|و?(?P<sc2>عده)){_E})",
            # "نصف مليون", "ربع مليون"
            rf"(?P<frac>{_B}[وب]?(?P<fr>نصف|ربع)\s+(?P<fm>مليون|مليار|الف){_E})",
            # "قتيلين" = two killed
            rf"(?P<dual>{_B}[وف]?(?P<dc>(?:{_DUAL_NOUNS})(?:ين|ان)|(?:{_DUAL_AN})ان){_E})",
            # digits, optionally scaled ("3 آلاف", "1.5 مليون")
            rf"(?P<dig>(?<![A-Za-z\d_])(?<![A-Za-z\u0621-\u064a]-)(?P<dv>{_DIGITS})(?![A-Za-z])"
            rf"(?:\s*(?P<dm>{_MULT}){_E})?)",
            # number words, compounds joined by spaces and و
            rf"(?P<words>{_B}(?:[وبل](?=\w))?(?:{_WORD}){_E}(?:\s+(?:و\s*)?(?:{_WORD}){_E})*)",
        ]
    )
)
_SCANNER = AnchoredScanner(
    _MASTER,
    _first_words(_RAW_WORDS)
    | {"عشرات", "ميات", "مايات", "الاف", "الالاف", "بضع", "عده", "عدد", "عديد", "نصف", "ربع"}
    | {normalise_key(w) for w in ("قتيل", "شخص", "جريح", "طفل", "عنصر", "جندي", "شهيد", "رجل", "امرأت",
                                  "شاب")}
    | {normalise_key(w) for w in _DUAL_AN_WORDS},
)
_TOKEN = re.compile(rf"(?:(?P<pre>[وبل])(?=\w))?(?P<w>{_WORD}){_E}")
_SPACES = re.compile(r"\s+")

# context windows (anchored at the end of the text before / start of the text after)
def _forms_table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised word form -> its label, from label -> forms."""
    return {normalise_key(form): label for label, forms in groups.items() for form in forms}


_QUALS = _forms_table({
    "approx": ("نحو", "حوالي", "حوالى", "قرابة", "زهاء", "ما يقارب", "يقارب", "ما يناهز", "يناهز", "تقريبا"),
    "more_than": ("أكثر من", "ما يزيد عن", "ما يزيد على", "يزيد عن", "يزيد على", "أزيد من", "ما يربو على",
                  "يربو على", "ما يفوق", "يفوق"),
    "at_least": ("ما لا يقل عن", "لا يقل عن", "على الأقل"),
    "less_than": ("أقل من", "ما يقل عن", "دون"),
})
_BEFORE_QUAL = re.compile(rf"(?:^|(?<=[\s(]))[وب]?(?P<q>{trie_regex(_QUALS)})\s*$")
_AFTER_QUAL = re.compile(rf"^\s*(?:[\u0621-\u064a]+\s+)?"
                         rf"(?P<q>{trie_regex([normalise_key('على الأقل'), 'تقريبا'])}){_E}")
_BETWEEN = re.compile(r"(?:^|(?<=\s))(?:ما\s+)?[وب]?(?:بين|من)\s*$")
_AND = re.compile(r"^\s*و\s*$")
_RANGE_JOIN = re.compile(r"^\s*(?:-|الي|حتي|او|و)\s*$")

_UNITS = _forms_table({
    "km": ("كلم", "كم", "كيلومتر", "كيلومترا", "كيلومترات", "كيلو متر", "كيلو مترا", "كيلو مترات"),
    "m": ("متر", "مترا", "أمتار", "مترات"),
    "mm": ("ملم", "مم", "مليمتر", "ملليمتر"),
    "percent": ("%", "٪", "بالمئة", "بالمائة", "بالمية", "في المئة", "في المائة", "في المية"),
    "currency": ("دولار", "دولارا", "دولارات", "ليرة", "ليرات", "يورو", "دينار", "دينارا", "دنانير", "ريال",
                 "ريالا", "جنيه", "جنيها", "درهم", "درهما", "دراهم"),
    "weight": ("طن", "طنا", "أطنان", "كغ", "كلغ", "كيلوغرام", "كيلوغراما", "كيلوجرام", "غرام"),
    "duration": ("ساعة", "ساعات", "دقيقة", "دقائق", "ثانية", "ثوان", "يوم", "يوما", "أيام", "أسبوع",
                 "أسبوعا", "أسابيع", "شهر", "شهرا", "أشهر", "شهور", "سنة", "سنوات", "عام", "عاما", "أعوام",
                 "سنين", "عقد", "عقود"),
})
_AFTER_UNIT = re.compile(rf"^\s*(?P<u>{trie_regex(_UNITS)})(?![\w])")
_AFTER_TIME = re.compile(r"^\s*(?:من\s+)?(?:صباحا|مساء|مساءا|ظهرا|فجرا|ليلا|عصرا|بتوقيت|ص|م)(?![\w])")
_BEFORE_TIME = re.compile(r"(?:^|(?<=\W))[وبل]?(?:ال)?ساعه\s*$")
_BEFORE_YEAR = re.compile(r"(?:^|(?<=\W))[وبل]?(?:ال|لل)?(?:عام|سنه|منذ)\s*$")
_BEFORE_LABEL = re.compile(
    r"(?:^|(?<=\W))[وبل]?(?:ال|لل)?(?:لواء|فرقه|فوج|كتيبه|فيلق|قطاع|رقم|ماده|طريق|قرار|بند|طراز|الفرقه)\s*$"
)
_BEFORE_ORDINAL = re.compile(
    r"(?:^|(?<=\W))ال(?:حادي|ثاني|ثالث|رابع|خامس|سادس|سابع|ثامن|تاسع)(?:ه)?\s*$"
)
_HIJRI_MONTH = r"(?:محرم|صفر|ربيع\s+\w+|جمادي\s+\w+|رجب|شعبان|رمضان|شوال|ذو\s+\w+|ذي\s+\w+)"
_AFTER_MONTH = re.compile(rf"^\s*(?:من\s+)?(?:شهر\s+)?\(?\s*(?:{MONTH_PATTERN}|{_HIJRI_MONTH})(?![\w])")
_AFTER_HIJRI_YEAR = re.compile(r"^\s*(?:ه|هجري|هجريه)(?![\w])")
_BEFORE_HIJRI_YEAR = re.compile(rf"{_HIJRI_MONTH}\s*(?:من\s+)?(?:عام\s+)?$")
_BEFORE_MONTH = re.compile(rf"(?:{MONTH_PATTERN})\s*\)?\s*(?:[/\-]\s*\(?\s*\w+\s*\)?\s*)?"
                           r"(?:من\s+)?(?:عام\s+)?$")
_COUNT_NOUN_AFTER = re.compile(
    r"^\s*(?:قتيل|قتلي|شخص|اشخاص|مدني|جندي|جنود|عنصر|عناصر|مسلح|لاجي|نازح|جريح|مصاب|طفل|اطفال|امراه|نساء|"
    r"رجل|مقاتل|سجين|معتقل|منزل|مبني|غاره|صاروخ|برميل|قذيفه|اسير)"
)
_WINDOW = 32


_THOUSANDS = re.compile(rf"\d{{1,3}}(?:{_SEP}\d{{3}})+")
#: Digits worth more than this count nothing in a news report (a phone number, an id, a run of
#: digits): they are not numbers (``parse_number`` gives None, ``find_numbers`` no mention).
MAX_VALUE = 10**15


def _digits_value(s: str) -> float:
    """Value of a digit string with thousands separators or a decimal point (``inf`` when huge)."""
    if _THOUSANDS.fullmatch(s):
        return float(re.sub(r"\D", "", s))
    return float(s.replace("\u066b", "."))


def _count(v: float) -> int | None:
    """``v`` rounded, or None when it is too large to be a count (``MAX_VALUE``, ``inf``)."""
    return int(round(v)) if v <= MAX_VALUE else None


def _parse_tokens(keys: list[str]) -> tuple[int | None, int]:
    """Parse a run of number-word keys; return ``(value, tokens consumed)`` of the longest valid prefix."""
    total = 0
    group = 0
    seen_u = seen_t = seen_h = False
    last_cls = ""
    last_mult = 0
    used = 0
    for key in keys:
        entry = _RAW_WORDS.get(key)
        if entry is None:
            break
        cls, val = entry
        if cls == "u":
            if seen_u:
                break
            group += val
            seen_u = True
        elif cls == "t":
            if last_cls == "u" and not seen_t:
                group += 10
                seen_t = True
            elif not seen_u and not seen_t:
                group += 10
                seen_u = seen_t = True
            else:
                break
        elif cls == "e":
            if seen_u or seen_t:
                break
            group += val
            seen_u = seen_t = True
        elif cls == "d":
            if seen_t:
                break
            group += val
            seen_t = True
        elif cls == "h":
            if last_cls == "u" and not seen_t and not seen_h:
                group *= 100
                seen_u = False
                seen_h = True
            elif seen_h or seen_t or seen_u:
                break
            else:
                group += 100
                seen_h = True
        elif cls == "H":
            if seen_h or seen_t or seen_u:
                break
            group += val
            seen_h = True
        else:  # multiplier
            base = val
            unit = 1000 if val < 1_000_000 else (1_000_000 if val < 1_000_000_000 else 1_000_000_000)
            if last_mult and unit >= last_mult:
                break
            if val != unit and group:  # "ألفين" after a number: not a compound
                break
            total += (group or 1) * base if val == unit else base
            last_mult = unit
            group = 0
            seen_u = seen_t = seen_h = False
        last_cls = cls
        used += 1
    if used == 0:
        return None, 0
    return total + group, used


def parse_number(s: str) -> int | None:
    """Value of a normalised number phrase ("ثلاثه وعشرين", "1,200", "3 الاف"), else None."""
    s = _SPACES.sub(" ", s).strip()
    if not s:
        return None
    m = re.fullmatch(rf"(?P<dv>{_DIGITS})(?:\s*(?P<dm>{_MULT}))?", s)
    if m:
        v = _digits_value(m.group("dv"))
        if m.group("dm"):
            v *= _RAW_WORDS[_SPACES.sub(" ", m.group("dm"))][1]
        return _count(v)
    keys = [_SPACES.sub(" ", t.group("w")) for t in _TOKEN.finditer(s)]
    if not keys:
        return None
    value, used = _parse_tokens(keys)
    return value if used == len(keys) else None


def _mention(analysis: Analysis, s: int, e: int, value: int, **attrs: Any) -> Mention:
    vague = attrs.pop("vague", False)
    low = attrs.pop("low", None)
    high = attrs.pop("high", None)
    base: list[tuple[str, Any]] = [("vague", vague), ("low", low), ("high", high), ("norm_start", s),
                                   ("norm_end", e)]
    base.extend(sorted(attrs.items()))
    return analysis.mention(MentionKind.NUMBER, s, e, value, tuple(base))


def _raw_numbers(analysis: Analysis) -> list[tuple[int, int, int, dict[str, Any]]]:
    """Pass 1: (start, end, value, attrs) for every number-like match."""
    norm = analysis.norm
    out: list[tuple[int, int, int, dict[str, Any]]] = []
    for m in _SCANNER.finditer(norm):
        kind = m.lastgroup
        if kind in ("ndate", "clock"):
            continue
        s, e = m.span()
        if kind == "vague":
            vq = m.group("vq")
            value = 10 if vq == "عشرات" else 1000 if vq.endswith("الاف") else 100
            if m.group("vq2"):
                value *= 1000 if m.group("vq2").endswith("الاف") else 1_000_000
            out.append((m.start("vc"), e, value, {"vague": True, "low": value}))
        elif kind == "several":
            out.append((m.start("sc") if m.group("sc") else m.start("sc2"), e, 3, {"vague": True, "low": 3}))
        elif kind == "frac":
            v = _RAW_WORDS[m.group("fm")][1] // (2 if m.group("fr") == "نصف" else 4)
            out.append((m.start("fr"), e, v, {}))
        elif kind == "dual":
            out.append((m.start("dc"), e, 2, {"dual": True, "low": 2, "high": 2}))
        elif kind == "dig":
            v = _digits_value(m.group("dv"))
            attrs: dict[str, Any] = {}
            if m.group("dm"):
                mult = _RAW_WORDS[_SPACES.sub(" ", m.group("dm"))][1]
                v *= mult
                attrs["mult"] = mult
            elif re.fullmatch(r"\d+[.\u066b]\d+", m.group("dv")) and not _THOUSANDS.fullmatch(m.group("dv")):
                attrs["decimal"] = True
            value = _count(v)
            if value is None:
                log.debug("%d digits at %d: too large to be a count", e - s, s)
                continue
            out.append((s, e, value, attrs))
        else:
            _split_words(analysis, s, e, out)
    _nisba_duals(norm, out)
    return out


# "-يان" closes words that are not duals
_NOT_DUAL = frozenset(
    normalise_key(w)
    for w in ("بيان", "كيان", "أحيان", "بنيان", "طغيان", "عصيان", "سريان", "نسيان", "هذيان", "غليان", "عميان",
              "صبيان", "فتيان", "بلدان", "عنفوان", "إيمان", "سفيان", "بنيامين", "عليان", "بريطانيان", "ديان")
)


_CASUALTY_VERB = re.compile(
    r"(?:^|\s)[وف]?(?:قتل|اصيب|جرح|استشهد|اعتقل|اختطف|خطف|اسر|لقي|توفي|قضي|سقط|نجا|اصيبت|قتلت)\s+$"
)


def _nisba_duals(norm: str, out: list[tuple[int, int, int, dict[str, Any]]]) -> None:
    """Nominative duals of nisba nouns ("إسرائيليان", "مدنيان"): two people."""
    i = norm.find("يان")
    found = False
    taken = {r[0] for r in out}
    while i != -1:
        e = i + 3
        if e == len(norm) or not norm[e].isalnum():
            s = i
            while s > 0 and norm[s - 1].isalpha():
                s -= 1
            if norm[s] in "وبلف" and e - s > 7:
                s += 1  # conjunction / preposition
            word = norm[s:e]
            if (
                s not in taken
                and len(word) >= 6
                and not word.startswith("ال")
                and word not in _NOT_DUAL
                and _CASUALTY_VERB.search(norm[max(0, s - 16):s])
            ):
                out.append((s, e, 2, {"dual": True, "low": 2, "high": 2}))
                found = True
        i = norm.find("يان", e)
    if found:
        out.sort(key=lambda r: r[0])


_MAX_NUMBER_WORDS = 64


def _split_words(analysis: Analysis, s: int, e: int, out: list[tuple[int, int, int, dict[str, Any]]]) -> None:
    """Split a run of number words into valid numbers (a run may hold several)."""
    norm = analysis.norm
    toks = [(t.start("w"), t.end("w"), _SPACES.sub(" ", t.group("w")), t.group("pre")) for t in
            _TOKEN.finditer(norm, s, e)]
    i = 0
    while i < len(toks):
        # (a number takes a few words: a bounded window keeps a long run of number words linear)
        value, used = _parse_tokens([t[2] for t in toks[i:i + _MAX_NUMBER_WORDS]])
        if not used or value is None:
            i += 1
            continue
        first = toks[i]
        last = toks[i + used - 1]
        i += used
        if first[3] in ("ل", "ب") and first[2] == "ست":  # "لست" = "I am not"
            continue
        attrs: dict[str, Any] = {}
        if used == 1 and first[2] in ("الاف", "ملايين"):  # "آلاف" alone: thousands
            attrs = {"vague": True, "low": value}
        elif used == 1 and first[2] == "الف" and "\u0651" in analysis.span_from_norm(first[0], first[1]).text:
            continue  # "ألّف" (he composed)
        out.append((first[0], last[1], value, attrs))


def find_numbers(analysis: Analysis) -> list[Mention]:
    """All number mentions of ``analysis.norm``, with flags and merged ranges / qualifiers."""
    norm = analysis.norm
    raw = _raw_numbers(analysis)
    mentions: list[Mention] = []
    i = 0
    while i < len(raw):
        s, e, value, attrs = raw[i]
        i += 1
        before = norm[max(0, s - _WINDOW):s]
        core = norm[s:e]
        # ordinal context ("التاسع عشر"): not a quantity
        if core in ("عشر", "عشره") and _BEFORE_ORDINAL.search(before):
            continue
        # "12 ألفا و500" = 12500
        if i < len(raw) and attrs.get("mult") and raw[i][2] < attrs["mult"] and _AND.match(norm[e:raw[i][0]]):
            value += raw[i][2]
            e = raw[i][1]
            i += 1
        # ranges: "بين 10 و15", "10 - 15", "من 10 الى 15", "3 او 4"
        if i < len(raw) and not attrs.get("vague"):
            s2, e2, v2, a2 = raw[i]
            join = norm[e:s2]
            if len(join) <= 6 and v2 > value and not a2.get("vague") and _RANGE_JOIN.match(join):
                word = join.strip()
                bm = _BETWEEN.search(before)
                if word in ("-", "او", "الي", "حتي") or bm:
                    if bm and word in ("و", "الي", "حتي"):
                        s = s - len(before) + bm.start()
                    e, attrs = e2, {"range": True, "low": value, "high": v2}
                    i += 1
                    before = norm[max(0, s - _WINDOW):s]
        after = norm[e:e + _WINDOW]
        if "range" not in attrs:
            qm = _BEFORE_QUAL.search(before)
            if qm:
                s = s - len(before) + qm.start("q")
                attrs["qualifier"] = _QUALS[_SPACES.sub(" ", qm.group("q"))]
            else:
                am = _AFTER_QUAL.match(after)
                if am:
                    attrs["qualifier"] = "at_least" if am.group("q") != "تقريبا" else "approx"
        q = attrs.get("qualifier")
        if q:
            attrs["approx"] = True
            if q == "more_than":
                attrs["low"] = value + 1
            elif q == "at_least":
                attrs["low"] = value
            elif q == "less_than":
                attrs["high"] = max(value - 1, 0)
        # what the number counts
        um = _AFTER_UNIT.match(after)
        if um:
            attrs["unit"] = _UNITS[_SPACES.sub(" ", um.group("u"))]
        if _AFTER_TIME.match(after) or _BEFORE_TIME.search(before):
            attrs["time"] = True
        if _BEFORE_LABEL.search(before):
            attrs["label"] = True
        if 1 <= value <= 31 and _AFTER_MONTH.match(after):
            attrs["day"] = True
        # a year, unless it plainly counts something ("2000 قتيل")
        if (
            "range" not in attrs
            and core.isdigit()
            and len(core) == 4
            and 1000 <= value <= 2100
            and (
                _BEFORE_YEAR.search(before)
                or _BEFORE_MONTH.search(before)
                or (1300 <= value <= 1600
                    and (_AFTER_HIJRI_YEAR.match(after) or _BEFORE_HIJRI_YEAR.search(before)))
                or (value >= 1900 and "unit" not in attrs and not _COUNT_NOUN_AFTER.match(after))
            )
        ):
            attrs["year"] = True
        mentions.append(_mention(analysis, s, e, value, **attrs))
    # a dual followed by "اثنين" (or by an agreeing dual adjective) states the same number twice
    dedup: list[Mention] = []
    for m in mentions:
        if (
            dedup
            and dedup[-1].attr("dual")
            and m.value == 2
            and not norm[dedup[-1].attr("norm_end"):m.attr("norm_start")].strip()
        ):
            if m.attr("dual"):
                continue
            dedup.pop()
        dedup.append(m)
    return dedup
