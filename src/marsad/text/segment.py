"""Sentence splitting and tokenisation with clitic handling, on the normalised text.

Requires: ``Analysis.norm`` (and ``offsets``). Provides: ``sentences`` and ``tokens``,
whose ``start``/``end`` are indices into the ORIGINAL text.

Tokens are found with one regex pass over the normalised text (no per-character Python);
each token keeps its normalised form and a ``stem`` with Arabic proclitics removed
(و ف ب ل ك ال لل and their combinations), which dictionary features and the NER use.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from marsad.model import Analysis, Sentence, Token

# A token: a run of letters/digits (Arabic or Latin, with an internal . or , between
# digits so "1,200" and "2.5" stay whole), or one punctuation character.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\S", re.UNICODE)

# A sentence ends at . ! ? ؟ … or a line break, followed by space/end; a full stop
# between two digits is a decimal point, not an end.
# A comma before "فيما"، "بينما"، "في حين"، "في وقت" also ends one: news joins two incidents that
# way ("قتل 20 مدنيا في دوما، بينما قتل خمسة في عربين"), and each clause is told on its own.
_SENT_END = re.compile(r"(?:(?<!\d)[.!?؟…]+|(?<=\d)[.!?؟…]+(?!\d))[\"'”»)\]]*(?=\s|$)|\n+"
                       r"|[،,](?=\s*(?:فيما|بينما|في\s+حين|في\s+وقت|في\s+الوقت\s+الذي)\s)")

# Every sentence end starts with one of these: ``_SENT_END`` is tried only there (searching
# it tries all its branches at every character of the text, which costs more than the rest).
_SENT_END_START = re.compile(r"[.!?؟…\n،,]")

# Proclitic sequences, longest first; stripped only if a stem of >= 3 letters remains,
# because short words (بل، لم، فى) are themselves whole words.
_PROCLITIC = re.compile(r"^(?:وال|فال|بال|كال|ولل|فلل|لل|ال|وب|فب|ول|فل|وك|و|ف|ب|ل|ك)(?=[\u0621-\u064a]{3})")


@lru_cache(maxsize=1 << 16)
def strip_proclitics(word: str) -> str:
    """Remove one sequence of proclitics from a normalised Arabic word."""
    return _PROCLITIC.sub("", word, count=1)


def split_sentences(analysis: Analysis) -> tuple[Sentence, ...]:
    """Sentence spans over the original text, trimmed of surrounding whitespace."""
    norm, text = analysis.norm, analysis.doc.text
    out: list[Sentence] = []
    start = 0
    bounds = _sentence_ends(norm)
    if not bounds or bounds[-1] < len(norm):
        bounds.append(len(norm))
    for end in bounds:
        s, e = analysis.orig(start), analysis.orig(end)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
        start = end
    return tuple(out)


def _sentence_ends(norm: str) -> list[int]:
    """The ends of ``_SENT_END.finditer(norm)``'s matches (the same matches, found faster)."""
    ends: list[int] = []
    pos = 0
    match = _SENT_END.match
    for c in _SENT_END_START.finditer(norm):
        p = c.start()
        if p < pos:
            continue
        m = match(norm, p)
        if m is not None:
            pos = m.end()
            ends.append(pos)
    return ends


def tokenise(analysis: Analysis, sentences: tuple[Sentence, ...],
             only: set[int] | None = None) -> tuple[Token, ...]:
    """Tokens with original offsets, normalised form, clitic-stripped stem and sentence index.

    ``only`` restricts tokenisation to those sentence indices (the NER tags event sentences
    only, and tokenising the rest would cost more than every recogniser together).
    """
    text, norm, offsets = analysis.doc.text, analysis.norm, analysis.offsets
    tokens: list[Token] = []
    append = tokens.append
    if only is None:
        starts = [s.start for s in sentences]
        ranges = [(0, len(norm), None)]
    else:
        starts = []
        ranges = [(_norm_index(offsets, sentences[i].start), _norm_index(offsets, sentences[i].end), i)
                  for i in sorted(only) if 0 <= i < len(sentences)]
    for lo, hi, fixed in ranges:
        for s, e, m in _words(analysis, lo, hi):
            word = m.group()
            sent = fixed if fixed is not None else max(bisect.bisect_right(starts, s) - 1, 0)
            append(Token(s, e, text[s:e], word, strip_proclitics(word), sent))
    return tuple(tokens)


def tokenise_around(analysis: Analysis, sentences: tuple[Sentence, ...],
                    spots: dict[int, list[tuple[int, int]]], width: int) -> tuple[Token, ...]:
    """The tokens of :func:`tokenise` (``only=spots``) from ``width`` tokens before each sentence's
    first spot (an original-text span) to ``width`` after its last, and no others.

    The NER tags only there; the words outside are found (one regex pass) but never built into
    tokens, which is most of tokenising's cost.
    """
    text, offsets = analysis.doc.text, analysis.offsets
    out: list[Token] = []
    for i in sorted(spots):
        if not 0 <= i < len(sentences):
            continue
        lo, hi = _norm_index(offsets, sentences[i].start), _norm_index(offsets, sentences[i].end)
        found = list(_words(analysis, lo, hi))
        window = around([(s, e) for s, e, _ in found], spots[i], width)
        if window is None:
            continue
        for s, e, m in found[window]:
            word = m.group()
            out.append(Token(s, e, text[s:e], word, strip_proclitics(word), i))
    return tuple(out)


def around(spans: Sequence[tuple[int, int]], marks: Sequence[tuple[int, int]], width: int) -> slice | None:
    """The slice of ``spans`` (a sentence's tokens, in order) from ``width`` before the first one
    that overlaps a mark to ``width`` after the last; None if none does."""
    hits = [k for k, (s, e) in enumerate(spans) if any(a < e and s < b for a, b in marks)]
    return slice(max(0, hits[0] - width), hits[-1] + width + 1) if hits else None


def _words(analysis: Analysis, lo: int, hi: int) -> Iterator[tuple[int, int, re.Match[str]]]:
    """The token matches of ``norm[lo:hi]`` with their original-text span (trailing spaces off)."""
    text, offsets = analysis.doc.text, analysis.offsets
    for m in _TOKEN.finditer(analysis.norm, lo, hi):
        ns, ne = m.span()
        if offsets is None:
            yield ns, ne, m
            continue
        s, e = offsets[ns], offsets[ne]
        while e > s and text[e - 1].isspace():
            e -= 1
        yield s, e, m


def _norm_index(offsets: Sequence[int] | None, orig: int) -> int:
    """The normalised index of original offset ``orig`` (the first kept character at or after it)."""
    return orig if offsets is None else bisect.bisect_left(offsets, orig)
