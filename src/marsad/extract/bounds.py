"""Bounded work: the caps that keep every document's cost linear in its length (issue 17).

Requires: the sentences of an analysis (and, for :class:`FrameCut`, the frames the event stage
found). Provides: :func:`bound`, what the segmenter hands on: each sentence longer than
``max_sentence_chars`` cut at a space (:func:`cap_sentences`), and the sentences that start
``max_event_chars`` or more into the document left out; :func:`truncate`, an analysis reduced to its
first sentences; and :class:`FrameCut`, the stage after the frame gate that hands the later stages
only the sentences up to the last of the at most ``max_frames`` frames the event stage builds.

Why caps and not faster code alone: the recognisers and the toll features read a sentence whole for
each of its mentions, and placing, tolls and merging compare frames with each other and with the
document's mentions. On articles these are small numbers; a 300 KB sentence dense with event words,
or 1 MB of event sentences, made them quadratic. With these caps each of those loops has a bounded
size: normalising and segmenting are linear in the document's length, everything after costs at
most a constant. No article of dev, the held-out split or the annotation pool reaches a cap
(docs/settings.md).

A cap that cuts is never silent: each cut adds a ``Drop`` whose reason starts with ``cap:`` to
``Analysis.drops``: ``cap:long_sentence`` with the span of the sentence that was cut,
``cap:event_chars`` with the span of the text left out, ``cap:frames`` with the span of each later
sentence that holds an event word. Runs count them in their summary like every dropped candidate.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING

from marsad.extract.settings import DEFAULT
from marsad.model import Analysis, Drop, Sentence, _sentence_starts

if TYPE_CHECKING:
    from marsad.extract.events import EventExtractor

LONG_SENTENCE = "cap:long_sentence"
FRAMES = "cap:frames"
EVENT_CHARS = "cap:event_chars"

_SPACE = re.compile(r"\s+")


def cap_sentences(sentences: tuple[Sentence, ...], text: str,
                  limit: int = DEFAULT.max_sentence_chars) -> tuple[tuple[Sentence, ...], tuple[Drop, ...]]:
    """``sentences`` with each one longer than ``limit`` cut into pieces of at most ``limit``
    characters, at the last space before the limit (mid-word where a piece has no space: a word that
    long is no word), and one ``cap:long_sentence`` drop per sentence cut."""
    if all(s.end - s.start <= limit for s in sentences):
        return sentences, ()
    out: list[Sentence] = []
    drops: list[Drop] = []
    for s in sentences:
        if s.end - s.start <= limit:
            out.append(s)
            continue
        drops.append(Drop(LONG_SENTENCE, (s.start, s.end)))
        start = s.start
        while start < s.end:
            end = min(start + limit, s.end)
            if end < s.end:
                # the last run of spaces inside the piece (searched once per piece: linear overall)
                spaces = list(_SPACE.finditer(text, start + limit // 2, end))
                if spaces:
                    end = spaces[-1].start()
            piece_end = end
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
            if piece_end > start:
                out.append(Sentence(start, piece_end, text[start:piece_end]))
            start = end
            while start < s.end and text[start].isspace():
                start += 1
    return tuple(out), tuple(drops)


def bound(analysis: Analysis, sentences: tuple[Sentence, ...]) -> Analysis:
    """``analysis`` with these sentences, bounded: each longer than ``max_sentence_chars`` cut
    (:func:`cap_sentences`), and those that start ``max_event_chars`` or more into the document left
    out with the normalised text from there (one ``cap:event_chars`` drop spans what is left out)."""
    text = analysis.doc.text
    sentences, drops = cap_sentences(sentences, text)
    a = analysis
    a = Analysis(a.doc, a.norm, a.offsets, sentences, a.tokens, a.mentions, a.events, a.drops + drops)
    limit = DEFAULT.max_event_chars
    if not sentences or sentences[-1].start < limit:
        return a
    k = bisect_left(_sentence_starts(sentences), limit)
    a = truncate(a, k)
    return Analysis(a.doc, a.norm, a.offsets, a.sentences, a.tokens, a.mentions, a.events,
                    a.drops + (Drop(EVENT_CHARS, (sentences[k].start, len(text))),))


def truncate(analysis: Analysis, n_sentences: int) -> Analysis:
    """``analysis`` reduced to its first ``n_sentences`` sentences: their mentions, and the normalised
    text up to the next sentence (so that a recogniser run later finds nothing beyond). The offsets
    map is kept whole: every index of the shorter ``norm`` still maps to the original text."""
    a = analysis
    if n_sentences >= len(a.sentences):
        return a
    sentences = a.sentences[:n_sentences]
    nxt = a.sentences[n_sentences].start
    norm_end = nxt if a.offsets is None else bisect_left(a.offsets, nxt, 0, len(a.norm))
    mentions = tuple(m for m in a.mentions if m.sent < n_sentences)
    tokens = tuple(t for t in a.tokens if t.sent < n_sentences)
    return Analysis(a.doc, a.norm[:norm_end], a.offsets, sentences, tokens, mentions, a.events, a.drops)


def frame_cut(analysis: Analysis, drops: list[Drop]) -> int | None:
    """The number of leading sentences the event stage analyses, when ``max_frames`` cut (else None):
    every sentence before the first one dropped for ``cap:frames``."""
    first = next((d.span[0] for d in drops if d.reason == FRAMES), None)
    if first is None:
        return None
    si = analysis.sentence_of(first)
    # (an analysis already truncated there no longer holds that sentence)
    return si if analysis.sentences[si].start == first else None


class FrameCut:
    """The stage after the frame gate of an extraction run: when the event stage will build only the
    first ``max_frames`` frames of a document, the later stages (numbers, sources, places, NER,
    geocoding) see only the sentences up to there (:func:`truncate`)."""

    name = "frame cut"
    requires = ("sentences",)
    provides: tuple[str, ...] = ()

    def __init__(self, extractor: EventExtractor) -> None:
        self.extractor = extractor

    def __call__(self, analysis: Analysis) -> Analysis:
        cut = self.extractor.cut(analysis)
        return analysis if cut is None else truncate(analysis, cut)
