"""What ``marsad watch`` polls: RSS/Atom feeds (URLs or files) and watched folders (or files).

Requires: a SOURCE string. Provides, per poll, a list of :class:`Candidate` items: one per feed
entry or per article file, each with the key it is remembered by (the article's URL, or the
file's path), a ``version`` that changes when the item does, and a ``load()`` that reads its
documents only when the watcher decides the item is new. A source that cannot be polled (a feed
that is down, slow or malformed) raises :class:`SourceError`; its items are left for the next poll.

Reuse: a feed entry becomes a Document as ``marsad extract feed.rss`` makes it (``doc_id`` = entry
id, else link; ``outlet`` = the feed title; the same HTML stripping and publication-date checks);
an entry without full text (no ``content:encoded``/``<content>``, only a summary) is completed by
fetching its page, which goes through the reader's HTML path (trafilatura, the page's own date,
the content checks); a file in a watched folder is read by :func:`marsad.io.readers.iter_documents`,
so a folder takes every format ``marsad extract`` reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from marsad.errors import InputError, MarsadError
from marsad.io.readers import PendingPage, Reader, detect_format, iter_documents, iter_input_files, strip_html
from marsad.model import Document, Failure
from marsad.watch.fetch import Fetched, FetchError, FetchSettings, fetch

log = logging.getLogger(__name__)

Loaded = list[Document | Failure]

#: content types an article page may have (a server that declares none sends "text/plain")
PAGE_TYPES = ("html", "xml", "text/plain")


class SourceError(MarsadError):
    """A source could not be polled this time (down, too slow, not a feed)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One feed entry or file, before the watcher decides whether it is new."""

    key: str  # what it is remembered by: the article URL (else entry id), or "file:" + absolute path
    version: str  # an entry's updated stamp, a file's size and mtime: a change makes it a revision
    doc_id: str  # for failures reported before its documents are read
    source: str  # where it was found, for logs
    load: Callable[[], Loaded]  # its documents (fetches the page if needed; may raise FetchError)


def _opt(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class FeedSource:
    """An RSS/Atom feed at an http(s) URL or in a local file."""

    def __init__(self, location: str, settings: FetchSettings, max_chars: int, stop: threading.Event) -> None:
        self.location, self.settings, self.max_chars, self.stop = location, settings, max_chars, stop
        self.is_url = location.lower().startswith(("http://", "https://"))
        # the last response and its items: an unchanged feed (HTTP 304) gives them again, so that
        # an item whose page is to be fetched again is not forgotten while the feed stays the same
        self._last: Fetched | None = None
        self._items: list[Candidate] = []

    def __str__(self) -> str:
        return self.location

    def _read(self) -> tuple[bytes, dict[str, str] | None, Fetched | None]:
        """The feed's bytes, and for a URL the headers feedparser reads (the URL is the base of
        relative entry links, the content type declares the charset) and the response."""
        if self.is_url:
            try:
                got = fetch(self.location, self.settings, self.stop, since=self._last)
            except FetchError as exc:
                raise SourceError(exc.reason) from exc
            ctype = got.content_type + (f"; charset={got.charset}" if got.charset else "")
            return got.body, {"content-location": got.url, "content-type": ctype}, got
        path = Path(self.location)
        try:
            if path.stat().st_size > self.settings.max_bytes:
                raise SourceError(f"too large: {path.stat().st_size} bytes")
            return path.read_bytes(), None, None
        except OSError as exc:
            raise SourceError(f"unreadable: {exc.strerror or exc}") from exc

    def poll(self) -> list[Candidate]:
        import feedparser

        data, headers, got = self._read()
        if got is not None and got.not_modified:
            log.debug("%s: not modified since the last poll", self)
            return self._items
        parsed = feedparser.parse(data, response_headers=headers)
        problem = parsed.get("bozo_exception")
        if not parsed.entries:
            if parsed.get("version"):
                self._items, self._last = [], got
                return []  # a feed with no entries (now)
            raise SourceError(f"not a feed: {problem or 'no RSS/Atom root element'}")
        if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
            # a wrong or missing content type, a charset that was overridden: the feed itself is fine
            log.debug("%s: %s", self, problem)
        elif parsed.bozo:  # feedparser's lenient parse still found entries: use them, but say so
            log.warning("%s: damaged feed (%s); reading its %d entries", self, problem, len(parsed.entries))
        outlet = _opt(parsed.feed.get("title"))
        self._items = [self._candidate(entry, i, outlet) for i, entry in enumerate(parsed.entries, 1)]
        self._last = got  # only a feed that was read whole is asked for "if changed" next time
        return self._items

    def _candidate(self, entry: Any, i: int, outlet: str | None) -> Candidate:
        link = _opt(entry.get("link"))
        entry_id = _opt(entry.get("id"))
        contents = entry.get("content") or []
        full = next((c.get("value") for c in contents if c.get("value")), None)
        summary = entry.get("summary") or entry.get("description") or ""
        title = _opt(strip_html(entry.get("title") or ""))
        if link or entry_id:
            key = link or entry_id or ""
        else:  # nothing names the entry: its words do (an edited entry is then a new one)
            key = "entry:" + hashlib.sha256(f"{title}\n{full or summary}".encode()).hexdigest()
        doc_id = entry_id or link or f"{self.location}:{i}"
        source = f"{self.location}:{i}"
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published: Any = entry.get("published")
        if stamp:
            with contextlib.suppress(TypeError, ValueError):  # a stamp feedparser could not make a day of
                published = date(*stamp[:3])
        # dict.get: FeedParserDict.get maps a missing "updated" to "published" with a DeprecationWarning
        version = str(dict.get(entry, "updated") or dict.get(entry, "published") or "")

        def load() -> Loaded:
            reader = Reader(self.max_chars)
            day = reader.publication(published, doc_id, source)
            if full or not link:  # the feed carries the article (or nothing else is there to fetch)
                doc = Document.from_parts(doc_id, strip_html(full or summary), day, title, outlet, link)
                return [reader.check(doc, source)]
            page = fetch(link, self.settings, self.stop, kinds=PAGE_TYPES)
            got = PendingPage(doc_id, source, page.body, page.charset, page.url,
                              day.isoformat() if day else None, self.max_chars).resolve()
            if isinstance(got, Failure) and got.reason == "empty text" and strip_html(summary):
                # a page whose text trafilatura cannot find (a script-built page): the summary is all there is
                log.info("%s: no text in the page of %r; using the feed's summary", self, doc_id)
                got = reader.check(Document.from_parts(doc_id, strip_html(summary), day, title, outlet, link),
                                   source)
            if isinstance(got, Document):
                if got.title or not title:
                    got = replace(got, outlet=got.outlet or outlet, url=link)
                else:  # the page has no title of its own: the entry's heads it, as in any titled document
                    got = Document.from_parts(doc_id, got.text, got.published, title, got.outlet or outlet,
                                              link)
            return [got]

        return Candidate(key, version, doc_id, source, load)


class FolderSource:
    """A folder (walked recursively) or a single article file, read as ``marsad extract`` reads it.

    A file modified less than ``settle`` seconds ago is left for the next poll: it may still be
    being written, and a half-written article would be extracted as if it were whole.
    """

    def __init__(self, path: Path, max_chars: int, settle: float = 2.0) -> None:
        self.path, self.max_chars, self.settle = path, max_chars, settle

    def __str__(self) -> str:
        return str(self.path)

    def poll(self) -> list[Candidate]:
        if not self.path.exists():
            raise SourceError("no such file or folder")
        now = time.time()
        out = []
        for f in iter_input_files([self.path]):
            try:
                st = f.stat()
            except OSError:  # removed since the folder was listed
                continue
            if now - st.st_mtime < self.settle:
                log.debug("%s: modified %.1f s ago; left for the next poll", f, now - st.st_mtime)
                continue
            out.append(Candidate(f"file:{f.resolve()}", f"{st.st_size}:{st.st_mtime_ns}", f.stem, str(f),
                                 lambda f=f: list(iter_documents([f], max_chars=self.max_chars))))
        return out


Source = FeedSource | FolderSource


def open_source(spec: str, settings: FetchSettings, max_chars: int, stop: threading.Event,
                settle: float = 2.0) -> Source:
    """The source a SOURCE argument names: an http(s) URL is a feed; a folder is watched; a file
    is a feed when its extension says so (.rss/.atom/.xml), else an article file watched for changes."""
    if spec.lower().startswith(("http://", "https://")):
        return FeedSource(spec, settings, max_chars, stop)
    path = Path(spec).expanduser()
    if path.is_dir():
        return FolderSource(path, max_chars, settle)
    if not path.exists():
        raise InputError(f"{spec}: no such file or folder (and not an http(s) URL)")
    fmt = detect_format(path)
    if fmt == "feed":
        return FeedSource(str(path), settings, max_chars, stop)
    if fmt is None:
        raise InputError(f"{spec}: not a feed, a folder or an article file marsad reads")
    return FolderSource(path, max_chars, settle)
