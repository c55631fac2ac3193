"""The queries and aggregations behind ``marsad report``, ``marsad stats`` and ``marsad export``'s filters.

Requires: a store written by ``marsad extract --db`` (``marsad.store.sqlite``), opened read-only.
Provides: ``EventFilter`` (country, dates, type, confidence cut: validated, as SQL or as a test on a
record), ``load_items`` (the filtered incidents when the store has an ``incidents`` table, its events
otherwise, as frozen ``Item`` rows), ``admin1_by_month`` (fatalities or events per admin-1 × month),
``series_by_type`` (per event type and week), ``top_items`` (the deadliest, with their evidence
sentences cut into highlighted segments and their sources) and ``format_table`` for the terminal.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from marsad.errors import MarsadError
from marsad.recognise.triggers import EVENT_TYPES

log = logging.getLogger(__name__)

UNKNOWN = "(unknown)"  # admin-1 or month of rows without one: counted, never dropped


# ---------------------------------------------------------------------------------------------- filter

@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events (or incidents) a report, a table or an export covers. Empty = everything."""

    country: str | None = None  # ISO 3166-1 alpha-2
    date_from: str | None = None  # inclusive YYYY-MM-DD
    date_to: str | None = None
    event_type: str | None = None
    min_confidence: float | None = None

    @classmethod
    def parse(cls, country: str | None = None, date_from: str | None = None, date_to: str | None = None,
              event_type: str | None = None, min_confidence: float | None = None) -> EventFilter:
        """Checked values from the command line; a bad one raises ``MarsadError`` naming it."""
        return cls(_country_code(country) if country else None, _iso_date(date_from, "--from"),
                   _iso_date(date_to, "--to"), _event_type(event_type) if event_type else None,
                   _confidence(min_confidence))

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """The filter options shared by ``report``, ``stats`` and ``export``."""
        g = parser.add_argument_group("filters")
        g.add_argument("--country", help="ISO 3166 code or English name (SY, Yemen)")
        g.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="events on or after this day")
        g.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="events on or before this day")
        g.add_argument("--type", dest="event_type", metavar="EVENT_TYPE",
                       help=f"one event type: {', '.join(EVENT_TYPES)}")
        g.add_argument("--min-confidence", type=float, metavar="P",
                       help="keep events with confidence >= P (0-1)")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> EventFilter:
        return cls.parse(args.country, args.date_from, args.date_to, args.event_type, args.min_confidence)

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise MarsadError(f"--from {self.date_from} is after --to {self.date_to}")

    def sql(self, *, confidence: bool = True) -> tuple[str, list[Any]]:
        """A WHERE clause (``""`` or ``" WHERE ..."``) and its parameters, on the columns that the
        ``events`` and ``incidents`` tables share."""
        where: list[str] = []
        params: list[Any] = []
        for clause, value in (("country = ?", self.country), ("event_date >= ?", self.date_from),
                              ("event_date <= ?", self.date_to), ("event_type = ?", self.event_type)):
            if value is not None:
                where.append(clause)
                params.append(value)
        if confidence and self.min_confidence is not None:
            where.append("confidence >= ?")
            params.append(self.min_confidence)
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether an event record (``Event.to_record()``) passes; undated events fail a date bound."""
        day = record.get("event_date")
        conf = record.get("confidence")
        return not (
            (self.country is not None and record.get("country") != self.country)
            or (self.event_type is not None and record.get("event_type") != self.event_type)
            or (self.date_from is not None and (not day or day < self.date_from))
            or (self.date_to is not None and (not day or day > self.date_to))
            or (self.min_confidence is not None and (conf is None or conf < self.min_confidence))
        )

    def describe(self) -> str:
        parts = [f"country {self.country}" if self.country else "all countries"]
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} to {self.date_to or '…'}")
        if self.event_type:
            parts.append(self.event_type)
        if self.min_confidence is not None:
            parts.append(f"confidence ≥ {self.min_confidence:g}")
        return ", ".join(parts)

    @property
    def empty(self) -> bool:
        return self == EventFilter()


def _country_code(value: str) -> str:
    import pycountry

    try:
        return pycountry.countries.lookup(value.strip()).alpha_2
    except LookupError:
        raise MarsadError(f"--country {value!r}: not an ISO 3166 country code or name "
                          "(e.g. SY, Yemen)") from None


def _iso_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise MarsadError(f"{flag} {value!r}: not a date (YYYY-MM-DD)") from None


def _event_type(value: str) -> str:
    for name in EVENT_TYPES:
        if value.strip().lower() == name.lower():
            return name
    raise MarsadError(f"--type {value!r}: not an event type; one of: {', '.join(EVENT_TYPES)}")


def _confidence(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise MarsadError(f"--min-confidence {value}: must be between 0 and 1")
    return value


# ---------------------------------------------------------------------------------------------- rows

@dataclass(frozen=True, slots=True)
class Item:
    """One row of a report: an incident (consolidated) or an event."""

    item_id: str
    event_type: str
    country: str
    admin1: str
    location: str
    latitude: float | None
    longitude: float | None
    event_date: str | None
    fatalities: int
    confidence: float | None = None
    n_sources: int = 1

    @property
    def month(self) -> str:
        return self.event_date[:7] if self.event_date else UNKNOWN


@dataclass(frozen=True, slots=True)
class Selection:
    """What a report covers: the rows, whether they are incidents, and the cut that made them."""

    items: tuple[Item, ...]
    consolidated: bool
    flt: EventFilter
    note: str = ""


def connect(db: str | Path) -> sqlite3.Connection:
    """The store, read-only (a report never creates or changes one)."""
    path = Path(db)
    if not path.is_file():
        raise MarsadError(f"{db}: no such store (write one with `marsad extract ... --db {db}`)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM events LIMIT 1")
    except sqlite3.Error as exc:
        raise MarsadError(f"{db}: not a marsad store ({exc})") from exc
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def incident_rows(conn: sqlite3.Connection, flt: EventFilter) -> list[Item]:
    """The ``incidents`` table (written by :mod:`marsad.consolidate`), filtered: its columns for the
    filter, its record (JSON) for the place. Incidents carry no confidence of their own unless the
    table has the column; the caller falls back to events then."""
    where, params = flt.sql()
    conf = "confidence" in _columns(conn, "incidents")
    sql = ("SELECT incident_id, event_type, country, admin1, event_date, fatalities, n_sources, record"
           + (", confidence" if conf else "") + f" FROM incidents{where}")
    out = []
    for r in conn.execute(sql, params):
        rec = json.loads(r[7]) if r[7] else {}
        out.append(Item(str(r[0]), r[1] or "", r[2] or "", r[3] or "", rec.get("location") or "",
                        rec.get("latitude"), rec.get("longitude"), r[4], int(r[5] or 0),
                        r[8] if conf else None, int(r[6] or 1)))
    return out


def event_rows(conn: sqlite3.Connection, flt: EventFilter) -> list[Item]:
    where, params = flt.sql()
    sql = ("SELECT event_id, event_type, country, admin1, location, latitude, longitude, event_date,"
           f" fatalities, confidence FROM events{where}")
    return [Item(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5], r[6], r[7], int(r[8] or 0), r[9])
            for r in conn.execute(sql, params)]


def load_items(conn: sqlite3.Connection, flt: EventFilter) -> Selection:
    """Incidents when the store has them (and they can honour the confidence cut), else events."""
    cols = _columns(conn, "incidents")
    # (the store makes the table empty; it holds incidents once marsad consolidate has run)
    if cols and conn.execute("SELECT 1 FROM incidents LIMIT 1").fetchone() is None:
        cols = set()
    if cols and (flt.min_confidence is None or "confidence" in cols):
        items = incident_rows(conn, flt)
        note = "incidents: reports of one incident by several articles are counted once"
        return Selection(tuple(sorted(items, key=_order)), True, flt, note)
    note = ("events as extracted, not consolidated: an incident reported by several articles counts "
            "once per article")
    if cols:
        note += " (the incidents table has no confidence column for the cut)"
    return Selection(tuple(sorted(event_rows(conn, flt), key=_order)), False, flt, note)


def _order(item: Item) -> tuple:
    return (item.event_date or "", item.item_id)


# ---------------------------------------------------------------------------------------------- tables

@dataclass(frozen=True, slots=True)
class Table:
    """A cross-tabulation: row labels × column labels, with totals (rows by total, descending)."""

    title: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    col_totals: tuple[int, ...]
    total: int


def admin1_by_month(items: Iterable[Item], *, measure: str = "fatalities") -> Table:
    """Fatalities (``measure="fatalities"``) or events/incidents (``"events"``) per admin-1 × month.

    Rows are ``country / admin1`` when several countries are present; rows without an admin-1 are
    kept as "(unknown)" so that the totals are those of the selection."""
    items = list(items)
    several = len({i.country for i in items}) > 1
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for i in items:
        label = i.admin1 or UNKNOWN
        if several:
            label = f"{i.country or '??'} / {label}"
        acc[label][i.month] += i.fatalities if measure == "fatalities" else 1
    cols = tuple(sorted({m for row in acc.values() for m in row}, key=lambda m: (m == UNKNOWN, m)))
    row_totals = {r: sum(v.values()) for r, v in acc.items()}
    rows = tuple(sorted(acc, key=lambda r: (-row_totals[r], r)))
    cells = tuple(tuple(acc[r].get(c, 0) for c in cols) for r in rows)
    col_totals = tuple(sum(acc[r].get(c, 0) for r in rows) for c in cols)
    title = "Fatalities" if measure == "fatalities" else "Events"
    return Table(f"{title} by admin-1 and month", rows, cols, cells, tuple(row_totals[r] for r in rows),
                 col_totals, sum(col_totals))


def week_of(day: str) -> str:
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def series_by_type(items: Iterable[Item]) -> dict[str, dict[str, tuple[int, int]]]:
    """event type -> {week's Monday: (events, fatalities)}, every week of the span present (zeros
    included, so a line does not jump over quiet weeks). Undated rows are left out of the series."""
    weeks: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    dated = [i for i in items if i.event_date]
    for i in dated:
        cell = weeks[i.event_type][week_of(i.event_date)]  # type: ignore[arg-type]
        cell[0] += 1
        cell[1] += i.fatalities
    if not dated:
        return {}
    first = date.fromisoformat(min(week_of(i.event_date) for i in dated))  # type: ignore[arg-type]
    last = date.fromisoformat(max(week_of(i.event_date) for i in dated))  # type: ignore[arg-type]
    span = [(first + timedelta(days=7 * k)).isoformat() for k in range((last - first).days // 7 + 1)]
    return {t: {w: tuple(weeks[t].get(w, (0, 0))) for w in span} for t in sorted(weeks)}  # type: ignore[misc]


def format_table(table: Table, *, max_cols: int | None = None) -> str:
    """A plain-text table for the terminal (right-aligned numbers, a total row and column)."""
    cols = list(table.cols)
    cells = [list(r) for r in table.cells]
    col_totals = list(table.col_totals)
    title = table.title
    if max_cols is not None and 0 < max_cols < len(cols):  # keep the latest months
        title += f" (the latest {max_cols} of {len(cols)} months shown; totals are over all months)"
        cols, cells, col_totals = cols[-max_cols:], [r[-max_cols:] for r in cells], col_totals[-max_cols:]
    head = ["admin1", *cols, "total"]
    body = [[r, *map(str, c), str(t)] for r, c, t in zip(table.rows, cells, table.row_totals, strict=True)]
    body.append(["total", *map(str, col_totals), str(table.total)])
    widths = [max(len(row[k]) for row in [head, *body]) for k in range(len(head))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(row[0].ljust(widths[0]) if k == 0 else cell.rjust(widths[k])
                         for k, cell in enumerate(row))

    rule = "-" * len(line(head))
    return "\n".join([title, line(head), rule, *map(line, body[:-1]), rule, line(body[-1])])


def stats_text(db: str | Path, flt: EventFilter, *, max_cols: int | None = None) -> str:
    """``marsad stats``: the fatalities and events tables of a store, and what they count."""
    conn = connect(db)
    try:
        selection = load_items(conn, flt)
    finally:
        conn.close()
    unit = "incidents" if selection.consolidated else "events"
    head = (f"{len(selection.items)} {unit}, {sum(i.fatalities for i in selection.items)} fatalities; "
            f"{flt.describe()}\n{selection.note}")
    tables = [format_table(admin1_by_month(selection.items, measure=m), max_cols=max_cols)
              for m in ("fatalities", "events")]
    return "\n\n".join([head, *tables])


# ---------------------------------------------------------------------------------------------- evidence

@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an evidence sentence; ``field`` names what a highlighted piece is evidence of."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One event behind a top item: its sentences (highlighted) and where it was reported."""

    event_id: str
    doc_id: str
    sentences: tuple[tuple[Segment, ...], ...]
    source: str
    outlet: str
    title: str
    url: str
    published: str


@dataclass(frozen=True, slots=True)
class TopItem:
    item: Item
    sub_event_type: str
    actors: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


_LETTER = re.compile(r"\w")


def word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole words: a highlight that starts or ends inside an Arabic word would
    cut its letters' joining (and clitics such as و/ب/ال are glued to the word they precede)."""
    while start > 0 and _LETTER.match(text[start - 1]):
        start -= 1
    while end < len(text) and _LETTER.match(text[end]):
        end += 1
    return start, end


def segments(text: str, sentence: tuple[int, int], marks: Mapping[str, Sequence[int]]) -> tuple[Segment, ...]:
    """Cut one evidence sentence into plain and highlighted segments (offsets index ``text``).

    Highlights are the provenance spans inside the sentence, widened to whole words; overlapping
    ones merge (the first field named wins the label)."""
    s0, s1 = sentence
    spans: list[tuple[int, int, str]] = []
    for name, span in marks.items():
        if len(span) == 2 and s0 <= span[0] < span[1] <= s1:
            a, b = word_bounds(text, span[0], span[1])
            spans.append((max(a, s0), min(b, s1), name))
    spans.sort()
    merged: list[list[Any]] = []
    for a, b, name in spans:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
            merged[-1][2] += f", {name}"
        else:
            merged.append([a, b, name])
    out: list[Segment] = []
    pos = s0
    for a, b, name in merged:
        if a > pos:
            out.append(Segment(text[pos:a]))
        out.append(Segment(text[a:b], name))
        pos = b
    if pos < s1:
        out.append(Segment(text[pos:s1]))
    return tuple(out)


def _member_events(conn: sqlite3.Connection, item: Item, consolidated: bool) -> list[str]:
    """The events behind an item: itself, or an incident's members when the store links them."""
    if not consolidated:
        return [item.item_id]
    if _columns(conn, "incident_members"):  # marsad.consolidate's link of events to incidents
        return [r[0] for r in conn.execute("SELECT event_id FROM incident_members WHERE incident_id = ?",
                                           (item.item_id,))]
    return []


def evidence_of(conn: sqlite3.Connection, event_id: str) -> tuple[Evidence, dict[str, Any]] | None:
    row = conn.execute(
        "SELECT e.record, d.text, d.outlet, d.title, d.url, d.published FROM events e JOIN documents d"
        " ON d.content_hash = e.content_hash WHERE e.event_id = ?", (event_id,)).fetchone()
    if row is None:
        return None
    rec = json.loads(row[0])
    text = row[1]
    marks = rec.get("provenance") or {}
    sentences = tuple(segments(text, (s, e), marks) for s, e in rec.get("evidence") or ()
                      if 0 <= s < e <= len(text))
    ev = Evidence(event_id, rec.get("doc_id", ""), sentences, rec.get("source") or "", row[2] or "",
                  row[3] or "", row[4] or "", row[5] or "")
    return ev, rec


def top_items(conn: sqlite3.Connection, selection: Selection, n: int = 10, *,
              max_evidence: int = 3) -> list[TopItem]:
    """The ``n`` deadliest items (ties: more sources, then earlier), with up to ``max_evidence``
    reports each."""
    ranked = sorted(selection.items,
                    key=lambda i: (-i.fatalities, -i.n_sources, i.event_date or "", i.item_id))
    out = []
    for item in ranked[:n]:
        evidence = []
        sub, actors = "", ""
        for event_id in _member_events(conn, item, selection.consolidated)[:max_evidence]:
            found = evidence_of(conn, event_id)
            if found is None:
                continue
            ev, rec = found
            evidence.append(ev)
            sub = sub or rec.get("sub_event_type") or ""
            actors = actors or " vs ".join(a for a in (rec.get("actor1"), rec.get("actor2")) if a)
        out.append(TopItem(item, sub, actors, tuple(evidence)))
    return out


__all__ = ["UNKNOWN", "EventFilter", "Evidence", "Item", "Segment", "Selection", "Table", "TopItem",
           "admin1_by_month", "connect", "event_rows", "evidence_of", "format_table", "incident_rows",
           "load_items", "segments", "series_by_type", "stats_text", "top_items", "week_of", "word_bounds"]
