"""The learned event decision: does a sentence that the rules open an event frame on report
a current, codable event, or which non-event class (background, running total, threat or plan,
commentary or figurative use, crime or accident, no violence)?

Requires: the sentence's trigger, cue, date and actor mentions (what the frames read).
Provides: P(event) and, below the threshold set by cross-validation on the training corpus
(``build/train_models.py``), the named reason the frame is dropped: ``model:<class>``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.learn.features import sentence_features
from marsad.learn.linear import MODELS, LinearModel
from marsad.model import Analysis, Mention

log = logging.getLogger(__name__)

SENTENCE_MODEL = MODELS / "sentence.npz"


@dataclass(frozen=True)
class Judgement:
    p_event: float
    keep: bool
    reason: str  # "model:<most likely non-event class>" when dropped, "" when kept


@dataclass(frozen=True)
class SentenceDecision:
    model: LinearModel
    threshold: float

    def judge(self, analysis: Analysis, si: int, mentions: Iterable[Mention]) -> Judgement:
        proba = self.model.proba(sentence_features(analysis, si, mentions))
        p = proba.get("event", 0.0)
        if p >= self.threshold:
            return Judgement(p, True, "")
        other = max((c for c in proba if c != "event"), key=proba.__getitem__)
        return Judgement(p, False, f"model:{other}")

    @classmethod
    def load(cls, path: Path = SENTENCE_MODEL, threshold: float | None = None) -> SentenceDecision:
        model = LinearModel.load(path)
        t = threshold if threshold is not None else float(model.meta.get("frame_gate", {}).get("threshold", 0.5))
        return cls(model, t)


@lru_cache(maxsize=1)
def packaged() -> SentenceDecision | None:
    """The shipped sentence model, or None (with a warning) where the package has none."""
    if not SENTENCE_MODEL.exists():
        log.warning("no sentence model at %s: event frames are the rules' alone", SENTENCE_MODEL)
        return None
    return SentenceDecision.load()
