"""Character-class passes over whole texts at C speed (numpy), exact copies of their regex forms.

Requires: a text. Provides: its code points as an array, and copies of it in which the
characters of a class are replaced or deleted, with the positions kept.

Why: a regex that has no literal to look for (a character class, a backreference) costs the
``re`` engine ~40 ns per character of the text; normalisation and the dictionary scans
make several such passes over every document, which together cost more than a recogniser.
A lookup table indexed by code point does each pass in a few microseconds.

Tables cover the Basic Multilingual Plane; a class with members beyond it takes the regex
path for a text holding such a character (an emoji, say): the results are the same either
way (tests compare the two).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from marsad.model import DOC_CACHE
from marsad.text.automaton import Automaton

BMP = 0x10000
SPACE = 0x20


def table(pattern: str) -> np.ndarray:
    """A boolean table over the BMP: True for the characters ``pattern`` (one character) matches."""
    every = "".join(map(chr, range(BMP)))
    out = np.zeros(BMP, dtype=bool)
    hits = [m.start() for m in re.finditer(pattern, every)]
    out[hits] = True
    return out


#: characters for which str.isalnum() holds: Python's \w without "_"
ALNUM = table(r"[^\W_]")


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` (uint32; index a table with ``np.minimum(a, BMP - 1)``
    when the class has no member beyond the BMP)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def to_text(a: np.ndarray) -> str:
    """The string of an array of code points."""
    return a.astype(np.uint32, copy=False).tobytes().decode("utf-32-le", "surrogatepass")


_NOT_ALNUM = re.compile(r"[\W_]")


def boundary_copy(text: str) -> str:
    """``text`` with every character that is not alphanumeric (``str.isalnum``) made a space.

    The same length as ``text``: a word boundary of the copy is one of the text, and a key
    ending in a space matches only where a word ends.
    """
    # short strings: the regex is as fast; letters and digits beyond the BMP exist (math,
    # historic scripts) but are rare: the regex handles them
    a = codepoints(text) if len(text) > 48 else None
    if a is None or a.max() >= BMP:
        return _NOT_ALNUM.sub(" ", text)
    return to_text(np.where(ALNUM[a], a, SPACE))


@lru_cache(maxsize=DOC_CACHE)
def word_ends(text: str) -> str:
    """``boundary_copy(text) + " "``, remembered for a batch's texts: the dictionaries whose
    keys end in a space (places, actors, sources) scan it, so a hit is a whole word's end."""
    return boundary_copy(text) + " "


def word_automaton(words: Mapping[str, Any]) -> Automaton[tuple[tuple[int, Any, str | None], ...]]:
    """An automaton of whole-word keys (key -> payload) for :func:`word_hits`.

    Its words are the keys as :func:`boundary_copy` writes them, plus a space; it scans
    :func:`word_ends` of a text, so it reports only keys that end where a word ends (most raw
    hits of short keys end inside a word). Value: the readings of one such word, each
    (key length, payload, the key when it holds a space or sign, to check against the text).
    """
    grouped: dict[str, list[tuple[int, Any, str | None]]] = {}
    for key, payload in words.items():
        grouped.setdefault(boundary_copy(key) + " ", []).append(
            (len(key), payload, None if key.isalnum() else key))
    return Automaton((word, tuple(readings)) for word, readings in grouped.items())


def word_hits(automaton: Automaton[tuple[tuple[int, Any, str | None], ...]],
              text: str) -> Iterator[tuple[int, int, Any, int]]:
    """``(start, end, payload, word start)`` of every key of a :func:`word_automaton` that ends a
    word of ``text``, in order of ``end``; ``text[word start:start]`` is what precedes the key in
    its word (a clitic, say), which the callers check."""
    values = automaton.values
    bound = word_ends(text)
    for _, e, i in automaton.hits(bound):
        e -= 1  # the key's space
        for length, payload, written in values[i]:
            s = e - length
            # the copy's spaces stand for any non-word character ("دير-الزور" is not "دير الزور")
            if written is None or text[s:e] == written:
                yield s, e, payload, bound.rfind(" ", 0, s) + 1
