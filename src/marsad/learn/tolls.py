"""The learned toll decision: is a number the toll rules count as deaths this event's deaths, or
a running total, people of a background incident, the injured, or something else?

Requires: an analysis with its NUMBER, TRIGGER, CUE and DATE mentions (what the toll rules of
:mod:`marsad.extract.fatalities` read) and the rules' verdict on the number.
Provides: :func:`number_features` (one builder for training and serving, so the two never
drift), :class:`TollDecision` (the model and the threshold cross-validation chose; it vetoes a
counted number with the named reason ``model:<class>``) and :func:`packaged` (the shipped
model, loaded lazily, or None).

Classes: ``toll`` (the coders' deaths, updated and partial tolls: what counts), ``injured``,
``running_total``, ``background`` and ``other`` (docs/annotation.md §3.3).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.model import Analysis, Mention, MentionKind

TOLL_MODEL = MODELS / "toll.npz"
TOLL = "toll"
#: the annotation statuses (labels.NumberStatus values) the model learns, folded to its classes
CLASS_OF = {"deaths": TOLL, "updated_toll": TOLL, "partial_toll": TOLL, "injured": "injured",
            "running_total": "running_total", "background": "background", "other": "other"}

# Cue words of the sentence, by class (normalised text: ة→ه, ى→ي, no hamza on alif).
_CUES: dict[str, re.Pattern[str]] = {
    "since": re.compile(r"(?:^|\s)منذ\s"),
    "toll": re.compile(r"حصيل"),
    "total": re.compile(r"اجمال|مجموع|المجمل|حتي\s+الان|حتي\s+اليوم"),
    "rise": re.compile(r"(?:^|\s)(?:[وفل]?(?:ارتفع|ارتفعت|ارتفاع|يرتفع|ترتفع|ليرتفع|لترتفع))"),
    "period": re.compile(r"خلال\s+(?:\S+\s+)?(?:اسابيع|اسبوع|اشهر|شهر|اعوام|عام|سنوات|سنه|الاسابيع|الاشهر|"
                         r"الشهور|السنوات|الاعوام|الفتره|العام|الشهر|الاسبوع|الحرب|النزاع)"),
    "war": re.compile(r"(?:الحرب|النزاع|الصراع|الازمه|الثوره|الحمله|العمليه\s+العسكريه)"),
    "begin": re.compile(r"(?:بدء|بدايه|اندلاع|مطلع|انطلاق)"),
    "injury": re.compile(r"(?:اصاب|جرح|جريح|مصاب|بجروح)"),
    "death": re.compile(r"(?:قتل|قتيل|مقتل|مصرع|حتف|شهيد|شهداء|استشهاد|ضحاي|وفا|جث)"),
    "massacre": re.compile(r"مجزر|مذبح"),
    "arrest": re.compile(r"(?:اعتقل|اعتقال|احتجاز|اختطاف|اسر|معتقل|اسري|رهاين|مخطوف)"),
    "displaced": re.compile(r"(?:نزوح|نازح|لاجي|لجوء|مهجر|تهجير)"),
    "strike": re.compile(r"(?:غاره|غارات|ضربه|ضربات|صاروخ|قذيف|برميل|براميل)"),
    "year_word": re.compile(r"(?:^|\s)(?:عام|سنه|العام)\s+\d"),
    "past_ref": re.compile(r"(?:سابق|الماضي|الماضيه|الفايت)"),
}
#: the cues whose patterns hold no anchor, look-around or back-reference (a "^" in a class counts
#: too: the list errs on the safe side): a piece of a text holds a match only where the text does
_ANCHOR = re.compile(r"[$^]|\\[bBAZ1-9]|\(\?[=!<]")
_UNANCHORED = frozenset(name for name, pat in _CUES.items() if not _ANCHOR.search(pat.pattern))
_DEATH_WORD = re.compile(r"(?:قتل|قتيل|مقتل|مصرع|حتف|شهيد|شهداء|استشهاد|ضحاي|جث)\S*")
_INJURY_WORD = re.compile(r"(?:اصاب|اصيب|جرح|جريح|مصاب|بجروح)\S*")
# where a clause ends: a full stop, or a comma before "ما"/"مما"/"فيما"/"بينما"/"في حين"/"فضلا عن"
_CLAUSE_CUT = re.compile(r"[.!?؟\n؛]|[،,]\s*(?:ما|مما|فيما|بينما|في\s+حين|كما|فضلا|اضافه|"
                         r"ليرتفع|لترتفع|وهو\s+ما)\s"
                         r"|\s(?:فضلا\s+عن|اضافه\s+الي|بالاضافه\s+الي)\s")
_STRIP = ".,،؛;:!?؟\"'«»()[]{}-–—…"
_SIZES = (1, 2, 3, 6, 11, 21, 51, 101, 201, 501, 1001)


def _size(v: int) -> str:
    bucket = 0
    for i, cut in enumerate(_SIZES):
        if v >= cut:
            bucket = i
    return f"size:{bucket}"


def _word(w: str) -> str:
    w = w.strip(_STRIP)
    return "0" if any(c.isdigit() for c in w) else w


def _nearest(pattern: re.Pattern[str], text: str, from_end: bool) -> int | None:
    """Characters between the number and the nearest match (before it when ``from_end``)."""
    hits = ([m.end() for m in pattern.finditer(text)] if from_end
            else [m.start() for m in pattern.finditer(text)])
    if not hits:
        return None
    return len(text) - hits[-1] if from_end else hits[0]


def _dist(d: int | None) -> str:
    return "none" if d is None else "near" if d <= 12 else "mid" if d <= 40 else "far"


def number_features(analysis: Analysis, m: Mention, by_sent: dict[int, list[Mention]],
                    rule: str = "") -> list[str]:
    """Features of NUMBER mention ``m`` in its sentence; ``rule`` is the toll rules' verdict on it
    (``kill``, ``side``, ``injured``, ``running``, ``none``), so the model learns where they err."""
    norm = analysis.norm
    ns, ne = m.attr("norm_start"), m.attr("norm_end")
    sent = analysis.sentences[m.sent]
    sn_start = _norm_index(analysis, sent.start)
    sn_end = _norm_index(analysis, sent.end)
    before, after = norm[sn_start:ns], norm[ne:sn_end]
    bw = _words(reversed(before.split()))[::-1]
    aw = _words(after.split())
    value = int(m.value)
    feats = ["bias", _size(value), f"rule:{rule}"]
    for i, w in enumerate(reversed(bw)):
        feats += [f"b{i + 1}:{w}", f"bw:{w}", f"bp{i + 1}:{w[:3]}"]
    for i, w in enumerate(aw):
        feats += [f"a{i + 1}:{w}", f"aw:{w}", f"ap{i + 1}:{w[:3]}"]
    if len(bw) >= 1 and aw:
        feats.append(f"ba:{bw[-1]}_{aw[0]}")
    for flag in ("year", "unit", "time", "ordinal", "day", "label", "decimal", "vague", "dual", "range",
                 "approx", "mult"):
        if m.attr(flag):
            feats.append(f"flag:{flag}")
    if 1900 <= value <= 2100:
        feats.append("yearlike")
    text = norm[sn_start:sn_end]
    # the number's clause: "مقتل 8 ... فضلا عن انتشال 17 آخرين، ما رفع الحصيلة منذ 18 فبراير إلى 1002"
    # puts "since" in the clause of 1002, not of 17
    cuts = [c.end() for c in _CLAUSE_CUT.finditer(before)]
    clause = before[cuts[-1] if cuts else 0:] + " " + after[
        :next((c.start() for c in _CLAUSE_CUT.finditer(after)), len(after))]
    in_sentence = _sentence_cues(text)
    for name, pat in _CUES.items():
        if name in in_sentence:
            feats.append(f"s:{name}")
        if pat.search(clause):
            # with the rules' verdict too: a cue matters most where the rules counted the number
            feats += [f"c:{name}", f"rc:{rule}|{name}"]
        # (the windows are pieces of the sentence: a cue without an anchor that the sentence does
        # not hold is in neither, and is not searched for)
        if name not in in_sentence and name in _UNANCHORED:
            continue
        if pat.search(before[-40:]):
            feats.append(f"sb:{name}")
        if pat.search(after[:40]):
            feats.append(f"sa:{name}")
    feats.append(f"dbefore:{_dist(_nearest(_DEATH_WORD, before[-80:], True))}")
    feats.append(f"dafter:{_dist(_nearest(_DEATH_WORD, after[:80], False))}")
    feats.append(f"ibefore:{_dist(_nearest(_INJURY_WORD, before[-80:], True))}")
    feats.append(f"iafter:{_dist(_nearest(_INJURY_WORD, after[:80], False))}")
    published = analysis.doc.published
    ms = by_sent.get(m.sent, [])
    for o in ms:
        if o.kind is MentionKind.DATE:
            feats += list(_date_kinds(o, published))
        elif o.kind is MentionKind.TRIGGER:
            feats.append(f"tr:{o.attr('role')}")
            if isinstance(o.value, tuple) and o.value:
                feats.append(f"tt:{o.value[0]}")
        elif o.kind is MentionKind.CUE:
            feats.append(f"q:{o.value}")
        elif o.kind is MentionKind.NUMBER and o is not m:
            if o.attr("year") and published and int(o.value) < published.year:
                feats.append("s:old_year")
            elif not any(o.attr(f) for f in ("year", "unit", "time", "day", "label")):
                feats.append("s:other_count"
                             + (">" if int(o.value) > value else "<=" if int(o.value) < value else "="))
    first_told, sents, highest = _earlier_counts(analysis.mentions)
    if first_told.get(value, m.sent) < m.sent:
        feats.append("repeat_earlier")
    k = bisect_left(sents, m.sent)
    if k and highest[k - 1] > value:
        feats.append("smaller_than_earlier")
    title_end = len(analysis.doc.title) if analysis.doc.title else -1
    feats.append("in_title" if sent.end <= title_end else f"sent:{min(m.sent, 8)}")
    return feats + _context_features(analysis, m, ms, text, clause, rule, sn_start + len(before) - len(
        before[cuts[-1] if cuts else 0:]), feats)


_SENT_OPEN = re.compile(r"^\W*(\S+)(?:\s+(\S+))?")
# "وكان ... قد قتل", "سبق أن": a pluperfect or "already" that tells an earlier incident
_EARLIER = re.compile(r"(?:^|\s)(?:[وف]?كان\S*\s+(?:\S+\s+){0,4}قد|سبق\s+ان|"
                      r"قبل\s+(?:\S+\s+)?(?:ايام|اسابيع|اشهر|"
                      r"اعوام|سنوات|عام|يومين|شهر))\s")


def _context_features(analysis: Analysis, m: Mention, ms: list[Mention], text: str,
                      clause: str, rule: str, clause_start: int, base: list[str]) -> list[str]:
    """What places the number among the article's other counts and dates: a running total is
    usually the largest count and follows the day's toll; a background toll sits in a clause of
    an older date or a pluperfect ("وكان ... قد"); the first words of the sentence say how it is told."""
    value = int(m.value)
    feats = [f"rs:{rule}|{next(f for f in base if f.startswith('size:'))}"]
    feats += [f"rd:{rule}|{f}" for f in base if f.startswith("dbefore:") or f.startswith("c:")]
    opening = _SENT_OPEN.match(text)
    if opening:
        feats.append(f"open1:{_word(opening.group(1))}")
        if opening.group(2):
            feats.append(f"open2:{_word(opening.group(1))}_{_word(opening.group(2))}")
    if _EARLIER.search(text):
        feats.append("s:earlier")
    if _EARLIER.search(clause):
        feats += ["c:earlier", f"rc:{rule}|earlier"]
    plain = [o for o in ms if o.kind is MentionKind.NUMBER and o is not m
             and not any(o.attr(f) for f in ("year", "unit", "time", "day", "label"))]
    if plain:
        biggest = max(int(o.value) for o in plain)
        feats.append("sent_max" if value > biggest else "sent_min" if value < min(int(o.value) for o in plain)
                     else "sent_mid")
    # the article's counts outside this number's sentence: their maximum and median, from the
    # document's sorted counts less this sentence's (a scan of all mentions per number was quadratic)
    others = _other_counts(analysis.mentions, m.sent)
    if others is not None:
        top, median = others
        if value > top:
            feats += ["art_max", f"rc:{rule}|art_max"]
        if value >= 5 * median:
            feats += ["art_5x_median", f"rc:{rule}|art_5x"]
    else:
        feats.append("art_only")
    published = analysis.doc.published
    clause_end = clause_start + len(clause)
    for o in ms:
        if o.kind is MentionKind.DATE and o.attr("norm_start") is not None \
                and clause_start <= o.attr("norm_start") < clause_end:
            feats += [f"cd:{k}" for k in _date_kinds(o, published)]
    return feats


def _words(raw: Iterable[str], n: int = 3) -> list[str]:
    """The first ``n`` words of ``raw`` that are not bare punctuation (read no further: a sentence
    may hold thousands of words, and each of its numbers asks)."""
    out: list[str] = []
    for x in raw:
        w = _word(x)
        if w:
            out.append(w)
            if len(out) == n:
                break
    return out


@lru_cache(maxsize=64)
def _sentence_cues(text: str) -> frozenset[str]:
    """The cue classes a sentence holds (the same for each of its numbers, so found once)."""
    return frozenset(name for name, pat in _CUES.items() if pat.search(text))


_COUNTS: list[tuple[tuple[Mention, ...], tuple[dict[int, int], list[int], list[int]]]] = []


def _earlier_counts(mentions: tuple[Mention, ...]) -> tuple[dict[int, int], list[int], list[int]]:
    """The people-counting numbers of a document, for "told earlier" features, computed once per
    document (asked of every number, a scan of all mentions made tolls quadratic): the first sentence
    each value is told in, and the sentences holding counts with the highest count up to each."""
    cached = _COUNTS[0] if _COUNTS else None  # (read once: another thread may replace it)
    if cached is not None and cached[0] is mentions:
        return cached[1]
    first: dict[int, int] = {}
    sents: list[int] = []
    highest: list[int] = []
    for o in sorted((o for o in mentions if o.kind is MentionKind.NUMBER
                     and not any(o.attr(f) for f in ("year", "unit", "time", "day", "label"))),
                    key=lambda o: o.sent):
        v = int(o.value)
        first.setdefault(v, o.sent)
        sents.append(o.sent)
        highest.append(max(v, highest[-1]) if highest else v)
    _COUNTS[:] = [(mentions, (first, sents, highest))]
    return first, sents, highest


_ALL_COUNTS: list[tuple[tuple[Mention, ...], tuple[list[int], dict[int, list[int]]]]] = []


def _other_counts(mentions: tuple[Mention, ...], sent: int) -> tuple[int, int] | None:
    """(maximum, median) of the document's people-counting numbers outside sentence ``sent``, or
    None where there are none; the document's sorted counts are computed once per document."""
    cached = _ALL_COUNTS[0] if _ALL_COUNTS else None  # (read once: another thread may replace it)
    if cached is not None and cached[0] is mentions:
        values, by_sent = cached[1]
    else:
        by_sent = {}
        for o in mentions:
            if o.kind is MentionKind.NUMBER \
                    and not any(o.attr(f) for f in ("year", "unit", "time", "day", "label")):
                by_sent.setdefault(o.sent, []).append(int(o.value))
        values = sorted(v for vs in by_sent.values() for v in vs)
        for vs in by_sent.values():
            vs.sort()
        _ALL_COUNTS[:] = [(mentions, (values, by_sent))]
    own = by_sent.get(sent, [])
    n = len(values) - len(own)
    if n <= 0:
        return None
    # the positions of this sentence's values in the sorted counts (leftmost free occurrence of each)
    removed: list[int] = []
    for v in own:
        i = bisect_left(values, v)
        while removed and i <= removed[-1] and values[removed[-1]] == v:
            i = removed[-1] + 1
        removed.append(i)

    def kth(k: int) -> int:  # the k-th smallest count (0-based) outside the sentence
        idx = k
        for r in removed:
            if r <= idx:
                idx += 1
        return values[idx]

    return kth(n - 1), kth(n // 2)


def _norm_index(analysis: Analysis, original: int) -> int:
    """The normalised offset of an original offset (the first at or after it)."""
    offsets = analysis.offsets
    if offsets is None:
        return min(original, len(analysis.norm))
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if offsets[mid] < original:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, len(analysis.norm))


def _date_kinds(m: Mention, published: date | None) -> list[str]:
    out = ["date:any"]
    if published and isinstance(m.value, str):
        try:
            day = date.fromisoformat(m.value[:10])
        except ValueError:
            return out
        days = (published - day).days
        out.append("date:old" if days > 30 else "date:future" if days < 0 else "date:recent")
        if days > 365:
            out.append("date:years")
    return out


@dataclass(frozen=True)
class TollDecision:
    """The toll model and its thresholds (both chosen by grouped cross-validation on the training
    split): a number the rules count is not counted when P(toll) is below ``threshold``; a number
    the rules pass over is counted when P(toll) reaches ``rescue_threshold`` (above 1: never)."""

    model: LinearModel
    threshold: float
    rescue_threshold: float = 1.01

    def p_toll(self, analysis: Analysis, m: Mention, by_sent: dict[int, list[Mention]],
               rule: str) -> dict[str, float]:
        return self.model.proba(number_features(analysis, m, by_sent, rule))

    def veto(self, analysis: Analysis, m: Mention, by_sent: dict[int, list[Mention]], rule: str) -> str:
        """``model:<most likely non-toll class>`` when the model vetoes a counted number, else ""."""
        if self.threshold <= 0:
            return ""
        proba = self.p_toll(analysis, m, by_sent, rule)
        if proba.get(TOLL, 1.0) >= self.threshold:
            return ""
        return "model:" + max((c for c in proba if c != TOLL), key=proba.__getitem__)

    def rescue(self, analysis: Analysis, m: Mention, by_sent: dict[int, list[Mention]], rule: str) -> bool:
        """Whether a number the rules do not count is, by the model, this event's deaths."""
        if self.rescue_threshold > 1:
            return False
        return self.p_toll(analysis, m, by_sent, rule).get(TOLL, 0.0) >= self.rescue_threshold

    @classmethod
    def load(cls, path: Path = TOLL_MODEL) -> TollDecision:
        model = LinearModel.load(path)
        return cls(model, float(model.meta.get("veto_threshold", 0.0)),
                   float(model.meta.get("rescue_threshold", 1.01)))


@lru_cache(maxsize=1)
def packaged() -> TollDecision | None:
    """The shipped toll model, or None (with a warning) where the package has none."""
    return shipped(TOLL_MODEL, TollDecision.load, "tolls are the rules' alone")
