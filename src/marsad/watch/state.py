"""What ``marsad watch`` remembers, kept in the store's own SQLite file beside the events.

Requires: an open :class:`marsad.store.sqlite.Store`. Provides two tables and their queries:

``watch_seen``
    One row per feed entry or watched file (``key``: the article URL, else the entry id; or
    ``file:`` + the file's absolute path) with the ``version`` last handled (an entry's updated
    stamp, a file's size and mtime), its ``status`` (``done``; ``retry`` while its page could not be
    fetched, with the number of ``attempts``; ``failed`` once it gave up) and the content hashes of
    the documents it gave. An item is new when its key is unknown, or its version changed.
``watch_alerts``
    Every alert issued (kind, key, the JSON record): the alerts file is written from these, and
    the surge rule looks here for the last alert of an admin1.

Articles are deduplicated twice: by key (a seen URL is not fetched again) and by content hash
(the store's ``documents.content_hash``: the same text at a second URL, or a file copied into the
folder twice, is not extracted again). A key is marked after its documents are stored, so a
process killed between the two fetches the item again and finds its text already stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marsad.store.sqlite import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_seen (
    key TEXT PRIMARY KEY, version TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    content_hashes TEXT NOT NULL DEFAULT '[]', source TEXT, reason TEXT, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watch_alerts (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, created TEXT NOT NULL, record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS watch_alerts_key ON watch_alerts(kind, key);
"""

DONE, RETRY, FAILED = "done", "retry", "failed"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Seen:
    version: str
    status: str
    attempts: int
    stored: bool  # documents of an earlier version were stored: a new version replaces them


class WatchState:
    """The watcher's memory in ``store`` (tables created on first use)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.conn.executescript(_SCHEMA)

    def get(self, key: str) -> Seen | None:
        row = self.store.conn.execute("SELECT version, status, attempts, content_hashes != '[]'"
                                      " FROM watch_seen WHERE key = ?", (key,)).fetchone()
        return Seen(row[0], row[1], row[2], bool(row[3])) if row else None

    def mark(self, key: str, version: str, status: str, *, attempts: int = 0, hashes: Iterable[str] = (),
             source: str | None = None, reason: str | None = None) -> None:
        stamp = now()
        with self.store.transaction() as c:
            c.execute(
                "INSERT INTO watch_seen(key, version, status, attempts, content_hashes, source, reason,"
                " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET version = excluded.version, status = excluded.status,"
                " attempts = excluded.attempts,"
                # a version that could not be read yet leaves the hashes of the last one read
                " content_hashes = CASE excluded.status WHEN 'done' THEN excluded.content_hashes"
                " ELSE watch_seen.content_hashes END,"
                " source = excluded.source, reason = excluded.reason, last_seen = excluded.last_seen",
                (key, version, status, attempts, json.dumps(sorted(set(hashes))), source, reason, stamp,
                 stamp),
            )

    def counts(self) -> dict[str, int]:
        rows = self.store.conn.execute("SELECT status, COUNT(*) FROM watch_seen GROUP BY status")
        return dict(rows.fetchall())

    # ------------------------------------------------------------------ alerts

    def add_alerts(self, alerts: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Record ``(kind, key, record)`` alerts in one transaction."""
        stamp = now()
        with self.store.transaction() as c:
            c.executemany("INSERT INTO watch_alerts(kind, key, created, record) VALUES (?, ?, ?, ?)",
                          [(kind, key, stamp, json.dumps(rec, ensure_ascii=False))
                           for kind, key, rec in alerts])

    def last_alert(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self.store.conn.execute("SELECT record FROM watch_alerts WHERE kind = ? AND key = ?"
                                      " ORDER BY id DESC LIMIT 1", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None
