"""Cutting inputs into partitions of about ``partition_size`` bytes, and reading one back.

Requires: input paths (files or directories, as :func:`marsad.io.readers.iter_documents`
takes them). Provides: :func:`plan_partitions`, a deterministic list of
:class:`Partition` (the same inputs and size always give the same plan, which is what
lets a resumed run skip finished partitions), and :func:`partition_items`, which streams
the ``Document | Failure`` items of one partition exactly as ``iter_documents`` yields
them over the whole input (same ids, sources and failure reasons, in the same order).

How each format is cut, without decoding any document:

- **JSONL** (``.jsonl``, ``.jsonl.gz``): at line ends, the first one at or after
  ``partition_size`` bytes (of the decompressed stream) from the partition's start. One
  chunked pass counts the lines before each cut, so fallback ids (``file:line``) stay
  those of the whole-file reader. A ``.jsonl.gz`` worker decompresses from the start of
  the file up to its cut (gzip streams cannot seek); UTF-16/32 JSONL is read whole.
- **WARC** (``.warc``): at record starts. A headers-only pass walks the records
  (``Content-Length`` gives the next one without reading any payload).
- **WARC.gz** (``.warc.gz``, one gzip member per record as the WARC standard
  recommends): at gzip members. For each cut the planner seeks to the byte offset and
  resynchronises on the next gzip member header whose first decompressed bytes are
  ``WARC/``; nothing else of the file is read. A file gzipped as one stream has no
  member to cut at and stays one partition.
- **Parquet**: runs of whole row groups of about ``partition_size`` uncompressed bytes.
- **One-document files** (``.html``, ``.txt``): runs of files of about ``partition_size``
  bytes together.
- Anything else (CSV, feeds, unreadable files): one partition per file.

A WARC partition holds the records that *start* in ``[start, stop)``: the worker seeks
to ``start``, which is a record start, and reads until a record starts at or after ``stop``.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.errors import InputError
from marsad.io.readers import (
    DEFAULT_MAX_CHARS,
    PARQUET_COLUMNS,
    Reader,
    bom_encoding,
    detect_format,
    iter_input_files,
)
from marsad.model import Document, Failure

log = logging.getLogger(__name__)

DEFAULT_PARTITION_SIZE = "64MB"
PLAN_VERSION = 2  # bump when the meaning of a Partition changes: old plans are then discarded

_CHUNK = 8 << 20  # bytes read at a time by the JSONL scan
_RESYNC_WINDOW = 1 << 20  # bytes searched at a time for a gzip member header
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HEAD_READ = 8192  # bytes read at each record by the WARC record walk
_MAX_HEADER = 1 << 20  # longest WARC record header the walk accepts
_HEADER_END = re.compile(rb"\r?\n[ \t]*\r?\n")  # the blank line that ends a header block
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$", re.I | re.M)
_BLANK_LINES = re.compile(rb"(?:[ \t\r\x0b\x0c]*\n)*")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def parse_size(value: int | str) -> int:
    """Bytes of a size such as ``64MB``, ``1.5GB``, ``512KiB`` or ``1000000`` (MB = 10^6 bytes)."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        n = value
    else:
        m = _SIZE_RE.match(str(value))
        unit = (m[2] or "").lower() if m else None
        if m is None or unit not in _UNITS:
            raise ValueError(f"not a size: {value!r} (write e.g. 64MB, 512KB, 1GB or a number of bytes)")
        n = int(float(m[1]) * _UNITS[unit])
    if n < 1:
        raise ValueError(f"partition size must be at least 1 byte, not {value!r}")
    return n


@dataclass(frozen=True)
class Partition:
    """A slice of one input file, or a run of small files.

    ``kind`` is ``"jsonl"`` (lines ``[start, stop)``, 0-based, the first one at byte
    ``offset`` of the decompressed stream), ``"warc"`` (the records starting at bytes
    ``[start, stop)`` of the file), ``"parquet"`` (row groups ``[start, stop)``, whose first
    row is row ``offset``), ``"file"`` (the whole file, read by the reader) or ``"files"``
    (one-document files ``paths``, e.g. a directory of HTML pages, in order).
    """

    index: int
    path: str
    kind: str
    start: int = 0
    stop: int = 0
    offset: int = 0
    paths: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"


# --------------------------------------------------------------------------- planning


def input_files(inputs: Iterable[str | Path] | str | Path) -> Iterator[Path]:
    """Files in the order :func:`iter_documents` reads them; standard input is refused."""
    listed = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    if any(str(p) == "-" for p in listed):
        raise InputError("the Dask executor cannot read standard input: give files")
    yield from iter_input_files(listed)


def _open_binary(path: Path) -> Any:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")  # noqa: SIM115


def jsonl_ranges(path: Path, size: int) -> Iterator[tuple[int, int, int]]:
    """``(start_line, stop_line, byte_offset)`` of each cut of a JSONL file, by bytes.

    A range ends at the first line end at or after ``size`` bytes from its start. Lines are
    counted as the reader counts them: every newline ends one, and a last line without a
    newline is one more. Reads the (decompressed) file once, in large chunks.
    """
    line = first_line = first_byte = off = 0
    last = b"\n"
    with _open_binary(path) as fb:
        while chunk := fb.read(_CHUNK):
            pos = 0
            while True:
                want = first_byte + size - 1 - off  # earliest index in chunk of an acceptable newline
                if want >= len(chunk):
                    break
                nl = chunk.find(b"\n", max(pos, want))
                if nl < 0:
                    break
                line += chunk.count(b"\n", pos, nl + 1)
                yield first_line, line, first_byte
                first_line, first_byte, pos = line, off + nl + 1, nl + 1
            line += chunk.count(b"\n", pos)
            off += len(chunk)
            last = chunk[-1:]
    if last != b"\n":
        line += 1
    if line > first_line:
        yield first_line, line, first_byte


def _wide_encoding(path: Path) -> bool:
    """True for a UTF-16/32 JSONL file (read whole by the reader, not cut into ranges)."""
    try:
        with _open_binary(path) as fb:
            return bom_encoding(fb.read(4)) in ("utf-16", "utf-32")
    except OSError:
        return False


def warc_record_starts(path: Path) -> Iterator[int]:
    """Byte offsets of the records of an uncompressed WARC, from their headers alone.

    Mirrors how warcio walks the file: after a record's ``Content-Length`` bytes it drops
    one line (the record's closing CRLF) and any blank lines; the next line is the next
    record. Stops early (the rest of the file is then not cut) at anything that is not a
    record header with a ``Content-Length``: the reader reports such damage, not the planner.
    """
    size = path.stat().st_size
    with open(path, "rb", buffering=0) as fb:
        pos, mode = 0, "record"  # "after": drop a line, then blanks; "blank": drop blank lines
        while pos < size:
            fb.seek(pos)
            buf = fb.read(_HEAD_READ)
            i = 0
            if mode == "after":
                nl = buf.find(b"\n")
                if nl < 0:
                    return
                i = nl + 1
            if mode != "record":
                i = _BLANK_LINES.match(buf, i).end()
                if i == len(buf):  # only blank lines in this block: go on with the next one
                    pos, mode = pos + i, "blank"
                    continue
            if not buf.startswith(b"WARC/", i):
                log.debug("%s: no WARC record at byte %d; not cut further", path, pos + i)
                return
            end = _HEADER_END.search(buf, i)
            while end is None and len(buf) - i < _MAX_HEADER:  # a long header: read on
                more = fb.read(_HEAD_READ)
                if not more:
                    return
                buf += more
                end = _HEADER_END.search(buf, i)
            if end is None:
                return
            length = _CONTENT_LENGTH.search(buf, i, end.start() + 1)
            if length is None:
                return
            yield pos + i
            pos, mode = pos + end.end() + int(length[1]), "after"


def _is_warc_member(data: bytes) -> bool:
    """Whether ``data`` starts a gzip member whose content starts like a WARC record."""
    if len(data) < 10 or not data.startswith(_GZIP_MAGIC) or data[3] & 0xE0:
        return False
    dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = dec.decompress(data, 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


def gzip_member_at_or_after(fb: Any, pos: int) -> int | None:
    """Offset of the first gzip member at or after ``pos`` that holds a WARC record, or None."""
    while True:
        fb.seek(pos)
        window = fb.read(_RESYNC_WINDOW + 64 * 1024)  # the overlap lets a candidate be checked in place
        if not window:
            return None
        i = 0
        while True:
            i = window.find(_GZIP_MAGIC, i)
            if i < 0 or i >= _RESYNC_WINDOW:
                break
            if _is_warc_member(window[i:i + 64 * 1024]):
                return pos + i
            i += 1
        if len(window) <= _RESYNC_WINDOW:
            return None
        pos += _RESYNC_WINDOW


def warc_ranges(path: Path, size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` byte ranges of a ``.warc``/``.warc.gz`` file, each at a record start."""
    total = path.stat().st_size
    cuts = [0]
    if path.name.lower().endswith(".gz"):
        with open(path, "rb") as fb:
            target = size
            while target < total:
                cut = gzip_member_at_or_after(fb, target)
                if cut is None:
                    break
                cuts.append(cut)
                target = cut + size
    else:
        for start in warc_record_starts(path):
            if start >= cuts[-1] + size:
                cuts.append(start)
    cuts.append(total)
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _parquet_ranges(path: Path, size: int) -> list[tuple[int, int, int]]:
    """``(first_group, stop_group, first_row)`` runs of row groups of about ``size`` bytes."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(str(path)).metadata
    out: list[tuple[int, int, int]] = []
    start = start_row = row = nbytes = 0
    for group in range(meta.num_row_groups):
        rg = meta.row_group(group)
        row += rg.num_rows
        nbytes += rg.total_byte_size
        if nbytes >= size or group == meta.num_row_groups - 1:
            out.append((start, group + 1, start_row))
            start, start_row, nbytes = group + 1, row, 0
    return out


_ONE_DOC_FORMATS = frozenset({"txt", "html"})


def _cut(path: Path, fmt: str | None, size: int, first: int) -> list[Partition]:
    """The partitions of one file (empty when it is read whole)."""
    p = str(path)
    if fmt == "jsonl" and not _wide_encoding(path):
        return [Partition(first + i, p, "jsonl", a, b, off)
                for i, (a, b, off) in enumerate(jsonl_ranges(path, size))]
    if fmt == "warc":
        ranges = warc_ranges(path, size)
        return ([Partition(first + i, p, "warc", a, b) for i, (a, b) in enumerate(ranges)]
                if len(ranges) > 1 else [])
    if fmt == "parquet":
        return [Partition(first + i, p, "parquet", a, b, row)
                for i, (a, b, row) in enumerate(_parquet_ranges(path, size))]
    return []


def plan_partitions(inputs: Iterable[str | Path] | str | Path,
                    partition_size: int | str = DEFAULT_PARTITION_SIZE) -> list[Partition]:
    """Cut the inputs into partitions of about ``partition_size`` bytes (no document is decoded)."""
    size = parse_size(partition_size)
    parts: list[Partition] = []
    group: list[str] = []  # consecutive one-document files (.txt, .html), read as one partition
    group_bytes = 0

    def flush() -> None:
        nonlocal group_bytes
        if group:
            parts.append(Partition(len(parts), group[0], "files", paths=tuple(group)))
            group.clear()
            group_bytes = 0

    for path in input_files(inputs):
        fmt = detect_format(path)
        if fmt in _ONE_DOC_FORMATS and path.is_file():
            group.append(str(path))
            with contextlib.suppress(OSError):
                group_bytes += path.stat().st_size
            if group_bytes >= size:
                flush()
            continue
        flush()
        cut: list[Partition] = []
        if path.is_file():
            try:
                cut = _cut(path, fmt, size, len(parts))
            except Exception as exc:  # noqa: BLE001 — a broken file is the reader's to report
                log.debug("cannot cut %s (%s); it is read whole", path, exc)
                cut = []
        parts.extend(cut or [Partition(len(parts), str(path), "file")])
    flush()
    return parts


# --------------------------------------------------------------------------- reading a partition


def _jsonl_items(reader: Reader, part: Partition) -> Iterator[Document | Failure]:
    path = Path(part.path)
    with _open_binary(path) as fb:
        if isinstance(fb, gzip.GzipFile):  # no random access: decompress up to the cut, in big reads
            left = part.offset
            while left > 0 and (chunk := fb.read(min(left, _CHUNK))):
                left -= len(chunk)
        else:
            fb.seek(part.offset)
        lines = _Lines(fb, part.stop - part.start)
        yield from reader._guard(reader._jsonl_stream(lines, path, first_line=part.start + 1), path)


class _Lines:
    """A binary stream that ends after ``count`` lines (only ``readline`` is offered)."""

    def __init__(self, fb: Any, count: int) -> None:
        self._fb = fb
        self._left = count

    def readline(self, limit: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        raw = self._fb.readline(limit)
        if raw.endswith(b"\n") or limit is None or limit < 0 or len(raw) < limit:
            self._left -= 1  # a whole line (or the last one, without newline) was read
        return raw


def _parquet_items(reader: Reader, part: Partition) -> Iterator[Document | Failure]:
    """Documents of row groups ``[start, stop)`` of a Parquet file, one batch in memory."""
    import pyarrow.parquet as pq

    path = Path(part.path)
    pf = pq.ParquetFile(str(path))
    columns = [c for c in PARQUET_COLUMNS if c in pf.schema_arrow.names]
    if "text" not in columns:
        yield reader.fail(path.name, "Parquet file has no 'text' column", str(path))
        return
    rowno = part.offset
    for batch in pf.iter_batches(row_groups=list(range(part.start, part.stop)), columns=columns,
                                 batch_size=256):
        for rec in batch.to_pylist():
            rowno += 1
            yield reader.record(rec, f"{path.name}:{rowno}", f"{path}:{rowno}")


def partition_items(part: Partition, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[Document | Failure]:
    """Stream the ``Document | Failure`` items of one partition, one record in memory at a time.

    The reader's checks (ids, empty/large/binary text, duplicates within the partition) are
    those of ``iter_documents``; duplicates across partitions are the merge's to find.
    """
    reader = Reader(max_chars)
    path = Path(part.path)
    if part.kind == "jsonl":
        yield from _jsonl_items(reader, part)
    elif part.kind == "warc":
        yield from reader._guard(reader.warc(path, part.start, part.stop), path)
    elif part.kind == "parquet":
        yield from _parquet_items(reader, part)
    elif part.kind == "files":
        yield from reader.paths(list(part.paths))
    else:
        yield from reader.paths([part.path])


__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "PLAN_VERSION",
    "Partition",
    "gzip_member_at_or_after",
    "input_files",
    "jsonl_ranges",
    "parse_size",
    "partition_items",
    "plan_partitions",
    "warc_ranges",
    "warc_record_starts",
]
