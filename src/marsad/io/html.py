"""HTML pages and fragments: decoding a page (BOM, declared charset, UTF-8, cp1256), its main text
and metadata via trafilatura, and plain tag stripping where trafilatura finds no main text."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Any

from marsad.io.decoding import bom_encoding, decode_bytes

log = logging.getLogger(__name__)

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one line per block element."""

    _BLOCK = frozenset(
        {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
        | {"blockquote", "section", "article", "header", "footer", "pre"}
    )
    _SKIP = frozenset(["script", "style", "noscript", "template", "head"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def strip_html(markup: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, one line per block."""
    if "<" not in markup:
        return _tidy(markup)
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _html_title(markup: str) -> str | None:
    parser = _TextExtractor()
    parser.feed(markup[:200_000])
    title = " ".join("".join(parser.title).split())
    return title or None


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode an HTML page: BOM, declared charset (HTTP header or <meta>), UTF-8, cp1256."""
    enc = bom_encoding(data[:4])
    if enc:
        return data.decode(enc, errors="replace")
    m = _META_CHARSET_RE.search(data[:4096])
    for candidate in (declared, m[1].decode("ascii", "replace") if m else None):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return decode_bytes(data)[0]


# A page's date comes from its metadata (meta tags, JSON-LD, its URL), never from a year its body
# mentions: htmldate's extensive search guesses "2011" from the text of a 2015 page and claims
# the day (2011-01-01); without a metadata date, the archive's own (WARC-Date) is used, or none.
_PAGE_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def extract_html(markup: str, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """Main text and metadata (title, date, sitename, url) of an HTML page via trafilatura."""
    import trafilatura  # heavy import, only when HTML is read

    meta: dict[str, Any] = {}
    body = ""
    if not markup.strip():
        return "", meta
    try:
        res = trafilatura.bare_extraction(
            markup, url=url, with_metadata=True, include_comments=False, favor_recall=True,
            date_extraction_params=_PAGE_DATE_PARAMS,
        )
    except Exception as exc:  # trafilatura/lxml raise many types on odd markup
        log.debug("trafilatura failed (%s); falling back to tag stripping", exc)
        res = None
    if res is not None:
        data = res if isinstance(res, dict) else res.as_dict()
        body = (data.get("text") or "").strip()
        meta = {k: data.get(k) for k in ("title", "date", "sitename", "url")}
    if not body:
        body = strip_html(markup)
    if not meta.get("title"):
        meta["title"] = _html_title(markup)
    return body, meta
