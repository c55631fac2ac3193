"""Re-typing: the type of a frame that its trigger word gives but the spec's taxonomy overrules.

Requires: placed frames with their actors (``sides.carry_actors``) and their live triggers' roles
(``Frame.roles``), and the article's TRIGGER and ACTOR mentions.
Provides: ``protest_victims`` (before merging: people shot or killed by state forces where the
article tells a demonstration are the protest's *Excessive force against protesters*) and
``handovers`` (after merging: ground that changed hands under an agreement, with no fighting told,
is a *Non-violent transfer of territory*). Each change is a named reason (``retyped:<why>``,
:data:`PROTEST_VICTIMS`, :data:`HANDOVER`), recorded as a :class:`~marsad.model.Drop` with the type
the trigger gave (a change, not a drop), so that a run counts it and ``marsad eval --errors`` shows it.

Why these two (docs/learning.md, "Event types: re-typing by the spec"): out of fold on the training
split they are the largest cells of the type confusion that one spec rule explains. A trigger word
cannot tell them: "قتل فلسطينيان برصاص الجيش" is an attack on civilians, or a protest under fire when
it happened at a demonstration (spec §2, Protests); "استعادت قوات النظام السيطرة على بلدات" is a
government regaining territory by force, or a transfer under an agreement ("بموجب اتفاقات مصالحة").
"""

from __future__ import annotations

import re

from marsad.extract.frames import Frame
from marsad.extract.settings import DEFAULT
from marsad.extract.sides import FORCE_KINDS, actor_rank, two_sides
from marsad.extract.subtypes import BATTLES, PROTESTS, STRATEGIC, TERRITORY_SUBS, VAC
from marsad.model import Analysis, Drop, Mention, MentionKind
from marsad.text.normalise import normalise_key

#: the named reasons of the changes (``Drop.reason``)
PROTEST_VICTIMS = "retyped:protest_victims"
HANDOVER = "retyped:handover_by_agreement"

FORCES_ATTACKED = "retyped:forces_attacked"

EXCESSIVE_FORCE = "Excessive force against protesters"
TRANSFER = "Non-violent transfer of territory"

# force used on a crowd: firing on it, dispersing or repressing it (trigger roles; a killing or a
# "targeting" told alone, "استشهاد مواطن جراء استهداف قوات الاحتلال", is as often a strike, and wounded
# "in clashes with the army" a riot: out of fold they made more false events than they found)
_HARM = frozenset({"shoot", "repress", "disperse"})
# the people harmed: a crowd, not an armed side (actor kinds)
_CROWD = frozenset({"people", "civilians", "protesters"})
# armed sides other than the state's: with one named, the violence is a fight or an attack, not a
# protest put down (actor kinds)
_ARMED = frozenset({"rebel", "militia", "rebel_generic", "militia_generic", "unidentified", "coalition",
                    "external"})
# a state's diplomatic protest ("احتجت الخارجية"، "احتجاجا على"), not a crowd in the street: these protest
# words do not tell a demonstration (normalised keys)
_NOT_A_CROWD = frozenset({"احتج", "احتجت", "احتجاجا", "احتجاج"})
# words of fighting: a town taken after them was taken by force, whatever agreement followed (roles)
_FIGHT = frozenset({"clash", "shell", "strike", "explode", "suicide", "chemical", "kill", "attack", "shoot",
                    "siege", "advance", "operation"})
# the words of an agreement or a handover in the frame's sentences (roles) ...
_AGREED = frozenset({"agreement", "withdraw"})
# ... that hand over ground: a deal, a reconciliation or settlement, a handover or withdrawal (normalised;
# not a truce, "هدنة"، "وقف اطلاق النار", which stops fighting and moves no line)
_HANDOVER_WORD = re.compile(r"اتفاق|مصالح|تسوي|تسليم|سلم|انسحاب|انسحب")
# ... in the clause of the ground taken, at most this many characters after it (normalised text)
_CLAUSE_CHARS = 80
# (not a comma: "سيطرت قوات النظام، الجمعة، على معبر نصيب كجزء من الاتفاق")
_CLAUSE_BREAK = re.compile(r"[؛;.:]|\sو(?:ان|قال|اضاف|اكد)\s|\s(?:فيما|بينما|في حين)\s")


def tells_protest(analysis: Analysis) -> bool:
    """Whether the article tells a demonstration: a strong protest word (not a diplomatic protest) or
    protesters named."""
    for m in analysis.mentions:
        if m.kind is MentionKind.ACTOR and m.attr("kind") == "protesters":
            return True
        if m.kind is MentionKind.TRIGGER and m.attr("role") == "protest" \
                and float(m.attr("weight") or 0) >= DEFAULT.min_weight \
                and normalise_key(m.span.text) not in _NOT_A_CROWD:
            return True
    return False


def _protest_victims(f: Frame) -> bool:
    """State forces harming a crowd, no other armed side named: a protest put down, at a protest."""
    if not (f.event_type == VAC and f.sub_event_type == "Attack"
            or f.event_type == BATTLES and f.sub_event_type == "Armed clash"):
        return False
    if not f.roles & _HARM or any(t.attr("role") == "attack_civ" for t in f.triggers):
        # (a ramming or a stabbing, "عملية دهس", is someone's attack, not a crowd put down)
        return False
    actors: list[Mention] = f.actors
    force = any(a.attr("kind") in FORCE_KINDS and actor_rank(a) <= 1 for a in actors)
    crowd = any(a.attr("kind") in _CROWD for a in actors)
    armed = any(a.attr("kind") in _ARMED for a in actors)
    return force and crowd and not armed and not two_sides(actors)


def _change(analysis: Analysis, f: Frame, etype: str, sub: str, reason: str, drops: list[Drop]) -> Frame:
    sent = analysis.sentences[min(f.sents)]
    drops.append(Drop(reason, (sent.start, sent.end), f.event_type, f.sub_event_type))
    return f.copy(event_type=etype, sub_event_type=sub, untyped=False)


def protest_victims(analysis: Analysis, frames: list[Frame], drops: list[Drop]) -> list[Frame]:
    """Before merging (so that the protest told elsewhere and its victims become one event): in an
    article that tells a demonstration, people shot, wounded or killed by state forces with no other
    armed side named are *Protests / Excessive force against protesters* (spec §2; ACLED codes the
    force used on a demonstration as the protest's sub-type, not as an attack on civilians)."""
    if not any(_protest_victims(f) for f in frames) or not tells_protest(analysis):
        return frames
    return [_change(analysis, f, PROTESTS, EXCESSIVE_FORCE, PROTEST_VICTIMS, drops) if _protest_victims(f)
            else f for f in frames]


def _agreed(f: Frame, norm: str, by_sent: dict[int, list[Mention]]) -> bool:
    """Whether one of the frame's sentences names an agreement or a handover in the clause of the
    ground taken, after it ("استعادت مدينة وأربع بلدات بموجب اتفاقات مصالحة"): "سيطرت على بلدتي الحراك
    ورخم وإن مقاتلي أربع بلدات أخرى وافقوا على تسليم أسلحتهم" hands over the other towns."""
    for si in f.sents:
        ts = [m for m in by_sent.get(si, ()) if m.kind is MentionKind.TRIGGER
              and m.attr("norm_start") is not None and m.attr("norm_end") is not None]
        taken = [int(t.attr("norm_end")) for t in ts if t.attr("role") == "territory_gain"]
        deals = [int(t.attr("norm_start")) for t in ts if t.attr("role") in _AGREED
                 and _HANDOVER_WORD.search(normalise_key(t.span.text))]
        if any(0 <= d - e <= _CLAUSE_CHARS and not _CLAUSE_BREAK.search(norm, e, d)
               for e in taken for d in deals):
            return True
    return False


def handovers(analysis: Analysis, frames: list[Frame], drops: list[Drop]) -> list[Frame]:
    """After merging (an event's sentences together): ground taken where a sentence of the event names
    it with an agreement or a handover, and none names fighting, is *Strategic developments /
    Non-violent transfer of territory* (spec §2: "سيطرت قوات النظام على معبر نصيب كجزء من الاتفاق")."""
    taken = [f.event_type == BATTLES and f.sub_event_type in TERRITORY_SUBS and bool(f.roles & _AGREED)
             and not f.roles & _FIGHT for f in frames]
    if not any(taken):
        return frames
    norm, by_sent = analysis.norm, analysis.by_sentence()
    return [_change(analysis, f, STRATEGIC, TRANSFER, HANDOVER, drops)
            if t and _agreed(f, norm, by_sent) else f for f, t in zip(frames, taken, strict=True)]


# the words of a death or a wound whose victims follow them ("قتل ضابط وجندي"، "اصيب جنديان") (roles) ...
_VICTIM_ROLES = frozenset({"kill", "injure"})
# ... within this many characters after them (normalised text)
_VICTIM_CHARS = 25


def _victims(f: Frame, by_sent: dict[int, list[Mention]]) -> list[Mention]:
    """The actors named just after a death or wound word of the frame's sentences: who was hit."""
    out: list[Mention] = []
    for si in f.sents:
        ms = by_sent.get(si, ())
        ends = [int(t.attr("norm_end")) for t in ms if t.kind is MentionKind.TRIGGER
                and t.attr("role") in _VICTIM_ROLES and t.attr("norm_end") is not None]
        out += [a for a in ms if a.kind is MentionKind.ACTOR and a.attr("norm_start") is not None
                and any(0 <= int(a.attr("norm_start")) - e <= _VICTIM_CHARS for e in ends)]
    return out


def _forces_hit(f: Frame, by_sent: dict[int, list[Mention]]) -> bool:
    if f.event_type != VAC or f.sub_event_type != "Attack" \
            or any(a.attr("kind") == "civilians" for a in f.actors):
        return False
    hit = _victims(f, by_sent)
    forces = [a for a in hit if a.attr("kind") in FORCE_KINDS]
    # ("ضابط وجندي إسرائيليان": the nationality after the forces is theirs, not other victims')
    ends = {int(a.attr("norm_end")) for a in forces if a.attr("norm_end") is not None}
    others = [a for a in hit if a not in forces
              and not any(0 < int(a.attr("norm_start")) - e <= 2 for e in ends)]
    return bool(forces) and not others


def forces_attacked(analysis: Analysis, frames: list[Frame], drops: list[Drop]) -> list[Frame]:
    """Before merging: an attack whose victims are soldiers or police, no civilian named ("قتل ضابط وجندي
    إسرائيليان في عملية دهس"، "جندي ... أطلق عليه قناص الرصاص") is *Battles / Armed clash*: violence against
    civilians is violence against civilians (spec §2), and the rules already code gunfire on soldiers with
    no other side named as a clash (docs/coding-rules.md)."""
    if not any(f.event_type == VAC for f in frames):
        return frames
    by_sent = analysis.by_sentence()
    return [_change(analysis, f, BATTLES, "Armed clash", FORCES_ATTACKED, drops) if _forces_hit(f, by_sent)
            else f for f in frames]
