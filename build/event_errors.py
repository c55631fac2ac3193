"""Where the pipeline's missed and false events go on the training split (never the held-out one).

    python build/event_errors.py [--pred FILE] [--show CLASS] [--examples N]

Runs the shipped pipeline over the training split's articles, or reads the events of ``--pred``
(a JSONL of event records, e.g. a ``build/train_models.py --dump`` of out-of-fold events), matches
them to the coders' events with the reference scorer, and names where each missed coded event and
each false event goes. With the shipped pipeline the models have seen these articles: the table is a
map of the errors, not a score. It found the sentences that name one kind of event at several places
(docs/learning.md, "More places of one sentence"): a coded event missed beside a predicted event of
its type, on its own sentences, that matched another coded event.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: where a missed coded event goes, in the order they are tried
MISSED_CLASSES = (
    "same_type_on_its_sentences_matched_another",  # the sentence told it at another place too
    "same_type_on_its_sentences_placed_wrong",  # an event of its type there, matched to nothing
    "other_type_on_its_sentences",  # its sentences gave another type
    "same_type_elsewhere_in_article",
    "other_types_elsewhere_in_article",
    "no_event_in_article",
)
#: where a false event goes, in the order they are tried
FALSE_CLASSES = (
    "article_without_coded_events",
    "coded_event_of_its_type_missed",  # a coded event of its type was missed: a wrong place, mostly
    "extra_telling",  # every coded event of its type is matched
    "type_not_coded",  # the article codes no event of its type
)

Span = tuple[int, int]


def _overlaps(a: Sequence[Span], b: Sequence[Span]) -> bool:
    return any(s < e2 and s2 < e for s, e in a for s2, e2 in b)


Errors = list[tuple[int, str]]


def classify_document(golds: Sequence[Mapping[str, Any]], evidence: Sequence[Sequence[Span]],
                      preds: Sequence[Mapping[str, Any]]) -> tuple[Errors, Errors]:
    """(missed, false) of one article: each missed required coded event (its index in ``golds``, whose
    ``evidence`` are its coded sentence spans) and each false predicted event (its index in ``preds``,
    with ``evidence`` spans), with its class."""
    from marsad.eval.scorer import match_doc

    pairs = match_doc(list(golds), list(preds))
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    missed = []
    for i, g in enumerate(golds):
        if g.get("optional") or i in matched_g:
            continue
        own = [j for j, p in enumerate(preds) if _overlaps(p.get("evidence") or [], evidence[i])]
        same = [j for j in own if preds[j]["event_type"] == g["event_type"]]
        if same:
            cls = MISSED_CLASSES[0] if all(j in matched_p for j in same) else MISSED_CLASSES[1]
        elif own:
            cls = MISSED_CLASSES[2]
        elif any(p["event_type"] == g["event_type"] for p in preds):
            cls = MISSED_CLASSES[3]
        else:
            cls = MISSED_CLASSES[4] if preds else MISSED_CLASSES[5]
        missed.append((i, cls))
    unmatched_types = {g["event_type"] for i, g in enumerate(golds)
                       if i not in matched_g and not g.get("optional")}
    false = []
    for j, p in enumerate(preds):
        if j in matched_p:
            continue
        if not golds:
            cls = FALSE_CLASSES[0]
        elif p["event_type"] in unmatched_types:
            cls = FALSE_CLASSES[1]
        elif any(g["event_type"] == p["event_type"] for g in golds):
            cls = FALSE_CLASSES[2]
        else:
            cls = FALSE_CLASSES[3]
        false.append((j, cls))
    return missed, false


def main(argv: list[str] | None = None) -> int:
    from marsad.annotations.agreement import to_gold
    from marsad.learn import training

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, 1.0)
    ap.add_argument("--pred", type=Path, help="score these events instead of running the shipped pipeline")
    ap.add_argument("--show", help="print the errors of this class")
    ap.add_argument("--examples", type=int, default=20)
    args = ap.parse_args(argv)
    records, docs, _ = training.training_split(args.annotations, args.shared)
    preds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if args.pred:
        for line in args.pred.read_text(encoding="utf-8").splitlines():
            if line.strip():
                e = json.loads(line)
                preds[e["doc_id"]].append(e)
    else:
        from marsad.pipeline import Pipeline

        pipe = Pipeline.default(ner=True, events_only=True, learned=True)
        for a in pipe.pipe(docs[r["doc_id"]] for r in records):
            preds[a.doc.doc_id] = [e.to_record() for e in a.events]
    missed_n: Counter[str] = Counter()
    false_n: Counter[str] = Counter()
    shown = 0
    for r in records:
        doc = docs[r["doc_id"]]
        golds = to_gold(r, doc.text)["events"]
        evidence = [[tuple(s) for s in e.get("evidence") or []] for e in r.get("events") or []]
        ps = preds.get(r["doc_id"], [])
        missed, false = classify_document(golds, evidence, ps)
        missed_n.update(c for _, c in missed)
        false_n.update(c for _, c in false)
        for k, c in [*((golds[i], c) for i, c in missed), *((ps[j], c) for j, c in false)]:
            if c == args.show and shown < args.examples:
                shown += 1
                print(f"{r['doc_id']}  {k['event_type']} / {k.get('sub_event_type')}  {k.get('location')}  "
                      f"{k.get('event_date')}")
    print(f"missed coded events ({sum(missed_n.values())}):")
    for c in MISSED_CLASSES:
        print(f"  {c:45} {missed_n[c]}")
    print(f"false events ({sum(false_n.values())}):")
    for c in FALSE_CLASSES:
        print(f"  {c:45} {false_n[c]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
