"""The learned place-mention decision: is a gazetteer match a place at all, or a common word or a
person's name the gazetteer happens to hold ("حجر رخام" marble, not Rakham in Yemen; "ميدان المعركة"
the battlefield, not Medan; "مواطنة تدعى رانية" a woman, not Raniye)?

Requires: an Analysis with ``norm`` and sentences, its PLACE mentions as :func:`marsad.geo.places.find_places`
makes them (candidate readings as ``value``; attrs ``modifier``, ``key``, ``norm_start``, ``norm_end``),
the rules' role of each (``PlaceRoles.roles``), the ACTOR mentions and the article's country context
(``Geocoder.country_context``). Provides: :func:`place_features` (one feature builder, used by
``build/train_places.py`` and by the geocoder alike, so the two never drift) and :class:`PlaceDecision`,
P(not a place) per mention; the geocoder gives the role "not_place" at or above the threshold chosen by
grouped cross-validation on the training corpus (``build/train_places.py``).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from marsad.geo.geocode import candidates, place_votes
from marsad.geo.places import common_words
from marsad.geo.roles import word_prefix
from marsad.learn.features import bucket
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.model import Analysis, Mention, Place

PLACE_MODEL = MODELS / "place.npz"
#: the positive class of the model
NOT_PLACE = "not_a_place"

_PUNCT = ".,،؛;:!?؟\"'«»()[]{}-–—…"
_WINDOW = 60  # characters each side read for the two neighbouring words


# Words that announce a person's name ("مواطنة تدعى رانية", "الطفل زكريا"): a name, not a place.
_NAME_CUES = frozenset({
    "تدعي", "يدعي", "المدعو", "المدعوه", "اسمه", "اسمها", "باسم", "الطفل", "الطفله", "الشاب", "الشابه",
    "السيده", "السيد", "الشهيد", "الشهيده", "الفتاه", "الفتي", "الحاج", "الحاجه", "الاستاذ", "الدكتور",
    "الزميل", "الزميله", "الناشط", "الناشطه", "المواطن", "المواطنه", "الشيخ", "ابنه", "ابنته", "زوجته",
    "زوجها", "شقيقه", "شقيقته", "والده", "والدته"})
# Prepositions and place words after which a name is most often a place ("في رخام", "قرب رانية").
_LOCATIVES = frozenset({"في", "من", "الي", "علي", "عن", "قرب", "نحو", "داخل", "باتجاه", "عبر", "شمال", "جنوب",
                        "شرق", "غرب", "وسط", "حتي", "مدينه", "بلده", "قريه", "محافظه", "منطقه"})


def _word_class(w: str) -> str:
    """A coarse class of a neighbouring word (generalises past the words the corpus has seen)."""
    bare = w[1:] if len(w) > 3 and w[0] in "وف" else w
    if w in ("<s>", "</s>", "0"):
        return w
    if bare in _LOCATIVES or w in _LOCATIVES:
        return "loc"
    if bare in _NAME_CUES or w in _NAME_CUES:
        return "name"
    if bare.startswith(("ال", "لل")):
        return "def"
    if len(bare) >= 4 and bare[0] in "يت":
        return "imperf"
    return "other"


def _clean(w: str) -> str:
    w = w.strip(_PUNCT)
    return "0" if w.isdigit() else w


def _side_words(norm: str, start: int, end: int) -> tuple[list[str], list[str]]:
    """The two normalised words before ``start`` and after ``end`` ("<s>" / "</s>" where a sentence or
    line boundary comes first): read from a small window, never the whole text, and only its last
    (first) three tokens are cleaned (a token of punctuation alone is no word)."""
    before = norm[max(0, start - _WINDOW):start]
    cut = max(before.rfind("."), before.rfind("\n"), before.rfind("؟"), before.rfind("!"))
    parts = before[cut + 1:].rsplit(None, 3)
    prev = [w for w in map(_clean, parts[-3:]) if w][-2:]
    if len(prev) < 2 and (cut >= 0 or start <= _WINDOW):
        prev = ["<s>", *prev][-2:]
    after = norm[end:end + _WINDOW]
    stops = [i for i in (after.find("."), after.find("\n"), after.find("؟"), after.find("!")) if i >= 0]
    stop = min(stops) if stops else -1
    parts = (after[:stop] if stop >= 0 else after).split(None, 3)
    nxt = [w for w in map(_clean, parts[:3]) if w][:2]
    if len(nxt) < 2 and stop >= 0:
        nxt = [*nxt, "</s>"]
    return prev, nxt


@dataclass(frozen=True)
class _Context:
    """What every mention of one document reads: computed once per document."""

    ctx: Counter[str]  # the article's country evidence (``Geocoder.country_context``)
    top: str | None  # the country with the most evidence
    total: float
    key_votes: dict[str, Counter[str]]  # each name's own votes (a place must not vouch for itself)
    key_counts: Counter[str]
    actor_starts: list[int]
    actor_spans: list[tuple[int, int]]
    title_end: int  # original offset where the title ends (0 without one)


def _context(analysis: Analysis, mentions: Sequence[Mention], roles: Sequence[str | None],
             actors: Sequence[Mention], ctx: Counter[str]) -> _Context:
    key_votes: dict[str, Counter[str]] = {}
    for m, role in zip(mentions, roles, strict=True):
        if role != "dateline":
            key_votes.setdefault(m.attr("key"), Counter()).update(place_votes(m, role))
    spans = sorted((a.span.start, a.span.end) for a in actors)
    title = analysis.doc.title
    return _Context(ctx, ctx.most_common(1)[0][0] if ctx else None, sum(ctx.values()), key_votes,
                    Counter(m.attr("key") for m in mentions), [s for s, _ in spans], spans,
                    len(title) if title else 0)


def _actor_features(c: _Context, start: int, end: int) -> list[str]:
    """Whether an actor's name overlaps the mention or touches it (a gap of at most two characters)."""
    out = []
    k = bisect.bisect_left(c.actor_starts, end + 3)
    for a, b in c.actor_spans[max(0, k - 8):k]:  # the few actors starting near or before it
        if a < end and start < b:
            out.append("actor:overlap")
        elif 0 <= start - b <= 2:
            out.append("actor:before")
        elif 0 <= a - end <= 2:
            out.append("actor:after")
    return sorted(set(out))


class _Static(NamedTuple):
    """What a name and its readings alone give (the same in every document)."""

    cands: tuple[Place, ...]  # kept: the cache is keyed by their id
    feats: list[str]
    countries: frozenset[str]


# (key, id of its readings) -> its static features: gazetteer lookups return the same tuple per key
_STATIC: dict[tuple[str, int], _Static] = {}
_STATIC_MAX = 50_000


def _static(key: str, cands: tuple[Place, ...], common: frozenset[str]) -> _Static:
    hit = _STATIC.get((key, id(cands)))
    if hit is not None and hit.cands is cands:
        return hit
    feats = [f"k:{key}", f"words:{key.count(' ') + 1}", f"len:{bucket(len(key), (3, 4, 5, 7, 10))}",
             f"kend:{key[-1:]}", f"kal:{key.startswith('ال')}"]
    if key in common:
        feats.append("common")
    countries = frozenset(p.country for p in cands)
    if cands:
        best = cands[0]
        pop = int(math.log10(best.population + 1))
        feats += [f"f:{best.feature}", f"src:{best.source.split(':')[0]}", f"pop:{pop}",
                  f"nr:{bucket(len(cands), (1, 2, 4, 8))}", f"nc:{bucket(len(countries), (1, 2, 4))}",
                  f"fpop:{best.feature}|{pop}"]
        if any(p.feature == "country" for p in cands):
            feats.append("any:country")
    else:
        feats.append("f:none")
    if len(_STATIC) >= _STATIC_MAX:
        _STATIC.clear()
    out = _STATIC[(key, id(cands))] = _Static(cands, feats, countries)
    return out


def _mention_features(analysis: Analysis, m: Mention, role: str | None, c: _Context,
                      common: frozenset[str]) -> list[str]:
    norm = analysis.norm
    attrs = dict(m.attrs)  # (one pass over the pairs, not one per attribute)
    key = str(attrs.get("key"))
    ns = attrs.get("norm_start")
    ne = attrs.get("norm_end")
    if ns is None or ne is None:  # (an anaphor or a hand-made mention: no text to read)
        ns, ne = 0, 0
    pre = word_prefix(norm, ns)
    modifier = attrs.get("modifier")
    cands = candidates(m)
    static = _static(key, cands, common)
    feats = ["bias", *static.feats, f"pre:{pre or '-'}", f"mod:{modifier or '-'}", f"role:{role or '-'}"]
    prev, nxt = _side_words(norm, ns - len(pre), ne)
    for i, w in enumerate(reversed(prev), 1):
        feats.append(f"w-{i}:{w}")
    for i, w in enumerate(nxt, 1):
        feats.append(f"w+{i}:{w}")
    if prev:
        feats.append(f"w-1k:{prev[-1]}|{key}")
        c1 = _word_class(prev[-1])
        feats.append(f"c-1:{c1}")
        # "الغازات المسيلة": a definite word right after a definite noun, no preposition: an adjective
        feats.append(f"c-1pre:{c1}|{pre or '-'}")
        if len(prev) == 2:
            feats.append(f"c-2:{_word_class(prev[0])}")
    if nxt:
        n1 = nxt[0]
        feats.append(f"kw+1:{key}|{n1}")
        # "ميدان المعركة": a noun in a construct with a definite noun; "رانية تبلغ": a verb after a name
        if n1.startswith("ال"):
            feats.append("n1:definite")
        elif len(n1) >= 4 and n1[0] in "يت":
            feats.append("n1:imperfect")
        if len(n1) >= 3:
            feats.append(f"n1suf:{n1[-2:]}")
        feats.append(f"c+1:{_word_class(n1)}")
    if cands:
        best = cands[0]
        own = c.key_votes.get(key, Counter())
        if c.top is not None:
            feats.append("top:yes" if c.top in static.countries else "top:no")
        # the evidence for the first reading's country that does not come from this very name
        rest = c.total - sum(own.values())
        other = max(0.0, c.ctx.get(best.country, 0.0) - own.get(best.country, 0.0))
        feats.append(f"ctx:{bucket(int(10 * other / rest) if rest > 0 else 0, (0, 1, 3, 6))}")
    feats.append(f"rep:{bucket(c.key_counts[key], (1, 2, 4))}")
    if c.title_end and m.span.start < c.title_end:
        feats.append("pos:title")
    elif m.sent <= 1:
        feats.append("pos:lead")
    feats += _actor_features(c, m.span.start, m.span.end)
    return feats


def _neighbour_features(mentions: Sequence[Mention]) -> list[list[str]]:
    """Whether another place mention touches each one ("بورصة الدار البيضاء": a common noun before a
    city; "دمشق وحلب": a list of places)."""
    out: list[list[str]] = [[] for _ in mentions]
    for j in range(1, len(mentions)):
        a, b = mentions[j - 1], mentions[j]
        gap = b.span.start - a.span.end
        if 0 <= gap <= 3:
            out[j - 1].append("place:after")
            out[j].append("place:before")
    return out


def place_features(analysis: Analysis, mentions: Sequence[Mention], roles: Sequence[str | None],
                   actors: Sequence[Mention], ctx: Counter[str],
                   only: Sequence[int] | None = None) -> list[list[str]]:
    """The features of each place mention of a document (strings; see the module docstring).

    ``roles``: the rules' role of each mention (None for none); ``actors``: the document's ACTOR
    mentions; ``ctx``: its country evidence as the geocoder weighs it; ``only``: the indices of
    the mentions wanted (all by default; the others still count as the document's context).
    """
    c = _context(analysis, mentions, roles, actors, ctx)
    common = common_words()
    neighbours = _neighbour_features(mentions)
    return [_mention_features(analysis, mentions[j], roles[j], c, common) + neighbours[j]
            for j in (range(len(mentions)) if only is None else only)]


@dataclass(frozen=True)
class PlaceDecision:
    """P(not a place) of each place mention, and the threshold at or above which the geocoder
    takes a mention for no place (role "not_place")."""

    model: LinearModel
    threshold: float

    def p_not_place(self, analysis: Analysis, mentions: Sequence[Mention], roles: Sequence[str | None],
                    actors: Sequence[Mention], ctx: Counter[str]) -> list[float]:
        """P(not a place) of each mention (the arguments as :func:`place_features` takes them)."""
        if not mentions:
            return []
        model = self.model
        k = model.classes.index(NOT_PLACE) if NOT_PLACE in model.classes else -1
        if k < 0:
            return [0.0] * len(mentions)
        vocab = model.vocab
        # only the mentions the rules gave no role can be changed: the others are not scored
        ask = [j for j, r in enumerate(roles) if not r]
        if not ask:
            return [0.0] * len(mentions)
        feats = place_features(analysis, mentions, roles, actors, ctx, only=ask)
        flat: list[int] = []
        rows: list[int] = []
        get = vocab.get
        for row, fs in enumerate(feats):
            ids = [i for i in map(get, fs) if i is not None]
            flat += ids
            rows += [row] * len(ids)
        # every mention's sum of weights in one call (a loop of small numpy sums costs more)
        n, w = len(ask), model.weights
        if w.shape[1] == 1:  # binary: the column is the second class's log-odds
            z = np.bincount(rows, weights=w[flat, 0], minlength=n) + float(model.bias[0])
            p1 = [1.0 / (1.0 + math.exp(-min(max(x, -50.0), 50.0))) for x in z.tolist()]
            p = p1 if k == 1 else [1.0 - x for x in p1]
        else:
            zz = np.stack([np.bincount(rows, weights=w[flat, col], minlength=n) for col in range(w.shape[1])],
                          axis=1) + model.bias.astype(np.float64)
            e = np.exp(zz - zz.max(axis=1, keepdims=True))
            p = (e[:, k] / e.sum(axis=1)).tolist()
        out = [0.0] * len(mentions)
        for j, q in zip(ask, p, strict=True):
            out[j] = q
        return out

    @classmethod
    def load(cls, path: Path = PLACE_MODEL) -> PlaceDecision:
        model = LinearModel.load(path)
        return cls(model, float(model.meta.get("threshold", 1.01)))


@lru_cache(maxsize=1)
def packaged() -> PlaceDecision | None:
    """The shipped place model, or None (with a warning) where the package has none."""
    return shipped(PLACE_MODEL, PlaceDecision.load, "place mentions are the rules' alone")
