"""The learned type decision: which event type and sub-type an event the rules built is, where the
model is sure of another one than the rules gave.

Requires: the rules' events (before the event model judges them: it reads their type) and the
analysis's mentions. Provides: the same events, a few re-typed (``event_types``), each change
recorded as the named reason ``retyped:Type|Sub`` with the type the rules gave (a change, not a drop).

The rules type a frame by its strongest trigger word and a fixed rank of types (a battle absorbs
its strikes; a suicide bomb outranks its explosion). What decides the coders' type is more than
that word: every trigger of the event's sentences with its weight and role, the weapons named,
whether the other side is named as a fighting party, who the actors are (state forces, rebels,
protesters, civilians), whether a protest is told, the headline's trigger types and the evidence's
words. :func:`type_features` makes those features, one builder for training
(``build/train_types.py``) and serving; the model is a logistic regression over "Type|Sub"
classes (:class:`~marsad.learn.linear.LinearModel`).

The decision has two thresholds, both chosen out of fold on the training split: the probability of
another *type* from which the rules' type is overruled (by event F1), and the share of another
*sub-type* (within the type the event keeps) from which the rules' sub-type is (by sub-type accuracy).
It runs before the event model, which then judges each event as typed: out of fold, re-typing the
events the event model had kept instead gained less (docs/learning.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from marsad.extract.sides import VICTIM_KINDS, actor_rank, two_sides
from marsad.extract.subtypes import TERRITORY_SUBS
from marsad.learn.features import text_features
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.model import Analysis, Drop, Event, Mention, MentionKind

log = logging.getLogger(__name__)

TYPES_MODEL = MODELS / "types.npz"
#: a threshold above 1 never overrules the rules
NEVER = 1.01


def _bucket(weight: object) -> str:
    w = float(weight or 0.5)  # type: ignore[arg-type]
    return "hi" if w >= 0.8 else ("mid" if w >= 0.5 else "lo")


def _mention_features(ms: list[Mention], prefix: str) -> list[str]:
    feats: list[str] = []
    actors = [m for m in ms if m.kind is MentionKind.ACTOR]
    for m in ms:
        if m.kind is MentionKind.TRIGGER:
            et, sub = m.value if isinstance(m.value, tuple) else ("", "")
            role, w = m.attr("role"), _bucket(m.attr("weight"))
            if role == "instrument":  # a weapon named (aircraft, tanks, a car bomb), not an act
                feats.append(f"{prefix}inst:{sub}")
                continue
            feats += [f"{prefix}t:{et}|{sub}", f"{prefix}tt:{et}|{w}", f"{prefix}tr:{role}",
                      f"{prefix}trt:{role}|{et}"]
            feats += [f"{prefix}tag:{t}" for t in str(m.attr("tags") or "").split(";") if t]
        elif m.kind is MentionKind.CUE:
            feats.append(f"{prefix}q:{m.value}")
        elif m.kind is MentionKind.NUMBER and not m.attr("year"):
            feats.append(f"{prefix}n:count")
    kinds = sorted({str(a.attr("kind")) for a in actors})
    feats += [f"{prefix}a:{k}" for k in kinds]
    armed = [a for a in actors if actor_rank(a) <= 1 and a.attr("kind") not in VICTIM_KINDS]
    feats.append(f"{prefix}armed:{min(len({str(a.value) for a in armed}), 3)}")
    if two_sides(actors):
        feats.append(f"{prefix}two_sides")  # the other side is named as a party: a fight
    return feats


def type_features(analysis: Analysis, event: Event, by_sent: dict[int, list[Mention]]) -> list[str]:
    """The features of ``event``'s type: the rules' type, its fields, its evidence's mentions (those
    inside its clauses apart from the rest of their sentences), the headline's triggers and the
    evidence's words."""
    feats = ["bias", f"r:{event.event_type}", f"rs:{event.event_type}|{event.sub_event_type}",
             f"i:{event.inter1}-{event.inter2}", f"i1:{event.inter1}", f"i2:{event.inter2}"]
    feats += [f"tag:{t}" for t in event.tags.split(";") if t]
    feats += ["dead" if event.fatalities else "nodead"] + [
        f"dead>={c}" for c in (2, 5, 10) if event.fatalities >= c]
    if event.injuries:
        feats.append("injured")
    spans_of: dict[int, list[tuple[int, int]]] = {}  # the evidence spans by sentence
    for s, e in event.evidence:
        si = analysis.sentence_of(s)
        if si >= 0:
            spans_of.setdefault(si, []).append((s, e))
    sents = sorted(spans_of)
    feats.append(f"nsent:{min(len(sents), 4)}")
    inside: list[Mention] = []
    outside: list[Mention] = []
    for si in sents:
        spans = spans_of[si]
        for m in by_sent.get(si, ()):
            (inside if any(s <= m.span.start and m.span.end <= e for s, e in spans) else outside).append(m)
    feats += sorted(set(_mention_features(inside, "")))
    feats += sorted(set(_mention_features(outside, "o:")))
    title = analysis.doc.title
    if title is not None:
        heads = [m for si, s in enumerate(analysis.sentences) if s.end <= len(title)
                 for m in by_sent.get(si, ())]
        if sents and analysis.sentences[sents[0]].end <= len(title):
            feats.append("in_title")
        feats += sorted({f"h:{f}" for f in _mention_features(heads, "") if f.startswith(("t:", "inst:"))})
    # the article's other strong event words: strikes told in an article about a ground battle, a
    # protest article's clashes (crossed with the rules' type: a linear model sees no pairs itself)
    told = {m.value[0] for ms in by_sent.values() for m in ms if m.kind is MentionKind.TRIGGER
            and isinstance(m.value, tuple) and m.value[0] and m.attr("role") != "instrument"
            and float(m.attr("weight") or 0.5) >= 0.8}  # type: ignore[arg-type]
    feats += [f"d:{t}" for t in sorted(told)] + [f"rd:{event.event_type}|{t}" for t in sorted(told)]
    text = analysis.doc.text
    # (the prefixed strings come from the word cache of learn/features: no string built per event)
    feats += sorted({f for s, e in event.evidence[:3] for f in text_features(text[s:e], prefix="x:")})
    return feats


@dataclass(frozen=True)
class TypeDecision:
    model: LinearModel
    type_threshold: float = NEVER
    sub_threshold: float = NEVER

    def decide(self, analysis: Analysis, event: Event,
               by_sent: dict[int, list[Mention]]) -> tuple[tuple[str, str], float] | None:
        """The (type, sub-type) the model gives instead of the rules', with its probability, or None."""
        proba = self.model.proba(type_features(analysis, event, by_sent))
        rules = (event.event_type, event.sub_event_type)
        return choose(proba, rules, self.type_threshold, self.sub_threshold)

    @classmethod
    def load(cls, path: Path = TYPES_MODEL) -> TypeDecision:
        model = LinearModel.load(path)
        return cls(model, float(model.meta.get("type_threshold", NEVER)),
                   float(model.meta.get("sub_threshold", NEVER)))


def choose(proba: dict[str, float], rules: tuple[str, str], type_threshold: float,
           sub_threshold: float) -> tuple[tuple[str, str], float] | None:
    """The (type, sub-type) ``proba`` (over "Type|Sub" classes) gives instead of ``rules``: another
    type where its probability (summed over its sub-types) reaches ``type_threshold``, with its
    most probable sub-type; else, in the rules' type, another sub-type whose share of the type's
    probability reaches ``sub_threshold`` (never instead of a territory sub-type). None: the rules'
    type stands."""
    by_type: dict[str, float] = {}
    for cls, q in proba.items():
        t = cls.split("|")[0]
        by_type[t] = by_type.get(t, 0.0) + q
    top = max(by_type, key=by_type.__getitem__)
    if top != rules[0] and by_type[top] >= type_threshold:
        sub = max((c for c in proba if c.split("|")[0] == top), key=proba.__getitem__).split("|", 1)[1]
        return (top, sub), by_type[top]
    mass = by_type.get(rules[0], 0.0)
    if mass <= 0:
        return None
    best = max((c for c in proba if c.split("|")[0] == rules[0]), key=proba.__getitem__)
    sub = best.split("|", 1)[1]
    share = proba[best] / mass
    # who took ground is a question of sides (extract/sides.territory_subtype), which the model does
    # not read: a territory sub-type of the rules stands (the seed's fall of a town read as a clash)
    if sub != rules[1] and share >= sub_threshold and rules[1] not in TERRITORY_SUBS:
        return (rules[0], sub), share
    return None


@dataclass
class TypeEvents:
    """The stage: each event's type and sub-type, where the type model overrules the rules."""

    decision: TypeDecision
    name: str = "types"
    requires: tuple[str, ...] = ("events",)
    provides: tuple[str, ...] = ("event_types",)

    def __call__(self, analysis: Analysis) -> Analysis:
        if not analysis.events:
            return analysis
        by_sent = analysis.by_sentence()
        events: list[Event] = []
        drops = list(analysis.drops)
        for e in analysis.events:
            new = self.decision.decide(analysis, e, by_sent)
            if new is None:
                events.append(e)
                continue
            (etype, sub), p = new
            # a change, not a drop: recorded with the type the rules gave
            drops.append(Drop(f"retyped:{etype}|{sub}", e.evidence_bounds, e.event_type, e.sub_event_type,
                              round(p, 3)))
            events.append(replace(e, event_type=etype, sub_event_type=sub))
        return replace(analysis, events=tuple(events), drops=tuple(drops))


@lru_cache(maxsize=1)
def packaged() -> TypeDecision | None:
    """The shipped type model, or None (with a warning): then the rules' types stand."""
    return shipped(TYPES_MODEL, TypeDecision.load, "event types are the rules' alone")
