"""Input readers: turn files of many formats into a stream of :class:`Document` records.

:func:`iter_documents` is the single entry point. It streams (one record, file or archive
member in memory at a time), dispatches on the file extension and never raises for bad
input: every problem becomes one :class:`Failure` (logged at DEBUG: the consumer reports it,
once) and iteration goes on with the next record or file.

Formats (extension, case-insensitive):

``.jsonl`` / ``.jsonl.gz``
    One JSON object per line: ``doc_id``, ``text`` (required), ``published``, ``title``,
    ``outlet``, ``url`` (optional); other keys are ignored. A record without ``doc_id`` gets
    ``"<file name>:<line>"`` (when several input files share a name, ``a/part.jsonl`` and
    ``b/part.jsonl``, their paths from their common folder stand for the name, in every id
    derived from a file). Lines are decoded one by one (UTF-8, else cp1256); a file that
    starts with a UTF-16 BOM is decoded as UTF-16 throughout.
``.csv``
    Same columns as JSONL, with a header row. The encoding is chosen for the whole file
    (BOM, else UTF-8 if every byte decodes, else cp1256) by a streaming pre-scan. Parsed
    strictly: a quote left open is a Failure (``"malformed CSV: ..."``) for the record where it
    opens, and reading resumes on the next line instead of swallowing the records after it.
``.txt``
    One document per file, ``doc_id`` = file stem; whole-file decoding as for CSV, plus
    UTF-16 without BOM for Arabic/ASCII text.
``.html`` / ``.htm``
    One page per file, ``doc_id`` = file stem; body, title, date and site name via
    trafilatura, falling back to plain tag stripping when trafilatura finds no main text. The
    date is the page's metadata's (or its URL's), never one guessed from a year in the body.
``.rss`` / ``.atom`` / ``.xml``
    Every feed entry is a document; ``doc_id`` = entry id, else its link; body from the
    entry content (else summary) with HTML stripped; ``outlet`` = the feed title.
``.warc`` / ``.warc.gz``
    Every HTML ``response`` record is a page handled as ``.html``; ``doc_id`` = the
    ``WARC-Target-URI`` (else ``WARC-Record-ID``, else ``file@offset``); ``published`` from the page, else
    the ``WARC-Date``. Non-HTML and non-2xx responses are skipped silently. A record cut
    short (its content shorter than its ``Content-Length``, its header cut, the last gzip
    member ending early, bytes at the end that are no record) is a Failure whose reason starts
    ``"truncated WARC"``, never a document with part of its text.

``.parquet``
    Columns ``doc_id``, ``text``, ``published``, ``title``, ``outlet``, ``url`` as in JSONL
    (needs pyarrow); read one batch at a time; source ``"path:row"``.
``-``
    JSON Lines read from standard input (ids default to ``"<stdin>:<line>"``).

Directories are walked recursively in sorted order; hidden files and directories (name
starting with ``.``) and files with unsupported extensions inside them are skipped (DEBUG
log), while an unsupported file named explicitly yields a Failure.

Checks applied to every document (each a Failure with ``reason``):

* ``"empty text"`` - nothing but whitespace;
* ``"too large: N chars"`` - longer than ``max_chars``. Files (or JSONL lines, WARC
  payloads) so big that they cannot possibly fit are refused before decoding with
  ``"too large: N bytes"`` (or ``">N bytes"`` when the size is only known to exceed N;
  the doc_id of such a JSONL line is then taken from its first 64 KB if it is there);
* ``"binary content: P% control characters"`` - more than 2% of the characters are
  control characters (other than tab/newline/CR/form feed), U+FFFD or lone surrogates
  (a few lone surrogates are replaced by U+FFFD, as they cannot be written as UTF-8);
* ``"duplicate doc_id (first at SOURCE)"`` - **the first document with an id wins**; later
  ones with the same id (anywhere in the same :func:`iter_documents` call) are refused
  rather than renamed, so ids stay exactly those of the input; a later one whose text differs
  (another article under the same id: never merged) is reported as
  ``"duplicate doc_id with a different text (first at SOURCE)"``.

A ``published`` value that is no date marsad can use (unparsable, or outside
``PUBLISHED_MIN``..``PUBLISHED_MAX`` of :mod:`marsad.recognise.dates`) is logged once (WARNING)
and the document is read without a date. Log lines show ids with ``repr`` (a control
character in an id cannot forge a line).

Record-level reasons: ``"malformed JSON: ..."``, ``"record is not a JSON object"``,
``"missing text"``, ``"text is not a string (int)"``, ``"doc_id is not a string"``.
File-level reasons: ``"no such file or directory"``, ``"unsupported file type"``,
``"unreadable file: ..."``, ``"not a feed: ..."``, ``"CSV has no 'text' column"``.

``Failure.source`` is ``"path:line"`` for JSONL and CSV (line where the record starts),
``"path:N"`` for the N-th feed entry, ``"path@offset"`` for a WARC record (byte offset of
the record) and ``"path"`` for whole-file formats.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Any

from marsad.errors import InputError, RecordError
from marsad.io.decoding import JUNK_SHARE, bom_encoding, decode_bytes, junk_share, sniff_file_encoding
from marsad.io.html import decode_html, extract_html, strip_html
from marsad.io.ids import IdIndex, text_digest
from marsad.io.warc import (
    WARC_TYPES,
    gzip_member_whole,
    records_until_damage,
    starts_like_warc,
    warc_missing,
)
from marsad.model import Document, Failure

log = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 2_000_000

#: extension -> format name; longest suffixes first so ".jsonl.gz" wins over ".gz".
FORMATS: dict[str, str] = {
    ".jsonl.gz": "jsonl",
    ".warc.gz": "warc",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".parquet": "parquet",
}

SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(FORMATS)

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_DOC_ID_RE = re.compile(r'"doc_id"\s*:\s*"((?:[^"\\]|\\.){0,1000})"')
_ID_PREFIX = 65_536  # bytes of an oversized JSONL line searched for its doc_id
_DATE_RE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


# --------------------------------------------------------------------------- helpers


def detect_format(path: str | Path) -> str | None:
    """The reader format for ``path`` (``"jsonl"``, ``"csv"``, ...) or None if unsupported."""
    name = Path(path).name.lower()
    for ext, fmt in FORMATS.items():
        if name.endswith(ext):
            return fmt
    return None


def parse_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (or an ISO datetime, or an RFC 2822 date) -> date; anything else -> None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    m = _DATE_RE.match(value)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _opt_str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


# --------------------------------------------------------------------------- reader


class _Reader:
    """State of one :func:`iter_documents` call: limits, seen ids, failure logging."""

    def __init__(self, max_chars: int, defer_pages: bool = False) -> None:
        self.max_chars = max_chars
        self.defer_pages = defer_pages  # yield HTML pages as PendingPage, extracted by the executor
        self.max_bytes = max_chars * 4 + 4  # UTF-8 needs at most 4 bytes a char
        self.max_line_bytes = max_chars * 6 + 65_536  # JSON \\uXXXX escapes: 6 bytes a char
        self.seen = IdIndex()  # doc_id -> "source\tdigest of its text" of its first occurrence
        self.labels: dict[Path, str] = {}  # input files that share a name -> their distinct labels

    def label(self, path: Path, stem: bool = False) -> str:
        """The name ids derived from ``path`` start with (``"part.jsonl:3"``, ``"page"`` with
        ``stem``): the file's name, or, when several input files share that name
        (``a/part.jsonl``, ``b/part.jsonl``), its path from their common folder."""
        rel = self.labels.get(path)
        if rel is None:
            return path.stem if stem else path.name
        return str(PurePosixPath(rel).with_name(path.stem)) if stem else rel

    # -- outcome helpers
    def fail(self, doc_id: str, reason: str, source: str) -> Failure:
        # DEBUG only: the consumer reports failures (once, and not again for a resumed run)
        log.debug("skipping %r: %s [%s]", doc_id, reason, source)
        return Failure(doc_id, reason, source)

    def accept(self, doc: Document, source: str) -> Document | Failure:
        """Apply the document checks; register the id of an accepted document."""
        checked = self.check(doc, source)
        return checked if isinstance(checked, Failure) else self.register(checked, source)

    def check(self, doc: Document, source: str) -> Document | Failure:
        """The checks of one document's content (no state: they can run in any process)."""
        text = doc.text
        if not text.strip():
            return self.fail(doc.doc_id, "empty text", source)
        if len(text) > self.max_chars:
            return self.fail(doc.doc_id, f"too large: {len(text)} chars", source)
        share = junk_share(text)
        if share > JUNK_SHARE:
            return self.fail(doc.doc_id, f"binary content: {share:.0%} control characters", source)
        if _SURROGATE_RE.search(text):  # lone surrogates (from JSON "\\ud800") cannot be encoded
            doc = replace(
                doc, **{f: _SURROGATE_RE.sub("\ufffd", v) for f in ("text", "title", "outlet", "url")
                        if isinstance(v := getattr(doc, f), str)}
            )
        return doc

    def register(self, doc: Document, source: str) -> Document | Failure:
        """The duplicate check, in input order: the first document with an id wins."""
        first = self.seen.get(doc.doc_id)
        digest = text_digest(doc.text)
        if first is not None:
            where, _, first_digest = first.rpartition("\t")
            # two different articles under one id are never merged: the second is reported as such
            what = "duplicate doc_id" if first_digest == digest else "duplicate doc_id with a different text"
            return self.fail(doc.doc_id, f"{what} (first at {where})", source)
        self.seen[doc.doc_id] = f"{source}\t{digest}"
        return doc

    def publication(self, value: Any, doc_id: str, source: str) -> date | None:
        """The publication date ``value`` gives, or None; a value that is no usable date
        (unparsable, or outside the calendar marsad works in) is reported here, once, and the
        document is read without a date."""
        from marsad.recognise.dates import check_published

        day = parse_date(value)
        if day is None:
            if value is not None and not (isinstance(value, str) and not value.strip()):
                log.warning("%r: publication date %s ignored: not a date [%s]", doc_id,
                            ascii(str(value)[:40]), source)
            return None
        day, problem = check_published(day)
        if problem is not None:
            log.warning("%r: publication date ignored: %s [%s]", doc_id, problem, source)
        return day

    # -- dispatch
    def paths(self, paths: Iterable[str | Path]) -> Iterator[Document | Failure]:
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        self.labels = unique_labels(iter_input_files(paths))
        for p in paths:
            if str(p) == "-":
                yield from self._guard(self._jsonl_stream(sys.stdin.buffer, Path("<stdin>")), Path("<stdin>"))
                continue
            path = Path(p)
            if path.is_dir():
                for f in iter_input_files([path]):
                    yield from self.file(f)
            elif not path.exists():
                yield self.fail(path.name or str(path), "no such file or directory", str(path))
            elif detect_format(path) is None:
                yield self.fail(self.label(path), "unsupported file type", str(path))
            else:
                yield from self.file(path)

    def file(self, path: Path) -> Iterator[Document | Failure]:
        fmt = detect_format(path)
        reader = {
            "jsonl": self.jsonl,
            "csv": self.csv,
            "txt": self.txt,
            "html": self.html,
            "feed": self.feed,
            "warc": self.warc,
            "parquet": self.parquet,
        }[fmt or ""]
        yield from self._guard(reader(path), path)

    def _guard(self, items: Iterator[Document | Failure], path: Path) -> Iterator[Document | Failure]:
        """Turn an exception while reading a file into one Failure for that file."""
        n = 0
        try:
            for item in items:
                n += 1
                yield item
        except Exception as exc:  # a broken file must not stop the corpus
            log.debug("error reading %s", path, exc_info=True)
            yield self.fail(self.label(path), f"unreadable file: {type(exc).__name__}: {exc}", str(path))
        log.debug("read %d records from %s", n, path)

    # -- records (JSONL and CSV)
    def record(self, rec: dict[str, Any], fallback_id: str, source: str) -> Document | Failure:
        doc_id: Any = rec.get("doc_id")
        if doc_id is None or doc_id == "":
            doc_id = fallback_id
        elif isinstance(doc_id, (int, float)) and not isinstance(doc_id, bool):
            doc_id = str(doc_id)
        elif not isinstance(doc_id, str):
            return self.fail(fallback_id, "doc_id is not a string", source)
        try:
            if "text" not in rec or rec["text"] is None:
                raise RecordError("missing text")
            text = rec["text"]
            if not isinstance(text, str):
                raise RecordError(f"text is not a string ({type(text).__name__})")
            if not text.strip():
                raise RecordError("empty text")
        except RecordError as exc:
            return self.fail(doc_id, str(exc), source)
        published = self.publication(rec.get("published"), doc_id, source)
        doc = Document.from_parts(
            doc_id,
            text,
            published,
            _opt_str(rec.get("title")),
            _opt_str(rec.get("outlet")),
            _opt_str(rec.get("url")),
        )
        return self.accept(doc, source)

    def jsonl(self, path: Path) -> Iterator[Document | Failure]:
        opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as fb:
            yield from self._jsonl_stream(fb, path)

    def _jsonl_stream(self, fb: Any, path: Path, first_line: int = 1) -> Iterator[Document | Failure]:
        """Records of a JSONL stream; ``first_line`` numbers its first line (a slice of a file)."""
        head = fb.peek(4)[:4] if hasattr(fb, "peek") else b""
        enc = bom_encoding(head)
        if enc in ("utf-16", "utf-32"):
            lines: Iterator[tuple[bytes | str, bool]] = self._text_lines(
                io.TextIOWrapper(fb, encoding=enc, newline="\n")
            )
        else:
            lines = self._byte_lines(fb)
        label = self.label(path)
        for lineno, (raw, oversized) in enumerate(lines, first_line):
            source = f"{path}:{lineno}"
            fallback = f"{label}:{lineno}"
            if oversized:
                head = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
                m = _DOC_ID_RE.search(head)
                doc_id = fallback
                if m:
                    with contextlib.suppress(ValueError):
                        doc_id = json.loads(f'"{m[1]}"') or fallback
                yield self.fail(doc_id, f"too large: >{self.max_line_bytes} bytes", source)
                continue
            if isinstance(raw, bytes):
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    line = raw.decode("cp1256", errors="replace")
            else:
                line = raw
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield self.fail(fallback, f"malformed JSON: {exc}", source)
                continue
            if not isinstance(rec, dict):
                yield self.fail(fallback, "record is not a JSON object", source)
                continue
            yield self.record(rec, fallback, source)

    def _byte_lines(self, fb: Any) -> Iterator[tuple[bytes, bool]]:
        """Lines of a binary stream; a line longer than the limit is skipped, not buffered."""
        limit = self.max_line_bytes
        while True:
            raw = fb.readline(limit)
            if not raw:
                return
            if len(raw) >= limit and not raw.endswith(b"\n"):
                while True:  # drain the rest of the oversized line in bounded pieces
                    more = fb.readline(limit)
                    if not more or more.endswith(b"\n"):
                        break
                yield raw[:_ID_PREFIX], True  # the start, where the doc_id usually is
                continue
            yield raw, False

    def _text_lines(self, fh: io.TextIOWrapper) -> Iterator[tuple[str, bool]]:
        limit = self.max_line_bytes
        while True:
            line = fh.readline(limit)
            if not line:
                return
            if len(line) >= limit and not line.endswith("\n"):
                while True:
                    more = fh.readline(limit)
                    if not more or more.endswith("\n"):
                        break
                yield line[:_ID_PREFIX], True
                continue
            yield line.lstrip("\ufeff"), False

    def csv(self, path: Path) -> Iterator[Document | Failure]:
        """Records of a CSV file, parsed strictly: a quote left open (or text after a closing
        quote) would swallow the records after it, so the record where it starts is reported
        (``"malformed CSV: ..."``) and reading resumes on the line after that record's first."""
        _raise_csv_field_limit()
        enc = sniff_file_encoding(path)
        if enc == "cp1256":
            log.info("%s is not UTF-8; reading it as cp1256", path)
        label = self.label(path)
        with open(path, encoding=enc, errors="replace", newline="") as fh:
            lines = _CsvLines(fh)
            reader = csv.reader(lines, strict=True)
            header = next(reader, None)
            fields = [f.strip().lstrip("\ufeff") for f in (header or [])]
            if "text" not in fields:
                yield self.fail(label, "CSV has no 'text' column", str(path))
                return
            start = lines.last + 1
            while True:
                lines.taken.clear()
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    first = lines.taken[0][0] if lines.taken else start
                    yield self.fail(f"{label}:{first}", f"malformed CSV: {exc} (record at line {first}; "
                                    "reading resumes on the next line)", f"{path}:{first}")
                    lines.push_back(lines.taken[1:])
                    reader = csv.reader(lines, strict=True)
                    start = first + 1
                    continue
                if not row:
                    continue  # a blank line (as csv.DictReader skips them)
                source = f"{path}:{start}"
                fallback = f"{label}:{start}"
                start = lines.last + 1
                rec = dict(zip(fields, row, strict=False))
                for name in fields[len(row):]:
                    rec.setdefault(name, None)
                yield self.record(rec, fallback, source)

    def _read_whole(self, path: Path, max_bytes: int) -> bytes | Failure:
        size = path.stat().st_size
        if size > max_bytes:
            return self.fail(self.label(path, stem=True), f"too large: {size} bytes", str(path))
        return path.read_bytes()

    def txt(self, path: Path) -> Iterator[Document | Failure]:
        data = self._read_whole(path, self.max_bytes)
        if isinstance(data, Failure):
            yield data
            return
        text, enc = decode_bytes(data)
        if enc not in ("utf-8", "utf-8-sig"):
            log.info("%s decoded as %s", path, enc)
        yield self.accept(Document(self.label(path, stem=True), text), str(path))

    def _page(
        self, doc_id: str, markup: str, source: str, url: str | None = None, fallback_date: Any = None,
        register: bool = True,
    ) -> Document | Failure:
        body, meta = extract_html(markup, url)
        title = _opt_str(meta.get("title"))
        first, _, rest = body.partition("\n")
        if title and first.strip() == title and rest.strip():
            body = rest.lstrip("\n")  # the headline is repeated at the top of the body
        if not body.strip():
            return self.fail(doc_id, "empty text", source)
        # the page's own date (its metadata or URL), else the archive's; never one guessed from the body
        published = (self.publication(meta.get("date"), doc_id, source) if meta.get("date") else None) \
            or self.publication(fallback_date, doc_id, source)
        doc = Document.from_parts(
            doc_id,
            body,
            published,
            title,
            _opt_str(meta.get("sitename")),
            url or _opt_str(meta.get("url")),
        )
        return self.accept(doc, source) if register else self.check(doc, source)

    def html(self, path: Path) -> Iterator[Document | Failure | PendingPage]:
        data = self._read_whole(path, self.max_bytes * 4)  # markup may dwarf the text
        if isinstance(data, Failure):
            yield data
        elif self.defer_pages:
            yield PendingPage(self.label(path, stem=True), str(path), data, max_chars=self.max_chars,
                              reader=self)
        else:
            yield self._page(self.label(path, stem=True), decode_html(data), str(path))

    def feed(self, path: Path) -> Iterator[Document | Failure]:
        import feedparser

        data = self._read_whole(path, max(self.max_bytes * 4, 256 << 20))
        if isinstance(data, Failure):
            yield data
            return
        parsed = feedparser.parse(data)
        if not parsed.entries:
            if parsed.bozo:
                yield self.fail(self.label(path), f"not a feed: {parsed.get('bozo_exception')}", str(path))
            elif not parsed.get("version"):
                yield self.fail(self.label(path), "not a feed: no RSS/Atom root element", str(path))
            else:
                log.info("%s: feed has no entries", path)
            return
        outlet = _opt_str(parsed.feed.get("title"))
        for i, entry in enumerate(parsed.entries, 1):
            source = f"{path}:{i}"
            doc_id = _opt_str(entry.get("id")) or _opt_str(entry.get("link")) or f"{self.label(path)}:{i}"
            contents = entry.get("content") or []
            raw = next((c.get("value") for c in contents if c.get("value")), None)
            raw = raw or entry.get("summary") or entry.get("description") or ""
            body = strip_html(raw)
            if not body:
                yield self.fail(doc_id, "empty text", source)
                continue
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            try:
                stamped = date(*stamp[:3]) if stamp else entry.get("published")
            except (TypeError, ValueError):
                stamped = entry.get("published")
            published = self.publication(stamped, doc_id, source)
            title = _opt_str(strip_html(entry.get("title") or ""))
            doc = Document.from_parts(doc_id, body, published, title, outlet, _opt_str(entry.get("link")))
            yield self.accept(doc, source)

    def warc(self, path: Path, start: int = 0, stop: int | None = None) -> Iterator[Document | Failure]:
        """Pages of a WARC; with ``start``/``stop``, those of the records starting in ``[start, stop)``.

        ``start`` must be a record start (for ``.warc.gz``, a gzip member start).
        """
        from warcio.archiveiterator import ArchiveIterator

        limit = self.max_bytes * 4
        size = path.stat().st_size
        with open(path, "rb") as fb:
            fb.seek(start)
            records = ArchiveIterator(fb)
            broken: list[Exception] = []
            for n, rec in enumerate(records_until_damage(records, broken)):
                offset = records.offset  # where this record starts (before its content is read)
                if stop is not None and offset >= stop:
                    break
                if n == 0 and start == 0 and rec.format != "warc":
                    stamp = rec.rec_headers.get_header("archive-date") or ""
                    if not stamp.isdigit():  # warcio reads any text as an ARC header
                        raise InputError("not a WARC archive")
                headers = rec.rec_headers
                uri = _opt_str(headers.get_header("WARC-Target-URI"))
                doc_id = uri or _opt_str(headers.get_header("WARC-Record-ID")) \
                    or f"{self.label(path)}@{offset}"
                source = f"{path}@{offset}"
                if rec.format == "warc" and (rec.length is None or rec.rec_type not in WARC_TYPES):
                    yield self.fail(doc_id, "truncated WARC record: its header is cut short or invalid",
                                    source)
                    continue
                if rec.rec_type not in ("response", "resource"):
                    if warc_missing(rec):
                        yield self.fail(doc_id, "truncated WARC record: its content is cut short", source)
                    continue
                http = rec.http_headers
                ctype = (
                    (http.get_header("Content-Type") if http else None)
                    or headers.get_header("Content-Type")
                    or ""
                )
                if http is not None:
                    status = http.get_statuscode() or ""
                    if not str(status).startswith("2"):
                        log.debug("%s: skipping HTTP %s for %r", path, status, doc_id)
                        if warc_missing(rec):
                            yield self.fail(doc_id, "truncated WARC record: its content is cut short", source)
                        continue
                if "html" not in ctype.lower():
                    log.debug("%s: skipping %r (%s)", path, doc_id, ctype or "no content type")
                    if warc_missing(rec):
                        yield self.fail(doc_id, "truncated WARC record: its content is cut short", source)
                    continue
                payload = rec.content_stream().read(limit + 1)
                if len(payload) > limit:
                    yield self.fail(doc_id, f"too large: >{limit} bytes", source)
                    continue
                missing = warc_missing(rec)
                if missing:
                    yield self.fail(doc_id, f"truncated WARC record: its content is cut short "
                                            f"({missing} bytes missing)", source)
                    continue
                m = re.search(r"charset=([\w:.\-]+)", ctype, re.I)
                if self.defer_pages:
                    yield PendingPage(doc_id, source, payload, m[1] if m else None, uri,
                                      headers.get_header("WARC-Date"), self.max_chars, self)
                    continue
                markup = decode_html(payload, m[1] if m else None)
                yield self._page(doc_id, markup, source, uri, headers.get_header("WARC-Date"))
            else:
                # the archive ended: what follows its last whole record is a record cut short (a
                # .warc.gz member that ends early yields nothing) unless it is only padding
                info = getattr(records, "member_info", None)
                end = info[0] + info[1] if info else start
                if broken:  # warcio fails on a record header cut short (AttributeError, ValueError ...)
                    log.debug("%s: reading the record at %d failed", path, end, exc_info=broken[0])
                    if end == 0 and not starts_like_warc(path):
                        raise InputError("not a WARC archive")
                    yield self.fail(f"{self.label(path)}@{end}",
                                    "truncated WARC: the record after the last whole one is cut short "
                                    "or damaged", f"{path}@{end}")
                elif info and not gzip_member_whole(path, info[0]):
                    yield self.fail(f"{self.label(path)}@{info[0]}",
                                    "truncated WARC: its last gzip member ends early", f"{path}@{info[0]}")
                elif end < size:
                    fb.seek(end)
                    if fb.read(4096).strip(b"\r\n\t \x00"):
                        yield self.fail(f"{self.label(path)}@{end}",
                                        f"truncated WARC: {size - end} bytes at its end are no whole record",
                                        f"{path}@{end}")

    def parquet(self, path: Path) -> Iterator[Document | Failure]:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            yield self.fail(self.label(path), "reading .parquet needs pyarrow", str(path))
            return
        pf = pq.ParquetFile(str(path))
        columns = [c for c in PARQUET_COLUMNS if c in pf.schema_arrow.names]
        if "text" not in columns:
            yield self.fail(self.label(path), "Parquet file has no 'text' column", str(path))
            return
        rowno = 0
        for batch in pf.iter_batches(columns=columns, batch_size=256):
            for rec in batch.to_pylist():
                rowno += 1
                yield self.record(rec, f"{self.label(path)}:{rowno}", f"{path}:{rowno}")


#: public name of the reader state, for executors that split files themselves
Reader = _Reader


class PendingPage:
    """An HTML page (a WARC record or an ``.html`` file) whose text is not extracted yet.

    ``iter_documents(..., defer_pages=True)`` yields these so that an executor can run the
    costly extraction (trafilatura) in its worker processes: :meth:`resolve` gives the
    Document, or the Failure of the content checks, anywhere; :meth:`admit`, back in the
    reading process and in input order, applies the reader's duplicate-id check. Together
    they give exactly what the reader yields without ``defer_pages``. Pickling leaves the
    reader behind.
    """

    __slots__ = ("doc_id", "source", "payload", "declared", "url", "fallback_date", "max_chars", "_reader")

    def __init__(self, doc_id: str, source: str, payload: bytes, declared: str | None = None,
                 url: str | None = None, fallback_date: str | None = None,
                 max_chars: int = DEFAULT_MAX_CHARS, reader: _Reader | None = None) -> None:
        self.doc_id, self.source, self.payload, self.declared = doc_id, source, payload, declared
        self.url, self.fallback_date, self.max_chars, self._reader = url, fallback_date, max_chars, reader

    def __reduce__(self) -> tuple[Any, ...]:
        return (PendingPage, (self.doc_id, self.source, self.payload, self.declared, self.url,
                              self.fallback_date, self.max_chars))

    def resolve(self) -> Document | Failure:
        """Decode and extract the page, and check its content (no duplicate check)."""
        reader = _Reader(self.max_chars)
        return reader._page(self.doc_id, decode_html(self.payload, self.declared), self.source, self.url,
                            self.fallback_date, register=False)

    def admit(self, item: Document | Failure) -> Document | Failure:
        """The duplicate-id check of the reader that read this page (call in input order)."""
        if isinstance(item, Failure) or self._reader is None:
            return item
        return self._reader.register(item, self.source)

    def __repr__(self) -> str:
        return f"PendingPage({self.doc_id!r}, {self.source!r}, {len(self.payload)} bytes)"

PARQUET_COLUMNS: tuple[str, ...] = ("doc_id", "text", "published", "title", "outlet", "url")


def iter_input_files(paths: Iterable[str | Path] | str | Path) -> Iterator[Path]:
    """The files :func:`iter_documents` reads, in its order.

    A directory gives its supported, non-hidden files recursively in sorted order; any
    other path (even missing or unsupported, which the reader turns into a Failure) is
    given as it is. ``"-"`` (standard input) is left out.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for p in paths:
        if str(p) == "-":
            continue
        path = Path(p)
        if not path.is_dir():
            yield path
            continue
        for f in sorted(x for x in path.rglob("*") if x.is_file()):
            if any(part.startswith(".") for part in f.relative_to(path).parts):
                continue  # hidden files and directories (.git, editor locks, ...)
            if detect_format(f) is None:
                log.debug("skipping unsupported file %s", f)
                continue
            yield f


class _CsvLines:
    """The lines of a text file for ``csv.reader``, numbered from 1, with the lines of the record
    being read kept (``taken``) so that they can be read again (``push_back``)."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.last = 0  # number of the last line given
        self.read = 0  # lines read from the file
        self.taken: list[tuple[int, str]] = []
        self.pending: list[tuple[int, str]] = []  # lines given back, next first (stored reversed)

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self.pending:
            no, line = self.pending.pop()
        else:
            line = self.fh.readline()
            if not line:
                raise StopIteration
            self.read += 1
            no = self.read
        self.last = no
        self.taken.append((no, line))
        return line

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extend(reversed(lines))


def unique_labels(files: Iterable[Path]) -> dict[Path, str]:
    """For input files that share a name, the path of each from their common folder (POSIX
    separators), so that the ids derived from them differ; files with a name of their own are
    left out (their label is their name)."""
    by_name: dict[str, dict[str, Path]] = {}
    for f in files:
        by_name.setdefault(f.name, {}).setdefault(str(f.resolve()), f)
    labels: dict[Path, str] = {}
    for group in by_name.values():
        if len(group) < 2:
            continue
        common = Path(os.path.commonpath(list(group)))
        for resolved, f in group.items():
            labels[f] = Path(resolved).relative_to(common).as_posix()
    return labels


def _raise_csv_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def iter_documents(
    paths: Iterable[str | Path] | str | Path, *, max_chars: int = DEFAULT_MAX_CHARS,
    defer_pages: bool = False,
) -> Iterator[Document | Failure]:
    """Stream the documents of ``paths`` (files or directories), one Failure per bad record.

    See the module docstring for formats, checks and failure reasons. Duplicate ``doc_id``
    values are detected across all ``paths`` of one call; the first occurrence is kept.
    With ``defer_pages=True``, HTML pages (WARC records, ``.html`` files) come as
    :class:`PendingPage` items for the executor to extract (``run.local.run`` does).
    """
    yield from _Reader(max_chars, defer_pages).paths(paths)


__all__ = [
    "DEFAULT_MAX_CHARS",
    "IdIndex",
    "PARQUET_COLUMNS",
    "PendingPage",
    "Reader",
    "SUPPORTED_EXTENSIONS",
    "decode_bytes",
    "decode_html",
    "detect_format",
    "extract_html",
    "iter_documents",
    "iter_input_files",
    "junk_share",
    "parse_date",
    "sniff_file_encoding",
    "strip_html",
]
