"""Vocabularies of the training corpus: sentence classes, mention roles, number statuses.

Every label a stored annotation may carry is one of these; the validator refuses others.
The short codes are what a coder types in a compact coding (see ``docs/annotation.md``).
"""

from __future__ import annotations

from enum import StrEnum

from marsad.recognise.triggers import EVENT_TYPES


class SentenceClass(StrEnum):
    """What a sentence reports: a current event (``event``, with its type) or why it is none."""

    EVENT = "event"  # a current, codable incident (type and sub-type given beside it)
    BACKGROUND = "background"  # an incident more than 30 days before publication
    RUNNING_TOTAL = "running_total"  # a running total or aggregate over weeks/places
    THREAT = "threat_plan_hypothetical_denied"  # threats, plans, conditions, denials
    COMMENTARY = "commentary_figurative"  # analysis, opinion, general statements, metaphors
    CRIME = "crime_accident"  # non-political crime or accident
    NONE = "none"  # no violence mentioned


SENTENCE_CODES: dict[str, SentenceClass] = {
    "bg": SentenceClass.BACKGROUND, "total": SentenceClass.RUNNING_TOTAL, "threat": SentenceClass.THREAT,
    "comment": SentenceClass.COMMENTARY, "crime": SentenceClass.CRIME, "none": SentenceClass.NONE,
}


class ActorRole(StrEnum):
    ACTOR1 = "actor1"
    ACTOR2 = "actor2"
    ASSOC1 = "assoc1"  # associated with actor 1's side
    ASSOC2 = "assoc2"
    NONE = "none"  # named near the event but not a party to it


ACTOR_CODES: dict[str, ActorRole] = {"1": ActorRole.ACTOR1, "2": ActorRole.ACTOR2, "as1": ActorRole.ASSOC1,
                                     "as2": ActorRole.ASSOC2}


class PlaceRole(StrEnum):
    EVENT = "event_place"  # locates an event
    DISTANCE = "distance_reference"  # "40 km from Damascus"
    DATELINE = "dateline"  # "دمشق - (أ ف ب)"
    VENUE = "statement_venue"  # where a statement, meeting or conference took place
    HOME = "actor_home"  # an actor's home or origin ("قوات النظام السوري", "الحوثيون في صنعاء" as a base)
    NOT_PLACE = "not_a_place"  # a common word or a person's name that the gazetteer matched
    OTHER = "other_place"  # a real place with none of these roles


PLACE_CODES: dict[str, PlaceRole] = {"ev": PlaceRole.EVENT, "dist": PlaceRole.DISTANCE,
                                     "dateline": PlaceRole.DATELINE,
                                     "venue": PlaceRole.VENUE, "home": PlaceRole.HOME,
                                     "notplace": PlaceRole.NOT_PLACE, "other": PlaceRole.OTHER}


class NumberStatus(StrEnum):
    DEATHS = "deaths"  # this event's deaths
    UPDATED = "updated_toll"  # a toll that replaces an earlier one of the same event
    PARTIAL = "partial_toll"  # a part of a toll counted elsewhere (per side, an earlier figure)
    INJURED = "injured"
    RUNNING_TOTAL = "running_total"  # a total over weeks, places or a whole war
    BACKGROUND = "background"  # people of an older incident
    OTHER = "other"  # anything else (not people, or people not harmed)


NUMBER_CODES: dict[str, NumberStatus] = {
    "d": NumberStatus.DEATHS, "upd": NumberStatus.UPDATED, "part": NumberStatus.PARTIAL,
    "inj": NumberStatus.INJURED, "total": NumberStatus.RUNNING_TOTAL, "bg": NumberStatus.BACKGROUND,
    "other": NumberStatus.OTHER,
}
#: statuses that belong to one event (the coding says which: ``d@0``)
EVENT_STATUSES = frozenset({NumberStatus.DEATHS, NumberStatus.UPDATED, NumberStatus.PARTIAL,
                            NumberStatus.INJURED})
EVENT_ROLES = frozenset({ActorRole.ACTOR1, ActorRole.ACTOR2, ActorRole.ASSOC1, ActorRole.ASSOC2,
                         PlaceRole.EVENT})

MENTION_KINDS = ("actor", "place", "number")
ROLES_OF: dict[str, frozenset[str]] = {
    "actor": frozenset(ActorRole), "place": frozenset(PlaceRole), "number": frozenset(NumberStatus),
}


def sentence_label(cls: str, event_type: str | None = None, sub: str | None = None) -> str:
    """One string per sentence label, as agreement is measured: the class, or type/sub-type."""
    return f"{event_type} | {sub}" if cls == SentenceClass.EVENT else cls


def valid_event(event_type: str | None, sub: str | None) -> bool:
    return event_type in EVENT_TYPES and sub in EVENT_TYPES[event_type]
