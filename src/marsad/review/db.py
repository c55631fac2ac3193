"""The review desk's data layer: one schema over SQLite (default) and PostgreSQL.

``Desk.open("reviews.db")`` or ``Desk.open("postgresql://user@host:port/db")``. The tables are
the desk's own (``review_*``), created by numbered migrations recorded in
``review_schema_version``; in a SQLite file they sit beside the extraction store's tables
(``documents``, ``events`` ...), which :meth:`Desk.import_store` copies from and never writes.

Nothing is lost: an event's machine output (``original``) is written once and never
changed; every change (edit, approve, reject, delete, undo, add) is a new row of
``review_event_versions`` with who, when, the record and state before and after. Versions are
optimistic: a change names the version it was made on, and a stale one raises
:class:`Conflict` (HTTP 409) instead of overwriting a colleague's change. ``UNIQUE(event_id,
version)`` makes a duplicated or interleaved write impossible even across processes.

SQL is written once with ``?`` placeholders; the PostgreSQL dialect turns them into ``%s``.
One connection per thread (FastAPI runs sync routes in a thread pool).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from marsad.annotations.labels import valid_event
from marsad.errors import DependencyError, MarsadError, StoreError
from marsad.review import incidents

log = logging.getLogger(__name__)

STATES = ("pending", "approved", "rejected", "deleted")
ROLES = ("viewer", "reviewer", "admin")
#: fields a reviewer may change, with their type (the rest of a record is machine bookkeeping)
EDITABLE: dict[str, type] = {
    "event_date": str, "time_precision": int, "event_type": str, "sub_event_type": str,
    "actor1": str, "actor2": str, "assoc_actor_1": str, "assoc_actor_2": str,
    "country": str, "admin1": str, "admin2": str, "location": str, "latitude": float, "longitude": float,
    "geo_precision": int, "geonameid": int, "fatalities": int, "injuries": int, "source": str, "notes": str,
}
_NOT_NULL = frozenset({"event_type", "sub_event_type", "time_precision", "fatalities"})
#: columns of ``review_events`` copied from the current record, for filtering and sorting
FILTER_COLUMNS = ("event_date", "country", "admin1", "event_type", "sub_event_type", "actor1", "actor2",
                  "source", "location")


class Conflict(MarsadError):
    """The event changed since the version the change was made on (reload and redo)."""


class NotFound(MarsadError):
    """No such event, document or user."""


class Invalid(MarsadError):
    """A change that breaks the record's contract (unknown field, bad type, unknown event type)."""


# ---------------------------------------------------------------------------------- migrations
# {pk}: an auto-numbered primary key; {real}: a float column (the dialects spell them differently)
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        """CREATE TABLE review_documents (
            doc_id TEXT PRIMARY KEY, text TEXT NOT NULL, published TEXT, title TEXT, outlet TEXT,
            url TEXT, content_hash TEXT, added TEXT NOT NULL)""",
        """CREATE TABLE review_events (
            event_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES review_documents(doc_id),
            version INTEGER NOT NULL, state TEXT NOT NULL, origin TEXT NOT NULL,
            original TEXT, record TEXT NOT NULL,
            event_date TEXT, country TEXT, admin1 TEXT, event_type TEXT, sub_event_type TEXT,
            actor1 TEXT, actor2 TEXT, source TEXT, location TEXT,
            confidence {real}, fatalities INTEGER, priority {real} NOT NULL,
            updated TEXT NOT NULL, updated_by TEXT)""",
        "CREATE INDEX review_events_doc ON review_events(doc_id)",
        "CREATE INDEX review_events_queue ON review_events(state, priority)",
        "CREATE INDEX review_events_date ON review_events(event_date)",
        """CREATE TABLE review_event_versions (
            id {pk}, event_id TEXT NOT NULL, version INTEGER NOT NULL, username TEXT, at TEXT NOT NULL,
            action TEXT NOT NULL, before TEXT, after TEXT, state_before TEXT, state_after TEXT NOT NULL,
            UNIQUE (event_id, version))""",
    )),
    (2, (
        """CREATE TABLE review_users (
            name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created TEXT NOT NULL)""",
        """CREATE TABLE review_sessions (
            token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES review_users(name),
            created TEXT NOT NULL, expires TEXT NOT NULL)""",
        "CREATE TABLE review_login_failures (id {pk}, key TEXT NOT NULL, at TEXT NOT NULL)",
        "CREATE INDEX review_login_failures_key ON review_login_failures(key, at)",
    )),
    (3, incidents.MIGRATION),  # consolidation's incidents and their member reports (review/incidents.py)
)
LATEST = MIGRATIONS[-1][0]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def priority(record: Mapping[str, Any]) -> float:
    """Higher first: low confidence and high tolls need a reviewer most (each term in [0, 1])."""
    conf = record.get("confidence")
    deaths = record.get("fatalities") or 0
    return round((1.0 - (conf if isinstance(conf, int | float) else 0.5)) + min(int(deaths), 100) / 100, 6)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One reviewed event: its current record, review state, version and machine original."""

    event_id: str
    doc_id: str
    version: int
    state: str
    origin: str  # "machine" (imported) or "reviewer" (added on the desk)
    record: dict[str, Any]
    original: dict[str, Any] | None
    updated: str
    updated_by: str | None

    @property
    def changed_fields(self) -> list[str]:
        """Fields whose current value differs from the machine's."""
        if self.original is None:
            return []
        return [k for k in EDITABLE if self.record.get(k) != self.original.get(k)]


@dataclass(frozen=True, slots=True)
class Filters:
    """The queue's filters; empty strings and None mean "any"."""

    date_from: str | None = None
    date_to: str | None = None
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    actor: str | None = None
    source: str | None = None
    conf_min: float | None = None
    conf_max: float | None = None
    states: tuple[str, ...] = field(default_factory=tuple)
    incident: str | None = None  # "in", "multi", "none" or an incident id (review.incidents.where)

    def where(self) -> tuple[str, list[Any]]:
        sql: list[str] = []
        params: list[Any] = []
        if self.date_from:
            sql.append("event_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            sql.append("event_date <= ?")
            params.append(self.date_to)
        for col, value in (("country", self.country), ("admin1", self.admin1),
                           ("event_type", self.event_type)):
            if value:
                sql.append(f"{col} = ?")
                params.append(value)
        if self.actor:
            sql.append("(LOWER(actor1) LIKE ? OR LOWER(actor2) LIKE ?)")
            params += [f"%{self.actor.lower()}%"] * 2
        if self.source:
            sql.append("LOWER(source) LIKE ?")
            params.append(f"%{self.source.lower()}%")
        if self.conf_min is not None:
            sql.append("confidence >= ?")
            params.append(self.conf_min)
        if self.conf_max is not None:
            sql.append("confidence <= ?")
            params.append(self.conf_max)
        if self.incident:
            cond, args = incidents.where(self.incident)
            sql.append(cond)
            params += args
        if self.states:
            sql.append(f"state IN ({', '.join('?' * len(self.states))})")
            params += list(self.states)
        return (" WHERE " + " AND ".join(sql) if sql else ""), params


def check_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with each value coerced to its field's type; :class:`Invalid` otherwise."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        kind = EDITABLE.get(key)
        if kind is None:
            raise Invalid(f"{key!r} cannot be edited")
        if value is None or (isinstance(value, str) and not value.strip() and kind is not str):
            value = None
        elif kind is str:
            value = str(value).strip() or None
        else:
            try:
                value = kind(value)
            except (TypeError, ValueError) as exc:
                raise Invalid(f"{key}: {value!r} is not a {kind.__name__}") from exc
        if value is None and key in _NOT_NULL:
            raise Invalid(f"{key} cannot be empty")
        if key == "event_date" and value is not None:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise Invalid(f"event_date: {value!r} is not YYYY-MM-DD") from exc
        if key in ("fatalities", "injuries") and value is not None and value < 0:
            raise Invalid(f"{key} cannot be negative")
        if key in ("time_precision", "geo_precision") and value is not None and value not in (1, 2, 3):
            raise Invalid(f"{key} is 1, 2 or 3")
        out[key] = value
    return out


class Desk:
    """The desk's database. Thread-safe: each thread gets its own connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = "postgresql" if url.startswith(("postgresql://", "postgres://")) else "sqlite"
        self._local = threading.local()
        self._all: list[Any] = []
        self._all_lock = threading.Lock()
        self._facets: tuple[float, dict[str, list[str]]] | None = None
        if self.dialect == "postgresql":
            try:
                import psycopg  # noqa: F401
            except ImportError as exc:  # pragma: no cover - depends on the installed extras
                raise DependencyError("PostgreSQL needs psycopg: pip install 'marsad[web]'") from exc
        else:
            parent = Path(url).expanduser().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {parent}: {exc}") from exc

    @classmethod
    def open(cls, url: str | Path) -> Desk:
        """Open the desk at ``url`` (a SQLite path or a ``postgresql://`` URL) and migrate it."""
        desk = cls(str(url))
        desk.migrate()
        return desk

    # ------------------------------------------------------------------ connections

    def _connect(self) -> Any:
        try:
            if self.dialect == "postgresql":
                import psycopg

                return psycopg.connect(self.url, autocommit=True)
            conn = sqlite3.connect(str(Path(self.url).expanduser()), timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            return conn
        except Exception as exc:  # sqlite3.Error, psycopg.Error: both mean "no database here"
            raise StoreError(f"cannot open the review database {self.url}: {exc}") from exc

    @property
    def conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._all_lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing what may already be gone
                    log.debug("closing a connection failed", exc_info=True)
            self._all.clear()
        self._local = threading.local()

    def _sql(self, sql: str) -> str:
        if self.dialect == "postgresql":
            return sql.replace("?", "%s")
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), tuple(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (SQLite: ``BEGIN IMMEDIATE``, so writers queue instead of failing)."""
        conn = self.conn
        if self.dialect == "postgresql":
            with conn.transaction():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # ------------------------------------------------------------------ migrations

    def _ddl(self, sql: str) -> str:
        if self.dialect == "postgresql":
            return sql.replace("{pk}", "BIGSERIAL PRIMARY KEY").replace("{real}", "DOUBLE PRECISION")
        return sql.replace("{pk}", "INTEGER PRIMARY KEY").replace("{real}", "REAL")

    def schema_version(self) -> int:
        row = self.one("SELECT MAX(version) FROM review_schema_version")
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> list[int]:
        """Apply the migrations not yet applied (each in its own transaction); returns their numbers."""
        self.execute("CREATE TABLE IF NOT EXISTS review_schema_version (version INTEGER PRIMARY KEY,"
                     " applied TEXT NOT NULL)")
        applied: list[int] = []
        for number, statements in MIGRATIONS:
            with self.transaction():
                if self.dialect == "postgresql":  # two servers starting at once migrate one after the other
                    self.execute("SELECT pg_advisory_xact_lock(16016)")
                if self.one("SELECT 1 FROM review_schema_version WHERE version = ?", (number,)):
                    continue
                for stmt in statements:
                    self.execute(self._ddl(stmt))
                self.execute("INSERT INTO review_schema_version(version, applied) VALUES (?, ?)",
                             (number, now()))
                applied.append(number)
        if applied:
            log.info("review database %s migrated to version %d", self.url, applied[-1])
        version = self.schema_version()
        if version > LATEST:
            raise StoreError(f"{self.url}: review schema version {version} is newer than this marsad")
        return applied

    # ------------------------------------------------------------------ import

    def import_records(self, doc: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> int:
        """Add a document and its machine events; those already on the desk are left as they are
        (a re-import never undoes a review). Returns the number of events added."""
        added = 0
        stamp = now()
        with self.transaction():
            if not self.one("SELECT 1 FROM review_documents WHERE doc_id = ?", (doc["doc_id"],)):
                self.execute(
                    "INSERT INTO review_documents(doc_id, text, published, title, outlet, url, content_hash,"
                    " added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc["doc_id"], doc["text"], doc.get("published"), doc.get("title"), doc.get("outlet"),
                     doc.get("url"), doc.get("content_hash"), stamp))
            for rec in records:
                if self.one("SELECT 1 FROM review_events WHERE event_id = ?", (rec["event_id"],)):
                    continue
                self._insert_event(dict(rec), "machine", "pending", None, "import", stamp)
                added += 1
        return added

    def _insert_event(self, rec: dict[str, Any], origin: str, state: str, user: str | None, action: str,
                      stamp: str) -> None:
        body = json.dumps(rec, ensure_ascii=False)
        self.execute(
            f"INSERT INTO review_events(event_id, doc_id, version, state, origin, original, record,"
            f" {', '.join(FILTER_COLUMNS)}, confidence, fatalities, priority, updated, updated_by)"
            f" VALUES ({', '.join('?' * (len(FILTER_COLUMNS) + 12))})",
            (rec["event_id"], rec["doc_id"], 1, state, origin, body if origin == "machine" else None, body,
             *(rec.get(c) for c in FILTER_COLUMNS), rec.get("confidence"), rec.get("fatalities"),
             priority(rec), stamp, user))
        self.execute(
            "INSERT INTO review_event_versions(event_id, version, username, at, action, before, after,"
            " state_before, state_after) VALUES (?, 1, ?, ?, ?, NULL, ?, NULL, ?)",
            (rec["event_id"], user, stamp, action, body, state))

    def import_store(self, path: str | Path) -> tuple[int, int]:
        """Copy the documents and events of an extraction store (a marsad SQLite file) that the
        desk does not hold yet; returns (documents seen, events added)."""
        src = Path(path).expanduser()
        if not src.exists():
            raise StoreError(f"{src}: no such store")
        try:
            conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
            has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone()
            if not has:
                conn.close()
                return 0, 0
            docs = conn.execute(
                "SELECT doc_id, text, published, title, outlet, url, content_hash FROM documents"
                " ORDER BY added, id").fetchall()
            by_doc: dict[str, list[dict[str, Any]]] = {}
            for doc_id, record in conn.execute("SELECT doc_id, record FROM events ORDER BY doc_id, seq"):
                by_doc.setdefault(doc_id, []).append(json.loads(record))
            found = incidents.read_store(conn)
            conn.close()
        except sqlite3.Error as exc:
            raise StoreError(f"{src}: cannot read the extraction store: {exc}") from exc
        latest = {d[0]: d for d in docs}  # a revised article: its last version, as Store.get_document
        n_events = 0
        for doc_id, text, published, title, outlet, url, h in latest.values():
            doc = {"doc_id": doc_id, "text": text, "published": published, "title": title, "outlet": outlet,
                   "url": url, "content_hash": h}
            n_events += self.import_records(doc, by_doc.get(doc_id, []))
        if found is not None:
            incidents.save(self, found, list(latest), now())
        return len(latest), n_events

    # ------------------------------------------------------------------ reading

    def document(self, doc_id: str) -> dict[str, Any] | None:
        row = self.one("SELECT doc_id, text, published, title, outlet, url FROM review_documents"
                       " WHERE doc_id = ?", (doc_id,))
        if row is None:
            return None
        return dict(zip(("doc_id", "text", "published", "title", "outlet", "url"), row, strict=True))

    _EVENT_COLS = "event_id, doc_id, version, state, origin, record, original, updated, updated_by"

    @staticmethod
    def _event_row(row: Sequence[Any]) -> EventRow:
        return EventRow(row[0], row[1], int(row[2]), row[3], row[4], json.loads(row[5]),
                        json.loads(row[6]) if row[6] else None, row[7], row[8])

    def event(self, event_id: str) -> EventRow:
        row = self.one(f"SELECT {self._EVENT_COLS} FROM review_events WHERE event_id = ?", (event_id,))
        if row is None:
            raise NotFound(f"no event {event_id!r}")
        return self._event_row(row)

    def events_of(self, doc_id: str, *, with_deleted: bool = False) -> list[EventRow]:
        sql = f"SELECT {self._EVENT_COLS} FROM review_events WHERE doc_id = ?"
        if not with_deleted:
            sql += " AND state != 'deleted'"
        return [self._event_row(r) for r in self.rows(sql + " ORDER BY event_id", (doc_id,))]

    def query(self, filters: Filters, *, limit: int | None = 200, offset: int = 0) -> list[EventRow]:
        """Events matching ``filters``, those that most need a reviewer first."""
        where, params = filters.where()
        sql = f"SELECT {self._EVENT_COLS} FROM review_events{where} ORDER BY priority DESC, event_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [self._event_row(r) for r in self.rows(sql, params)]

    def counts(self, filters: Filters) -> dict[str, int]:
        """Events matching ``filters`` (whatever their state) by review state, and ``total``."""
        where, params = Filters(**{**_asdict(filters), "states": ()}).where()
        out = dict.fromkeys(STATES, 0)
        for state, n in self.rows(f"SELECT state, COUNT(*) FROM review_events{where} GROUP BY state", params):
            out[state] = int(n)
        out["total"] = sum(out[s] for s in STATES)
        return out

    def facets(self, max_age: float = 30.0) -> dict[str, list[str]]:
        """The distinct values of the filterable columns (for the queue's drop-down lists); they
        change rarely, and scanning every event on every page view is what slowed the queue."""
        cached = self._facets
        if cached is not None and time.monotonic() - cached[0] < max_age:
            return cached[1]
        out = {}
        for col in ("country", "admin1", "event_type"):
            out[col] = [r[0] for r in self.rows(
                f"SELECT DISTINCT {col} FROM review_events WHERE {col} IS NOT NULL ORDER BY {col}")]
        self._facets = (time.monotonic(), out)
        return out

    def history(self, event_id: str) -> list[dict[str, Any]]:
        cols = ("version", "username", "at", "action", "before", "after", "state_before", "state_after")
        out = []
        for row in self.rows(f"SELECT {', '.join(cols)} FROM review_event_versions WHERE event_id = ?"
                             " ORDER BY version", (event_id,)):
            d = dict(zip(cols, row, strict=True))
            d["before"] = json.loads(d["before"]) if d["before"] else None
            d["after"] = json.loads(d["after"]) if d["after"] else None
            out.append(d)
        return out

    def documents_with_events(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT DISTINCT doc_id FROM review_events ORDER BY doc_id")]

    # ------------------------------------------------------------------ changes

    def _change(self, event_id: str, version: int, user: str, action: str,
                make: Any) -> EventRow:
        """Apply ``make(current) -> (record, state)`` as version ``version + 1``, or raise Conflict."""
        with self.transaction():
            self._apply(event_id, version, user, action, make)
        log.info("%s %s %s -> v%d", user, action, event_id, version + 1)
        return self.event(event_id)

    def _apply(self, event_id: str, version: int, user: str, action: str, make: Any) -> None:
        """:meth:`_change` inside the caller's transaction (a merge changes two events in one)."""
        cur = self.event(event_id)
        if cur.version != version:
            raise Conflict(f"event {event_id} is at version {cur.version}, not {version}:"
                           f" {cur.updated_by or 'someone'} changed it at {cur.updated}")
        record, state = make(cur)
        body = json.dumps(record, ensure_ascii=False)
        stamp = now()
        sets = ", ".join(f"{c} = ?" for c in FILTER_COLUMNS)
        res = self.execute(
            f"UPDATE review_events SET version = ?, state = ?, record = ?, {sets}, confidence = ?,"
            f" fatalities = ?, priority = ?, updated = ?, updated_by = ? WHERE event_id = ? AND version = ?",
            (version + 1, state, body, *(record.get(c) for c in FILTER_COLUMNS), record.get("confidence"),
             record.get("fatalities"), priority(record), stamp, user, event_id, version))
        if res.rowcount != 1:  # another process got there between our read and write
            raise Conflict(f"event {event_id} changed while saving; reload it")
        self.execute(
            "INSERT INTO review_event_versions(event_id, version, username, at, action, before, after,"
            " state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event_id, version + 1, user, stamp, action, json.dumps(cur.record, ensure_ascii=False), body,
             cur.state, state))

    def merge(self, keep_id: str, keep_version: int, drop_id: str, drop_version: int, user: str) -> EventRow:
        """Two reports of one event: ``drop_id`` is deleted (action ``merge``) and ``keep_id``
        gains its evidence, in one transaction (a stale version of either is a Conflict)."""
        if keep_id == drop_id:
            raise Invalid("an event cannot be merged with itself")
        dropped = self.event(drop_id)
        if dropped.doc_id != self.event(keep_id).doc_id:
            raise Invalid("only events of the same article can be merged")

        def grow(cur: EventRow) -> tuple[dict[str, Any], str]:
            evidence = [list(x) for x in cur.record.get("evidence") or []]
            evidence += [list(x) for x in dropped.record.get("evidence") or [] if list(x) not in evidence]
            tags = [*(cur.record.get("tags") or []), f"merged:{drop_id}"]
            return {**cur.record, "evidence": sorted(evidence), "tags": tags}, cur.state

        with self.transaction():
            self._apply(drop_id, drop_version, user, "merge", lambda cur: (cur.record, "deleted"))
            self._apply(keep_id, keep_version, user, "merge", grow)
        log.info("%s merged %s into %s", user, drop_id, keep_id)
        return self.event(keep_id)

    def split(self, event_id: str, version: int, user: str) -> EventRow:
        """One report of two events (two places, two days): a copy of the event, pending, for the
        reviewer to correct; the original stays as it is (its version is checked all the same)."""
        cur = self.event(event_id)
        if cur.version != version:
            raise Conflict(f"event {event_id} is at version {cur.version}, not {version}; reload it")
        rec = {**cur.record, "event_id": f"{cur.doc_id}:r-{uuid.uuid4().hex[:12]}",
               "tags": [*(cur.record.get("tags") or []), f"split_from:{event_id}"]}
        with self.transaction():
            self._insert_event(rec, "reviewer", "pending", user, "split", now())
        return self.event(rec["event_id"])

    def edit(self, event_id: str, version: int, changes: Mapping[str, Any], user: str) -> EventRow:
        """Change fields of an event (a reviewer's correction); the state becomes ``approved``
        only by :meth:`set_state`, so an edit leaves it as it was."""
        clean = check_changes(changes)

        def make(cur: EventRow) -> tuple[dict[str, Any], str]:
            rec = {**cur.record, **clean}
            if not valid_event(rec.get("event_type"), rec.get("sub_event_type")):
                raise Invalid(f"{rec.get('event_type')!r} / {rec.get('sub_event_type')!r} "
                              "is not in the taxonomy")
            return rec, cur.state

        return self._change(event_id, version, user, "edit", make)

    def set_state(self, event_id: str, version: int, state: str, user: str) -> EventRow:
        if state not in STATES:
            raise Invalid(f"state {state!r} unknown")
        return self._change(event_id, version, user, {"deleted": "delete"}.get(state, state),
                            lambda cur: (cur.record, state))

    def undo(self, event_id: str, version: int, user: str) -> EventRow:
        """Undo the event's last change, as a new version (the undone one stays in the history)."""
        if self.event(event_id).version != version:  # (NotFound if there is no such event)
            raise Conflict(f"event {event_id} is not at version {version}; reload it")
        last = self.one("SELECT action, before, state_before FROM review_event_versions"
                        " WHERE event_id = ? AND version = ?", (event_id, version))
        if last is None:
            raise Conflict(f"event {event_id} is not at version {version}; reload it")
        if last[1] is None:
            raise Invalid(f"event {event_id} has no change to undo")
        before = json.loads(last[1])
        return self._change(event_id, version, user, "undo", lambda cur: (before, last[2]))

    def add_event(self, doc_id: str, fields: Mapping[str, Any], evidence: Sequence[tuple[int, int]],
                  user: str) -> EventRow:
        """A reviewer's own event (one the machine missed), approved as it is added."""
        doc = self.document(doc_id)
        if doc is None:
            raise NotFound(f"no document {doc_id!r}")
        n = len(doc["text"])
        spans = [(int(s), int(e)) for s, e in evidence]
        if not spans or any(not 0 <= s < e <= n for s, e in spans):
            raise Invalid(f"evidence {spans} is not inside the text (0..{n})")
        clean = check_changes({k: v for k, v in fields.items() if v not in (None, "")})
        rec: dict[str, Any] = {"doc_id": doc_id, "time_precision": 1, "fatalities": 0, "confidence": 1.0,
                               "tags": ["reviewer_added"], **clean}
        if not valid_event(rec.get("event_type"), rec.get("sub_event_type")):
            raise Invalid(f"{rec.get('event_type')!r} / {rec.get('sub_event_type')!r} is not in the taxonomy")
        rec["evidence"] = [list(s) for s in spans]
        rec["provenance"] = {}
        rec["event_id"] = f"{doc_id}:r-{uuid.uuid4().hex[:12]}"  # no counter: two reviewers may add at once
        with self.transaction():
            self._insert_event(rec, "reviewer", "approved", user, "add", now())
        return self.event(rec["event_id"])

    # ------------------------------------------------------------------ users and sessions

    def add_user(self, name: str, password_hash: str, role: str) -> None:
        if role not in ROLES:
            raise Invalid(f"role {role!r} is not one of {', '.join(ROLES)}")
        with self.transaction():
            if self.one("SELECT 1 FROM review_users WHERE name = ?", (name,)):
                self.execute("UPDATE review_users SET password_hash = ?, role = ? WHERE name = ?",
                             (password_hash, role, name))
            else:
                self.execute("INSERT INTO review_users(name, password_hash, role, created) "
                             "VALUES (?, ?, ?, ?)",
                             (name, password_hash, role, now()))

    def user(self, name: str) -> tuple[str, str] | None:
        """(password hash, role) of a user, or None."""
        row = self.one("SELECT password_hash, role FROM review_users WHERE name = ?", (name,))
        return (row[0], row[1]) if row else None

    def users(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.rows("SELECT name, role FROM review_users ORDER BY name")]

    def add_session(self, token_hash: str, user: str, expires: str) -> None:
        with self.transaction():
            self.execute("INSERT INTO review_sessions(token_hash, username, created, expires) "
                         "VALUES (?, ?, ?, ?)",
                         (token_hash, user, now(), expires))

    def session_user(self, token_hash: str) -> tuple[str, str] | None:
        """(user, role) of a live session, or None."""
        row = self.one("SELECT s.username, u.role FROM review_sessions s "
                       "JOIN review_users u ON u.name = s.username"
                       " WHERE s.token_hash = ? AND s.expires > ?", (token_hash, now()))
        return (row[0], row[1]) if row else None

    def drop_session(self, token_hash: str) -> None:
        with self.transaction():
            self.execute("DELETE FROM review_sessions WHERE token_hash = ?", (token_hash,))

    def login_failed(self, key: str) -> None:
        with self.transaction():
            self.execute("INSERT INTO review_login_failures(key, at) VALUES (?, ?)", (key, now()))

    def login_failures(self, key: str, since: str) -> int:
        row = self.one("SELECT COUNT(*) FROM review_login_failures WHERE key = ? AND at > ?", (key, since))
        return int(row[0]) if row else 0


def _asdict(f: Filters) -> dict[str, Any]:
    return {k: getattr(f, k) for k in Filters.__dataclass_fields__}


__all__ = ["Conflict", "Desk", "EDITABLE", "EventRow", "Filters", "Invalid", "NotFound", "ROLES", "STATES"]
