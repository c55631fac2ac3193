"""Alerts of ``marsad watch``: what each one says, the surge rule, and the JSONL file they go to.

Requires: the store (events, documents), the poll's :class:`IncidentUpdate` and the admin1 units
its new events fall in. Provides alert records (one JSON object per line of the alerts file, also
kept in the store's ``watch_alerts`` table), of three kinds (``alert``):

``new_incident``
    an incident the poll created: ``incident_id``, ``basis`` (``"incident"`` when consolidated,
    ``"event"`` in the fallback where each event is its own incident), ``fatalities``, its type,
    date, place and (for an event) its document id, url, title and outlet; for a consolidated
    incident, what its record in the ``incidents`` table holds of these, and ``n_sources``.
``incident_grew``
    an incident whose fatalities rose: ``fatalities_before``, ``fatalities_after`` and the same details.
``admin1_surge``
    an admin1 (governorate) whose fatalities in the last 7 days exceed its level of the 30 days
    before them. For an admin1 that the poll's new events fall in, with reference day ``D`` (the
    latest event_date among those events, and not after today, UTC):

    * ``recent``   = fatalities of the store's events in that admin1 dated ``D-6 .. D`` (7 days);
    * ``baseline`` = fatalities of those dated ``D-36 .. D-7`` (the 30 days before);
    * alert when ``recent >= min_fatalities`` (default 10) **and**
      ``recent > factor × 7 × baseline / 30`` (default factor 2: twice the baseline's daily mean
      over a week). The minimum keeps one small clash in a quiet governorate from being a surge.
    * an admin1 alerts at most once per 7 days of reference day: no new surge alert while ``D``
      is less than 7 days after the reference day of its last one.

    Sums are over consolidated incidents when there are (``basis``: ``"incidents"``), else over
    events, which count one attack twice when two articles report it: the sums are then upper bounds.

The file is appended one whole line per ``write`` and flushed and fsynced after each poll's alerts,
so a reader tailing it never sees half a record.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from marsad.errors import MarsadError, OutputError
from marsad.store.sqlite import Store
from marsad.watch.incidents import IncidentUpdate
from marsad.watch.state import WatchState, now

log = logging.getLogger(__name__)

#: (kind, key, record): the key identifies what the alert is about (an incident id, "SY|Idlib")
Alert = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SurgeRule:
    days: int = 7
    baseline_days: int = 30
    factor: float = 2.0
    min_fatalities: int = 10

    def __post_init__(self) -> None:
        if self.days < 1 or self.baseline_days < 1 or self.factor < 0 or self.min_fatalities < 0:
            raise MarsadError("the surge rule needs days >= 1, a factor and a minimum >= 0")

    def threshold(self, baseline: int) -> float:
        """The fatalities over ``days`` that a surge must exceed (besides the minimum)."""
        return self.factor * self.days * baseline / self.baseline_days


_DETAIL_FIELDS = ("fatalities", "event_type", "sub_event_type", "event_date", "country", "admin1", "location",
                  "doc_id", "url", "title", "outlet")
_EVENT_SQL = (
    "SELECT e.fatalities, e.event_type, e.sub_event_type, e.event_date, e.country, e.admin1, e.location,"
    " e.doc_id, d.url, d.title, d.outlet FROM events e"
    " LEFT JOIN documents d ON d.content_hash = e.content_hash WHERE e.event_id = ?"
)
#: the incident record's fields an alert repeats (those it holds: its schema is consolidation's)
_INCIDENT_FIELDS = (*_DETAIL_FIELDS, "n_sources")


def _details(store: Store, incident_id: str) -> dict[str, Any]:
    """What an alert says of an incident: the event's fields (the fallback: an event is its incident),
    else those of the ``incidents`` record consolidation keeps (when it exists)."""
    row = store.conn.execute(_EVENT_SQL, (incident_id,)).fetchone()
    if row:
        return dict(zip(_DETAIL_FIELDS, row, strict=True))
    try:
        row = store.conn.execute("SELECT record FROM incidents WHERE incident_id = ?",
                                 (incident_id,)).fetchone()
    except sqlite3.Error:  # no consolidation in this store
        return {}
    rec = json.loads(row[0]) if row else {}
    return {k: rec[k] for k in _INCIDENT_FIELDS if k in rec}


def incident_alerts(store: Store, update: IncidentUpdate) -> list[Alert]:
    """Alerts for the incidents ``update`` created or made deadlier, with their details."""
    basis = "incident" if update.consolidated else "event"
    out: list[Alert] = []
    for iid in update.created:
        rec = {"alert": "new_incident", "at": now(), "incident_id": iid, "basis": basis, "fatalities": None,
               **_details(store, iid)}
        out.append(("new_incident", iid, rec))
    for iid, before, after in update.grown:
        details = _details(store, iid)
        details.pop("fatalities", None)
        out.append(("incident_grew", iid, {"alert": "incident_grew", "at": now(), "incident_id": iid,
                                           "basis": basis, "fatalities_before": before,
                                           "fatalities_after": after, **details}))
    return out


def _sum(store: Store, table: str, country: str, admin1: str, first: date, last: date) -> int:
    row = store.conn.execute(
        f"SELECT COALESCE(SUM(fatalities), 0) FROM {table} WHERE country = ? AND admin1 = ?"
        " AND event_date BETWEEN ? AND ?", (country, admin1, first.isoformat(), last.isoformat()),
    ).fetchone()
    return int(row[0])


def surge_alerts(store: Store, state: WatchState, touched: dict[tuple[str, str], date],
                 rule: SurgeRule, today: date | None = None, *, consolidated: bool = False) -> list[Alert]:
    """Surge alerts for the admin1 units ``touched`` ((country, admin1) -> the latest event day the
    poll added there), by the rule of the module docstring; over the ``incidents`` table when
    ``consolidated`` (one attack reported twice counts once), else over the events."""
    table = "incidents" if consolidated else "events"
    today = today or datetime.now(UTC).date()
    out: list[Alert] = []
    for (country, admin1), latest in sorted(touched.items()):
        ref = min(latest, today)
        start = ref - timedelta(days=rule.days - 1)
        base_last = start - timedelta(days=1)
        base_first = start - timedelta(days=rule.baseline_days)
        recent = _sum(store, table, country, admin1, start, ref)
        baseline = _sum(store, table, country, admin1, base_first, base_last)
        threshold = rule.threshold(baseline)
        log.debug("%s/%s to %s: %d in %d days, baseline %d (threshold %.1f)", country, admin1, ref, recent,
                  rule.days, baseline, threshold)
        if recent < rule.min_fatalities or recent <= threshold:
            continue
        key = f"{country}|{admin1}"
        last = state.last_alert("admin1_surge", key)
        if last is not None and (ref - date.fromisoformat(last["window"][1])).days < rule.days:
            continue
        out.append(("admin1_surge", key, {
            "alert": "admin1_surge", "at": now(), "country": country, "admin1": admin1,
            "window": [start.isoformat(), ref.isoformat()], "fatalities": recent,
            "baseline_window": [base_first.isoformat(), base_last.isoformat()],
            "baseline_fatalities": baseline,
            "baseline_daily_mean": round(baseline / rule.baseline_days, 3), "threshold": round(threshold, 3),
            "factor": rule.factor, "min_fatalities": rule.min_fatalities, "basis": table,
        }))
    return out


class AlertFile:
    """Appends alert records to a JSONL file (created with its folder when missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open across polls
        except OSError as exc:
            raise OutputError(f"cannot open the alerts file {self.path}: {exc}") from exc

    def write(self, alerts: Sequence[Alert] | Iterable[Alert]) -> int:
        n = 0
        for _kind, _key, rec in alerts:
            self._fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        if n:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        return n

    def close(self) -> None:
        self._fh.close()
