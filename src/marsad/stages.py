"""The default stage list: ingest text → normalise → segment → recognise → geocode → events.

Each recogniser is a plain function ``Analysis -> list[Mention]`` wrapped in
``pipeline.Recognise``; services (gazetteer, lexicons, NER model) are loaded here once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from itertools import groupby
from operator import attrgetter

from marsad.extract.events import HARM_ROLES, MIN_WEIGHT, could_have_events
from marsad.geo.geocode import EntityFinder
from marsad.model import Analysis, Mention, MentionKind, Token
from marsad.pipeline import Gate, Normalise, Recognise, Segment, Stage
from marsad.text.segment import around, tokenise_around

log = logging.getLogger(__name__)


@dataclass
class Geocode:
    """Requires place mentions; provides them resolved to one Place each, with roles.

    With ``entities`` (the NER, see :func:`persons_finder`), the geocoder asks it whether the
    few places a given name could explain are persons; the entities it found join the
    analysis as NER mentions. Without it, NER mentions an earlier stage added are read.
    """

    geocoder: object
    entities: EntityFinder | None = None
    name: str = "geocode"
    # (the entity finder also reads the triggers, to ask only about event sentences)
    requires: tuple[str, ...] = ("place", "actor", "trigger")
    provides: tuple[str, ...] = ("places", "ner")

    def __call__(self, analysis: Analysis) -> Analysis:
        resolved, found = self.geocoder.resolve_with_entities(analysis, entities=self.entities)
        others = tuple(m for m in analysis.mentions if m.kind is not MentionKind.PLACE)
        return analysis.with_mentions(others + tuple(resolved) + tuple(found))


def _entities_near(analysis: Analysis, places: list[Mention], tagger: Callable[..., list[Mention]],
                   model: object) -> list[Mention]:
    """NER around the place mentions the geocoder asks about, in the sentences that hold an
    event word: whether a bare small-place name is a person's is all the pipeline asks of the
    NER, and tagging every sentence would cost most of the pipeline's time."""
    wanted = {m.sent for m in analysis.mentions if m.kind is MentionKind.TRIGGER
              and float(m.attr("weight") or 0) >= MIN_WEIGHT and (m.value[0] or m.attr("role") in HARM_ROLES)}
    spots: dict[int, list[tuple[int, int]]] = {}
    for m in places:
        if m.sent in wanted:
            spots.setdefault(m.sent, []).append((m.span.start, m.span.end))
    if not spots:
        return []
    tokens = _windows(tuple(t for t in analysis.tokens if t.sent in spots), spots) if analysis.tokens else \
        tokenise_around(analysis, analysis.sentences, spots, NER_WINDOW)
    return tagger(replace(analysis, tokens=tokens), model=model)


def persons_finder(model: object | None = None) -> EntityFinder:
    """The NER as the geocoder's :data:`~marsad.geo.geocode.EntityFinder` (the packaged model by default)."""
    from marsad.recognise.ner import NerModel, find_entities

    return partial(_entities_near, tagger=find_entities, model=model or NerModel.load())


# tokens on each side of a small place name that the NER tags: the CRF's features look two
# tokens away, so with five every feature of the name and of its neighbours up to three away
# is the one the whole sentence would give (all 20,459 shared articles: the same events as
# with eight; with four, one name in a person's chain "هادي قطيم الشيباني" was read as a place)
NER_WINDOW = 5


def _windows(tokens: tuple[Token, ...], spots: dict[int, list[tuple[int, int]]]) -> tuple[Token, ...]:
    """Of each sentence's tokens, those from NER_WINDOW before its first small place name to
    NER_WINDOW after its last: whether the name is a person's is decided by its neighbours."""
    out: list[Token] = []
    for sent, group in groupby(tokens, key=attrgetter("sent")):
        toks = list(group)
        window = around([(t.start, t.end) for t in toks], spots[sent], NER_WINDOW)
        if window is not None:
            out.extend(toks[window])
    return tuple(out)


#: where the frame opener is asked (``default_stages(opener=...)``)
OPENER_MODES = ("off", "short", "all")


def default_stages(*, ner: bool = True, events_only: bool = False, learned: bool = True,
                   types: bool = False, opener: str = "short") -> list[Stage]:
    """Build the standard stages with their resources (loaded once per process).

    ``events_only`` adds a :class:`~marsad.pipeline.Gate` after segmentation that stops a
    document without an event word (events need a trigger mention). ``learned=False`` leaves
    out the learned decisions (the rules alone: the baseline they are measured against).
    ``types=True`` adds the learned type model before the event model (off by default: it costs
    12% of the pipeline's time, taking it under 300 documents a second, for a gain out of fold
    within noise; and the shipped event model was trained without it; docs/learning.md).
    ``opener``: where the learned frame opener (learn/opener.py) opens frames the rules do not:
    ``"short"`` (the default) in documents of at most three sentences only (a feed item, a headline, a
    sentence read alone), ``"all"`` in articles too, ``"off"`` nowhere. Out of fold, with the chain
    retrained each way (fixed folds, 2026-12-07): attacks read alone 0.609 -> 0.634 with ``"short"``,
    mean article event F1 of the two codings 0.632 -> 0.6285 (within the event model's noise);
    ``"all"`` cost the articles 0.6405 -> 0.6365 (docs/learning.md). The shipped event model is
    trained with ``"short"``.
    """
    if opener not in OPENER_MODES:
        raise ValueError(f"opener: one of {', '.join(OPENER_MODES)}, not {opener!r}")
    from marsad.extract.bounds import FrameCut
    from marsad.extract.events import EventExtractor
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.geocode import Geocoder
    from marsad.geo.places import automaton as place_automaton
    from marsad.geo.places import common_words, find_places
    from marsad.recognise.actors import ActorLexicon, ActorNaming, find_actors
    from marsad.recognise.dates import find_dates
    from marsad.recognise.numbers import find_numbers
    from marsad.recognise.sources import find_sources, outlet_source
    from marsad.recognise.triggers import (
        cue_lexicon,
        event_words,
        find_cues,
        find_triggers,
        has_triggers,
        trigger_lexicon,
    )

    # every resource is loaded here, not on the first document, so that start-up cost is
    # paid (and measured) once, before any document is read
    trigger_lexicon(), cue_lexicon(), event_words()
    gazetteer = Gazetteer.load()
    place_automaton(gazetteer), common_words()
    # the learned not-a-place decision (geo/geocode) only with the learned decisions on
    geocoder = Geocoder(gazetteer) if learned else Geocoder(gazetteer, place_decision=None,
                                                            event_place_ranker=None)
    actors = ActorLexicon.load()
    from marsad.learn.dating import packaged as date_decision
    from marsad.learn.events import CalibrateEvents
    from marsad.learn.events import packaged as event_decision
    from marsad.learn.merging import packaged as merge_decision
    from marsad.learn.opener import packaged as opener_decision
    from marsad.learn.roles import packaged as role_decision
    from marsad.learn.sentences import packaged as sentence_decision
    from marsad.learn.splits import packaged as split_decision
    from marsad.learn.tolls import packaged as toll_decision

    events_model = event_decision() if learned else None
    # with the event model, it decides which events stand (the rules' confidence is one of
    # its features), so the rules' own confidence cut is off
    extractor = EventExtractor(geocoder, ActorNaming(actors), outlet_source=outlet_source,
                               sentence_decision=sentence_decision() if learned else None,
                               toll_decision=toll_decision() if learned else None,
                               merge_decision=merge_decision() if learned else None,
                               role_decision=role_decision() if learned else None,
                               opener_decision=opener_decision() if learned and opener != "off" else None,
                               opener_in_articles=opener == "all",
                               date_decision=date_decision() if learned else None,
                               split_decision=split_decision() if learned else None,
                               **({"min_confidence": 0.0} if events_model else {}))
    stages: list[Stage] = [
        Normalise(),
        Segment(tokens=False),
        *([Gate(has_triggers, name="trigger gate")] if events_only else []),
        Recognise("dates", find_dates, ("date",)),
        Recognise("triggers", find_triggers, ("trigger",)),
        Recognise("cues", find_cues, ("cue",)),
        *([Gate(could_have_events, name="event gate", requires=("trigger", "cue"))] if events_only else []),
        Recognise("actors", partial(find_actors, lexicon=actors), ("actor",)),
        # exact: no frame, no event (frames read triggers, cues, actors and dates only)
        *([Gate(extractor.has_frames, name="frame gate", requires=("trigger", "cue", "actor", "date"),
                stopped=extractor.stopped)]
          if events_only else []),
        # bounded work: past max_frames frames, the later stages see only the sentences before the cut
        *([FrameCut(extractor)] if events_only else []),
        # numbers only count the dead and wounded of a frame: after the gate
        Recognise("numbers", find_numbers, ("number",)),
        Recognise("sources", find_sources, ("source",)),
        Recognise("places", partial(find_places, gazetteer=gazetteer), ("place",)),
    ]
    entities = None
    if ner:
        try:
            entities = persons_finder()
        except (ImportError, OSError) as exc:  # optional: the pipeline runs without it
            log.warning("NER disabled: %s", exc)
    stages.append(Geocode(geocoder, entities))
    stages.append(extractor)
    if events_model is not None and types:
        # the type model re-types the rules' events before the event model judges them (learn/types.py)
        from marsad.learn.types import TypeEvents
        from marsad.learn.types import packaged as type_decision

        decision = type_decision()
        stages += [TypeEvents(decision)] if decision is not None else []
    if events_model is not None:
        stages.append(CalibrateEvents(events_model))
    return stages
