"""Train the toll model: the status of a number the toll rules read (never on the held-out split).

    python build/train_tolls.py [--cache /tmp/tolls]
    # trains, cross-validates, writes src/marsad/data/models/toll.npz

Each NUMBER mention that ``marsad.recognise.numbers.find_numbers`` gives in a training article
becomes one example: its features (:func:`marsad.learn.tolls.number_features`, with the toll
rules' verdict on it) and the coders' status of that number (docs/annotation.md §3.3, folded to
toll / injured / running_total / background / other). Logistic regression; five-fold
cross-validation grouped by article gives per-class figures and the out-of-fold P(toll) of the
numbers, from which the veto and rescue thresholds are chosen together: the pair that gives the
best fatalities accuracy (per event plus per article) of the whole pipeline on the training
split, out of fold (each article's numbers judged by the model of the fold that did not see
it), without lowering event F1 below ``EVENT_F1_FLOOR``. Every id is checked against the
annotation pool, and held-out ids are refused. ``--cache DIR`` keeps the articles' analyses
between runs (a run then takes minutes, not tens of minutes, on a loaded machine).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "build"))

from marsad.learn import training  # noqa: E402
from marsad.learn.tolls import CLASS_OF, TOLL, number_features  # noqa: E402
from marsad.learn.training import MIN_COUNT, SEED, fit_linear, to_linear  # noqa: E402

C = 0.5  # inverse L2 strength: the grouped cross-validation below picks among --c
COUNTED = ("kill", "side")  # the rules' verdicts the model is asked about when serving
# out of fold, the share of a threshold's vetoes (rescues) that must be right: more right than wrong,
# and then the pipeline's fatalities decide (a wrong veto zeroes a right toll, a right one removes a
# running total of hundreds: 0.8 left no veto; at 0.6 the vetoes lower the article toll's error by
# half, see toll.json)
MIN_PRECISION = 0.6
# the out-of-fold event F1 of the toll model this one replaced (rescue at 0.8, no veto; commit 99982ce):
# a new toll decision must not lower it
EVENT_F1_FLOOR = 0.504


@dataclass
class Numbers:
    feats: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    keys: list[tuple[str, int, int]] = field(default_factory=list)  # (doc id, start, end)


def number_stages() -> list:  # type: ignore[type-arg]
    """The default stages up to the numbers (what the toll rules read)."""
    from marsad.stages import default_stages

    stages = default_stages(ner=False, learned=False)
    names = [s.name for s in stages]
    return stages[:names.index("numbers") + 1]


def _cached(cache: Path | None, name: str, key: object, make):  # type: ignore[no-untyped-def]
    """``make()``, kept in ``cache`` (a folder, or None: no cache) under ``name`` and a hash of ``key``."""
    import hashlib
    import pickle

    if cache is None:
        return make()
    path = cache / f"{name}-{hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(value, fh)
    return value


def collect(train: list[dict], docs: dict, cache: Path | None = None) -> Numbers:  # type: ignore[type-arg]
    from marsad.extract.fatalities import toll_statements
    from marsad.model import MentionKind
    from marsad.pipeline import Pipeline

    pipeline = Pipeline(number_stages())
    analyses = _cached(cache, "numbers", [(r["doc_id"], docs[r["doc_id"]].text) for r in train],
                       lambda: [pipeline(docs[r["doc_id"]]) for r in train])
    out = Numbers()
    unmatched = 0
    for rec, a in zip(train, analyses, strict=True):
        gold = {tuple(m["span"]): m["role"] for m in rec["mentions"] if m["kind"] == "number"}
        verdicts: dict[tuple[int, int], str] = {}
        toll_statements(a, None, verdicts)
        by_sent = a.by_sentence()
        for m in a.mentions:
            if m.kind is not MentionKind.NUMBER or m.attr("norm_start") is None:
                continue
            key = (m.span.start, m.span.end)
            if key not in gold:
                unmatched += 1
                continue
            rule = verdicts.get(key, "skip")
            out.feats.append(number_features(a, m, by_sent, rule))
            out.labels.append(CLASS_OF[gold[key]])
            out.groups.append(rec["doc_id"])
            out.rules.append(rule)
            out.keys.append((rec["doc_id"], *key))
    print(f"{unmatched} recognised numbers without a coded status (the recogniser changed since coding)")
    return out


def _folds(groups: list[str], k: int) -> list[np.ndarray]:
    """Seeded grouped folds: every article's numbers in one fold."""
    arts = sorted(set(groups))
    random.Random(SEED).shuffle(arts)
    fold_of = {g: i % k for i, g in enumerate(arts)}
    idx = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(idx == i) for i in range(k)]


def cross_validate(ex: Numbers, c: float, k: int) -> tuple[dict, np.ndarray]:  # type: ignore[type-arg]
    """Per-class figures (all numbers, and the numbers the rules count) and out-of-fold P(toll)."""
    y = np.array(ex.labels)
    p_toll = np.zeros(len(y))
    pred = np.empty(len(y), dtype=object)
    for test in _folds(ex.groups, k):
        train = np.setdiff1d(np.arange(len(y)), test)
        vec, clf = fit_linear([ex.feats[i] for i in train], list(y[train]), c, seed=SEED)
        proba = clf.predict_proba(vec.transform([ex.feats[i] for i in test]))
        p_toll[test] = proba[:, list(clf.classes_).index(TOLL)]
        pred[test] = clf.classes_[proba.argmax(axis=1)]
    counted = np.isin(np.array(ex.rules), COUNTED)
    figures: dict = {"numbers": len(y), "accuracy": round(float((pred == y).mean()), 3), "per_class": {},  # type: ignore[type-arg]
                     "counted_by_rules": {"numbers": int(counted.sum()),
                                          "labels": dict(Counter(y[counted].tolist())),
                                          "accuracy": round(float((pred[counted] == y[counted]).mean()), 3)}}
    figures["per_class"] = training.per_class(pred, y)
    return figures, p_toll


@dataclass(frozen=True)
class _OutOfFold:
    """The cross-validation's P(toll) as a toll decision (each article's numbers judged by the
    model of the fold that did not see it)."""

    p: dict[tuple[str, int, int], float]
    threshold: float
    rescue_threshold: float = 1.01

    def _p(self, analysis, m) -> float:  # type: ignore[no-untyped-def]
        return self.p.get((analysis.doc.doc_id, m.span.start, m.span.end), -1.0)

    def veto(self, analysis, m, by_sent, rule) -> str:  # type: ignore[no-untyped-def]
        p = self._p(analysis, m)
        return "model:cv" if 0 <= p < self.threshold else ""

    def rescue(self, analysis, m, by_sent, rule) -> bool:  # type: ignore[no-untyped-def]
        return self.rescue_threshold <= 1 and self._p(analysis, m) >= self.rescue_threshold


def _precision(ex: Numbers, p_toll: np.ndarray, veto: float | None = None,
               rescue: float | None = None) -> float:
    """Out-of-fold share of the vetoed numbers that are not tolls (or of the rescued that are)."""
    y = np.array(ex.labels) == TOLL
    rules = np.array(ex.rules)
    if veto is not None:
        sel = np.isin(rules, COUNTED) & (p_toll < veto)
        return float((~y[sel]).mean()) if sel.any() else 1.0
    sel = (rules == "none") & (p_toll >= (rescue or 1.01))
    return float(y[sel].mean()) if sel.any() else 1.0


def _objective(fig: dict) -> float:  # type: ignore[type-arg]
    return fig["fatalities_acc"] + fig["doc_fatalities_acc"]


def pre_event_analyses(gold: list[dict], cache: Path | None = None) -> tuple[list, object]:  # type: ignore[type-arg]
    """(analyses, extractor): the training articles analysed up to the event stage by the pipeline of
    the rules (learned=False; the articles a gate stops have no event and are left out), and that
    pipeline's event stage. Each toll decision is then measured by the event stage alone, the
    part a toll decision changes (the rest of the pipeline, ~95% of its time, runs once).
    ``cache``: a folder to keep the analyses in between runs (keyed by the articles' ids and texts)."""
    from marsad.pipeline import Pipeline
    from marsad.run.extract import gold_documents
    from marsad.stages import default_stages

    stages = default_stages(events_only=True, ner=False, learned=False)
    extractor = stages[-1]
    reached: set[str] = set()

    @dataclass
    class _Reached:  # the last stage before the events: which articles get there
        name: str = "reached"
        requires: tuple[str, ...] = ()
        provides: tuple[str, ...] = ()

        def __call__(self, a):  # type: ignore[no-untyped-def]
            reached.add(a.doc.doc_id)
            return a

    pipeline = Pipeline([*stages[:-1], _Reached()])

    def make() -> list:  # type: ignore[type-arg]
        return [a for a in pipeline.pipe(gold_documents(gold)) if a.doc.doc_id in reached]

    analyses = _cached(cache, "pre-events", [(g["doc_id"], g.get("text")) for g in gold], make)
    return analyses, extractor


def pipeline_figures(gold: list[dict], analyses: list, extractor, decision) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The scorer's toll figures (and event F1) of the rules' pipeline with toll ``decision``."""
    from marsad.eval.scorer import score

    extractor.toll_decision = decision
    try:
        preds = [e.to_record() for a in analyses for e in extractor(a).events]
    finally:
        extractor.toll_decision = None
    summary, _ = score(gold, preds)
    return {k: summary[k] for k in ("fatalities_acc", "doc_fatalities_acc", "doc_fatalities_mae", "event_f1")}


def choose_thresholds(ex: Numbers, p_toll: np.ndarray, gold: list[dict], grid: list[float],  # type: ignore[type-arg]
                      rescue_grid: list[float], min_precision: float = 0.8, cache: Path | None = None,
                      event_f1_floor: float | None = None) -> tuple[float, float, dict]:  # type: ignore[type-arg]
    """The veto and rescue thresholds, together, with the best fatalities accuracy (per event plus
    per article) of the whole pipeline (rules, no other learned decision) on the training split,
    out of fold, among the pairs whose event F1 is at least ``event_f1_floor`` (None: the rules
    alone's); no veto and no rescue (the rules alone) stays when no pair beats it."""
    table = {key: float(p) for key, p in zip(ex.keys, p_toll, strict=True)}
    analyses, extractor = pre_event_analyses(gold, cache)

    def run(decision: _OutOfFold) -> dict:  # type: ignore[type-arg]
        return pipeline_figures(gold, analyses, extractor, decision)

    # "confidently": a threshold is a candidate only where, out of fold, at least MIN_PRECISION of
    # the numbers it vetoes (or rescues) are what the coders said
    precision = {f"veto<{t}": round(_precision(ex, p_toll, veto=t), 3) for t in grid}
    precision |= {f"rescue>={r}": round(_precision(ex, p_toll, rescue=r), 3) for r in rescue_grid}
    grid = [t for t in grid if _precision(ex, p_toll, veto=t) >= min_precision]
    rescue_grid = [r for r in rescue_grid if _precision(ex, p_toll, rescue=r) >= min_precision]
    print(f"  out-of-fold precision {precision}; candidates (>= {min_precision}): "
          f"veto {grid}, rescue {rescue_grid}")
    pairs: dict[tuple[float, float], dict] = {}  # type: ignore[type-arg]
    for t in [0.0, *grid]:
        for r in [1.01, *rescue_grid]:
            pairs[t, r] = run(_OutOfFold(table, t, r))
            print(f"  veto < {t:.2f}, rescue >= {r:.2f}: {pairs[t, r]}")
    rules = pairs[0.0, 1.01]
    floor = rules["event_f1"] if event_f1_floor is None else event_f1_floor
    # the rules alone stay when nothing beats them; among equals, the fewest vetoes and rescues
    allowed = [k for k in pairs if k == (0.0, 1.01) or pairs[k]["event_f1"] >= floor]
    best = max(allowed, key=lambda k: (_objective(pairs[k]), -k[0], k[1]))
    return best[0], best[1], {"rules_only": rules, "chosen": pairs[best], "min_precision": min_precision,
                              "event_f1_floor": floor, "out_of_fold_precision": precision,
                              "grid": {f"veto<{t:.2f},rescue>={r:.2f}": v for (t, r), v in pairs.items()}}


def veto_figures(ex: Numbers, p_toll: np.ndarray, threshold: float, rescue: float) -> dict:  # type: ignore[type-arg]
    """Out of fold, at the chosen thresholds: how many counted numbers the model vetoes and how
    many of them the coders did not count (precision), and likewise for the numbers it rescues."""
    y = np.array(ex.labels)
    rules = np.array(ex.rules)
    counted = np.isin(rules, COUNTED)
    vetoed = counted & (p_toll < threshold)
    rescued = (rules == "none") & (p_toll >= rescue)
    return {"counted": int(counted.sum()), "counted_not_toll": int((counted & (y != TOLL)).sum()),
            "vetoed": int(vetoed.sum()), "vetoed_not_toll": int((vetoed & (y != TOLL)).sum()),
            "vetoed_by_gold_class": dict(Counter(y[vetoed].tolist())),
            "passed_over_toll": int(((rules == "none") & (y == TOLL)).sum()),
            "rescued": int(rescued.sum()), "rescued_toll": int((rescued & (y == TOLL)).sum())}


def error_classes(ex: Numbers, p_toll: np.ndarray, train: list[dict], gold: list[dict],  # type: ignore[type-arg]
                  threshold: float, rescue: float, cache: Path | None = None) -> dict:  # type: ignore[type-arg]
    """The wrong tolls of matched events and the wrong article totals by cause (build/toll_errors.py),
    for the rules alone and for the chosen thresholds, out of fold."""
    from toll_errors import error_table

    analyses, extractor = pre_event_analyses(gold, cache)
    records = {r["doc_id"]: r for r in train}
    table = {key: float(p) for key, p in zip(ex.keys, p_toll, strict=True)}
    out = {}
    for name, decision in (("rules_only", None), ("chosen", _OutOfFold(table, threshold, rescue))):
        t = error_table(gold, records, analyses, extractor, decision)
        out[name] = {k: t[k] for k in ("fatalities_acc", "event_errors", "doc_fatalities_acc",
                                       "document_errors")}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, [0.25, 0.5])
    ap.add_argument("--grid", type=float, nargs="*", default=[0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5])
    ap.add_argument("--rescue-grid", type=float, nargs="*", default=[0.6, 0.7, 0.8, 0.9])
    ap.add_argument("--min-precision", type=float, default=MIN_PRECISION,
                    help="out-of-fold share of vetoes / rescues that must be right "
                         "for a threshold to be a candidate")
    ap.add_argument("--event-f1-floor", type=float, default=EVENT_F1_FLOOR,
                    help="the out-of-fold event F1 a chosen pair must reach (the replaced model's)")
    ap.add_argument("--cache", type=Path,
                    help="a folder to keep the training articles' analyses in between runs")
    args = ap.parse_args(argv)
    train, docs, digest = training.training_split(args.annotations, args.shared)
    ex = collect(train, docs, args.cache)
    print(f"{len(train)} articles, {len(ex.labels)} numbers: {dict(Counter(ex.labels))}")
    print(f"rules' verdicts: {dict(Counter(zip(ex.rules, ex.labels, strict=True)))}")
    results = {}
    for c in args.c:
        figures, p_toll = cross_validate(ex, c, args.folds)
        results[c] = (figures, p_toll)
        print(f"C={c}: accuracy {figures['accuracy']}, counted {figures['counted_by_rules']['accuracy']}, "
              f"{json.dumps(figures['per_class'])}")
    c = max(results, key=lambda k: (results[k][0]["per_class"][TOLL]["f1"], results[k][0]["accuracy"]))
    figures, p_toll = results[c]
    gold = training.training_gold(args.annotations, args.shared)
    threshold, rescue, gate = choose_thresholds(ex, p_toll, gold, args.grid, args.rescue_grid,
                                                args.min_precision, args.cache,
                                                args.event_f1_floor)
    print(f"C={c}, veto threshold {threshold}, rescue threshold {rescue}: {gate['chosen']} "
          f"(rules alone {gate['rules_only']})")
    gate["veto_out_of_fold"] = veto_figures(ex, p_toll, threshold, rescue)
    print(f"out-of-fold vetoes and rescues: {gate['veto_out_of_fold']}")
    errors = error_classes(ex, p_toll, train, gold, threshold, rescue, args.cache)
    print(f"fatality errors by class, rules alone and chosen (out of fold): {json.dumps(errors)}")
    vec, clf = fit_linear(ex.feats, ex.labels, c, seed=SEED)
    meta = {"model": "toll", "trained_on": {"articles": len(train), "numbers": len(ex.labels),
                                            "annotations_sha256": digest, "split": training.SPLIT},
            "labels": dict(Counter(ex.labels)), "C": c, "min_count": MIN_COUNT, "seed": SEED,
            "cross_validation": {"folds": args.folds, "grouped_by": "article", **figures},
            "veto_threshold": threshold, "rescue_threshold": rescue,
            "thresholds": {"asked_about": "numbers the rules count (" + ", ".join(COUNTED) + ")",
                           "chosen_by": "fatalities_acc + doc_fatalities_acc of the pipeline "
                                        "(learned=False) on the training split, out of fold",
                           **gate},
            "errors_by_class": errors, "features": len(vec.vocabulary_)}
    to_linear(vec, clf, meta).save(args.out / "toll.npz")
    print(f"wrote {args.out / 'toll.npz'} ({len(vec.vocabulary_)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
