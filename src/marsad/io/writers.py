"""Output writers for event records (spec/events.md section 5), chosen by file extension.

``.jsonl``
    One ``Event.to_record()`` per line (UTF-8, ``ensure_ascii=False``), streamed; append-friendly.
``.csv``
    The columns of :data:`RECORD_FIELDS` in order, a header row, ``evidence`` as
    ``start:end;start:end``, null as the empty cell; ``provenance`` is omitted unless
    ``provenance=True`` (then a final JSON column). Streamed; append-friendly (the header
    is written only to an empty file).
``.geojson``
    A FeatureCollection with one feature per event (``properties`` = the record): a Point
    where the event has coordinates, a null geometry (RFC 7946 §3.2) where it has none, so
    that no event is dropped. Written to ``PATH.tmp`` and renamed on close.
``.parquet``
    Needs pyarrow (raises :class:`DependencyError` otherwise). Buffered in row groups of
    ``batch_size``, written to ``PATH.tmp`` and renamed on close. ``evidence`` is a list of
    ``[start, end]`` lists, ``provenance`` a JSON string.

Records may carry the fields of :data:`DOCUMENT_FIELDS` beside those of the event (the run and
``marsad export`` add them: the incident and the document's outlet, url, title and publication
date); CSV and Parquet always have their columns, empty where a record lacks them.

Every writer is a context manager with ``write(event)`` (an :class:`Event` or a record
dict), ``count``, ``skipped`` and ``flush(fsync=...)``. Streaming writers (jsonl, csv) also
have ``tell()``, the byte size of what has been written, which :class:`marsad.store.Checkpoint`
uses to make interrupted runs resumable.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from marsad.errors import DependencyError, OutputError, UnsupportedFormatError
from marsad.model import EVENT_FIELDS, Document, Event

log = logging.getLogger(__name__)

#: columns that are int / nullable int / nullable float / float / nullable str in a record
INT_FIELDS = frozenset({"time_precision", "inter1", "inter2", "fatalities"})
OPT_INT_FIELDS = frozenset({"geo_precision", "geonameid", "fatalities_low", "fatalities_high", "injuries",
                            "n_sources", "n_events"})
OPT_FLOAT_FIELDS = frozenset({"latitude", "longitude"})
FLOAT_FIELDS = frozenset({"confidence"})
#: fields of a record that come from its document and its incident, not from the event itself
DOCUMENT_FIELDS: tuple[str, ...] = ("incident_id", "outlet", "url", "title", "published")
#: the columns of CSV and Parquet outputs (``provenance`` aside)
RECORD_FIELDS: tuple[str, ...] = (*EVENT_FIELDS, *DOCUMENT_FIELDS)
OPT_STR_FIELDS = frozenset(
    {"event_date", "actor1", "actor2", "actor1_text", "actor2_text", "country", "location"}
    | {"location_text", "source", "source_text", *DOCUMENT_FIELDS}
)

Record = dict[str, Any]

# Characters no record carries as they are: lone surrogates (not UTF-8) and control characters
# other than tab, newline and carriage return. JSON escapes them (``\\u001b``, ``\\ud800``: read back
# exactly); CSV and Parquet cells, which have no escapes, get U+FFFD in their place.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")  # (json.dumps escapes the C0 controls itself)


def _json_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m[0]):04x}"


def json_text(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False)`` with lone surrogates and C1/DEL controls escaped:
    valid UTF-8 whatever the strings hold, and ``json.loads`` gives back ``obj`` exactly."""
    text = json.dumps(obj, ensure_ascii=False)
    return _JSON_UNSAFE.sub(_json_escape, text) if _JSON_UNSAFE.search(text) else text


def clean_text(value: str) -> str:
    """``value`` with lone surrogates and control characters (bar tab, newline, CR) as U+FFFD."""
    return _UNSAFE.sub("\ufffd", value) if _UNSAFE.search(value) else value


def _clean_record(rec: Record) -> Record:
    """A record whose strings are :func:`clean_text` (for formats without escapes)."""
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in rec.items()}


def to_record(event: Event | Mapping[str, Any]) -> Record:
    """The record of an event (``Event.to_record()``), or a copy of a record dict."""
    if isinstance(event, Event):
        return event.to_record()
    if isinstance(event, Mapping):
        return dict(event)
    raise TypeError(f"expected an Event or a record dict, got {type(event).__name__}")


def document_record(event: Event, doc: Document, incident_id: str | None = None) -> Record:
    """The event's record with the fields of its document (and incident) that every output carries."""
    return {**event.to_record(), "incident_id": incident_id, "outlet": doc.outlet, "url": doc.url,
            "title": doc.title, "published": doc.published.isoformat() if doc.published else None}


def format_evidence(evidence: Iterable[Iterable[int]] | None) -> str:
    """``[[0, 5], [9, 20]]`` -> ``"0:5;9:20"``."""
    return ";".join(f"{s}:{e}" for s, e in (evidence or ()))


def parse_evidence(value: str) -> list[list[int]]:
    """``"0:5;9:20"`` -> ``[[0, 5], [9, 20]]`` (the inverse of :func:`format_evidence`)."""
    out: list[list[int]] = []
    for part in value.split(";"):
        if part.strip():
            s, _, e = part.partition(":")
            out.append([int(s), int(e)])
    return out


class EventWriter:
    """Base class: a context manager that writes event records to ``path``."""

    streaming = False  # True: supports append and tell()

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.count = 0  # events written
        self.skipped = 0  # events that this format cannot represent
        self.closed = False

    def write(self, event: Event | Mapping[str, Any]) -> None:
        """Write one event (an :class:`Event` or a record dict)."""
        if self.closed:
            raise OutputError(f"{self.path}: writer is closed")
        self._write(to_record(event))

    def write_many(self, events: Iterable[Event | Mapping[str, Any]]) -> None:
        for ev in events:
            self.write(ev)

    def _write(self, rec: Record) -> None:
        raise NotImplementedError

    def flush(self, fsync: bool = False) -> None:
        """Push buffered bytes to the OS (and to disk with ``fsync=True``) where possible."""

    def tell(self) -> int:
        """Bytes written so far (streaming writers only)."""
        raise OutputError(f"{self.path}: {type(self).__name__} is not a streaming writer")

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _StreamWriter(EventWriter):
    """Shared by the line-oriented formats: a binary file opened for write or append."""

    streaming = True

    def __init__(self, path: Path, append: bool = False) -> None:
        super().__init__(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fh: BinaryIO = open(self.path, "ab" if append else "wb")  # noqa: SIM115
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc}") from exc

    def _emit(self, data: str) -> None:
        self._fh.write(data.encode("utf-8", errors="replace"))  # lone surrogates -> "?"

    def flush(self, fsync: bool = False) -> None:
        self._fh.flush()
        if fsync:
            os.fsync(self._fh.fileno())

    def tell(self) -> int:
        return self._fh.tell()

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
        super().close()


class JsonlWriter(_StreamWriter):
    """One JSON record per line; each line is written with a single ``write``."""

    def _write(self, rec: Record) -> None:
        self._emit(json_text(rec) + "\n")
        self.count += 1


class CsvWriter(_StreamWriter):
    """CSV with the columns of RECORD_FIELDS (plus ``provenance`` as JSON when asked)."""

    def __init__(self, path: Path, append: bool = False, provenance: bool = False,
                 fields: tuple[str, ...] = RECORD_FIELDS) -> None:
        super().__init__(path, append)
        self.columns = (*fields, "provenance") if provenance else fields
        self._buf = io.StringIO()
        self._csv = csv.writer(self._buf, lineterminator="\n")
        if self._fh.tell() == 0:
            self._row(list(self.columns))

    def _row(self, row: list[Any]) -> None:
        row = [clean_text(v) if isinstance(v, str) else v for v in row]
        self._buf.seek(0)
        self._buf.truncate()
        self._csv.writerow(row)
        self._emit(self._buf.getvalue())

    def _write(self, rec: Record) -> None:
        row: list[Any] = []
        for col in self.columns:
            value = rec.get(col)
            if col == "evidence":
                value = format_evidence(value)
            elif col == "provenance":
                value = json.dumps(value or {}, ensure_ascii=False)
            elif value is None:
                value = ""
            row.append(value)
        self._row(row)
        self.count += 1


class _AtomicWriter(EventWriter):
    """Writes to ``PATH.tmp`` and renames it to ``PATH`` on close."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(self.path.name + ".tmp")


class GeoJsonWriter(_AtomicWriter):
    """A FeatureCollection of Point features (null geometry without coordinates), streamed to a
    temporary file."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            self._fh = open(self.tmp, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc}") from exc
        self._fh.write('{"type": "FeatureCollection", "features": [\n')

    def _write(self, rec: Record) -> None:
        lat, lon = rec.get("latitude"), rec.get("longitude")
        feature = {
            "type": "Feature",
            "id": rec.get("event_id") or rec.get("incident_id"),
            "geometry": None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]},
            "properties": rec,
        }
        if self.count:
            self._fh.write(",\n")
        self._fh.write(json_text(feature))
        self.count += 1

    def flush(self, fsync: bool = False) -> None:
        self._fh.flush()

    def close(self) -> None:
        if self.closed:
            return
        self._fh.write("\n]}\n")
        self._fh.close()
        os.replace(self.tmp, self.path)
        super().close()


def _parquet_schema(pa: Any, fields: tuple[str, ...] = RECORD_FIELDS) -> Any:
    types: list[tuple[str, Any]] = []
    for name in fields:
        if name in INT_FIELDS or name in OPT_INT_FIELDS:
            t = pa.int64()
        elif name in FLOAT_FIELDS or name in OPT_FLOAT_FIELDS:
            t = pa.float64()
        elif name == "evidence":
            t = pa.list_(pa.list_(pa.int64()))
        else:
            t = pa.string()
        types.append((name, t))
    if "evidence" in fields:  # event records (other rows, e.g. incidents, have no provenance)
        types.append(("provenance", pa.string()))
    return pa.schema(types)


class ParquetWriter(_AtomicWriter):
    """Parquet via pyarrow, one row group per ``batch_size`` events (or rows of other ``fields``)."""

    def __init__(self, path: Path, batch_size: int = 10_000, fields: tuple[str, ...] = RECORD_FIELDS) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise DependencyError(
                "writing .parquet needs pyarrow: pip install pyarrow (or marsad[dask])"
            ) from exc
        super().__init__(path)
        self._pa = pa
        self.fields = fields
        self.schema = _parquet_schema(pa, fields)
        self._writer = pq.ParquetWriter(str(self.tmp), self.schema)
        self.batch_size = batch_size
        self._rows: list[Record] = []

    def _write(self, rec: Record) -> None:
        row = _clean_record({name: rec.get(name) for name in self.fields})
        if "evidence" in self.fields:
            row["evidence"] = [list(e) for e in rec.get("evidence") or ()]
            row["provenance"] = json.dumps(rec.get("provenance") or {}, ensure_ascii=False)
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= self.batch_size:
            self._flush_rows()

    def _flush_rows(self) -> None:
        if self._rows:
            table = self._pa.Table.from_pylist(self._rows, schema=self.schema)
            self._writer.write_table(table)
            self._rows = []

    def flush(self, fsync: bool = False) -> None:
        self._flush_rows()

    def close(self) -> None:
        if self.closed:
            return
        self._flush_rows()
        self._writer.close()
        os.replace(self.tmp, self.path)
        super().close()


#: extension -> writer class
WRITERS: dict[str, type[EventWriter]] = {
    ".jsonl": JsonlWriter,
    ".csv": CsvWriter,
    ".geojson": GeoJsonWriter,
    ".parquet": ParquetWriter,
}


def open_writer(path: str | Path, *, append: bool = False, **options: Any) -> EventWriter:
    """A writer for ``path`` chosen by its extension (.jsonl, .csv, .geojson, .parquet).

    ``append=True`` continues an existing .jsonl/.csv file (other formats refuse it).
    Extra keyword ``options`` go to the writer (``provenance=`` for CSV, ``batch_size=``
    for Parquet, ``fields=`` the columns of CSV and Parquet rows other than event records).
    """
    path = Path(path)
    cls = WRITERS.get(path.suffix.lower())
    if cls is None:
        known = ", ".join(WRITERS)
        raise UnsupportedFormatError(f"{path}: unknown output format (use one of {known})")
    if cls.streaming:
        return cls(path, append=append, **options)  # type: ignore[call-arg]
    if append:
        raise OutputError(f"{path}: {path.suffix} output cannot be appended to; use .jsonl or .csv")
    return cls(path, **options)  # type: ignore[call-arg]


# --------------------------------------------------------------------------- reading back


def read_events_jsonl(path: str | Path) -> Iterator[Record]:
    """Records of a JSON Lines event file, streamed (blank lines skipped).

    A malformed line raises :class:`OutputError` naming the line, except a partial last
    line (an interrupted write), which is skipped with a warning.
    """
    path = Path(path)
    with open(path, "rb") as fb:
        for lineno, raw in enumerate(fb, 1):
            if not raw.strip():
                continue
            try:
                yield json.loads(raw)
            except ValueError as exc:
                if raw.endswith(b"\n"):
                    raise OutputError(f"{path}:{lineno}: not a JSON record: {raw[:80]!r}") from exc
                log.warning("%s:%d: partial last line ignored", path, lineno)


def _from_cell(name: str, value: str) -> Any:
    if name == "evidence":
        return parse_evidence(value)
    if name == "provenance":
        return json.loads(value) if value else {}
    if name in INT_FIELDS:
        return int(value) if value else 0
    if name in OPT_INT_FIELDS:
        return int(value) if value else None
    if name in FLOAT_FIELDS:
        return float(value) if value else 0.0
    if name in OPT_FLOAT_FIELDS:
        return float(value) if value else None
    if name in OPT_STR_FIELDS:
        return value or None
    return value


def read_events_csv(path: str | Path) -> Iterator[Record]:
    """Records of a CSV event file with the types of the JSON record restored."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: _from_cell(k, v or "") for k, v in row.items() if k is not None}


def read_events(path: str | Path) -> Iterator[Record]:
    """Records of any event file that :func:`open_writer` writes, by extension."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".jsonl":
        yield from read_events_jsonl(path)
    elif ext == ".csv":
        yield from read_events_csv(path)
    elif ext == ".geojson":
        with open(path, encoding="utf-8") as fh:
            for feature in json.load(fh).get("features", []):
                yield feature["properties"]
    elif ext == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise DependencyError("reading .parquet needs pyarrow") from exc
        pf = pq.ParquetFile(str(path))
        for batch in pf.iter_batches():
            for row in batch.to_pylist():
                row["provenance"] = json.loads(row["provenance"]) if row.get("provenance") else {}
                yield row
    else:
        raise UnsupportedFormatError(f"{path}: unknown event file format")


__all__ = [
    "CsvWriter",
    "DOCUMENT_FIELDS",
    "EventWriter",
    "GeoJsonWriter",
    "JsonlWriter",
    "ParquetWriter",
    "RECORD_FIELDS",
    "WRITERS",
    "document_record",
    "format_evidence",
    "open_writer",
    "parse_evidence",
    "read_events",
    "read_events_csv",
    "read_events_jsonl",
    "to_record",
]
