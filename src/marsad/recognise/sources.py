"""Source recognition: who the text says reported an event.

Requires: ``Analysis.norm``. Provides: ``Mention``s of kind ``SOURCE`` whose ``value`` is a
display name ("Syrian Observatory for Human Rights", "Medical and security sources",
"Iraqi security source", "Military Forces of Israel" ...).

Three kinds of source phrase are recognised:
- named sources from ``marsad/data/sources.tsv`` (monitors, agencies, outlets, ministries ...),
  one Aho–Corasick automaton compiled once per process; aliases marked ambiguous (العربية،
  الوطن، سكان ...) count only right after an attribution cue;
- generic sources, "مصدر/مصادر/مسؤول + qualifiers (+ nationality)", by a regular expression,
  only near an attribution cue;
- actors named right after a cue ("وقال الجيش الإسرائيلي") become the source under their
  canonical actor name.

Attribution cues (أفاد، قال، أعلن، ذكر، أكد، أوضح، أشار، نقلت عن، بحسب، وفقا لـ، حسب، نقلا عن ...)
are found by a regular expression; each source mention records the nearest cue in
``verb_start``/``verb_end`` (None when there is none).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from marsad.model import Analysis, Mention, MentionKind
from marsad.recognise.actors import compile_keys, dictionary_matches, find_actors, forces_name
from marsad.text.automaton import Automaton, matches_at
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

# attribution cues, normalised (ة→ه, أ→ا, ى→ي); an optional و/ف proclitic is allowed
CUES: tuple[str, ...] = (
    "افاد", "افادت", "يفيد", "تفيد", "قال", "قالت", "يقول", "تقول", "اعلن", "اعلنت", "يعلن", "تعلن",
    "ذكر", "ذكرت", "يذكر", "تذكر", "اكد", "اكدت", "يوكد", "توكد", "اوضح", "اوضحت", "اشار", "اشارت",
    "يشير", "تشير", "صرح", "صرحت", "كشف", "كشفت", "اورد", "اوردت", "بث", "بثت", "نشر", "نشرت",
    "اضاف", "اضافت", "ابلغ", "ابلغت", "نقل عن", "نقلت عن", "نقلا عن", "نقلت", "نقل", "بحسب", "حسب", "وفقا ل",
    "وفق", "طبقا ل", "استنادا الي", "نسبه الي", "بيان ل", "افادت به", "ما اعلنه", "مما اعلنه",
    "اعلنه", "ذكره", "افاد به", "روي", "رووا", "قالوا", "افادوا", "ذكروا", "اكدوا",
)
# "وفقا لـ"/"طبقا لـ" attach ل to the next word: the cue is the first word, the ل is a clitic there
_CUE_KEYS: dict[str, int] = {c.removesuffix(" ل"): i for i, c in enumerate(CUES)}


@lru_cache(maxsize=1)
def _cue_automaton() -> Any:
    return compile_keys(_CUE_KEYS)


QUALIFIERS: dict[str, str] = {
    "امني": "security", "امنيه": "security", "طبي": "medical", "طبيه": "medical", "عسكري": "military",
    "عسكريه": "military", "محلي": "local", "محليه": "local", "ميداني": "field", "ميدانيه": "field",
    "حكومي": "government", "حكوميه": "government", "رسمي": "official", "رسميه": "official",
    "مطلع": "informed", "مطلعه": "informed", "دبلوماسي": "diplomatic", "دبلوماسيه": "diplomatic",
    "قبلي": "tribal", "قبليه": "tribal", "اعلامي": "media", "اعلاميه": "media", "سياسي": "political",
    "سياسيه": "political", "مقرب": "close", "مقربه": "close", "استخباراتي": "intelligence",
    "استخباريه": "intelligence", "صحي": "health", "صحيه": "health", "معارض": "opposition",
    "معارضه": "opposition", "كرديه": "Kurdish", "كردي": "Kurdish", "اهليه": "local", "خاصه": "private",
    "مستشفي": "hospital", "اسعافي": "ambulance", "شرطي": "police", "مسوول": "official",
}
_IN_QUAL: dict[str, str] = {"الشرطه": "police", "المقاومه": "Popular Resistance", "الجيش": "army",
                            "المعارضه": "opposition", "وزاره الداخليه": "interior ministry",
                            "وزاره الدفاع": "defence ministry", "المستشفي": "hospital",
                            "الدفاع المدني": "civil defence"}
_ENGLISH_ADJ = {
    "SY": "Syrian", "IQ": "Iraqi", "YE": "Yemeni", "LY": "Libyan", "EG": "Egyptian", "TR": "Turkish",
    "RU": "Russian", "US": "US", "IL": "Israeli", "IR": "Iranian", "SA": "Saudi", "AE": "Emirati",
    "PS": "Palestinian", "LB": "Lebanese", "SO": "Somali", "SD": "Sudanese", "AF": "Afghan",
    "JO": "Jordanian", "FR": "French", "GB": "British", "NG": "Nigerian", "DZ": "Algerian",
    "TN": "Tunisian", "KW": "Kuwaiti", "QA": "Qatari", "BH": "Bahraini", "PK": "Pakistani",
}
_HEADS = {"مصدر": ("source", False), "مصادر": ("sources", True), "مسوول": ("official", False),
          "مسوولون": ("officials", True), "مسوولين": ("officials", True), "المصادر": ("sources", True)}

WINDOW_AFTER = 40  # characters between a cue's end and a source's start
WINDOW_BEFORE = 25  # characters between a source's end and a following cue


@dataclass(frozen=True, slots=True)
class SourceEntry:
    canonical: str
    kind: str
    country: str | None
    ambiguous: bool


class SourceLexicon:
    """Named sources and their automaton."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.entries: list[SourceEntry] = []
        keys: dict[str, int] = {}
        for alias, canonical, kind, country in rows:
            key = normalise_key(alias)
            if key in keys:
                continue
            keys[key] = len(self.entries)
            self.entries.append(SourceEntry(canonical, kind.rstrip("*"), country or None, kind.endswith("*")))
        self.automaton = compile_keys(keys)
        log.info("source lexicon: %d aliases", len(keys))

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> SourceLexicon:
        """The packaged source dictionary, loaded once per process."""
        text = (resources.files("marsad") / "data" / "sources.tsv").read_text(encoding="utf-8")
        rows = []
        for line in text.splitlines():
            if not line or line.startswith("#") or line.startswith("alias\t"):
                continue
            alias, canonical, kind, country = line.split("\t")
            rows.append((alias, canonical, kind, country))
        return cls(rows)


@lru_cache(maxsize=1)
def _adjectives() -> dict[str, str]:
    """Normalised nationality adjectives (masculine, feminine, plural) -> ISO2, from actors_countries.tsv."""
    table = (resources.files("marsad") / "data" / "actors_countries.tsv").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in table.splitlines()[1:]:
        iso2, _name, _forces, _inter, stems = line.split("\t")
        for stem in stems.split("|"):
            if stem and iso2 in _ENGLISH_ADJ:
                out[stem] = out[stem + "ه"] = out[stem + "ين"] = iso2
    return out


@lru_cache(maxsize=1)
def _generic_re() -> regex.Pattern[str]:
    """Regex for "مصدر/مصادر/مسؤول [qualifier [و qualifier]] [nationality] [في X]"."""
    qual = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
    adj = "|".join(sorted(_adjectives(), key=len, reverse=True))
    inq = "|".join(sorted(_IN_QUAL, key=len, reverse=True))
    return regex.compile(
        r"(?P<head>" + "|".join(_HEADS) + r")"
        r"(?P<q>(?: و?(?:" + qual + r"))*)"
        r"(?: (?P<adj>" + adj + r"))?"
        r"(?: (?:في|من|ب|داخل) ?(?P<in>" + inq + r"))?"
        r"(?![\p{L}\p{N}])"
    )


@lru_cache(maxsize=1)
def _authority_re() -> regex.Pattern[str]:
    """Regex for "السلطات/الحكومة + nationality adjective" (Iraqi authorities, Government of Jordan)."""
    adj = "|".join(sorted((a for a in _adjectives() if a.endswith("ه")), key=len, reverse=True))
    return regex.compile(r"(?<![\p{L}\p{N}])(?P<head>السلطات|الحكومه) ال(?P<adj>" + adj
                         + r")(?![\p{L}\p{N}])")


# every match of the two patterns above starts with one of their head words: the patterns are
# tried only where a head occurs (see marsad.text.automaton.matches_at)
_GENERIC_HEADS: Automaton[None] = Automaton(dict.fromkeys(_HEADS))
_AUTHORITY_HEADS: Automaton[None] = Automaton(dict.fromkeys(("السلطات", "الحكومه")))


def _generic_name(m: regex.Match[str]) -> str:
    """Display name of a generic source match ("Medical and security sources", "Iraqi security source")."""
    noun, _plural = _HEADS[m.group("head")]
    quals: list[str] = []
    for w in m.group("q").split():
        q = QUALIFIERS.get(w[1:] if w.startswith("و") and w[1:] in QUALIFIERS else w)
        if q and q not in quals:
            quals.append(q)
    words = [" and ".join(quals)] if quals else []
    if m.group("in"):
        words.insert(0, _IN_QUAL[m.group("in")])
    if m.group("adj"):
        words.insert(0, _ENGLISH_ADJ[_adjectives()[m.group("adj")]])
    name = " ".join([*words, noun]).strip()
    return name[:1].upper() + name[1:]


def _cues(norm: str) -> list[tuple[int, int]]:
    """Spans of attribution cues (without their proclitic), in text order."""
    return [(s, e) for s, e, _ in dictionary_matches(norm, _cue_automaton())]


def _nearest_cue(cues: list[tuple[int, int]], s: int, e: int, norm: str) -> tuple[int, int] | None:
    """The cue just before (within WINDOW_AFTER, same sentence) or just after a source phrase."""
    best = None
    for cs, ce in cues:
        if ce <= s and s - ce <= WINDOW_AFTER and not any(c in norm[ce:s] for c in ".!؟?\n"):
            best = (cs, ce)
        elif cs >= e and cs - e <= WINDOW_BEFORE and not any(c in norm[e:cs] for c in ".!؟?\n،,"):
            return best or (cs, ce)
    return best


_GAP = regex.compile(
    r"\s*(?:(?:ال)?(?:متحدث|متحدثه|ناطق|ناطقه) (?:رسمي )?باسم\s*|(?:في )?بيان (?:صادر )?(?:عن|ل)\s*)?[لب]?"
)


def _right_after(cue: tuple[int, int] | None, s: int, norm: str) -> bool:
    """True when only a spokesman/statement phrase or a clitic separates the cue's end from ``s``."""
    if cue is None or s - cue[1] > 30:
        return False
    return _GAP.fullmatch(norm, cue[1], s) is not None


def find_sources(analysis: Analysis, lexicon: SourceLexicon | None = None,
                 default_country: str | None = None, actors: list[Mention] | None = None) -> list[Mention]:
    """Source mentions of ``analysis``, in text order.

    ``actors``: actor mentions already found (else those in ``analysis.mentions``, else recognised here).
    """
    lex = lexicon or SourceLexicon.load()
    norm = analysis.norm
    if not norm:
        return []
    cues = _cues(norm)
    found: list[tuple[int, int, str, str, tuple[int, int] | None]] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    named = dictionary_matches(norm, lex.automaton)
    for s, e, i in named:
        entry = lex.entries[i]
        cue = _nearest_cue(cues, s, e, norm)
        if entry.ambiguous and not _right_after(cue, s, norm):
            continue
        name = entry.canonical
        if name == "Civil Defence":
            name = ("Syrian Civil Defence" if (default_country or "SY") == "SY"
                    else f"Civil Defence ({default_country})")
        found.append((s, e, name, entry.kind, cue))
        taken.append((s, e))
    for m in matches_at(_authority_re(), norm, (h[0] for h in _AUTHORITY_HEADS.hits(norm))):
        s, e = m.start(), m.end()
        cue = _nearest_cue(cues, s, e, norm)
        if cue is None or not free(s, e):
            continue
        iso2 = _adjectives()[m.group("adj")]
        name = (f"{_ENGLISH_ADJ[iso2]} authorities" if m.group("head") == "السلطات"
                else f"Government of {forces_name(iso2)}")
        found.append((s, e, name, "authority", cue))
        taken.append((s, e))
    outlets = {s: lex.entries[i].canonical for s, _e, i in named if lex.entries[i].kind.startswith("outlet")}
    for m in matches_at(_generic_re(), norm, (h[0] for h in _GENERIC_HEADS.hits(norm))):
        s, e = m.start("head"), m.end()
        if (s and norm[s - 1] not in " \n\t\"'(«"
                and not (s > 1 and norm[s - 1] in "وبل" and not norm[s - 2].isalnum())):
            continue
        cue = _nearest_cue(cues, s, e, norm)
        if cue is None or not free(s, e):
            continue
        name = _generic_name(m)
        via = next((outlets[k] for k in (e + 2, e + 3) if k in outlets and norm[e + 1] == "ل"), None)
        found.append((s, e, f"{name} ({via})" if via else name, "generic", cue))
        taken.append((s, e))
    if actors is None:
        actors = (analysis.mentions_of(MentionKind.ACTOR)
                  or find_actors(analysis, default_country=default_country))
    for a in actors:
        s, e = a.attr("norm_start"), a.attr("norm_end")
        if a.attr("weak") or a.attr("needs_country") or a.attr("kind") in ("civilians", "people", "stop"):
            continue
        cue = _nearest_cue(cues, s, e, norm)
        if not _right_after(cue, s, norm) or not free(s, e):
            continue
        found.append((s, e, a.value, "actor", cue))
        taken.append((s, e))
    found.sort()
    out = []
    for s, e, name, kind, cue in found:
        attrs = (("verb_start", cue[0] if cue else None), ("verb_end", cue[1] if cue else None),
                 ("verb", norm[cue[0]:cue[1]] if cue else None), ("source_kind", kind),
                 ("norm_start", s), ("norm_end", e))
        out.append(analysis.mention(MentionKind.SOURCE, s, e, name, attrs))
    return out


OUTLETS: dict[str, str] = {
    "skynews": "Sky News Arabia", "france24": "France 24", "alarabia": "Al Arabiya",
    "alarabiya": "Al Arabiya",
    "bbc": "BBC", "cnn": "CNN", "aawsat": "Asharq al-Awsat", "okaz": "Okaz", "alyaum": "Alyaum",
    "aljazirah": "Al Jazirah", "alriyadh": "Al Riyadh", "alwatan": "Al-Watan (Saudi Arabia)",
    "almadina": "Al Madina", "aleqtisadiya": "Aleqtisadiya", "3alyoum": "3alyoum", "alweeam": "Alweeam",
    "sabq": "Sabq", "was": "Saudi Press Agency", "spa": "Saudi Press Agency", "aljazeera": "Al Jazeera",
    "reuters": "Reuters", "afp": "AFP",
}


def outlet_source(outlet: str | None) -> str | None:
    """Display name of a corpus outlet code (``skynews`` -> ``Sky News Arabia``), the fallback source."""
    if not outlet:
        return None
    return OUTLETS.get(outlet.strip().lower(), outlet.strip())
