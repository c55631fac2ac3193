"""The learned frame opener: a sentence on which no rule frame opens may still report an event.

A detail sentence ("سقط 5 قتلى بنيران ...", "تظاهر المئات ...") often holds only death words or
weak, untyped ones: the rules open no frame on it (``rules:no_typed_trigger``), and out of fold
1,083 of the 3,114 event sentences of the training split got no frame at all. The opener is a
multinomial logistic regression over the sentence model's features (:mod:`marsad.learn.features`)
plus what the rules made of the sentence, with one class per "Type|Sub" and ``none``; trained by
``build/train_opener.py`` on the coded sentences the rules open no frame on.

Requires: the sentence's trigger, cue, date and actor mentions (what the frames read).
Provides: for a sentence with event evidence that opened no frame, where P(event) is at least
the threshold chosen out of fold (``opener.json``), a frame of the model's type whose trigger is
the sentence's strongest event word (a span of the text), tagged ``opened:model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from marsad.extract.dating import date_for
from marsad.extract.frames import Frame, current_dates
from marsad.learn.features import sentence_parts
from marsad.learn.linear import MODELS, FeatureBlock, LinearModel, TextPart, shipped
from marsad.model import Analysis, Mention, MentionKind

OPENER_MODEL = MODELS / "opener.npz"
#: the tag (and the drop reason, a change rather than a drop) of a frame the model opened
OPENED = "opened:model"
#: the class of a sentence that reports no current event
NONE = "none"
#: the outcomes of the rules (``frame_for_sentence``) the opener is asked about: a sentence with
#: event words none of which is a typed trigger strong enough. The scope exclusions (a cue, an old
#: date, a court or accident word) keep their own decisions: the sentence model's rescue, or none
ASKED = frozenset({"rules:no_typed_trigger"})


#: event words that alone are no evidence of an event the opener may open: talks, agreements,
#: withdrawals, sieges, weapons named, fighting words too weak for the rules. On the training split's
#: asked sentences (articles), 9% of those with an agreement word, 5% with negotiation, 6% with a weak
#: clash word, 13-17% with a siege, withdrawal, weapon or chemical word were coded events, against
#: 32-41% with a death, attack, injury, shooting or protest word
WEAK_ROLES = frozenset({"agreement", "negotiation", "withdraw", "siege", "clash", "instrument", "chemical",
                        "execute", "base"})


def evidence(ms: list[Mention]) -> bool:
    """Whether the rules see event evidence in a sentence: an event word (a trigger of any weight,
    typed or not) other than the weak ones (``WEAK_ROLES``): a death, injury, attack, shooting,
    protest, territory word ... Only such sentences are scored (speed)."""
    return any(m.kind is MentionKind.TRIGGER and m.attr("role") not in WEAK_ROLES for m in ms)


def opener_parts(analysis: Analysis, si: int, by_sent: dict[int, list[Mention]],
                 why: str) -> list[str | FeatureBlock | TextPart]:
    """The sentence model's features of sentence ``si`` and what the rules made of it (``why``: the
    reason :func:`~marsad.extract.frames.frame_for_sentence` gave), and the roles of its event words."""
    ms = by_sent.get(si, [])
    roles = sorted({f"o:role:{m.attr('role')}" for m in ms if m.kind is MentionKind.TRIGGER})
    return [*sentence_parts(analysis, si, by_sent), f"o:why:{why}", *roles]


@dataclass(frozen=True)
class Opening:
    p_event: float
    event_type: str
    sub_event_type: str


def read(proba: dict[str, float]) -> Opening:
    """P(event) (1 - P(none)), the most probable event type (its "Type|Sub" classes summed) and its
    most probable sub-type."""
    by_type: dict[str, float] = {}
    for cls, p in proba.items():
        if cls != NONE:
            etype = cls.split("|", 1)[0]
            by_type[etype] = by_type.get(etype, 0.0) + p
    if not by_type:
        return Opening(0.0, "", "")
    etype = max(by_type, key=by_type.__getitem__)
    sub_cls = max((c for c in proba if c.split("|", 1)[0] == etype), key=proba.__getitem__)
    return Opening(1.0 - proba.get(NONE, 0.0), etype, sub_cls.split("|", 1)[1])


@dataclass(frozen=True)
class OpenerDecision:
    """The opener: opens a frame on a sentence the rules left where P(event) >= ``threshold``."""

    model: LinearModel
    threshold: float

    def judge(self, analysis: Analysis, si: int, by_sent: dict[int, list[Mention]], why: str) -> Opening:
        return read(self.model.proba(opener_parts(analysis, si, by_sent, why)))

    @classmethod
    def load(cls, path: Path = OPENER_MODEL) -> OpenerDecision:
        model = LinearModel.load(path)
        # (no threshold in the file: above 1, it never opens)
        return cls(model, float(model.meta.get("threshold", 1.01)))


def open_frame(analysis: Analysis, si: int, ms: list[Mention], published: date | None,
               opening: Opening) -> Frame:
    """The frame the opener opens on sentence ``si``: the model's type; its trigger the sentence's
    strongest event word, given the model's type (the span indexes the text, as every trigger's);
    its date as the rules date a frame. ``untyped``: a frame the rules typed and that a merge joins
    gives the event its type (as one told by death words alone)."""
    triggers = [m for m in ms if m.kind is MentionKind.TRIGGER]
    main = max(triggers, key=lambda t: (float(t.attr("weight") or 0.0), -t.span.start))
    trigger = Mention(MentionKind.TRIGGER, main.span, (opening.event_type, opening.sub_event_type), main.sent,
                      main.attrs).with_attr("tags", OPENED)
    norm = analysis.norm
    event_date, precision, date_m = date_for(current_dates(ms, norm), published, main.span.start, norm)
    return Frame(opening.event_type, opening.sub_event_type, [si], main.span.start, [trigger], {OPENED},
                 [m for m in ms if m.kind is MentionKind.ACTOR], date=event_date, date_precision=precision,
                 date_mention=date_m, weight=float(main.attr("weight") or 0.5),
                 roles={str(t.attr("role")) for t in triggers}, untyped=True)


@lru_cache(maxsize=1)
def packaged() -> OpenerDecision | None:
    """The shipped opener, or None (with a warning) where the package has none."""
    return shipped(OPENER_MODEL, OpenerDecision.load, "frames are opened by the rules alone")
