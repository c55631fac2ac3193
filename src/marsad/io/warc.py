"""WARC archives: whether a file is one, and how a damaged one is read (records up to the damage;
a record or a last gzip member cut short told apart from a whole one), for :mod:`marsad.io.readers`."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

WARC_TYPES = frozenset({"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
                         "continuation"})


def starts_like_warc(path: Path) -> bool:
    """Whether a file begins with a WARC record header (after gunzipping the first bytes)."""
    with open(path, "rb") as fb:
        head = fb.read(4096)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def gzip_member_whole(path: Path, offset: int) -> bool:
    """Whether the gzip member at ``offset`` (the last of a .warc.gz) ends as gzip says it must:
    warcio reads a member cut short as far as it goes, without a word. True for an uncompressed file."""
    with open(path, "rb") as fb:
        fb.seek(offset)
        if fb.read(2) != b"\x1f\x8b":
            return True
        fb.seek(offset)
        d = zlib.decompressobj(31)
        while not d.eof:
            chunk = fb.read(1 << 16)
            if not chunk:
                return False
            try:
                d.decompress(chunk, 1 << 16)
                while d.unconsumed_tail and not d.eof:
                    d.decompress(d.unconsumed_tail, 1 << 16)
            except zlib.error:
                return False
        return True


def records_until_damage(records: Iterable[Any], broken: list[Exception]) -> Iterator[Any]:
    """The records of a WARC until one cannot be parsed; the exception that stopped them goes to
    ``broken`` (the records before it are whole, and the damage is reported, not raised)."""
    it = iter(records)
    while True:
        try:
            rec = next(it)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - warcio raises many types on a cut record
            broken.append(exc)
            return
        yield rec


def warc_missing(rec: Any) -> int:
    """Bytes of a WARC record's block that its file does not hold (0 for a whole record): the
    rest of the record is read, and its ``Content-Length`` compared with what was there."""
    raw = getattr(rec, "raw_stream", None)
    if raw is None or not hasattr(raw, "limit"):
        return 0
    while raw.read(1 << 16):
        pass
    return max(0, int(raw.limit))
