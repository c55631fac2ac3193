"""The merge decision: the probability that two event reports describe one incident.

A logistic regression over the binned pair features of :mod:`marsad.consolidate.similarity`,
trained on the consolidation gold's ``train`` split by ``build/train_consolidation.py`` and
shipped as ``data/models/consolidation.npz`` (+ ``.json``: provenance, threshold, figures) in
the :class:`marsad.learn.linear.LinearModel` format. Without that file the hand-set weights
below decide (a warning says so): they encode the ACLED rule "same day, place, type and actors
is one event" with some tolerance.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from marsad.consolidate.blocking import WINDOW_DAYS
from marsad.consolidate.similarity import PLACE_TEXT_FEATURES, RETELL_FEATURES, RETOLD_FEATURES
from marsad.learn.linear import MODELS, LinearModel, shipped

log = logging.getLogger(__name__)

PATH = MODELS / "consolidation.npz"
#: the values of MergeModel.own_doc
OWN_DOC = ("", "any", "place")

#: hand-set log-odds, used only when no trained model is shipped
RULE_WEIGHTS: dict[str, float] = {
    "sub=same": 0.5, "sub=diff": -0.8,
    "place=same": 2.5, "place=same_area": 1.0, "place=in_admin1": 0.8, "place=in_country": 0.0,
    "place=same_admin2": 0.6, "place=same_admin1": -0.3,
    "place=other_country": -4.0, "place=none": -0.5,
    "km<=5": 1.5, "km<=15": 0.5, "km<=40": -0.5, "km<=100": -1.5, "km>100": -3.0,
    "days<=0": 1.5, "days<=1": 0.3, "days<=2": -1.0, "days<=3": -3.0, "days<=5": -3.5, "days>5": -4.0,
    "days=none": -1.0,
    "actors=same": 0.8, "actors=overlap": 0.2, "actors=disjoint": -1.0, "actors=unknown": 0.0,
    "cos<=0.1": -1.5, "cos<=0.2": -0.5, "cos<=0.3": 0.5, "cos<=0.5": 1.5, "cos>0.5": 3.0,
    "fat=both0": 0.0, "fat=one0": -0.3, "fatratio<=0.25": -1.0, "fatratio<=0.5": 0.0,
    "fatratio<=0.8": 0.5, "fatratio>0.8": 1.0,
    "outlet=same": -0.5, "outlet=diff": 0.2, "outlet=unknown": 0.0,
}
RULE_BIAS = -3.0
RULE_THRESHOLD = 0.5


@dataclass(frozen=True)
class MergeModel:
    """The linear model and the probability from which a report joins an incident."""

    linear: LinearModel
    threshold: float
    # a report's probability of joining an incident: the mean over its link_top best-matching members
    # (0: over all of them, average linkage, which resists chaining a campaign's days into one incident)
    link_top: int = 2
    # the largest day gap between a report and an incident's members for them to be compared (the
    # blocking window): chosen with the threshold by grouped cross-validation on the train split
    window: int = WINDOW_DAYS
    # the window for pairs where either report's date is approximate (time_precision 2-3: dated by its
    # article's publication, or "last week"): its day may lie days after the incident's, so such a report
    # is compared further back (0: the same window). Chosen by the same cross-validation
    vague_window: int = 0
    # whether a report may join an incident that holds another event of its own document (compared with
    # the other documents' members only): the extractor sometimes splits one report of an incident into
    # two events, and the second is then kept out of the incident the first joined. "": never (one
    # article reports one incident once); "any"; "place": only when those events are at its location
    own_doc: str = ""
    # the log-odds of "same" per feature, as plain floats: a consolidation asks ~30 times per report,
    # and a dictionary sum is ten times faster there than LinearModel.proba's numpy calls
    _logit: dict[str, float] = field(init=False, repr=False, compare=False)
    _bias: float = field(init=False, repr=False, compare=False)
    # whether the model weighs the retelling features (similarity.RETELL_FEATURES, RETOLD_FEATURES): where
    # it does not, they are not made (a fifth of each pair's feature time)
    reads_retelling: bool = field(init=False, repr=False, compare=False)
    # the same for the place-name features (similarity.PLACE_TEXT_FEATURES)
    reads_place_text: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        w, bias = self.linear.weights, self.linear.bias
        col, b0 = ((w[:, 0], float(bias[0])) if w.shape[1] == 1
                   else (w[:, -1] - w[:, 0], float(bias[-1] - bias[0])))
        # a binary model's column is the log-odds of its second class: "separate" sorts after "same"
        sign = 1.0 if self.linear.classes[-1] == "same" else -1.0
        object.__setattr__(self, "_logit", {f: sign * float(col[i]) for f, i in self.linear.vocab.items()})
        object.__setattr__(self, "_bias", sign * b0)
        object.__setattr__(self, "reads_retelling", any(
            f.startswith(RETELL_FEATURES + RETOLD_FEATURES) for f in self.linear.vocab))
        object.__setattr__(self, "reads_place_text", any(
            f.startswith(PLACE_TEXT_FEATURES) for f in self.linear.vocab))

    def reach(self, vague: bool) -> int:
        """The day window of a pair, by whether either report's date is approximate."""
        return max(self.window, self.vague_window) if vague else self.window

    def probability(self, feats: list[str]) -> float:
        z = self._bias + sum(self._logit.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-z))


def rule_model() -> MergeModel:
    names = sorted(RULE_WEIGHTS)
    weights = np.array([[RULE_WEIGHTS[n]] for n in names], dtype=np.float32)
    linear = LinearModel(("separate", "same"), {n: i for i, n in enumerate(names)}, weights,
                         np.array([RULE_BIAS], dtype=np.float32),
                         {"model": "consolidation", "trained": False})
    return MergeModel(linear, RULE_THRESHOLD)


def _own_doc(value: object, path: Path) -> str:
    if value not in OWN_DOC:
        raise ValueError(f"{path}: own_doc must be one of {OWN_DOC}, not {value!r}")
    return str(value)


def _load(path: Path) -> MergeModel:
    linear = LinearModel.load(path)
    meta = linear.meta
    return MergeModel(linear, float(meta.get("threshold", 0.5)), int(meta.get("link_top", 2)),
                      int(meta.get("window", WINDOW_DAYS)), int(meta.get("vague_window", 0)),
                      _own_doc(meta.get("own_doc") or "", path))


@lru_cache(maxsize=1)
def merge_model() -> MergeModel:
    """The shipped model, else the hand-set rule weights."""
    return shipped(PATH, _load, "consolidation uses the hand-set rule weights") or rule_model()


__all__ = ["MergeModel", "PATH", "RULE_WEIGHTS", "merge_model", "rule_model"]
