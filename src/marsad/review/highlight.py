"""Server-side highlighting of an article: the text cut into segments at span boundaries.

Offsets are Python ``str`` indices (code points) into the document text; a browser's string
indices are UTF-16 units, so the cutting is done here, never in JavaScript. Every boundary is
moved out to the edge of the word it falls in, so a highlight never splits a word: Arabic
letters join only inside one text run, and a ``<mark>`` in the middle of a word would show
its letters in their isolated forms. Each segment carries its start offset, which the page's
script uses to turn a selection back into offsets (and the server snaps it again).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: the fields whose spans are shown, and the CSS class of each (a fixed list: classes never
#: come from the data)
FIELD_CLASSES = {
    "evidence": "hl-evidence", "trigger": "hl-trigger", "actor1": "hl-actor", "actor2": "hl-actor",
    "assoc_actor_1": "hl-actor", "assoc_actor_2": "hl-actor", "location": "hl-place",
    "admin1": "hl-place", "fatalities": "hl-number", "injuries": "hl-number", "event_date": "hl-date",
    "source": "hl-source",
}
_JOINERS = {"\u0640", "\u200c", "\u200d"}  # tatweel, ZWNJ, ZWJ: part of the word they sit in


def _in_word(ch: str) -> bool:
    return ch in _JOINERS or unicodedata.category(ch)[0] in "LMN"


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to whole words (clamped to the text)."""
    n = len(text)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    while 0 < start < n and _in_word(text[start - 1]) and _in_word(text[start]):
        start -= 1
    while 0 < end < n and _in_word(text[end - 1]) and _in_word(text[end]):
        end += 1
    return start, end


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    text: str
    classes: tuple[str, ...]  # sorted CSS classes
    events: tuple[int, ...]  # indices of the events whose spans cover it
    fields: tuple[str, ...]  # the fields whose spans cover it


def segments(text: str, marks: Iterable[tuple[int, int, str, int]]) -> list[Segment]:
    """Cut ``text`` at the (snapped) boundaries of ``marks``: ``(start, end, field, event index)``.
    The segments cover the whole text, in order; their texts joined give ``text`` back."""
    snapped: list[tuple[int, int, str, int]] = []
    for s, e, fld, ev in marks:
        if fld not in FIELD_CLASSES:
            continue
        s, e = snap(text, s, e)
        if s < e:
            snapped.append((s, e, fld, ev))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in snapped), *(e for _, e, _, _ in snapped)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        covering = [(fld, ev) for s, e, fld, ev in snapped if s <= a and b <= e]
        out.append(Segment(a, b, text[a:b], tuple(sorted({FIELD_CLASSES[f] for f, _ in covering})),
                           tuple(sorted({ev for _, ev in covering})),
                           tuple(sorted({f for f, _ in covering}))))
    return out


def event_marks(records: Sequence[dict]) -> list[tuple[int, int, str, int]]:
    """The evidence and field spans of event records, as marks for :func:`segments`."""
    out: list[tuple[int, int, str, int]] = []
    for i, rec in enumerate(records):
        for span in rec.get("evidence") or []:
            if _is_span(span):
                out.append((span[0], span[1], "evidence", i))
        for fld, span in (rec.get("provenance") or {}).items():
            if _is_span(span):
                out.append((span[0], span[1], fld, i))
    return out


def _is_span(span: object) -> bool:
    return (isinstance(span, list | tuple) and len(span) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in span) and span[0] < span[1])
