"""Token features of the Arabic NER (:mod:`marsad.recognise.ner`): clitics stripped, word shape, word
clusters learned offline from unlabelled news (``ner_clusters.tsv.gz``) and lexicon hits
(``ner_lexicon.tsv``). Training (``build/train_ner.py``) and tagging share :func:`featurize`; the
model's fast path sums the same features (:func:`token_features`, :func:`lexicon_features`)."""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

#: entries of a feature cache (~5 KB each): keeps a long run's memory near 300 MB (bench: peak RSS)
CACHE_MAX = 40_000
DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "data" / "ner_lexicon.tsv"
DEFAULT_CLUSTERS = Path(__file__).resolve().parent.parent / "data" / "ner_clusters.tsv.gz"

Lexicon = Callable[[str], "str | None"]
"""Maps a normalised key (word, stem, or two words) to a category such as ``"PLACE"``, or None."""


_CONJ = ("و", "ف")  # conjunctions, at most one
_PREP = ("ب", "ل", "ك")  # prepositions, at most one
_MIN_STEM = 2  # never strip a clitic that would leave fewer letters than this


def strip_clitics(norm: str) -> tuple[str, str]:
    """Split a normalised word into ``(clitics, stem)``: و/ف, then ب/ل/ك, then ال (or لل).

    ``"وبالمدينه"`` → ``("و+ب+ال", "مدينه")``. Conservative: keeps at least two letters.
    """
    clitics: list[str] = []
    w = norm
    if len(w) > _MIN_STEM + 1 and w[0] in _CONJ:
        clitics.append(w[0])
        w = w[1:]
    if w.startswith("لل") and len(w) > _MIN_STEM + 1:  # ل + ال with the alef elided
        clitics.append("لل")
        w = w[2:]
    else:
        if len(w) > _MIN_STEM + 1 and w[0] in _PREP and w[1:].startswith("ال"):
            clitics.append(w[0])
            w = w[1:]
        if w.startswith("ال") and len(w) > _MIN_STEM + 1:
            clitics.append("ال")
            w = w[2:]
    return "+".join(clitics), w


def word_shape(token: str) -> str:
    """A compact shape: Arabic letter ``a``, Latin ``X``/``x``, digit ``d``, others kept; runs collapsed."""
    out: list[str] = []
    for ch in token:
        if "\u0621" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06d3":
            c = "a"
        elif ch.isdigit():
            c = "d"
        elif ch.isalpha():
            c = "X" if ch.isupper() else "x"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile("[a-z]")
_ALNUM = re.compile(r"[^\W_]")

_CLUSTERS: dict[str, tuple[str, ...]] | None = None


def read_clusters(path: Path | str) -> dict[str, tuple[str, ...]]:
    """A word-cluster table: ``key<TAB>id<TAB>id...`` lines (coarse to fine), gzipped or not."""
    table: dict[str, tuple[str, ...]] = {}
    # words share id paths: one tuple per path, not one per word (the shipped table's 88k
    # words have 45k paths), which saves ~12 MB and a sixth of the load time
    paths: dict[str, tuple[str, ...]] = {}
    raw = Path(path).read_bytes()
    text = (gzip.decompress(raw) if str(path).endswith(".gz") else raw).decode("utf-8")
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):  # (as text mode reads lines)
        if line.startswith("#"):
            continue
        key, _, ids = line.partition("\t")
        if key and ids:
            ids_t = paths.get(ids)
            if ids_t is None:
                ids_t = paths[ids] = tuple(ids.split("\t"))
            table[key] = ids_t
    return table


def use_clusters(path: Path | str | None) -> None:
    """Make the features use this cluster table (None: no cluster features); clears the caches.

    By default the shipped ``ner_clusters.tsv.gz`` is used (or none, if it is missing); the
    build calls this to train with another table.
    """
    global _CLUSTERS
    _CLUSTERS = read_clusters(path) if path is not None else {}
    token_features.cache_clear()


def cluster_table() -> dict[str, tuple[str, ...]]:
    global _CLUSTERS
    if _CLUSTERS is None:
        _CLUSTERS = read_clusters(DEFAULT_CLUSTERS) if DEFAULT_CLUSTERS.exists() else {}
        if not _CLUSTERS:
            log.warning("NER word clusters %s missing: tagging quality will suffer", DEFAULT_CLUSTERS)
    return _CLUSTERS


def cluster_of(norm: str, stem: str) -> tuple[str, ...] | None:
    """Cluster ids of a normalised word: of the word, else of its clitic-free stem (bare or with ال)."""
    table = cluster_table()
    ids = table.get(norm)
    if ids is None and stem != norm:
        ids = table.get(stem) or table.get("ال" + stem)
    return ids


# ~3.5 KB per entry: bounded so that a long run's memory stays flat (262,144 entries would grow
# by ~0.9 GB over a corpus with that many distinct words near place names); the pipeline keeps
# the features its model knows in NerModel's own cache, so this one serves mostly training
@lru_cache(maxsize=1 << 14)
def token_features(token: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                         tuple[str, ...], tuple[str, ...], str, str]:
    """Features of one token: (own, as -1, as +1, as -2, as +2, stem, normalised form)."""
    full = normalise_key(token).lower() or token
    shape = word_shape(full)
    # punctuation glued to a word ("لادن؛", "(حماس") does not change the word
    norm = _EDGE_PUNCT.sub("", full) or full
    clitics, stem = strip_clitics(norm)
    own = [
        "b",
        "w=" + norm,
        "s=" + stem,
        "cl=" + clitics,
        "sh=" + shape,
        "p2=" + stem[:2],
        "p3=" + stem[:3],
        "x1=" + norm[-1:],
        "x2=" + norm[-2:],
        "x3=" + norm[-3:],
        "sx2=" + stem[-2:],
        "len=" + str(min(len(stem), 8)),
    ]
    if _DIGIT.search(norm):
        own.append("dig")
    if _LATIN.search(norm):
        own.append("lat")
    if not _ALNUM.search(norm):
        own.append("pun")
    near = ["w=" + norm, "s=" + stem, "sh=" + shape, "cl=" + clitics, "x2=" + norm[-2:]]
    far = ["w=" + norm, "s=" + stem]
    ids = cluster_of(norm, stem)
    if ids is None:
        own.append("c=?")
        near.append("c=?")
    else:
        # every granularity for the token and its neighbours, the second one two tokens away
        cl = [f"c{k}={c}" for k, c in enumerate(ids)]
        own.extend(cl)
        near.extend(cl)
        if len(ids) > 1:
            far.append(cl[1])
    return (
        tuple(own),
        tuple(["-1" + f for f in near]),
        tuple(["+1" + f for f in near]),
        tuple(["-2" + f for f in far]),
        tuple(["+2" + f for f in far]),
        stem,
        norm,
    )


def lexicon_unary(key: str, stem: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Lexicon hits of one token alone: its normalised key and its stem."""
    out = []
    for name, k in (("lw=", key), ("ls=", stem)):
        cat = lexicon(k) if k else None
        if cat:
            out.append(name + cat)
    return tuple(out)


def _lexicon_combine(unary: Sequence[Sequence[str]], keys: Sequence[str],
                     lexicon: Lexicon) -> list[list[str]] | None:
    """Lexicon features per position: own hits, word-pair hits, and the neighbours' hits (None if none)."""
    n = len(keys)
    own: list[list[str]] = [list(u) for u in unary]
    for i in range(n - 1):
        if keys[i] and keys[i + 1]:
            cat = lexicon(keys[i] + " " + keys[i + 1])
            if cat:
                own[i].append("lbB=" + cat)
                own[i + 1].append("lbI=" + cat)
    if not any(own):
        return None
    out: list[list[str]] = []
    for i in range(n):
        f = list(own[i])
        if i >= 1:
            f.extend("-1" + x for x in own[i - 1])
        if i + 1 < n:
            f.extend("+1" + x for x in own[i + 1])
        out.append(f)
    return out


def lexicon_features(tokens: Sequence[str], stems: Sequence[str], lexicon: Lexicon,
                      cache: dict[str, tuple[str, tuple[str, ...]]] | None = None) -> list[list[str]]:
    """Lexicon features per position: own hits, word-pair hits, and the neighbours' hits.

    ``cache`` (token → key and single-token hits) may be passed when ``lexicon`` never changes.
    """
    if cache is None:
        cache = {}  # (this sentence's only)
    keys, unary = [], []
    for t, st in zip(tokens, stems, strict=True):
        e = cache.get(t)
        if e is None:
            k = normalise_key(t)
            e = (k, lexicon_unary(k, st, lexicon))
            if len(cache) >= CACHE_MAX:
                cache.clear()
            cache[t] = e
        keys.append(e[0])
        unary.append(e[1])
    return _lexicon_combine(unary, keys, lexicon) or [[] for _ in tokens]


BOS_FEATURES = ("BOS",)
EOS_FEATURES = ("EOS",)


def featurize(tokens: Sequence[str], lexicon: Lexicon | None = None,
              _lexicon_cache: dict | None = None) -> list[tuple[str, ...]]:
    """CRF features for one sentence: word, normalised form, stem, affixes, shape, ±2 context.

    ``lexicon``, when given, maps a normalised key (a word, its clitic-free stem, or two words
    joined by a space) to a category (e.g. ``"PLACE"``) or None; its answers become features of
    the token and of its neighbours. A model only uses them if it was trained with a lexicon
    (``build/train_ner.py --lexicon``); otherwise they are ignored.
    """
    info = [token_features(t) for t in tokens]
    lex = lexicon_features(tokens, [x[5] for x in info], lexicon, _lexicon_cache) \
        if lexicon is not None else None
    return assemble(info, lex, _bigram, BOS_FEATURES, EOS_FEATURES)


def _bigram(pair: str) -> tuple[str, ...]:
    return ("w-1w0=" + pair,)


def assemble(info: Sequence[tuple[Any, ...]], lex: Sequence[Sequence[Any]] | None,
              bigram: Callable[[str], tuple[Any, ...]], bos: tuple[Any, ...],
              eos: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Each position's features, in :func:`featurize`'s order, from per-token groups as
    :func:`token_features` returns them (``bigram`` makes the feature of "previous|current" form)."""
    n = len(info)
    feats: list[tuple[Any, ...]] = []
    empty: tuple[Any, ...] = ()
    for i in range(n):
        cur = info[i]
        f = (cur[0]
             + (info[i - 1][1] if i >= 1 else bos)
             + (info[i + 1][2] if i + 1 < n else eos)
             + (info[i - 2][3] if i >= 2 else empty)
             + (info[i + 2][4] if i + 2 < n else empty))
        if i >= 1:
            f += bigram(info[i - 1][6] + "|" + cur[6])
        if lex is not None and lex[i]:
            f += tuple(lex[i])
        feats.append(f)
    return feats


@lru_cache(maxsize=4)
def _lexicon_table(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, cat = line.rstrip("\n").partition("\t")
            if key and cat:
                table[key] = cat
    return table


def load_lexicon(path: Path | None = None) -> Lexicon | None:
    """The shipped place lexicon (GeoNames names → ``"PLACE"``) as a lookup, or None if absent."""
    target = path or DEFAULT_LEXICON
    if not target.exists():
        return None
    return _lexicon_table(target).get


def combine_lexicons(*lexicons: Lexicon | None) -> Lexicon | None:
    """A lookup that asks each lexicon in turn and returns the first answer."""
    found = [lx for lx in lexicons if lx is not None]
    if len(found) <= 1:
        return found[0] if found else None

    def lookup(key: str) -> str | None:
        for lx in found:
            cat = lx(key)
            if cat:
                return cat
        return None

    return lookup
