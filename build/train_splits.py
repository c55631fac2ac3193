"""Train marsad's learned decision of the other places of a sentence that each have an event (never on
the held-out split).

    python build/train_splits.py      # trains, cross-validates, writes src/marsad/data/models/splits.npz

Examples: every time the event stage splits a placed frame (``placing.split_by_place``), the other
places its place's sentence names (:func:`marsad.learn.splits.candidates`: not the frame's own place,
nor one within 2 km of it or of the towns the list rule split it into), featurised as
:mod:`marsad.learn.splits` does when serving. A candidate is labelled "another_event" when a coded
event of the frame's type is at it: the coder's place span overlaps the candidate, or the event lies
within ``RADIUS_KM`` of it and its evidence holds the sentence. Binary logistic regression, five folds
by article (one story's copies together); C and the threshold are chosen by the mean event F1 of both
codings of the whole pipeline on the training split, each article split by the model of the folds that
did not see it. Every id is checked against the annotation pool, and held-out ids are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.eval.scorer import km  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.learn.splits import ANOTHER, SplitDecision  # noqa: E402
from marsad.learn.splits import examples as split_examples  # noqa: E402
from marsad.learn.training import MIN_COUNT, SEED, fit_linear, to_linear  # noqa: E402

C_GRID = (1.0,)
THRESHOLDS = (0.5, 0.6)
RADIUS_KM = 10.0
FIGURES = ("event_precision", "event_recall", "event_f1", "location_acc", "fatalities_acc",
           "doc_fatalities_acc")


@dataclass
class _Recorder:
    """Stands in for the decision: keeps each split's candidates and features, splits nothing."""

    rows: list[tuple[str, str, int, int, float, float, int, int, list[str]]] = field(default_factory=list)

    def more(self, analysis, f, si, covered):  # type: ignore[no-untyped-def]
        sent = analysis.sentences[si]
        for m, feats in split_examples(analysis, f, si, covered):
            self.rows.append((analysis.doc.doc_id, f.event_type, m.span.start, m.span.end, m.value.latitude,
                              m.value.longitude, sent.start, sent.end, feats))
        return []


def _pipeline(decision: Any):  # type: ignore[no-untyped-def]
    from marsad.extract.events import EventExtractor
    from marsad.pipeline import Pipeline
    from marsad.stages import default_stages

    stages = default_stages(ner=True, learned=True)
    next(s for s in stages if isinstance(s, EventExtractor)).split_decision = decision
    return Pipeline(stages)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _at(g: dict[str, Any], span: tuple[int, int], where: tuple[float, float], sent: tuple[int, int]) -> bool:
    """Whether coded event ``g`` is at the candidate: its place span overlaps the candidate's, or it lies
    within ``RADIUS_KM`` and its evidence holds the candidate's sentence."""
    own = g.get("location_span")
    if own and _overlaps(span, tuple(own)):
        return True
    return g.get("latitude") is not None and km(where, (g["latitude"], g["longitude"])) <= RADIUS_KM \
        and any(_overlaps(sent, tuple(ev)) for ev in g.get("evidence", []))


def examples(train: list[dict[str, Any]], docs: dict[str, Any]) -> tuple[list[list[str]], list[str],
                                                                         list[str], Counter[str]]:
    recorder = _Recorder()
    pipe = _pipeline(recorder)
    for r in train:
        pipe(docs[r["doc_id"]])
    coded = {r["doc_id"]: r["events"] for r in train}
    feats, labels, groups = [], [], []
    counts: Counter[str] = Counter()
    for doc_id, etype, s, e, lat, lon, ss, se, x in recorder.rows:
        yes = any(g["event_type"] == etype and _at(g, (s, e), (lat, lon), (ss, se)) for g in coded[doc_id])
        feats.append(x)
        labels.append(ANOTHER if yes else "other")
        groups.append(doc_id)
        counts[labels[-1]] += 1
    return feats, labels, groups, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, list(C_GRID))
    ap.add_argument("--thresholds", type=float, nargs="*", default=list(THRESHOLDS))
    args = ap.parse_args(argv)
    train, docs, digest = training.training_split(args.annotations, args.shared)
    gold = training.training_gold(args.annotations, args.shared)
    feats, labels, groups, counts = examples(train, docs)
    print(f"{len(train)} articles, {len(feats)} candidates: {dict(counts)}")
    fold_docs = training.story_fold_docs({r["doc_id"]: docs[r["doc_id"]].text for r in train}, args.folds)
    other = training.other_coding({g["doc_id"] for g in gold}, args.shared)
    base = training.both_codings(gold, training.fold_events(gold, docs, [None] * args.folds, fold_docs,
                                                            _pipeline), FIGURES, other)
    print(f"the list rule alone: {base}")
    results: dict[str, dict[str, Any]] = {}
    for c in args.c:
        models = []
        for held in fold_docs:
            idx = [i for i, g in enumerate(groups) if g not in held]
            vec, clf = fit_linear([feats[i] for i in idx], [labels[i] for i in idx], c, seed=SEED)
            models.append(to_linear(vec, clf, {}))
        for t in args.thresholds:
            preds = training.fold_events(gold, docs, [SplitDecision(m, t) for m in models], fold_docs,
                                         _pipeline)
            fig = training.both_codings(gold, preds, FIGURES, other)
            results[f"{c}:{t}"] = fig
            print(f"C={c} threshold {t}: {fig}")
    best = max(results, key=lambda k: (results[k]["mean_f1"], -float(k.split(":")[1])))
    c, t = (float(x) for x in best.split(":"))
    vec, clf = fit_linear(feats, labels, c, seed=SEED)
    meta = {"model": "splits", "classes": [str(k) for k in clf.classes_], "threshold": t,
            "trained_on": {"articles": len(train), "candidates": len(feats), **counts,
                           "annotations_sha256": digest, "split": training.SPLIT},
            "C": c, "min_count": MIN_COUNT, "seed": SEED, "radius_km": RADIUS_KM,
            "chosen_by": "pipeline event F1 (mean of our coding's and gold/train.jsonl's) on the training "
                         f"split, each article split by the model of the {args.folds} folds (by article, one "
                         "story's copies together) that did not see it",
            "cross_validation": {"folds": args.folds, "list_rule_alone": base, "by_C_threshold": results,
                                 **results[best]},
            "features": len(vec.vocabulary_)}
    to_linear(vec, clf, meta).save(args.out / "splits.npz")
    print(f"wrote {args.out / 'splits.npz'} ({len(vec.vocabulary_)} features, C={c}, threshold {t})")
    print(json.dumps(meta["cross_validation"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
