"""What every training script under ``build/`` shares: fitting a logistic regression over string
features, turning it into the :class:`~marsad.learn.linear.LinearModel` that serving reads, and
precision / recall / F-beta. Build time only: scikit-learn (the ``[train]`` extra) is imported
inside the functions, so serving never needs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from marsad.learn.linear import LinearModel

#: a feature seen in fewer training examples is left out of the vocabulary
MIN_COUNT = 2


def fit_linear(feats: list[list[str]], labels: list[str], c: float, *, min_count: int = MIN_COUNT,
               seed: int | None = None) -> tuple[Any, Any]:
    """(vectoriser, classifier): binary presence of each feature string, L2 logistic regression."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = CountVectorizer(analyzer=lambda f: f, min_df=min_count, binary=True)
    x = vec.fit_transform(feats)
    clf = LogisticRegression(C=c, max_iter=3000, random_state=seed)
    clf.fit(x, labels)
    return vec, clf


def to_linear(vec: Any, clf: Any, meta: dict[str, Any]) -> LinearModel:
    """The fitted model as serving reads it: (features, classes) weights, or (features, 1) for a
    binary model (the second class's log-odds)."""
    vocab = {f: int(i) for f, i in vec.vocabulary_.items()}
    return LinearModel(tuple(str(c) for c in clf.classes_), vocab, clf.coef_.T.astype(np.float32),
                       clf.intercept_.astype(np.float32), meta)


def prf(tp: int, fp: int, fn: int, beta: float = 1.0) -> dict[str, float]:
    """Precision, recall and F-beta (key ``f1``, ``f0.5`` ...), rounded to three places."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), f"f{beta:g}": round(f, 3)}
