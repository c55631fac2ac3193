"""The learned decision of whether a sentence tells one attack at more places than its event's own.

A sentence often names several places of one kind of event: "غارات على مواقع في مديرية التحيتا
جنوب الحديدة، وفي جبهة صرواح غرب مأرب", "خرج الآلاف في مدن البصرة والناصرية والديوانية وكربلاء",
"اشتباكات ... في الدريهمي والمجيليس وغربي التحيتا". The coders code one event per place (spec §1: one
event per location); the list rule (``placing.split_by_place``) splits only plain lists of towns
named a few characters apart, and on the training split a third of the events it missed beside a
matched one were such places (docs/learning.md, "More places of one sentence"). Other places of the
sentence are no event of their own: a province that holds the town ("جنوب محافظة الحديدة"), a
distance's reference, a front's name. This model reads each other place of the frame's sentence
beside the event's own — what it is, how far, the words between and before it — and gives P(the
coders code another event of this type there).

Requires: a placed frame (its type, place and place mention, sentences) and the resolved, undoubted
PLACE mentions of its sentences (attrs ``precision``, ``modifier``, ``role``, ``norm_start``,
``norm_end``). Provides: :func:`examples` (the candidates, :func:`candidates`, with their features,
:func:`candidate_features`: one builder, used by ``build/train_splits.py`` and when serving) and
:class:`SplitDecision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from marsad.geo.geocode import distance_km
from marsad.learn.features import bucket
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.learn.places import _side_words, _word_class
from marsad.model import Analysis, Mention, MentionKind, Place

if TYPE_CHECKING:
    from marsad.extract.frames import Frame

SPLIT_MODEL = MODELS / "splits.npz"
#: the positive class: a coded event of the frame's type lies at the candidate
ANOTHER = "another_event"
#: what a place must be to be a candidate: an area or a settlement, not a country (an attack "in Syria"
#: beside one in Douma is the same attack) nor a site the geocoder already reads as a landmark
_KINDS = frozenset({"city", "village", "neighbourhood", "admin1", "admin2", "admin3", "region"})
#: the places of one event: closer than this to a place already covered (km) is the same place
_SAME_KM = 2.0
_DIRECTIONS = ("شمال", "جنوب", "شرق", "غرب", "وسط", "محيط", "اطراف", "قرب", "ريف")
_KM_EDGES = (2, 10, 30, 100, 300)
#: the words that join two places as two ("و", "وفي", "وعلى", "وإلى", "أو" as normalised)
_AND = frozenset({"و", "وفي", "وعلي", "والي", "او"})


def candidates(analysis: Analysis, si: int, covered: Sequence[Place]) -> list[Mention]:
    """The other places sentence ``si`` names (one mention per place, in text order), none of them
    the same as or within ``_SAME_KM`` of a place ``covered`` already has an event of the frame."""
    out: list[Mention] = []
    seen = {(p.name, p.country) for p in covered}
    for m in analysis.mentions:
        if m.sent != si or m.kind is not MentionKind.PLACE or not isinstance(m.value, Place) \
                or m.attr("role") or m.attr("doubtful") or m.value.feature not in _KINDS:
            continue
        p: Place = m.value
        if (p.name, p.country) in seen or any(distance_km(p, c) < _SAME_KM for c in covered):
            continue
        seen.add((p.name, p.country))
        out.append(m)
    return out


def _between(analysis: Analysis, a: Mention, b: Mention) -> str:
    """The normalised text between two mentions (in text order)."""
    x, y = (a, b) if a.span.start <= b.span.start else (b, a)
    lo, hi = x.attr("norm_end"), y.attr("norm_start")
    if lo is None or hi is None or hi < lo:
        return ""
    return analysis.norm[lo:hi]


def candidate_features(analysis: Analysis, f: Frame, cands: Sequence[Mention],
                       covered: Sequence[Mention]) -> list[list[str]]:
    """Features of each candidate of ``cands`` for frame ``f`` (``covered``: the mentions of the places
    the frame and the list rule's copies of it stand at; the nearest is the candidate's anchor)."""
    own = f.place
    n = bucket(len(cands), (1, 2, 3, 5))
    ncov = bucket(len(covered), (1, 2, 3))
    title_end = len(analysis.doc.title) if analysis.doc.title else 0
    spans = [(analysis.sentences[i].start, analysis.sentences[i].end) for i in f.sents]
    triggers = [m.span.start for m in analysis.mentions
                if m.kind is MentionKind.TRIGGER and any(s <= m.span.start < e for s, e in spans)]
    out = []
    for m in cands:
        p: Place = m.value
        mod = m.attr("modifier") or "-"
        feats = [f"t:{f.event_type}", f"kind:{p.feature}", f"mod:{mod}", f"prec:{m.attr('precision') or 2}",
                 f"n:{n}", f"cov:{ncov}", f"kind&t:{p.feature}&{f.event_type}"]
        if m.span.start < title_end:
            feats.append("title")
        if own is not None:
            km = distance_km(p, own)
            feats += [f"own:{own.feature}", f"km:{bucket(km, _KM_EDGES)}",
                      f"kinds:{own.feature}&{p.feature}", f"country:{int(p.country == own.country)}"]
            if p.feature == "admin1" and own.admin1 and own.admin1 == p.admin1:
                feats.append("holds_own")  # the province the event's town is in
            elif own.feature == "admin1" and p.admin1 == own.admin1:
                feats.append("inside_own")
            elif p.admin1 and p.admin1 == own.admin1:
                feats.append("same_admin1")
        anchor = min(covered, key=lambda c: abs(c.span.start - m.span.start), default=None)
        if anchor is not None:
            gap = _between(analysis, anchor, m)
            side = "after" if m.span.start > anchor.span.start else "before"
            words = gap.split()
            feats += [f"side:{side}", f"gap:{bucket(len(gap), (3, 12, 30, 60, 120))}",
                      f"gapw:{bucket(len(words), (0, 1, 2, 4, 8))}"]
            if side == "after":
                feats.append(f"first:{words[0] if words else '-'}" if len(words) <= 8 else "first:far")
                if any(w.startswith(_DIRECTIONS) or w[1:].startswith(_DIRECTIONS) for w in words[-2:]):
                    feats.append("dir_before")
            if "،" in gap or "," in gap:
                feats.append("comma")
            if any(w in _AND or w.startswith(("وفي", "وعلي")) for w in words):
                feats.append("and")
            first, second = (anchor, m) if side == "after" else (m, anchor)
            if any(first.span.end <= t < second.span.start for t in triggers):
                feats.append("trigger_between")
        s, e = m.attr("norm_start"), m.attr("norm_end")
        if s is not None and e is not None:
            prev, nxt = _side_words(analysis.norm, s, e)
            if prev:
                feats += [f"w-1:{prev[-1]}", f"c-1:{_word_class(prev[-1])}"]
                if len(prev) > 1:
                    feats.append(f"w-2:{prev[-2]}")
            if nxt:
                feats += [f"w+1:{nxt[0]}", f"c+1:{_word_class(nxt[0])}"]
        surface = analysis.doc.text[m.span.start:m.span.end]
        if surface[:1] in "وب" and len(surface) > 3:
            feats.append(f"clitic:{surface[0]}")
        out.append(feats)
    return out


def examples(analysis: Analysis, f: Frame, si: int,
             covered: Sequence[Mention]) -> list[tuple[Mention, list[str]]]:
    """Each other place sentence ``si`` of ``f`` names, with its features: what the decision reads when
    serving and what ``build/train_splits.py`` labels (``covered``: the mentions of the places the
    frame and the list rule's copies of it already stand at)."""
    cands = candidates(analysis, si, [c.value for c in covered])
    return list(zip(cands, candidate_features(analysis, f, cands, covered), strict=True)) if cands else []


@dataclass(frozen=True)
class SplitDecision:
    """P(another event of the frame's type) at each other place its sentences name; the places at or
    over ``threshold`` get an event each."""

    model: LinearModel
    threshold: float

    def more(self, analysis: Analysis, f: Frame, si: int, covered: Sequence[Mention]) -> list[Mention]:
        """The places sentence ``si`` of ``f`` names that are each the place of another event like ``f``."""
        return [m for m, x in examples(analysis, f, si, covered)
                if self.model.proba(x)[ANOTHER] >= self.threshold]


@lru_cache(maxsize=1)
def packaged() -> SplitDecision | None:
    """The shipped decision, or None (the list rule alone) where the package has none."""
    def load(path: Path) -> SplitDecision:
        model = LinearModel.load(path)
        return SplitDecision(model, float(model.meta.get("threshold", 1.01)))

    return shipped(SPLIT_MODEL, load, "a sentence's places split only as lists of towns")
