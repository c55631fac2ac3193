"""Why events land in the wrong place: a table of causes on the training split (never the held-out one).

    python build/train_models.py --out /tmp/m --dump /tmp/oof.jsonl   # the out-of-fold kept events
    python build/place_errors.py /tmp/oof.jsonl [--json OUT]

A *place error* is a pair of a predicted event and a coded event (our coding, ``annotations/``) of
the same type, neither matched by the scorer, whose places are not compatible (over 50 km, and not
one country at geo_precision 3): the prediction is a false event and the coded one a missed event
only because of the place. Each coded event is paired with the unmatched prediction of its type whose
evidence overlaps its own the most. The cause is read from where the coder's place is named
(``location_span``) and from what the pipeline made of that mention: the right place among the
event's own sentences but another one taken, given a non-event role (distance reference, an actor's
home, dateline ...), read as another place of the same name, named only in the headline, the
sentence before or elsewhere, not recognised at all, or not named (the coder's inference).
``--other`` also counts the pairs against ``../shared/gold/train.jsonl``'s coding (no spans there:
counts only).
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

from marsad.eval.scorer import coords, km, match_doc, places_compatible  # noqa: E402
from marsad.learn import training  # noqa: E402
from marsad.model import Analysis, Mention, MentionKind, Place, evidence_overlap  # noqa: E402

RADIUS_KM = 50.0


def place_pairs(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(gold index, prediction index) of the place errors of one article."""
    matched = match_doc(golds, preds)
    ug = [i for i, g in enumerate(golds) if i not in {i for i, _ in matched} and not g.get("optional")]
    up = {j for j in range(len(preds))} - {j for _, j in matched}
    out = []
    for i in ug:
        g = golds[i]
        cands = [j for j in up if preds[j].get("event_type") == g.get("event_type")
                 and not places_compatible(g, preds[j])]
        if not cands:
            continue
        j = max(cands, key=lambda j: (evidence_overlap(g.get("evidence") or [], preds[j]["evidence"]), -j))
        up.discard(j)
        out.append((i, j))
    return out


def _sentence(a: Analysis, offset: int) -> int:
    return a.sentence_of(offset)


def _places(a: Analysis) -> list[Mention]:
    return [m for m in a.mentions if m.kind is MentionKind.PLACE and isinstance(m.value, Place)]


def _near(p: Place, lat: float, lon: float) -> bool:
    return km((p.latitude, p.longitude), (lat, lon)) <= RADIUS_KM


def cause(a: Analysis, g: dict[str, Any], p: dict[str, Any]) -> tuple[str, str]:
    """(cause, where the prediction's place came from) of one place error."""
    from marsad.geo.geocode import Geocoder, candidates

    ev_sents = {_sentence(a, s) for s, _ in p["evidence"]}
    loc = (p.get("provenance") or {}).get("location")
    if p.get("latitude") is None:
        took = "no place"
    elif loc and _sentence(a, loc[0]) in ev_sents:
        took = "its sentences"
    elif loc:
        took = "main place (fallback)"
    else:
        took = "country (fallback)"
    gc = coords(g)
    span = g.get("location_span")
    if gc is None:
        return "coded without coordinates", took
    if not span:
        return "coded place not named (coder's inference)", took
    ms = [m for m in _places(a) if m.span.start < span[1] and span[0] < m.span.end]
    if not ms:
        # is it named elsewhere, under the recognised name?
        other = [m for m in _places(a) if _near(m.value, *gc) and not m.attr("role")]
        return ("coded place's words not recognised" + ("; named elsewhere" if other else "")), took
    m = ms[0]
    if not _near(m.value, *gc):
        if any(_near(c, *gc) for c in candidates(m)):
            return "ambiguous name: another reading taken", took
        if g.get("admin1") and m.value.admin1 and g.get("country") == m.value.country:
            return "recognised, > 50 km from the coded point (admin level / coordinates)", took
        return "recognised as another place (not among its readings)", took
    role = m.attr("role")
    sent = _sentence(a, m.span.start)
    title_end = len(a.doc.title) if a.doc.title else 0
    first_ev = min(ev_sents)
    if sent in ev_sents:
        where = "in the event's sentences"
    elif m.span.start < title_end:
        where = "in the headline"
    elif sent == first_ev - 1:
        where = "in the sentence before"
    elif sent == (1 if title_end else 0):
        where = "in the first sentence"
    elif any(s <= m.span.start < e for s, e in g.get("evidence") or []):
        # the coder's evidence names it, the prediction's sentences do not: mostly the prediction is
        # another telling of the event (or another incident) whose sentences name another place
        where = "in the coded event's evidence, not the prediction's sentences"
    else:
        where = "elsewhere in the article"
    if where != "in the event's sentences" and not evidence_overlap(g.get("evidence") or [], p["evidence"]):
        where += " (evidence apart)"
    if role:
        return f"{where}, with the role {role}", took
    main = Geocoder.main_place([x for x in _places(a) if not x.attr("doubtful")])
    if where == "in the event's sentences":
        return "in the event's sentences, another candidate taken", took
    tag = ", the main place" if main is not None and main.value == m.value else ""
    return where + tag, took


def group(cause: str) -> str:
    """The cause's group in docs/learning.md's table."""
    if "(evidence apart)" in cause:
        return "the prediction's sentences are not the coded event's (another telling or incident)"
    if cause.startswith("in the event's sentences, with the role"):
        return "named in the event's sentences, given a non-event role"
    if cause.startswith("in the event's sentences"):
        return "named in the event's sentences, another candidate taken"
    if cause.startswith(("in the coded", "in the sentence before", "in the headline", "in the first",
                         "elsewhere")):
        return "named outside the event's sentences (before, headline, lead, the coded evidence, elsewhere)"
    if cause.startswith(("ambiguous", "recognised")):
        return "the name read as another place (gazetteer reading, admin level)"
    if cause.startswith("coded place's words"):
        return "the coded place's words not recognised"
    return "not named / no coordinates in the coding"


def main(argv: list[str] | None = None) -> int:
    ap = training.dump_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    ap.add_argument("--json", type=Path, help="write the table and each error here")
    args = ap.parse_args(argv)
    from marsad.pipeline import Pipeline
    from marsad.stages import default_stages

    train, docs, _ = training.training_split(args.annotations, args.shared)
    gold = {g["doc_id"]: g for g in training.training_gold(args.annotations, args.shared)}
    other = {g["doc_id"]: g for g in training.other_coding(set(gold), args.shared)}
    preds = defaultdict(list, training.read_dump(args.pred))
    pipe = Pipeline(default_stages(ner=True, learned=True))
    causes: Counter[str] = Counter()
    tooks: Counter[str] = Counter()
    rows = []
    n_other = 0
    for r in train:
        d = r["doc_id"]
        # the annotation's events carry the spans; the gold document's the scorer's fields, same order
        golds = [{**ge, **{k: ae.get(k) for k in ("evidence", "location_span")}}
                 for ge, ae in zip(gold[d]["events"], r["events"], strict=True)]
        pairs = place_pairs(golds, preds.get(d, []))
        if d in other:
            n_other += len(place_pairs(other[d]["events"], preds.get(d, [])))
        if not pairs:
            continue
        a = pipe(docs[d])
        for i, j in pairs:
            c, took = cause(a, golds[i], preds[d][j])
            causes[c] += 1
            tooks[took] += 1
            rows.append({"doc_id": d, "cause": c, "took": took, "gold": golds[i]["location"],
                         "pred": preds[d][j]["location"]})
    print(f"{sum(causes.values())} place errors (our coding); {n_other} against gold/train.jsonl's "
          f"coding of {len(other)} articles")
    for c, n in causes.most_common():
        print(f"{n:4d}  {c}")
    groups: Counter[str] = Counter()
    for c, n in causes.items():
        groups[group(c)] += n
    print("by group:")
    for c, n in groups.most_common():
        print(f"{n:4d}  {c}")
    print("where the prediction's place came from:")
    for c, n in tooks.most_common():
        print(f"{n:4d}  {c}")
    if args.json:
        out = {"causes": causes, "groups": groups, "took": tooks, "other_coding_pairs": n_other,
               "errors": rows}
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
