"""Train the learned frame opener (never on the held-out split).

    python build/train_opener.py        # cross-validates, writes src/marsad/data/models/opener.npz/.json

The examples are the coded sentences of the training split on which the rules open no frame for
want of a typed trigger (``marsad.learn.opener.ASKED``) while holding an event word
(``opener.evidence``): in their articles, and each read alone as its own document (as
``marsad eval --sentences`` reads them, and as users give marsad a feed item). The label is the
coded "Type|Sub" of a sentence coded a current event, else ``none``. Features:
:func:`marsad.learn.opener.opener_parts`. Model: multinomial logistic regression.

Five-fold cross-validation grouped by article (an article's sentences and its sentences read alone
in one fold) gives every example's out-of-fold P(event) and type; the threshold is the one with the
best mean detection F1 of attack and protest sentences (the classes of ``marsad eval --sentences``)
among the asked sentences, typed by the model, with precision at least ``MIN_PRECISION``. Whether
it costs whole articles anything is measured by ``build/train_models.py`` (the opener's out-of-fold
decisions in its candidate pipeline, :func:`out_of_fold`; ``--without opener``: the baseline).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.learn import training  # noqa: E402
from marsad.learn.linear import flat  # noqa: E402
from marsad.learn.opener import ASKED, NONE, WEAK_ROLES, Opening, evidence, opener_parts, read  # noqa: E402
from marsad.learn.training import MIN_COUNT, SEED, fit_linear, prf, to_linear  # noqa: E402

#: the inverse L2 strength (``--c``: cross-validation picks among several): out of fold on 2026-12-07,
#: 0.25 / 0.5 / 1.0 gave attack F1 0.508 / 0.504 / 0.498 and protest F1 0.250 / 0.263 / 0.275 at 0.3
#: (a mean of 0.379 / 0.384 / 0.387), and a fit takes ~35 s: the default is the best alone
CS = [1.0]
GRID = [0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
#: the thresholds measured with the whole chain (``build/train_models.py --opener --opener-threshold``)
PIPELINE_GRID = [0.2, 0.35, 0.5]
#: what those runs gave, out of fold (3 folds, 2026-12-07; the event model at its chosen threshold): the
#: mean event F1 of both codings, false events per article without events, and the F1 of attack and
#: protest sentences read alone; written into opener.json (docs/learning.md has the whole table)
PIPELINE_RUNS = {
    "no opener": {"mean_f1": 0.6115, "false_per_empty": 0.085, "alone_attack_f1": 0.609,
                  "alone_protest_f1": 0.416},
    "0.2, asked everywhere": {"mean_f1": 0.6145, "false_per_empty": 0.085, "alone_attack_f1": 0.626,
                              "alone_protest_f1": 0.398},
    "0.35, asked everywhere": {"mean_f1": 0.624, "false_per_empty": 0.066, "alone_attack_f1": 0.608,
                               "alone_protest_f1": 0.401},
    "0.5, asked everywhere": {"mean_f1": 0.6055, "false_per_empty": 0.09, "alone_attack_f1": 0.629,
                              "alone_protest_f1": 0.431},
    "0.35, shipped": {"mean_f1": 0.6125, "false_per_empty": 0.086, "alone_attack_f1": 0.632,
                      "alone_protest_f1": 0.431},
}
#: an opened frame must be right more often than not, out of fold, among the asked sentences: the
#: event model judges it after, but a wrong frame costs a false event where it survives
MIN_PRECISION = 0.5
ATTACK = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
PROTEST = frozenset({"Protests", "Riots"})


@dataclass
class Asked:
    """The asked sentences: features, labels ("Type|Sub" or none), article, and their key in the
    candidate pipeline (document id, sentence start; a sentence read alone is "<article>@<start>")."""

    feats: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    keys: list[tuple[str, int]] = field(default_factory=list)
    alone: list[bool] = field(default_factory=list)


def _label(label: str, etype: str | None, sub: str | None) -> str:
    return f"{etype}|{sub}" if label == "event" and etype and sub else NONE


def asked_examples(records: list[dict], docs: dict) -> Asked:
    """The asked sentences of the training articles, and of their coded sentences read alone."""
    from marsad.eval.sentences import sentence_documents
    from marsad.extract.frames import frame_for_sentence
    from marsad.learn.data import frame_stages
    from marsad.pipeline import Pipeline

    stages, _ = frame_stages()
    pipeline = Pipeline(stages)
    out = Asked()

    def add(a, si, label, group, alone):  # type: ignore[no-untyped-def]
        by_sent = a.by_sentence()
        ms = by_sent.get(si, [])
        why = frame_for_sentence(a, si, ms, a.doc.published)
        if isinstance(why, str) and why in ASKED and evidence(ms):
            out.feats.append(flat(opener_parts(a, si, by_sent, why)))
            out.labels.append(label)
            out.groups.append(group)
            out.keys.append((a.doc.doc_id, a.sentences[si].start))
            out.alone.append(alone)

    for rec in records:
        a = pipeline(docs[rec["doc_id"]])
        by_start = {s.start: i for i, s in enumerate(a.sentences)}
        for start, _end, label, etype, sub in rec["sentences"]:
            if start in by_start:
                add(a, by_start[start], _label(label, etype, sub), rec["doc_id"], False)
    labels = {(r["doc_id"], s): _label(lab, et, sub)
              for r in records for s, _e, lab, et, sub in r["sentences"]}
    for lone, _, _ in sentence_documents(records, docs):
        article, start = lone.doc_id.rsplit("@", 1)
        a = pipeline(lone)
        for si in range(len(a.sentences)):  # (a long sentence may be cut in two: each part is asked)
            add(a, si, labels[(article, int(start))], article, True)
    return out


def cross_validate(ex: Asked, c: float, folds: int) -> list[Opening]:
    """Every asked sentence's out-of-fold opening (the model of the fold that did not see its article)."""
    from sklearn.model_selection import GroupKFold

    out: list[Opening | None] = [None] * len(ex.labels)
    for train, test in GroupKFold(n_splits=folds).split(ex.feats, ex.labels, ex.groups):
        vec, clf = fit_linear([ex.feats[i] for i in train], [ex.labels[i] for i in train], c)
        proba = clf.predict_proba(vec.transform([ex.feats[i] for i in test]))
        classes = [str(k) for k in clf.classes_]
        for i, row in zip(test, proba, strict=True):
            out[i] = read(dict(zip(classes, row.tolist(), strict=True)))
    return [o for o in out if o is not None]


def detection(ex: Asked, openings: list[Opening], threshold: float, *, alone: bool | None = None) -> dict:
    """Attack, protest and any-event detection among the asked sentences (``alone``: of the
    articles' or the lone ones only) where the opener opens from ``threshold``."""
    out = {}
    for name, wanted in (("attack", ATTACK), ("protest", PROTEST), ("event", None)):
        tp = fp = fn = 0
        for label, o, lone in zip(ex.labels, openings, ex.alone, strict=True):
            if alone is not None and lone != alone:
                continue
            gtype = None if label == NONE else label.split("|", 1)[0]
            gold = gtype is not None and (wanted is None or gtype in wanted)
            pred = o.p_event >= threshold and (wanted is None or o.event_type in wanted)
            tp += gold and pred
            fp += pred and not gold
            fn += gold and not pred
        out[name] = {**prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn}
    return out


def choose(ex: Asked, openings: list[Opening]) -> tuple[float, dict]:
    """The threshold with the best mean of attack and protest F1 among those whose any-event
    precision is at least MIN_PRECISION (1.01, never, where none is)."""
    grid = {t: detection(ex, openings, t) for t in GRID}
    ok = [t for t in GRID if grid[t]["event"]["precision"] >= MIN_PRECISION]
    if not ok:
        return 1.01, grid
    best = max(ok, key=lambda t: ((grid[t]["attack"]["f1"] + grid[t]["protest"]["f1"]) / 2, t))
    return best, grid


def type_accuracy(ex: Asked, openings: list[Opening], threshold: float) -> dict:
    """Of the right openings (a coded event opened): the share with the coded type, and sub-type."""
    right = [(lab, o) for lab, o in zip(ex.labels, openings, strict=True)
             if lab != NONE and o.p_event >= threshold]
    if not right:
        return {"opened_events": 0}
    typ = sum(lab.split("|", 1)[0] == o.event_type for lab, o in right)
    sub = sum(lab == f"{o.event_type}|{o.sub_event_type}" for lab, o in right)
    return {"opened_events": len(right), "type_accuracy": round(typ / len(right), 3),
            "sub_type_accuracy": round(sub / len(right), 3)}


def out_of_fold(records: list[dict], docs: dict, c: float, folds: int) -> dict[tuple[str, int], Opening]:
    """The out-of-fold opening of every asked sentence by (document id, start): what
    ``build/train_models.py`` opens frames with in its candidate pipeline."""
    ex = asked_examples(records, docs)
    return dict(zip(ex.keys, cross_validate(ex, c, folds), strict=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, CS)
    ap.add_argument("--threshold", type=float, metavar="P",
                    help="ship this threshold, chosen with build/train_models.py --opener-threshold runs "
                    "(the detection of sentences read alone and whole articles' event F1 after the event "
                    "model, out of fold), instead of the one chosen here among the asked sentences")
    args = ap.parse_args(argv)
    train, docs, digest = training.training_split(args.annotations, args.shared)
    ex = asked_examples(train, docs)
    n_event = sum(lab != NONE for lab in ex.labels)
    print(f"{len(train)} articles; {len(ex.labels)} asked sentences ({sum(ex.alone)} read alone), "
          f"{n_event} coded events: {Counter(lab.split('|')[0] for lab in ex.labels).most_common()}")
    results = {}
    for c in args.c:
        openings = cross_validate(ex, c, args.folds)
        threshold, grid = choose(ex, openings)
        results[c] = (threshold, grid, openings)
        for t in GRID:
            print(f"C={c} t={t}: " + "; ".join(f"{k} P {v['precision']} R {v['recall']} F1 {v['f1']}"
                                                for k, v in grid[t].items()))
    c = max(results, key=lambda k: (np.mean([results[k][1].get(results[k][0], {}).get(n, {}).get("f1", 0)
                                             for n in ("attack", "protest")]), -k))
    threshold, grid, openings = results[c]
    print(f"chosen C={c}, threshold {threshold}: {grid.get(threshold)}")
    asked_choice = threshold
    if args.threshold is not None:
        threshold = args.threshold
        grid.setdefault(threshold, detection(ex, openings, threshold))
        print(f"shipped threshold {threshold}: {grid[threshold]}")
    vec, clf = fit_linear(ex.feats, ex.labels, c)
    meta = {"model": "opener", "trained_on": {"articles": len(train), "asked_sentences": len(ex.labels),
                                              "read_alone": int(sum(ex.alone)), "coded_events": n_event,
                                              "annotations_sha256": digest, "split": training.SPLIT},
            "labels": dict(Counter(ex.labels)), "C": c, "min_count": MIN_COUNT, "seed": SEED,
            "asked": sorted(ASKED), "weak_roles": sorted(WEAK_ROLES), "threshold": threshold,
            "chosen_by": (f"build/train_models.py --folds 3 --opener-threshold among {PIPELINE_GRID}, out of "
                          "fold: the detection F1 of sentences read alone with the mean event F1 of both "
                          "codings not lower than without the opener and at most 0.10 false events per "
                          "article without events (docs/learning.md)") if args.threshold is not None else
                         ("mean detection F1 of attack and protest sentences among the asked sentences "
                          f"(articles' and read alone), typed by the model, out of fold, with any-event "
                          f"precision at least {MIN_PRECISION}"),
            "asked_sentences_choice": asked_choice,
            "pipeline_runs": PIPELINE_RUNS if args.threshold is not None else None,
            "cross_validation": {
                "folds": args.folds, "grouped_by": "article",
                "grid": {str(t): v for t, v in grid.items()},
                "chosen": {"all": grid.get(threshold),
                           "articles": detection(ex, openings, threshold, alone=False),
                           "read_alone": detection(ex, openings, threshold, alone=True),
                           **type_accuracy(ex, openings, threshold)},
                "per_c": {str(k): {"threshold": v[0], "figures": v[1].get(v[0])}
                          for k, v in results.items()}},
            "features": len(vec.vocabulary_)}
    to_linear(vec, clf, meta).save(args.out / "opener.npz")
    print(f"wrote {args.out / 'opener.npz'} ({len(vec.vocabulary_)} features, C={c}, threshold {threshold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
