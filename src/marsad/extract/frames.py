"""Frames: an event under construction, opened by a sentence that tells one.

Requires: a sentence's TRIGGER (``value`` = (type, sub-type); attrs ``weight``, ``role``, ``pos``,
``tags``, ``norm_start``/``norm_end``), CUE, ACTOR and DATE mentions, and the normalised text.
Reads nothing of places, so frames can be opened before places are found.
Provides: ``Frame``; ``frame_for_sentence``, the frame a sentence opens or the named reason it
opens none; and the trigger rules it is built on: ``promote`` (weak words their company confirms),
``untyped_attack`` (an attack told with untyped words), ``ground_offensive`` (a ground attack
amid strikes), ``present_tense``. The exclusions it applies are ``scope``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from marsad.extract.dating import date_for
from marsad.extract.fatalities import TollStatement
from marsad.extract.scope import (
    NON_CONFLICT_ROLES,
    answered,
    no_trigger_reason,
    opens_period,
    out_of_time,
    relative_state,
    seized_goods,
    unblocked,
)
from marsad.extract.settings import DEFAULT
from marsad.extract.sides import CIVILIAN_KINDS, STATE_KINDS, VICTIM_KINDS, actor_rank, same_side, two_sides
from marsad.extract.subtypes import BATTLES, REMOTE, SUB_RANK, TERRITORY_SUBS, TYPE_RANK, VAC
from marsad.model import Analysis, Mention, MentionKind, Place
from marsad.text.normalise import normalise_key

# untyped violence words that make a civilian-harm sentence an attack on civilians
HARM_ROLES = {"kill", "attack", "shoot"}


@dataclass
class Frame:
    """A mutable event under construction (frozen into an Event at the end)."""

    event_type: str
    sub_event_type: str
    sents: list[int]
    anchor: int  # original offset of the main trigger
    triggers: list[Mention]
    tags: set[str] = field(default_factory=set)
    actors: list[Mention] = field(default_factory=list)
    place: Place | None = None
    place_mention: Mention | None = None
    precision: int | None = None
    date: str | None = None
    date_precision: int = 2
    date_mention: Mention | None = None
    date_inherited: bool = False  # the day comes from an earlier event's date phrase (see inherit_dates)
    # whether the rules' day was a date phrase of its own, where a learned choice changed the day (None:
    # unchanged): a dated telling is evidence of a current event, whichever day the phrase names
    rules_dated: bool | None = None
    tolls: list[TollStatement] = field(default_factory=list)
    weight: float = 0.5
    place_inferred: bool = False  # the place is the article's main place, not named in these sentences
    in_title: bool = False  # told by the headline, which names the lead event in brief
    territory_at: list[int] = field(default_factory=list)  # offsets of territory words (any weight)
    split: tuple[int, int] = (0, 1)  # (k, n): the k-th of n places one sentence names for one attack
    # sentence -> the part of it that is this frame's
    clauses: dict[int, tuple[int, int]] = field(default_factory=dict)
    split_sent: int = -1  # the sentence whose list of towns split the frame
    # roles of every live trigger of the sentences (kill, shoot ...)
    roles: set[str] = field(default_factory=set)
    instruments: set[str] = field(default_factory=set)  # sub-types named by instruments (aircraft, tanks)
    untyped: bool = False  # typed only from death/attack words and actors ("قتل 29 طفلا في الهجوم")
    told: set[int] = field(default_factory=set)  # death tolls its sentences report (before merging)

    def key(self) -> tuple:
        loc = self.place.name if self.place else None
        return (self.event_type, loc, self.date)

    def copy(self, **changes: Any) -> Frame:
        """A copy with ``changes`` whose lists, sets and dicts are its own: the frames one frame
        splits into (per town, per day) are merged and given tolls apart."""
        own = {"sents": list(self.sents), "triggers": list(self.triggers), "tags": set(self.tags),
               "actors": list(self.actors), "tolls": list(self.tolls),
               "territory_at": list(self.territory_at),
               "clauses": dict(self.clauses), "roles": set(self.roles),
               "instruments": set(self.instruments), "told": set(self.told)}
        return replace(self, **{**own, **changes})


#: the rules' scope exclusions that a confident sentence model may overrule (``scope=False``): each
#: is a keyword guess about time or modality that the model reads from the whole sentence
#: (not an old date: a frame opened anyway would carry that old day)
OVERRULABLE = frozenset({"rules:blocked_by_cue", "rules:ongoing_or_past_year"})


def frame_for_sentence(analysis: Analysis, si: int, ms: list[Mention],
                       published: date | None, *, scope: bool = True) -> Frame | str | None:
    """The frame sentence ``si`` (mentions ``ms``) opens; else the named reason it opens none (a
    ``str``), or None for a sentence with no event word at all. ``scope=False`` leaves out the
    scope exclusions (cues, relative clauses, retaliation, old or ongoing dates): the frame the
    sentence would open if they did not apply, for the sentence model to judge."""
    if scope:
        live, cues = unblocked(ms, analysis.doc.text)
        if not live:
            return no_trigger_reason(ms)
    else:
        cues = [m for m in ms if m.kind is MentionKind.CUE]
        live = [m for m in ms if m.kind is MentionKind.TRIGGER and m.attr("role") not in NON_CONFLICT_ROLES]
        if not live:
            return None
    dated = any(m.kind is MentionKind.DATE and m.value for m in ms)
    norm = analysis.norm
    if scope:
        live = [t for t in live if not relative_state(norm, t) and (dated or not answered(norm, t))]
    actors = [m for m in ms if m.kind is MentionKind.ACTOR]
    in_title = analysis.doc.title is not None and analysis.sentences[si].end <= len(analysis.doc.title)
    live = [seized_goods(norm, t) for t in live]
    live = promote(live, actors, in_title=in_title, norm=norm)
    typed = [t for t in live if t.value and t.value[0] and t.attr("role") != "instrument"]
    strong = [t for t in typed if float(t.attr("weight") or 0.5) >= DEFAULT.min_weight]
    ground = ground_offensive(norm, live, strong, actors)
    if ground is not None:
        strong.append(ground)
    if not strong:
        strong = untyped_attack(live, actors, in_title, norm)
        if not strong:
            return "rules:no_typed_trigger"
    dates = current_dates(ms, norm)
    event_date, precision, date_m = date_for(dates, published, strong[0].span.start, norm)
    reason = out_of_time(ms, dates, cues, event_date, published, analysis.sentences[si]) if scope else None
    if reason is not None:
        return reason
    strong.sort(key=lambda t: (TYPE_RANK.get(t.value[0], 9), SUB_RANK.get(t.value[1], 9), t.span.start))
    main = strong[0]
    etype, sub = main.value
    if sub == "Disrupted weapons use" and any(t.attr("role") == "kill" for t in live):
        etype, sub = BATTLES, "Armed clash"  # "قتلت 3 متطرفين وأحبطت محاولة لشن هجوم": a fight
    # weaker words of the same type may refine the sub-type (a territory verb in a battle)
    for t in typed:
        if (t.value[0] == etype and SUB_RANK.get(t.value[1], 9) < SUB_RANK.get(sub, 9) and t not in strong
                and float(t.attr("weight") or 0) >= DEFAULT.refine_weight):
            sub = t.value[1]
    tags: set[str] = set()
    for t in live:
        for tag in (t.attr("tags") or "").split(";"):
            if tag:
                tags.add(tag)
    return Frame(etype, sub, [si], main.span.start, strong, tags, actors,
                 date=event_date, date_precision=precision, date_mention=date_m,
                 weight=max(float(t.attr("weight") or 0.5) for t in strong),
                 roles={str(t.attr("role")) for t in live},
                 territory_at=[t.span.start for t in typed if t.value[0] == BATTLES
                               and t.value[1] in TERRITORY_SUBS],
                 instruments={t.value[1] for t in live if t.attr("role") == "instrument"},
                 untyped=(main.attr("role") in HARM_ROLES and not main.attr("tags")) or (
                     # "نجحت قوات التحالف في تصفية رئيس أركان الميليشيات": the killing of a commander
                     # by forces is told again by the strike or raid that did it
                     main.attr("role") == "assassinate" and not any(a.attr("kind") in CIVILIAN_KINDS
                                                                     for a in actors)))


# Words that name an act only in the right company (weights below min_weight on their own):
# storming and executions by a named armed group; gatherings where people are shot at
# or protesters are named; a territory verb in a headline's present tense ("المقاومة تسيطر على").
_ARMED_ROLES = {"advance", "execute"}
_CROWD_HARM = {"shoot", "injure", "kill", "disperse", "repress"}
_TERRITORY_VERBS_PRESENT = re.compile(r"^[يت](?:سيطر|حرر|ستعيد|ستولي)")
_LAUNCH_NEAR = re.compile(r"(?:^|\s)[وف]?(?:بدات|بدا|بدء|ببدء|انطلقت|انطلاق|اطلقت|اطلاق|"
                          r"شنت|شن|تشن|يشن|بشن)(?:\s|$)")


def current_dates(ms: list[Mention], norm: str) -> list[Mention]:
    """The dates of a sentence's mentions that may date its event: not a future one, not the start of
    a period ("منذ 18 شباط"), which dates a running total rather than a day's event."""
    return [m for m in ms if m.kind is MentionKind.DATE and m.value and not m.attr("future")
            and not opens_period(norm, m)]


def promote(live: list[Mention], actors: list[Mention], *, in_title: bool, norm: str) -> list[Mention]:
    """Raise weak triggers that the sentence's actors or other words confirm (to ``promoted_weight``)."""
    if not live:
        return []
    ranked = [(a, actor_rank(a), a.attr("kind")) for a in actors]
    armed = any(r == 0 and k not in VICTIM_KINDS for _, r, k in ranked)
    leaders = [b for b, r, _ in ranked if r == 0]
    opposed = armed and any(r <= 1 and k not in VICTIM_KINDS and not same_side(a, b)
                            for a, r, k in ranked for b in leaders)
    crowd = any(k in ("protesters", "people", "civilians") for _, _, k in ranked)
    harm = any(t.attr("role") in _CROWD_HARM for t in live)
    out = []
    for t in live:
        w, role = float(t.attr("weight") or 0), t.attr("role")
        ns, ne = t.attr("norm_start"), t.attr("norm_end")
        if role == "operation" and armed and ns is not None and ne is not None and \
                _LAUNCH_NEAR.search(norm[max(0, ns - 20):ne + 20]):
            # "بدأت قوات سوريا الديمقراطية عملياتها الاثنين"، "شنت ... عملية عسكرية": an offensive begun
            promoted = t.with_attr("weight", DEFAULT.promoted_weight)
            out.append(replace(promoted, value=(BATTLES, "Armed clash")))
            continue
        if w < DEFAULT.min_weight and t.value and t.value[0] and (
                (role in _ARMED_ROLES and armed)
                or (role == "clash" and w >= DEFAULT.confirm_weight and opposed)
                or (role == "protest" and w >= DEFAULT.confirm_weight and (harm or crowd))
                or (role == "territory_gain" and in_title and armed
                    and _TERRITORY_VERBS_PRESENT.match(normalise_key(t.span.text)))):
            t = t.with_attr("weight", DEFAULT.promoted_weight)
            if role == "advance" and not in_title:
                t = replace(t, value=(BATTLES, "Armed clash"))  # storming a town: fighting, not yet its fall
        out.append(t)
    return out


_SECURITY_TARGET = re.compile(
    r"\s+(?:\S+\s+){0,2}?(?:علي|ضد|استهدف\S*)\s+(?:ال)?(?:مجمع\s+وزاره\s+(?:الداخليه|الدفاع)|مقر\s+(?:ال)?(?:شرطه|امن|جيش|قياده)|"
    r"مركزا?\s+(?:لل|ال)?(?:شرطه|امن)|ثكنه|نقطه\s+تفتيش|حاجزا?\s+(?:ل|ال)?(?:جيش|شرطه|امن)|دوريه|قاعده\s+عسكريه|معسكر)")


def untyped_attack(live: list[Mention], actors: list[Mention], in_title: bool, norm: str) -> list[Mention]:
    """Type an attack told with untyped words ("استهدف"، "هاجم"، "إطلاق نار"، "مقتل").

    Aircraft or artillery named with it make it their strike ("استهدفت طائرات التحالف");
    civilian victims make it an attack on civilians; armed actors on a side make it a clash.
    """
    harm = [t for t in live if t.attr("role") in HARM_ROLES]
    if not harm and any(t.attr("role") == "injure" and t.attr("pos") != "noun" for t in live) \
            and any(actor_rank(a) == 0 and a.attr("kind") in STATE_KINDS for a in actors) \
            and any(a.attr("kind") in ("civilians", "people") for a in actors):
        # "أصابت الشرطة فلسطينيا": forces wounding people is an attack on civilians
        harm = [t for t in live if t.attr("role") == "injure"]
    if not harm:
        return []
    t = harm[0]
    instruments = [i for i in live if i.attr("role") == "instrument" and i.value and i.value[0]]
    attack = next((h for h in harm if h.attr("role") == "attack" and h.attr("norm_end") is not None), None)
    if instruments and t.attr("role") in ("attack", "shoot"):
        typed = instruments[0].value
    elif attack is not None and _SECURITY_TARGET.match(norm, attack.attr("norm_end")):
        # "هجوم على مجمع وزارة الداخلية"، "هجوم على مركز للشرطة": an assault on a security post
        # is fought by its guards (ACLED codes a clash with the forces holding it)
        typed = (BATTLES, "Armed clash")
    elif any(a.attr("kind") == "civilians" for a in actors) or (
            any(i.attr("role") == "shoot" for i in live) and any(a.attr("kind") == "people" for a in actors)
            and not two_sides(actors)) or t.attr("role") == "injure":
        # "مقتل 5 مدنيين برصاص مسلحين"; "قتل إسرائيليان في حادث إطلاق نار" (people shot, no force named)
        typed = (VAC, "Attack")
    elif t.attr("role") in ("attack", "shoot") and any(actor_rank(a) == 0 for a in actors) \
            and not (t.attr("pos") == "verb" and t.attr("norm_start") is not None and not in_title
                     and present_tense(t.span.text)):
        # "هاجم مقاتلون معسكرات للحرس الثوري"; in a report's body "وتستهدف بؤرا إرهابية" describes
        # what forces go on doing, not an attack that happened
        typed = (BATTLES, "Armed clash")
    elif any(h.attr("role") == "shoot" for h in harm) \
            and any(a.attr("kind") in ("state_military", "state_police") for a in actors):
        # "لقي جندي مصرعه في إطلاق نار": gunmen firing on soldiers or police is a fight
        typed = (BATTLES, "Armed clash")
    else:
        return []
    return [replace(t.with_attr("weight", DEFAULT.untyped_weight), value=typed)]


# "هجوم قوات النظام على ريف درعا وسط قصف جوي": the strikes go with a ground attack
_AMID_BEFORE = re.compile(r"(?:^|\s)(?:وسط|بالتزامن\s+مع|تحت\s+غطاء|بغطاء|باسناد|بدعم|"
                          r"مدعوم(?:ه|ين)?\s+ب\S*|مسنود(?:ه|ين)?\s+ب\S*)\s+(?:\S+\s+)?$")


def ground_offensive(norm: str, live: list[Mention], strong: list[Mention],
                     actors: list[Mention]) -> Mention | None:
    """A Battles trigger for an attack by named ground forces that strikes only accompany, else None."""
    if not strong or any(t.value[0] != REMOTE for t in strong):
        return None
    attack = next((t for t in live if t.attr("role") == "attack" and t.attr("pos") != "verb"), None)
    if attack is None or not any(actor_rank(a) == 0 and a.attr("kind") in STATE_KINDS | {"rebel", "militia"}
                                 and a.attr("kind") != "state_name" for a in actors):
        return None
    amid = [t for t in strong if _AMID_BEFORE.search(norm, max(0, int(t.attr("norm_start") or 0) - 30),
                                                       int(t.attr("norm_start") or 0))]
    if len(amid) != len(strong) or attack.span.start > min(t.span.start for t in strong):
        return None
    return replace(attack.with_attr("weight", DEFAULT.promoted_weight), value=(BATTLES, "Armed clash"))


def present_tense(word: str) -> bool:
    """Whether a verb form is imperfect (present): "تستهدف"، "يقصف"، "وتشن" (after و/ف)."""
    w = normalise_key(word)
    if w[:1] in ("و", "ف") and len(w) > 3:
        w = w[1:]
    return w[:1] in ("ي", "ت") and len(w) >= 4
