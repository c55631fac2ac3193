"""Score predicted conflict events against a gold file (rules: ../spec/events.md, section 6).

usage: score_events.py GOLD.jsonl PRED.jsonl [--json] [--per-doc]

GOLD: one document per line: {"doc_id", "published", "fatalities_total"?, "events": [...]}
      fatalities_total: an int, or a list of the totals a careful coder could defend.
PRED: one event per line, with at least doc_id and event_type; documents absent
      from PRED count as having no predicted event.
Standard library only, so that it runs anywhere.

Vendored unchanged in logic from the project's reference scorer (shared/tools/score_events.py,
ours) so that `marsad eval` prints exactly its figures on machines without ../shared;
tests/test_eval.py checks both agree.
"""
import json
import math
import re
import unicodedata
from collections import defaultdict
from datetime import date

MATCH_KM = 50.0
LOCATION_OK_KM = 25.0

_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)


def norm_ar(s):
    """Arabic surface normalisation for alias comparison."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    s = _DIACRITICS.sub("", s)
    s = re.sub("[إأآٱ]", "ا", s)
    s = s.replace("ى", "ي").replace("ة", "ه").replace("ؤ", "و").replace("ئ", "ي")
    s = _PUNCT.sub(" ", s)
    return " ".join(s.split())


def norm_name(s):
    """Canonical-name normalisation: case, punctuation, bracketed years, a leading 'the'."""
    if not s:
        return ""
    s = re.sub(r"\([^)]*\)", " ", s.lower())
    s = _PUNCT.sub(" ", s)
    words = s.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def actor_agrees(gold_name, gold_aliases, pred_name, pred_text):
    if not gold_name:
        return False
    if pred_name and norm_name(pred_name) == norm_name(gold_name):
        return True
    p = norm_ar(pred_text)
    if len(p) < 3:
        return False
    for alias in gold_aliases or []:
        a = norm_ar(alias)
        if not a:
            continue
        short, long_ = sorted((a, p), key=len)
        if short == long_ or (short in long_ and len(short) >= 0.6 * len(long_)):
            return True
    return False


def actor_pair_hits(g, p):
    """How many of gold's actor slots the prediction fills, comparing the pair unordered."""
    def hit(slot_g, slot_p):
        return actor_agrees(g.get(f"actor{slot_g}"), g.get(f"actor{slot_g}_aliases"),
                            p.get(f"actor{slot_p}"), p.get(f"actor{slot_p}_text"))
    straight = hit(1, 1) + hit(2, 2)
    crossed = hit(1, 2) + hit(2, 1)
    return max(straight, crossed)


def km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def coords(e):
    try:
        lat, lon = float(e["latitude"]), float(e["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    return lat, lon


def places_compatible(g, p):
    gc, pc = coords(g), coords(p)
    if gc is None and pc is None and not g.get("country"):
        return True
    coarse = g.get("geo_precision") == 3 or p.get("geo_precision") == 3 or pc is None or gc is None
    if gc and pc and km(gc, pc) <= MATCH_KM:
        return True
    if coarse and g.get("country") and (p.get("country") or "").upper() == g["country"].upper():
        return True
    return False


def parse_day(s):
    try:
        return date.fromisoformat(str(s)[:10])
    except (TypeError, ValueError):
        return None


def gold_dates(g):
    d = g.get("event_date")
    ds = d if isinstance(d, list) else [d]
    return [x for x in (parse_day(v) for v in ds) if x]


def pair_score(g, p):
    if (p.get("event_type") or "") != g.get("event_type") or not places_compatible(g, p):
        return None
    s = 1.0
    s += 0.5 * (p.get("sub_event_type") == g.get("sub_event_type"))
    s += 0.5 * actor_pair_hits(g, p)
    pd, gds = parse_day(p.get("event_date")), gold_dates(g)
    if pd and gds:
        s += 0.5 * (min(abs((pd - x).days) for x in gds) <= 1)
    gc, pc = coords(g), coords(p)
    if gc and pc:
        s += 0.5 * (1 - min(km(gc, pc), MATCH_KM) / MATCH_KM)
    s += 0.25 * (_int(p.get("fatalities")) == _int(g.get("fatalities")))
    return s


def _int(x):
    try:
        return int(x)
    except (TypeError, ValueError):
        return None


def match_doc(golds, preds):
    cands = []
    for i, g in enumerate(golds):
        for j, p in enumerate(preds):
            s = pair_score(g, p)
            if s is not None:
                cands.append((s, i, j))
    cands.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g, used_p, pairs = set(), set(), []
    for s, i, j in cands:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j))
    return pairs


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(gold_docs, pred_events):
    by_doc = defaultdict(list)
    for e in pred_events:
        by_doc[str(e.get("doc_id"))].append(e)
    known = {str(d["doc_id"]) for d in gold_docs}
    c = defaultdict(float)
    per_doc = []
    for d in gold_docs:
        doc_id = str(d["doc_id"])
        golds, preds = d.get("events", []), by_doc.get(doc_id, [])
        pairs = match_doc(golds, preds)
        matched_p = {j for _, j in pairs}
        tp = sum(1 for i, _ in pairs if not golds[i].get("optional"))
        fp_optional_ok = sum(1 for i, _ in pairs if golds[i].get("optional"))
        n_gold = sum(1 for g in golds if not g.get("optional"))
        fp = len(preds) - tp - fp_optional_ok
        c["tp"] += tp
        c["fp"] += fp
        c["fn"] += n_gold - tp
        for i, j in pairs:
            g, p = golds[i], preds[j]
            if g.get("optional"):
                continue
            c["pairs"] += 1
            c["sub_ok"] += p.get("sub_event_type") == g.get("sub_event_type")
            slots = sum(1 for k in (1, 2) if g.get(f"actor{k}"))
            c["actor_slots"] += slots
            c["actor_ok"] += min(slots, actor_pair_hits(g, p))
            gds, pd = gold_dates(g), parse_day(p.get("event_date"))
            if gds:
                c["date_n"] += 1
                c["date_ok"] += bool(pd and pd in gds)
            gc, pc = coords(g), coords(p)
            if gc:
                c["loc_n"] += 1
                c["loc_ok"] += bool(pc and km(gc, pc) <= LOCATION_OK_KM)
            if g.get("fatalities") is not None:
                c["fat_n"] += 1
                c["fat_ok"] += _int(p.get("fatalities")) == _int(g.get("fatalities"))
        for g in golds:
            gc = coords(g)
            if g.get("optional") or gc is None:
                continue
            c["place_n"] += 1
            c["place_ok"] += any(p.get("event_type") == g.get("event_type") and coords(p)
                                 and km(gc, coords(p)) <= LOCATION_OK_KM for p in preds)
        if d.get("fatalities_total") is not None:
            pred_total = sum(_int(p.get("fatalities")) or 0 for p in preds)
            allowed = (d["fatalities_total"] if isinstance(d["fatalities_total"], list)
                       else [d["fatalities_total"]])
            c["doc_fat_n"] += 1
            c["doc_fat_ok"] += pred_total in allowed
            c["doc_fat_abs"] += min(abs(pred_total - a) for a in allowed)
        if n_gold == 0:
            c["empty_docs"] += 1
            c["empty_doc_fp"] += len(preds) - len(matched_p)
        per_doc.append({"doc_id": doc_id, "gold": n_gold, "pred": len(preds), "tp": tp, "fp": fp,
                        "fn": n_gold - tp})
    ratio = lambda a, b: round(c[a] / c[b], 3) if c[b] else None
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return {
        "documents": len(gold_docs),
        "predicted_events_for_unknown_docs": sum(len(v) for k, v in by_doc.items() if k not in known),
        "gold_events": int(c["tp"] + c["fn"]),
        "predicted_events": sum(len(by_doc.get(str(d["doc_id"]), [])) for d in gold_docs),
        "event_precision": round(p, 3), "event_recall": round(r, 3),
        "event_f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "sub_event_type_acc": ratio("sub_ok", "pairs"),
        "actor_acc": ratio("actor_ok", "actor_slots"),
        "date_acc": ratio("date_ok", "date_n"),
        "location_acc": ratio("loc_ok", "loc_n"),
        "place_recall_25km": ratio("place_ok", "place_n"),
        "fatalities_acc": ratio("fat_ok", "fat_n"),
        "doc_fatalities_acc": ratio("doc_fat_ok", "doc_fat_n"),
        "doc_fatalities_mae": ratio("doc_fat_abs", "doc_fat_n"),
        "false_events_per_empty_doc": ratio("empty_doc_fp", "empty_docs"),
    }, per_doc


def format_summary(summary: dict) -> str:
    """The summary as the reference scorer prints it (one ``name value`` line per figure)."""
    return "\n".join(f"{k:36s} {v}" for k, v in summary.items())
