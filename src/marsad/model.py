"""The data model that flows between pipeline stages.

Every record is a frozen, slotted dataclass. Offsets are Python ``str`` indices,
half-open ``[start, end)``, always into the ORIGINAL document text
(``Document.text``), never into a normalised copy.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

_SURROGATE = re.compile("[\ud800-\udfff]")

#: documents a batch run takes through each stage together (``Pipeline.run_batch``) ...
BATCH_SIZE = 64
#: ... or fewer, once their texts (or raw pages) reach this many characters (or bytes): a
#: batch's analyses are in memory together, and a document may be up to 2 M characters long
BATCH_CHARS = 1_000_000
#: entries of the caches that remember a document's work by its text (word-boundary copies,
#: lexicon matches): two per document of a batch, so that a later stage still finds what an
#: earlier one computed for the same document
DOC_CACHE = 2 * BATCH_SIZE


@dataclass(frozen=True, slots=True)
class Span:
    """A ``[start, end)`` slice of the original text, with the text it covers."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, source: str, start: int, end: int) -> Span:
        """Build a span from ``source``; the only sanctioned way to make one."""
        return cls(start, end, source[start:end])

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Document:
    """One input article. ``text`` is what offsets refer to (title + blank line + body)."""

    doc_id: str
    text: str
    published: date | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None

    @classmethod
    def from_parts(
        cls,
        doc_id: str,
        body: str,
        published: date | None = None,
        title: str | None = None,
        outlet: str | None = None,
        url: str | None = None,
    ) -> Document:
        """Compose the analysed text as ``title + "\\n\\n" + body`` when a title exists."""
        text = f"{title}\n\n{body}" if title else body
        return cls(doc_id, text, published, title, outlet, url)


class Token(NamedTuple):
    """A token of the original text; ``norm`` is its normalised surface, ``stem`` without proclitics.

    A typed named tuple rather than a dataclass: documents have hundreds of tokens, and a
    tuple is built several times faster while being just as immutable.
    """

    start: int
    end: int
    text: str
    norm: str
    stem: str
    sent: int  # index of the sentence the token belongs to


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


class MentionKind(StrEnum):
    ACTOR = "actor"
    PLACE = "place"
    NUMBER = "number"
    DATE = "date"
    TRIGGER = "trigger"
    SOURCE = "source"
    CUE = "cue"  # negation, denial, plan, update ("ارتفعت الحصيلة") ...
    NER = "ner"  # statistical entity (PERS/LOC/ORG/MISC), before typing


@dataclass(frozen=True, slots=True)
class Mention:
    """Something recognised in the text: a span plus what it is.

    ``value`` is the canonical value (actor name, number, ISO date, trigger label ...);
    ``attrs`` holds kind-specific details as an immutable tuple of pairs.
    """

    kind: MentionKind
    span: Span
    value: Any
    sent: int = -1
    attrs: tuple[tuple[str, Any], ...] = ()
    # attrs as a dict, built on the first lookup: stages read attributes hundreds of times per
    # document, and a scan of the pairs costs more than a dict lookup
    _lookup: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def attr(self, key: str, default: Any = None) -> Any:
        lookup = self._lookup
        if lookup is None:
            lookup = dict(reversed(self.attrs))  # the first pair of a repeated key wins, as in a scan
            object.__setattr__(self, "_lookup", lookup)
        return lookup.get(key, default)

    def with_attr(self, key: str, value: Any) -> Mention:
        """A copy with ``key`` set to ``value`` (replacing any earlier value)."""
        attrs = tuple((k, v) for k, v in self.attrs if k != key) + ((key, value),)
        return Mention(self.kind, self.span, self.value, self.sent, attrs)


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry (what a place mention may resolve to)."""

    geonameid: int | None
    name: str  # English / ASCII name as GeoNames spells it
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    feature: str  # "country", "admin1", "admin2", "admin3", "city", "village", "region", "site", ...
    population: int = 0
    admin1: str = ""
    admin2: str = ""
    source: str = ""  # "wof:123", "geonames:456", "opensyria:SY09", "curated"


@dataclass(frozen=True, slots=True)
class Event:
    """An event record as defined by spec/events.md section 3 (plus ``injuries``)."""

    doc_id: str
    event_id: str
    event_type: str
    sub_event_type: str
    event_date: str | None = None
    time_precision: int = 1
    actor1: str | None = None
    actor2: str | None = None
    assoc_actor_1: str = ""
    assoc_actor_2: str = ""
    inter1: int = 0
    inter2: int = 0
    actor1_text: str | None = None
    actor2_text: str | None = None
    country: str | None = None
    admin1: str = ""
    admin2: str = ""
    location: str | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    geonameid: int | None = None
    fatalities: int = 0
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    injuries: int | None = None
    source: str | None = None
    source_text: str | None = None
    notes: str = ""
    tags: str = ""
    evidence: tuple[tuple[int, int], ...] = ()
    confidence: float = 0.5
    # spans of each field's value in the original text: (field, start, end)
    provenance: tuple[tuple[str, int, int], ...] = field(default=())

    @property
    def evidence_bounds(self) -> tuple[int, int]:
        """From the start of the first evidence span to the end of the last ((0, 0) without any)."""
        if not self.evidence:
            return 0, 0
        return min(s for s, _ in self.evidence), max(e for _, e in self.evidence)

    def to_record(self) -> dict[str, Any]:
        """A plain dict in the field order of events.md (evidence as lists)."""
        rec = {name: getattr(self, name) for name in EVENT_FIELDS}
        for name in ("doc_id", "actor1_text", "actor2_text", "location_text", "source_text", "notes"):
            value = rec[name]
            # a lone surrogate of a document built by hand (readers and extract() replace them) cannot
            # be written as UTF-8: U+FFFD has the same length, so the offsets hold
            if isinstance(value, str) and _SURROGATE.search(value):
                rec[name] = _SURROGATE.sub("\ufffd", value)
        rec["evidence"] = [list(e) for e in self.evidence]
        rec["provenance"] = {f: [s, e] for f, s, e in self.provenance}
        return rec


def evidence_overlap(a: Iterable[Sequence[int]], b: Iterable[Sequence[int]]) -> int:
    """Characters two evidence lists (``[start, end)`` spans of one text) share: which telling is which."""
    b = list(b)
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


EVENT_FIELDS: tuple[str, ...] = (
    "doc_id", "event_id", "event_date", "time_precision", "event_type", "sub_event_type",
    "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "inter1", "inter2",
    "actor1_text", "actor2_text", "country", "admin1", "admin2", "location", "location_text",
    "latitude", "longitude", "geo_precision", "geonameid", "fatalities", "fatalities_low",
    "fatalities_high", "injuries", "source", "source_text", "notes", "tags", "evidence", "confidence",
)


@dataclass(frozen=True, slots=True)
class Drop:
    """An event candidate that a stage dropped, and why: every drop has a named reason that a
    run counts and ``marsad eval --errors`` shows beside the gold events it missed."""

    reason: str  # "model:background", "rules:blocked_by_cue", "low_confidence" ...
    span: tuple[int, int]  # the sentence (original offsets)
    event_type: str | None = None
    sub_event_type: str | None = None
    p_event: float | None = None  # the sentence model's probability, where it decided


@dataclass(frozen=True, slots=True)
class Analysis:
    """A document as it moves through the pipeline: each stage returns a new one with more filled in."""

    doc: Document
    norm: str = ""  # normalised text (see text.normalise); offsets map back via ``offsets``
    # offsets[i] = original index of norm[i]; offsets[len(norm)] = len(text); None = identity.
    # A norm span [s, e) covers original [offsets[s], offsets[e]), which keeps the diacritics
    # and tatweel of its last letter and the whole of a collapsed letter run.
    offsets: Sequence[int] | None = None  # an array("q") from normalise
    sentences: tuple[Sentence, ...] = ()
    tokens: tuple[Token, ...] = ()
    mentions: tuple[Mention, ...] = ()
    events: tuple[Event, ...] = ()
    drops: tuple[Drop, ...] = ()  # event candidates dropped, with their reasons (the events stage)

    def orig(self, norm_index: int) -> int:
        """Map an index of ``norm`` (0..len(norm)) back to the original text."""
        if self.offsets is None:
            return norm_index
        return self.offsets[norm_index]

    def span_from_norm(self, start: int, end: int) -> Span:
        """The original-text span covering ``norm[start:end]``."""
        # ``orig`` inlined: every recogniser calls this for every mention
        offsets = self.offsets
        s, e = (start, end) if offsets is None else (offsets[start], offsets[end])
        # never end a span on trailing whitespace that followed deleted marks
        text = self.doc.text
        while e > s and text[e - 1].isspace():
            e -= 1
        return Span(s, e, text[s:e])

    def mention(self, kind: MentionKind, start: int, end: int, value: Any,
                attrs: tuple[tuple[str, Any], ...] = ()) -> Mention:
        """A mention of ``norm[start:end]``: its original span (:meth:`span_from_norm`), placed in
        its sentence (:meth:`sentence_of`). How recognisers make their mentions."""
        span = self.span_from_norm(start, end)
        return Mention(kind, span, value, self.sentence_of(span.start), attrs)

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding original offset ``offset`` (-1 before segmentation).

        Recognisers place their mentions with it as they make them (:meth:`mention`): a mention
        made with ``sent=-1`` is copied by the ``Recognise`` stage to place it, which costs more.
        """
        sentences = self.sentences
        if not sentences:
            return -1
        return max(bisect_right(_sentence_starts(sentences), offset) - 1, 0)

    def with_mentions(self, mentions: tuple[Mention, ...]) -> Analysis:
        """A copy with these mentions (``dataclasses.replace`` costs more than several recognisers)."""
        return Analysis(self.doc, self.norm, self.offsets, self.sentences, self.tokens, mentions, self.events,
                        self.drops)

    def by_sentence(self) -> dict[int, list[Mention]]:
        """The mentions of each sentence, in mention order (what frames, tolls and the learned
        decisions read a sentence by)."""
        out: dict[int, list[Mention]] = {}
        for m in self.mentions:
            out.setdefault(m.sent, []).append(m)
        return out

    def mentions_of(self, kind: MentionKind) -> list[Mention]:
        return [m for m in self.mentions if m.kind is kind]


_STARTS: list[tuple[tuple[Sentence, ...], list[int]]] = []


def _sentence_starts(sentences: tuple[Sentence, ...]) -> list[int]:
    """The sentences' start offsets, remembered for the document in hand: every recogniser of
    a document places its mentions in the same sentences."""
    last = _STARTS[-1] if _STARTS else None  # one read: another thread may replace it
    if last is not None and last[0] is sentences:  # (the entry keeps its tuple alive: ids stay unique)
        return last[1]
    starts = [s.start for s in sentences]
    _STARTS[:] = [(sentences, starts)]
    return starts


@dataclass(frozen=True, slots=True)
class Failure:
    """A document (or record) that could not be processed, and why."""

    doc_id: str
    reason: str
    source: str = ""  # file (and line) it came from
