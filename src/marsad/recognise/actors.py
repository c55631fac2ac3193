"""Actor recognition: dictionary look-up of Arabic actor phrases.

Requires: ``Analysis.norm`` (see ``marsad.text.normalise``). Provides: ``Mention``s of kind
``ACTOR`` whose ``value`` is the canonical actor name of ``spec/actors.md``.

The dictionary (``marsad/data/actors.tsv``, built by ``build/build_actors.py``) maps normalised
alias keys to canonical names. All keys go into one Aho–Corasick automaton, compiled once per
process. A match counts when it starts a word (optionally after proclitics و ف ب ل ك, or as
"لل" + the word for keys that start with the article) and ends a word; overlapping matches are
resolved longest first. Anaphors (التنظيم، الجماعة، مسلحي التنظيم ...) take the name of the nearest
preceding named armed group and are dropped when there is none. "Stop" keys (القاعدة العسكرية،
مجلس الأمن ...) win like any other match and are then dropped, so that the shorter alias inside
them is not reported. Single-word generic aliases (الجيش، الأمن، المتمردين) and country names used
as actors (إسرائيل، روسيا) carry ``weak=True``.

Pattern actors (``Civilians ({country})``, ``Police Forces of {country}`` ...) get their country
from ``default_country``; without it, ``value`` keeps the ``{country}`` placeholder and the
mention carries ``needs_country=True`` (fill it later with ``canonical_for`` or ``resolve``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from marsad.model import Analysis, Mention, MentionKind
from marsad.text.chars import word_automaton, word_hits

log = logging.getLogger(__name__)

# proclitic strings that may precede an alias inside the same word
CLITICS: frozenset[str] = frozenset({"", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"})
PLACEHOLDER = "{country}"

# kind -> pattern of canonical name, and inter code
PATTERNS: dict[str, tuple[str, int]] = {
    "state_military": ("Military Forces of {forces}", 1),
    "state_police": ("Police Forces of {forces}", 1),
    "civilians": ("Civilians ({name})", 7),
    "people": ("Civilians ({name})", 7),
    "protesters": ("Protesters ({name})", 6),
    "rioters": ("Rioters ({name})", 5),
    "unidentified": ("Unidentified Armed Group ({name})", 3),
}
GROUP_KINDS = frozenset({"rebel", "militia"})
# Where "the army" / "the police" of a place are another state's (ACLED codes the state forces
# operating in the Palestinian territories as Israel's).
STATE_FORCES_OF: dict[str, str] = {"PS": "IL"}

STATE_KINDS = frozenset({"state_military", "state_police", "state_name"})


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One canonical actor as a dictionary key resolves to it."""

    canonical: str  # may contain "{country}"; context actors start with "@"
    inter: int
    country: str | None
    kind: str
    weak: bool
    context: tuple[tuple[str, str], ...] = ()  # (iso2, canonical) for context actors


class ActorLexicon:
    """The actor dictionary and its compiled automaton."""

    def __init__(self, rows: list[tuple[str, str, int, str, str, bool]],
                 countries: dict[str, tuple[str, str, int]]) -> None:
        """``rows``: (key, canonical, inter, country, kind, weak); ``countries``: iso2 -> (name, forces,
        inter)."""
        self.countries = countries
        self.entries: list[ActorEntry] = []
        self.keys: dict[str, int] = {}
        index: dict[tuple[str, int, str, str, bool], int] = {}
        for key, canonical, inter, country, kind, weak in rows:
            context: tuple[tuple[str, str], ...] = ()
            if canonical.startswith("@") and kind != "anaphor":
                context = tuple(tuple(p.split("=", 1)) for p in canonical[1:].split(";"))  # type: ignore[misc]
            sig = (canonical, inter, country, kind, weak)
            eid = index.get(sig)
            if eid is None:
                eid = index[sig] = len(self.entries)
                self.entries.append(ActorEntry(canonical, inter, country or None, kind, weak, context))
            self.keys[key] = eid
        self.automaton = compile_keys(self.keys)
        self._inter: dict[str, int] | None = None
        log.info("actor lexicon: %d keys, %d entries", len(self.keys), len(self.entries))

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> ActorLexicon:
        """The packaged dictionary (``marsad/data/actors.tsv``), loaded once per process."""
        data = resources.files("marsad") / "data"
        rows = []
        for line in (data / "actors.tsv").read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#") or line.startswith("key\t"):
                continue
            key, canonical, inter, country, kind, weak, _alias = line.split("\t")
            rows.append((key, canonical, int(inter), country, kind, weak == "1"))
        countries = {}
        for line in (data / "actors_countries.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            iso2, name, forces, inter, _stems = line.split("\t")
            countries[iso2] = (name, forces, int(inter))
        return cls(rows, countries)

    def inter_of(self, canonical: str) -> int | None:
        """Inter code of a canonical name (named or filled pattern), None if unknown."""
        if self._inter is None:
            self._inter = {e.canonical: e.inter for e in self.entries if "{" not in e.canonical}
            for pat, code in PATTERNS.values():
                self._inter.setdefault(pat.split("{")[0], code)
        if canonical in self._inter:
            return self._inter[canonical]
        prefix = next((p for p in self._inter if p.endswith((" of ", " (")) and canonical.startswith(p)),
                      None)
        return self._inter[prefix] if prefix else None

    def lookup(self, phrase: str) -> ActorEntry | None:
        """The entry of an exact (already normalised) key, if any."""
        eid = self.keys.get(phrase)
        return None if eid is None else self.entries[eid]

    def __len__(self) -> int:
        return len(self.keys)


def country_name(iso2: str | None) -> str | None:
    """English country name as ACLED writes it (``SY`` -> ``Syria``); None when unknown."""
    if not iso2:
        return None
    info = ActorLexicon.load().countries.get(iso2.upper())
    if info:
        return info[0]
    import pycountry  # (a dependency; imported here, at the first country beyond the table)

    try:
        c = pycountry.countries.get(alpha_2=iso2.upper())
    except LookupError:  # pragma: no cover
        return None
    return getattr(c, "common_name", None) or c.name if c else None


def forces_name(iso2: str) -> str | None:
    """Country name as used after "Forces of" ("the United States", "Syria")."""
    info = ActorLexicon.load().countries.get(iso2.upper())
    if info:
        return info[1]
    name = country_name(iso2)
    return name


@lru_cache(maxsize=16)
def _context_table(kind: str) -> dict[str, str]:
    """iso2 -> canonical for a context kind ("rebel_generic": YE -> Houthis, SY -> Free Syrian Army ...)."""
    table: dict[str, str] = {}
    for entry in ActorLexicon.load().entries:
        if entry.kind == kind and entry.context:
            table.update(dict(entry.context))
    return table


def canonical_for(kind: str, country: str | None) -> str | None:
    """Canonical name of a pattern actor of ``kind`` in ``country`` (ISO2), e.g.
    ``canonical_for("state_police", "IQ") == "Police Forces of Iraq"``; context kinds resolve by country
    (``canonical_for("rebel_generic", "YE") == "Houthis"``, else an unidentified armed group); None if
    ``kind`` is neither. Without a country the ``{country}`` placeholder is kept."""
    pattern = PATTERNS.get(kind)
    if pattern is None:
        context = _context_table(kind)
        if not context:
            return None
        if country and country.upper() in context:
            return context[country.upper()]
        pattern = PATTERNS["unidentified"]
    if not country:
        return pattern[0].format(forces=PLACEHOLDER, name=PLACEHOLDER)
    if kind in ("state_military", "state_police"):
        country = STATE_FORCES_OF.get(country.upper(), country)
    name, forces = country_name(country), forces_name(country)
    if name is None:
        return None
    return pattern[0].format(forces=forces, name=name)


def inter_for(inter: int, kind: str, actor_country: str | None, event_country: str | None) -> int:
    """ACLED inter code in context: state forces acting outside their country get 8."""
    if kind in STATE_KINDS and actor_country and event_country and actor_country != event_country:
        return 8
    if kind in STATE_KINDS and inter == 8 and actor_country and actor_country == event_country:
        return 1
    return inter


def _resolve_entry(entry: ActorEntry, country: str | None) -> tuple[str, int, str | None, bool]:
    """(canonical, inter, country, needs_country) of an entry in a document about ``country``."""
    if entry.context:
        table = dict(entry.context)
        if country and country in table:
            return table[country], entry.inter, country, False
        if country:
            return canonical_for("unidentified", country) or "", 3, country, False
        return f"Unidentified Armed Group ({PLACEHOLDER})", 3, None, True
    if PLACEHOLDER in entry.canonical:
        value = canonical_for(entry.kind, country) if country else None
        if value is None:
            return entry.canonical, entry.inter, None, True
        return value, entry.inter, country, False
    return entry.canonical, entry.inter, entry.country, False


def resolve(mention: Mention, country: str | None) -> Mention:
    """Fill the country of a pattern/context actor mention (returns it unchanged if not needed)."""
    if not mention.attr("needs_country") or not country:
        return mention
    lex = ActorLexicon.load()
    entry = lex.entries[mention.attr("entry")]
    value, inter, ctry, needs = _resolve_entry(entry, country)
    attrs = dict(mention.attrs)
    attrs.update(inter=inter, country=ctry, needs_country=needs)
    return Mention(mention.kind, mention.span, value, mention.sent, tuple(attrs.items()))


_SUPPORT_BEFORE = re.compile(r"(?:^|\s)[وف]?(?:بدعم|باسناد|بمسانده|بمساعده|بغطاء|بتغطيه|ضمن|"
                             r"مدعوم(?:ه|ين|ون)?|"
                             r"مسنود(?:ه|ين|ون)?|المدعوم(?:ه|ين|ون)?)(?:\s+(?:جوي|مباشر))?\s*(?:من\s+|ب)?"
                             r"(?:\S+\s+){0,1}$")
# one of these is in every match of _SUPPORT_BEFORE: a window without any is not searched
_SUPPORT_WORDS = ("دعم", "مدعوم", "اسناد", "مسانده", "مساعده", "غطاء", "تغطيه", "ضمن", "مسنود")
_GOVERNMENT = re.compile(r"[وفبل]{0,2}(?:ال)?حكوم")
_BASE_NAMED = re.compile(r"(?<!\w)[وفبل]{0,2}قاعده\s+(?!\d)\w")
_BARE_QAEDA = re.compile(r"(?:ال|لل)قاعده")
_QAEDA_HEAD = re.compile(r"(?:تنظيم|عناصر|مسلحي|مقاتلي|زعيم|جماعه|فرع)\s+$")


def _candidates(norm: str, automaton: Any) -> list[tuple[int, int, int]]:
    """All dictionary matches ``(start, end, entry)`` that sit on word boundaries (after at most
    a clitic of :data:`CLITICS`)."""
    return [(s, e, eid) for s, e, eid, ws in word_hits(automaton, norm) if norm[ws:s] in CLITICS]


def _longest(cands: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Non-overlapping matches, longest first, then leftmost."""
    chosen: list[tuple[int, int, int]] = []
    if not cands:
        return chosen
    used = bytearray(max(e for _, e, _ in cands))  # positions taken by a chosen match
    for s, e, eid in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if used.find(1, s, e) != -1:
            continue
        used[s:e] = b"\x01" * (e - s)
        chosen.append((s, e, eid))
    chosen.sort()
    return chosen


def dictionary_matches(norm: str, automaton: Any) -> list[tuple[int, int, int]]:
    """Longest non-overlapping word-bounded matches ``(start, end, value id)`` of an automaton from
    :func:`compile_keys` (key -> id), in text order."""
    return _longest(_candidates(norm, automaton))


def compile_keys(keys: dict[str, int]) -> Any:
    """An automaton for ``dictionary_matches`` from normalised keys -> ids (adds the لل forms)."""
    words = dict(keys)
    for key, i in keys.items():
        if key.startswith("ال") and len(key) > 3 and ("لل" + key[2:]) not in keys:
            words["لل" + key[2:]] = i  # ل + ال contracts to لل
    return word_automaton(words)


def find_actors(analysis: Analysis, lexicon: ActorLexicon | None = None,
                default_country: str | None = None) -> list[Mention]:
    """Actor mentions of ``analysis`` (over ``analysis.norm``), in text order."""
    lex = lexicon or ActorLexicon.load()
    norm = analysis.norm
    if not norm:
        return []
    mentions: list[Mention] = []
    last_group: Mention | None = None
    # "قاعدة العند" named in the text: a bare "القاعدة" after it is that base, not al-Qaeda
    names_a_base = "قاعده" in norm and _BASE_NAMED.search(norm) is not None
    for s, e, eid in dictionary_matches(norm, lex.automaton):
        entry = lex.entries[eid]
        if entry.kind == "stop":
            continue
        if names_a_base and _BARE_QAEDA.fullmatch(norm[s:e]) \
                and not _QAEDA_HEAD.search(norm, max(0, s - 12), s):
            continue
        if entry.kind == "anaphor":  # التنظيم، الجماعة ...: the last named armed group, if any
            if last_group is None:
                continue
            value, inter, country, needs = (last_group.value, last_group.attr("inter"),
                                            last_group.attr("country"), False)
        else:
            value, inter, country, needs = _resolve_entry(entry, default_country)
        attrs: tuple[tuple[str, Any], ...] = (
            ("inter", inter), ("country", country), ("kind", entry.kind), ("norm_start", s), ("norm_end", e),
            ("needs_country", needs), ("weak", entry.weak), ("alias", norm[s:e]), ("entry", eid),
        )
        lo = max(0, s - 40)
        if any(norm.find(w, lo, s) != -1 for w in _SUPPORT_WORDS) and _SUPPORT_BEFORE.search(norm, lo, s):
            attrs += (("supporter", True),)  # "بإسناد من القوات الإماراتية": backs the actor, is not it
        if _GOVERNMENT.match(norm, s):
            attrs += (("government", True),)  # "الحكومة العراقية" speaks; its forces act
        mention = analysis.mention(MentionKind.ACTOR, s, e, value, attrs)
        mentions.append(mention)
        if entry.kind in GROUP_KINDS and not entry.weak:
            last_group = mention
    return mentions


@dataclass(frozen=True)
class ActorNaming:
    """What the event builder asks of the actor dictionary, as one service (a Protocol's worth).

    ``name`` fills a pattern actor's country from the event; ``pattern`` names a generic
    kind (protesters, rioters) in a country; ``inter`` gives the ACLED code in context.
    """

    lexicon: ActorLexicon

    def name(self, mention: Mention, country: str | None) -> str:
        value = str(resolve(mention, country).value)
        return value if PLACEHOLDER not in value else value.replace(PLACEHOLDER, "Unknown")

    def pattern(self, kind: str, country: str | None) -> str | None:
        value = canonical_for(kind, country)
        return None if value is None or PLACEHOLDER in value else value

    def inter(self, mention: Mention, name: str, event_country: str | None) -> int:
        base = self.lexicon.inter_of(name)
        if base is None:
            base = int(mention.attr("inter") or 0)
        return inter_for(base, str(mention.attr("kind")), mention.attr("country"), event_country)
