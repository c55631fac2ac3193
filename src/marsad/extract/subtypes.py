"""Event types and sub-types: their names, which one outranks which, and the sub-types that depend
on more than the trigger word.

Requires: nothing else of the event builder (the other modules take the type names from here).
Provides: the six ACLED type names; ``TYPE_RANK`` and ``SUB_RANK``, which trigger of a sentence
types its frame; ``TERRITORY_SUBS``; ``modality_tags``, what a strike a battle takes in leaves in
the battle's tags; ``refine_subtype``, a protest under fire, a shelling by aircraft.

(Who took ground decides between the two territory sub-types: that is a question of sides, see
``sides.territory_subtype``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marsad.extract.frames import Frame

BATTLES = "Battles"
REMOTE = "Explosions/Remote violence"
VAC = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

# When a sentence holds triggers of several types, the first type in this order wins:
# a battle absorbs its strikes; a suicide bomb outranks the explosion it causes.
TYPE_RANK = {BATTLES: 0, REMOTE: 1, VAC: 2, RIOTS: 3, PROTESTS: 4, STRATEGIC: 5}
SUB_RANK = {
    "Non-state actor overtakes territory": 0, "Government regains territory": 0, "Armed clash": 1,
    "Chemical weapon": 0, "Suicide bomb": 1, "Air/drone strike": 2, "Remote explosive/landmine/IED": 3,
    "Shelling/artillery/missile attack": 4, "Grenade": 5,
    "Excessive force against protesters": 0, "Protest with intervention": 1, "Peaceful protest": 2,
    "Violent demonstration": 0, "Mob violence": 1,
    "Abduction/forced disappearance": 0, "Sexual violence": 1, "Attack": 2,
}

TERRITORY_SUBS = ("Non-state actor overtakes territory", "Government regains territory")


def modality_tags(f: Frame) -> set[str]:
    tags = set(f.tags)
    mod = {"Air/drone strike": "air strike", "Shelling/artillery/missile attack": "shelling",
           "Suicide bomb": "suicide bomb", "Remote explosive/landmine/IED": "IED"}.get(f.sub_event_type)
    if mod:
        tags.add(mod)
    return tags


def refine_subtype(event_type: str, sub: str, killed: int, f: Frame) -> str:
    """Sub-types that depend on more than the trigger word (``f``: the roles and instruments its
    sentences name; ``event_type``: the type its record has)."""
    if event_type == PROTESTS and (killed > 0 or f.roles & {"kill", "shoot"}):
        return "Excessive force against protesters"  # protesters killed or shot at
    if event_type == REMOTE and sub == "Shelling/artillery/missile attack" \
            and "Air/drone strike" in f.instruments:
        return "Air/drone strike"  # "قصف" by aircraft is an air strike
    return sub
