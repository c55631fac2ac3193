"""Train marsad's learned choice of an event's place (never on the held-out split).

    python build/train_event_places.py      # trains, cross-validates, writes
                                            # src/marsad/data/models/eventplace.npz

Examples: every time the event stage asks the geocoder for an event's place and the rules have two
or more candidates in the event's sentences, the candidates as :mod:`marsad.learn.eventplace`
featurises them when serving. A candidate is labelled "event_place" when it lies within 25 km (the
scorer's radius) of a coded event whose evidence overlaps those sentences, "other" otherwise; only
the choices with both kinds of candidate teach a ranking and are kept. Binary logistic regression,
five folds grouped by article: the figures beside the weights are the out-of-fold share of choices
where the model's pick (the most probable candidate) is right, against the rules' pick, and the
event F1 of the whole pipeline on the training split with each article's place choices made by the
model of the folds that did not see it, against the rules' choices. C is chosen by that event F1.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.eval.scorer import km  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.learn.eventplace import EVENT_PLACE, EventPlaceRanker, candidate_features  # noqa: E402
from marsad.learn.training import MIN_COUNT, SEED, to_linear  # noqa: E402

C_GRID = (0.1, 0.25, 0.5, 1.0)
#: how the shipped context settings were chosen (each a run of this script; docs/learning.md, "Places,
#: third round", has the table)
CONTEXT_CHOSEN_BY = (
    "mean event F1 of both codings of the pipeline, out of fold (5 folds by article), 2026-12-07: no "
    "context 0.6345 (C 1.0), always 0.634 (C 0.25), always and named 0.6315 (C 0.25), coarse 0.6415 "
    "(C 0.25), empty 0.644 (C 0.1 and 0.25), empty with the fallback's own model (separate) 0.6415 (C"
    " 0.1); rules 0.634. That one changed the seed article (a country fallback placed at a town "
    "escaped the merge of country-level tellings): shipped, separate with a country fallback left to "
    "the rules, 0.6395 (C 0.25; 0.1: 0.638); candidates before the event model: event recall 0.717 ->"
    " 0.718 ours, 0.698 -> 0.698 theirs")
RADIUS_KM = 25.0
FIGURES = ("event_precision", "event_recall", "event_f1", "location_acc", "place_recall_25km",
           "fatalities_acc")


# (doc id, candidates (start, end, lat, lon), their features, the event's sentences, a fallback choice)
_Call = tuple[str, list[tuple[int, int, float, float]], list[list[str]], list[tuple[int, int]], bool]


@dataclass
class _Recorder:
    """Stands in for the ranker: keeps each choice's candidates and features, answers the rules' pick.
    ``context``: the geocoder offers it the context candidates too (a context model's examples)."""

    calls: list[_Call] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    context: bool = False
    context_when: str = "always"
    context_named: bool = False
    #: the fallback's choices get a model of their own; the others keep the features without sources
    separate: bool = False

    def offers_context(self, inside: Any) -> bool:
        # the served ranker's rule, so that the examples are the choices it will be asked
        return EventPlaceRanker.offers_context(self, inside)  # type: ignore[arg-type]

    def choose(self, analysis, inside, ranks, anchor, counts, main, sources=None) -> int:  # type: ignore[no-untyped-def]
        srcs = sources if self.context else None
        fallback = srcs is not None and all(srcs)
        feats = candidate_features(analysis, inside, ranks, anchor, counts, main,
                                   None if self.separate and not fallback else srcs)
        cands = [(m.span.start, m.span.end, m.value.latitude, m.value.longitude) for m in inside]
        # the event's own sentences (the trigger's and its own candidates'), not the context's: a coded
        # event told there is the one whose place is sought
        own = [m for k, m in enumerate(inside) if srcs is None or not srcs[k]]
        sent = [(s.start, s.end) for s in analysis.sentences
                if s.start <= anchor < s.end or any(s.start <= m.span.start < s.end for m in own)]
        self.calls.append((analysis.doc.doc_id, cands, feats, sent, fallback))
        return 0


def _pipeline(ranker: Any):  # type: ignore[no-untyped-def]
    from marsad.pipeline import Pipeline
    from marsad.stages import Geocode, default_stages

    stages = default_stages(ner=True, learned=True)
    geo = next(s for s in stages if isinstance(s, Geocode)).geocoder  # type: ignore[attr-defined]
    geo.event_place_ranker = ranker
    return Pipeline(stages)


@dataclass
class Choices(training.Choices):
    fallback: list[bool] = field(default_factory=list)  # no candidate of the event's own sentences


def examples(train: list[dict[str, Any]], docs: dict[str, Any], context: bool = False,
             when: str = "always", separate: bool = False) -> tuple[Choices, dict[str, int]]:
    recorder = _Recorder(context=context, context_when=when, separate=separate)
    pipe = _pipeline(recorder)
    gold = {r["doc_id"]: [e for e in r["events"] if e.get("latitude") is not None] for r in train}
    out = Choices()
    counts: Counter[str] = Counter()
    for r in train:
        pipe(docs[r["doc_id"]])
    for doc_id, cands, feats, sents, fallback in recorder.calls:
        counts["choices"] += 1
        near = [e for e in gold[doc_id]
                if any(a < se and ss < b for a, b in e["evidence"] for ss, se in sents)]
        if not near:
            counts["no_coded_event"] += 1
            continue
        labels = [any(km((lat, lon), (e["latitude"], e["longitude"])) <= RADIUS_KM for e in near)
                  for _, _, lat, lon in cands]
        if all(labels) or not any(labels):
            counts["all_right" if all(labels) else "none_right"] += 1
            continue
        counts["kept"] += 1
        counts["rules_right"] += labels[0]
        out.feats.append(feats)
        out.labels.append(labels)
        out.groups.append(doc_id)
        out.fallback.append(fallback)
        counts["kept_fallback"] += fallback
    return out, dict(counts)


def _linear(ch: Choices, idx: list[int], c: float) -> Any:
    return ch.fit(idx, c, EVENT_PLACE)


def _fit(ch: Choices, idx: list[int], c: float, how: dict[str, Any]) -> EventPlaceRanker:
    if how.get("separate"):  # the event's own choices at main_c, the fallback's at c
        own = _linear(ch, [i for i in idx if not ch.fallback[i]], how["main_c"])
        fb = _linear(ch, [i for i in idx if ch.fallback[i]], c)
        return EventPlaceRanker(to_linear(*own, {}), True, "empty", fallback=to_linear(*fb, {}))
    return EventPlaceRanker(to_linear(*_linear(ch, idx, c), {}), **_settings(how))


def _settings(how: dict[str, Any]) -> dict[str, Any]:
    return {k: how[k] for k in ("context", "context_when", "context_named")}


def out_of_fold(ch: Choices, c: float, fold_docs: list[set[str]],
                how: dict[str, Any]) -> tuple[list[EventPlaceRanker], float]:
    """The fold models and the out-of-fold share of choices the model gets right (``how``: the
    ranker's context settings)."""
    def probabilities(model: EventPlaceRanker, i: int) -> list[float]:
        m = model.fallback if ch.fallback[i] and model.fallback is not None else model.model
        return [m.proba(f)[EVENT_PLACE] for f in ch.feats[i]]

    return ch.out_of_fold(fold_docs, lambda idx: _fit(ch, idx, c, how), probabilities)


def pipeline_f1(gold: list[dict[str, Any]], docs: dict[str, Any], rankers: list[Any],
                fold_docs: list[set[str]], other: list[dict[str, Any]]) -> dict[str, Any]:
    """The scorer's summary on the training split, each article run with its fold's ranker, against
    our coding and ``other`` (gold/train.jsonl's coding of the same articles: the choice must fit both)."""
    preds = training.fold_events(gold, docs, rankers, fold_docs, _pipeline)
    return training.both_codings(gold, preds, FIGURES, other)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, list(C_GRID))
    ap.add_argument("--no-context", dest="context", action="store_false",
                    help="candidates from the event's sentences only (the model before the context "
                    "candidates: the baseline)")
    ap.add_argument("--context-when", choices=("always", "coarse", "empty"), default="always",
                    help="offer the context candidates always, only where the event's sentences name "
                    "nothing finer than a province, or only where they name no place")
    ap.add_argument("--context-named", action="store_true",
                    help="a context place taken over the event's own candidates counts as named")
    ap.add_argument("--separate", action="store_true",
                    help="with --context-when empty: the fallback's choices get a model of their own "
                    "(eventplace_fallback.npz, C from --c), the others the model without context at --main-c")
    ap.add_argument("--main-c", type=float, default=1.0)
    args = ap.parse_args(argv)
    if args.separate and args.context_when != "empty":
        ap.error("--separate goes with --context-when empty")
    how = {"context": args.context, "context_when": args.context_when, "context_named": args.context_named,
           "separate": args.separate, "main_c": args.main_c}
    train, docs, digest = training.training_split(args.annotations, args.shared)
    gold = training.training_gold(args.annotations, args.shared)
    ch, counts = examples(train, docs, args.context, args.context_when, args.separate)
    print(f"{len(train)} articles: {counts}")
    # (a hash of the article, one story's copies together, as train_models.py)
    fold_docs = training.story_fold_docs({r["doc_id"]: docs[r["doc_id"]].text for r in train}, args.folds)
    other = training.other_coding({g["doc_id"] for g in gold}, args.shared)
    rules = pipeline_f1(gold, docs, [None] * args.folds, fold_docs, other)
    print(f"rules' choice: choices right {counts['rules_right'] / max(1, counts['kept']):.3f}; "
          f"pipeline {rules}")
    results = {}
    for c in args.c:
        models, acc = out_of_fold(ch, c, fold_docs, how)
        fig = pipeline_f1(gold, docs, models, fold_docs, other)
        results[c] = {"choices_right": round(acc, 3), "pipeline": fig}
        print(f"C={c}: choices right {acc:.3f}; pipeline {fig}")
    c = max(results, key=lambda k: (results[k]["pipeline"].get("mean_f1", results[k]["pipeline"]["event_f1"]),
                                    results[k]["choices_right"], -k))
    own = [i for i in range(len(ch.groups)) if not (args.separate and ch.fallback[i])]
    vec, clf = _linear(ch, own, args.main_c if args.separate else c)
    n_cands = sum(len(ch.labels[i]) for i in range(len(ch.groups)))
    meta = {"model": "eventplace", "classes": [str(k) for k in clf.classes_],
            "trained_on": {"articles": len(train), "choices": len(ch.groups), "candidates": n_cands,
                           **counts, "annotations_sha256": digest, "split": training.SPLIT},
            "C": args.main_c if args.separate else c, "min_count": MIN_COUNT, "seed": SEED,
            "radius_km": RADIUS_KM, **how, "context_chosen_by": CONTEXT_CHOSEN_BY,
            "chosen_by": "pipeline event F1 (mean of our coding's and gold/train.jsonl's) on the training "
                         f"split, each article's places chosen by the model of the {args.folds} folds "
                         "(grouped by article) that did not see it",
            "cross_validation": {"folds": args.folds,
                                 "grouped_by": "article (one story's copies together)",
                                 "rules_choices_right": round(counts["rules_right"]
                                                              / max(1, counts["kept"]), 3),
                                 "rules_pipeline": rules, "by_C": {str(k): v for k, v in results.items()},
                                 **results[c]},
            "features": len(vec.vocabulary_)}
    to_linear(vec, clf, meta).save(args.out / "eventplace.npz")
    print(f"wrote {args.out / 'eventplace.npz'} ({len(vec.vocabulary_)} features, C={meta['C']})")
    fallback = args.out / "eventplace_fallback.npz"
    if args.separate:
        fvec, fclf = _linear(ch, [i for i in range(len(ch.groups)) if ch.fallback[i]], c)
        fmeta = {"model": "eventplace_fallback", "classes": [str(k) for k in fclf.classes_],
                 "decides": "the event's place where its sentences name none: the rules' fallback (the main "
                            "or a statement place) or a place named around them (eventplace.npz's meta)",
                 "choices": counts.get("kept_fallback", 0), "C": c, "min_count": MIN_COUNT, "seed": SEED,
                 "features": len(fvec.vocabulary_), "cross_validation": meta["cross_validation"]}
        to_linear(fvec, fclf, fmeta).save(fallback)
        print(f"wrote {fallback} ({len(fvec.vocabulary_)} features, C={c})")
    elif fallback.exists():  # a stale fallback model would be served beside this one
        fallback.unlink()
        fallback.with_suffix(".json").unlink(missing_ok=True)
        print(f"removed {fallback}")
    print(json.dumps(meta["cross_validation"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
