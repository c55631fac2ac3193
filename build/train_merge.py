"""Train the learned merge decision on the annotated corpus (never on its held-out split).

    python build/train_merge.py  # records pairs, cross-validates, writes src/marsad/data/models/merge.npz

1. The rules pipeline (``default_stages(events_only=True, learned=False)``) runs on every training
   article with a veto that vetoes nothing and records each merge a rule proposes: the two
   frames, the rule, :func:`marsad.learn.merging.pair_features`.
2. Each pair is labelled by the gold events its frames' sentences are evidence of (narrowed, for
   a sentence that is evidence of several, to those near the frame's own named place): "same"
   when the two share one, "different" when both touch gold events and share none; pairs
   touching no gold event are left out.
3. Logistic regression (scikit-learn at build time, numpy when serving), five folds grouped by
   article: the out-of-fold pair accuracy, and the veto threshold that gives the best event F1 of
   the whole pipeline on the training split when each article's merges are judged by the model
   of the fold that did not see it (``marsad.eval.scorer.score``).
Every id is checked against the annotation pool, and held-out ids are refused.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

events_module = __import__("importlib").import_module("marsad.extract.events")
from marsad.annotations.stats import final_annotations  # noqa: E402
from marsad.extract.frames import Frame  # noqa: E402
from marsad.extract.merging import LEARNED, MergeVeto, merge  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.learn.linear import LinearModel  # noqa: E402
from marsad.learn.merging import MergeDecision, pair_features  # noqa: E402
from marsad.learn.training import MIN_COUNT, SEED, fit_linear, to_linear  # noqa: E402
from marsad.model import Analysis  # noqa: E402

C = 0.5
NEAR_KM = 30.0  # a gold event "at" a frame's place: its coordinates this close to the frame's town
GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)
# from which P(same) two same-type frames that no rule joined are joined (1.01: never)
JOIN_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)


@dataclass
class _Pair:
    feats: list[str]
    g_sents: list[int]
    f_sents: list[int]
    g_place: tuple[float, float] | None  # (lat, lon) of a place the text names, else None
    f_place: tuple[float, float] | None


def _named(f: Frame) -> tuple[float, float] | None:
    return None if f.place is None or f.place_inferred or f.place.feature == "country" else (
        f.place.latitude, f.place.longitude)


@dataclass
class _Recorder:
    """A veto that lets every merge stand, and records it (the rules' own decisions)."""

    pairs: list[_Pair] = field(default_factory=list)

    def allow(self, g: Frame, f: Frame, rule: str) -> bool:
        self.pairs.append(_Pair(pair_features(g, f, rule), list(g.sents), list(f.sents),
                                _named(g), _named(f)))
        # the rules' merges stand; the learned pass's pairs are recorded, never joined (joining
        # every same-type pair would leave one frame per type and nothing left to record)
        return rule != LEARNED


@dataclass
class _OutOfFold:
    """Each article's merges judged by the model of the fold that did not see it."""

    models: dict[int, LinearModel]
    fold_of: dict[str, int]
    threshold: float
    join_threshold: float = 1.01
    doc: str = ""

    def allow(self, g: Frame, f: Frame, rule: str) -> bool:
        if rule == LEARNED and self.join_threshold > 1.0:
            return False
        model = self.models[self.fold_of[self.doc]]
        p = model.proba(pair_features(g, f, rule)).get("same", 1.0)
        return p >= (self.join_threshold if rule == LEARNED else self.threshold)


_VETO: list[MergeVeto | None] = [None]


def _merge(frames: list[Frame], veto: MergeVeto | None = None) -> list[Frame]:
    # (the script's veto, whatever the extractor passes: its own is None with learned=False)
    return merge(frames, _VETO[0])


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _gold_of(analysis: Analysis, sents: list[int], place: tuple[float, float] | None,
             gold: list[dict[str, Any]]) -> set[int]:
    """The gold events the sentences are evidence of; of several, those at the frame's named place."""
    spans = [(analysis.sentences[i].start, analysis.sentences[i].end) for i in sents]
    hit = {k for k, e in enumerate(gold) for s, t in e.get("evidence", [])
           for a, b in spans if s < b and a < t}
    if len(hit) > 1 and place is not None:
        near = {k for k in hit if gold[k].get("latitude") is not None
                and haversine_km(place[0], place[1], gold[k]["latitude"], gold[k]["longitude"]) < NEAR_KM}
        hit = near or hit
    return hit


def main(argv: list[str] | None = None) -> int:
    from marsad.eval.scorer import score
    from marsad.pipeline import Pipeline
    from marsad.run.extract import gold_documents as as_documents
    from marsad.stages import default_stages

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, C, c_nargs=None)
    ap.add_argument("--learned", action="store_true",
                    help="record and judge the merges of the pipeline with the other learned decisions on")
    args = ap.parse_args(argv)
    final = final_annotations(args.annotations)
    gold = training.training_gold(args.annotations, args.shared)
    ids = [g["doc_id"] for g in gold]
    docs = {d.doc_id: d for d in as_documents(gold)}

    events_module.merge = _merge  # (the extractor's merge, with this script's veto)
    pipeline = Pipeline(default_stages(events_only=True, learned=args.learned))
    # the same articles as another team coded them (../shared/gold/train.jsonl): a check of conventions
    other_path = args.shared / "gold" / "train.jsonl"
    wanted = set(ids)
    other = [d for d in (json.loads(x) for x in other_path.read_text(encoding="utf-8").splitlines()
                         if x.strip())
             if d["doc_id"] in wanted] if other_path.exists() else []

    def run(veto: MergeVeto | None) -> list[dict[str, Any]]:
        preds = []
        _VETO[0] = veto
        for i in ids:
            if isinstance(veto, _OutOfFold):
                veto.doc = i
            preds.extend(e.to_record() for e in pipeline(docs[i]).events)
        return preds

    # 1-2: the rules' merges, labelled by the gold events
    feats: list[list[str]] = []
    labels: list[str] = []
    groups: list[str] = []
    rules_preds: list[dict[str, Any]] = []
    recorder = _Recorder()
    _VETO[0] = recorder
    proposed = 0
    for i in ids:
        recorder.pairs.clear()
        a = pipeline(docs[i])
        rules_preds.extend(e.to_record() for e in a.events)
        coded = final[i]["events"]
        proposed += len(recorder.pairs)
        for p in recorder.pairs:
            gs, fs = _gold_of(a, p.g_sents, p.g_place, coded), _gold_of(a, p.f_sents, p.f_place, coded)
            if not gs or not fs:
                continue
            feats.append(p.feats)
            labels.append("same" if gs & fs else "different")
            groups.append(i)
    by_rule = Counter((next(x for x in f if x.startswith("rule="))[5:], lab)
                      for f, lab in zip(feats, labels, strict=True))
    print(f"{len(ids)} articles, {proposed} merges proposed, "
          f"{len(labels)} labelled: {dict(Counter(labels))}; "
          f"by rule: {dict(sorted(by_rule.items()))}")

    # 3: grouped cross-validation; every article (also those without a labelled pair) gets a fold
    y = np.array(labels)
    # (a hash of the article, one story's copies together, as train_models.py)
    fold_of = training.story_folds({i: docs[i].text for i in ids}, args.folds)
    pair_fold = np.array([fold_of[g] for g in groups])
    oof = np.zeros(len(y))
    models: dict[int, LinearModel] = {}
    for k in range(args.folds):
        train, test = np.where(pair_fold != k)[0], np.where(pair_fold == k)[0]
        vec, clf = fit_linear([feats[j] for j in train], list(y[train]), args.c)
        models[k] = to_linear(vec, clf, {})
        if len(test):
            oof[test] = clf.predict_proba(vec.transform([feats[j] for j in test]))[
                :, list(clf.classes_).index("same")]
    pair_cv = {"pairs": len(y), "same": int((y == "same").sum()),
               "accuracy_rules": round(float((y == "same").mean()), 3),  # the rules merge every pair
               "accuracy_model": {str(t): round(float(((oof >= t) == (y == "same")).mean()), 3)
                                  for t in GRID}}
    print(f"pair CV: {pair_cv}")

    # 5: the threshold by event F1 of the whole pipeline, out of fold
    keys = ("event_precision", "event_recall", "event_f1", "false_events_per_empty_doc")
    summary, _ = score(gold, rules_preds)
    figures = {"rules_only": {k: summary[k] for k in keys}}
    if other:
        figures["rules_only"]["other_coding_f1"] = score(other, rules_preds)[0]["event_f1"]
    print(f"  rules only: {figures['rules_only']}")
    for t in GRID:
        preds = run(_OutOfFold(models, fold_of, t))
        summary, _ = score(gold, preds)
        figures[str(t)] = {k: summary[k] for k in keys}
        if other:
            figures[str(t)]["other_coding_f1"] = score(other, preds)[0]["event_f1"]
        print(f"  veto below {t}: {figures[str(t)]}")
    # (the veto's grid runs without the learned pass: its pairs' weights are the veto's)
    best = max(GRID, key=lambda t: (figures[str(t)]["event_f1"], -t))
    threshold = best if figures[str(best)]["event_f1"] > figures["rules_only"]["event_f1"] else 0.0
    joins: dict[str, dict] = {}
    for t in JOIN_GRID:
        preds = run(_OutOfFold(models, fold_of, threshold, t))
        summary, _ = score(gold, preds)
        joins[str(t)] = {k: summary[k] for k in keys}
        if other:
            joins[str(t)]["other_coding_f1"] = score(other, preds)[0]["event_f1"]
        print(f"  join from {t}: {joins[str(t)]}")
    # the mean of the two codings' F1 (as build/train_models.py chooses), ties to "never"
    join = max(JOIN_GRID, key=lambda t: (joins[str(t)]["event_f1"]
                                         + joins[str(t)].get("other_coding_f1", 0), t))

    vec, clf = fit_linear(feats, labels, args.c)
    digest = training.json_sha256(sorted(ids))
    meta = {"model": "merge", "trained_on": {"articles": len(ids), "pairs": len(y),
                                             "annotations_sha256": digest, "split": training.SPLIT},
            "labels": dict(Counter(labels)), "C": args.c, "min_count": MIN_COUNT, "seed": SEED,
            "threshold": threshold, "chosen_by": "event F1 of the whole pipeline on the training split, "
            "out-of-fold (0: never veto)", "join_threshold": join,
            "join_chosen_by": "the sum of the event F1 against both codings of the training split, "
            "out-of-fold (above 1: never join a pair no rule proposed)", "join_grid": joins,
            "cross_validation": {"folds": args.folds, "grouped_by": "article (one story's copies together)",
                                                                 **pair_cv, "event_level": figures},
            "features": len(vec.vocabulary_)}
    to_linear(vec, clf, meta).save(args.out / "merge.npz")
    print(f"wrote {args.out / 'merge.npz'}: threshold {threshold}")
    assert MergeDecision.load(args.out / "merge.npz").threshold == threshold
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
