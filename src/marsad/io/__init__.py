"""Reading documents from files and writing event records: readers.py (the entry point, every format),
with decoding.py (bytes to text), html.py (pages), warc.py (archives) and ids.py (bounded id bookkeeping);
writers.py."""

from marsad.io.readers import SUPPORTED_EXTENSIONS, detect_format, iter_documents
from marsad.io.writers import (
    EventWriter,
    open_writer,
    read_events,
    read_events_csv,
    read_events_jsonl,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "EventWriter",
    "detect_format",
    "iter_documents",
    "open_writer",
    "read_events",
    "read_events_csv",
    "read_events_jsonl",
]
