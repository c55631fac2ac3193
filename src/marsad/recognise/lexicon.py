"""A reusable phrase lexicon: many keys, one Aho-Corasick automaton, Arabic word boundaries.

Requires: normalised text (``Analysis.norm``). Provides: matches as ``(start, end, payload)``
in norm offsets, half-open; map them back with ``Analysis.span_from_norm``.

How a match is accepted (everything below is checked only at the automaton's hits,
so the cost does not grow with the size of the lexicon):

- keys are normalised with :func:`normalise_key` (so a key written with أ/ة/ى and
  diacritics still matches); runs of spaces/tabs in the text count as one space, so
  multi-word keys match across irregular spacing (not across a line break);
- **left boundary**: the key starts the text, follows a non-letter, or follows one of
  the entry's *proclitics* (``و ف ب ل ك ال لل وال بال ...``) which itself follows a
  non-letter. The returned span starts at the key, not at the proclitic;
- **right boundary**: the key ends the text or is followed by a non-letter, or by one
  of the entry's allowed *suffixes* (e.g. ``ات ون ين ه ها هم``) which is then followed
  by a non-letter. The returned span includes the suffix (the whole word);
- **overlaps** are resolved longest-first (ties: leftmost, then lexicon order), so
  ``هجوم انتحاري`` wins over ``هجوم``. Several rows with the same key share one span and
  are all returned.

Use :meth:`Lexicon.find` for the plain triples or :meth:`Lexicon.matches` for
:class:`LexMatch` records that also say which proclitic and suffix were seen (a verb
preceded by ``س`` is future tense, for instance).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

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
    {"ت", "تا", "وا", "ا", "ن", "نا", "تم", "تن", "ته", "تها", "تهم", "وه", "وها", "وهم", "ه", "ها", "هم", "هما"}
)
#: Plural/dual endings for nouns and participles that take them regularly.
PLURAL_SUFFIXES: frozenset[str] = frozenset({"ات", "ون", "ين", "ان", "تين", "تان"})


def _is_letter(ch: str) -> bool:
    """A letter for boundary purposes (Arabic or Latin; digits and marks are not letters)."""
    return ch.isalpha()


@dataclass(frozen=True, slots=True)
class LexEntry(Generic[P]):
    """One row of a lexicon: a key, its payload and the affixes it accepts."""

    key: str
    payload: P
    proclitics: frozenset[str] = NOUN_PROCLITICS
    suffixes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class LexMatch(Generic[P]):
    """An accepted match: norm offsets of the word (key + suffix, without proclitic)."""

    start: int
    end: int
    payload: P
    key: str
    proclitic: str = ""
    suffix: str = ""


_HSPACE = re.compile(r"[^\S\n]{2,}|[\t\r\f\v]")


def _squeeze(norm: str) -> tuple[str, list[int] | None]:
    """Collapse runs of horizontal whitespace to one space; return the text and a map back."""
    if not _HSPACE.search(norm):
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


class Lexicon(Generic[P]):
    """Keys compiled once into a pyahocorasick automaton; see the module docstring.

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
        self._auto = ahocorasick.Automaton()
        for key, entries in by_key.items():
            # a key's entries may accept different affixes: keep the sorted unions per entry
            packed = tuple(
                (e, tuple(sorted(e.proclitics, key=len, reverse=True)), tuple(sorted(e.suffixes, key=len, reverse=True)))
                for e in entries
            )
            self._auto.add_word(key, (len(key), packed))
        self._n_keys = len(by_key)
        self._n_rows = n
        if by_key:
            self._auto.make_automaton()
        log.debug("%s: %d rows, %d keys", name, n, len(by_key))

    def __len__(self) -> int:
        return self._n_keys

    @property
    def n_rows(self) -> int:
        """Number of rows (entries) loaded, counting rows that share a key."""
        return self._n_rows

    def __contains__(self, key: str) -> bool:
        return self._n_keys > 0 and normalise_key(key) in self._auto

    def matches(self, norm: str) -> list[LexMatch[P]]:
        """All accepted, non-overlapping matches in ``norm``, in text order."""
        if not self._n_keys or not norm:
            return []
        text, back = _squeeze(norm)
        n = len(text)
        cands: list[tuple[int, int, int, LexMatch[P]]] = []  # (-length, start, order, match)
        order = 0
        for end_idx, (klen, packed) in self._auto.iter(text):
            s = end_idx + 1 - klen
            e = end_idx + 1
            key = text[s:e]
            for entry, procs, sufs in packed:
                pro = _left(text, s, procs)
                if pro is None:
                    continue
                suf = _right(text, e, n, sufs)
                if suf is None:
                    continue
                we = e + len(suf)
                order += 1
                cands.append((-(we - s), s, order, LexMatch(s, we, entry.payload, key, pro, suf)))
        if not cands:
            return []
        cands.sort(key=lambda c: (c[0], c[1], c[2]))
        busy = bytearray(n)
        spans: dict[tuple[int, int], str] = {}
        out: list[LexMatch[P]] = []
        for _, s, _, m in cands:
            span = (s, m.end)
            if span in spans:
                if spans[span] == m.key:  # another row of the same key: a co-reading
                    out.append(m)
                continue
            if any(busy[s : m.end]):
                continue
            busy[s : m.end] = b"\x01" * (m.end - s)
            spans[span] = m.key
            out.append(m)
        if back is not None:
            out = [
                LexMatch(back[m.start], back[m.end], m.payload, m.key, m.proclitic, m.suffix) for m in out
            ]
        out.sort(key=lambda m: (m.start, m.end))
        return out

    def find(self, norm: str) -> list[tuple[int, int, P]]:
        """``(start, end, payload)`` for every accepted match, norm offsets, half-open."""
        return [(m.start, m.end, m.payload) for m in self.matches(norm)]


def _left(text: str, s: int, procs: tuple[str, ...]) -> str | None:
    """The proclitic accepted before ``s`` ("" if none needed), or None if not a word start."""
    if s == 0 or not _is_letter(text[s - 1]):
        return ""
    for p in procs:  # longest first
        ps = s - len(p)
        if ps >= 0 and text.startswith(p, ps) and (ps == 0 or not _is_letter(text[ps - 1])):
            return p
    return None


def _right(text: str, e: int, n: int, sufs: tuple[str, ...]) -> str | None:
    """The suffix accepted after ``e`` ("" if none needed), or None if not a word end."""
    if e == n or not _is_letter(text[e]):
        return ""
    for x in sufs:  # longest first
        xe = e + len(x)
        if text.startswith(x, e) and (xe == n or not _is_letter(text[xe])):
            return x
    return None
