"""A SQLite store of documents, extracted events, their text spans, runs and failures.

The database runs in WAL mode with ``synchronous=NORMAL``: every :meth:`Store.add_result`
is one transaction, so a process killed at any moment (even SIGKILL) loses at most the
document in flight and never leaves half a document behind. (A power cut may also lose the
last few committed transactions; open with ``durable=True`` for ``synchronous=FULL``.)

Documents are keyed by ``content_hash`` (SHA-256 of ``Document.text``): adding a document
whose text was already stored replaces its row and all of its events and spans, so
re-running over the same input never duplicates anything, and :meth:`Store.is_done` lets
a run skip what an earlier (possibly interrupted) run finished.

The default location is ``$MARSAD_DB``, else ``$XDG_DATA_HOME/marsad/marsad.db``, else
``~/.local/share/marsad/marsad.db``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from marsad.errors import StoreError
from marsad.model import Document, Event, Failure

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

#: event record fields copied into their own columns of ``events`` for querying
EVENT_COLUMNS: tuple[str, ...] = (
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "country", "admin1",
    "admin2", "location", "latitude", "longitude", "geo_precision", "fatalities", "confidence",
)

# the SQL type of each event column that is not TEXT
_EVENT_COLUMN_TYPES = {"latitude": "REAL", "longitude": "REAL", "confidence": "REAL",
                       "geo_precision": "INTEGER", "fatalities": "INTEGER"}

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT, args TEXT, counts TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    published TEXT, title TEXT, outlet TEXT, url TEXT,
    text TEXT NOT NULL,
    n_events INTEGER NOT NULL DEFAULT 0,
    run_id TEXT,
    added TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_doc_id ON documents(doc_id);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seq INTEGER NOT NULL,
    run_id TEXT,
    {", ".join(f"{c} {_EVENT_COLUMN_TYPES.get(c, 'TEXT')}" for c in EVENT_COLUMNS)},
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_hash ON events(content_hash, seq);
CREATE INDEX IF NOT EXISTS events_order ON events(doc_id, content_hash, seq);
CREATE INDEX IF NOT EXISTS events_date ON events(event_date);
CREATE INDEX IF NOT EXISTS events_type ON events(event_type, sub_event_type);
CREATE INDEX IF NOT EXISTS events_country ON events(country, admin1);
CREATE TABLE IF NOT EXISTS spans (
    event_id TEXT NOT NULL, field TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS spans_event ON spans(event_id);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY, run_id TEXT, doc_id TEXT NOT NULL, reason TEXT NOT NULL,
    source TEXT, content_hash TEXT, added TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_run ON failures(run_id);
-- consolidation (marsad.consolidate): incidents across documents, their member events, and
-- the near-duplicate check of documents (a MinHash signature per document seen)
CREATE TABLE IF NOT EXISTS incidents (
    incident_id TEXT PRIMARY KEY, block TEXT NOT NULL, event_type TEXT, country TEXT, admin1 TEXT,
    event_date TEXT, fatalities INTEGER, n_sources INTEGER, record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_block ON incidents(block);
CREATE TABLE IF NOT EXISTS incident_members (
    event_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, doc_id TEXT NOT NULL, score REAL
);
CREATE INDEX IF NOT EXISTS incident_members_incident ON incident_members(incident_id);
CREATE TABLE IF NOT EXISTS doc_signatures (
    content_hash TEXT PRIMARY KEY, doc_id TEXT NOT NULL, signature BLOB NOT NULL,
    duplicate_of TEXT, similarity REAL, outlet TEXT, url TEXT, added TEXT NOT NULL
);
"""


def content_hash(text: str) -> str:
    """SHA-256 (hex) of a document's text, the key that makes re-runs idempotent."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def default_db_path() -> Path:
    """``$MARSAD_DB``, else ``$XDG_DATA_HOME/marsad/marsad.db``, else ``~/.local/share/...``."""
    env = os.environ.get("MARSAD_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "marsad" / "marsad.db"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _why_not(path: Path | str) -> str:
    """A hint at why a store cannot be written: the file or its folder is read-only."""
    if str(path) == ":memory:":
        return ""
    p = Path(path)
    if p.exists() and not os.access(p, os.W_OK):
        return " (the file is read-only)"
    if not os.access(p.parent, os.W_OK):
        return f" (the folder {p.parent} is read-only: SQLite writes its journal beside the file)"
    return ""


class Store:
    """Documents, events, spans, runs and failures in one SQLite file.

    Use :meth:`Store.open`; the store is a context manager that closes the connection. One
    Store object belongs to one thread (sqlite3's default); several processes may open the
    same file (WAL allows concurrent readers, writers wait up to ``timeout`` seconds).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | str) -> None:
        self.conn = conn
        self.path = path

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: str | Path | None = None, *, durable: bool = False, timeout: float = 30.0,
             create: bool = True) -> Store:
        """Open (creating if needed) the store at ``path`` (default: :func:`default_db_path`).

        ``create=False`` (for commands that only read, like ``marsad export``): a missing file is
        a :class:`StoreError`, not a new empty store.
        """
        target: Path | str
        if path is None or str(path) != ":memory:":
            target = Path(path).expanduser() if path is not None else default_db_path()
            if not create and not target.is_file():
                raise StoreError(f"no store at {target}: the file does not exist")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {target.parent}: {exc}") from exc
        else:
            target = ":memory:"
        try:
            conn = sqlite3.connect(str(target), timeout=timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            conn.executescript(_SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(f"{target}: schema version {row[0]} is newer than this marsad")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {target}: {exc}{_why_not(target)}") from exc
        log.debug("opened store %s", target)
        return cls(conn, target)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot start a transaction: {exc}") from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # a failed write (read-only file, full disk) rolls back whole: the store stays as it was
            # before the transaction, and a re-run redoes exactly what was lost
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"cannot write to store {self.path}: {exc}{_why_not(self.path)}") from exc
            raise

    # ------------------------------------------------------------------ runs

    def start_run(self, args: Any = None) -> str:
        """Record the start of a run (``args`` stored as JSON) and return its id."""
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        with self.transaction() as c:
            c.execute(
                "INSERT INTO runs(run_id, started, args) VALUES (?, ?, ?)",
                (run_id, _now(), json.dumps(args, ensure_ascii=False, default=str)),
            )
        return run_id

    def finish_run(self, run_id: str, counts: Mapping[str, Any] | None = None) -> None:
        """Mark a run finished and store its counts (JSON)."""
        with self.transaction() as c:
            cur = c.execute(
                "UPDATE runs SET finished = ?, counts = ? WHERE run_id = ?",
                (_now(), json.dumps(dict(counts or {}), ensure_ascii=False, default=str), run_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"no run {run_id!r}")

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT run_id, started, finished, args, counts FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        if row is None:
            return None
        return {
            "run_id": row[0],
            "started": row[1],
            "finished": row[2],
            "args": json.loads(row[3]) if row[3] else None,
            "counts": json.loads(row[4]) if row[4] else None,
        }

    # ------------------------------------------------------------------ documents & events

    def is_done(self, content_hash: str) -> bool:
        """Whether a document with this text hash has been stored (with its events)."""
        row = self.conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (content_hash,)).fetchone()
        return row is not None

    def add_result(
        self,
        doc: Document,
        events: Sequence[Event],
        run_id: str | None = None,
        *,
        replace_doc_id: bool = False,
    ) -> str:
        """Store a document and its events in one transaction; returns the content hash.

        Idempotent: a document whose text hash is already stored is replaced together with
        all of its events and spans. Another text under the same ``doc_id`` (a revised
        article) is kept as a separate document unless ``replace_doc_id=True``, which
        deletes the older versions and their events. An event id already held by another
        document moves to this one (ids are meant to be unique).
        """
        h = content_hash(doc.text)
        now = _now()
        ev_rows: list[tuple[Any, ...]] = []
        span_rows: list[tuple[Any, ...]] = []
        for seq, ev in enumerate(events):
            rec = ev.to_record()
            ev_rows.append(
                (ev.event_id, doc.doc_id, h, seq, run_id, *(rec[c] for c in EVENT_COLUMNS),
                 json.dumps(rec, ensure_ascii=False))
            )
            for field, s, e in ev.provenance:
                span_rows.append((ev.event_id, field, s, e, doc.text[s:e]))
            for s, e in ev.evidence:
                span_rows.append((ev.event_id, "evidence", s, e, doc.text[s:e]))
        cols = ", ".join(("event_id", "doc_id", "content_hash", "seq", "run_id", *EVENT_COLUMNS, "record"))
        marks = ", ".join("?" * (len(EVENT_COLUMNS) + 6))
        try:
            with self.transaction() as c:
                c.execute(
                    "DELETE FROM spans WHERE event_id IN"
                    " (SELECT event_id FROM events WHERE content_hash = ?)",
                    (h,),
                )
                c.execute("DELETE FROM events WHERE content_hash = ?", (h,))
                if replace_doc_id:
                    old = [r[0] for r in c.execute(
                        "SELECT content_hash FROM documents WHERE doc_id = ? AND content_hash != ?",
                        (doc.doc_id, h),
                    )]
                    for oh in old:
                        c.execute("DELETE FROM spans WHERE event_id IN"
                                  " (SELECT event_id FROM events WHERE content_hash = ?)", (oh,))
                        c.execute("DELETE FROM events WHERE content_hash = ?", (oh,))
                        c.execute("DELETE FROM documents WHERE content_hash = ?", (oh,))
                ids = [(r[0],) for r in ev_rows]
                c.executemany("DELETE FROM spans WHERE event_id = ?", ids)
                robbed: set[str] = set()
                for (eid,) in ids:
                    row = c.execute("SELECT content_hash FROM events WHERE event_id = ?", (eid,)).fetchone()
                    if row is not None and row[0] != h:
                        robbed.add(row[0])
                c.execute(
                    "INSERT INTO documents(doc_id, content_hash, published, title, outlet, url, text,"
                    " n_events, run_id, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(content_hash) DO UPDATE SET doc_id = excluded.doc_id,"
                    " published = excluded.published, title = excluded.title, outlet = excluded.outlet,"
                    " url = excluded.url, n_events = excluded.n_events, run_id = excluded.run_id,"
                    " added = excluded.added",
                    (doc.doc_id, h, doc.published.isoformat() if doc.published else None, doc.title,
                     doc.outlet, doc.url, doc.text, len(set(ids)), run_id, now),
                )
                c.executemany(f"INSERT OR REPLACE INTO events({cols}) VALUES ({marks})", ev_rows)
                c.executemany(
                    'INSERT INTO spans(event_id, field, start, "end", text) VALUES (?, ?, ?, ?, ?)', span_rows
                )
                for oh in robbed:  # documents that lost an event id to this one
                    log.warning("event ids of %s reused by document %s", oh[:12], doc.doc_id)
                    c.execute(
                        "UPDATE documents SET n_events ="
                        " (SELECT COUNT(*) FROM events WHERE content_hash = ?) WHERE content_hash = ?",
                        (oh, oh),
                    )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot store {doc.doc_id}: {exc}") from exc
        return h

    def add_failure(
        self, failure: Failure, run_id: str | None = None, content_hash: str | None = None
    ) -> None:
        """Record a document that could not be processed."""
        try:
            with self.transaction() as c:
                c.execute(
                    "INSERT INTO failures(run_id, doc_id, reason, source, content_hash, added)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (run_id, failure.doc_id, failure.reason, failure.source, content_hash, _now()),
                )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot record failure of {failure.doc_id}: {exc}") from exc

    # ------------------------------------------------------------------ queries

    def iter_events(
        self,
        *,
        run_id: str | None = None,
        doc_id: str | None = None,
        event_type: str | None = None,
        country: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Event records (as ``Event.to_record()``), ordered by doc_id, document, position.

        ``since``/``until`` are inclusive ``YYYY-MM-DD`` bounds on ``event_date``.
        """
        where, params = [], []
        for col, value in (("run_id", run_id), ("doc_id", doc_id), ("event_type", event_type),
                           ("country", country)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        if since is not None:
            where.append("event_date >= ?")
            params.append(since)
        if until is not None:
            where.append("event_date <= ?")
            params.append(until)
        sql = "SELECT record FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY doc_id, content_hash, seq"
        for (record,) in self.conn.execute(sql, params):
            yield json.loads(record)

    def iter_spans(self, event_id: str) -> Iterator[tuple[str, int, int, str]]:
        """``(field, start, end, text)`` of one event, in insertion order."""
        yield from self.conn.execute(
            'SELECT field, start, "end", text FROM spans WHERE event_id = ? ORDER BY rowid', (event_id,)
        )

    def get_document(self, doc_id: str) -> Document | None:
        """The most recently added document with this id, or None."""
        row = self.conn.execute(
            "SELECT doc_id, text, published, title, outlet, url FROM documents WHERE doc_id = ?"
            " ORDER BY added DESC, id DESC LIMIT 1",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        published = date.fromisoformat(row[2]) if row[2] else None
        return Document(row[0], row[1], published, row[3], row[4], row[5])

    def iter_failures(self, run_id: str | None = None) -> Iterator[Failure]:
        sql = "SELECT doc_id, reason, source FROM failures"
        params: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            params = (run_id,)
        for doc_id, reason, source in self.conn.execute(sql + " ORDER BY id", params):
            yield Failure(doc_id, reason, source or "")

    # ------------------------------------------------------------------ consolidation

    def iter_event_rows(self, *, doc_ids: Sequence[str] | None = None, event_ids: Sequence[str] | None = None,
                        unconsolidated: bool = False) -> Iterator[dict[str, Any]]:
        """Event records with their document's ``outlet``, ``url``, ``title``, ``published`` and the
        ``incident_id`` they belong to (None before consolidation), ordered like :meth:`iter_events`
        (within each chunk of 500 ``doc_ids`` or ``event_ids``, when given)."""
        sql = ("SELECT e.record, d.outlet, d.url, d.title, d.published, m.incident_id FROM events e"
               " LEFT JOIN documents d ON d.content_hash = e.content_hash"
               " LEFT JOIN incident_members m ON m.event_id = e.event_id")
        col, ids = ("e.doc_id", doc_ids) if doc_ids is not None else ("e.event_id", event_ids)
        chunks = [None] if ids is None else [list(ids[i:i + 500]) for i in range(0, len(ids), 500)]
        for chunk in chunks:
            where = [] if chunk is None else [f"{col} IN ({', '.join('?' * len(chunk))})"]
            if unconsolidated:
                where.append("m.incident_id IS NULL")
            q = (sql + (" WHERE " + " AND ".join(where) if where else "")
                 + " ORDER BY e.doc_id, e.content_hash, e.seq")
            for record, outlet, url, title, published, incident_id in self.conn.execute(q, chunk or []):
                yield {**json.loads(record), "incident_id": incident_id, "outlet": outlet, "url": url,
                       "title": title, "published": published}

    def unconsolidated_keys(self, doc_ids: Sequence[str] | None = None) -> list[tuple[str, ...]]:
        """``(event_id, event_date, published, event_type, country)`` of the events (of ``doc_ids``)
        that belong to no incident: what consolidation orders them by, without their records."""
        sql = ("SELECT e.event_id, e.event_date, d.published, e.event_type, e.country FROM events e"
               " LEFT JOIN documents d ON d.content_hash = e.content_hash"
               " LEFT JOIN incident_members m ON m.event_id = e.event_id WHERE m.incident_id IS NULL")
        if doc_ids is None:
            return self.conn.execute(sql).fetchall()
        return [r for i in range(0, len(doc_ids), 500) for r in self.conn.execute(
            sql + f" AND e.doc_id IN ({', '.join('?' * len(doc_ids[i:i + 500]))})", list(doc_ids[i:i + 500]))]

    def evidence_texts(self, event_ids: Sequence[str]) -> dict[str, str]:
        """The evidence text of each event (its evidence spans joined by a space)."""
        out: dict[str, list[str]] = {}
        for i in range(0, len(event_ids), 500):  # SQLite's bound-parameter limit
            chunk = event_ids[i:i + 500]
            for eid, text in self.conn.execute(
                f"SELECT event_id, text FROM spans WHERE field = 'evidence' AND event_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY rowid", chunk):
                out.setdefault(eid, []).append(text)
        return {k: " ".join(v) for k, v in out.items()}

    def incidents_in_blocks(self, blocks: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Stored incident records (JSON) of the given blocking keys."""
        for i in range(0, len(blocks), 500):
            chunk = blocks[i:i + 500]
            for (record,) in self.conn.execute(
                f"SELECT record FROM incidents WHERE block IN ({', '.join('?' * len(chunk))})", chunk):
                yield json.loads(record)

    def iter_incidents(self, ids: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Incident records (all, or those of ``ids``), by event date then id."""
        if ids is None:
            rows = self.conn.execute("SELECT record FROM incidents ORDER BY event_date, incident_id")
        else:
            rows = iter([r for i in range(0, len(ids), 500) for r in self.conn.execute(
                f"SELECT record FROM incidents WHERE incident_id IN ({', '.join('?' * len(ids[i:i + 500]))})",
                ids[i:i + 500])])
        for (record,) in rows:
            yield json.loads(record)

    def save_incidents(self, incidents: Sequence[Mapping[str, Any]],
                       members: Sequence[tuple[str, str, str, float]],
                       removed: Sequence[str] = ()) -> None:
        """Write incident records (replacing those with the same id), their new members
        ``(event_id, incident_id, doc_id, score)``, and delete the ``removed`` incidents; one transaction."""
        try:
            with self.transaction() as c:
                c.executemany("DELETE FROM incidents WHERE incident_id = ?", [(i,) for i in removed])
                c.executemany(
                    "INSERT OR REPLACE INTO incidents(incident_id, block, event_type, country, admin1,"
                    " event_date, fatalities, n_sources, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(r["incident_id"], r["block"], r["event_type"], r["country"], r["admin1"],
                      r["event_date"], r["fatalities"], r["n_sources"], json.dumps(r, ensure_ascii=False))
                     for r in incidents])
                c.executemany("INSERT OR REPLACE INTO incident_members(event_id, incident_id, doc_id, score)"
                              " VALUES (?, ?, ?, ?)", members)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot store incidents: {exc}") from exc

    def stale_members(self) -> list[tuple[str, str]]:
        """``(event_id, incident_id)`` of members whose event is no longer stored (a re-extracted
        document)."""
        return self.conn.execute("SELECT m.event_id, m.incident_id FROM incident_members m"
                                 " LEFT JOIN events e ON e.event_id = m.event_id"
                                 " WHERE e.event_id IS NULL").fetchall()

    def delete_members(self, event_ids: Sequence[str]) -> None:
        with self.transaction() as c:
            c.executemany("DELETE FROM incident_members WHERE event_id = ?", [(e,) for e in event_ids])

    def signatures(self) -> Iterator[tuple[str, bytes, str]]:
        """``(content_hash, MinHash signature, doc_id)`` of every document kept (not a duplicate)."""
        yield from self.conn.execute(
            "SELECT content_hash, signature, doc_id FROM doc_signatures WHERE duplicate_of IS NULL")

    def add_signature(self, doc: Document, signature: bytes, duplicate_of: str | None = None,
                      similarity: float | None = None) -> None:
        """Record a document's signature, and whether it duplicates (the hash of) a kept document."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO doc_signatures(content_hash, doc_id, signature, duplicate_of,"
                      " similarity, outlet, url, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (content_hash(doc.text), doc.doc_id, signature, duplicate_of, similarity, doc.outlet,
                       doc.url, _now()))

    def stats(self) -> dict[str, int]:
        """Row counts of the main tables."""
        out = {}
        for table in ("documents", "events", "spans", "runs", "failures"):
            out[table] = self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        return out


__all__ = ["EVENT_COLUMNS", "Store", "content_hash", "default_db_path"]
