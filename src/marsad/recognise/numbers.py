"""Arabic number recognition over normalised text.

Requires: ``Analysis.norm`` (see :mod:`marsad.text.normalise`) and its offsets.
Provides: ``parse_number`` for a normalised phrase and ``find_numbers`` that returns
``MentionKind.NUMBER`` mentions with original-text spans.

Every mention carries attrs ``vague``, ``low``, ``high``, ``norm_start``, ``norm_end``;
optional flags tell downstream stages what the number is NOT a toll of:
``year``, ``day`` (day of a month in a date), ``time``, ``unit`` (km, m, percent,
currency, weight, duration, mm), ``label`` (brigade / road numbers), plus
``qualifier`` (approx, more_than, at_least, less_than), ``range`` and ``dual``.

All patterns are compiled once at import; number words are matched with a
prefix-factored (trie) regex so the scan is a single C-level pass.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from marsad.model import Analysis, Mention, MentionKind
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
_add("H", 200, "مئتان", "مئتين", "مائتان", "مائتين", "مئتا", "مئتي", "مائتا", "مائتي")
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

_WORD = trie_regex(_RAW_WORDS)
_SEP = r"[,.\u066b\u066c]"
_DIGITS = rf"\d{{1,3}}(?:{_SEP}\d{{3}})+(?!\d)|\d+(?:[.\u066b]\d+)?"
_MULT = trie_regex(k for k, (c, _) in _RAW_WORDS.items() if c == "m")
_B = r"(?<![\w])"  # word start
_E = r"(?![\w])"  # word end
_DUAL_NOUNS = trie_regex(
    normalise_key(w)
    for w in ("قتيل", "شخص", "جريح", "طفل", "عنصر", "جندي", "شهيد", "رجل", "امرأت", "شاب", "مصاب")
)

_MASTER = re.compile(
    "|".join(
        [
            # numeric dates and clock times: consumed, not numbers
            r"(?P<ndate>(?<!\d)\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}(?!\d))",
            r"(?P<clock>(?<!\d)\d{1,2}:\d{2}(?!\d))",
            # vague quantities
            rf"(?P<vague>{_B}[وبل]?(?P<vc>(?:ال)?(?P<vq>عشرات|ميات|مايات|الاف|الالاف)"
            rf"(?:\s+(?:من\s+)?(?:ال)?(?P<vq2>الاف|ملايين))?){_E})",
            rf"(?P<several>{_B}[وب]?(?P<sc>بضعه|بضع|عده|عدد(?:\s+كبير)?\s+من){_E})",
            # "قتيلين" = two killed
            rf"(?P<dual>{_B}(?:{_DUAL_NOUNS})(?:ين|ان){_E})",
            # digits, optionally scaled ("3 آلاف", "1.5 مليون")
            rf"(?P<dig>(?<![A-Za-z\d_])(?<![A-Za-z\u0621-\u064a]-)(?P<dv>{_DIGITS})(?![A-Za-z])"
            rf"(?:\s*(?P<dm>{_MULT}){_E})?)",
            # number words, compounds joined by spaces and و
            rf"(?P<words>{_B}(?:[وبل](?=\w))?(?:{_WORD}){_E}(?:\s+(?:و\s*)?(?:{_WORD}){_E})*)",
        ]
    )
)
_TOKEN = re.compile(rf"(?:(?P<pre>[وبل])(?=\w))?(?P<w>{_WORD}){_E}")
_SPACES = re.compile(r"\s+")

# context windows (anchored at the end of the text before / start of the text after)
_QUALS: dict[str, str] = {}
for _q, _forms in {
    "approx": ("نحو", "حوالي", "حوالى", "قرابة", "زهاء", "ما يقارب", "يقارب", "ما يناهز", "يناهز", "تقريبا"),
    "more_than": ("أكثر من", "ما يزيد عن", "ما يزيد على", "يزيد عن", "يزيد على", "أزيد من", "ما يربو على",
                  "يربو على", "ما يفوق", "يفوق"),
    "at_least": ("ما لا يقل عن", "لا يقل عن", "على الأقل"),
    "less_than": ("أقل من", "ما يقل عن", "دون"),
}.items():
    for _f in _forms:
        _QUALS[normalise_key(_f)] = _q
_BEFORE_QUAL = re.compile(rf"(?:^|(?<=[\s(]))[وب]?(?P<q>{trie_regex(_QUALS)})\s*$")
_AFTER_QUAL = re.compile(rf"^\s*(?:[\u0621-\u064a]+\s+)?(?P<q>{trie_regex([normalise_key('على الأقل'), 'تقريبا'])}){_E}")
_BETWEEN = re.compile(r"(?:^|(?<=\s))(?:ما\s+)?[وب]?(?:بين|من)\s*$")
_RANGE_JOIN = re.compile(r"^\s*(?:-|الي|حتي|او|و)\s*$")

_UNITS: dict[str, str] = {}
for _u, _forms in {
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
}.items():
    for _f in _forms:
        _UNITS[normalise_key(_f)] = _u
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
_AFTER_MONTH = re.compile(rf"^\s*(?:من\s+)?(?:شهر\s+)?\(?\s*(?:{MONTH_PATTERN})(?![\w])")
_BEFORE_MONTH = re.compile(rf"(?:{MONTH_PATTERN})\s*\)?\s*(?:[/\-]\s*\(?\s*\w+\s*\)?\s*)?(?:من\s+)?(?:عام\s+)?$")
_COUNT_NOUN_AFTER = re.compile(
    r"^\s*(?:قتيل|قتلي|شخص|اشخاص|مدني|جندي|جنود|عنصر|عناصر|مسلح|لاجي|نازح|جريح|مصاب|طفل|اطفال|امراه|نساء|"
    r"رجل|مقاتل|سجين|معتقل|منزل|مبني|غاره|صاروخ|برميل|قذيفه|اسير)"
)
_WINDOW = 40


_THOUSANDS = re.compile(rf"\d{{1,3}}(?:{_SEP}\d{{3}})+")


def _digits_value(s: str) -> float:
    """Value of a digit string with thousands separators or a decimal point."""
    if _THOUSANDS.fullmatch(s):
        return float(re.sub(r"\D", "", s))
    return float(s.replace("\u066b", "."))


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
        return int(round(v))
    keys = [_SPACES.sub(" ", t.group("w")) for t in _TOKEN.finditer(s)]
    if not keys:
        return None
    value, used = _parse_tokens(keys)
    return value if used == len(keys) else None


def _mention(analysis: Analysis, s: int, e: int, value: int, **attrs: Any) -> Mention:
    vague = attrs.pop("vague", False)
    low = attrs.pop("low", None)
    high = attrs.pop("high", None)
    base: list[tuple[str, Any]] = [("vague", vague), ("low", low), ("high", high), ("norm_start", s), ("norm_end", e)]
    base.extend(sorted(attrs.items()))
    return Mention(MentionKind.NUMBER, analysis.span_from_norm(s, e), value, -1, tuple(base))


def _raw_numbers(norm: str) -> list[tuple[int, int, int, dict[str, Any]]]:
    """Pass 1: (start, end, value, attrs) for every number-like match."""
    out: list[tuple[int, int, int, dict[str, Any]]] = []
    for m in _MASTER.finditer(norm):
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
            out.append((m.start("sc"), e, 3, {"vague": True, "low": 3}))
        elif kind == "dual":
            out.append((s, e, 2, {"dual": True, "low": 2, "high": 2}))
        elif kind == "dig":
            v = _digits_value(m.group("dv"))
            attrs: dict[str, Any] = {}
            if m.group("dm"):
                v *= _RAW_WORDS[_SPACES.sub(" ", m.group("dm"))][1]
            elif re.fullmatch(r"\d+[.\u066b]\d+", m.group("dv")) and not _THOUSANDS.fullmatch(m.group("dv")):
                attrs["decimal"] = True
            out.append((s, e, int(round(v)), attrs))
        else:
            _split_words(norm, s, e, out)
    return out


def _split_words(norm: str, s: int, e: int, out: list[tuple[int, int, int, dict[str, Any]]]) -> None:
    """Split a run of number words into valid numbers (a run may hold several)."""
    toks = [(t.start("w"), t.end("w"), _SPACES.sub(" ", t.group("w")), t.group("pre")) for t in
            _TOKEN.finditer(norm, s, e)]
    i = 0
    while i < len(toks):
        value, used = _parse_tokens([t[2] for t in toks[i:]])
        if not used or value is None:
            i += 1
            continue
        first = toks[i]
        last = toks[i + used - 1]
        i += used
        if first[3] in ("ل", "ب") and first[2] == "ست":  # "لست" = "I am not"
            continue
        attrs: dict[str, Any] = {}
        if value == 1000 and used == 1 and first[2] == "الاف":
            attrs = {"vague": True, "low": 1000}
        out.append((first[0], last[1], value, attrs))


def find_numbers(analysis: Analysis) -> list[Mention]:
    """All number mentions of ``analysis.norm``, with flags and merged ranges / qualifiers."""
    norm = analysis.norm
    raw = _raw_numbers(norm)
    mentions: list[Mention] = []
    i = 0
    while i < len(raw):
        s, e, value, attrs = raw[i]
        i += 1
        before = norm[max(0, s - _WINDOW):s]
        # ordinal context ("التاسع عشر"): not a quantity
        if _BEFORE_ORDINAL.search(before) and norm[s:e] in ("عشر", "عشره"):
            continue
        # ranges: "بين 10 و15", "10 - 15", "من 10 الى 15", "3 او 4"
        if i < len(raw) and not attrs.get("vague"):
            s2, e2, v2, a2 = raw[i]
            join = norm[e:s2]
            jm = _RANGE_JOIN.match(join)
            if jm and not a2.get("vague") and v2 > value:
                word = join.strip()
                bm = _BETWEEN.search(before)
                if word in ("-", "او", "الي", "حتي") or bm:
                    if bm and word in ("و", "الي", "حتي"):
                        s = s - len(before) + bm.start()
                    e, attrs = e2, {"range": True, "low": value, "high": v2}
                    i += 1
                    before = norm[max(0, s - _WINDOW):s]
        after = norm[e:e + _WINDOW]
        qm = _BEFORE_QUAL.search(before)
        if qm and "range" not in attrs:
            q = _QUALS[_SPACES.sub(" ", qm.group("q"))]
            s = max(0, s - len(before) + qm.start("q"))
            attrs["qualifier"] = q
        else:
            am = _AFTER_QUAL.match(after)
            if am and "range" not in attrs:
                attrs["qualifier"] = "at_least" if am.group("q") != "تقريبا" else "approx"
        q = attrs.get("qualifier")
        if q == "more_than":
            attrs["low"] = value + 1
        elif q == "at_least":
            attrs["low"] = value
        elif q == "less_than":
            attrs["high"] = max(value - 1, 0)
        if q:
            attrs["approx"] = True
        # what the number counts
        um = _AFTER_UNIT.match(after)
        if um:
            attrs["unit"] = _UNITS[_SPACES.sub(" ", um.group("u"))]
        if _AFTER_TIME.match(after) or _BEFORE_TIME.search(before):
            attrs["time"] = True
        if _BEFORE_LABEL.search(before):
            attrs["label"] = True
        if _AFTER_MONTH.match(after) and 1 <= value <= 31:
            attrs["day"] = True
        digit_text = norm[s:e]
        if (
            "range" not in attrs
            and 1900 <= value <= 2100
            and digit_text.isdigit()
            and (
                _BEFORE_YEAR.search(before)
                or _BEFORE_MONTH.search(before)
                or not _COUNT_NOUN_AFTER.match(after)
            )
        ):
            attrs["year"] = True
        elif _BEFORE_YEAR.search(before) and 1 <= value <= 2100 and digit_text.isdigit() and "unit" not in attrs:
            attrs["year"] = value >= 1000
            if not attrs["year"]:
                del attrs["year"]
        mentions.append(_mention(analysis, s, e, value, **attrs))
    # a dual noun followed by "اثنين" states the same number twice
    dedup: list[Mention] = []
    for m in mentions:
        if (
            dedup
            and dedup[-1].attr("dual")
            and m.value == 2
            and not norm[dedup[-1].attr("norm_end"):m.attr("norm_start")].strip()
        ):
            dedup.pop()
        dedup.append(m)
    return dedup
