"""The coder's sheet: an article's sentences and its candidate mentions, numbered.

The candidates are what marsad's dictionaries find before any event decision (actor names,
numbers, gazetteer matches with their readings): they are the units the learned decisions
label, so the coder labels them. Nothing of marsad's event output is shown: coding is blind.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

from marsad.model import Analysis, Document, Mention, MentionKind, Place

#: readings of a gazetteer match shown to the coder (the candidates, in the gazetteer's order)
MAX_READINGS = 5


@dataclass(frozen=True)
class Candidate:
    key: str  # "A3", "P1", "N2"
    kind: str  # actor / place / number
    start: int
    end: int
    sent: int
    value: object  # canonical actor, number, or the place readings
    readings: tuple[Place, ...] = ()


@dataclass(frozen=True)
class Sheet:
    doc: Document
    sentences: tuple[tuple[int, int], ...]
    candidates: tuple[Candidate, ...]

    def by_key(self) -> dict[str, Candidate]:
        return {c.key: c for c in self.candidates}


@lru_cache(maxsize=1)
def _pipeline():  # type: ignore[no-untyped-def]
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.places import find_places
    from marsad.pipeline import Normalise, Pipeline, Recognise, Segment
    from marsad.recognise.actors import ActorLexicon, find_actors
    from marsad.recognise.numbers import find_numbers

    gazetteer, actors = Gazetteer.load(), ActorLexicon.load()
    return Pipeline([
        Normalise(), Segment(tokens=False),
        Recognise("actors", partial(find_actors, lexicon=actors), ("actor",)),
        Recognise("numbers", find_numbers, ("number",)),
        Recognise("places", partial(find_places, gazetteer=gazetteer), ("place",)),
    ])


def candidates_of(analysis: Analysis) -> tuple[Candidate, ...]:
    out: list[Candidate] = []
    prefix = {MentionKind.ACTOR: "A", MentionKind.PLACE: "P", MentionKind.NUMBER: "N"}
    counters = dict.fromkeys(prefix, 0)
    seen: set[tuple[str, int, int]] = set()
    mentions: list[Mention] = sorted((m for m in analysis.mentions if m.kind in prefix),
                                     key=lambda m: (m.span.start, m.span.end))
    for m in mentions:
        if (m.kind, m.span.start, m.span.end) in seen:
            continue
        seen.add((m.kind, m.span.start, m.span.end))
        counters[m.kind] += 1
        key = f"{prefix[m.kind]}{counters[m.kind]}"
        if m.kind is MentionKind.PLACE:
            out.append(Candidate(key, "place", m.span.start, m.span.end, m.sent, None, tuple(m.value)))
        else:
            out.append(Candidate(key, str(m.kind), m.span.start, m.span.end, m.sent, m.value))
    return tuple(out)


def make_sheet(doc: Document) -> Sheet:
    analysis = _pipeline()(doc)
    sentences = tuple((s.start, s.end) for s in analysis.sentences)
    return Sheet(doc, sentences, candidates_of(analysis))


def _reading(i: int, p: Place) -> str:
    where = ",".join(x for x in (p.country, p.admin1) if x)
    return f"{i}:{p.name}({where};{p.feature})"


def format_sheet(sheet: Sheet) -> str:
    doc = sheet.doc
    lines = [f"=== DOC {doc.doc_id} | published {doc.published} | outlet {doc.outlet}"]
    for i, (s, e) in enumerate(sheet.sentences):
        lines.append(f"[{i}] {doc.text[s:e]}")
    for kind, title in (("actor", "ACTORS"), ("place", "PLACES"), ("number", "NUMBERS")):
        items = [c for c in sheet.candidates if c.kind == kind]
        if not items:
            continue
        lines.append(f"{title} (by sentence):")
        by_sent: dict[int, list[str]] = {}
        for c in items:
            surface = doc.text[c.start:c.end]
            if kind == "place":
                shown = " ".join(_reading(i, p) for i, p in enumerate(c.readings[:MAX_READINGS], 1))
                more = f" +{len(c.readings) - MAX_READINGS}" if len(c.readings) > MAX_READINGS else ""
                by_sent.setdefault(c.sent, []).append(f"{c.key} {surface} = {shown}{more}")
            else:
                by_sent.setdefault(c.sent, []).append(f"{c.key} {surface}={c.value}")
        sep = "\n      " if kind == "place" else " ; "
        lines.extend(f"  [{k}] {sep.join(v)}" for k, v in by_sent.items())
    return "\n".join(lines)
