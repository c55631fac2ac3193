"""The learned event decision: is an event the rules built a real, codable event? Its
probability is the event's ``confidence``; below the threshold the event is dropped, with
the named reason ``model:unlikely_event``.

Requires: the events of the event stage (built with no confidence cut) and the analysis's
mentions. Provides: the same events, each with a calibrated ``confidence`` (the probability,
measured by band in ``marsad eval``), fewer by those dropped.

The features (:func:`event_features`) are what the rules knew when they built the event —
type, sub-type, tags, the rules' own confidence, places, actors, toll, date, where in the
article — and the sentence model's P(event) of its evidence sentences. The training script
gives the sentence probabilities of the cross-validation's other folds; serving computes them.
The model is boosted trees over those features (:mod:`marsad.learn.trees`; a linear model file is
still read, ``build/train_models.py --linear-events``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from marsad.extract.settings import DEFAULT
from marsad.learn.linear import MODELS, LinearModel
from marsad.learn.trees import TreeModel, is_tree_model
from marsad.model import Analysis, Drop, Event, Mention

log = logging.getLogger(__name__)

EVENT_MODEL = MODELS / "event.npz"
#: P(event) of a sentence, given the analysis, the sentence index and the mentions by sentence
SentenceProbability = Callable[[Analysis, int, dict[int, list[Mention]]], float]


def _steps(name: str, value: float, cuts: tuple[float, ...]) -> list[str]:
    """Thermometer indicators: ``name>=c`` for every cut the value reaches (a monotone,
    piecewise-constant effect a linear model can weigh)."""
    return [f"{name}>={c}" for c in cuts if value >= c]


def event_features(analysis: Analysis, event: Event, p_sentence: SentenceProbability,
                   by_sent: dict[int, list[Mention]]) -> list[str]:
    """The features of ``event``. (Where it stands among the article's other events — same type,
    same place, its rank — was tried on 2026-12-07 and lowered out-of-fold event F1, 0.575 -> 0.565.)"""
    sents = sorted({analysis.sentence_of(s) for s, _ in event.evidence}) or [0]
    ps = [p_sentence(analysis, si, by_sent) for si in sents]
    title_end = len(analysis.doc.title) if analysis.doc.title else -1
    feats = ["bias", f"type:{event.event_type}", f"sub:{event.sub_event_type}", f"gp:{event.geo_precision}",
             f"tp:{event.time_precision}", f"i1:{event.inter1}", f"i2:{event.inter2}",
             f"nsent:{min(len(sents), 4)}", f"first:{min(sents[0], 6)}",
             # a sentence read alone (a feed item, a headline) tells less than an article does
             f"doc_sents:{min(len(analysis.sentences), 3)}"]
    feats += _steps("pmax", max(ps), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
    feats += _steps("pmean", sum(ps) / len(ps), (0.2, 0.4, 0.6, 0.8))
    feats += _steps("conf", event.confidence, (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
    feats += [f"tag:{t}" for t in event.tags.split(";") if t]
    feats += ["place" if event.location else "noplace", "a1" if event.actor1 else "no_a1",
              "a2" if event.actor2 else "no_a2", "date" if event.event_date else "nodate"]
    feats += ["dead" if event.fatalities else "nodead"] + _steps("dead", event.fatalities, (2, 5, 10, 50))
    feats += ["source" if event.source_text else "nosource"]
    if analysis.sentences and analysis.sentences[sents[0]].end <= title_end:
        feats.append("in_title")
    if event.country:
        feats.append(f"cc:{event.country}")
    return feats


@dataclass(frozen=True)
class EventDecision:
    model: LinearModel | TreeModel  # boosted trees since 2026-12-07 (docs/learning.md); linear before
    threshold: float
    p_sentence: SentenceProbability
    # a short document (``DEFAULT.short_document``: a feed item, a sentence read alone) has its own
    # operating point, chosen out of fold on the training split's sentences read alone
    # (``short_threshold`` in event.json): read alone, a sentence tells less, and the model's
    # probabilities of such candidates are lower for real events as for false ones
    short_threshold: float | None = None

    def threshold_for(self, analysis: Analysis) -> float:
        """The threshold of ``analysis``'s document: the short documents' one, or the articles'."""
        if self.short_threshold is not None and DEFAULT.short_document(len(analysis.sentences)):
            return self.short_threshold
        return self.threshold

    def probability(self, analysis: Analysis, event: Event, by_sent: dict[int, list[Mention]]) -> float:
        return self.model.proba(event_features(analysis, event, self.p_sentence, by_sent)).get("1", 0.0)

    def probabilities(self, analysis: Analysis, events: tuple[Event, ...],
                      by_sent: dict[int, list[Mention]]) -> list[float]:
        """P(real event) of each of ``events``: the trees walk a document's events together."""
        if isinstance(self.model, TreeModel):
            rows = [event_features(analysis, e, self.p_sentence, by_sent) for e in events]
            return [float(p) for p in self.model.probabilities(rows)]
        return [self.probability(analysis, e, by_sent) for e in events]


@dataclass
class CalibrateEvents:
    """The stage: each event's confidence becomes the event model's probability; events below
    the threshold are dropped (``model:unlikely_event``)."""

    decision: EventDecision
    name: str = "calibrate"
    requires: tuple[str, ...] = ("events",)
    provides: tuple[str, ...] = ("confidence",)

    def __call__(self, analysis: Analysis) -> Analysis:
        if not analysis.events:
            return analysis
        by_sent = analysis.by_sentence()
        kept: list[Event] = []
        drops = list(analysis.drops)
        threshold = self.decision.threshold_for(analysis)
        for e, p in zip(analysis.events, self.decision.probabilities(analysis, analysis.events, by_sent),
                        strict=True):
            p = round(p, 3)
            if p < threshold:
                drops.append(Drop("model:unlikely_event", e.evidence_bounds, e.event_type, e.sub_event_type,
                                  p))
                continue
            kept.append(replace(e, confidence=p))
        a = analysis
        return Analysis(a.doc, a.norm, a.offsets, a.sentences, a.tokens, a.mentions, tuple(kept),
                        tuple(drops))


@lru_cache(maxsize=1)
def packaged() -> EventDecision | None:
    """The shipped event model with the shipped sentence model's probabilities, or None."""
    from marsad.learn.sentences import packaged as sentences

    decision = sentences()
    if decision is None or not EVENT_MODEL.exists():
        return None
    return load(EVENT_MODEL, decision.model)


def load(path: Path, sentence_model: LinearModel) -> EventDecision:
    from marsad.learn.sentences import p_event

    model = TreeModel.load(path) if is_tree_model(path) else LinearModel.load(path)

    def p_sentence(analysis: Analysis, si: int, by_sent: dict[int, list[Mention]]) -> float:
        return p_event(sentence_model, analysis, si, by_sent)

    short = model.meta.get("short_threshold")
    return EventDecision(model, float(model.meta.get("threshold", 0.5)), p_sentence,
                         None if short is None else float(short))
