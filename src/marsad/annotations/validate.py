"""The validator of stored annotations: spans against the text, labels against the taxonomy,
ids against the pool and the sample. ``marsad annotations validate`` runs it; so does CI
(``tests/test_annotations.py``, skipped where ``../shared`` is absent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from marsad.annotations.corpus import (
    ANNOTATIONS,
    SHARED,
    load_articles,
    read_annotations,
    read_pool,
    read_sample,
    text_sha1,
)
from marsad.annotations.labels import ROLES_OF, SentenceClass, valid_event

#: coders besides those of the sample: the adjudicator, and reviewers of the review desk
EXTRA_CODERS = frozenset({"adj"})
_EVENT_ROLES = {"actor1", "actor2", "assoc1", "assoc2", "event_place", "deaths", "updated_toll",
                "partial_toll", "injured"}


def _span_ok(span: Any, n: int) -> bool:
    return (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)
            and 0 <= span[0] < span[1] <= n)


def validate_record(rec: dict[str, Any], text: str | None, pool: frozenset[str] | None,
                    coders: tuple[str, ...] | None) -> list[str]:
    """Problems of one stored annotation (empty when it is valid). ``text`` None skips the
    checks that need the article (where ``../shared`` is absent)."""
    doc_id = rec.get("doc_id")
    where = f"{doc_id}/{rec.get('coder')}"
    out: list[str] = []
    if pool is not None and doc_id not in pool:
        out.append(f"{where}: not in the annotation pool")
    if coders is not None and rec.get("coder") not in coders and rec.get("coder") not in EXTRA_CODERS \
            and not str(rec.get("coder", "")).startswith("review:"):
        out.append(f"{where}: coder not assigned to this article")
    n = len(text) if text is not None else 10**12
    if text is not None and rec.get("text_sha1") != text_sha1(text):
        out.append(f"{where}: the article's text changed since it was coded (text_sha1)")
    prev_end = -1
    for i, s in enumerate(rec.get("sentences") or []):
        if not (isinstance(s, list) and len(s) == 5 and _span_ok(s[:2], n)):
            out.append(f"{where}: sentence {i} is not [start, end, label, type, sub] inside the text")
            continue
        if s[0] < prev_end:
            out.append(f"{where}: sentence {i} overlaps the one before")
        prev_end = s[1]
        if s[2] not in set(SentenceClass):
            out.append(f"{where}: sentence {i} label {s[2]!r} unknown")
        elif s[2] == SentenceClass.EVENT and not valid_event(s[3], s[4]):
            out.append(f"{where}: sentence {i} event {s[3]!r} / {s[4]!r} not in the taxonomy")
    if not rec.get("sentences"):
        out.append(f"{where}: no sentences")
    events = rec.get("events") or []
    for j, e in enumerate(events):
        if not valid_event(e.get("event_type"), e.get("sub_event_type")):
            out.append(f"{where}: event {j} type {e.get('event_type')!r} / "
                       f"{e.get('sub_event_type')!r} unknown")
        if not e.get("evidence") or not all(_span_ok(sp, n) for sp in e["evidence"]):
            out.append(f"{where}: event {j} evidence spans missing or outside the text")
        for key in ("trigger", "date_span", "location_span"):
            if e.get(key) is not None and not _span_ok(e[key], n):
                out.append(f"{where}: event {j} {key} outside the text")
        if e.get("trigger") and e.get("evidence") and not any(
                s <= e["trigger"][0] and e["trigger"][1] <= t for s, t in e["evidence"]):
            out.append(f"{where}: event {j} trigger outside its evidence")
        if not isinstance(e.get("fatalities"), int) or e["fatalities"] < 0:
            out.append(f"{where}: event {j} fatalities must be an int >= 0")
        if e.get("geo_precision") not in (1, 2, 3) or e.get("time_precision") not in (1, 2, 3):
            out.append(f"{where}: event {j} precision codes must be 1, 2 or 3")
        if e.get("country") is not None and not (isinstance(e["country"], str) and len(e["country"]) == 2):
            out.append(f"{where}: event {j} country must be ISO alpha-2")
    for m in rec.get("mentions") or []:
        kind = m.get("kind")
        if kind not in ROLES_OF:
            out.append(f"{where}: mention kind {kind!r} unknown")
            continue
        if m.get("role") not in ROLES_OF[kind]:
            out.append(f"{where}: {kind} role {m.get('role')!r} unknown")
        if not _span_ok(m.get("span"), n):
            out.append(f"{where}: {kind} mention {m.get('key')} span outside the text")
        ev = m.get("event")
        if m.get("role") in _EVENT_ROLES and not (isinstance(ev, int) and 0 <= ev < len(events)):
            out.append(f"{where}: {kind} mention {m.get('key')} names no event of the article")
    return out


def validate_all(folder: Path = ANNOTATIONS, shared: Path = SHARED) -> tuple[list[str], int]:
    """(problems, annotations checked) over every stored annotation."""
    records = list(read_annotations(folder))
    sample = read_sample(folder)
    problems: list[str] = []
    have_shared = (shared / "train" / "pool_ids.txt.gz").exists()
    pool = read_pool(shared) if have_shared else None
    outside = [r["doc_id"] for r in records if r.get("doc_id") not in sample]
    problems += [f"{i}: not in annotations/sample.tsv" for i in outside]
    texts: dict[str, str] = {}
    if have_shared:
        ids = {r["doc_id"] for r in records if pool is not None and r.get("doc_id") in pool}
        texts = {i: d.text for i, d in load_articles(ids, shared).items()}
    seen: set[tuple[str, str]] = set()
    for r in records:
        key = (r.get("doc_id"), r.get("coder"))
        if key in seen:
            problems.append(f"{key[0]}/{key[1]}: coded twice by the same coder")
        seen.add(key)
        row = sample.get(r.get("doc_id"))
        problems += validate_record(r, texts.get(r.get("doc_id")) if have_shared else None, pool,
                                    row.coders if row else None)
    return problems, len(records)
