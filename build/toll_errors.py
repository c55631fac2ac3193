"""Classify the fatality errors of the pipeline on the training split (never the held-out one).

    python build/toll_errors.py --cache /tmp/tolls [--decision rules|oof] [--show CLASS]

Runs the rules' pipeline (``learned=False``, as ``build/train_tolls.py`` measures it) with the
rules' tolls alone or with the toll model out of fold (each article's numbers judged by the
model of the fold that did not see it, at the shipped thresholds), matches its events to the
coders' with the reference scorer, and names the cause of every wrong toll of a matched event
and of every wrong article total, from the coders' number statuses (docs/annotation.md §3.3):
which numbers the predicted event counted (its ``fatalities`` provenance), which numbers the
coders gave the event. ``build/train_tolls.py`` writes the same table into ``toll.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "build"))

TOLL_ROLES = ("deaths", "updated_toll", "partial_toll")

#: the classes of a matched event's wrong toll, in the order they are tried
EVENT_CLASSES = (
    "deaths_without_number",  # the coders counted deaths told with no number (or words the recogniser misses)
    "running_total_counted",  # a running total taken as the event's toll
    "background_counted",  # an earlier incident's deaths
    "injured_or_other_counted",  # the injured, or a number that is no toll at all
    "number_of_another_event",  # the toll of another coded event of the article
    "given_to_another_event",  # the event's own toll went to another predicted event
    "update_not_taken",  # an earlier toll where the coders took the updated one
    "sides_not_added",  # one side's deaths where the coders added the sides
    "summed_or_counted_twice",  # more than the coders, from the event's own numbers
    "number_passed_over",  # the event's toll number counted by no event
    "unnumbered_counted",  # the spec's 3 or 10 where the coders counted otherwise
    "other",
)
#: the classes of a wrong article total
DOC_CLASSES = ("deaths_to_event_gold_has_not", "same_deaths_counted_twice", "deaths_of_missed_event",
               "matched_event_error", "other")


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _toll_spans(event: Any) -> list[tuple[int, int]]:
    return [(s, e) for f, s, e in event.provenance if f == "fatalities"]


def _int(x: Any) -> int:
    try:
        return int(x)
    except (TypeError, ValueError):
        return 0


def classify_event(i: int, g: dict[str, Any], p: Any, numbers: list[dict[str, Any]],
                   others: list[Any]) -> str:
    """The cause of matched event ``p``'s wrong toll against coded event ``i`` (``g``); ``numbers``:
    the article's coded number mentions; ``others``: the article's other predicted events."""
    gold, pred = _int(g.get("fatalities")), p.fatalities
    own = [n for n in numbers if n.get("event") == i and n["role"] in TOLL_ROLES]
    spans = _toll_spans(p)
    counted = [n for n in numbers if _inside(tuple(n["span"]), spans)]
    values = [_int(n.get("value")) for n in own]
    if gold > 0 and not own:
        return "deaths_without_number"
    if pred > gold:
        roles = {n["role"] for n in counted}
        if "running_total" in roles:
            return "running_total_counted"
        if "background" in roles:
            return "background_counted"
        if roles & {"injured", "other"}:
            return "injured_or_other_counted"
        if any(n["role"] in TOLL_ROLES and n.get("event") not in (i, None) for n in counted):
            return "number_of_another_event"
        if spans and not counted:
            return "unnumbered_counted"
        if own and all(_inside(tuple(n["span"]), spans) for n in own):
            return "summed_or_counted_twice"
        if any(n["role"] == "updated_toll" for n in own) and pred in values:
            return "update_not_taken"
        return "other"
    # fewer deaths than the coders'
    if any(_inside(tuple(n["span"]), _toll_spans(o)) for n in own for o in others) \
            and not any(_inside(tuple(n["span"]), spans) for n in own):
        return "given_to_another_event"
    if any(n["role"] == "updated_toll" for n in own) and pred in values and pred != gold:
        return "update_not_taken"
    if len(own) > 1 and pred in values and pred < gold:
        return "sides_not_added"
    if pred == 0 and not spans:
        return "number_passed_over"
    if any(n["role"] in TOLL_ROLES and n.get("event") not in (i, None) for n in counted):
        return "number_of_another_event"
    roles = {n["role"] for n in counted}
    if "running_total" in roles:
        return "running_total_counted"
    if roles & {"injured", "other", "background"}:
        return "injured_or_other_counted"
    if spans and not counted:
        return "unnumbered_counted"
    return "other"


def classify_document(d: dict[str, Any], events: list[Any], pairs: list[tuple[int, int]],
                      numbers: list[dict[str, Any]]) -> str | None:
    """The cause of a wrong article total (None when it is right or not coded)."""
    total = d.get("fatalities_total")
    if total is None:
        return None
    allowed = total if isinstance(total, list) else [total]
    pred = sum(e.fatalities for e in events)
    if pred in allowed:
        return None
    golds = d["events"]
    matched_p = {j for _, j in pairs}
    spurious = sum(e.fatalities for j, e in enumerate(events) if j not in matched_p)
    if spurious and pred > max(allowed) and pred - spurious <= max(allowed):
        return "deaths_to_event_gold_has_not"
    # two predicted events counting the same coded deaths (the same numbers, or one coded event's numbers)
    owner: dict[int, set[int]] = {}
    for j, e in enumerate(events):
        if not e.fatalities:
            continue
        for n in numbers:
            if n["role"] in TOLL_ROLES and n.get("event") is not None and _inside(tuple(n["span"]),
                                                                                   _toll_spans(e)):
                owner.setdefault(n["event"], set()).add(j)
    if pred > max(allowed) and any(len(js) > 1 and not _split(events, js, numbers) for js in owner.values()):
        return "same_deaths_counted_twice"
    matched_g = {i for i, _ in pairs}
    missed = sum(_int(g.get("fatalities")) for i, g in enumerate(golds) if i not in matched_g)
    if missed and pred < min(allowed):
        return "deaths_of_missed_event"
    if any(_int(golds[i].get("fatalities")) != events[j].fatalities for i, j in pairs):
        return "matched_event_error"
    if spurious:
        return "deaths_to_event_gold_has_not"
    return "other"


def _split(events: list[Any], js: set[int], numbers: list[dict[str, Any]]) -> bool:
    """Whether the events share one joint toll (spec §4: split evenly over them, not counted twice):
    the same statement, shares within one of each other, no more in all than its numbers."""
    spans = {tuple(_toll_spans(events[j])) for j in js}
    values = sorted(events[j].fatalities for j in js)
    told = [_int(n.get("value")) for n in numbers for sp in spans for s, e in sp
            if s <= n["span"][0] and n["span"][1] <= e]
    return len(spans) == 1 and values[-1] - values[0] <= 1 and sum(values) <= sum(told)


def error_table(gold: list[dict[str, Any]], records: dict[str, dict[str, Any]], analyses: list[Any],
                extractor: Any, decision: Any) -> dict[str, Any]:
    """Per-class counts of the wrong tolls of matched events and of wrong article totals, with
    examples (document id, coded and predicted deaths)."""
    from marsad.eval.scorer import match_doc

    extractor.toll_decision = decision
    try:
        events = {a.doc.doc_id: list(extractor(a).events) for a in analyses}
    finally:
        extractor.toll_decision = None
    ev_classes: Counter[str] = Counter()
    doc_classes: Counter[str] = Counter()
    examples: dict[str, list[Any]] = {}
    fat_n = fat_ok = doc_n = doc_ok = 0
    for d in gold:
        preds = events.get(d["doc_id"], [])
        numbers = [m for m in records[d["doc_id"]]["mentions"] if m["kind"] == "number"]
        pairs = match_doc(d["events"], [e.to_record() for e in preds])
        for i, j in pairs:
            g = d["events"][i]
            if g.get("optional") or g.get("fatalities") is None:
                continue
            fat_n += 1
            if _int(g["fatalities"]) == preds[j].fatalities:
                fat_ok += 1
                continue
            cls = classify_event(i, g, preds[j], numbers, [e for k, e in enumerate(preds) if k != j])
            ev_classes[cls] += 1
            examples.setdefault(cls, []).append((d["doc_id"], i, g["fatalities"], preds[j].fatalities))
        if d.get("fatalities_total") is not None:
            doc_n += 1
            cls = classify_document(d, preds, pairs, numbers)
            if cls is None:
                doc_ok += 1
            else:
                doc_classes[cls] += 1
                examples.setdefault("doc:" + cls, []).append(
                    (d["doc_id"], d["fatalities_total"], sum(e.fatalities for e in preds)))
    return {"matched_events_with_toll": fat_n, "right": fat_ok,
            "fatalities_acc": round(fat_ok / fat_n, 3) if fat_n else None,
            "event_errors": {c: ev_classes[c] for c in EVENT_CLASSES if ev_classes[c]},
            "documents": doc_n, "documents_right": doc_ok,
            "doc_fatalities_acc": round(doc_ok / doc_n, 3) if doc_n else None,
            "document_errors": {c: doc_classes[c] for c in DOC_CLASSES if doc_classes[c]},
            "examples": examples}


def main(argv: list[str] | None = None) -> int:
    import train_tolls as T

    from marsad.learn import training
    from marsad.learn.tolls import TollDecision

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    training.corpus_arguments(ap, 0.25, c_nargs=None)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--decision", choices=("rules", "oof"), default="oof")
    ap.add_argument("--model", type=Path, default=training.MODELS / "toll.npz",
                    help="whose thresholds the out-of-fold decision takes")
    ap.add_argument("--show", nargs="*", default=[], help="print the examples of these classes")
    ap.add_argument("--json", type=Path, help="write the table here")
    args = ap.parse_args(argv)
    train, docs, _ = training.training_split(args.annotations, args.shared)
    records = {r["doc_id"]: r for r in train}
    gold = training.training_gold(args.annotations, args.shared)
    analyses, extractor = T.pre_event_analyses(gold, args.cache)
    decision = None
    if args.decision == "oof":
        ex = T.collect(train, docs, args.cache)
        _, p_toll = T.cross_validate(ex, args.c, args.folds)
        shipped = TollDecision.load(args.model)
        decision = T._OutOfFold({k: float(p) for k, p in zip(ex.keys, p_toll, strict=True)},
                                shipped.threshold, shipped.rescue_threshold)
    table = error_table(gold, records, analyses, extractor, decision)
    examples = table.pop("examples")
    print(json.dumps(table, indent=1))
    for cls in args.show:
        for ex_ in examples.get(cls, []):
            print(cls, ex_)
    if args.json:
        args.json.write_text(json.dumps({**table, "examples": examples}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
