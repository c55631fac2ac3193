"""Train marsad's learned place-mention decision on the annotated corpus (never on its held-out split).

    python build/train_places.py            # trains, cross-validates, writes src/marsad/data/models/place.npz

Examples: every PLACE mention the pipeline's own stages make (``find_places``, then the geocoder's
rules roles and country context, as :mod:`marsad.learn.places` reads them when serving) whose span a
coder labelled; the label is "not_a_place" where the coder said so, "place" for every other role.
Binary logistic regression; five-fold cross-validation grouped by article gives the figures written
beside the weights and the threshold: the P(not a place) at or above which the geocoder drops a
mention that the rules gave no role, chosen to maximise F0.5 of not_a_place over those mentions'
out-of-fold predictions (precision weighs double: a real event place taken for a word loses an event).
Every id is checked against the annotation pool, and held-out ids are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.annotations.labels import PlaceRole  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.learn.places import NOT_PLACE, place_features  # noqa: E402
from marsad.learn.training import MIN_COUNT, SEED, fit_linear, prf, to_linear  # noqa: E402

C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # inverse L2 strength: chosen by the grouped cross-validation
BETA = 0.5  # F-beta of not_a_place the threshold maximises (precision counts double)


@dataclass
class Examples:
    feats: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # NOT_PLACE or "place"
    roles: list[str] = field(default_factory=list)  # the coder's role
    rule_roles: list[str | None] = field(default_factory=list)  # the rules' role
    groups: list[str] = field(default_factory=list)  # doc id
    keys: list[str] = field(default_factory=list)


@dataclass
class _Recorder:
    """Stands in for the geocoder's place decision: keeps each document's features and rules roles."""

    threshold: float = 2.0  # never reached: the rules' roles stay as they are
    seen: dict[str, list[tuple[int, int, str, str | None, list[str]]]] = field(default_factory=dict)

    def p_not_place(self, analysis, mentions, roles, actors,  # type: ignore[no-untyped-def]
                    ctx) -> list[float]:
        feats = place_features(analysis, mentions, roles, actors, ctx)
        self.seen[analysis.doc.doc_id] = [(m.span.start, m.span.end, str(m.attr("key")), r, f)
                                          for m, r, f in zip(mentions, roles, feats, strict=True)]
        return [0.0] * len(mentions)


def examples(annotations: list[dict[str, Any]], docs: dict[str, Any]) -> tuple[Examples, dict[str, int]]:
    """The labelled place mentions of these annotations, featurised by the serving code path."""
    from marsad.pipeline import Pipeline
    from marsad.stages import Geocode, default_stages

    stages = default_stages(ner=False, learned=False)
    k = next(i for i, s in enumerate(stages) if isinstance(s, Geocode))
    recorder = _Recorder()
    stages[k].geocoder.place_decision = recorder  # type: ignore[attr-defined]
    pipeline = Pipeline(stages[:k + 1])
    ex = Examples()
    counts: Counter[str] = Counter()
    for rec in annotations:
        doc_id = rec["doc_id"]
        gold = {tuple(m["span"]): m["role"] for m in rec.get("mentions", ())
                if m["kind"] == "place" and m.get("from", "lexicon") == "lexicon"}
        pipeline(docs[doc_id])
        seen = recorder.seen.pop(doc_id, [])
        matched = 0
        for start, end, key, rule_role, feats in seen:
            role = gold.get((start, end))
            if role is None:
                continue  # an anaphor, or a match the coders were not shown
            matched += 1
            ex.feats.append(feats)
            ex.labels.append(NOT_PLACE if role == PlaceRole.NOT_PLACE else "place")
            ex.roles.append(role)
            ex.rule_roles.append(rule_role)
            ex.groups.append(doc_id)
            ex.keys.append(key)
        counts["coded_mentions"] += len(gold)
        counts["matched"] += matched
    return ex, dict(counts)


def out_of_fold(ex: Examples, c: float, folds: int) -> np.ndarray:
    """Grouped (by article) k-fold P(not a place) of every mention, articles shuffled by the seed."""
    from sklearn.model_selection import GroupKFold

    # GroupKFold is deterministic; relabelling the groups by a seeded permutation shuffles them
    uniq = sorted(set(ex.groups))
    order = np.random.default_rng(SEED).permutation(len(uniq))
    gid = {g: int(order[i]) for i, g in enumerate(uniq)}
    groups = [gid[g] for g in ex.groups]
    y = np.array(ex.labels)
    p = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=folds).split(ex.feats, y, groups):
        vec, clf = fit_linear([ex.feats[i] for i in train], list(y[train]), c, seed=SEED)
        k = list(clf.classes_).index(NOT_PLACE)
        p[test] = clf.predict_proba(vec.transform([ex.feats[i] for i in test]))[:, k]
    return p


def figures(ex: Examples, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Out-of-fold figures at a threshold: on every mention, and on those the rules gave no role
    (the only ones the geocoder lets the model change)."""
    y = np.array(ex.labels) == NOT_PLACE
    free = np.array([not r for r in ex.rule_roles])
    event = np.array([r == PlaceRole.EVENT for r in ex.roles])
    out: dict[str, Any] = {}
    for name, sel in (("all_mentions", np.ones(len(y), bool)), ("rule_roleless_mentions", free)):
        pred = (p >= threshold) & sel
        out[name] = {"mentions": int(sel.sum()), "not_a_place": int((y & sel).sum()),
                     "accuracy": round(float(((p >= threshold) == y)[sel].mean()), 3),
                     "not_a_place_figures": prf(int((pred & y).sum()), int((pred & ~y).sum()),
                                                int((~pred & y & sel).sum()), 1.0),
                     "event_places_dropped": int((pred & event).sum()),
                     "event_places": int((event & sel).sum())}
    return out


def choose_threshold(ex: Examples, p: np.ndarray) -> tuple[float, dict[str, float]]:
    """The threshold with the best out-of-fold F0.5 of not_a_place among the mentions without a rules role."""
    y = np.array(ex.labels) == NOT_PLACE
    free = np.array([not r for r in ex.rule_roles])
    grid: dict[str, float] = {}
    best_t, best_f = 1.01, -1.0
    for t in np.arange(0.3, 0.96, 0.05):
        pred = (p >= t) & free
        f = prf(int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y & free).sum()),
                BETA)[f"f{BETA:g}"]
        grid[f"{t:.2f}"] = f
        if f > best_f:
            best_t, best_f = round(float(t), 2), f
    return best_t, grid


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, list(C_GRID))
    args = ap.parse_args(argv)
    train, docs, digest = training.training_split(args.annotations, args.shared)
    ex, counts = examples(train, docs)
    print(f"{len(train)} articles, {len(ex.labels)} mentions ({counts}): {dict(Counter(ex.labels))}")
    results = {}
    for c in args.c:
        p = out_of_fold(ex, c, args.folds)
        threshold, grid = choose_threshold(ex, p)
        results[c] = (grid[f"{threshold:.2f}"], threshold, grid, p)
        print(f"C={c}: threshold {threshold}, F{BETA:g} {grid[f'{threshold:.2f}']}, "
              f"{figures(ex, p, threshold)['rule_roleless_mentions']}")
    c = max(results, key=lambda k: (results[k][0], -k))
    best_f, threshold, grid, p = results[c]
    cv = figures(ex, p, threshold)
    cv["at_0.5"] = figures(ex, p, 0.5)
    vec, clf = fit_linear(ex.feats, ex.labels, c, seed=SEED)
    meta = {"model": "place", "classes": [str(k) for k in clf.classes_],
            "trained_on": {"articles": len(train), "mentions": len(ex.labels), **counts,
                           "annotations_sha256": digest, "split": training.SPLIT},
            "labels": dict(Counter(ex.labels)), "roles": dict(Counter(ex.roles)), "C": c,
            "C_grid": {str(k): v[0] for k, v in results.items()}, "min_count": MIN_COUNT, "seed": SEED,
            "threshold": threshold,
            "chosen_by": f"F{BETA:g} of not_a_place on the mentions without a rules role, out-of-fold "
                         f"({args.folds}-fold, grouped by article); C by the same figure",
            "cross_validation": {"folds": args.folds, "grouped_by": "article", **cv, "threshold_grid": grid},
            "features": len(vec.vocabulary_)}
    to_linear(vec, clf, meta).save(args.out / "place.npz")
    print(f"wrote {args.out / 'place.npz'} ({len(vec.vocabulary_)} features, C={c}, threshold {threshold})")
    print(json.dumps(cv, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
