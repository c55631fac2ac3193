"""Sides: which actor acts, which one is acted on, and who fights beside whom.

Requires: ACTOR mentions (attrs ``kind``, ``weak``, ``supporter``, ``government``, ``norm_start``),
the normalised text, and data/alliances.tsv (the blocs that fight on one side).
Provides: ``actor_rank`` (named armed actors before generic ones before country names),
``allied``/``same_side``/``two_sides``; the markers of the side struck or driven out
(``is_struck``, ``is_target``, ``ousted``); ``actor_pair``, a frame's acting side and other
side; ``doc_opponent``, the other side named nearby; ``carry_actors``, a telling that names no side
goes on with the last one's; ``territory_winner`` and ``territory_subtype``, who took the ground
and so whether it was regained or overtaken.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from marsad.extract.dating import recent
from marsad.extract.settings import DEFAULT
from marsad.extract.subtypes import BATTLES, PROTESTS, REMOTE, RIOTS, TERRITORY_SUBS, VAC
from marsad.model import Analysis, Mention, MentionKind

if TYPE_CHECKING:
    from datetime import date

    from marsad.extract.frames import Frame

STATE_KINDS = {"state_military", "state_police", "military", "police", "state"}
VICTIM_KINDS = {"civilians", "protesters"}
FORCE_KINDS = {"state_military", "state_police"}
CIVILIAN_KINDS = {"civilians", "people"}
_NAMED_KINDS = {"state_military", "state_police", "rebel", "militia", "coalition", "external", "government"}
# the governments whose allies "regain" territory (alliances.tsv blocs)
_GOVERNMENT_ANCHORS = ("Military Forces of Syria", "Military Forces of Yemen", "Military Forces of Iraq",
                       "Military Forces of Libya (GNA)")


@cache
def _alliances() -> dict[str, frozenset[str]]:
    """Actor name -> every actor that fights on its side (data/alliances.tsv)."""
    sides: dict[str, set[str]] = {}
    path = resources.files("marsad") / "data" / "alliances.tsv"
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line or line.startswith("#") or line.startswith("bloc\t"):
            continue
        members = line.split("\t")[1].split(";")
        for m in members:
            sides.setdefault(m, set()).update(members)
    return {k: frozenset(v) for k, v in sides.items()}


def allied(a: str | None, b: str | None) -> bool:
    """Whether two canonical actors are the same or fight on the same side."""
    if not a or not b:
        return False
    return a == b or b in _alliances().get(a, ())


def actor_rank(m: Mention) -> int:
    """0 named armed actor, 1 generic one (gunmen, "the militias"), 2 a country name or a person."""
    kind = m.attr("kind")
    if m.attr("government"):
        return 2  # "الحكومة العراقية" announces; ACLED names the forces that act
    if kind in _NAMED_KINDS and not m.attr("weak"):
        return 1 if m.attr("supporter") else 0
    if kind in ("state_name", "people") or m.attr("weak"):
        return 2
    return 1


def same_side(m: Mention, other: Mention | None) -> bool:
    return other is not None and allied(str(m.value), str(other.value))


def two_sides(actors: list[Mention]) -> bool:
    """Whether the actors name two armed sides that are not allies (a fight, not an attack on people)."""
    armed = [a for a in actors if actor_rank(a) <= 1 and a.attr("kind") not in VICTIM_KINDS]
    return any(actor_rank(a) == 0 and not same_side(a, b) for a in armed for b in armed if b is not a)


# "في صفوف X", "ضد X", "استهدف X": X is the side that suffered, not the one that acted
_POSITIONS = "مواقع|معاقل|مقرات|تجمعات|تحصينات|اليات|مخازن"  # a side's positions ("مواقع للحوثيين")
_TARGET_BEFORE = re.compile(rf"(?:صفوف|ضد|علي|استهداف|استهدف|استهدفت|{_POSITIONS}|"
                            r"عناصر\s+من|بين\s+قتلي)\s*(?:ال)?$")


# the side struck: after "على"/"ضد", its positions or its posts (not after "استهدفت", which a VSO
# sentence follows with the attacker: "استهدفت طائرات التحالف مواقع للحوثيين")
_STRUCK_BEFORE = re.compile(rf"(?:^|\s)[وف]?(?:ضد|علي|{_POSITIONS}|مركز|مركزا|مقر|"
                            r"حاجز|حاجزا|دوريه|ثكنه|نقطه\s+تفتيش|مبني)\s*(?:ال)?$")


def is_struck(norm: str, m: Mention) -> bool:
    ns = m.attr("norm_start")
    return bool(norm) and ns is not None and _STRUCK_BEFORE.search(norm, max(0, ns - 14), ns) is not None


def is_target(norm: str, m: Mention) -> bool:
    ns = m.attr("norm_start")
    return ns is not None and bool(_TARGET_BEFORE.search(norm[max(0, ns - 14):ns]))


_OUSTED_BEFORE = re.compile(r"(?:^|\s)(?:من|عن)\s+(?:ال)?$")


def ousted(norm: str, m: Mention, f: Frame) -> bool:
    """Whether actor ``m`` is named after a territory word as the side driven out ("من ميليشيات الحوثي")."""
    ns = m.attr("norm_start")
    return bool(norm) and ns is not None and any(at < m.span.start for at in f.territory_at) \
        and _OUSTED_BEFORE.search(norm, max(0, ns - 8), ns) is not None


def actor_pair(f: Frame, country: str | None, norm: str = "") -> tuple[Mention | None, Mention | None]:
    """Actor 1 = the acting side, actor 2 = the other side (victims count as a side).

    Named armed actors come first, generic ones ("مسلحون") next, and a bare country name
    ("سوريا", usually a place) only when nothing else names a side; within a rank the
    actor nearest the trigger wins. The two sides must differ.
    """
    best: dict[str, Mention] = {}
    for m in sorted(f.actors, key=lambda m: abs(m.span.start - f.anchor)):
        best.setdefault(str(m.value), m)
    # the side a territory word drives out ("تحرير المديرية من ميليشيات الحوثي") acts second
    # ... and so does the side struck ("استهدفت طائرات التحالف مواقع للحوثيين"، "الضربات على الحوثيين")
    # in a strike, the side struck comes after any attacker, even a state named by its country
    # ("شنت الولايات المتحدة ضربات على مواقع للنظام السوري")
    remote = f.event_type == REMOTE
    struck = {id(m) for m in best.values() if is_struck(norm, m)}
    cands = sorted(best.values(), key=lambda m: (
        remote and id(m) in struck, actor_rank(m), ousted(norm, m, f) or id(m) in struck,
        abs(m.span.start - f.anchor)))
    actors = [m for m in cands if m.attr("kind") not in VICTIM_KINDS]
    # a weak victim word ("رجل", "شخص") names a side only where no other does
    victims = sorted((m for m in cands if m.attr("kind") in VICTIM_KINDS), key=lambda m: bool(m.attr("weak")))
    a1 = actors[0] if actors else None
    rest = [m for m in actors[1:] if actor_rank(m) < 2 and not same_side(m, a1)]
    hit = next((m for m in cands if id(m) in struck and m.attr("kind") in FORCE_KINDS and m is not a1
                and not same_side(m, a1)), None) if remote else None
    if hit is not None:
        a2 = hit  # "هجوم انتحاري على مركز للشرطة": the police post's force is the side hit
    elif victims and (f.event_type in (VAC, PROTESTS, RIOTS, REMOTE) or not rest) and not (
            f.event_type == BATTLES and victims[0].attr("weak") and rest and actor_rank(rest[0]) == 0):
        a2 = victims[0]
    else:
        a2 = rest[0] if rest else None
    if a1 is None:
        a1, a2 = a2, None
    return a1, a2


def carry_actors(frames: list[Frame], published: date | None) -> None:
    """A frame that names no armed actor ("وأفاد المرصد بأن الضربات استهدفت بلدة ...") continues the
    telling of the last frame of its type a few sentences before: it takes that frame's actors (and
    its day, when it names none)."""
    for i, f in enumerate(frames):
        if any(actor_rank(a) <= 1 and a.attr("kind") not in VICTIM_KINDS for a in f.actors):
            continue
        prev = next((g for g in reversed(frames[:i]) if g.event_type == f.event_type
                     and min(f.sents) - max(g.sents) <= DEFAULT.carry_window), None)
        if prev is not None:
            # the side that acted there acts here; a strike's victims are its own sentence's
            sides = [a for a in actor_pair(prev, None) if a is not None and actor_rank(a) == 0
                     and a.attr("kind") not in VICTIM_KINDS]
            f.actors = f.actors + (sides if f.event_type == BATTLES else sides[:1])
            if f.date_mention is None and prev.date_mention is not None and recent(prev.date, published):
                # (not marked date_inherited: the day is the same telling's, and the frame keeps the
                # dated-frame confidence; marking it loses one dev event and 147 corpus events)
                f.date, f.date_precision, f.date_mention = prev.date, prev.date_precision, prev.date_mention


def doc_opponent(analysis: Analysis, a1: Mention | None, sents: list[int]) -> Mention | None:
    """The most named armed actor near the event (within ``opponent_window`` sentences) that is not
    on ``a1``'s side: the other side of a battle or strike whose sentence names only one."""
    lo, hi = min(sents) - DEFAULT.opponent_window, max(sents) + DEFAULT.opponent_window
    counts: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    for m in analysis.mentions:
        if (m.kind is MentionKind.ACTOR and lo <= m.sent <= hi and actor_rank(m) == 0
                and not same_side(m, a1)):
            counts[str(m.value)] += 1
            first.setdefault(str(m.value), m)
    if not counts:
        return None
    return first[counts.most_common(1)[0][0]]


def territory_winner(norm: str, f: Frame) -> Mention | None:
    """The actor named next to a territory word (the one that took or kept the ground)."""
    best, best_d = None, DEFAULT.winner_window
    for m in f.actors:
        if actor_rank(m) > 1 or m.attr("kind") in VICTIM_KINDS or is_target(norm, m) or m.attr("supporter"):
            continue
        driven_out = ousted(norm, m, f)
        for at in f.territory_at:
            if driven_out and m.span.start > at:
                continue  # "تحرير المديرية من ميليشيات الحوثي": the side driven out
            d = abs(m.span.start - at)
            if d < best_d:
                best, best_d = m, d
    return best


def territory_subtype(sub: str, a1: Mention | None) -> str:
    """Territory change: who took it decides the sub-type (the state and its allies regain)."""
    if sub not in TERRITORY_SUBS or a1 is None:
        return sub
    state_side = a1.attr("kind") in STATE_KINDS or any(
        allied(str(a1.value), name) for name in _GOVERNMENT_ANCHORS)
    return "Government regains territory" if state_side else "Non-state actor overtakes territory"
