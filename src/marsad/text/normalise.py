"""Offset-preserving Arabic normalisation.

Requires: the original text. Provides: a normalised copy and an offset map
(``offsets[i]`` = index in the original of normalised character ``i``, with one
extra entry for the end), so that anything found in the normalised text maps back
to exact characters of the original.

What it does, and why:
- deletes diacritics (harakat, shadda, sukun, dagger alef, Quranic marks) and tatweel,
  and format characters (ZWJ/ZWNJ/LRM/RLM/BOM): they vary between outlets;
- unifies alef forms (أ إ آ ٱ → ا), ى → ي, ة → ه, ؤ → و, ئ → ي: spelling of these
  letters is inconsistent in news text;
- maps Eastern Arabic (٠-٩) and Persian (۰-۹) digits to ASCII digits;
- maps Arabic punctuation look-alikes that matter for patterns (، ؛ ؟ stay as they are);
- collapses a letter repeated three or more times to two ("السورييين" → "السوريين"):
  Arabic words never carry the same letter three times in a row;
- drops a hashtag's "#" and reads its "_" as a space ("#جنوب_فرنسا" → "جنوب فرنسا").

All maps are 1:1 or deletions, so the normalised text is never longer than the original.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from functools import lru_cache
from itertools import chain

import numpy as np

from marsad.text.chars import BMP, codepoints, table, to_text

# Character classes, named.
ARABIC_DIACRITICS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
TATWEEL = "\u0640"
FORMAT_CHARS = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad"

_DELETE = f"[{ARABIC_DIACRITICS}{TATWEEL}{FORMAT_CHARS}]"

# 1:1 character map (the data of the normaliser, applied by str.translate).
CHAR_MAP: dict[str, str] = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي",
    "ة": "ه", "ۀ": "ه", "ە": "ه",
    "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ڪ": "ك",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u3000": " ",
    "“": '"', "”": '"', "«": '"', "»": '"', "„": '"',
    "‘": "'", "’": "'",
    "–": "-", "—": "-",
    "_": " ",  # hashtags join words with it: "#جنوب_فرنسا"
}
CHAR_MAP.update({chr(0x0660 + i): str(i) for i in range(10)})  # Eastern Arabic digits
CHAR_MAP.update({chr(0x06F0 + i): str(i) for i in range(10)})  # Persian digits
_TABLE = str.maketrans(CHAR_MAP)
# str.translate looks every character up in a dict (~60 ns each); replacing the few mapped
# characters a text holds is ~10x faster, and gives the same text as long as no replacement
# holds a mapped character (else a later replace would rewrite an earlier one's output).
_PAIRS = tuple(CHAR_MAP.items())
_CHAINED = any(k in v for k in CHAR_MAP for v in CHAR_MAP.values())


def _translate(text: str) -> str:
    """``text.translate(_TABLE)``, faster (for a word, translate is faster: ~30 characters break even)."""
    if _CHAINED or len(text) < 32:
        return text.translate(_TABLE)
    for c, r in _PAIRS:
        if c in text:
            text = text.replace(c, r)
    return text


# deletions (a hashtag's "#" too: "#الحديدة" is the place), or a run of 3+ identical Arabic
# letters (the third and later are dropped)
_EDIT = re.compile(f"{_DELETE}+|#+(?=\\w)|([\u0621-\u064a])\\1\\1+")


_DELETABLE = table(_DELETE)
_HASHES = re.compile(r"#+(?=\w)")
_LETTER_FIRST, _LETTER_LAST = 0x0621, 0x064A


#: the offset map: a compact array of ints (a tuple of Python ints costs more to build than
#: the whole normalisation, and is read at a few hundred places per document)
Offsets = array


def normalise(text: str) -> tuple[str, Offsets | None]:
    """Return ``(normalised, offsets)``; ``offsets`` is None when nothing was deleted.

    ``offsets`` (an ``array("q")``) has ``len(normalised) + 1`` entries; see the module docstring.
    """
    mapped = _translate(text)
    if len(mapped) <= 48:  # a short text is as fast with the regex
        return _normalise_re(text, mapped)
    a = codepoints(mapped)
    # _EDIT as arrays: the deletable characters (none lies beyond the BMP), a hashtag's "#"
    # (found by a literal search), and the third and later letters of a run
    drop = _DELETABLE[np.minimum(a, BMP - 1)]
    if "#" in mapped:
        for m in _HASHES.finditer(mapped):
            drop[m.start():m.end()] = True
    if a.size >= 3:
        cur = a[2:]
        drop[2:] |= (cur == a[1:-1]) & (cur == a[:-2]) & (cur >= _LETTER_FIRST) & (cur <= _LETTER_LAST)
    if not drop.any():
        return mapped, None
    keep = np.flatnonzero(~drop)
    offsets = array("q", keep.astype(np.int64, copy=False).tobytes())
    offsets.append(len(text))
    return to_text(a[keep]), offsets


def _normalise_re(text: str, mapped: str) -> tuple[str, Offsets | None]:
    """:func:`normalise` by the regex (short texts; and the reference the tests compare with)."""
    edits = _EDIT.finditer(mapped)
    first = next(edits, None)
    if first is None:
        return mapped, None
    pieces: list[str] = []
    offsets = array("q")
    pos = 0
    for m in chain((first,), edits):
        start, end = m.span()
        if m.group(1):  # letter run: keep two letters
            start += 2
        if start > pos:
            pieces.append(mapped[pos:start])
            offsets.extend(range(pos, start))
        pos = end
    if pos < len(mapped):
        pieces.append(mapped[pos:])
        offsets.extend(range(pos, len(mapped)))
    offsets.append(len(text))
    return "".join(pieces), offsets


def normalised_slice(text: str, norm: str, offsets: Offsets | None, start: int, end: int) -> str | None:
    """``normalise(text[start:end])[0]`` read from ``norm, offsets = normalise(text)``, or None where
    the two may differ (the caller normalises the slice then).

    Why: the learned decisions read each sentence's normalised words, and normalising the sentence
    again cost more than slicing the document's. Every map is per character and every deletion
    reads the slice alone except two, which can see across its edges: a letter repeated a third
    time (dropped when the two characters before it are the same letter: never across the start
    unless the character before the slice is its first one) and a hashtag's "#" (dropped when a
    word follows it: never across the end unless the slice ends with "#").
    """
    if start > 0 and _translate(text[start - 1]) == _translate(text[start:start + 1]):
        return None
    if end > start and _translate(text[end - 1]) == "#":
        return None
    # (an analysis built by hand may hold another text's normalisation, or none: then the slice is
    # normalised, as it was before)
    if offsets is None:
        return norm[start:end] if end <= len(norm) else None
    last = len(norm)  # (offsets holds one more entry: the end of the text; norm may be cut shorter)
    if last >= len(offsets) or offsets[-1] != len(text):
        return None
    stop = bisect_left(offsets, end, 0, last)
    if stop == last and offsets[last] < end:  # (a norm cut inside the slice)
        return None
    return norm[bisect_left(offsets, start, 0, last):stop]


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def normalise_key(s: str) -> str:
    """Normalise a dictionary key or alias the same way as text, with spaces collapsed.

    Use this for every lexicon key so that lookups in ``normalise(text)[0]`` match.
    """
    out, _ = normalise(s)
    return _SPACES.sub(" ", out).strip()
