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
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.annotations.twins import story_groups  # noqa: E402
from marsad.extract.settings import DEFAULT  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.learn.data import Examples, examples  # noqa: E402
from marsad.learn.linear import LinearModel  # noqa: E402
from marsad.learn.opener import Opening  # noqa: E402
from marsad.learn.sentences import Judgement  # noqa: E402
from marsad.learn.training import (  # noqa: E402
    MIN_COUNT,
    SEED,
    TREE_PARAMS,
    fit_linear,
    fit_trees,
    predict_trees,
    prf,
    to_linear,
    to_trees,
)
from marsad.learn.trees import TreeModel  # noqa: E402

# inverse L2 strength of the sentence and event models: 0.5 raised out-of-fold event F1 (0.582 vs
# 0.573, by recall) but the dev check fell (0.762 -> 0.720; false events per empty article 0.054 ->
# 0.162), 2026-12-07
C = 0.25
# the event threshold keeps false events per article without events at or under this, out of fold: the
# target of the learned-decisions issue (#13). Adopted 2026-12-07 after the best-F1 threshold alone (0.4)
# was seen to raise them to 0.156 on the held-out split (0.128 out of fold): disclosed in docs/learning.md
MAX_FALSE_PER_EMPTY = 0.10


#: the same training articles as another team coded them (``../shared/gold/train.jsonl``, blind and
#: reviewed; set by ``main``): every setting below is chosen by the mean of the event F1 against
#: our coding and against theirs, so that a choice fits the task rather than one team's conventions
#: (2026-12-07: the settings chosen on our coding alone gained out of fold against it and lost on
#: the independent codings)
OTHER: list[dict] = []
#: the event model's tree parameters (``--trees N`` changes their number)
TREES: dict = dict(TREE_PARAMS)
#: each training article that copies another -> the first of its story (one fold for a story; set by
#: ``main`` from :func:`marsad.annotations.twins.story_groups`)
STORY: dict[str, str] = {}
#: which separately trained decisions the candidate stages use (``--without`` turns one off: an ablation)
ABLATE = {"merge": True, "event_places": True, "roles": True, "opener": True, "splits": True}
#: the learned frame opener's out-of-fold stand-in (``build/train_opener.py``), set by ``main``
OPENER: list = []
#: whether the opener is asked in articles too (``--opener all``), as default_stages(opener=...) serves it
OPENER_IN_ARTICLES = [False]
#: where ``--dump`` writes the out-of-fold predictions (error analysis on the training split)
DUMP: list[Path] = []
KEYS = ("event_precision", "event_recall", "event_f1", "false_events_per_empty_doc")


def both_codings(gold: list[dict], preds: list[dict], keys: tuple[str, ...] = KEYS) -> dict:
    """The scorer's figures against our coding, with ``other_f1`` (against ``OTHER``) and ``mean_f1``."""
    return training.both_codings(gold, preds, keys, OTHER)


def _vectorizer():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=lambda feats: feats, min_df=MIN_COUNT, binary=True)


def cross_validate(ex: Examples, c: float, folds: int,
                   alone: Examples | None = None) -> tuple[dict, np.ndarray, np.ndarray]:
    """Grouped k-fold figures and the out-of-fold P(event) of every sentence (and of every
    sentence read alone, ``alone``: judged by the model of the fold that did not see its article)."""
    y = np.array(ex.labels)
    p_event = np.zeros(len(y))
    p_alone = np.zeros(len(alone.labels) if alone else 0)
    predicted = np.empty(len(y), dtype=object)
    # the event model's folds (a hash of the article, one story's copies together): a sentence's
    # out-of-fold P(event), which the event model reads, comes from a model that saw no copy of it
    for train, test in training.article_splits(ex.groups, folds, STORY):
        vec, clf = fit_linear([ex.feats[i] for i in train], list(y[train]), c)
        proba = clf.predict_proba(vec.transform([ex.feats[i] for i in test]))
        k = list(clf.classes_).index("event")
        p_event[test] = proba[:, k]
        predicted[test] = clf.classes_[proba.argmax(axis=1)]
        if alone:
            held = {ex.groups[i] for i in test}
            rows = [j for j, g in enumerate(alone.groups) if g in held]
            if rows:
                p_alone[rows] = clf.predict_proba(vec.transform([alone.feats[j] for j in rows]))[:, k]
    figures: dict = {"sentences": len(y), "accuracy": round(float((predicted == y).mean()), 3),
                     "per_class": training.per_class(predicted, y)}
    return figures, p_event, p_alone


def choose_threshold(ex: Examples, p_event: np.ndarray) -> tuple[float, dict]:
    """The P(event) under which a framed sentence is dropped: best F1 over the folds."""
    framed = np.array(ex.framed)
    gold = np.array(ex.labels) == "event"
    base = prf(int((framed & gold).sum()), int((framed & ~gold).sum()), 0)
    best = (0.0, -1.0, {})
    for t in np.arange(0.05, 0.95, 0.025):
        keep = framed & (p_event >= t)
        fig = prf(int((keep & gold).sum()), int((keep & ~gold).sum()), int((framed & gold & ~keep).sum()))
        if fig["f1"] > best[1]:
            best = (round(float(t), 3), fig["f1"], fig)
    return best[0], {"framed_sentences": int(framed.sum()), "framed_events": int((framed & gold).sum()),
                     "events_never_framed": int((~framed & gold).sum()), "rules_only": base,
                     "with_model": best[2]}


def _candidate_stages() -> list:
    """The serving pipeline's stages with the decisions this script trains left out: the rules
    with the separately trained place, event place, toll, merge and actor role models on (as they
    serve), no sentence or event model (their out-of-fold stand-ins are set by the caller)."""
    from marsad.learn.eventplace import packaged as event_places
    from marsad.learn.merging import packaged as merges
    from marsad.learn.places import packaged as places
    from marsad.learn.roles import packaged as roles
    from marsad.learn.splits import packaged as splits
    from marsad.learn.tolls import packaged as tolls
    from marsad.stages import default_stages

    stages = default_stages(events_only=True, learned=False)
    extractor = stages[-1]
    extractor.toll_decision = tolls()
    extractor.merge_decision = merges() if ABLATE["merge"] else None
    extractor.geocoder.place_decision = places()
    extractor.geocoder.event_place_ranker = event_places() if ABLATE["event_places"] else None
    # (the event model reads the actors: it is trained on the pairs the role model serves)
    extractor.role_decision = roles() if ABLATE["roles"] else None
    # (the events at a sentence's other places are candidates like the rest)
    extractor.split_decision = splits() if ABLATE["splits"] else None
    # (frames the opener opens are candidates like the rules': the event model learns how sure they are)
    extractor.opener_decision = OPENER[0] if OPENER else None
    extractor.opener_in_articles = OPENER_IN_ARTICLES[0]
    return stages


@dataclass(frozen=True)
class _OutOfFold:
    """The cross-validation's probabilities as a sentence decision (each article judged by the
    models of the fold that did not see it)."""

    p: dict[tuple[str, int], float]
    threshold: float
    rescue_threshold: float = 1.01

    def judge(self, analysis, si, by_sent):  # type: ignore[no-untyped-def]
        p = self.p.get((analysis.doc.doc_id, analysis.sentences[si].start), 1.0)
        return Judgement(p, True, "") if p >= self.threshold else Judgement(p, False, "model:cv")


@dataclass(frozen=True)
class _OpenerOutOfFold:
    """The opener's cross-validated openings as its decision (each article's, and each of its
    sentences read alone, by the model of the fold that did not see the article)."""

    openings: dict[tuple[str, int], Opening]
    threshold: float

    def judge(self, analysis, si, by_sent, why):  # type: ignore[no-untyped-def]
        return self.openings.get((analysis.doc.doc_id, analysis.sentences[si].start), Opening(0.0, "", ""))


def sentence_table(ex: Examples, p_event: np.ndarray, alone: Alone | None = None,
                   p_alone: np.ndarray | None = None) -> dict[tuple[str, int], float]:
    """The out-of-fold P(event) of every sentence by (document id, start): the articles' sentences,
    and the segments of the sentences read alone (documents "<article>@<start>")."""
    table = {(g, s): float(p) for g, s, p in zip(ex.groups, ex.starts, p_event, strict=True)}
    if alone is not None and p_alone is not None:
        table.update((k, float(p)) for k, p in zip(alone.seg_keys, p_alone, strict=True))
    return table


def event_threshold(table: dict[tuple[str, int], float], gold: list[dict],
                    grid: list[float]) -> tuple[float, dict]:
    """The threshold whose out-of-fold decisions give the best event F1 on the training split
    (the whole pipeline, scored by the reference scorer): the frame-level proxy of
    :func:`choose_threshold` ignores that frames merge."""
    from marsad.pipeline import Pipeline
    from marsad.run.extract import gold_documents

    stages = _candidate_stages()
    pipeline = Pipeline(stages)
    docs = list(gold_documents(gold))
    figures = {}
    for t in [0.0, *grid]:
        stages[-1].sentence_decision = _OutOfFold(table, t) if t > 0 else None
        preds = [e.to_record() for a in pipeline.pipe(docs) for e in a.events]
        figures[t] = both_codings(gold, preds)
        print(f"  threshold {t:.3f}: {figures[t]}")
    best = max(grid, key=lambda t: (figures[t]["mean_f1"], -t))
    # then: from which P(event) a frame that a scope rule stopped is opened anyway (1.01: never)
    rescue = {1.01: figures[best]}
    for r in (0.9, 0.8, 0.7):
        stages[-1].sentence_decision = _OutOfFold(table, best, r)
        preds = [e.to_record() for a in pipeline.pipe(docs) for e in a.events]
        rescue[r] = both_codings(gold, preds)
        print(f"  rescue from {r}: {rescue[r]}")
    best_rescue = max(rescue, key=lambda r: (rescue[r]["mean_f1"], r))
    return best, {"rules_only": figures[0.0], "chosen": figures[best], "rescue_threshold": best_rescue,
                  "rescue_grid": {str(r): v["mean_f1"] for r, v in rescue.items()},
                  "grid": {f"{t:.3f}": v["event_f1"] for t, v in figures.items()}}


def event_model(table: dict[tuple[str, int], float], gold: list[dict], frame_threshold: float, c: float,
                folds: int, rescue: float = 1.01, alone: Alone | None = None,
                alone_trains: bool = True, trees: bool = True) -> tuple[LinearModel | TreeModel | None, dict]:
    """The event decision: the rules' events (no confidence cut; frames judged by the
    out-of-fold sentence probabilities) labelled 1 where they match a gold event, 0 where not;
    its features as :func:`marsad.learn.events.event_features` makes them with out-of-fold
    sentence probabilities; cross-validated by article; the threshold is the one whose
    out-of-fold decisions give the best event F1 of the whole pipeline."""
    from marsad.eval.scorer import match_doc
    from marsad.learn.events import event_features
    from marsad.pipeline import Pipeline
    from marsad.run.extract import gold_documents


    def p_sentence(analysis, si, by_sent):  # type: ignore[no-untyped-def]
        return table.get((analysis.doc.doc_id, analysis.sentences[si].start), 0.5)

    stages = _candidate_stages()
    stages[-1].min_confidence = 0.0
    stages[-1].sentence_decision = _OutOfFold(table, frame_threshold, rescue)
    by_doc = {g["doc_id"]: g for g in gold}
    feats, labels, groups, records = [], [], [], []
    for a in Pipeline(stages).pipe(gold_documents(gold)):
        by_sent = a.by_sentence()
        recs = [e.to_record() for e in a.events]
        matched = {j for _, j in match_doc(by_doc[a.doc.doc_id]["events"], recs)}
        for j, e in enumerate(a.events):
            feats.append(event_features(a, e, p_sentence, by_sent))
            labels.append("1" if j in matched else "0")
            groups.append(a.doc.doc_id)
            records.append(recs[j])
    n_doc = len(labels)
    lone_of: list[int] = []  # the lone sentence (index into ``alone``) of each lone candidate
    lone_types: list[str] = []  # and its event type
    if alone is not None:
        sentences = alone
        stages[-1].sentence_decision = _OutOfFold(table, frame_threshold, rescue)
        for k, a in enumerate(Pipeline(stages).pipe(sentences.docs)):
            by_sent = a.by_sentence()
            for e in a.events:
                feats.append(event_features(a, e, p_sentence, by_sent))
                labels.append("1" if sentences.types[k] == e.event_type else "0")
                groups.append(sentences.groups[k])
                lone_of.append(k)
                lone_types.append(e.event_type)
        print(f"  {len(labels) - n_doc} candidates from {len(sentences.docs)} sentences read alone")
    y = np.array(labels)
    oof = np.zeros(len(y))
    # folds by a hash of the article id: the same articles together whatever the candidates (a change in a
    # few articles' candidates does not move the others between folds)
    for train, test in training.article_splits(groups, folds, STORY):
        if not alone_trains:  # (the baseline: the sentences read alone scored, not trained on)
            train = train[train < n_doc]
        if trees:
            vec, clf = fit_trees([feats[i] for i in train], list(y[train]), params=TREES)
            oof[test] = predict_trees(vec, clf, [feats[i] for i in test])
        else:
            vec, clf = fit_linear([feats[i] for i in train], list(y[train]), c)
            oof[test] = clf.predict_proba(
                vec.transform([feats[i] for i in test]))[:, list(clf.classes_).index("1")]
    alone_oof, oof, y = oof[n_doc:], oof[:n_doc], y[:n_doc]
    grid = {}
    for t in (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        preds = [r for r, p in zip(records, oof, strict=True) if p >= t]
        grid[t] = both_codings(gold, preds)
        print(f"  event threshold {t}: {grid[t]}")
    # the best F1 among the thresholds that keep false events per article without events within the
    # issue's target (out of fold); the unconstrained best (0.4, 2026-12-07) gave 0.128 out of fold
    within = [t for t in grid if t > 0 and grid[t]["false_events_per_empty_doc"] <= MAX_FALSE_PER_EMPTY]
    best = max(within or [t for t in grid if t > 0],
               key=lambda t: (grid[t]["mean_f1"], -t) if within
               else (-grid[t]["false_events_per_empty_doc"], t))
    bands = []
    for lo, hi in ((0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        sel = (oof >= lo) & (oof < hi)
        bands.append({"band": f"[{lo}, {min(hi, 1.0)})", "events": int(sel.sum()),
                      "mean_probability": round(float(oof[sel].mean()), 3) if sel.any() else None,
                      "share_correct": round(float((y[sel] == "1").mean()), 3) if sel.any() else None})
    if DUMP:
        with DUMP[0].open("w", encoding="utf-8") as fh:
            for r, p in zip(records, oof, strict=True):
                if p >= best:
                    fh.write(json.dumps({**r, "confidence": round(float(p), 3)}, ensure_ascii=False) + "\n")
    alone_figures = (sentence_detection(alone, lone_of, lone_types, alone_oof, best)
                     if alone is not None else None)
    if alone_figures:
        print(f"  sentences read alone, out of fold, at {best}: {alone_figures}")
    short, alone_grid = short_threshold(alone, lone_of, lone_types, alone_oof, best)
    if not alone_trains:
        feats, labels, groups = feats[:n_doc], labels[:n_doc], groups[:n_doc]
    if trees:
        vec, clf = fit_trees(feats, labels, params=TREES)
    else:
        vec, clf = fit_linear(feats, labels, c)
    meta = {"model": "event", "events": len(y), "positives": int((y == "1").sum()), "seed": SEED,
            **({"family": "trees", "params": TREES} if trees
               else {"family": "linear", "C": c}),
            "threshold": best,
            "short_threshold": short,
            "short_chosen_by": "the mean of attack and protest detection F1 of the training split's coded "
            f"sentences read alone, out of fold (documents of at most {DEFAULT.opener_short_doc} sentences)",
            "chosen_by": "mean event F1 (our coding, gold/train.jsonl's) of the whole pipeline on the "
            "training split, out-of-fold, "
            f"among the thresholds with at most {MAX_FALSE_PER_EMPTY} false events per article "
            "without events",
            "frame_threshold": frame_threshold,
            "cross_validation": {"folds": folds, "grouped_by": "article (one story's copies together)",
                                 "fold_of": "a hash of the article id", "thresholds": grid,
                                 "calibration": bands, "sentences_alone": alone_figures,
                                 "sentences_alone_by_threshold": alone_grid},
            "trained_with_sentences_alone": alone is not None and alone_trains,
            "features": len(vec.vocabulary_)}
    return (to_trees(vec, clf, meta) if trees else to_linear(vec, clf, meta)), meta


@dataclass
class Alone:
    """The training split's coded sentences, each read alone as a document (a feed item, a wire
    headline: what users also give marsad), with the sentence classifier's features of them."""

    docs: list = field(default_factory=list)  # one Document per coded sentence
    groups: list[str] = field(default_factory=list)  # its article
    labels: list[str] = field(default_factory=list)  # its sentence class
    types: list[str | None] = field(default_factory=list)  # its event type where it is an event
    feats: list[list[str]] = field(default_factory=list)  # per segment (a sentence may be cut in two)
    seg_groups: list[str] = field(default_factory=list)
    seg_keys: list[tuple[str, int]] = field(default_factory=list)  # (doc id, segment start)


def alone_examples(records: list[dict], docs: dict) -> Alone:
    from marsad.eval.sentences import sentence_documents
    from marsad.learn.data import frame_stages
    from marsad.learn.features import sentence_features
    from marsad.pipeline import Pipeline

    stages, _ = frame_stages()
    pipeline = Pipeline(stages)
    out = Alone()
    # (the documents of ``marsad eval --sentences``: id "<article>@<start>")
    for lone, label, etype in sentence_documents(records, docs):
        article = lone.doc_id.rsplit("@", 1)[0]
        out.docs.append(lone)
        out.groups.append(article)
        out.labels.append(label)
        out.types.append(etype if label == "event" else None)
        a = pipeline(lone)
        by_sent = a.by_sentence()
        for si, sent in enumerate(a.sentences):
            out.feats.append(sentence_features(a, si, by_sent))
            out.seg_groups.append(article)
            out.seg_keys.append((lone.doc_id, sent.start))
    return out


def sentence_detection(alone: Alone, lone_of: list[int], lone_types: list[str], p: np.ndarray,
                       threshold: float) -> dict:
    """Attack and protest detection of the sentences read alone, out of fold, at ``threshold``
    (the classes of ``marsad eval --sentences``)."""
    from marsad.eval.sentences import tally

    kept: dict[int, set[str]] = {}
    for k, etype, pk in zip(lone_of, lone_types, p, strict=True):
        if pk >= threshold:
            kept.setdefault(k, set()).add(etype)
    rows = ((label, alone.types[k], kept.get(k, set())) for k, label in enumerate(alone.labels))
    return {name: d.as_dict() for name, d in tally(rows).items()}


def short_threshold(alone: Alone | None, lone_of: list[int], lone_types: list[str], p: np.ndarray,
                    article_threshold: float) -> tuple[float, dict[float, dict]]:
    """The event threshold of short documents (a feed item, a sentence read alone): the one whose
    out-of-fold decisions give the best mean of attack and protest detection F1 on the training split's
    coded sentences read alone; the articles' threshold where there are none."""
    if alone is None:
        return article_threshold, {}
    grid = {t: sentence_detection(alone, lone_of, lone_types, p, t)
            for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)}
    for t, fig in grid.items():
        print(f"  read alone at {t}: attack {fig['attack']['f1']} (P {fig['attack']['precision']} "
              f"R {fig['attack']['recall']}), protest {fig['protest']['f1']}")

    def mean(t: float) -> float:
        return (grid[t]["attack"]["f1"] + grid[t]["protest"]["f1"]) / 2

    best = max(grid, key=lambda t: (mean(t), t))
    return best, grid


def _segments(alone: Alone | None) -> Examples | None:
    """The lone sentences' segments as examples to score (no labels: they are not trained on)."""
    if alone is None:
        return None
    return Examples(feats=alone.feats, labels=[""] * len(alone.feats), groups=alone.seg_groups)


# (the event type model, which overrules the rules' type of a kept event, is trained by
# build/train_types.py on the events this pipeline keeps)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, [C])
    ap.add_argument("--no-event-level", dest="event_level", action="store_false",
                    help="choose the threshold on framed sentences only (faster; no pipeline runs)")
    ap.add_argument("--without", nargs="*", default=[], choices=sorted(ABLATE),
                    help="train without these separately trained decisions in the pipeline (an ablation)")
    ap.add_argument("--extra", type=Path, action="append", default=[], metavar="FILE",
                    help="more annotations (the review desk's `marsad learn` output); held-out ids refused")
    ap.add_argument("--no-alone", dest="alone", action="store_false",
                    help="train the event model on whole articles only (not also on each coded sentence "
                    "read alone)")
    ap.add_argument("--alone-scored-only", action="store_true",
                    help="score the sentences read alone out of fold without training on them (a baseline)")
    ap.add_argument("--opener", choices=("off", "short", "all"), default="short",
                    help="where the learned frame opener opens frames in the candidate pipeline (its "
                    "out-of-fold openings), as default_stages(opener=...) serves it: in documents of at most "
                    "three sentences (short, the default), in articles too (all), or nowhere (off)")
    ap.add_argument("--opener-threshold", type=float, metavar="P",
                    help="with --opener: open frames from this out-of-fold P(event) of the opener (default: "
                    "the shipped opener.json's threshold)")
    ap.add_argument("--trees", type=int, metavar="N", default=TREE_PARAMS["n_estimators"],
                    help="the number of boosted trees of the event model")
    ap.add_argument("--gate", type=float, metavar="P",
                    help="the sentence gate's threshold, fixed (default: chosen among 0.15, 0.25, 0.35 by "
                    "the F1 before the event model)")
    ap.add_argument("--dump", type=Path, metavar="FILE",
                    help="write the events the out-of-fold event decision keeps (JSONL; error analysis)")
    ap.add_argument("--linear-events", action="store_true",
                    help="the event decision as a logistic regression (before 2026-12-07), not boosted trees")
    args = ap.parse_args(argv)
    if args.dump:
        DUMP[:] = [args.dump]
    TREES["n_estimators"] = args.trees
    for name in args.without:
        ABLATE[name] = False
    ABLATE["opener"] = args.opener != "off" and "opener" not in args.without
    train, docs, digest = training.training_split(args.annotations, args.shared, args.extra)
    STORY.update(story_groups({i: d.text for i, d in docs.items()}))
    print(f"{len(STORY)} training articles copy another: one fold for each story")
    ex = examples(train, docs)
    if ABLATE["opener"] and args.event_level:
        import train_opener

        from marsad.learn.opener import packaged as opener

        shipped = opener()
        meta = shipped.model.meta if shipped is not None else {}
        cut = float(meta.get("threshold", 1.01)) if args.opener_threshold is None else args.opener_threshold
        OPENER[:] = [_OpenerOutOfFold(train_opener.out_of_fold(train, docs, float(meta.get("C", 1.0)),
                                                               args.folds), cut)]
        OPENER_IN_ARTICLES[0] = args.opener == "all"
        print(f"opener: {len(OPENER[0].openings)} asked sentences, out of fold, opened from {cut}")
    print(f"{len(train)} articles, {len(ex.labels)} sentences: {dict(Counter(ex.labels))}")
    results = {}
    results_alone: dict[float, np.ndarray] = {}
    alone = alone_examples(train, docs) if args.alone else None
    if alone:
        print(f"{len(alone.docs)} coded sentences read alone ({len(alone.feats)} segments)")
    for c in args.c:
        figures, p_event, p_alone = cross_validate(ex, c, args.folds, _segments(alone))
        if alone:
            results_alone[c] = p_alone
        threshold, gate = choose_threshold(ex, p_event)
        results[c] = (figures, threshold, gate, p_event)
        print(f"C={c}: accuracy {figures['accuracy']}, event {figures['per_class'].get('event')}, "
              f"threshold {threshold}: {gate['with_model']} (rules alone {gate['rules_only']})")
    c = max(results, key=lambda k: results[k][2]["with_model"]["f1"])
    figures, threshold, gate, p_event = results[c]
    if args.event_level:
        gold = [g for g in training.training_gold(args.annotations, args.shared, args.extra)
                if g["doc_id"] in {r["doc_id"] for r in train}]
        OTHER[:] = training.other_coding({g["doc_id"] for g in gold}, args.shared)
        print(f"{len(OTHER)} training articles also coded in gold/train.jsonl")
        # (a finer grid, 0.1-0.5 by 0.05, gave 0.527-0.535 everywhere on 2026-12-07: flat)
        # (the lone sentences' out-of-fold P(event) join the table the candidate stages read)
        table = sentence_table(ex, p_event, alone, results_alone.get(c))
        threshold, events = event_threshold(table, gold, [args.gate] if args.gate is not None
                                            else [0.15, 0.25, 0.35])
        gate["event_level"] = events
        print(f"event-level threshold {threshold}: {events['chosen']} (rules alone {events['rules_only']})")
    vec, clf = fit_linear(ex.feats, ex.labels, c)
    meta = {"model": "sentence", "trained_on": {"articles": len(train), "sentences": len(ex.labels),
                                                "annotations_sha256": digest, "split": training.SPLIT},
            "labels": dict(Counter(ex.labels)), "C": c, "min_count": MIN_COUNT, "seed": SEED,
            "cross_validation": {"folds": args.folds, "grouped_by": "article (one story's copies together)",
                                 **figures},
            "frame_gate": {"threshold": threshold, "chosen_by": "mean event F1 (both codings) of the whole "
                           "pipeline on the training split, out-of-fold" if args.event_level
                           else "F1 of framed sentences, out-of-fold",
                           "rescue_threshold": gate.get("event_level", {}).get("rescue_threshold", 1.01),
                           **gate}, "features": len(vec.vocabulary_)}
    model = to_linear(vec, clf, meta)
    model.save(args.out / "sentence.npz")
    if args.event_level:
        emodel, emeta = event_model(table, gold, threshold, c, args.folds,
                                    gate["event_level"]["rescue_threshold"], alone,
                                    alone_trains=not args.alone_scored_only, trees=not args.linear_events)
        emodel.save(args.out / "event.npz")
        print(f"wrote {args.out / 'event.npz'}: threshold {emeta['threshold']}, "
              f"{emeta['cross_validation']['thresholds'][emeta['threshold']]}")
    print(f"wrote {args.out / 'sentence.npz'} ({len(vec.vocabulary_)} features, C={c}, "
          f"threshold {threshold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
