"""The default stage list: ingest text → normalise → segment → recognise → geocode → events.

Each recogniser is a plain function ``Analysis -> list[Mention]`` wrapped in
``pipeline.Recognise``; services (gazetteer, lexicons, NER model) are loaded here once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import partial

from marsad.extract.events import HARM_ROLES, MIN_WEIGHT, could_have_events
from marsad.geo.geocode import candidates, could_be_person
from marsad.model import Analysis, Mention, MentionKind, Token
from marsad.pipeline import Gate, Normalise, Recognise, Segment, Stage
from marsad.text.segment import tokenise_around

log = logging.getLogger(__name__)


@dataclass
class Geocode:
    """Requires place mentions; provides them resolved to one Place each, with roles."""

    geocoder: object
    name: str = "geocode"
    requires: tuple[str, ...] = ("place", "actor")  # and reads NER persons when that stage ran
    provides: tuple[str, ...] = ("places",)

    def __call__(self, analysis: Analysis) -> Analysis:
        resolved = self.geocoder.resolve(analysis)
        others = tuple(m for m in analysis.mentions if m.kind is not MentionKind.PLACE)
        return analysis.with_mentions(others + tuple(resolved))


def _entities_of_event_sentences(analysis: Analysis, tagger, model) -> list[Mention]:
    """NER on the sentences that hold an event word only: the entities the event builder uses
    (a person read as a place, an unknown militia) are there, and tagging every sentence
    would cost most of the pipeline's time."""
    wanted = {m.sent for m in analysis.mentions if m.kind is MentionKind.TRIGGER
              and float(m.attr("weight") or 0) >= MIN_WEIGHT and (m.value[0] or m.attr("role") in HARM_ROLES)}
    if not wanted:
        return []
    # ... and of those, the ones naming a small place: the only entities the builder reads
    # today are persons whose names are also village names
    spots: dict[int, list[tuple[int, int]]] = {}
    for m in analysis.mentions:
        if m.kind is MentionKind.PLACE and m.sent in wanted and m.attr("modifier") in (None, "town") \
                and any(could_be_person(p) for p in candidates(m)):
            spots.setdefault(m.sent, []).append((m.span.start, m.span.end))
    if not spots:
        return []
    tokens = _windows(tuple(t for t in analysis.tokens if t.sent in spots), spots) if analysis.tokens else \
        tokenise_around(analysis, analysis.sentences, spots, NER_WINDOW)
    return tagger(replace(analysis, tokens=tokens), model=model)


NER_WINDOW = 8  # tokens on each side of a small place name that the NER tags


def _windows(tokens: tuple[Token, ...], spots: dict[int, list[tuple[int, int]]]) -> tuple[Token, ...]:
    """Of each sentence's tokens, those from NER_WINDOW before its first small place name to
    NER_WINDOW after its last: whether the name is a person's is decided by its neighbours."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        sent = tokens[i].sent
        j = i
        while j < len(tokens) and tokens[j].sent == sent:
            j += 1
        hits = [k for k in range(i, j) if any(s < tokens[k].end and tokens[k].start < e for s, e in spots[sent])]
        if hits:
            out.extend(tokens[max(i, hits[0] - NER_WINDOW):min(j, hits[-1] + NER_WINDOW + 1)])
        i = j
    return tuple(out)


def default_stages(*, ner: bool = True, events_only: bool = False) -> list[Stage]:
    """Build the standard stages with their resources (loaded once per process).

    ``events_only`` adds a :class:`~marsad.pipeline.Gate` after segmentation that stops a
    document without an event word (events need a trigger mention).
    """
    from marsad.extract.events import EventExtractor
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.geocode import Geocoder
    from marsad.geo.places import automaton as place_automaton
    from marsad.geo.places import common_words, find_places
    from marsad.recognise.actors import ActorLexicon, ActorNaming, find_actors
    from marsad.recognise.dates import find_dates
    from marsad.recognise.numbers import find_numbers
    from marsad.recognise.sources import find_sources, outlet_source
    from marsad.recognise.triggers import cue_lexicon, find_cues, find_triggers, has_triggers, trigger_lexicon

    # every resource is loaded here, not on the first document, so that start-up cost is
    # paid (and measured) once, before any document is read
    trigger_lexicon(), cue_lexicon()
    gazetteer = Gazetteer.load()
    place_automaton(gazetteer), common_words()
    geocoder = Geocoder(gazetteer)
    actors = ActorLexicon.load()
    extractor = EventExtractor(geocoder, ActorNaming(actors), outlet_source=outlet_source)
    stages: list[Stage] = [
        Normalise(),
        Segment(tokens=False),
        *([Gate(has_triggers, name="trigger gate")] if events_only else []),
        Recognise("numbers", find_numbers, ("number",)),
        Recognise("dates", find_dates, ("date",)),
        Recognise("triggers", find_triggers, ("trigger",)),
        Recognise("cues", find_cues, ("cue",)),
        *([Gate(could_have_events, name="event gate", requires=("trigger", "cue"))] if events_only else []),
        Recognise("actors", partial(find_actors, lexicon=actors), ("actor",)),
        # exact: no frame, no event (frames read triggers, cues, actors and dates only)
        *([Gate(extractor.has_frames, name="frame gate", requires=("trigger", "cue", "actor", "date"))]
          if events_only else []),
        Recognise("sources", find_sources, ("source",)),
        Recognise("places", partial(find_places, gazetteer=gazetteer), ("place",)),
    ]
    if ner:
        try:
            from marsad.recognise.ner import NerModel, find_entities

            model = NerModel.load()
            stages.append(Recognise("ner", partial(_entities_of_event_sentences, tagger=find_entities, model=model),
                                    ("ner",), requires=("sentences", "trigger")))
        except (ImportError, OSError) as exc:  # optional: the pipeline runs without it
            log.warning("NER stage disabled: %s", exc)
    stages.append(Geocode(geocoder))
    stages.append(extractor)
    return stages
