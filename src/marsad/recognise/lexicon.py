"""A reusable phrase lexicon: many keys, one Aho-Corasick automaton, Arabic word boundaries.

Requires: normalised text (``Analysis.norm``). Provides: matches as ``(start, end, payload)``
in norm offsets, half-open; map them back with ``Analysis.span_from_norm``.

Usage (actors, places, triggers, cues ... can all share it)::

    lex = Lexicon([("غارة", "strike"), LexEntry("قصف", "shell", VERB_PROCLITICS, VERB_SUFFIXES)])
    lex.find(analysis.norm)     # [(start, end, payload), ...]
    lex.matches(analysis.norm)  # [LexMatch(start, end, payload, key, proclitic, suffix), ...]

How a match is accepted:

- keys are normalised with :func:`normalise_key` (so a key written with أ/ة/ى and
  diacritics still matches); runs of spaces/tabs in the text count as one space, so
  multi-word keys match across irregular spacing, but not across punctuation;
- **left boundary**: the key starts the text, follows a non-word character, or follows
  one of the entry's *proclitics* (``و ف ب ل ك ال لل وال بال ...``) which itself follows
  a non-word character. The returned span starts at the key, not at the proclitic.
  (Digits count as word characters here: "5قتلى" glued together does not match.)
- **right boundary**: the key ends the text or is followed by a non-letter, or by one
  of the entry's allowed *suffixes* (e.g. ``ات ون ين ه ها هم``) which is then followed
  by a non-letter. The returned span includes the suffix (the whole word);
- **overlaps** are resolved longest-first (ties: the longer key, i.e. less suffix, then
  leftmost, then lexicon order), so ``هجوم انتحاري`` wins over ``هجوم``. Several rows
  with the same key share one span and are all returned (co-readings).

Implementation: every key is compiled as ``" " + proclitic + key`` for each proclitic its
entry accepts, into ONE automaton (:mod:`marsad.text.automaton`) per lexicon, which scans a copy of the
text where every non-word character is a space. Hits therefore always start at a word
boundary; Python only checks the right boundary and resolves overlaps, so the cost per
document does not grow with the size of the lexicon. Build a lexicon once per process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

from marsad.model import DOC_CACHE
from marsad.text.automaton import Automaton
from marsad.text.chars import boundary_copy, word_ends
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

P = TypeVar("P")

#: Proclitic sequences that may precede a noun (article, conjunctions, prepositions).
NOUN_PROCLITICS: frozenset[str] = frozenset(
    {
        "و", "ف", "ب", "ل", "ك", "ال", "لل", "وال", "فال", "بال", "كال", "ولل", "فلل",
        "وب", "فب", "ول", "فل", "وك", "فك", "وبال", "وكال",
    }
)
#: Proclitic sequences that may precede a verb (conjunctions, لـ of purpose, سـ of future).
VERB_PROCLITICS: frozenset[str] = frozenset({"و", "ف", "ل", "س", "وس", "فس", "ول", "فل"})
#: Pronoun suffixes that may follow a noun or a verb without changing what it denotes.
PRONOUN_SUFFIXES: frozenset[str] = frozenset({"ه", "ها", "هم", "هما", "هن", "نا", "كم"})
#: Suffixes of a past-tense verb stem (persons, numbers) and object pronouns.
VERB_SUFFIXES: frozenset[str] = frozenset(
    {"ت", "تا", "وا", "ا", "ن", "نا", "تم", "تن", "ته", "تها", "تهم", "وه", "وها", "وهم", "ه", "ها", "هم",
     "هما"}
)
#: Plural/dual endings for nouns and participles that take them regularly.
PLURAL_SUFFIXES: frozenset[str] = frozenset({"ات", "ون", "ين", "ان", "تين", "تان"})


@dataclass(frozen=True, slots=True)
class LexEntry(Generic[P]):
    """One row of a lexicon: a key, its payload and the affixes it accepts."""

    key: str
    payload: P
    proclitics: frozenset[str] = NOUN_PROCLITICS
    suffixes: frozenset[str] = frozenset()


class LexMatch(NamedTuple, Generic[P]):
    """An accepted match: norm offsets of the word (key + suffix, without proclitic).

    A named tuple: a document yields dozens, and a tuple is built several times faster than a
    frozen dataclass."""

    start: int
    end: int
    payload: P
    key: str
    proclitic: str = ""
    suffix: str = ""


#: an automaton word's readings: (offset of the key in the word, key, ((entry, suffixes, longest
#: suffix), ...)) for each proclitic split of the word
_Splits = tuple[tuple[int, str, tuple[tuple[LexEntry[P], frozenset[str], int], ...]], ...]

_HSPACE = re.compile(r"[ \t\r]{2,}|[\t\r]")


def _squeeze(norm: str) -> tuple[str, list[int] | None]:
    """Collapse runs of horizontal whitespace to one space; return the text and a map back."""
    if "  " not in norm and "\t" not in norm and "\r" not in norm:
        return norm, None
    pieces: list[str] = []
    back: list[int] = []
    pos = 0
    for m in _HSPACE.finditer(norm):
        s, e = m.span()
        pieces.append(norm[pos:s])
        back.extend(range(pos, s))
        pieces.append(" ")
        back.append(s)
        pos = e
    pieces.append(norm[pos:])
    back.extend(range(pos, len(norm)))
    back.append(len(norm))
    return "".join(pieces), back


_OPEN_END = re.compile(r"\s[بلك]$")


@lru_cache(maxsize=DOC_CACHE)
def _prepare(norm: str) -> tuple[str, list[int] | None, str]:
    """Squeezed text, its map back to ``norm``, and the boundary copy the automaton scans.

    Cached for a batch's texts, so several lexicons run on one document share the work.
    """
    text, back = _squeeze(norm)
    # (the places and actors scan word_ends of the same text: one copy serves all when no
    # whitespace was squeezed)
    return text, back, " " + word_ends(text)[:-1]


class Lexicon(Generic[P]):
    """Keys compiled once into an Aho–Corasick automaton; see the module docstring.

    ``rows`` are :class:`LexEntry` objects or ``(key, payload)`` pairs, which take the
    lexicon-wide ``proclitics`` and ``suffixes``. Build one per process and reuse it.
    """

    def __init__(
        self,
        rows: Iterable[LexEntry[P] | tuple[str, P]],
        proclitics: frozenset[str] = NOUN_PROCLITICS,
        suffixes: frozenset[str] = frozenset(),
        name: str = "lexicon",
    ) -> None:
        self.name = name
        by_key: dict[str, list[LexEntry[P]]] = {}
        n = 0
        for row in rows:
            if isinstance(row, LexEntry):
                entry = row
            else:
                key, payload = row
                entry = LexEntry(key, payload, proclitics, suffixes)
            key = normalise_key(entry.key)
            if not key:
                log.warning("%s: empty key skipped (%r)", name, entry.key)
                continue
            if key != entry.key:
                entry = LexEntry(key, entry.payload, entry.proclitics, entry.suffixes)
            by_key.setdefault(key, []).append(entry)
            n += 1
        # One automaton over boundary-padded keys: " " + proclitic + key, for every proclitic
        # an entry accepts (and none). It runs over a copy of the text in which every
        # non-word character is a space, so a hit always starts at a word boundary and
        # the left check costs nothing; only the right boundary is checked in Python.
        padded: dict[str, dict[str, list[tuple[LexEntry[P], frozenset[str], int]]]] = {}
        for key, entries in by_key.items():
            skey = boundary_copy(key)
            # a key ending in a one-letter proclitic ("متهم ب", "يعد ل") ends inside the next word
            # ("متهم باغتصاب"): no right boundary (maxs = -1)
            open_end = _OPEN_END.search(key) is not None
            for e in entries:
                maxs = -1 if open_end else max(map(len, e.suffixes), default=0)
                for pro in ("", *e.proclitics):
                    padded.setdefault(" " + pro + skey, {}).setdefault(pro, []).append((e, e.suffixes, maxs))
        # " الاتفاق" is both "ال" + "اتفاق" and "" + "الاتفاق": keep every split
        self._words: dict[str, _Splits[P]] = {
            pkey: tuple((len(pro) + 1, pkey[len(pro) + 1:], tuple(rd)) for pro, rd in by_pro.items())
            for pkey, by_pro in padded.items()}
        self._automaton: Automaton[_Splits[P]] | None = None
        self._n_keys = len(by_key)
        self._keys = frozenset(by_key)
        self._n_rows = n
        self._n_auto = len(padded)
        log.debug("%s: %d rows, %d keys, %d automaton keys", name, n, len(by_key), len(padded))

    def __len__(self) -> int:
        return self._n_keys

    @property
    def _auto(self) -> Automaton[_Splits[P]]:
        """The lexicon's own automaton, compiled on first use (a lexicon scanned only as part of
        a :class:`LexiconGroup` never needs it)."""
        if self._automaton is None:
            self._automaton = Automaton(self._words)
        return self._automaton

    @property
    def n_rows(self) -> int:
        """Number of rows (entries) loaded, counting rows that share a key."""
        return self._n_rows

    def __contains__(self, key: str) -> bool:
        return normalise_key(key) in self._keys

    def matches(self, norm: str) -> list[LexMatch[P]]:
        """All accepted, non-overlapping matches in ``norm``, in text order."""
        if not self._n_keys or not norm:
            return []
        return _accept(norm, self._auto.values, self._auto.hits(_prepare(norm)[2]))

    def find(self, norm: str) -> list[tuple[int, int, P]]:
        """``(start, end, payload)`` for every accepted match, norm offsets, half-open."""
        return [(m.start, m.end, m.payload) for m in self.matches(norm)]


class LexiconGroup:
    """Several lexicons scanned in one pass: one automaton over all their words.

    ``matches(norm)`` gives each lexicon's ``Lexicon.matches(norm)``, in the order of
    ``lexicons``; each lexicon resolves its own overlaps, as if scanned alone (its hits keep
    their order among the group's). Build one per process, like its lexicons.
    """

    def __init__(self, lexicons: Sequence[Lexicon[Any]]) -> None:
        self.lexicons = tuple(lexicons)
        n = len(self.lexicons)
        words: dict[str, list[_Splits[Any]]] = {}
        for j, lex in enumerate(self.lexicons):
            for word, splits in lex._words.items():
                slot = words.get(word)
                if slot is None:
                    slot = words[word] = [()] * n
                slot[j] = splits
        self._auto: Automaton[list[_Splits[Any]]] = Automaton(words)
        #: each lexicon's splits by the group's key ids (empty where the word is another's)
        self._views = [[v[j] for v in self._auto.values] for j in range(len(self.lexicons))]

    def matches(self, norm: str) -> list[list[LexMatch[Any]]]:
        """Each lexicon's accepted matches in ``norm``, from one scan."""
        if not norm:
            return [[] for _ in self.lexicons]
        hits = self._auto.hits(_prepare(norm)[2])
        return [_accept(norm, view, hits) if len(lex) else []
                for lex, view in zip(self.lexicons, self._views, strict=True)]


_start_end = itemgetter(0, 1)  # a LexMatch's (start, end)


def _accept(norm: str, values: Sequence[_Splits[P]], hits: list[tuple[int, int, int]]) -> list[LexMatch[P]]:
    """The accepted, non-overlapping matches of a lexicon among the automaton ``hits`` on the
    boundary copy of ``norm`` (``values``: the lexicon's splits by key id), in text order."""
    text, back, _ = _prepare(norm)
    n = len(text)
    # (-word length, -key length, start, order, (end, entry, key, proclitic, suffix)): longest
    # word, then the reading that explains more of it by the key itself rather than by a
    # suffix; a LexMatch is built only for the accepted ones
    cands: list[tuple[int, int, int, int, tuple[int, LexEntry[P], str, str, str]]] = []
    order = 0
    isalpha = str.isalpha
    for b, e, i in hits:
        # bound[i] = text[i - 1]: the hit covers text[b - 1:e - 1], and the key ends at text index e - 1
        e -= 1
        at_end = e == n or not isalpha(text[e])
        for off, key, readings in values[i]:
            s = b - 1 + off
            pro = text[s - off + 1 : s]
            for entry, sufs, maxs in readings:
                if at_end or maxs < 0:
                    suf = ""
                else:
                    suf = _right(text, e, n, sufs, maxs)
                    if suf is None:
                        continue
                we = e + len(suf)
                order += 1
                cands.append((s - we, s - e, s, order, (we, entry, key, pro, suf)))
    if not cands:
        return []
    cands.sort()  # (order is unique: the payloads are never compared)
    busy = bytearray(n)
    spans: dict[tuple[int, int], str] = {}
    out: list[LexMatch[P]] = []
    for _, _, s, _, (we, entry, key, pro, suf) in cands:
        span = (s, we)
        if span in spans:
            if spans[span] == key:  # another row of the same key: a co-reading
                out.append(LexMatch(s, we, entry.payload, key, pro, suf))
            continue
        if busy.find(1, s, we) != -1:
            continue
        busy[s:we] = b"\x01" * (we - s)
        spans[span] = key
        out.append(LexMatch(s, we, entry.payload, key, pro, suf))
    if back is not None:
        out = [
            LexMatch(back[m.start], back[m.end], m.payload, m.key, m.proclitic, m.suffix) for m in out
        ]
    out.sort(key=_start_end)
    return out


def _right(text: str, e: int, n: int, sufs: frozenset[str], maxs: int) -> str | None:
    """The suffix accepted after ``e`` ("" if none needed), or None if not a word end."""
    if e == n or not text[e].isalpha():
        return ""
    j = e
    stop = min(e + maxs + 1, n)
    while j < stop and text[j].isalpha():
        j += 1
    if j < n and text[j].isalpha():
        return None
    suf = text[e:j]
    return suf if suf in sufs else None
