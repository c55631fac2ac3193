"""Corrections teach marsad: reviewed events as annotations of the training corpus.

``marsad learn --db PATH -o annotations/coded/review.jsonl`` writes one annotation per
article and reviewer, in the format of ``annotations/README.md``, with the reviewer as coder
(``review:NAME``, which the validator accepts). A reviewer's coding of an article is the
article's events as that reviewer left them (their last change of each event); it is written
only when the reviewer decided every machine event of the article (approved, rejected or
deleted it): a half-reviewed article would teach that the events left open are no events.

What the desk knows and what it does not:

* kept events (approved, and those the reviewer added) with their fields and evidence; the
  sentences holding their evidence are labelled ``event`` with the event's type;
* the other sentences are labelled ``none``: the desk reviews events, not sentences, so a
  background or threat sentence is not told apart (the annotation's note says so);
* a field's span (actor, place, toll) is kept where the reviewer left the machine's value; a
  corrected value has no span (the reviewer chose a name, not the words that say it).

Where two reviewers coded the same article, :func:`reviewer_agreement` measures them as the
training corpus measures its double-coded articles (sentence kappa, the scorer's event F1).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from marsad.annotations.corpus import text_sha1
from marsad.review.db import Desk, EventRow

log = logging.getLogger(__name__)

DECIDED = frozenset({"approved", "rejected", "deleted"})
KEPT = frozenset({"approved"})
_EVENT_KEYS = ("event_type", "sub_event_type", "event_date", "time_precision", "actor1", "actor2",
               "assoc_actor_1", "assoc_actor_2", "country", "admin1", "location", "latitude", "longitude",
               "geonameid", "geo_precision", "fatalities", "injuries")
#: record field -> (mention kind, role) of the span the machine gave it
_MENTION_ROLES = {"actor1": ("actor", "actor1"), "actor2": ("actor", "actor2"),
                  "assoc_actor_1": ("actor", "assoc1"), "assoc_actor_2": ("actor", "assoc2"),
                  "location": ("place", "event_place"), "fatalities": ("number", "deaths"),
                  "injuries": ("number", "injured")}
NOTE = "from the review desk: sentences without a kept event are labelled none (sentences are not reviewed)"


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    from marsad.pipeline import Normalise, Pipeline, Segment

    return Pipeline([Normalise(), Segment(tokens=False)])


def sentences_of(doc_id: str, text: str) -> list[tuple[int, int]]:
    from marsad.model import Document

    return [(s.start, s.end) for s in _segmenter()(Document(doc_id, text)).sentences]


def _as_of(desk: Desk, row: EventRow, user: str) -> tuple[str, dict[str, Any]] | None:
    """(state, record) of an event after ``user``'s last change of it, or None if they made none."""
    mine = [h for h in desk.history(row.event_id) if h["username"] == user and h["action"] != "import"]
    if not mine:
        return None
    return mine[-1]["state_after"], mine[-1]["after"]


def _span(value: Any, n: int) -> list[int] | None:
    if (isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(x, int) for x in value)
            and 0 <= value[0] < value[1] <= n):
        return [value[0], value[1]]
    return None


def annotation(doc: dict[str, Any], kept: list[tuple[dict[str, Any], dict[str, Any] | None]],
               coder: str) -> dict[str, Any]:
    """The annotation of one article: ``kept`` holds (record, machine original or None)."""
    text = doc["text"]
    n = len(text)
    sents = sentences_of(doc["doc_id"], text)
    events: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    labels: dict[int, tuple[str, str]] = {}
    for k, (rec, original) in enumerate(kept):
        evidence = [sp for sp in (_span(x, n) for x in rec.get("evidence") or []) if sp]
        prov = rec.get("provenance") or {}
        ev = {key: rec.get(key) for key in _EVENT_KEYS}
        ev["fatalities"] = int(ev.get("fatalities") or 0)
        ev["time_precision"] = ev.get("time_precision") or 1
        ev["geo_precision"] = ev.get("geo_precision") or 3  # no place found: the broadest precision
        trigger = _span(prov.get("trigger"), n)
        ev.update(optional=False, evidence=evidence,
                  trigger=trigger if trigger and any(s <= trigger[0] and trigger[1] <= e for s, e in evidence)
                  else None,
                  date_span=_span(prov.get("event_date"), n) if original and
                  rec.get("event_date") == original.get("event_date") else None,
                  location_span=None, note=rec.get("notes") or "")
        for fld, (kind, role) in _MENTION_ROLES.items():
            span = _span(prov.get(fld), n)
            unchanged = original is not None and rec.get(fld) == original.get(fld)
            if span and unchanged and rec.get(fld) not in (None, ""):
                mentions.append({"kind": kind, "span": span, "role": role, "event": k, "value": rec.get(fld),
                                 "from": "review", "key": f"R{len(mentions) + 1}"})
                if fld == "location":
                    ev["location_span"] = span
        events.append(ev)
        for i, (s, e) in enumerate(sents):
            if i not in labels and any(s < t and b < e for b, t in evidence):
                labels[i] = (ev["event_type"], ev["sub_event_type"])
    sentences = [[s, e, "event", *labels[i]] if i in labels else [s, e, "none", None, None]
                 for i, (s, e) in enumerate(sents)]
    return {"doc_id": doc["doc_id"], "coder": coder, "format": 1, "text_sha1": text_sha1(text),
            "published": doc.get("published"), "sentences": sentences, "events": events,
            "mentions": mentions, "note": NOTE}


def reviewed_annotations(desk: Desk) -> Iterator[dict[str, Any]]:
    """One annotation per article and reviewer who decided all of its machine events."""
    for doc_id in desk.documents_with_events():
        doc = desk.document(doc_id)
        if doc is None:
            continue
        rows = desk.events_of(doc_id, with_deleted=True)
        users = sorted({h["username"] for r in rows for h in desk.history(r.event_id)
                        if h["username"] and h["action"] != "import"})
        for user in users:
            kept: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
            complete = True
            for row in rows:
                mine = _as_of(desk, row, user)
                if row.origin == "machine" and (mine is None or mine[0] not in DECIDED):
                    complete = False
                    break
                if mine is not None and mine[0] in KEPT:
                    kept.append((mine[1], row.original))
            if complete:
                yield annotation(doc, kept, f"review:{user}")
            else:
                log.info("%s: %s has not decided every event; not written", doc_id, user)


def reviewer_agreement(records: list[dict[str, Any]], texts: dict[str, str]) -> dict[str, Any] | None:
    """Agreement between the first two reviewers of each article coded by two or more."""
    from marsad.annotations.agreement import agreement

    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    pairs = [(rs[0], rs[1]) for rs in by_doc.values() if len(rs) >= 2]
    return agreement(pairs, texts) if pairs else None
