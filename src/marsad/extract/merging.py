"""One event per place × day × actor pair × type: the frames that tell one event become one.

Requires: placed frames (``placing``), with their days and the death tolls their sentences told
(``Frame.told``).
Provides: ``join_fragments`` (a place-less clause cut at "، بينما" joins the clause after it),
``merge`` (frames of one event, strikes inside a battle, a protest that became a riot, a country
beside a better place), and the tests it is built on: ``same_event``, ``inside_battle``,
``retelling``, ``same_crowd``, ``overnight``; ``absorb`` folds one frame into another.
``merge`` optionally takes a :class:`MergeVeto` (the learned one is ``marsad.learn.merging``),
asked about every merge a rule proposes; without one the rules alone decide. With one, a last
pass (``learned``) also asks it about the pairs of same-type frames that no rule joined (an
article that tells one strike in its lead and again, in other words, further down).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from marsad.extract.dating import days_apart
from marsad.extract.frames import HARM_ROLES, Frame
from marsad.extract.placing import AREA_FEATURES, TOWN_FEATURES, same_place
from marsad.extract.settings import DEFAULT
from marsad.extract.subtypes import BATTLES, PROTESTS, REMOTE, RIOTS, STRATEGIC, SUB_RANK, modality_tags
from marsad.geo.geocode import distance_km
from marsad.model import Analysis


def join_fragments(analysis: Analysis, frames: list[Frame]) -> list[Frame]:
    """A clause cut off at "، بينما" that names no place ("أن شخصين قتلا، بينما أصيب سبعة آخرون في
    انفجار عبوة ناسفة في كمب سارة") is told by the clause after it: it joins that clause's frame."""
    by_sent = {f.sents[0]: f for f in frames if len(f.sents) == 1 and not f.place_inferred}
    out: list[Frame] = []
    for f in frames:
        nxt = by_sent.get(f.sents[0] + 1) if f.place_inferred and len(f.sents) == 1 else None
        if nxt is not None and analysis.sentences[f.sents[0]].text.rstrip()[-1:] in "،,":
            absorb(nxt, f)
            nxt.sents.sort()
        else:
            out.append(f)
    return out


class MergeVeto(Protocol):
    """Asked, for each merge a rule proposes, whether it stands (False: the frames stay apart)."""

    def allow(self, g: Frame, f: Frame, rule: str) -> bool: ...


def _first_rule(g: Frame, f: Frame) -> str | None:
    if same_event(g, f):
        return "same_event"
    if inside_battle(g, f):
        return "inside_battle"
    if retelling(g, f):
        return "retelling"
    return None


def _host_rule(b: Frame, f: Frame) -> str | None:
    return "inside_battle" if inside_battle(b, f) else "same_crowd" if same_crowd(b, f) else None


def _pick(candidates: Iterable[Frame], f: Frame, rule: Callable[[Frame, Frame], str | None],
          veto: MergeVeto | None) -> Frame | None:
    """The first candidate a rule joins ``f`` to whose merge the veto lets stand (a vetoed
    candidate is passed over: an earlier one may still tell ``f``'s event)."""
    for g in candidates:
        name = rule(g, f)
        if name is not None and (veto is None or veto.allow(g, f, name)):
            return g
    return None


def merge(frames: list[Frame], veto: MergeVeto | None = None) -> list[Frame]:
    """One event per place x day x type; remote violence inside a battle joins the battle.

    A frame joins the most recent compatible frame (articles tell one event, then the
    next), so a sentence that names no place continues the event told just before it.
    ``veto`` (optional) may keep apart frames a rule would merge; None: the rules alone.
    """
    merged: list[Frame] = []
    for f in frames:
        target = _pick(reversed(merged), f, _first_rule, veto)
        if target is None:
            merged.append(f)
        else:
            absorb(target, f)
    # strikes told before the battle they belong to (a title, a lead); a protest that turned
    # into the riot at the same place and day
    battles = [f for f in merged if f.event_type in (BATTLES, RIOTS)]
    out: list[Frame] = []
    for f in merged:
        host = _pick(battles, f, _host_rule, veto)
        if host is None:
            out.append(f)
        else:
            absorb(host, f)
    # a second pass: frames that the first joined may now share a toll with an earlier event
    again: list[Frame] = []
    for f in out:
        target = _pick(again, f, lambda g, h: "second_pass" if same_event(g, h) else None, veto)
        if target is None:
            again.append(f)
        else:
            absorb(target, f)
    out = again
    # "in Syria" beside "near Azaz": a frame placed only at a whole country is the vaguer telling
    # of an event of its type that the article places better
    kept: list[Frame] = []
    for f in out:
        host = None
        if f.place is not None and f.place.feature == "country":
            host = _pick((g for g in out if g is not f), f,
                         lambda g, h: "country" if _country_host(g, h) else None, veto)
        if host is None:
            kept.append(f)
        else:
            absorb(host, f)
    if veto is None:
        return kept
    # the pairs no rule proposed: only the learned decision can join them (its own threshold)
    joined: list[Frame] = []
    for f in kept:
        target = _pick(reversed(joined), f, lambda g, h: LEARNED if may_join(g, h) else None, veto)
        if target is None:
            joined.append(f)
        else:
            absorb(target, f)
    return joined


#: the name of the last pass's proposals (a pair that only the learned decision joins)
LEARNED = "learned"


def may_join(g: Frame, f: Frame) -> bool:
    """Whether two frames that no rule joined may still tell one event: the same event type, not
    placed in two countries (the scorer matches an event to one gold event of its type)."""
    return (g.event_type == f.event_type
            and (g.place is None or f.place is None or g.place.country == f.place.country)
            # the spec's unit is one location: two frames placed precisely, as named, in two places
            # apart (the towns of one list, "غارات على حرستا وعربين", which the rules split; a strike here
            # and a clash there) are two events, whatever the pair model says (out of fold, mean event F1
            # of both codings 0.6155 -> 0.6245, 2026-12-07)
            and not (g.place is not None and f.place is not None and g.precision == f.precision == 1
                     and not g.place_inferred and not f.place_inferred and not same_place(g, f)))


def _country_host(g: Frame, f: Frame) -> bool:
    """Whether ``g`` is the better-placed telling of ``f``, which is placed at a whole country."""
    return (g.event_type == f.event_type and g.place is not None and g.place.feature != "country"
            and f.place is not None and g.place.country == f.place.country
            and (f.date_mention is None or g.date_mention is None or days_apart(f.date, g.date) <= 1))


def same_event(g: Frame, f: Frame) -> bool:
    if g.event_type != f.event_type:
        return False
    if f.event_type == STRATEGIC and f.sub_event_type != g.sub_event_type:
        return False  # a truce and the withdrawal it allowed are two developments
    if f.sub_event_type == g.sub_event_type == "Chemical weapon" and (
            f.place_inferred or g.place_inferred or same_place(g, f)) \
            and days_apart(f.date, g.date) <= DEFAULT.chemical_days:
        return True  # a chemical attack is told again and again, dated by each day's news
    if f.date_mention is not None and g.date_mention is not None and days_apart(f.date, g.date) > (
            0 if f.date_precision == g.date_precision == 1 and not overnight(f) and not overnight(g) else 1):
        # one event per day: two days the text names apart are two events ("ليل الثلاثاء الأربعاء" spans both)
        return False
    if f.place_inferred or g.place_inferred:
        return True
    if f.told & g.told and not set(f.sents) & set(g.sents) and f.place is not None and g.place is not None \
            and f.place.country == g.place.country and distance_km(f.place, g.place) < DEFAULT.toll_twin_km:
        return True  # the same toll told twice nearby ("29 طفلا" in صعدة and in ضحيان, 35 km apart)
    if g.in_title and g.place is not None and f.place is not None:
        # a headline names the region ("غارات على ريف إدلب") or the country, the report the town
        return distance_km(g.place, f.place) < DEFAULT.headline_area_km or (
            g.precision == 3 and g.place.country == f.place.country)
    return same_place(g, f)


def absorb(target: Frame, f: Frame) -> None:
    if target.untyped and not f.untyped:
        # the event was first told with death words only; the report now says what it was
        target.event_type, target.sub_event_type, target.untyped = f.event_type, f.sub_event_type, False
        target.anchor = f.anchor
    if f.event_type != target.event_type:
        target.tags.update(modality_tags(f))
    headline = target.in_title
    target.in_title = target.in_title and f.in_title  # once told by the report, it is the report's event
    for s in f.sents:  # a clause of a sentence stays a clause; a whole sentence takes in its clauses
        if s not in target.sents:
            if s in f.clauses:
                target.clauses[s] = f.clauses[s]
        elif s in target.clauses:
            if s in f.clauses:
                a, b = target.clauses[s]
                target.clauses[s] = (min(a, f.clauses[s][0]), max(b, f.clauses[s][1]))
            else:
                del target.clauses[s]
    target.sents.extend(s for s in f.sents if s not in target.sents)
    target.triggers.extend(f.triggers)
    target.tags.update(f.tags)
    target.actors.extend(f.actors)
    target.roles.update(f.roles)
    target.told.update(f.told)
    target.territory_at.extend(f.territory_at)
    target.instruments.update(f.instruments)
    if f.event_type == target.event_type and SUB_RANK.get(f.sub_event_type, 9) < SUB_RANK.get(
            target.sub_event_type, 9):
        target.sub_event_type = f.sub_event_type
    if (target.place_inferred and not f.place_inferred) or (
            f.precision and target.precision and f.precision < target.precision
            and (headline or same_place(target, f))) or (
            headline and not f.in_title and not f.place_inferred and f.place is not None
            and f.precision == target.precision):
        # (a headline places its event loosely, "جنوب غزة"; the report says where: "شرق خان يونس")
        target.place, target.place_mention, target.precision = f.place, f.place_mention, f.precision
        target.split = f.split  # one of the towns a list names: its share of the list's toll
        # (split_sent stays the target's: with the list's, a lead's summary toll, "6 killed in
        # Baghdad and Kirkuk", became the share of one town of a later list on dev)
        target.place_inferred = f.place_inferred
    if f.date_mention is not None and (target.date_mention is None or target.date_inherited or (
            f.date_precision < target.date_precision and not f.date_inherited)):
        # a day the frame names itself beats one carried over, an exact day a vague one ("قبل أيام")
        target.date, target.date_precision, target.date_mention = f.date, f.date_precision, f.date_mention
        target.date_inherited = f.date_inherited
    target.weight = max(target.weight, f.weight)


def retelling(g: Frame, f: Frame) -> bool:
    """Whether one of ``g``/``f``, told only with death or attack words ("قتل 29 طفلا في الهجوم"), tells
    the typed other of the same day and area (the strike, the battle) rather than a new attack."""
    if f.untyped == g.untyped or days_apart(g.date, f.date) > 1:
        return False
    told, typed = (f, g) if f.untyped else (g, f)  # a headline's "مقتل مسعفة" may come before the report
    main = next((t for t in typed.triggers if t.span.start == typed.anchor),
                typed.triggers[0] if typed.triggers else None)
    if main is not None and main.attr("role") in HARM_ROLES:
        return False  # the other is itself only inferred from actors ("منفذ الهجوم" and the police)
    if told.place_inferred or told.place is None or typed.place is None:
        return True
    if told.in_title and told.place.country == typed.place.country \
            and distance_km(told.place, typed.place) < DEFAULT.headline_area_km:
        return True  # a headline places its event loosely ("جنوب غزة" for Khan Yunis)
    if told.told & typed.told and told.place.country == typed.place.country \
            and distance_km(told.place, typed.place) < DEFAULT.toll_twin_km:
        return True  # the same deaths told again a town away ("قتلت المسعفة ... في شرق خان يونس")
    return same_place(g, f) or (told.precision == 3 and told.place.admin1 == typed.place.admin1
                                and told.place.country == typed.place.country)


def inside_battle(battle: Frame, f: Frame) -> bool:
    """Whether remote-violence frame ``f`` happened inside ``battle`` (same place, within a day)."""
    if battle.event_type != BATTLES or f.event_type != REMOTE or f.sub_event_type == "Chemical weapon":
        return False
    if f.sub_event_type != "Suicide bomb" and any(a.attr("kind") == "civilians" for a in f.actors) \
            and not any(a.attr("kind") == "civilians" for a in battle.actors):
        # strikes that kill civilians in their towns are coded apart from the front's fighting; a
        # suicide car bomb that opens an assault is the assault's (spec §1)
        return False
    if days_apart(battle.date, f.date) > 1:
        return False
    if not f.place_inferred and not battle.place_inferred and battle.place is not None \
            and f.place is not None and (battle.precision == 3 or battle.place.feature in AREA_FEATURES) \
            and f.place.feature in TOWN_FEATURES:
        return False  # fighting "on the west coast front" does not take in a strike on Hudaydah city
    return f.place_inferred or battle.place_inferred or same_place(battle, f)


def same_crowd(riot: Frame, f: Frame) -> bool:
    """Whether protest frame ``f`` is the demonstration that became ``riot`` (same place and day)."""
    return (riot.event_type == RIOTS and f.event_type == PROTESTS and days_apart(riot.date, f.date) <= 0
            and not f.place_inferred and not riot.place_inferred and (riot.precision or 3) <= 2
            and (f.precision or 3) <= 2 and same_place(riot, f))


def overnight(f: Frame) -> bool:
    """Whether a frame's date phrase names a night, which straddles two days ("ليل الثلاثاء الأربعاء")."""
    m = f.date_mention
    return m is not None and any(w in m.span.text for w in ("ليل", "ليلة", "الليلة", "فجر", "منتصف"))
