"""Incidents on the review desk: which reports (events of several articles) consolidation
(:mod:`marsad.consolidate`) found to describe one incident.

They are machine data, copied from the extraction store's ``incidents`` and
``incident_members`` tables into the desk's own ``review_incidents`` and
``review_incident_members`` (migration 3) when the store is imported, so a PostgreSQL desk
has them too. A re-import replaces the membership of the imported articles (consolidation may
have regrouped them); reviews are never touched, since they live on the events.

The article view shows each event's incident (sources, fatalities best/low/high) with links
to the other member reports; the queue shows the incident and filters by it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marsad.errors import StoreError

if TYPE_CHECKING:
    from marsad.review.db import Desk

log = logging.getLogger(__name__)

MIGRATION: tuple[str, ...] = (
    """CREATE TABLE review_incidents (
        incident_id TEXT PRIMARY KEY, event_date TEXT, event_type TEXT, sub_event_type TEXT, country TEXT,
        admin1 TEXT, location TEXT, n_sources INTEGER, n_events INTEGER, fatalities INTEGER,
        fatalities_low INTEGER, fatalities_high INTEGER, imported TEXT NOT NULL)""",
    """CREATE TABLE review_incident_members (
        event_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, doc_id TEXT NOT NULL)""",
    "CREATE INDEX review_incident_members_incident ON review_incident_members(incident_id)",
    "CREATE INDEX review_incident_members_doc ON review_incident_members(doc_id)",
)
_COLS = ("incident_id", "event_date", "event_type", "sub_event_type", "country", "admin1", "location",
         "n_sources", "n_events", "fatalities", "fatalities_low", "fatalities_high")
#: the queue's incident filter: a keyword, or else an incident id
FILTER_CHOICES = {"in": "in an incident", "multi": "reported by 2+ sources", "none": "in no incident"}


@dataclass(frozen=True, slots=True)
class Member:
    """A member report of an incident: an event and its article."""

    event_id: str
    doc_id: str
    title: str | None
    published: str | None
    outlet: str | None


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident as the desk shows it: consolidated values and its member reports."""

    incident_id: str
    event_date: str | None
    sub_event_type: str | None
    location: str | None
    n_sources: int
    n_events: int
    fatalities: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    members: tuple[Member, ...]

    def others(self, doc_id: str) -> list[Member]:
        """The members reported by other articles than ``doc_id`` (what a reviewer would open)."""
        return [m for m in self.members if m.doc_id != doc_id]


# ---------------------------------------------------------------------------------- import

StoreIncidents = tuple[list[dict[str, Any]], list[tuple[str, str, str]]]


def read_store(conn: sqlite3.Connection) -> StoreIncidents | None:
    """The incident records and ``(event_id, incident_id, doc_id)`` members of an extraction
    store, or None when it predates consolidation (no such tables)."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"incidents", "incident_members"} <= names:
        return None
    records = [json.loads(r) for (r,) in conn.execute("SELECT record FROM incidents ORDER BY incident_id")]
    members = conn.execute("SELECT event_id, incident_id, doc_id FROM incident_members"
                           " ORDER BY event_id").fetchall()
    return records, [(str(e), str(i), str(d)) for e, i, d in members]


def save(desk: Desk, found: StoreIncidents, doc_ids: Sequence[str], stamp: str) -> int:
    """Replace the incident membership of the store's articles ``doc_ids`` by ``found``; one
    transaction. Returns the number of incidents written."""
    records, members = found
    with desk.transaction():
        for doc_id in doc_ids:  # consolidation may have regrouped them since the last import
            desk.execute("DELETE FROM review_incident_members WHERE doc_id = ?", (doc_id,))
        for rec in records:
            row = _row(rec)
            desk.execute("DELETE FROM review_incidents WHERE incident_id = ?", (row[0],))
            desk.execute(f"INSERT INTO review_incidents({', '.join(_COLS)}, imported)"
                         f" VALUES ({', '.join('?' * (len(_COLS) + 1))})", (*row, stamp))
        for event_id, incident_id, doc_id in members:
            desk.execute("DELETE FROM review_incident_members WHERE event_id = ?", (event_id,))
            desk.execute("INSERT INTO review_incident_members(event_id, incident_id, doc_id)"
                         " VALUES (?, ?, ?)", (event_id, incident_id, doc_id))
    if records:
        log.info("%d incidents with %d member reports on the desk", len(records), len(members))
    return len(records)


def _row(rec: Mapping[str, Any]) -> tuple[Any, ...]:
    if not rec.get("incident_id"):
        raise StoreError(f"an incident record without an id: {str(rec)[:80]}")

    def num(key: str) -> int | None:
        value = rec.get(key)
        return int(value) if isinstance(value, int | float) else None

    return (str(rec["incident_id"]), rec.get("event_date"), rec.get("event_type"), rec.get("sub_event_type"),
            rec.get("country"), rec.get("admin1"), rec.get("location"), num("n_sources") or 0,
            num("n_events") or 0, num("fatalities"), num("fatalities_low"), num("fatalities_high"))


# ---------------------------------------------------------------------------------- reading


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def brief(desk: Desk, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
    """``event_id -> (incident_id, n_sources)`` of the given events that belong to an incident
    (the queue's column)."""
    out: dict[str, tuple[str, int]] = {}
    for i in range(0, len(event_ids), 500):
        chunk = list(event_ids[i:i + 500])
        for eid, iid, n in desk.rows(
                "SELECT m.event_id, m.incident_id, i.n_sources FROM review_incident_members m"
                " LEFT JOIN review_incidents i ON i.incident_id = m.incident_id"
                f" WHERE m.event_id IN ({_placeholders(chunk)})", chunk):
            out[eid] = (iid, int(n or 0))
    return out


def of_events(desk: Desk, event_ids: Sequence[str]) -> dict[str, Incident]:
    """``event_id -> Incident`` of the given events that belong to one (the article view)."""
    which = brief(desk, event_ids)
    ids = sorted({iid for iid, _ in which.values()})
    if not ids:
        return {}
    members: dict[str, list[Member]] = {}  # (those whose article is on the desk: a link must open)
    for eid, iid, doc_id, title, published, outlet in desk.rows(
            "SELECT m.event_id, m.incident_id, m.doc_id, d.title, d.published, d.outlet"
            " FROM review_incident_members m JOIN review_documents d ON d.doc_id = m.doc_id"
            f" WHERE m.incident_id IN ({_placeholders(ids)}) ORDER BY d.published, m.event_id", ids):
        members.setdefault(iid, []).append(Member(eid, doc_id, title, published, outlet))
    incidents: dict[str, Incident] = {}
    for row in desk.rows(f"SELECT {', '.join(_COLS)} FROM review_incidents"
                         f" WHERE incident_id IN ({_placeholders(ids)})", ids):
        d = dict(zip(_COLS, row, strict=True))
        incidents[d["incident_id"]] = Incident(
            d["incident_id"], d["event_date"], d["sub_event_type"], d["location"], int(d["n_sources"] or 0),
            int(d["n_events"] or 0), d["fatalities"], d["fatalities_low"], d["fatalities_high"],
            tuple(members.get(d["incident_id"], ())))
    return {eid: incidents[iid] for eid, (iid, _) in which.items() if iid in incidents}


def where(value: str) -> tuple[str, list[Any]]:
    """The queue filter's SQL condition on ``review_events``: a keyword of :data:`FILTER_CHOICES`
    or an incident id."""
    if value == "in":
        return "event_id IN (SELECT event_id FROM review_incident_members)", []
    if value == "none":
        return "event_id NOT IN (SELECT event_id FROM review_incident_members)", []
    if value == "multi":
        return ("event_id IN (SELECT m.event_id FROM review_incident_members m JOIN review_incidents i"
                " ON i.incident_id = m.incident_id WHERE i.n_sources > 1)"), []
    return "event_id IN (SELECT event_id FROM review_incident_members WHERE incident_id = ?)", [value]


__all__ = ["FILTER_CHOICES", "Incident", "Member", "brief", "of_events", "read_store", "save", "where"]
