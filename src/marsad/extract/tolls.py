"""Whose toll: each toll statement goes to the event it counts (``fatalities`` reads the statements
and combines an event's).

Requires: merged frames (sentences, clauses, places, the ``split`` of a list's towns) and the
article's toll statements (``fatalities.toll_statements``).
Provides: ``named_places`` (each sentence's event-role places), ``assign_tolls``, and
``hand_over_tolls`` (the deaths a dropped frame told go to the kept event of its place and day).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from marsad.extract.dating import days_apart
from marsad.extract.fatalities import TollStatement
from marsad.extract.placing import AREA_FEATURES, same_place
from marsad.extract.subtypes import STRATEGIC
from marsad.model import Analysis, MentionKind, Place

if TYPE_CHECKING:
    from marsad.extract.frames import Frame


def named_places(analysis: Analysis) -> dict[int, list[Place]]:
    """Sentence -> the places it names that may be an event's (no ``role``: not a dateline, a
    statement's place, an origin, a distance ...)."""
    named: dict[int, list[Place]] = {}
    for m in analysis.mentions:
        if m.kind is MentionKind.PLACE and isinstance(m.value, Place) and not m.attr("role"):
            named.setdefault(m.sent, []).append(m.value)
    return named


def assign_tolls(frames: list[Frame], statements: list[TollStatement], named: dict[int, list[Place]]) -> None:
    """Give each toll statement to its event; ``named``: the event-role places of each sentence."""
    for st in statements:
        owners = [f for f in frames if st.sent in f.sents
                  and (st.sent not in f.clauses or f.clauses[st.sent][0] <= st.start < f.clauses[st.sent][1])]
        if len(owners) > 1 and all(f.split[1] == len(owners) for f in owners):
            for f in owners:  # a joint toll of several places: shared evenly (spec §4)
                f.tolls.append(st)
            continue
        owner = owners[0] if owners else None
        if owner is None and named.get(st.sent):
            # a toll sentence naming the place of an event ("انتهاء العملية في مدينة السلط، أسفرت عن مقتل 4")
            owner = next((f for f in frames if f.place is not None and f.event_type != STRATEGIC and any(
                p.name == f.place.name and p.country == f.place.country and p.feature not in AREA_FEATURES
                for p in named[st.sent])), None)
            if owner is not None and st.told:
                owner.split = (0, 1)  # the town's own toll, not a share of a list's
        if owner is None:  # the nearest event told before the toll, else the first after it
            before = [f for f in frames if min(f.sents) < st.sent]
            owner = max(before, key=lambda f: max(s for s in f.sents if s < st.sent), default=None)
            if owner is None:
                owner = min(frames, key=lambda f: min(f.sents))
        if owner is not None and owner.split[1] > 1 and st.sent != owner.split_sent:
            # one of the towns a list named: a toll told after the list is the list's, shared
            for f in frames:
                if f.split_sent == owner.split_sent and f.split[1] == owner.split[1]:
                    f.tolls.append(st)
        elif owner is not None:
            owner.tolls.append(st)


def hand_over_tolls(frames: list[Frame], kept: list[bool]) -> bool:
    """Give the deaths told in a sentence whose own frame is too weak to be an event ("انتهاء العملية
    الأمنية في مدينة السلط ... أسفرت عن مقتل 4") to the kept event of that place and day; True if any
    moved."""
    moved = False
    for f, k in zip(frames, kept, strict=True):
        if k or not f.tolls:
            continue
        hosts = [g for g, gk in zip(frames, kept, strict=True) if gk and days_apart(g.date, f.date) <= 1
                 and (f.place_inferred or (f.place is not None and g.place is not None and same_place(g, f)))]
        if not hosts:
            continue
        host = min(hosts, key=lambda g: min(abs(i - j) for i in g.sents for j in f.sents))
        host.tolls.extend(st for st in f.tolls if st.told)
        moved = True
    return moved
