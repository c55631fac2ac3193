"""Records: a finished frame becomes an ``Event`` (its sides named, its toll combined, its
confidence scored), without changing the frame.

Requires: merged frames with places, days and tolls; the actor naming (canonical names, inter
codes, the pattern names of unnamed sides) and the outlet's source name; SOURCE mentions.
Provides: ``to_event``; ``as_recorded``, a frame typed as its record was (to build it again);
``political`` (the records kept only between armed actors); ``end_of_lead``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from marsad.extract.fatalities import combine
from marsad.extract.frames import Frame
from marsad.extract.settings import DEFAULT
from marsad.extract.sides import (
    FORCE_KINDS,
    actor_pair,
    actor_rank,
    doc_opponent,
    same_side,
    territory_subtype,
    territory_winner,
)
from marsad.extract.subtypes import BATTLES, PROTESTS, REMOTE, RIOTS, TERRITORY_SUBS, VAC, refine_subtype
from marsad.model import Analysis, Event, Mention, MentionKind, Place
from marsad.recognise.actors import PATTERNS, ActorNaming

if TYPE_CHECKING:
    from marsad.learn.roles import RoleDecision

_CROWD_KINDS = {"civilians", "people", "protesters", "rioters"}
_CIVILIANS = "Civilians ("  # the canonical name of civilians of a country (spec/actors.md)
_ARMED_INTER = {1, 2, 3, 4, 8}

OutletSource = Callable[[str | None], str | None]  # an outlet's name -> the source it is cited as


def to_event(analysis: Analysis, f: Frame, *, doc_country: str | None, lead_end: int, naming: ActorNaming,
             outlet_source: OutletSource | None, roles: RoleDecision | None = None) -> Event:
    """The record of frame ``f`` (read, not changed). ``doc_country``: the country of an event
    without a place; ``lead_end``: the first sentence after the lead (see ``end_of_lead``);
    ``roles``: the learned actor roles (None: the rules' ``actor_pair``)."""
    doc = analysis.doc
    country = f.place.country if f.place else doc_country
    etype, sub = f.event_type, f.sub_event_type
    a1, a2 = actor_pair(f, country, analysis.norm) if roles is None else roles.pair(analysis, f, country)
    if a2 is None and etype in (BATTLES, REMOTE):
        a2 = doc_opponent(analysis, a1, f.sents)
    crowd = next((m for m in (a1, a2) if m is not None and m.attr("kind") in ("protesters", "rioters")), None)
    if etype == BATTLES and crowd is not None:
        # a "clash" between demonstrators and police is a riot, not a battle
        etype, sub = RIOTS, "Violent demonstration"
    if etype == BATTLES and sub in TERRITORY_SUBS:
        winner = territory_winner(analysis.norm, f)
        if winner is not None and a1 is not None and str(winner.value) != str(a1.value):
            a1, a2 = winner, (a1 if a2 is None or same_side(a2, winner) else a2)
    if etype == BATTLES:
        sub = territory_subtype(sub, a1)
    killed, low, high, injured = combine(f.tolls)
    sub = refine_subtype(etype, sub, killed, f)
    if sub == "Excessive force against protesters" and (a1 is None or a1.attr("kind") in _CROWD_KINDS):
        # the force that fired on the crowd acts; the crowd is the other side
        force = next((m for m in sorted(f.actors, key=actor_rank) if m.attr("kind") in FORCE_KINDS
                      and actor_rank(m) <= 1), None)
        if force is not None:
            a1, a2 = force, a1 if a1 is not None else a2
    elif etype == RIOTS and a2 is not None and a2.attr("kind") in _CROWD_KINDS \
            and (a1 is None or a1.attr("kind") not in _CROWD_KINDS):
        a1, a2 = a2, a1  # rioters act in a riot ("Rioters (Palestine) vs Military Forces of Israel")
    k, n = f.split
    if n > 1 and all(st.unnumbered for st in f.tolls if not st.running_total):
        # deaths told with no number ("سقوط قتلى") are no toll to share: each place's event counts them
        # as the spec does (§4: 3, or 10), as the training coders did for a list of shelled towns
        n = 1
    if n > 1:  # the remainder goes to the first place, as ACLED does
        killed = killed // n + (killed % n if k == 0 else 0)
        low = high = None
    source, source_text, source_span = _source(analysis, f, outlet_source)
    evidence = tuple(sorted({(analysis.sentences[i].start, analysis.sentences[i].end) for i in f.sents}))
    tags = set(f.tags)
    if any(t.update for t in f.tolls):
        tags.add("toll updated")
    actor1 = naming.name(a1, country) if a1 is not None else None
    actor2 = naming.name(a2, country) if a2 is not None else None
    if actor2 is not None and actor2 == actor1:
        a2, actor2 = None, None
    # "in Baghdad" / "Iraq" names no perpetrator of a bomb at home; "إسرائيل" abroad does
    unnamed = a1 is not None and actor_rank(a1) == 2 and a1.attr("country") in (None, country) and (
        etype == VAC or sub in ("Remote explosive/landmine/IED", "Suicide bomb", "Grenade"))
    if unnamed:
        # a bomb or an attack on civilians "in Baghdad" says nothing of who did it
        actor1 = naming.pattern("unidentified", country) or actor1
    confidence = _confidence(f, etype, a1, a2, lead_end)
    inter1: int | None = None
    if actor1 is not None and actor1.startswith(_CIVILIANS) and (
            etype in (BATTLES, REMOTE, VAC) or sub == "Arrests"):
        # civilians are the side violence (or an arrest) is done to, never the side that does it
        # (ACLED codes them as actor 2): the other side acts, or, when none is named, an
        # unidentified armed group (for an arrest, the country's police)
        if actor2 is not None and not actor2.startswith(_CIVILIANS):
            a1, a2, actor1, actor2 = a2, a1, actor2, actor1
        elif sub not in TERRITORY_SUBS and sub != "Sexual violence":  # (see political)
            kind = "state_police" if sub == "Arrests" else "unidentified"
            side = naming.pattern(kind, country)
            if side:  # (no mention names that side: no span, no text)
                a1, a2, actor1, actor2 = None, a1, side, actor1
                inter1 = PATTERNS[kind][1]
    if etype in (PROTESTS, RIOTS):
        # the people in a demonstration are its protesters (or rioters), not bystanders
        crowd_name = naming.pattern("protesters" if etype == PROTESTS else "rioters", country)
        if crowd_name:
            if a1 is not None and a1.attr("kind") in _CROWD_KINDS:
                actor1 = crowd_name
            if a2 is not None and a2.attr("kind") in _CROWD_KINDS:
                actor2 = crowd_name
    prov: list[tuple[str, int, int]] = [("event_type", f.triggers[0].span.start, f.triggers[0].span.end)]
    spans = (("actor1", a1), ("actor2", a2), ("location", f.place_mention), ("event_date", f.date_mention))
    for fld, m in spans:
        if m is not None:
            prov.append((fld, m.span.start, m.span.end))
    for st in f.tolls:
        prov.append(("fatalities", st.start, st.end))
    if source_span:
        prov.append(("source", *source_span))
    place = f.place
    key = "|".join(str(x) for x in (doc.doc_id, etype, f.date, place.name if place else "",
                                     actor1, actor2, min(f.sents)))
    # (an id of a Document built by hand may hold a lone surrogate: hashed as it is)
    event_id = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    notes = _notes(sub, actor1, actor2, place, f.date, killed, source)
    return Event(
        doc_id=doc.doc_id, event_id=event_id, event_type=etype, sub_event_type=sub,
        event_date=f.date, time_precision=f.date_precision,
        actor1=actor1, actor2=actor2,
        inter1=inter1 if inter1 is not None else 3 if unnamed and actor1 else
        naming.inter(a1, actor1, country) if a1 and actor1 else 0,
        inter2=naming.inter(a2, actor2, country) if a2 and actor2 else 0,
        actor1_text=a1.span.text if a1 and not unnamed else None, actor2_text=a2.span.text if a2 else None,
        country=country, admin1=place.admin1 if place else "", admin2=place.admin2 if place else "",
        location=place.name if place else None,
        location_text=f.place_mention.span.text if f.place_mention else None,
        latitude=place.latitude if place else None, longitude=place.longitude if place else None,
        geo_precision=f.precision if place else None, geonameid=place.geonameid if place else None,
        fatalities=killed, fatalities_low=low, fatalities_high=high, injuries=injured,
        source=source, source_text=source_text, notes=notes, tags=";".join(sorted(tags)),
        evidence=evidence, confidence=confidence, provenance=tuple(prov),
    )


def as_recorded(f: Frame, e: Event) -> Frame:
    """``f`` as its record ``e`` typed it, to build the record again after a toll was handed over
    (``tolls.hand_over_tolls``): a battle recorded as a riot (a crowd's "clash" with police, the only
    change of type ``to_event`` makes) is built again as the riot, whose sides are chosen as a riot's.
    (That is how records were rebuilt when ``to_event`` wrote the riot into the frame itself.)"""
    if e.event_type == f.event_type:
        return f
    return f.copy(event_type=e.event_type, sub_event_type=e.sub_event_type)


def political(e: Event) -> bool:
    """Sexual violence is coded only where an armed actor commits it (a church or family scandal is crime);
    ground changes hands only between armed actors ("سكان الموصل يستعيدون عاداتهم" takes no town)."""
    if e.sub_event_type == "Sexual violence" or e.sub_event_type in TERRITORY_SUBS:
        return e.inter1 in _ARMED_INTER or e.inter2 in _ARMED_INTER
    return True


def end_of_lead(analysis: Analysis) -> int:
    """Index of the first sentence after the lead: the title (when given) and two more sentences."""
    title = analysis.doc.title
    n_title = sum(1 for s in analysis.sentences if title and s.end <= len(title))
    return n_title + 2


def _confidence(f: Frame, event_type: str, a1: Mention | None, a2: Mention | None, lead_end: int) -> float:
    """How sure the extractor is that this is a real, well-placed event, in [0, 1].

    A sum of evidence: a strong trigger, a place named in the event's own sentences, named
    actors, a date phrase, a toll, repeated mentions, a place in the lead (title and first
    sentences, where news puts its main event), and a verb rather than a noun. Weights were
    set by hand and checked on dev: precision rises with the score (see ``marsad eval``).
    """
    s = DEFAULT
    score = s.confidence_base + s.confidence_trigger * f.weight
    if f.place is not None and not f.place_inferred:
        score += s.confidence_place if (f.precision or 3) <= 2 else s.confidence_vague_place
    score += s.confidence_actor1 * (a1 is not None) + s.confidence_actor2 * (a2 is not None)
    own = f.date_mention is not None and not f.date_inherited
    dated = own if f.rules_dated is None else f.rules_dated  # (the rules' phrase where a model moved it)
    score += s.confidence_date * dated
    score += s.confidence_toll * any(t.told for t in f.tolls)
    score += s.confidence_retold * min(len(f.sents) - 1, s.confidence_retold_max)
    first = min(f.sents)
    score += s.lead_bonus * (first < lead_end) - s.late_penalty * (first >= lead_end + s.late_after)
    score += s.confidence_verb * any(t.attr("pos") == "verb" for t in f.triggers)
    score += s.type_prior.get(event_type, 0.0)
    return round(max(0.0, min(score, 1.0)), 3)


def _notes(sub: str, a1: str | None, a2: str | None, place: Place | None, day: str | None,
           killed: int, source: str | None) -> str:
    who = a1 or "Unknown actor"
    against = f" against {a2}" if a2 else ""
    where = f" in {place.name} ({place.country})" if place else ""
    when = f" on {day}" if day else ""
    toll = f"; {killed} killed" if killed else ""
    src = f" (source: {source})" if source else ""
    return f"{sub}: {who}{against}{where}{when}{toll}{src}."


def _source(analysis: Analysis, f: Frame,
            outlet_source: OutletSource | None) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """The source an event is told on: the SOURCE mention nearest its trigger in its sentences, else
    the article's first, else the outlet (through ``outlet_source`` when given)."""
    sources = [m for m in analysis.mentions if m.kind is MentionKind.SOURCE]
    near = [m for m in sources if m.sent in f.sents]
    if near:
        pick: Mention | None = min(near, key=lambda m: abs(m.span.start - f.anchor))
    else:
        pick = sources[0] if sources else None
    if pick is not None:
        return str(pick.value), pick.span.text, (pick.span.start, pick.span.end)
    outlet = analysis.doc.outlet
    if outlet_source is not None:
        return outlet_source(outlet), None, None
    return outlet, None, None
