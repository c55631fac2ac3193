"""The learned choice of an event's day among the days its sentences, the telling before it and the
publication offer.

The rules (``extract.dating``) take the date phrase nearest the trigger, except a day right before
"أن" (which dates a statement); an undated event takes the day of the dated one before it, else the
publication day. Out of fold on the training split the two commonest errors were (docs/learning.md,
"Event days"): an earlier day from another sentence or event where the coder found no day of the event's
own (publication day, precision 2), and the day of the statement ("أعلن الجيش، السبت، أن ...", "قال
... اليوم الأربعاء") where the event's own day ("مساء الجمعة", "أمس") is named beside it. This model
reads each candidate day beside the others and the trigger — its kind of phrase, where it stands, a
reporting word before it, "أن" after it, its distance from the publication day, whether the rules
chose it — and gives P(this is the event's day); the most probable candidate wins.

Requires: a frame after merging and :func:`marsad.extract.dating.inherit_dates` (its sentences,
trigger offset and the rules' day), the DATE mentions of its sentences (attrs ``precision``, ``expr``,
``norm_start``, ``norm_end``), the day it would inherit and the publication day. Provides:
:class:`DayCandidate`, :func:`day_candidates` and :func:`candidate_features` (one builder, used by
``build/train_dates.py`` and when serving), :class:`DateRanker`, :func:`choose_days` (the hook of the
events stage) and :func:`packaged`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from marsad.extract.dating import Day, told_before
from marsad.learn.features import bucket
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.model import Analysis, Mention, MentionKind
from marsad.text.wordlists import parse_word_lists

if TYPE_CHECKING:
    from marsad.extract.frames import Frame

DATE_MODEL = MODELS / "dates.npz"
#: the positive class: the candidate's day is one of the coded event's days
EVENT_DAY = "event_day"
#: the word lists of ``data/date_words.tsv`` (what each is for: the file's header)
WORD_LISTS = ("reporting", "part")
#: where a candidate comes from: a date phrase of the event's sentences, the day of the dated event
#: before it (``inherit_dates``), the publication day
KINDS = ("mention", "inherited", "published")

_THAT_AFTER = re.compile(r"\s*[،,(]?\s*(?:ان|بان|انه|انها|انهم)\s")
_SEPARATORS = frozenset("،,؛;:.")


@cache
def date_words() -> dict[str, frozenset[str]]:
    """The word lists of the shipped ``data/date_words.tsv`` (:func:`parse_date_words`)."""
    path = resources.files("marsad") / "data" / "date_words.tsv"
    return parse_date_words(path.read_text(encoding="utf-8"))


def parse_date_words(text: str, source: str = "date_words.tsv") -> dict[str, frozenset[str]]:
    """list -> words. Checked when loaded (a :class:`ValueError` names the line): a known list, one
    word written as the normaliser writes it (the features read normalised text: "أعلن" would never be
    seen), no word twice in a list."""
    lists = parse_word_lists(text, WORD_LISTS, source, one_word=True)
    return {k: frozenset(v) for k, v in lists.items()}


@dataclass(frozen=True)
class DayCandidate:
    """A day the event may have happened on, with what dates it (``mention`` None: the publication
    day, or an inherited day whose event had none)."""

    day: str
    precision: int
    mention: Mention | None
    kind: str  # one of KINDS
    rules: bool  # the rules' choice


def day_candidates(analysis: Analysis, f: Frame, inherited: Day | None,
                   dates: Sequence[Mention] | None = None) -> list[DayCandidate]:
    """The candidate days of frame ``f`` (after merging and ``inherit_dates``): every current date
    phrase of its sentences, the day it would inherit, the publication day; the rules' choice is one
    of them (added when it is none of these). ``dates``: the document's DATE mentions, if at hand."""
    from marsad.extract.frames import current_dates

    published = analysis.doc.published
    sents = set(f.sents)
    if dates is None:
        dates = [m for m in analysis.mentions if m.kind is MentionKind.DATE]
    ms = [m for m in dates if m.sent in sents]
    dates = current_dates(ms, analysis.norm)
    rule_m = f.date_mention
    out = [DayCandidate(m.value, int(m.attr("precision") or 1), m, "mention",
                        not f.date_inherited and rule_m is not None and m.span == rule_m.span) for m in dates]
    if inherited is not None and (inherited[2] is None
                                  or not any(c.mention is not None and c.mention.span == inherited[2].span
                                             for c in out)):
        day, prec, m = inherited
        out.append(DayCandidate(day, prec, m, "inherited", f.date_inherited and day == f.date))
    if published is not None:
        out.append(DayCandidate(published.isoformat(), 2, None, "published", rule_m is None))
    if f.date and not any(c.rules for c in out):  # (a day the merge carried from elsewhere)
        out.insert(0, DayCandidate(f.date, f.date_precision, rule_m,
                                   "inherited" if f.date_inherited else "mention", True))
    return out


def _words(norm: str, start: int, end: int, before: bool, n: int = 3) -> list[str]:
    """Up to ``n`` normalised words before ``start`` (nearest last) or after ``end`` (nearest first),
    within the sentence (a full stop ends the look)."""
    if before:
        window = norm[max(0, start - 60):start]
        window = window[max(window.rfind("."), window.rfind("\n")) + 1:]
        words = [w.strip("،,()\"«»:؛-") for w in window.split()]
        return [w for w in words if w][-n:]
    window = norm[end:end + 60]
    stops = [i for i in (window.find("."), window.find("\n")) if i >= 0]
    window = window[:min(stops)] if stops else window
    words = [w.strip("،,()\"«»:؛-") for w in window.split()]
    return [w for w in words if w][:n]


def _bare(w: str) -> str:
    return w[1:] if len(w) > 3 and w[0] in "وف" else w


def _phrase(norm: str, m: Mention, neighbours: bool) -> list[str]:
    """What the words around a date phrase say of it: a reporting word before it (the telling's day),
    "أن" after it (a statement's day), a part of the day before or at its head (an event's night or
    evening), and with ``neighbours`` its neighbouring words."""
    ns, ne = m.attr("norm_start"), m.attr("norm_end")
    if ns is None or ne is None:
        return []
    words = date_words()
    reporting, parts = words["reporting"], words["part"]
    # "قال المتحدث باسم الجيش اليوم": the reporting word a few words before
    prev = _words(norm, ns, ne, True, 5)
    nxt = _words(norm, ns, ne, False)
    rep = any(_bare(w) in reporting or w in reporting for w in prev)
    rep1 = bool(prev) and (_bare(prev[-1]) in reporting or prev[-1] in reporting)
    that = _THAT_AFTER.match(norm, ne) is not None
    # (the phrase itself may begin with its part of the day: "ليلة الاثنين")
    head = norm[ns:ne].split()[:1]
    part = any(_bare(w) in parts or w in parts for w in prev[-1:] + head)
    feats = [f"rep:{rep}", f"rep1:{rep1}", f"that:{that}", f"rep|that:{rep}|{that}", f"part:{part}"]
    if neighbours and prev:
        feats.append(f"w-1:{_bare(prev[-1])}")
    if neighbours and nxt:
        feats.append(f"w+1:{_bare(nxt[0])}")
    return feats


def _source(analysis: Analysis, c: DayCandidate, anchor_sent: int) -> str:
    """Where a candidate comes from, a mention told apart by its sentence (the trigger's or another)."""
    if c.kind != "mention" or c.mention is None:
        return c.kind
    return "same" if analysis.sentence_of(c.mention.span.start) == anchor_sent else "other"


def candidate_features(analysis: Analysis, f: Frame, cands: Sequence[DayCandidate],
                       neighbours: bool = True) -> list[list[str]]:
    """Features of each candidate day of frame ``f`` (one builder for training and serving): the
    candidate's own (its kind, phrase, place beside the trigger, distance from the publication day) and,
    joined with its kind, what the rules chose and whether the trigger's sentence names a day;
    ``neighbours``: also the words either side of a date phrase (a model's ``neighbours`` metadata)."""
    published = analysis.doc.published
    norm = analysis.norm
    text = analysis.doc.text
    anchor = f.anchor
    anchor_sent = analysis.sentence_of(anchor)
    title_end = len(analysis.doc.title) if analysis.doc.title else 0
    n_days = bucket(len({c.day for c in cands}), (2, 3, 4))
    n_mentions = bucket(sum(c.kind == "mention" for c in cands), (0, 1, 2, 3))
    rules = next((c for c in cands if c.rules), None)
    rules_src = _source(analysis, rules, anchor_sent) if rules is not None else "none"
    sources = [_source(analysis, c, anchor_sent) for c in cands]
    dated = "same" in sources
    # the mentions by distance from the trigger (0: the nearest)
    near = sorted((abs(c.mention.span.start - anchor), i) for i, c in enumerate(cands)
                  if c.kind == "mention" and c.mention is not None)
    rank = {i: r for r, (_, i) in enumerate(near)}
    out = []
    for i, c in enumerate(cands):
        k, src = c.kind, sources[i]
        same_day = sum(o.day == c.day for o in cands) - 1
        feats = ["bias", f"kind:{k}", f"src:{src}", f"rules:{c.rules}", f"n_days:{n_days}",
                 f"n_ment:{n_mentions}", f"kind|n_ment:{k}|{n_mentions}",
                 f"rules_day:{rules is not None and c.day == rules.day}", f"kind|rules:{k}|{c.rules}",
                 f"others_same_day:{min(same_day, 2)}", f"prec:{c.precision}",
                 f"src|rules_src:{src}|{rules_src}", f"src|dated:{src}|{dated}"]
        if published is not None:
            try:
                back = (published - date.fromisoformat(c.day)).days
            except ValueError:
                back = -1
            band = bucket(back, (-1, 0, 1, 2, 6, 30)) if back >= -1 else "future"
            feats += [f"back:{band}", f"kind|back:{k}|{band}", f"src|back:{src}|{band}"]
        m = c.mention
        phrase: list[str] = []
        if m is not None:
            expr = str(m.attr("expr") or "-")
            feats += [f"expr:{expr}", f"kind|expr:{k}|{expr}", f"title:{m.span.start < title_end}"]
            phrase = _phrase(norm, m, neighbours)
            feats += phrase + [f"{k}|{x}" for x in phrase]
        if k == "mention" and m is not None:
            side = "after" if m.span.start >= anchor else "before"
            same = src == "same"
            lo, hi = sorted((m.span.end, anchor)) if side == "before" else sorted((anchor, m.span.start))
            dist = bucket(hi - lo, (10, 30, 60, 120, 240))
            sep = any(ch in _SEPARATORS for ch in text[lo:hi]) if hi - lo < 400 else True
            r = min(rank.get(i, 3), 3)
            feats += [f"side:{side}", f"dist:{dist}", f"side|dist:{side}|{dist}", f"side|same:{side}|{same}",
                      f"sep:{sep}", f"first_sent:{min(f.sents) == analysis.sentence_of(m.span.start)}",
                      f"expr|side:{expr}|{side}", f"expr|same:{expr}|{same}", f"near:{r}",
                      f"near|same:{r}|{same}"]
            feats += [f"{side}|{x}" for x in phrase if x.startswith(("rep", "that", "part"))]
        out.append(feats)
    return out


class DayChooser(Protocol):
    """What :func:`choose_days` asks: the index of the chosen candidate (the ranker, or a recorder
    standing in for it when training)."""

    def choose(self, analysis: Analysis, f: Frame, cands: Sequence[DayCandidate]) -> int: ...


@dataclass(frozen=True)
class DateRanker:
    """P(event day) of each candidate; :meth:`choose` returns the index of the most probable."""

    model: LinearModel
    #: the features include the words either side of a date phrase
    neighbours: bool = True

    def probabilities(self, analysis: Analysis, f: Frame, cands: Sequence[DayCandidate]) -> list[float]:
        return [self.model.proba(x)[EVENT_DAY]
                for x in candidate_features(analysis, f, cands, self.neighbours)]

    def choose(self, analysis: Analysis, f: Frame, cands: Sequence[DayCandidate]) -> int:
        ps = self.probabilities(analysis, f, cands)
        # ties (rare) go to the rules' choice, then to the earlier candidate
        return max(range(len(cands)), key=lambda i: (ps[i], cands[i].rules, -i))


def choose_days(frames: list[Frame], analysis: Analysis, chooser: DayChooser) -> None:
    """Give each frame the day ``chooser`` picks among its candidates (after ``inherit_dates``: the
    rules' days are the candidates' ``rules`` and what a later frame inherits). A frame whose candidates
    offer one day keeps the rules' choice."""
    dates = [m for m in analysis.mentions if m.kind is MentionKind.DATE and m.value]
    # (the day a frame passes on to the undated ones after it is the rules', read before the choice)
    for f, inherited in told_before(frames, analysis.doc.published):
        cands = day_candidates(analysis, f, inherited, dates)
        if len({c.day for c in cands}) < 2:
            continue
        c = cands[chooser.choose(analysis, f, cands)]
        if c.rules:
            continue
        f.rules_dated = f.date_mention is not None and not f.date_inherited
        f.date, f.date_precision, f.date_mention = c.day, c.precision, c.mention
        f.date_inherited = c.kind == "inherited"


@lru_cache(maxsize=1)
def packaged() -> DateRanker | None:
    """The shipped ranker, or None (the rules' days) where the package has none."""
    def load(path: Path) -> DateRanker:
        model = LinearModel.load(path)
        return DateRanker(model, bool(model.meta.get("neighbours", True)))

    return shipped(DATE_MODEL, load, "event days are the rules' choice")
