"""Decoding the bytes of an input file: a byte-order mark, BOM-less UTF-16, UTF-8 or cp1256, for a
whole file in memory or chosen by streaming over it, and the share of junk characters that marks
binary content (:mod:`marsad.io.readers` applies these to every format)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

JUNK_SHARE = 0.02  # share of control / replacement characters that marks binary content
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SCAN_CHUNK = 1 << 20


def bom_encoding(head: bytes) -> str | None:
    """The encoding announced by a byte-order mark at the start of ``head``, if any."""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 of Arabic/Latin text: high bytes are mostly 0x00 or 0x06."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    odd, even = sample[1::2], sample[0::2]

    def share(b: bytes) -> float:
        return sum(1 for x in b if x in (0x00, 0x06)) / len(b)

    if share(odd) > 0.6 and share(even) < 0.2:
        return "utf-16-le"
    if share(even) > 0.6 and share(odd) < 0.2:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a whole file: BOM, else BOM-less UTF-16 (by its byte pattern), else UTF-8, else cp1256.

    Returns ``(text, encoding)``. Never raises: undecodable bytes become U+FFFD, which the
    binary-content check then catches. A BOM is removed from the text.
    """
    enc = bom_encoding(data[:4])
    if enc:
        return data.decode(enc, errors="replace"), enc
    enc16 = _utf16_without_bom(data)  # before UTF-8: ASCII-range UTF-16 is valid UTF-8 too
    if enc16:
        return data.decode(enc16, errors="replace"), enc16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp1256", errors="replace"), "cp1256"


def sniff_file_encoding(path: Path, opener: Any = open) -> str:
    """Choose one encoding for a whole file by streaming over it (constant memory)."""
    with opener(path, "rb") as fb:
        head = fb.read(4)
        enc = bom_encoding(head)
        if enc:
            return enc
        dec = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                dec.decode(chunk)
                chunk = fb.read(_SCAN_CHUNK)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1256"
    return "utf-8"


def junk_share(text: str) -> float:
    """Share of control characters (bar whitespace) and U+FFFD in ``text``."""
    if not text:
        return 0.0
    return len(_JUNK_RE.findall(text)) / len(text)
