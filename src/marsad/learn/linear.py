"""A linear classifier read with numpy: features (strings) -> class probabilities.

Trained by ``build/train_models.py`` (scikit-learn's logistic regression, at build time only)
and saved as one ``.npz``: the class names, the feature vocabulary, the weight matrix and the
biases, with the training provenance as JSON beside them. Serving is a dictionary lookup per
feature and one small sum: microseconds per sentence, no scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODELS = Path(__file__).resolve().parent.parent / "data" / "models"


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    vocab: dict[str, int]
    weights: np.ndarray  # (features, classes), float32
    bias: np.ndarray  # (classes,)
    meta: dict[str, Any]

    def scores(self, feats: list[str]) -> np.ndarray:
        idx = [self.vocab[f] for f in feats if f in self.vocab]
        z = self.bias + (self.weights[idx].sum(axis=0) if idx else 0.0)
        return np.asarray(z, dtype=np.float64)

    def proba(self, feats: list[str]) -> dict[str, float]:
        z = self.scores(feats)
        if len(self.classes) == 1:
            return {self.classes[0]: 1.0}
        if z.shape[0] == 1:  # binary model: one column, the second class's log-odds
            p = float(1.0 / (1.0 + np.exp(-z[0])))  # plain floats: they end up in JSON records
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        e = np.exp(z - z.max())
        e /= e.sum()
        return dict(zip(self.classes, e.tolist(), strict=True))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            classes=np.array(self.classes), features=np.array(names))
        path.with_suffix(".json").write_text(json.dumps(self.meta, indent=1, ensure_ascii=False, sort_keys=True)
                                             + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as z:
            features = z["features"].tolist()
            model = cls(tuple(z["classes"].tolist()), {f: i for i, f in enumerate(features)},
                        z["weights"], z["bias"], {})
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls(model.classes, model.vocab, model.weights, model.bias, meta)
