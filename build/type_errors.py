"""Which event types the pipeline gets wrong: a confusion table on the training split (never held-out).

    python build/train_models.py --out /tmp/m --dump /tmp/oof.jsonl   # the out-of-fold kept events
    python build/type_errors.py /tmp/oof.jsonl [--json OUT] [--show CELL]

The scorer matches a prediction to a coded event only where the event types agree and the places do
(spec §6), so a wrong type costs a false event and a missed one. Two tables, against our coding
(``annotations/``) and against ``../shared/gold/train.jsonl``'s coding of the same training articles:

- **kept, wrong type**: a kept event (out of fold) that no coded event matches, beside an unmatched
  coded event of another type whose place it is compatible with (≤ 50 km, or one country at
  geo_precision 3): the cell is (predicted type | sub-type, coded type | sub-type);
- **only other types nearby**: an unmatched coded event whose compatible candidates (the rules' events
  with every separately trained decision and the shipped sentence gate on, no event model, no
  confidence cut) are all of other types: the cell is (the candidate most like it, its coded type).

``--show "Pred|Sub -> Gold|Sub"`` prints the sentences behind a cell of our coding (training articles).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.eval.scorer import match_doc, places_compatible  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.model import evidence_overlap  # noqa: E402


def label(e: dict[str, Any]) -> str:
    return f"{e.get('event_type')}|{e.get('sub_event_type')}"


def wrong_type_kept(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(gold index, prediction index): unmatched kept predictions beside an unmatched coded event of
    another type (each coded event paired once, with the prediction whose evidence overlaps it most)."""
    matched = match_doc(golds, preds)
    ug = [i for i, g in enumerate(golds) if i not in {i for i, _ in matched} and not g.get("optional")]
    up = set(range(len(preds))) - {j for _, j in matched}
    out = []

    def shared(i: int, j: int) -> int:
        return evidence_overlap(golds[i].get("evidence") or [], preds[j]["evidence"])

    for j in sorted(up, key=lambda j: -max((shared(i, j) for i in ug), default=0)):
        near = [i for i in ug if golds[i].get("event_type") != preds[j].get("event_type")
                and places_compatible(golds[i], preds[j])]
        if not near:
            continue
        i = max(near, key=lambda i: (shared(i, j), -i))
        ug.remove(i)
        out.append((i, j))
    return out


def other_types_only(golds: list[dict[str, Any]], kept: list[dict[str, Any]],
                     cands: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(gold index, candidate index): coded events no kept event matches whose compatible candidates
    are all of other types (paired with the candidate whose evidence overlaps it most)."""
    matched = {i for i, _ in match_doc(golds, kept)}
    out = []
    for i, g in enumerate(golds):
        if i in matched or g.get("optional"):
            continue
        near = [j for j, c in enumerate(cands) if places_compatible(g, c)]
        if not near or any(cands[j].get("event_type") == g.get("event_type") for j in near):
            continue
        j = max(near, key=lambda j: (evidence_overlap(g.get("evidence") or [], cands[j]["evidence"]), -j))
        out.append((i, j))
    return out


def candidates(docs: dict[str, Any], ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The rules' events before the event decision (as ``build/train_models.py`` makes its candidates,
    with the shipped sentence gate instead of its out-of-fold stand-in)."""
    import train_models

    from marsad.learn.sentences import packaged as sentences
    from marsad.pipeline import Pipeline

    stages = train_models._candidate_stages()
    stages[-1].min_confidence = 0.0
    stages[-1].sentence_decision = sentences()
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in Pipeline(stages).pipe(docs[d] for d in ids):
        out[a.doc.doc_id] = [e.to_record() for e in a.events]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = training.dump_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    ap.add_argument("--cands", type=Path, help="cache of the candidates (JSON; made when absent)")
    ap.add_argument("--json", type=Path, help="write the tables and each row here")
    ap.add_argument("--show", action="append", default=[], metavar="CELL",
                    help='print the sentences of a cell of our coding ("Pred|Sub -> Gold|Sub")')
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args(argv)

    train, docs, _ = training.training_split(args.annotations, args.shared)
    gold = {g["doc_id"]: g for g in training.training_gold(args.annotations, args.shared)}
    other = {g["doc_id"]: g for g in training.other_coding(set(gold), args.shared)}
    preds = defaultdict(list, training.read_dump(args.pred))
    ids = [r["doc_id"] for r in train]
    if args.cands and args.cands.exists():
        cands = json.loads(args.cands.read_text(encoding="utf-8"))
    else:
        cands = candidates(docs, ids)
        if args.cands:
            args.cands.write_text(json.dumps(cands, ensure_ascii=False), encoding="utf-8")
    tables: dict[str, Counter[str]] = {k: Counter() for k in ("kept_ours", "kept_other", "only_ours",
                                                                 "only_other")}
    rows: list[dict[str, Any]] = []
    for r in train:
        d = r["doc_id"]
        # the annotation's events carry the spans; the gold document's the scorer's fields, same order
        golds = [{**ge, "evidence": ae.get("evidence")} for ge, ae in zip(gold[d]["events"], r["events"],
                                                                         strict=True)]
        kept, cs = preds.get(d, []), cands.get(d, [])
        codings = [("ours", golds)] + ([("other", other[d]["events"])] if d in other else [])
        for name, gs in codings:
            for i, j in wrong_type_kept(gs, kept):
                cell = f"{label(kept[j])} -> {label(gs[i])}"
                tables[f"kept_{name}"][cell] += 1
                rows.append({"table": f"kept_{name}", "doc_id": d, "cell": cell, "pred": kept[j]["evidence"],
                             "gold": gs[i].get("evidence"), "note": gs[i].get("note")})
            for i, j in other_types_only(gs, kept, cs):
                cell = f"{label(cs[j])} -> {label(gs[i])}"
                tables[f"only_{name}"][cell] += 1
                rows.append({"table": f"only_{name}", "doc_id": d, "cell": cell, "pred": cs[j]["evidence"],
                             "gold": gs[i].get("evidence"), "note": gs[i].get("note")})
    for name, t in tables.items():
        print(f"\n{name}: {sum(t.values())}")
        by_type: Counter[str] = Counter()
        for cell, n in t.items():
            p, g = cell.split(" -> ")
            by_type[f"{p.split('|')[0]} -> {g.split('|')[0]}"] += n
        for cell, n in by_type.most_common(args.top):
            print(f"  {n:4d}  {cell}")
        print("  by sub-type:")
        for cell, n in t.most_common(args.top):
            print(f"  {n:4d}  {cell}")
    for cell in args.show:
        for row in rows:
            if row["cell"] != cell or not row["table"].endswith("ours"):
                continue
            text = docs[row["doc_id"]].text
            print(f"\n== {row['table']} {row['doc_id']} {cell}")
            for s, e in (row["gold"] or [])[:2]:
                print("  gold:", text[s:e][:300].replace("\n", " "))
            for s, e in row["pred"][:2]:
                print("  pred:", text[s:e][:300].replace("\n", " "))
    if args.json:
        args.json.write_text(json.dumps({"tables": {k: dict(v.most_common()) for k, v in tables.items()},
                                         "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
