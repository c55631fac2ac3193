"""Train marsad's learned decisions on the annotated corpus (never on its held-out split).

    python build/train_models.py            # trains, cross-validates, writes src/marsad/data/models/

The sentence model: multinomial logistic regression over :mod:`marsad.learn.features`, one class
per sentence label (a current event, or which non-event class). Five-fold cross-validation
grouped by article gives the figures written beside the weights, and the probability below
which a sentence that the rules would open an event frame on is dropped (the threshold that
maximises F1 of "this framed sentence reports a current event" over the folds' predictions).
Every id is checked against the annotation pool, and held-out ids are refused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.annotations.corpus import ANNOTATIONS, SHARED, load_articles, read_heldout  # noqa: E402
from marsad.annotations.stats import final_annotations  # noqa: E402
from marsad.learn.data import Examples, examples  # noqa: E402
from marsad.learn.linear import MODELS, LinearModel  # noqa: E402

SEED = 20261207
C = 0.5  # inverse L2 strength: chosen by the grouped cross-validation below (0.25 / 0.5 / 1 / 2)
MIN_COUNT = 2  # a feature seen in fewer training sentences is left out of the vocabulary


def _vectorizer():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=lambda feats: feats, min_df=MIN_COUNT, binary=True)


def _fit(feats: list[list[str]], labels: list[str], c: float):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    vec = _vectorizer()
    x = vec.fit_transform(feats)
    clf = LogisticRegression(C=c, max_iter=3000, class_weight=None)
    clf.fit(x, labels)
    return vec, clf


def _to_linear(vec, clf, meta: dict) -> LinearModel:  # type: ignore[no-untyped-def]
    coef = clf.coef_.T.astype(np.float32)  # (features, classes) or (features, 1) when binary
    vocab = {f: int(i) for f, i in vec.vocabulary_.items()}
    return LinearModel(tuple(str(c) for c in clf.classes_), vocab, coef, clf.intercept_.astype(np.float32), meta)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def cross_validate(ex: Examples, c: float, folds: int) -> tuple[dict, np.ndarray]:
    """Grouped k-fold figures and the out-of-fold P(event) of every sentence."""
    from sklearn.model_selection import GroupKFold

    y = np.array(ex.labels)
    p_event = np.zeros(len(y))
    predicted = np.empty(len(y), dtype=object)
    for train, test in GroupKFold(n_splits=folds).split(ex.feats, y, ex.groups):
        vec, clf = _fit([ex.feats[i] for i in train], list(y[train]), c)
        proba = clf.predict_proba(vec.transform([ex.feats[i] for i in test]))
        k = list(clf.classes_).index("event")
        p_event[test] = proba[:, k]
        predicted[test] = clf.classes_[proba.argmax(axis=1)]
    figures: dict = {"sentences": len(y), "accuracy": round(float((predicted == y).mean()), 3), "per_class": {}}
    for cls in sorted(set(y)):
        tp = int(((predicted == cls) & (y == cls)).sum())
        figures["per_class"][cls] = {**_prf(tp, int(((predicted == cls) & (y != cls)).sum()),
                                            int(((predicted != cls) & (y == cls)).sum())), "support": int((y == cls).sum())}
    return figures, p_event


def choose_threshold(ex: Examples, p_event: np.ndarray) -> tuple[float, dict]:
    """The P(event) under which a framed sentence is dropped: best F1 over the folds."""
    framed = np.array(ex.framed)
    gold = np.array(ex.labels) == "event"
    base = _prf(int((framed & gold).sum()), int((framed & ~gold).sum()), 0)
    best = (0.0, -1.0, {})
    for t in np.arange(0.05, 0.95, 0.025):
        keep = framed & (p_event >= t)
        fig = _prf(int((keep & gold).sum()), int((keep & ~gold).sum()), int((framed & gold & ~keep).sum()))
        if fig["f1"] > best[1]:
            best = (round(float(t), 3), fig["f1"], fig)
    return best[0], {"framed_sentences": int(framed.sum()), "framed_events": int((framed & gold).sum()),
                     "events_never_framed": int((~framed & gold).sum()), "rules_only": base,
                     "with_model": best[2]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", type=float, nargs="*", default=[C])
    args = ap.parse_args(argv)
    heldout = set(read_heldout(args.annotations))
    final = final_annotations(args.annotations)
    train = [r for d, r in sorted(final.items()) if d not in heldout]
    assert not {r["doc_id"] for r in train} & heldout
    docs = load_articles({r["doc_id"] for r in train}, args.shared)  # refuses ids outside the pool
    ex = examples(train, docs)
    print(f"{len(train)} articles, {len(ex.labels)} sentences: {dict(Counter(ex.labels))}")
    results = {}
    for c in args.c:
        figures, p_event = cross_validate(ex, c, args.folds)
        threshold, gate = choose_threshold(ex, p_event)
        results[c] = (figures, threshold, gate)
        print(f"C={c}: accuracy {figures['accuracy']}, event {figures['per_class'].get('event')}, "
              f"threshold {threshold}: {gate['with_model']} (rules alone {gate['rules_only']})")
    c = max(results, key=lambda k: results[k][2]["with_model"]["f1"])
    figures, threshold, gate = results[c]
    vec, clf = _fit(ex.feats, ex.labels, c)
    digest = hashlib.sha256(json.dumps(sorted((r["doc_id"], r["coder"]) for r in train)).encode()).hexdigest()
    meta = {"model": "sentence", "trained_on": {"articles": len(train), "sentences": len(ex.labels),
                                                "annotations_sha256": digest, "split": "train (held-out refused)"},
            "labels": dict(Counter(ex.labels)), "C": c, "min_count": MIN_COUNT, "seed": SEED,
            "cross_validation": {"folds": args.folds, "grouped_by": "article", **figures},
            "frame_gate": {"threshold": threshold, **gate}, "features": len(vec.vocabulary_)}
    model = _to_linear(vec, clf, meta)
    model.save(args.out / "sentence.npz")
    print(f"wrote {args.out / 'sentence.npz'} ({len(vec.vocabulary_)} features, C={c}, threshold {threshold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
