"""Inter-coder agreement: Cohen's kappa on sentence labels, the scorer's event figures.

Both are computed on the articles that two coders coded independently: the first coder of
``annotations/sample.tsv`` as gold, the second as prediction (the event scorer is not
symmetric in its optional events, so the direction is fixed and reported).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from marsad.annotations.labels import sentence_label


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two label sequences of equal length (None when undefined)."""
    if len(a) != len(b) or not a:
        return None
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def labels_of(rec: dict[str, Any]) -> list[str]:
    return [sentence_label(s[2], s[3], s[4]) for s in rec["sentences"]]


def _aliases(rec: dict[str, Any], text: str | None, k: int, role: str) -> list[str]:
    if text is None:
        return []
    return sorted({text[m["span"][0]:m["span"][1]] for m in rec.get("mentions") or []
                   if m["kind"] == "actor" and m.get("event") == k and m["role"] == role})


def to_gold(rec: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """A stored annotation as a gold document of spec §6 (what the scorer reads)."""
    events = []
    for k, e in enumerate(rec.get("events") or []):
        g = {key: e.get(key) for key in ("event_type", "sub_event_type", "event_date", "time_precision",
                                          "actor1",
                                          "actor2", "assoc_actor_1", "assoc_actor_2", "country", "admin1",
                                          "location", "latitude", "longitude", "geo_precision", "geonameid",
                                          "fatalities", "optional")}
        g["actor1_aliases"] = _aliases(rec, text, k, "actor1")
        g["actor2_aliases"] = _aliases(rec, text, k, "actor2")
        events.append(g)
    required = sum(e["fatalities"] for e in events if not e.get("optional"))
    every = sum(e["fatalities"] for e in events)
    total: int | list[int] = required if every == required else [required, every]
    return {"doc_id": rec["doc_id"], "published": rec.get("published"), "events": events,
            "fatalities_total": total}


def to_predictions(rec: dict[str, Any], text: str | None = None) -> list[dict[str, Any]]:
    """A stored annotation's events as predicted event records (the other coder's side)."""
    out = []
    for k, e in enumerate(rec.get("events") or []):
        p = dict(e)
        p["doc_id"] = rec["doc_id"]
        a1, a2 = _aliases(rec, text, k, "actor1"), _aliases(rec, text, k, "actor2")
        p["actor1_text"] = a1[0] if a1 else None
        p["actor2_text"] = a2[0] if a2 else None
        out.append(p)
    return out


def agreement(pairs: list[tuple[dict[str, Any], dict[str, Any]]],
              texts: dict[str, str] | None = None) -> dict[str, Any]:
    """Sentence kappa and the scorer's summary over (first coder, second coder) pairs."""
    from marsad.eval.scorer import score

    texts = texts or {}
    a_labels: list[str] = []
    b_labels: list[str] = []
    skipped = 0
    for a, b in pairs:
        la, lb = labels_of(a), labels_of(b)
        if [s[:2] for s in a["sentences"]] != [s[:2] for s in b["sentences"]]:
            skipped += 1  # segmented differently (a sheet made by another marsad version)
            continue
        a_labels += la
        b_labels += lb
    # the binary decision the event classifier makes: a current event or not
    binary_a = ["event" if x.count("|") else "no" for x in a_labels]
    binary_b = ["event" if x.count("|") else "no" for x in b_labels]
    coarse_a = [x.split(" | ")[0] for x in a_labels]
    coarse_b = [x.split(" | ")[0] for x in b_labels]
    from marsad.eval.scorer import match_doc

    gold = [to_gold(a, texts.get(a["doc_id"])) for a, _ in pairs]
    preds: list[dict[str, Any]] = []
    for g, (_, b) in zip(gold, pairs, strict=True):
        mine = to_predictions(b, texts.get(b["doc_id"]))
        # the second coder's optional events count where they meet the first's, and are no
        # false event where they do not (optional means "a careful coder could leave it out")
        matched = {j for _, j in match_doc(g["events"], mine)}
        preds += [p for j, p in enumerate(mine) if not p.get("optional") or j in matched]
    summary, _ = score(gold, preds)
    return {
        "articles": len(pairs), "sentences": len(a_labels), "skipped_articles": skipped,
        "sentence_kappa": cohen_kappa(a_labels, b_labels),
        "sentence_kappa_type": cohen_kappa(coarse_a, coarse_b),
        "sentence_kappa_event_binary": cohen_kappa(binary_a, binary_b),
        "sentence_agreement": (sum(x == y for x, y in zip(a_labels, b_labels, strict=True)) / len(a_labels)
                               if a_labels else None),
        "events": summary,
    }


def _event_line(e: dict[str, Any]) -> str:
    return (f"{e['event_type']}|{e['sub_event_type']} {e.get('event_date')} "
            f"{e.get('actor1')} vs {e.get('actor2')} "
            f"@ {e.get('location')} ({e.get('country')}) deaths={e.get('fatalities')}"
            f"{' OPTIONAL' if e.get('optional') else ''} sents={e.get('evidence')}")


def disagreements(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What two codings of one article disagree on: sentence labels and events (for adjudication)."""
    out = []
    for i, (sa, sb) in enumerate(zip(a["sentences"], b["sentences"], strict=False)):
        la, lb = sentence_label(sa[2], sa[3], sa[4]), sentence_label(sb[2], sb[3], sb[4])
        if la != lb:
            out.append(f"  sentence [{i}]: {a['coder']}={la}  {b['coder']}={lb}")
    ea = sorted(_event_line(e) for e in a.get("events") or [])
    eb = sorted(_event_line(e) for e in b.get("events") or [])
    if ea != eb:
        out += [f"  {a['coder']} event: {x}" for x in ea] + [f"  {b['coder']} event: {x}" for x in eb]
    return out
