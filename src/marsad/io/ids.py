"""Per-document bookkeeping of a run in bounded memory: which ids were seen (with a digest of their
text) and which are done, spilled to a private temporary SQLite file past a size."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

log = logging.getLogger(__name__)


def text_digest(text: str) -> str:
    """A short digest of a document's text: whether a repeated id holds the same article."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class IdIndex:
    """A ``str -> str`` map for per-document bookkeeping (ids seen, ids done) in bounded memory.

    Up to ``memory_items`` entries are kept in a dict; when it fills up they are moved in
    one transaction to a private temporary SQLite database (on disk, deleted when closed or
    collected), so that a run over millions of documents keeps flat memory at the price of
    one indexed lookup per document. Keys are exact: nothing is hashed or truncated.
    """

    def __init__(self, memory_items: int = 20_000) -> None:
        self.memory_items = memory_items
        self._mem: dict[str, str] = {}
        self._db: Any = None

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self._mem.get(key)
        if value is None and self._db is not None:
            row = self._db.execute("SELECT v FROM ids WHERE k = ?", (key,)).fetchone()
            value = row[0] if row else None
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __setitem__(self, key: str, value: str) -> None:
        self._mem[key] = value
        if len(self._mem) >= self.memory_items:
            self._spill()

    def __len__(self) -> int:
        if self._db is None:
            return len(self._mem)
        stored = self._db.execute("SELECT COUNT(*) FROM ids").fetchone()[0]  # (counted when asked)
        return stored + sum(1 for k in self._mem if not self._in_db(k))

    def _in_db(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM ids WHERE k = ?", (key,)).fetchone() is not None

    def _spill(self) -> None:
        import sqlite3

        if self._db is None:
            self._db = sqlite3.connect("", check_same_thread=False)  # "": a private temporary file
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("PRAGMA cache_size = -1024")  # 1 MiB of page cache
            self._db.execute("CREATE TABLE ids (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID")
            log.debug("more than %d ids: keeping them in a temporary SQLite file", self.memory_items)
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO ids VALUES (?, ?)", self._mem.items())
        self._mem.clear()

    def close(self) -> None:
        """Drop every entry (and the temporary database)."""
        self._mem.clear()
        if self._db is not None:
            self._db.close()
            self._db = None
