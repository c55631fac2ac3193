"""Place recognition: gazetteer names in the normalised text, with clitics and modifiers.

Requires: ``analysis.norm`` (see ``text.normalise``) and a ``GazetteerLike``. Provides: PLACE mentions
(``sent=-1``; the pipeline fills it) whose ``value`` is the tuple of candidate places and whose attrs are
``modifier`` (see MODIFIERS), ``precision`` (1|2|3, provisional until geocoding), ``key`` (the gazetteer
key), ``name_span`` (start, end of the bare name in the original text) and ``norm_end`` (end in norm).
The span covers the whole phrase ("ريف درعا الغربي", "حي القدم بدمشق") so it can serve as
``location_text``.

One Aho-Corasick automaton per gazetteer is compiled once; a match is kept when it ends at a word end
and starts at a word start or after an allowed clitic prefix; the longest non-overlapping matches win.
"""

from __future__ import annotations

import gzip
import logging
import pickle
import re
import weakref
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from marsad.geo.gazetteer import GazetteerLike
from marsad.model import Analysis, Mention, MentionKind, Place
from marsad.text.automaton import Automaton
from marsad.text.chars import word_automaton, word_hits

log = logging.getLogger(__name__)

# Proclitics that may be glued to a place name: conjunction, preposition, article, and combinations.
PREFIXES: frozenset[str] = frozenset(
    {c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك") for a in ("", "ال")}
    | {"لل", "ولل", "فلل"})
# "للرقة" = ل + الرقة with the article's alef dropped: the key is "الرقه" but the text shows "رقه".
ARTICLE_PREFIXES: frozenset[str] = frozenset({"لل", "ولل", "فلل"})
# A name right after these words is part of a person's name (خالد بن الوليد), not a place.
NAME_HEADS: frozenset[str] = frozenset({"بن", "ابن", "ابو", "ابي", "ام", "عبد", "بنت", "ال"})
# ... and words that make a name a body of water: "خليج عدن" is the Gulf of Aden, not the city
WATER_HEADS: frozenset[str] = frozenset({"خليج", "بحر", "مضيق"})

# modifier -> provisional precision (None: take it from the place's feature class)
MODIFIERS: dict[str, int | None] = {
    "distance": 2,  # "450 كلم شمال شرقي دمشق": a reference point, not an event location
    "between": 2,  # "بين X و Y"
    "rural": 2,  # "ريف X"
    "province": 3,  # "محافظة X", "ولاية X"
    "district": 2,  # "مديرية X", "قضاء X", "منطقة X"
    "neighbourhood": 1,  # "حي X في مدينة Y": the mention of Y
    "site": 1,  # "معبر/مطار/سجن/مخيم/قاعدة X"
    "near": 2,  # "قرب X", "شمال X", "شمال شرقي X", "أطراف X"
    "town": 1,  # "مدينة X", "بلدة X", "قرية X"
    "container": None,  # Y in "حي X بY" when X is a known place itself
}
FEATURE_PRECISION = {"country": 3, "admin1": 3, "region": 2, "admin2": 2, "admin3": 2, "city": 1,
                     "village": 1, "neighbourhood": 1, "site": 1}

_CL = "[وفبلك]{0,3}"  # clitics on a modifier word ("وبريف")
_DIR = r"(?:ال)?(?:شمال|جنوب|شرق|غرب)(?:ي|يه)?(?:\s+(?:ال)?(?:شرق|غرب)(?:ي|يه)?)?"
_UNIT = r"(?:كلم|كم|كيلومتر|كيلومترات|كيلو\s*متر|كيلو\s*مترا|ميل|اميال|مترا?|متر)"
# Patterns on the text just before the name's word (anchored at the end, i.e. right before the name).
_BEFORE: list[tuple[str, re.Pattern[str]]] = [
    ("distance", re.compile(rf"(?:\d+(?:[.,]\d+)?\s*|(?<!\S)\S+\s+){_UNIT}\s+(?:(?:الي\s+)?{_DIR}\s+)?"
                            r"(?:(?:من|عن)\s+)?"
                            r"(?:(?:مدينه|العاصمه|محافظه|بلده)\s+)?$")),
    ("neighbourhood", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:حي|احياء|منطقه|شارع|ساحه|سوق)\s+[^\s،.:]+"
                                 r"(?:\s+[^\s،.:]+)?\s+(?:(?:في|داخل|وسط|جنوب|شمال|شرق|غرب)(?:ي)?\s+)?"
                                 r"(?:مدينه\s+|العاصمه\s+)?)$")),
    ("rural", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:ال)?ريف(?:ي)?\s+(?:(?:محافظه|مدينه)\s+)?)$")),
    ("province", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:ال)?(?:محافظه|محافظتي|ولايه|اقليم|امانه)\s+)$")),
    ("district", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:ال)?(?:مديريه|قضاء|ناحيه|منطقه|مناطق)\s+)$")),
    ("site", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:ال)?"
                        r"(?:معبر|منفذ|مطار|سجن|مخيم|معسكر|قاعده|ميناء|مرفا|سد|جسر)"
                        r"(?:\s+(?!(?:في|من|الي|علي|عن|مع|بين|قرب)\s)\S+)?\s+)$")),
    ("near", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:بالقرب\s+من|قرب|قرابه|محيط|اطراف|ضواحي|مشارف|مدخل|"
                        rf"تخوم|{_DIR})\s+(?:(?:مدينه|بلده|قريه|العاصمه|محافظه)\s+)?)$")),
    ("town", re.compile(rf"(?:^|\s){_CL}(?P<w>(?:ال)?(?:مدينه|بلده|قريه|بلدتي|مدينتي|قريتي|العاصمه)\s+)$")),
]
# Words one of which each pattern above cannot match without (every alternative of its head word
# contains one): a pattern is searched only when the window holds one of them, because a search
# tries every position of the window and most windows hold no modifier at all.
_BEFORE_WORDS: dict[str, tuple[str, ...]] = {
    "distance": ("كلم", "كم", "متر", "ميل", "اميال"),
    "neighbourhood": ("حي", "منطقه", "شارع", "ساحه", "سوق"),
    "rural": ("ريف",),
    "province": ("محافظ", "ولايه", "اقليم", "امانه"),
    "district": ("مديريه", "قضاء", "ناحيه", "منطقه", "مناطق"),
    "site": ("معبر", "منفذ", "مطار", "سجن", "مخيم", "معسكر", "قاعده", "ميناء", "مرفا", "سد", "جسر"),
    "near": ("قرب", "قرابه", "محيط", "اطراف", "ضواحي", "مشارف", "مدخل", "تخوم", "شمال", "جنوب", "شرق", "غرب"),
    "town": ("مدين", "بلد", "قري", "العاصمه"),
}
_BEFORE_CHECKED = [(name, pat, _BEFORE_WORDS[name]) for name, pat in _BEFORE]
# word -> the patterns (indices into _BEFORE_CHECKED) it may let match: one scan of the window
# tells which patterns to search (a test of each word with ``in`` costs more than the searches)
_BEFORE_WORD_PATTERNS: Automaton[frozenset[int]] = Automaton(
    {w: frozenset(i for i, (_, _, ws) in enumerate(_BEFORE_CHECKED) if w in ws)
     for words in _BEFORE_WORDS.values() for w in words})
# Only these modifiers widen the span to cover the modifier word(s).
_SPAN_MODIFIERS = {"rural", "province", "district", "neighbourhood", "site", "near", "town"}
_BETWEEN = re.compile(rf"(?:^|\s){_CL}بين\s+$")
_AFTER_DIR = re.compile(r"^\s+ال(?:شمالي|جنوبي|شرقي|غربي)(?:\s+ال(?:شرقي|غربي))?(?=\W|$)")

# Fixed phrases that hold a place name as an ordinary word: the name, then what follows it.
_IDIOM_AFTER: dict[str, re.Pattern[str]] = {
    "مسقط": re.compile(r"\s+راس"),  # مسقط رأسه: his birthplace
    "جنيف": re.compile(r"\s+(?:الرابعه|الثالثه|بشان)"),  # اتفاقية جنيف الرابعة
}
# After these a common-word name is a place after all ("في سالم" is rare, "مدينة سالم" is the town).
_LOCATIVE_WORD = re.compile(r"(?:^|\s)[وف]?(?:في|الي|قرب|داخل|نحو|باتجاه)\s+$")


@cache
def common_words() -> frozenset[str]:
    """Gazetteer names news text mostly uses as ordinary words (``data/place_common_words.tsv``)."""
    path = resources.files("marsad") / "data" / "place_common_words.tsv"
    if not path.is_file():
        log.warning("place_common_words.tsv missing: every gazetteer name counts")
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.split("\t", 1)[0] for ln in lines
                     if ln and not ln.startswith("#") and not ln.startswith("key\t"))


_automata: weakref.WeakKeyDictionary[Any, Automaton[Any]] = weakref.WeakKeyDictionary()


# Bump when the automaton's words or values change: a prebuilt automaton of another scheme is ignored.
AUTOMATON_SCHEME = 4


def automaton_path(index_path: Path) -> Path:
    """Where the prebuilt automaton of a gazetteer index lives."""
    return index_path.with_name(index_path.name.replace(".pkl.gz", "") + ".automaton.pkl.gz")


def save_automaton(gazetteer: GazetteerLike, path: Path) -> None:
    """Pickle a gazetteer's automaton (the build does this: loading it is ~4x faster than compiling)."""
    a = build_automaton(gazetteer)
    with gzip.open(path, "wb", compresslevel=6) as fh:
        pickle.dump({"scheme": AUTOMATON_SCHEME, "keys": _key_count(gazetteer), "automaton": a}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)


def _key_count(gazetteer: GazetteerLike) -> int:
    n = getattr(gazetteer, "key_count", None)
    return n() if n is not None else sum(1 for _ in gazetteer.keys())  # noqa: SIM118


def _load_prebuilt(gazetteer: GazetteerLike) -> Automaton[Any] | None:
    index_path = getattr(gazetteer, "path", None)
    if index_path is None:
        return None
    path = automaton_path(index_path)
    if not path.exists():
        return None
    with gzip.open(path, "rb") as fh:
        data = pickle.load(fh)  # our own build output, shipped beside the index
    if data.get("scheme") != AUTOMATON_SCHEME or data.get("keys") != _key_count(gazetteer):
        log.warning("prebuilt automaton %s is stale; compiling", path.name)
        return None
    return data["automaton"]


def automaton(gazetteer: GazetteerLike) -> Automaton[Any]:
    """The (cached) automaton of a gazetteer: value = (length, key, key-with-article or None)."""
    try:
        return _automata[gazetteer]
    except (KeyError, TypeError):
        pass
    a = _load_prebuilt(gazetteer) or build_automaton(gazetteer)
    try:
        _automata[gazetteer] = a
    except TypeError:  # not weak-referenceable: rebuilt per call
        log.debug("gazetteer %r cannot be cached", type(gazetteer))
    return a


def build_automaton(gazetteer: GazetteerLike) -> Automaton[Any]:
    """Compile the automaton (a :func:`~marsad.text.chars.word_automaton`): every key, plus
    article-less forms of "ال" keys (for "للرقة"); payload (key, key-with-article or None)."""
    vals: dict[str, tuple[str | None, str | None]] = {}
    for k in gazetteer.keys():  # noqa: SIM118 (a gazetteer, not a dict)
        vals[k] = (k, vals.get(k, (None, None))[1])
        if k.startswith("ال") and len(k) >= 5:
            bare = k[2:]
            vals[bare] = (vals.get(bare, (None, None))[0], k)
    return word_automaton(vals)


def _takes_article(key: str, gazetteer: GazetteerLike) -> bool:
    """Whether a name stored without "ال" may be written with it: only some countries are
    ("اليونان", "السويد"); elsewhere the article makes another word ("الميدان" the field, not Medan;
    "المالي" financial, "السورية" the adjective Syrian)."""
    if key.endswith(("ي", "يه")):
        return False
    return any(p.feature == "country" for p in gazetteer.lookup(key))


# ... but after "بلدة"/"قرية"/"مدينة" the article is the place's own ("بلدة الباغوز" is Baghuz)
_TOWN_WORD_BEFORE = re.compile(r"(?:^|\s)[وفب]?(?:ال)?(?:بلده|قريه|مدينه|بلدتي|قريتي|مدينتي)\s+$")


def matches(norm: str, gazetteer: GazetteerLike) -> list[tuple[int, int, str, int]]:
    """Longest non-overlapping gazetteer names in ``norm``: (start, end, key, word start)."""
    found: list[tuple[int, int, str, int]] = []
    for s, e, (plain, with_article), ws in word_hits(automaton(gazetteer), norm):
        pre = norm[ws:s]
        if with_article is not None and pre in ARTICLE_PREFIXES:
            found.append((s, e, with_article, ws))  # "للرقه": the article's key, not a bare "رقه"
        elif plain is not None and (not pre or pre in PREFIXES) and (
                not pre.endswith("ال") or _takes_article(plain, gazetteer)
                or _TOWN_WORD_BEFORE.search(norm, max(0, ws - 12), ws) is not None):
            found.append((s, e, plain, ws))
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    taken: list[tuple[int, int, str, int]] = []
    used = bytearray(len(norm) + 1)
    for m in found:
        if any(used[m[3]:m[1]]):
            continue
        used[m[3]:m[1]] = b"\x01" * (m[1] - m[3])
        taken.append(m)
    taken.sort()
    return taken


def modifier_before(norm: str, ws: int) -> tuple[str | None, int | None]:
    """The modifier written just before the word starting at ``ws`` and, for modifiers that belong in
    the span ("ريف", "محافظة", "شمال" ...), the norm index where the widened span starts."""
    end = ws
    while end > 0 and norm[end - 1] in _OPEN_QUOTES:  # 'منطقة "سلطان بيلي"': the quote is no word
        end -= 1
    before = norm[max(0, end - 80):end]
    # a match spans at most the last eight words of the window (the longest: "على بعد عشرين كيلو
    # متر الى الشمال الشرقي من مدينة"): its words are looked for in the last ten
    words = before.split()
    values = _BEFORE_WORD_PATTERNS.values
    possible: set[int] = set()
    for _, _, i in _BEFORE_WORD_PATTERNS.hits(" ".join(words[-10:]) if len(words) > 10 else before):
        possible |= values[i]
    for k in sorted(possible):  # (none of a pattern's words: it cannot match)
        name, pat, _ = _BEFORE_CHECKED[k]
        m = pat.search(before)
        if m:
            return name, (end - len(before) + m.start("w")) if name in _SPAN_MODIFIERS else None
    return None, None


_TOWN_HEADS = frozenset({"مدينه", "بلده", "قريه"})
_OPEN_QUOTES = frozenset('"«“\'')


def precision_for(modifier: str | None, place: Place | None) -> int:
    """geo_precision (events.md) of a mention with this modifier resolved to ``place``."""
    base = FEATURE_PRECISION.get(place.feature, 1) if place is not None else 2
    if modifier is None or modifier in ("town", "site", "distance", "container"):
        return base
    if modifier == "neighbourhood":
        return 1 if base < 3 else 3
    if modifier == "province":
        return 3
    if modifier == "near" and base == 3:
        return 3  # "جنوب فرنسا": part of a country is still country-level
    return max(2, base) if base < 3 or modifier != "rural" else 2


def find_places(analysis: Analysis, gazetteer: GazetteerLike) -> list[Mention]:
    """PLACE mentions of ``analysis.norm`` (see the module docstring for attrs)."""
    norm = analysis.norm
    found = matches(norm, gazetteer)
    common = common_words()
    out: list[Mention] = []
    prev_between_end = -1
    for s, e, key, ws in found:
        # a person's name: "خالد بن الوليد", "ابو بكر"
        pw = norm[max(0, ws - 5):ws].split()
        if pw and pw[-1] in NAME_HEADS and not norm[max(0, ws - 6):ws].endswith((".", "،")):
            continue
        if pw and pw[-1] in WATER_HEADS and norm[ws:s] in ("", "ال"):
            continue
        cands = gazetteer.lookup(key)
        if not cands:
            continue
        head, _, rest = key.partition(" ")
        if rest and head in _TOWN_HEADS:
            # "مدينة زنجبار" is a name of Zanzibar City and the town word before Zinjibar: the
            # places of the bare name are readings too, for the geocoder to choose by context
            cands = cands + tuple(p for p in gazetteer.lookup(rest) if p not in cands)
        if _IDIOM_AFTER.get(key) and _IDIOM_AFTER[key].match(norm, e):
            continue  # "مسقط رأسه" (his home town), "كرة القدم" ...
        before = norm[max(0, ws - 80):ws]
        span_start = ws if norm[ws:s] in ("ال",) else s
        modifier, wide = modifier_before(norm, ws)
        if modifier is None and key in common and not norm[ws:s].rstrip("ال").endswith("ب") \
                and not _LOCATIVE_WORD.search(before):
            continue  # "كيف" (how), "سالم" (a given name): a place only where a place word announces it
        if modifier is not None:
            if wide is not None:
                span_start = wide
            if out and span_start < out[-1].attr("norm_end", -1):
                    # "حي القدم بدمشق" where "حي القدم" is itself known: this one only says where it is
                modifier, span_start = "container", (ws if norm[ws:s] == "ال" else s)
        if modifier is None:
            if "بين" in before and _BETWEEN.search(before):
                modifier = "between"
                prev_between_end = e
            elif (prev_between_end >= 0 and norm[prev_between_end:ws].strip() == ""
                  and norm[ws:s].startswith("و")):
                modifier = "between"
                prev_between_end = -1
        span_end = e
        if modifier == "rural":
            t = _AFTER_DIR.match(norm[e:e + 30])
            if t:
                span_end = e + t.end()
        name_span = analysis.span_from_norm(s, e)
        attrs: tuple[tuple[str, Any], ...] = (
            ("modifier", modifier), ("precision", precision_for(modifier, _prefer(cands, modifier))),
            ("key", key), ("name_span", (name_span.start, name_span.end)), ("norm_start", s),
            ("norm_end", span_end))
        out.append(analysis.mention(MentionKind.PLACE, span_start, span_end, cands, attrs))
    return out


def _prefer(cands: tuple[Place, ...], modifier: str | None) -> Place | None:
    """The candidate a modifier points to before context is known (for the provisional precision)."""
    if not cands:
        return None
    if modifier == "province":
        return next((p for p in cands if p.feature == "admin1"), cands[0])
    if modifier in ("rural", "town", "neighbourhood", "container", "near", "distance", "site", "between",
                    None):
        return next((p for p in cands
                     if p.feature in ("city", "village", "neighbourhood", "site", "country")), cands[0])
    return cands[0]


def candidates(m: Mention) -> tuple[Place, ...]:
    """The gazetteer readings of a place mention, before or after resolution."""
    c = m.attr("candidates")
    if c is not None:
        return tuple(c)
    if isinstance(m.value, Place):
        return (m.value,)
    return tuple(m.value or ())
