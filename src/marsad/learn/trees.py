"""Boosted decision trees read with numpy: features (strings) -> P(second class).

Trained by ``build/train_models.py`` (LightGBM, at build time only: importing it takes seconds,
over the cold-start budget) over binary features — a feature string is present or not — and
saved as one ``.npz``: the feature vocabulary and every tree's nodes in flat arrays, with the
training provenance as JSON beside them (:func:`from_lightgbm` converts a trained booster).

Why trees: the event decision's evidence is conjunctions — a sure sentence *and* a place *and*
an attacker, a headline *and* no toll — which a linear model over the same indicators can only
add up (out of fold, mean event F1 of both codings 0.6245 -> 0.6415, docs/learning.md).

Serving walks every tree at once: each node is a row of the flat arrays (a leaf points to itself),
and one step moves every tree's current node to its left or right child by whether its feature is
present; after ``depth`` steps every tree is at a leaf, and the leaves' values sum to the log-odds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FAMILY = "trees"


@dataclass(frozen=True)
class TreeModel:
    classes: tuple[str, str]  # (negative, positive)
    vocab: dict[str, int]  # feature string -> column; column len(vocab) is never present
    feature: np.ndarray  # (nodes,) int32: the column a node tests (a leaf: the absent column)
    left: np.ndarray  # (nodes,) int32: the child where the feature is absent (a leaf: itself)
    right: np.ndarray  # (nodes,) int32: the child where it is present (a leaf: itself)
    value: np.ndarray  # (nodes,) float64: a leaf's value (0 for a split)
    roots: np.ndarray  # (trees,) int32
    depth: int  # the longest path from a root to a leaf
    meta: dict[str, Any]

    def log_odds(self, rows: Sequence[Iterable[str]]) -> np.ndarray:
        """The log-odds of the positive class for each row of feature strings (unknown strings
        are ignored, as the linear models ignore them)."""
        present = np.zeros((len(rows), len(self.vocab) + 1), dtype=bool)
        for i, feats in enumerate(rows):
            cols = [c for c in map(self.vocab.get, feats) if c is not None]
            present[i, cols] = True
        nodes = np.broadcast_to(self.roots, (len(rows), len(self.roots))).copy()
        at = np.arange(len(rows))[:, None]
        for _ in range(self.depth):
            nodes = np.where(present[at, self.feature[nodes]], self.right[nodes], self.left[nodes])
        return self.value[nodes].sum(axis=1)

    def probabilities(self, rows: Sequence[Iterable[str]]) -> np.ndarray:
        """P(positive class) for each row."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(rows)))

    def proba(self, feats: Iterable[str]) -> dict[str, float]:
        """As :meth:`marsad.learn.linear.LinearModel.proba`: class -> probability (plain floats)."""
        p = float(self.probabilities([list(feats)])[0])
        return {self.classes[0]: 1.0 - p, self.classes[1]: p}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(path, family=np.array(FAMILY), classes=np.array(self.classes),
                            vocab=np.array(names), feature=self.feature, left=self.left, right=self.right,
                            value=self.value, roots=self.roots, depth=np.array(self.depth))
        path.with_suffix(".json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TreeModel:
        with np.load(path) as z:
            if "family" not in z.files or str(z["family"]) != FAMILY:
                raise ValueError(f"{path}: not a tree model")
            vocab = {str(f): i for i, f in enumerate(z["vocab"])}
            neg, pos = (str(c) for c in z["classes"])
            model = cls((neg, pos), vocab, z["feature"], z["left"], z["right"], z["value"], z["roots"],
                        int(z["depth"]), {})
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        object.__setattr__(model, "meta", meta)
        n = len(model.feature)
        if not (len(model.left) == len(model.right) == len(model.value) == n
                and model.feature.max(initial=0) <= len(vocab) and model.left.max(initial=0) < n
                and model.right.max(initial=0) < n and model.roots.max(initial=0) < n):
            raise ValueError(f"{path}: inconsistent tree arrays")
        return model


def is_tree_model(path: Path) -> bool:
    with np.load(path) as z:
        return "family" in z.files and str(z["family"]) == FAMILY


def from_lightgbm(booster: Any, columns: Sequence[str], classes: tuple[str, str],
                  meta: dict[str, Any]) -> TreeModel:
    """A trained LightGBM booster (binary objective, trained on 0/1 columns named ``columns``) as a
    :class:`TreeModel`. Every split must test "present or not": ``value <= t`` with 0 <= t < 1."""
    vocab = {f: i for i, f in enumerate(columns)}
    absent = len(columns)
    feature: list[int] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 0

    def add(node: dict[str, Any], level: int) -> int:
        nonlocal depth
        k = len(feature)
        feature.append(absent)
        left.append(k)
        right.append(k)
        value.append(0.0)
        if "leaf_value" in node:
            value[k] = float(node["leaf_value"])
            depth = max(depth, level)
            return k
        t = float(node["threshold"])
        if node.get("decision_type", "<=") != "<=" or not 0.0 <= t < 1.0:
            raise ValueError(f"a split that does not test presence: {node.get('decision_type')} {t}")
        feature[k] = int(node["split_feature"])
        left[k] = add(node["left_child"], level + 1)
        right[k] = add(node["right_child"], level + 1)
        return k

    for tree in booster.dump_model()["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    return TreeModel(classes, vocab, np.array(feature, dtype=np.int32), np.array(left, dtype=np.int32),
                     np.array(right, dtype=np.int32), np.array(value, dtype=np.float64),
                     np.array(roots, dtype=np.int32), depth, meta)
