"""What every training script under ``build/`` shares: their command-line arguments, the
training split (never the held-out one), fitting a logistic regression over string features,
turning it into the :class:`~marsad.learn.linear.LinearModel` that serving reads, and
precision / recall / F-beta. Build time only: scikit-learn (the ``[train]`` extra) is imported
inside the functions, so serving never needs it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from marsad.annotations.corpus import ANNOTATIONS, SHARED, load_articles, read_heldout
from marsad.learn.linear import MODELS, LinearModel
from marsad.learn.trees import TreeModel, from_lightgbm
from marsad.model import Document

log = logging.getLogger(__name__)

#: the seed of every training script (fold shuffles, the seeded fits)
SEED = 20261207
#: a feature seen in fewer training examples is left out of the vocabulary
MIN_COUNT = 2
#: what ``trained_on.split`` says in every model's metadata
SPLIT = "train (held-out refused, and its copies: annotations/heldout_twins.tsv)"
#: a ranker's fold model (:meth:`Choices.out_of_fold`)
M = TypeVar("M")


def corpus_arguments(parser: argparse.ArgumentParser, c_default: float | list[float],
                     c_nargs: str | None = "*") -> argparse.ArgumentParser:
    """The arguments every training script takes: --annotations, --shared, --out, --folds and
    --c (one inverse L2 strength, or with ``c_nargs="*"`` the grid cross-validation picks from)."""
    parser.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, nargs=c_nargs, default=c_default)
    return parser


def json_sha256(value: Any) -> str:
    """The sha256 of ``value`` as JSON (the ``annotations_sha256`` of a model's metadata)."""
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def training_split(annotations: Path = ANNOTATIONS, shared: Path = SHARED,
                   extra: Sequence[Path] = ()) -> tuple[list[dict[str, Any]], dict[str, Document], str]:
    """(records, docs, digest): the final annotation of every coded article outside the held-out
    split, by doc id, with those of the ``extra`` annotation files (the review desk's, see
    :mod:`marsad.annotations.extra`); their articles (ids outside the annotation pool are
    refused); and the sha256 of their sorted (doc id, coder) pairs. Held-out ids are refused,
    and so are reviewers' codings of held-out articles in the corpus's folder."""
    from marsad.annotations.extra import REVIEW, read_extra, refuse_heldout
    from marsad.annotations.stats import final_annotations, read_coded
    from marsad.annotations.twins import read_twins

    heldout = set(read_heldout(annotations))
    coded = read_coded(annotations)
    refuse_heldout([c for codings in coded[1].values() for k, c in codings.items() if k.startswith(REVIEW)],
                   heldout, str(annotations / "coded"))
    final = final_annotations(annotations, coded, read_extra(extra, heldout))
    twins = read_twins(annotations)
    records = [r for d, r in sorted(final.items()) if d not in heldout and d not in twins]
    log.info("training split: %d articles (%d left out as copies of held-out articles)", len(records),
             sum(1 for d in final if d in twins))
    if {r["doc_id"] for r in records} & heldout:
        raise SystemExit("held-out articles in the training split: refused")
    docs = load_articles({r["doc_id"] for r in records}, shared)  # refuses ids outside the pool
    return records, docs, json_sha256(sorted((r["doc_id"], r["coder"]) for r in records))


def training_gold(annotations: Path = ANNOTATIONS, shared: Path = SHARED,
                  extra: Sequence[Path] = ()) -> list[dict[str, Any]]:
    """The training split (with the ``extra`` annotation files) as gold documents (what the
    scorer reads), held-out ids refused."""
    from marsad.annotations.extra import read_extra
    from marsad.annotations.stats import gold_documents
    from marsad.annotations.twins import read_twins

    heldout = set(read_heldout(annotations))
    more = read_extra(extra, heldout)
    twins = read_twins(annotations)  # copies of held-out articles (marsad.annotations.twins)
    gold = [g for g in gold_documents("train", annotations, shared, more)
            if g["doc_id"] not in heldout and g["doc_id"] not in twins]
    if {g["doc_id"] for g in gold} & heldout:
        raise SystemExit("held-out articles in the training split: refused")
    return gold


def other_coding(ids: set[str], shared: Path = SHARED) -> list[dict[str, Any]]:
    """The articles ``ids`` (training ids only: held-out ones are refused) as another team coded them,
    blind and reviewed, in ``../shared/gold/train.jsonl``; empty where that file is absent."""
    path = shared / "gold" / "train.jsonl"
    if ids & set(read_heldout()):
        raise SystemExit("held-out articles asked of the other coding: refused")
    if not path.exists():
        return []
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [d for d in rows if d["doc_id"] in ids]


def dump_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The arguments of the error analyses over a dump: its path, --annotations and --shared."""
    parser.add_argument("pred", type=Path, help="the out-of-fold events of build/train_models.py --dump")
    parser.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    parser.add_argument("--shared", type=Path, default=SHARED)
    return parser


def read_dump(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The out-of-fold events ``build/train_models.py --dump`` wrote, by document (error analysis)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.setdefault(r["doc_id"], []).append(r)
    return out


def article_fold(doc_id: str, folds: int, story: Mapping[str, str] | None = None) -> int:
    """The cross-validation fold of an article: a hash of its id (a sentence read alone, ``id@start``,
    goes with its article; an article that copies another, ``story`` as
    :func:`marsad.annotations.twins.story_groups` gives it, goes with the first of its story). Fixed by
    the ids alone, so that two runs whose candidates differ in a few articles compare the same folds
    (sklearn's GroupKFold balances folds by row counts: a change in 15 articles' candidates moved 429
    of 590 articles to another fold, about 0.008 of mean F1)."""
    article = doc_id.split("@", 1)[0]
    article = story.get(article, article) if story else article
    return int.from_bytes(hashlib.blake2b(article.encode("utf-8"), digest_size=8).digest(), "big") % folds


@dataclass
class Choices:
    """A ranker's training examples (the event-place and event-day scripts): per choice, each
    candidate's features and whether it is right, and the article the choice was made in."""

    feats: list[list[list[str]]] = field(default_factory=list)
    labels: list[list[bool]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def fit(self, idx: Sequence[int], c: float, positive: str) -> tuple[Any, Any]:
        """(vectoriser, classifier) of the choices ``idx``: each candidate an example, ``positive``
        where it is right, "other" where not."""
        feats = [f for i in idx for f in self.feats[i]]
        labels = [positive if y else "other" for i in idx for y in self.labels[i]]
        return fit_linear(feats, labels, c, seed=SEED)

    def out_of_fold(self, fold_docs: Sequence[set[str]], fit: Callable[[list[int]], M],
                    probabilities: Callable[[M, int], list[float]]) -> tuple[list[M], float]:
        """The model of each fold (``fit`` of the choices of the other folds' articles) and the share of
        all choices whose most probable candidate (``probabilities(model, choice)``, by the model of the
        fold that did not see the article) is right."""
        models, right = [], 0
        for held in fold_docs:
            model = fit([i for i, g in enumerate(self.groups) if g not in held])
            models.append(model)
            for i, g in enumerate(self.groups):
                if g in held:
                    right += self.labels[i][int(np.argmax(probabilities(model, i)))]
        return models, right / max(1, len(self.groups))


def fold_events(gold: Sequence[Mapping[str, Any]], docs: Mapping[str, Any], models: Sequence[Any],
                fold_docs: Sequence[set[str]], pipeline: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """The event records of the training split, each article run by ``pipeline(model)`` of its fold's
    model (the scripts that choose a decision by whole-pipeline runs, out of fold)."""
    preds: list[dict[str, Any]] = []
    for model, held in zip(models, fold_docs, strict=True):
        pipe = pipeline(model)
        preds += [e.to_record() for g in gold if g["doc_id"] in held for e in pipe(docs[g["doc_id"]]).events]
    return preds


def story_folds(texts: Mapping[str, str], folds: int) -> dict[str, int]:
    """Each article's fold (id -> text in, id -> fold out): :func:`article_fold` with one story's copies
    together (:func:`marsad.annotations.twins.story_groups`), for the scripts that run the pipeline
    per fold rather than split rows."""
    from marsad.annotations.twins import story_groups

    story = story_groups(texts)
    return {i: article_fold(i, folds, story) for i in texts}


def story_fold_docs(texts: Mapping[str, str], folds: int) -> list[set[str]]:
    """The articles of each fold, as :func:`story_folds` deals them."""
    fold_of = story_folds(texts, folds)
    return [{i for i, k in fold_of.items() if k == f} for f in range(folds)]


def both_codings(gold: list[dict[str, Any]], preds: list[dict[str, Any]], keys: Sequence[str],
                 other: list[dict[str, Any]], other_keys: Sequence[str] = ()) -> dict[str, Any]:
    """The scorer's ``keys`` against our coding (``gold``), ``other_f1`` against ``other``'s coding of
    the same articles (:func:`other_coding`, read once by the caller) and ``mean_f1`` (our F1 alone
    without it); ``other_keys``: more of the other coding's figures, as ``other_<key>``."""
    from marsad.eval.scorer import score

    summary, _ = score(gold, preds)
    out = {k: summary[k] for k in keys}
    if not other:
        out["mean_f1"] = out["event_f1"]
        return out
    wanted = {g["doc_id"] for g in gold}
    theirs = score([g for g in other if g["doc_id"] in wanted], preds)[0]
    out["other_f1"] = theirs["event_f1"]
    out.update({f"other_{k}": theirs[k] for k in other_keys})
    out["mean_f1"] = round((out["event_f1"] + out["other_f1"]) / 2, 4)
    return out


def article_splits(groups: Sequence[str], folds: int,
                   story: Mapping[str, str] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices of each fold, the rows grouped by :func:`article_fold` of their group."""
    of = np.array([article_fold(g, folds, story) for g in groups])
    return [(np.flatnonzero(of != k), np.flatnonzero(of == k)) for k in range(folds)]


def fit_linear(feats: list[list[str]], labels: list[str], c: float, *, min_count: int = MIN_COUNT,
               seed: int | None = None, sample_weight: list[float] | None = None) -> tuple[Any, Any]:
    """(vectoriser, classifier): binary presence of each feature string, L2 logistic regression
    (``sample_weight``: per example, e.g. so that every gold incident weighs the same)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = CountVectorizer(analyzer=lambda f: f, min_df=min_count, binary=True)
    x = vec.fit_transform(feats)
    clf = LogisticRegression(C=c, max_iter=3000, random_state=seed)
    clf.fit(x, labels, sample_weight=sample_weight)
    return vec, clf


def to_linear(vec: Any, clf: Any, meta: dict[str, Any]) -> LinearModel:
    """The fitted model as serving reads it: (features, classes) weights, or (features, 1) for a
    binary model (the second class's log-odds)."""
    vocab = {f: int(i) for f, i in vec.vocabulary_.items()}
    return LinearModel(tuple(str(c) for c in clf.classes_), vocab, clf.coef_.T.astype(np.float32),
                       clf.intercept_.astype(np.float32), meta)


#: the event model's boosting (LightGBM): chosen out of fold on the training split on 2026-12-07 among
#: 150-400 trees of depth 4-6 or unbounded (mean event F1 of both codings 0.6385-0.644, all above the
#: linear model's 0.6245; docs/learning.md) as the cheapest to serve of the best: 150 trees, 5 levels
TREE_PARAMS: dict[str, Any] = {"n_estimators": 150, "learning_rate": 0.06, "num_leaves": 15, "max_depth": 5,
                               "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1,
                               "colsample_bytree": 0.5}
#: a feature seen in fewer training examples than this is left out of the trees
TREE_MIN_COUNT = 3


def fit_trees(feats: list[list[str]], labels: list[str], *, seed: int = SEED,
              params: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """(vectoriser, classifier): binary presence of each feature string, boosted trees (one thread
    and LightGBM's deterministic mode, so that a rerun writes the same model)."""
    import lightgbm
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer=lambda f: f, min_df=TREE_MIN_COUNT, binary=True)
    x = vec.fit_transform(feats).astype(np.float32)
    clf = lightgbm.LGBMClassifier(random_state=seed, deterministic=True, n_jobs=1, verbose=-1,
                                  **(params or TREE_PARAMS))
    clf.fit(x, labels)
    return vec, clf


def predict_trees(vec: Any, clf: Any, feats: list[list[str]], positive: str = "1") -> np.ndarray:
    """P(``positive``) of each example under a :func:`fit_trees` model."""
    x = vec.transform(feats).astype(np.float32)
    return clf.predict_proba(x)[:, list(clf.classes_).index(positive)]


def to_trees(vec: Any, clf: Any, meta: dict[str, Any]) -> TreeModel:
    """The fitted trees as serving reads them (:class:`marsad.learn.trees.TreeModel`)."""
    columns = [str(f) for f in vec.get_feature_names_out()]
    neg, pos = (str(c) for c in clf.classes_)
    return from_lightgbm(clf.booster_, columns, (neg, pos), meta)


def prf(tp: int, fp: int, fn: int, beta: float = 1.0) -> dict[str, float]:
    """Precision, recall and F-beta (key ``f1``, ``f0.5`` ...), rounded to three places."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), f"f{beta:g}": round(f, 3)}


def per_class(predicted: np.ndarray, gold: np.ndarray) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of every gold class (what the training scripts write
    beside their weights)."""
    out = {}
    for cls in sorted(set(gold)):
        tp = int(((predicted == cls) & (gold == cls)).sum())
        out[cls] = {**prf(tp, int(((predicted == cls) & (gold != cls)).sum()),
                          int(((predicted != cls) & (gold == cls)).sum())),
                    "support": int((gold == cls).sum())}
    return out
