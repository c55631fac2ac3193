"""The learned event decision: does a sentence that the rules open an event frame on report
a current, codable event, or which non-event class (background, running total, threat or plan,
commentary or figurative use, crime or accident, no violence)?

Requires: the sentence's trigger, cue, date and actor mentions (what the frames read).
Provides: P(event) and, below the threshold set by cross-validation on the training corpus
(``build/train_models.py``), the named reason the frame is dropped: ``model:<class>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.learn.features import sentence_parts
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.model import Analysis, Mention

SENTENCE_MODEL = MODELS / "sentence.npz"


@dataclass(frozen=True)
class Judgement:
    p_event: float
    keep: bool
    reason: str  # "model:<most likely non-event class>" when dropped, "" when kept


@dataclass(frozen=True)
class SentenceDecision:
    """The sentence model: keep or drop a frame, by P(event) of its sentence; and open a frame
    that a rule's scope exclusion stopped where the model is confident (``rescue_threshold``)."""

    model: LinearModel
    threshold: float
    # P(event) from which a frame that a rule's scope exclusion stopped is opened anyway (above
    # 1: never); set out of fold on the training corpus
    rescue_threshold: float = 1.01

    def judge(self, analysis: Analysis, si: int, by_sent: dict[int, list[Mention]]) -> Judgement:
        proba = self.model.proba(sentence_parts(analysis, si, by_sent))
        p = proba.get("event", 0.0)
        _remember(analysis, si, p)
        if p < self.threshold:
            other = max((c for c in proba if c != "event"), key=proba.__getitem__)
            return Judgement(p, False, f"model:{other}")
        return Judgement(p, True, "")

    @classmethod
    def load(cls, path: Path = SENTENCE_MODEL) -> SentenceDecision:
        model = LinearModel.load(path)
        gate = model.meta.get("frame_gate", {})
        return cls(model, float(gate.get("threshold", 0.5)), float(gate.get("rescue_threshold", 1.01)))


#: P(event) of the sentences judged lately, by (document, sentence): the event model reads the
#: probability of an event's sentences, which the frame stage computed for the same document
_MEMO: dict[tuple[int, int], tuple[object, float]] = {}
_MEMO_SIZE = 4096


def _remember(analysis: Analysis, si: int, p: float) -> None:
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[(id(analysis.doc), si)] = (analysis.doc, p)


def p_event(model: LinearModel, analysis: Analysis, si: int, by_sent: dict[int, list[Mention]]) -> float:
    """P(event) of sentence ``si``: remembered from the frame stage where it judged the sentence
    (the same document object, which the entry holds, so that its id cannot be reused)."""
    hit = _MEMO.get((id(analysis.doc), si))
    if hit is not None and hit[0] is analysis.doc:
        return hit[1]
    p = model.proba(sentence_parts(analysis, si, by_sent)).get("event", 0.0)
    _remember(analysis, si, p)
    return p


@lru_cache(maxsize=1)
def packaged() -> SentenceDecision | None:
    """The shipped sentence model, or None (with a warning) where the package has none."""
    return shipped(SENTENCE_MODEL, SentenceDecision.load, "event frames are the rules' alone")
