"""Where an event happened: its place, a better one than a bare country, one event per listed town,
and when two places are one.

Requires: resolved PLACE mentions (``Place`` values; attrs ``role``, ``doubtful``, ``precision``,
``modifier``) and the geocoder's choice of an event's place (``Geocoder.event_place``,
``Geocoder.main_place``).
Provides: ``fill_place``, ``refine_country_places``, ``split_by_place`` (an attack on several listed
towns: one frame per town; with the learned decision of ``learn/splits``, one at each other place of
the sentence it reads as another such event's), ``same_place`` and ``contains`` (a quarter in its city),
``doc_country`` (the article's country, for events without a place), and the feature classes
(``TOWN_FEATURES``, ``AREA_FEATURES``) other rules read.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from marsad.extract.fatalities import TollStatement
from marsad.extract.settings import DEFAULT
from marsad.geo.geocode import Geocoder, distance_km
from marsad.model import Analysis, Mention, MentionKind, Place

if TYPE_CHECKING:
    from marsad.extract.frames import Frame
    from marsad.learn.splits import SplitDecision

TOWN_FEATURES = {"city", "village", "neighbourhood"}
AREA_FEATURES = {"region", "admin1", "country"}
_SETTLEMENTS = {"city", "village"}
_PLACES_APART = _SETTLEMENTS | {"neighbourhood"}
#: the tag of an event the learned split decision added at another place of its sentence, kept by an
#: event it merges into (an analyst reviewing it sees where a telling came from; the event model has no
#: feature for it)
ADDED_PLACE = "another place of its sentence"
# what a list of an attack's places may hold: towns, and the districts Yemeni news names ("مديرية الدريهمي")
_LIST_FEATURES = TOWN_FEATURES | {"admin2", "admin3"}


def fill_place(geocoder: Geocoder, analysis: Analysis, f: Frame) -> None:
    spans = [(analysis.sentences[i].start, analysis.sentences[i].end) for i in f.sents]
    mention, place, precision = geocoder.event_place(analysis, analysis.mentions, spans, f.anchor)
    f.place_mention, f.place, f.precision = mention, place, precision
    # a place named around the sentences that a context model took over their own is named, not inferred
    f.place_inferred = mention is None or not (any(s <= mention.span.start < e for s, e in spans)
                                               or mention.attr("context"))


def refine_country_places(geocoder: Geocoder, analysis: Analysis, frames: list[Frame]) -> None:
    """An event placed only at a country ("غارات في اليمن") in an article about one of its places (صعدة)
    is put at that place; its precision stays 3: the text does not say the event happened there."""
    for f in frames:
        if f.place is None or f.place.feature != "country":
            continue
        main = geocoder.main_place([m for m in analysis.mentions if m.kind is MentionKind.PLACE
                                    and isinstance(m.value, Place) and m.value.country == f.place.country
                                    and m.value.feature != "country" and not m.attr("doubtful")])
        if main is not None:
            f.place, f.place_mention = main.value, main


def split_by_place(analysis: Analysis, f: Frame, statements: list[TollStatement],
                   decision: SplitDecision | None = None) -> list[Frame]:
    """One frame per town when a sentence names several for one attack ("قصف حرستا وعربين"); with a
    learned ``decision``, also one per other place of the sentence that it reads as the place of
    another such event ("في مديرية التحيتا ...، وفي جبهة صرواح").

    Only towns and districts named plainly (not "near X", "in the countryside of X") and more
    than ``town_apart_km`` apart split a list; the sentence's toll is later shared evenly among the
    list's towns (not with the places the decision adds, whose events are told without it). Towns
    named together form a list; when a sentence has several lists, each after its own toll ("مقتل 8
    في حرستا وعربين فضلا عن انتشال 17 في دوما"), each list is its own clause with its own toll.
    """
    out = _split_lists(analysis, f, statements)
    if decision is None or f.place is None or f.place_inferred or f.place_mention is None \
            or any(o.clauses for o in out):  # (the lists with a toll each stay as the rule split them)
        return out
    si = f.place_mention.sent
    covered = [o.place_mention for o in out if o.place_mention is not None]
    more = decision.more(analysis, f, si, covered)
    if not more:
        return out
    # each added place is an event of its own: the sentence's toll stays with the frame's place (shared
    # with the added places as a list's towns share it, fatalities fell out of fold, 0.717 -> 0.706)
    return [*out, *(f.copy(place=m.value, place_mention=m, precision=m.attr("precision") or 2, split=(0, 1),
                           clauses={}, tolls=[], tags={*f.tags, ADDED_PLACE}) for m in more)]


def _split_lists(analysis: Analysis, f: Frame, statements: list[TollStatement]) -> list[Frame]:
    if f.place is None or f.place_inferred or len(f.sents) != 1:
        return [f]
    si = f.sents[0]
    sent = analysis.sentences[si]
    lists: list[list[Mention]] = []
    for m in analysis.mentions:
        if not (m.kind is MentionKind.PLACE and isinstance(m.value, Place)
                and sent.start <= m.span.start < sent.end and not m.attr("role") and not m.attr("doubtful")
                and m.attr("precision") in (1, 2)
                and m.attr("modifier") in (None, "town", "district") and m.value.feature in _LIST_FEATURES):
            continue
        if lists and m.span.start - lists[-1][-1].span.end <= DEFAULT.list_gap:
            if all(distance_km(m.value, t.value) > DEFAULT.town_apart_km and not contains(t.value, m.value)
                   for t in lists[-1]):
                lists[-1].append(m)
        else:
            lists.append([m])
    if not lists:
        return [f]
    groups: list[tuple[list[Mention], tuple[int, int] | None]] = []
    if len(lists) > 1 and any(t.value == f.place for towns in lists for t in towns):
        # the clause of each list: from the end of the previous list to the end of this one
        bounds = [(lists[i - 1][-1].span.end if i else sent.start,
                   towns[-1].span.end if i < len(lists) - 1 else sent.end) for i, towns in enumerate(lists)]
        tolls = [st for st in statements if st.sent == si and st.killed and st.told]
        if all(any(a <= st.start < b for st in tolls) for a, b in bounds):
            groups = list(zip(lists, bounds, strict=True))
    if not groups and len(lists[0]) > 1 and any(t.value == f.place for t in lists[0]):
        groups = [(lists[0], None)]
    if not groups:
        return [f]
    out = []
    for towns, clause in groups:
        for k, m in enumerate(towns):
            out.append(f.copy(place=m.value, place_mention=m, precision=1, split=(k, len(towns)),
                              split_sent=si, clauses={si: clause} if clause else {}, tolls=[]))
    return out


def same_place(a: Frame, b: Frame) -> bool:
    if a.place is None or b.place is None:
        return True
    if a.place.name == b.place.name and a.place.country == b.place.country:
        return True
    d = distance_km(a.place, b.place)
    if a.place.feature in _PLACES_APART and b.place.feature in _PLACES_APART and (
            a.precision == b.precision == 1 or "neighbourhood" in (a.place.feature, b.place.feature)) \
            and not contains(a.place, b.place):
        # two towns named apart ("درعا"، "أم المياذن"), two quarters ("كمب سارة"، "بغداد الجديدة"):
        # two places however close
        return d < DEFAULT.town_apart_km
    return d < DEFAULT.same_place_km


def contains(a: Place, b: Place) -> bool:
    """Whether one place is a quarter of the other ("كمب سارة، وسط بغداد")."""
    return {a.feature, b.feature} == {"neighbourhood", "city"} and distance_km(a, b) < DEFAULT.quarter_km


def doc_country(analysis: Analysis) -> str | None:
    """The country most of the article's event-role places are in (for events without a place)."""
    counts: Counter[str] = Counter()
    for m in analysis.mentions:
        if m.kind is MentionKind.PLACE and isinstance(m.value, Place) and m.attr("role") in (None, "event"):
            counts[m.value.country] += 1
    return counts.most_common(1)[0][0] if counts else None
