"""The learned merge decision: do two frames that a merge rule would join tell one event?

Requires: the two frames (placed, dated, with the tolls their sentences told) and the name of
the rule that would join them (``same_event``, ``inside_battle``, ``retelling``, ``same_crowd``,
``second_pass``, ``country``; see :mod:`marsad.extract.merging`).
Provides: :func:`pair_features` (one builder, shared by ``build/train_merge.py`` and serving),
:class:`MergeDecision` (P(same event) from a logistic regression read with numpy; a merge the
rules would make is vetoed below the threshold chosen by event F1 out of fold on the training
split) and :func:`packaged`, the shipped model or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from marsad.extract.dating import days_apart
from marsad.extract.merging import LEARNED
from marsad.geo.geocode import distance_km
from marsad.learn.linear import MODELS, LinearModel, shipped

if TYPE_CHECKING:
    from marsad.extract.frames import Frame

MERGE_MODEL = MODELS / "merge.npz"

# distance buckets (km): the rules' own cut-offs sit near 10 (same place), 50 (toll twins) and
# 60 (headline area), so the buckets straddle them
_KM = (1.0, 10.0, 25.0, 50.0, 100.0, 200.0)


def _bucket(x: float, edges: tuple[float, ...]) -> str:
    for e in edges:
        if x < e:
            return f"<{e:g}"
    return f">={edges[-1]:g}"


def _kinds(f: Frame) -> frozenset[str]:
    return frozenset(str(a.attr("kind") or "?") for a in f.actors)


def _overlap(a: set, b: set) -> str:
    return "none" if not a or not b else "equal" if a == b else "overlap" if a & b else "apart"


def pair_features(g: Frame, f: Frame, rule: str) -> list[str]:
    """Binary features of the merge of ``f`` into ``g`` that ``rule`` proposes (each crossed with
    the rule where the rule changes what it means: an inferred place under ``same_event`` is the
    rule "a place-less sentence continues the event before it")."""
    out = [f"rule={rule}", f"types={g.event_type}|{f.event_type}"]
    same_type = g.event_type == f.event_type
    out.append(f"same_type={same_type}")
    out.append(f"same_sub={g.sub_event_type == f.sub_event_type}")
    if same_type:
        out.append(f"sub_pair={g.sub_event_type}|{f.sub_event_type}")
    inferred = f"inferred={int(g.place_inferred)}{int(f.place_inferred)}"
    out += [inferred, f"{rule}&{inferred}"]
    out.append(f"untyped={int(g.untyped)}{int(f.untyped)}")
    out.append(f"title={int(g.in_title)}{int(f.in_title)}")
    out.append(f"precision={g.precision}|{f.precision}")
    if g.place is not None and f.place is not None:
        km = _bucket(distance_km(g.place, f.place), _KM) if g.place.country == f.place.country else "country"
        out += [f"km{km}", f"{rule}&km{km}"]
        out.append(f"same_name={g.place.name == f.place.name}")
        out.append(f"same_admin1={bool(g.place.admin1) and g.place.admin1 == f.place.admin1}")
        out.append(f"features={g.place.feature}|{f.place.feature}")
        both_named = not g.place_inferred and not f.place_inferred
        if both_named and g.place.name != f.place.name:
            # two places the text itself names: the case the under-split events are made of
            out += [f"named_apart&km{km}", f"{rule}&named_apart"]
    else:
        out.append("no_place")
    dated = f"dated={int(g.date_mention is not None)}{int(f.date_mention is not None)}"
    out += [dated, f"{rule}&{dated}"]
    out.append(f"inherited={int(g.date_inherited)}{int(f.date_inherited)}")
    days = days_apart(g.date, f.date) if g.date and f.date else -1
    out.append(f"days={min(days, 3)}")
    gap = min(abs(a - b) for a in g.sents for b in f.sents) if g.sents and f.sents else 0
    out.append(f"gap={_bucket(float(gap), (1.0, 2.0, 3.0, 5.0, 8.0))}")
    out.append(f"{rule}&gap={_bucket(float(gap), (2.0, 5.0))}")
    out.append(f"shared_sentence={bool(set(g.sents) & set(f.sents))}")
    out.append(f"g_sents={min(len(g.sents), 4)}")
    told = f"told={int(bool(g.told))}{int(bool(f.told))}"
    out += [told, f"told_equal={bool(g.told & f.told)}"]
    gk, fk = _kinds(g), _kinds(f)
    out.append("kinds=" + ("none" if not gk or not fk else "equal" if gk == fk else
                           "overlap" if gk & fk else "apart"))
    # what tells a retelling from another event of the type: the same named parties, the same
    # weapons, the same trigger sub-types, the same day (2026-12-07, for the learned pass's pairs)
    out.append("actors=" + _overlap({a.value for a in g.actors}, {a.value for a in f.actors}))
    out.append("instruments=" + _overlap(g.instruments, f.instruments))
    out.append("triggers=" + _overlap({t.value for t in g.triggers}, {t.value for t in f.triggers}))
    if g.told and f.told and not g.told & f.told:
        out.append("told_apart")
    out.append(f"split={int(g.split[1] > 1)}{int(f.split[1] > 1)}")
    if g.split_sent >= 0 and g.split_sent == f.split_sent:
        out.append("same_list")  # two towns of one list ("غارات على أ وب")
    return out


@dataclass(frozen=True)
class MergeDecision:
    """P(same event) of a pair of frames a rule would merge; merges below ``threshold`` are vetoed.
    A pair that no rule joined (``learned``: same type, same country) is joined from
    ``join_threshold`` (above 1: never; both chosen out of fold by ``build/train_merge.py``)."""

    model: LinearModel
    threshold: float
    join_threshold: float = 1.01

    def p_same(self, g: Frame, f: Frame, rule: str) -> float:
        return self.model.proba(pair_features(g, f, rule)).get("same", 1.0)

    def allow(self, g: Frame, f: Frame, rule: str) -> bool:
        """Whether the merge of ``f`` into ``g`` that ``rule`` proposes stands."""
        if rule == LEARNED:
            return self.join_threshold <= 1.0 and self.p_same(g, f, rule) >= self.join_threshold
        return self.p_same(g, f, rule) >= self.threshold

    @classmethod
    def load(cls, path: Path = MERGE_MODEL) -> MergeDecision:
        model = LinearModel.load(path)
        return cls(model, float(model.meta.get("threshold", 0.0)),
                   float(model.meta.get("join_threshold", 1.01)))


@lru_cache(maxsize=1)
def packaged() -> MergeDecision | None:
    """The shipped merge model, or None (with a warning) where the package has none."""
    return shipped(MERGE_MODEL, MergeDecision.load, "frames merge by the rules alone")
