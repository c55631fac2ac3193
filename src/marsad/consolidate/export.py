"""Incident rows for ``marsad export --consolidated``: one row per incident, in every format.

Requires: a store with incidents (:func:`marsad.consolidate.consolidate`). Provides:
:data:`INCIDENT_FIELDS` (ACLED's columns plus ``incident_id``, ``sources``, ``n_sources``,
``fatalities_low``/``high``, ``first_reported``, ``last_reported``, and the ids of the member
events and documents) and :func:`incident_row`, a flat record the writers of
:mod:`marsad.io.writers` take like an event record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

INCIDENT_FIELDS: tuple[str, ...] = (
    "incident_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "assoc_actor_1", "assoc_actor_2", "inter1", "inter2", "country", "admin1", "admin2", "location",
    "latitude", "longitude", "geo_precision", "geonameid", "fatalities", "fatalities_low", "fatalities_high",
    "source", "notes", "tags", "sources", "n_sources", "n_events", "first_reported", "last_reported",
    "event_ids", "doc_ids", "actor_conflicts",
)


def incident_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The flat export row of a stored incident record (lists as ``;``-joined ids, conflicts as JSON)."""
    members = rec.get("members") or []
    row = {k: rec.get(k) for k in INCIDENT_FIELDS}
    row["event_ids"] = ";".join(m["event_id"] for m in members)
    row["doc_ids"] = ";".join(dict.fromkeys(m["doc_id"] for m in members))
    row["actor_conflicts"] = json.dumps(rec.get("actor_conflicts") or [], ensure_ascii=False)
    return row


__all__ = ["INCIDENT_FIELDS", "incident_row"]
