"""Boosted trees read with numpy (marsad.learn.trees): hand-built trees give the log-odds their
leaves say; a LightGBM booster converted gives LightGBM's own probabilities; the file round-trips
and a wrong file is refused; the event stage judges a document's events with trees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from marsad.learn.events import CalibrateEvents, EventDecision, load
from marsad.learn.linear import LinearModel
from marsad.learn.trees import TreeModel, from_lightgbm, is_tree_model
from marsad.model import Analysis, Document, Event, Sentence


def _stump_pair() -> TreeModel:
    """Tree 1: "a" present -> +2, absent -> -1. Tree 2: "b" present -> (if "a" present +0.5 else -0.5),
    absent -> 0. Nodes: 0 split a, 1 leaf -1, 2 leaf +2; 3 split b, 4 leaf 0, 5 split a, 6 leaf -0.5,
    7 leaf +0.5."""
    absent = 2
    feature = np.array([0, absent, absent, 1, absent, 0, absent, absent], dtype=np.int32)
    left = np.array([1, 1, 2, 4, 4, 6, 6, 7], dtype=np.int32)
    right = np.array([2, 1, 2, 5, 4, 7, 6, 7], dtype=np.int32)
    value = np.array([0, -1, 2, 0, 0, 0, -0.5, 0.5])
    return TreeModel(("0", "1"), {"a": 0, "b": 1}, feature, left, right, value,
                     np.array([0, 3], dtype=np.int32), 2, {"note": "hand-built"})


def test_hand_built_trees_sum_their_leaves() -> None:
    m = _stump_pair()
    assert m.log_odds([[], ["a"], ["b"], ["a", "b"], ["a", "b", "unknown"]]).tolist() == [
        -1.0, 2.0, -1.5, 2.5, 2.5]
    assert m.proba(["a"])["1"] == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert sum(m.proba(["b"]).values()) == pytest.approx(1.0)


def test_the_file_round_trips_and_a_linear_file_is_refused(tmp_path: Path) -> None:
    m = _stump_pair()
    m.save(tmp_path / "t.npz")
    back = TreeModel.load(tmp_path / "t.npz")
    assert is_tree_model(tmp_path / "t.npz") and back.meta == {"note": "hand-built"}
    assert back.log_odds([["a", "b"]]).tolist() == [2.5]
    linear = LinearModel(("0", "1"), {"a": 0}, np.ones((1, 1), dtype=np.float32),
                         np.zeros(1, dtype=np.float32), {})
    linear.save(tmp_path / "l.npz")
    assert not is_tree_model(tmp_path / "l.npz")
    with pytest.raises(ValueError, match="not a tree model"):
        TreeModel.load(tmp_path / "l.npz")


def test_a_lightgbm_booster_converts_exactly() -> None:
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(7)
    x = (rng.random((600, 12)) < 0.3).astype(np.float32)
    y = ((x[:, 0] * x[:, 1] + x[:, 2] - x[:, 3] + rng.normal(0, 0.3, 600)) > 0.5).astype(int)
    clf = lightgbm.LGBMClassifier(n_estimators=30, num_leaves=7, max_depth=4, random_state=0, verbose=-1)
    clf.fit(x, y)
    cols = [f"f{i}" for i in range(12)]
    m = from_lightgbm(clf.booster_, cols, ("0", "1"), {})
    rows = [[cols[j] for j in np.flatnonzero(r)] for r in x]
    assert np.abs(m.probabilities(rows) - clf.predict_proba(x)[:, 1]).max() < 1e-9
    assert m.depth <= 4


def test_the_event_stage_judges_a_documents_events_with_trees(tmp_path: Path) -> None:
    doc = Document("t", "اشتباكات عنيفة في المدينة.")
    sure = Event("t", "sure", "Battles", "Armed clash", confidence=0.9, evidence=((0, 10),))
    unsure = Event("t", "unsure", "Battles", "Armed clash", confidence=0.3, evidence=((0, 10),))
    a = Analysis(doc, sentences=(Sentence(0, len(doc.text), doc.text),), events=(sure, unsure))
    absent = 1
    # one stump on the rules' confidence feature (conf>=0.8): present +3, absent -1
    trees = TreeModel(("0", "1"), {"conf>=0.8": 0}, np.array([0, absent, absent], dtype=np.int32),
                      np.array([1, 1, 2], dtype=np.int32), np.array([2, 1, 2], dtype=np.int32),
                      np.array([0.0, -1.0, 3.0]), np.array([0], dtype=np.int32), 1, {"threshold": 0.5})
    out = CalibrateEvents(EventDecision(trees, 0.5, lambda *_: 0.5))(a)
    assert [e.event_id for e in out.events] == ["sure"]
    assert out.events[0].confidence == pytest.approx(1 / (1 + np.exp(-3.0)), abs=1e-3)
    assert [d.reason for d in out.drops] == ["model:unlikely_event"]
    # the shipped loader reads a tree file as trees
    trees.save(tmp_path / "event.npz")
    sentence = LinearModel(("event", "none"), {}, np.zeros((0, 1), dtype=np.float32),
                           np.zeros(1, dtype=np.float32), {})
    assert isinstance(load(tmp_path / "event.npz", sentence).model, TreeModel)
