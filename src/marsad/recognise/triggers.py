"""Event triggers and cue words.

Requires: ``Analysis.norm`` (and ``offsets``). Provides: ``MentionKind.TRIGGER`` mentions
(value ``(event_type, sub_event_type)``, both possibly ``""`` for untyped words such as
death/injury words or generic attack verbs) and ``MentionKind.CUE`` mentions (value: the
cue class, e.g. ``"negation"``, ``"update"``).

Data: ``marsad/data/triggers.tsv`` (key, event_type, sub_event_type, tags, role, weight,
pos) and ``marsad/data/cues.tsv`` (key, cue_class, pos). Each is compiled once per
process into one :class:`~marsad.recognise.lexicon.Lexicon` (one Aho-Corasick automaton).

Trigger ``attrs``: ``role``, ``tags`` (``;``-separated, e.g. ``air strike;drone strike``,
``car bomb``, ``suicide bomb``, ``IED``, ``chemical``, ``barrel bomb``), ``weight`` (0-1, how
strongly the word alone signals an event), ``pos`` (verb, noun, phrase, word = either),
``future`` (True when a verb carries the future prefix سـ), ``norm_start``/``norm_end``.

Roles of typed rows: clash, siege, territory_gain, advance, strike, instrument (aircraft,
tanks: a modality, not an act), shell, intercept, suicide, explode, grenade, chemical,
execute, assassinate, massacre, attack_civ, abduct, sexual, protest, disperse, repress,
riot, mob, agreement, negotiation, arrest, raid, group_change, foil, base, loot, withdraw,
other. Untyped rows (event_type ``""``; the event builder decides the type from actors
and co-occurring triggers): kill, injure, attack, shoot, operation, destroy, and the
weight-0 context roles ``judicial`` (court sentences, judicial executions) and
``nonconflict`` (traffic accidents, fires, storms) that mark deaths which are not events.
Rows with role ``block`` shield names and descriptive phrases (هيئة تحرير الشام، تحت
سيطرة، رئيس التحرير) from shorter triggers and are never returned.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from marsad.model import DOC_CACHE, Analysis, Mention, MentionKind
from marsad.recognise.lexicon import (
    NOUN_PROCLITICS,
    PRONOUN_SUFFIXES,
    VERB_PROCLITICS,
    VERB_SUFFIXES,
    LexEntry,
    Lexicon,
    LexiconGroup,
    LexMatch,
)
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

#: Noun suffixes: pronouns, accusative tanween alif, sound plurals.
NOUN_SUFFIXES: frozenset[str] = PRONOUN_SUFFIXES | {"ا", "ات", "ين", "اتها", "اتهم"}
#: Verb suffixes: persons of the past tense, imperfect plural, object pronouns.
VERB_SUFFIXES_ALL: frozenset[str] = VERB_SUFFIXES | {"ون", "وه", "وها", "وهم"}

#: pos -> (proclitics, suffixes); multi-word phrases take only noun proclitics, no suffix.
AFFIXES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "noun": (NOUN_PROCLITICS, NOUN_SUFFIXES),
    "verb": (VERB_PROCLITICS, VERB_SUFFIXES_ALL),
    "word": (NOUN_PROCLITICS | VERB_PROCLITICS, NOUN_SUFFIXES | VERB_SUFFIXES_ALL),
    "phrase": (NOUN_PROCLITICS | VERB_PROCLITICS, PRONOUN_SUFFIXES),
}
FUTURE_PROCLITICS: frozenset[str] = frozenset({"س", "وس", "فس"})
#: "ل" on a territory noun says what an operation is for ("جهود لاستعادة"): a purpose, not an act.
PURPOSE_PROCLITICS: frozenset[str] = frozenset({"ل", "ول", "فل", "لل", "ولل", "فلل"})
PURPOSE_ROLES: frozenset[str] = frozenset({"territory_gain", "advance"})

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    ),
}

CUE_CLASSES: frozenset[str] = frozenset(
    {
        "negation", "denial", "threat", "plan", "conditional", "hypothetical", "condemnation",
        "update", "partial", "injury", "death_noun", "victim_side", "background", "running_total",
        "report_verb", "habitual",
    }
)


@dataclass(frozen=True, slots=True)
class TriggerInfo:
    """The payload of one trigger row."""

    key: str
    event_type: str
    sub_event_type: str
    tags: str
    role: str
    weight: float
    pos: str


@dataclass(frozen=True, slots=True)
class CueInfo:
    """The payload of one cue row."""

    key: str
    cue_class: str
    pos: str


def _pos_affixes(pos: str, key: str) -> tuple[frozenset[str], frozenset[str]]:
    """Affix sets for a row: by ``pos``; any multi-word key behaves as a phrase at its end."""
    pro, suf = AFFIXES.get(pos, AFFIXES["word"])
    if " " in key and pos != "phrase":
        suf = PRONOUN_SUFFIXES | (suf & {"ا", "ات"})
    return pro, suf


def _read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a data TSV (``#`` comment lines skipped, first other line = header)."""
    text = resources.files("marsad").joinpath("data", name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def trigger_lexicon() -> Lexicon[TriggerInfo]:
    """The trigger lexicon, loaded once per process (first row wins for a repeated key)."""
    entries: list[LexEntry[TriggerInfo]] = []
    seen: set[str] = set()
    for row in _read_tsv("triggers.tsv"):
        key = normalise_key(row["key"])
        et, sub = row["event_type"].strip(), row["sub_event_type"].strip()
        if et and et not in EVENT_TYPES:
            log.warning("triggers.tsv: unknown event_type %r for %r", et, key)
            continue
        if sub and sub not in EVENT_TYPES.get(et, ()):
            log.warning("triggers.tsv: unknown sub_event_type %r for %r", sub, key)
            continue
        if key in seen:
            log.debug("triggers.tsv: repeated key %r ignored", key)
            continue
        seen.add(key)
        pos = row["pos"].strip() or "word"
        if pos == "verb_or_noun":
            pos = "word"
        info = TriggerInfo(key, et, sub, row["tags"].strip(), row["role"].strip(),
                           float(row["weight"] or 0), pos)
        pro, suf = _pos_affixes(pos, key)
        entries.append(LexEntry(key, info, pro, suf))
    lex = Lexicon(entries, name="triggers")
    log.info("trigger lexicon: %d keys", len(lex))
    return lex


@cache
def cue_lexicon() -> Lexicon[CueInfo]:
    """The cue lexicon, loaded once per process. A key may carry several classes."""
    entries: list[LexEntry[CueInfo]] = []
    seen: set[tuple[str, str]] = set()
    for row in _read_tsv("cues.tsv"):
        key = normalise_key(row["key"])
        cls = row["cue_class"].strip()
        if cls not in CUE_CLASSES:
            log.warning("cues.tsv: unknown cue class %r for %r", cls, key)
            continue
        if (key, cls) in seen:
            continue
        seen.add((key, cls))
        pos = row.get("pos", "").strip() or "word"
        pro, suf = _pos_affixes(pos, key)
        if pos == "particle":
            pro, suf = frozenset({"و", "ف"}), frozenset()
        entries.append(LexEntry(key, CueInfo(key, cls, pos), pro, suf))
    lex = Lexicon(entries, name="cues")
    log.info("cue lexicon: %d keys", len(lex))
    return lex


@cache
def event_words() -> LexiconGroup:
    """The trigger and cue lexicons as one group: a document is scanned once for both."""
    return LexiconGroup((trigger_lexicon(), cue_lexicon()))


@lru_cache(maxsize=DOC_CACHE)
def _matches(norm: str) -> tuple[tuple[LexMatch[TriggerInfo], ...], tuple[LexMatch[CueInfo], ...]]:
    """Trigger and cue matches of a text, cached so that the trigger gate, ``find_triggers`` and
    ``find_cues`` share one scan."""
    triggers, cues = event_words().matches(norm)
    return tuple(triggers), tuple(cues)


def _trigger_matches(norm: str) -> tuple[LexMatch[TriggerInfo], ...]:
    return _matches(norm)[0]


def has_triggers(analysis: Analysis) -> bool:
    """Whether ``find_triggers`` finds anything (cheap: the matches are cached for it)."""
    return any(m.payload.role != "block" for m in _trigger_matches(analysis.norm))


def find_triggers(analysis: Analysis) -> list[Mention]:
    """Trigger mentions in the document, in text order (``sent`` left at -1)."""
    out: list[Mention] = []
    for m in _trigger_matches(analysis.norm):
        info = m.payload
        if info.role == "block":
            continue
        attrs: tuple[tuple[str, object], ...] = (
            ("role", info.role),
            ("tags", info.tags),
            ("weight", info.weight),
            ("pos", info.pos),
            ("norm_start", m.start),
            ("norm_end", m.end),
        )
        if m.proclitic in FUTURE_PROCLITICS:
            attrs += (("future", True),)
        out.append(analysis.mention(MentionKind.TRIGGER, m.start, m.end,
                                    (info.event_type, info.sub_event_type), attrs))
    return out


def find_cues(analysis: Analysis) -> list[Mention]:
    """Cue mentions (value = cue class), in text order; a key with two classes gives two.

    Besides the cue lexicon, the future prefix سـ on a trigger verb ("سيشن", "وستقصف")
    is reported as a ``plan`` cue spanning just that letter (attr ``prefix``), so that
    a consumer that cancels triggers after a plan cue handles it without special cases.
    """
    out: list[Mention] = []
    for m in _matches(analysis.norm)[1]:
        out.append(analysis.mention(MentionKind.CUE, m.start, m.end, m.payload.cue_class,
                                    (("key", m.key), ("norm_start", m.start), ("norm_end", m.end))))
    for t in _trigger_matches(analysis.norm):
        if t.proclitic in PURPOSE_PROCLITICS and t.payload.role in PURPOSE_ROLES and t.payload.pos != "verb":
            # "لاستعادة"، "لتحرير"، "للسيطرة على": the aim of an operation, not a change of control
            s = t.start - len(t.proclitic)
            out.append(analysis.mention(MentionKind.CUE, s, t.start, "plan",
                                        (("key", t.proclitic), ("prefix", True), ("norm_start", s),
                                         ("norm_end", t.start))))
        if t.proclitic in FUTURE_PROCLITICS and t.payload.role != "block":
            s = t.start - 1  # the س is the proclitic's last letter
            out.append(analysis.mention(MentionKind.CUE, s, t.start, "plan",
                                        (("key", "س"), ("prefix", True), ("norm_start", s),
                                         ("norm_end", t.start))))
    out.sort(key=lambda c: (c.span.start, c.span.end))
    return out
