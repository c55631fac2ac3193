"""Incidents: the event reports of different documents that describe one real incident.

Requires: a :class:`marsad.store.sqlite.Store` holding documents and events. Provides:
:func:`consolidate`, which gives every event not yet in an incident one (joining the most
probable existing incident of its blocks, or founding a new one), and writes the ``incidents``
and ``incident_members`` tables; :func:`summarise`, the incident record built from its members.

Incremental and idempotent: only events without an incident are placed, each against the
incidents already formed, in the order of their day (then publication, then id), so new
documents join or found incidents without re-clustering the rest, and a document extracted
again (the same events, the same ids) changes nothing. An incident's id is derived from the
event that founded it, so the same store consolidated in the same order gets the same ids.
Members whose event disappeared (a document re-extracted into other events) leave their
incident first; an incident left without members is deleted.

The decision is greedy average linkage: a report joins the incident whose members it most
probably matches (mean of the merge probabilities over its ``link_top`` best members, by the
merge model of :mod:`marsad.consolidate.model`) when that mean reaches the model's threshold,
and never an incident that already holds an event of its own document (one article reports
one incident once: the extractor merges a document's reports per place, day and type), unless
the model's ``own_doc`` allows it (measured in docs/consolidation.md, sixth round; off in the
shipped model).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

import numpy as np

from marsad.consolidate.blocking import candidate_blocks, home_block, week_index
from marsad.consolidate.model import MergeModel, merge_model
from marsad.consolidate.retelling import report_kind
from marsad.consolidate.similarity import (
    BUCKETS,
    Report,
    Vector,
    cosines,
    event_day,
    pair_features,
    report,
    text_vector,
)
from marsad.store.sqlite import Store

log = logging.getLogger(__name__)

MAX_COMPARE = 30  # members of a large incident compared with a report (the latest ones)

#: the fields of an event row kept on an incident's member (enough to compare and to export)
MEMBER_FIELDS: tuple[str, ...] = (
    "event_id", "doc_id", "outlet", "url", "title", "published", "event_date", "time_precision",
    "event_type", "sub_event_type", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "inter1", "inter2",
    "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "geonameid",
    "fatalities", "fatalities_low", "fatalities_high", "source", "notes", "tags", "evidence", "confidence",
    "report_kind", "location_text",
)


@dataclass(frozen=True)
class ConsolidationResult:
    """What one :func:`consolidate` call did."""

    created: list[str] = field(default_factory=list)  # ids of the incidents it founded
    grown: list[tuple[str, int, int]] = field(default_factory=list)  # (id, fatalities before, after)
    joined: int = 0  # event reports that joined an existing incident
    incidents: int = 0  # incidents in the store afterwards

    def format(self) -> str:
        return (f"incidents {self.incidents} ({len(self.created)} new, {self.joined} reports joined one, "
                f"{len(self.grown)} with more fatalities)")


@dataclass
class _Incident:
    """An incident being worked on (members as stored, their evidence vectors alongside)."""

    incident_id: str
    block: str
    members: list[dict[str, Any]]
    vectors: list[Vector]
    fatalities_before: int | None  # None: founded in this call
    dirty: bool = False
    reports: list[Report] = field(default_factory=list)  # members as the pair features read them

    def __post_init__(self) -> None:
        if not self.reports:
            self.reports = [report(m) for m in self.members]

    @property
    def docs(self) -> set[str]:
        return {m["doc_id"] for m in self.members}


def incident_id_for(event_id: str) -> str:
    """The id of an incident founded by ``event_id`` (stable: a function of that id only)."""
    return "inc-" + hashlib.sha1(event_id.encode("utf-8")).hexdigest()[:16]


def _mode(values: Iterable[Any], default: Any = None) -> Any:
    counts = Counter(v for v in values if v not in (None, ""))
    if not counts:
        return default
    top = max(counts.values())
    return min(v for v, n in counts.items() if n == top)  # ties: the smallest (earliest date)


def fatality_range(members: Sequence[Mapping[str, Any]]) -> tuple[int, int, int]:
    """(best, low, high) of an incident's reports.

    Best follows spec §4 across documents: an update replaces, so the reports of the latest
    publication day that give a toll decide, and of those the most conservative (the lowest).
    Reports with no deaths do not lower a toll others give. Low and high span every report
    (with their own low/high where the extractor gave a range).
    """
    with_toll = [m for m in members if (m.get("fatalities") or 0) > 0]
    if not with_toll:
        return 0, 0, 0
    latest = max(m.get("published") or m.get("event_date") or "" for m in with_toll)
    best = min(m["fatalities"] for m in with_toll
               if (m.get("published") or m.get("event_date") or "") == latest)
    low = min(m.get("fatalities_low") or m["fatalities"] for m in with_toll)
    high = max(max(m["fatalities"], m.get("fatalities_high") or 0) for m in with_toll)
    return best, min(low, best), max(high, best)


def summarise(incident_id: str, block: str, members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The incident record: ACLED fields of its best-placed report, consolidated values, members."""
    rep = min(members, key=lambda m: (m.get("geo_precision") or 9, -(m.get("confidence") or 0),
                                      m.get("published") or "", m["event_id"]))
    pairs = Counter(tuple(sorted((m.get("actor1") or "", m.get("actor2") or ""))) for m in members)
    attributions = [p for p in pairs if any(p)]
    top_pair = max(attributions, key=lambda p: (pairs[p], p), default=None)
    actor_rep = next((m for m in members if tuple(sorted((m.get("actor1") or "", m.get("actor2") or "")))
                      == top_pair), rep)
    conflicts = []
    if len(attributions) > 1:  # reports that blame different actors: all recorded, the commonest shown
        for p in sorted(attributions):
            docs = sorted({m["doc_id"] for m in members
                           if tuple(sorted((m.get("actor1") or "", m.get("actor2") or ""))) == p})
            conflicts.append({"actors": [a for a in p if a], "doc_ids": docs})
    best, low, high = fatality_range(members)
    reported = sorted(m.get("published") or m.get("event_date") or "" for m in members)
    outlets = sorted({m.get("outlet") or m["doc_id"] for m in members})
    rec: dict[str, Any] = {
        "incident_id": incident_id, "block": block,
        "event_date": _mode((m.get("event_date") for m in members), rep.get("event_date")),
        "time_precision": rep.get("time_precision"),
        "event_type": rep["event_type"],
        # of the reports of that type: a demonstration's reports may be Protests and Riots (one block)
        "sub_event_type": _mode((m.get("sub_event_type") for m in members
                                 if m.get("event_type") == rep["event_type"]), rep.get("sub_event_type")),
        "actor1": actor_rep.get("actor1"), "actor2": actor_rep.get("actor2"),
        "assoc_actor_1": actor_rep.get("assoc_actor_1", ""),
        "assoc_actor_2": actor_rep.get("assoc_actor_2", ""),
        "inter1": actor_rep.get("inter1", 0), "inter2": actor_rep.get("inter2", 0),
        **{k: rep.get(k) for k in ("country", "admin1", "admin2", "location", "latitude", "longitude",
                                   "geo_precision", "geonameid")},
        "fatalities": best, "fatalities_low": low, "fatalities_high": high,
        "source": _mode((m.get("source") for m in members), rep.get("source")),
        "notes": rep.get("notes", ""),
        "tags": ";".join(sorted({t for m in members for t in (m.get("tags") or "").split(";") if t})),
        "sources": "; ".join(outlets),
        "n_sources": len({m["doc_id"] for m in members}),
        "n_events": len(members),
        "first_reported": reported[0] or None, "last_reported": reported[-1] or None,
        "actor_conflicts": conflicts,
        "members": [dict(m) for m in sorted(members,
                                            key=lambda m: (m.get("published") or "", m["event_id"]))],
    }
    return rec


class _Consolidator:
    """The incidents of the blocks in reach, in memory: ``blocks`` lists the incident ids filed under
    each block (an incident is filed under the block of every week it reached), ``live`` holds them."""

    def __init__(self, store: Store, model: MergeModel, window: int) -> None:
        # the blocking window may be the caller's, not the model's: the model's reach() reads it
        self.store, self.model = store, model if window == model.window else replace(model, window=window)
        self.blocks: dict[str, list[str]] = {}
        self.loaded: set[str] = set()
        self.live: dict[str, _Incident] = {}
        self.created: list[str] = []
        self.grown: list[tuple[str, int, int]] = []
        self.joined = 0
        self.new_members: list[tuple[str, str, str, float]] = []
        self.dense = np.zeros(BUCKETS, np.float32)  # one report's evidence vector, dense (see cosines)

    def _vectors(self, rows: Sequence[Mapping[str, Any]], texts: Mapping[str, str]) -> list[Vector]:
        return [text_vector(texts.get(r["event_id"], "")) for r in rows]

    def _file(self, inc: _Incident, block: str) -> None:
        ids = self.blocks.setdefault(block, [])
        if inc.incident_id not in ids:
            ids.append(inc.incident_id)

    def load(self, blocks: Iterable[str]) -> None:
        missing = sorted({b for b in blocks if b not in self.loaded})
        if not missing:
            return
        self.loaded.update(missing)
        for rec in self.store.incidents_in_blocks(missing):
            inc = self.live.get(rec["incident_id"])
            if inc is None:
                members = rec["members"]
                texts = self.store.evidence_texts([m["event_id"] for m in members])
                # a model with place-name features reads the evidence text too (similarity.report); it is
                # not kept on the member
                with_text = self.model.reads_place_text
                reports = [report({**m, "evidence_text": texts.get(m["event_id"])} if with_text else m)
                           for m in members]
                inc = _Incident(rec["incident_id"], rec["block"], members, self._vectors(members, texts),
                                rec["fatalities"], reports=reports)
                self.live[inc.incident_id] = inc
            self._file(inc, rec["block"])

    def reach(self, row: Mapping[str, Any]) -> int:
        """How many days back and forth a report is compared (its blocks and its pairs' day gap): a report
        dated only approximately (by its publication, "last week") reaches further back."""
        return self.model.reach((row.get("time_precision") or 1) >= 2)

    def place(self, row: dict[str, Any], vec: Vector) -> None:
        this = report(row)
        candidates: list[_Incident] = []
        seen: set[str] = set()
        for b in candidate_blocks(row, self.reach(row)):
            for inc_id in self.blocks.get(b, ()):
                inc = self.live[inc_id]
                if inc_id in seen:
                    continue
                seen.add(inc_id)
                docs = inc.docs
                # an incident holding an event of the report's own document: never joined (one article
                # reports one incident once), or, with the model's own_doc, compared with the other
                # documents' members only (the extractor may have split one report in two)
                if row["doc_id"] in docs and (not self.model.own_doc or len(docs) == 1 or (
                        self.model.own_doc == "place" and any(
                            m["doc_id"] == row["doc_id"] and m.get("location") != row.get("location")
                            for m in inc.members))):
                    continue
                dated = [r for r in inc.reports if r.day is not None]
                # within the window of some member (the wider one when either date is approximate)
                if this.day is not None and dated and not any(
                        abs(this.day - r.day) <= self.model.reach(this.vague or r.vague) for r in dated):
                    continue
                candidates.append(inc)
        best: tuple[float, str] | None = None
        target: _Incident | None = None
        if candidates:
            # the members compared: the latest ones, of other documents
            compared = [[k for k in range(max(0, len(inc.members) - MAX_COMPARE), len(inc.members))
                         if inc.members[k]["doc_id"] != row["doc_id"]] for inc in candidates]
            sims = iter(cosines(vec, [inc.vectors[k] for inc, ks in zip(candidates, compared, strict=True)
                                      for k in ks], self.dense))
            for inc, ks in zip(candidates, compared, strict=True):
                if not ks:  # its latest members are all of the report's own document (own_doc)
                    continue
                probs = sorted((self.model.probability(pair_features(
                    this, inc.reports[k], next(sims), retelling=self.model.reads_retelling,
                    place_text=self.model.reads_place_text)) for k in ks), reverse=True)
                probs = probs[:self.model.link_top or None]
                p = sum(probs) / len(probs)
                if best is None or (p, inc.incident_id) > best:
                    best, target = (p, inc.incident_id), inc
        member = {k: row.get(k) for k in MEMBER_FIELDS}
        block = home_block(row)
        if target is not None and best is not None and best[0] >= self.model.threshold:
            member["score"] = round(best[0], 4)
            target.members.append(member)
            target.vectors.append(vec)
            target.reports.append(this)
            target.dirty = True
            # an incident reported into a later week is filed there too, so that the reports of the
            # days after can still reach it (a story told over a week stays one incident)
            if week_index(block.rsplit("|", 1)[1]) > week_index(target.block.rsplit("|", 1)[1]):
                target.block = block
                self._file(target, block)
            self.joined += 1
            self.new_members.append((row["event_id"], target.incident_id, row["doc_id"], best[0]))
        else:
            member["score"] = 1.0
            inc = _Incident(incident_id_for(row["event_id"]), block, [member], [vec], None, True, [this])
            self.live[inc.incident_id] = inc
            self._file(inc, block)
            self.created.append(inc.incident_id)
            self.new_members.append((row["event_id"], inc.incident_id, row["doc_id"], 1.0))

    def flush(self, keep_from_week: int | None = None) -> None:
        """Write the changed incidents; drop from memory those whose latest week is before
        ``keep_from_week`` (no later report can reach them)."""
        out: list[dict[str, Any]] = []
        for inc in list(self.live.values()):
            if inc.dirty:
                rec = summarise(inc.incident_id, inc.block, inc.members)
                out.append(rec)
                before = inc.fatalities_before
                if before is not None and rec["fatalities"] > before:
                    self.grown.append((inc.incident_id, before, rec["fatalities"]))
                inc.dirty = False
            if keep_from_week is not None and week_index(inc.block.rsplit("|", 1)[1]) < keep_from_week:
                del self.live[inc.incident_id]
        if keep_from_week is not None:
            for b in list(self.blocks):
                self.blocks[b] = [i for i in self.blocks[b] if i in self.live]
                if not self.blocks[b] and week_index(b.rsplit("|", 1)[1]) < keep_from_week:
                    del self.blocks[b]
        self.store.save_incidents(out, self.new_members)
        self.new_members = []


def _drop_stale(store: Store) -> None:
    """Members whose event is gone leave their incident (re-summarised, or deleted when empty)."""
    stale = store.stale_members()
    if not stale:
        return
    gone = {e for e, _ in stale}
    keep, removed = [], []
    for rec in store.iter_incidents(sorted({i for _, i in stale})):
        members = [m for m in rec["members"] if m["event_id"] not in gone]
        if members:
            keep.append(summarise(rec["incident_id"], rec["block"], members))
        else:
            removed.append(rec["incident_id"])
    store.delete_members(sorted(gone))
    store.save_incidents(keep, [], removed)
    log.info("%d events no longer stored left %d incidents (%d deleted)", len(gone), len(keep) + len(removed),
             len(removed))


def consolidate(store: Store, doc_ids: Iterable[str] | None = None, *, model: MergeModel | None = None,
                window: int | None = None) -> ConsolidationResult:
    """Place every event of ``doc_ids`` (default: of the whole store) that has no incident yet
    (``window``: the blocking day window, default the model's)."""
    model = model or merge_model()
    window = model.window if window is None else window
    _drop_stale(store)
    ids = None if doc_ids is None else sorted(set(doc_ids))
    # Only the keys of all reports are held; their records are read a week at a time. Order: week,
    # day, publication and id, the order that makes the result reproducible.
    keys = sorted((week_index(home_block(r).rsplit("|", 1)[1]), str(event_day(r) or ""), r["published"] or "",
                   r["event_id"]) for r in (dict(zip(("event_id", "event_date", "published", "event_type",
                                                      "country"), k, strict=True))
                                            for k in store.unconsolidated_keys(ids)) if r["event_type"])
    work = _Consolidator(store, model, window)
    for week, group in groupby(keys, key=lambda k: k[0]):
        order = {k[3]: n for n, k in enumerate(group)}
        chunk = sorted(store.iter_event_rows(event_ids=list(order)), key=lambda r: order[r["event_id"]])
        texts = store.evidence_texts([r["event_id"] for r in chunk])
        for r in chunk:
            # whether the report tells a new strike or retells one: read here, where the record still
            # has its provenance (the date's source), and kept on the incident's member
            r["report_kind"] = report_kind(r, texts.get(r["event_id"], ""))
            if model.reads_place_text:  # for its place-name features, not kept
                r["evidence_text"] = texts.get(r["event_id"], "")
            r.pop("provenance", None)
        work.load(b for r in chunk for b in candidate_blocks(r, work.reach(r)))
        for r, v in zip(chunk, work._vectors(chunk, texts), strict=True):
            work.place(r, v)
        # incidents of weeks the next reports cannot reach are written and forgotten: flat memory
        work.flush(keep_from_week=week - 1 if week >= 0 else None)
    work.flush()
    total = store.conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
    grown: dict[str, tuple[int, int]] = {}
    # an incident written twice in one call: first before, last after
    for inc_id, before, after in work.grown:
        grown[inc_id] = (grown.get(inc_id, (before, after))[0], after)
    created = set(work.created)
    result = ConsolidationResult(work.created, [(k, b, a) for k, (b, a) in grown.items() if k not in created],
                                 work.joined, total)
    log.info("consolidated %d event reports: %s", len(keys), result.format())
    return result


__all__ = ["ConsolidationResult", "MEMBER_FIELDS", "consolidate", "fatality_range", "incident_id_for",
           "summarise"]
