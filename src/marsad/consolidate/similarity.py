"""How alike two event reports are: distance, day gap, actors, tolls and evidence text.

Requires: event rows (``Store.iter_event_rows``: the record plus the document's outlet and
publication date) and their evidence text. Provides: :func:`text_vector` (hashed character
n-grams, TF-IDF, unit length, numpy only: scikit-learn is a training-time dependency) and
:func:`pair_features`, the binned indicator features that the merge model
(:mod:`marsad.consolidate.model`) weighs. Bins rather than raw values because the shipped
:class:`marsad.learn.linear.LinearModel` sums the weights of the features present, and because
"10 km apart" and "100 km apart" are not ten times as different for a merge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from marsad.text.normalise import normalise_key

#: hashed feature space of the evidence vectors (2^18 buckets: collisions are rare for one sentence)
BUCKETS = 1 << 18
NGRAMS = (3, 4, 5)
_MULT = np.uint64(1_000_003)
_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))

Vector = tuple[np.ndarray, np.ndarray]  # sorted bucket indices, weights (unit length)


def _codes(text: str) -> np.ndarray:
    # normalised (hamza, taa marbuta, digits ...) so that two outlets' spellings of one
    # sentence share their n-grams; punctuation and spacing differences are collapsed too
    key = normalise_key(" ".join("".join(c if c.isalnum() else " " for c in text).split()))
    return np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def ngram_buckets(text: str) -> np.ndarray:
    """The hashed buckets of the character 3-, 4- and 5-grams of ``text`` (with repeats).

    A polynomial hash over code points, computed with numpy arrays (wrapping uint64
    arithmetic), stable across processes unlike ``hash()``.
    """
    a = _codes(text)
    parts = []
    for n in NGRAMS:
        if a.size < n:
            continue
        h = np.full(a.size - n + 1, np.uint64(n))
        for k in range(n):
            h = h * _MULT + a[k:a.size - n + 1 + k]
        parts.append(((h ^ (h >> np.uint64(31))) % np.uint64(BUCKETS)).astype(np.int64))
    return np.concatenate(parts) if parts else _EMPTY[0]


def text_vector(text: str, idf: np.ndarray | None = None) -> Vector:
    """Sublinear TF x IDF of the hashed n-grams of ``text``, L2-normalised (``idf``: per bucket, or 1)."""
    buckets = ngram_buckets(text)
    if buckets.size == 0:
        return _EMPTY
    idx, counts = np.unique(buckets, return_counts=True)
    w = (1.0 + np.log(counts)).astype(np.float32)
    if idf is not None:
        w *= idf[idx]
    norm = float(np.sqrt(np.dot(w, w)))
    return (idx, w / norm) if norm > 0 else _EMPTY


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors from :func:`text_vector` (0.0 when either is empty)."""
    if a[0].size == 0 or b[0].size == 0:
        return 0.0
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(np.dot(a[1][ia], b[1][ib]))


def cosines(a: Vector, others: list[Vector], buffer: np.ndarray | None = None) -> list[float]:
    """:func:`cosine` of ``a`` with each of ``others``, through one dense copy of ``a`` (in ``buffer``,
    a zeroed float32 array of BUCKETS that is zeroed again on return, when the caller reuses one)."""
    if a[0].size == 0 or not others:
        return [0.0] * len(others)
    dense = np.zeros(BUCKETS, np.float32) if buffer is None else buffer
    dense[a[0]] = a[1]
    try:
        sizes = np.array([o[0].size for o in others])
        full = sizes > 0
        out = np.zeros(len(others))
        if full.any():
            # one gather over all the others' buckets, then a sum per (non-empty) vector
            products = dense[np.concatenate([o[0] for o in others])] * np.concatenate([o[1] for o in others])
            out[full] = np.add.reduceat(products, (np.cumsum(sizes) - sizes)[full])
        return out.tolist()
    finally:
        dense[a[0]] = 0.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=4096)
def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, str):  # (a consolidation parses the same few hundred dates a million times)
        return _parse_day(value)
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def event_day(row: Mapping[str, Any]) -> date | None:
    """The event's day, else its document's publication day."""
    return day(row.get("event_date")) or day(row.get("published"))


class Report(NamedTuple):
    """What the pair features read of an event row, extracted once per report (a consolidation
    compares each report with dozens of others)."""

    sub: str | None
    location: str | None
    country: str | None
    precision: int  # geo_precision, 3 when unknown
    admin1: str
    admin2: str
    lat: float | None
    lon: float | None
    day: int | None  # ordinal of event_day()
    actors: frozenset[str]
    fatalities: int
    outlet: str | None
    vague: bool = False  # the date is approximate (time_precision 2-3: a week, a month, "recently")
    kind: str = ""  # retelling.report_kind: "fresh", "undated" or "retold" ("" when not computed)
    place_key: str = ""  # the place's name as its text gives it, normalised (place_key()); "" unknown
    text_key: str = ""  # the evidence text, normalised ("" when the row carries no ``evidence_text``)


# words around a place name in its mention ("مديرية التحيتا", "شرق خان يونس", "ريف إدلب"): left out, so
# that the name itself is looked for in the other report's text
_PLACE_WORDS = frozenset(normalise_key(w) for w in (
    "مدينة", "بلدة", "قرية", "مديرية", "محافظة", "منطقة", "ريف", "حي", "مخيم", "ميناء", "مطار", "شرق",
    "غرب", "شمال", "جنوب", "شرقي", "غربي", "شمالي", "جنوبي", "وسط", "أطراف", "قرب", "في", "ب"))


def place_key(location_text: str | None) -> str:
    """The name in a place mention, normalised, without the words around it (:data:`_PLACE_WORDS`)."""
    words = [w for w in normalise_key(location_text or "").split() if w not in _PLACE_WORDS]
    return " ".join(words) if words and len("".join(words)) >= 3 else ""


def report(row: Mapping[str, Any] | Report) -> Report:
    """What the pair features read of an event row (with ``evidence_text`` when the row carries it)."""
    if isinstance(row, Report):
        return row
    d = event_day(row)
    return Report(row.get("sub_event_type"), row.get("location"), row.get("country"),
                  row.get("geo_precision") or 3,
                  row.get("admin1") or "", row.get("admin2") or "", row.get("latitude"), row.get("longitude"),
                  d.toordinal() if d else None,
                  frozenset(x.casefold() for x in (row.get("actor1"), row.get("actor2")) if x),
                  row.get("fatalities") or 0, row.get("outlet"), (row.get("time_precision") or 1) >= 2,
                  row.get("report_kind") or "", place_key(row.get("location_text")),
                  normalise_key(row.get("evidence_text") or ""))


def _bin(value: float, edges: tuple[float, ...], name: str) -> str:
    for edge in edges:
        if value <= edge:
            return f"{name}<={edge:g}"
    return f"{name}>{edges[-1]:g}"


def place_relation(a: Mapping[str, Any] | Report, b: Mapping[str, Any] | Report) -> tuple[str, float | None]:
    """A feature naming how the two places relate, and their distance in km (None if unknown).

    Containment comes from the gazetteer's admin names on each record: an event placed only at
    a country or a province (geo_precision 3) contains the towns of that country or province.
    """
    a, b = report(a), report(b)
    km = None
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        km = haversine_km(a.lat, a.lon, b.lat, b.lon)
    if a.location and a.location == b.location:
        # one town is strong evidence; one region or province ("Eastern Ghouta", precision 2-3) holds
        # many incidents a day, so it is a feature of its own
        return ("place=same_area" if min(a.precision, b.precision) >= 2 else "place=same"), km
    if a.country != b.country:
        return "place=other_country", km
    coarse = max(a.precision, b.precision) >= 3
    if coarse and (not a.admin1 or not b.admin1):  # one is placed only in the country
        return "place=in_country", km
    if coarse and a.admin1 and a.admin1 == b.admin1:
        return "place=in_admin1", km
    if a.admin2 and a.admin2 == b.admin2:
        return "place=same_admin2", km
    if a.admin1 and a.admin1 == b.admin1:
        return "place=same_admin1", km
    return ("place=none" if km is None else _bin(km, (5, 15, 40, 100), "km")), km


#: prefixes of the day-gap features (toll agreement; near place x day gap x text similarity), which
#: build/train_consolidation.py can leave out to measure them
DAY_GAP_FEATURES = ("toll=", "toll:", "sametown:")
#: prefixes of the retelling features, left out the same way: the two reports' kinds x the day gap
#: ("retell:"), and the number of reports of the pair that look back / have no day of their own x the
#: day gap ("retold:", "undated:": fewer, denser features)
RETELL_FEATURES = ("retell:",)
RETOLD_FEATURES = ("retold:", "undated:")
#: prefix of the place-name features: whether each report's place, as its text names it, is named in the
#: other's evidence (how many of the two), alone and x whether the geocoded places agree
PLACE_TEXT_FEATURES = ("nametext",)
#: prefix of the outlet features: the same outlet or not x near place x day gap (a campaign's daily reports)
OUTLET_FEATURES = ("outlet:",)


def pair_features(a: Mapping[str, Any] | Report, b: Mapping[str, Any] | Report, cos: float, *,
                  retelling: bool = True, place_text: bool = True) -> list[str]:
    """The indicator features of a pair of event rows or :func:`report` s (``cos``: their evidence cosine);
    ``retelling=False`` / ``place_text=False`` leave out the retelling / place-name features (a model
    without weights for them)."""
    a, b = report(a), report(b)
    feats = ["sub=same" if a.sub == b.sub else "sub=diff"]
    rel, km = place_relation(a, b)
    feats.append(rel)
    if km is not None and not rel.startswith("km"):
        feats.append(_bin(km, (5, 15, 40, 100), "km"))
    gap = "days=none" if a.day is None or b.day is None else _bin(abs(a.day - b.day), (0, 1, 2, 3, 5), "days")
    feats.append(gap)
    # the same place on the same day is ACLED's one event; the same place days apart is either one
    # incident restated (a chemical attack retold for a week) or a campaign's next day
    feats.append(f"{rel}&{gap}")
    # a gap between approximate dates (an article that says "last week", dated by its publication)
    # says less than a gap between exact ones: an attack retold days later is one incident
    vague = "date=vague" if a.vague or b.vague else "date=exact"
    feats.append(f"{gap}&{vague}")
    if not a.actors or not b.actors:
        feats.append("actors=unknown")
    else:
        j = len(a.actors & b.actors) / len(a.actors | b.actors)
        feats.append("actors=same" if j == 1 else "actors=overlap" if j > 0 else "actors=disjoint")
    text = _bin(cos, (0.1, 0.2, 0.3, 0.5), "cos")
    feats.append(text)
    # the same words days apart is a restatement of one incident; other words, a new one (a campaign's
    # next day): the linear model needs the conjunction to tell them apart
    feats.append(f"{gap}&{text}")
    fa, fb = a.fatalities, b.fatalities
    if fa == 0 and fb == 0:
        feats.append("fat=both0")
    elif fa == 0 or fb == 0:
        feats.append("fat=one0")
    else:
        feats.append(_bin(min(fa, fb) / max(fa, fb), (0.25, 0.5, 0.8), "fatratio"))
    # a campaign's strikes on one town on different days look alike to every feature above; what
    # tells a retelling from the next day's strike is that the texts agree (the same words, the same
    # toll). The gap crossed with the toll's agreement, and a near place crossed with the gap and the
    # text's similarity: "different day, same town" can then weigh against a merge unless the texts agree
    toll = "none" if fa == 0 or fb == 0 else "equal" if fa == fb else "differ"
    feats.append(f"toll={toll}")
    feats.append(f"toll:{gap}&{toll}")
    near = rel in ("place=same", "place=same_area") or (km is not None and km <= 5)
    agree = "low" if cos <= 0.2 else "mid" if cos <= 0.4 else "high"
    feats.append(f"sametown:{'near' if near else 'far'}&{gap}&cos={agree}")
    if retelling and a.kind and b.kind:
        # a fresh report of a new day's strike days after another is a campaign's next day; a report
        # that retells (a toll update, a reaction, an alleged attack) or has no day of its own
        # (dated by its publication) may be the same incident however many days apart
        kinds = "+".join(sorted((a.kind, b.kind)))
        # three gap bins only (same day, next day, later): six kind pairs x seven gaps is too sparse
        # for the few thousand training pairs
        coarse = ("gap=none" if a.day is None or b.day is None
                  else f"gap={min(abs(a.day - b.day), 2)}")
        feats.append(f"retell:{kinds}")
        feats.append(f"retell:{kinds}&{coarse}")
        feats.append(f"retold:{(a.kind == 'retold') + (b.kind == 'retold')}&{coarse}")
        feats.append(f"undated:{(a.kind == 'undated') + (b.kind == 'undated')}&{coarse}")
    if place_text and a.text_key and b.text_key and (a.place_key or b.place_key):
        # the geocoder may place one report of an incident wrongly (another town of that name, the
        # province instead of the town): that the other report's text names the same place says more
        shared = ((bool(a.place_key) and a.place_key in b.text_key)
                  + (bool(b.place_key) and b.place_key in a.text_key))
        agree = "agree" if rel in ("place=same", "place=same_area") else "differ"
        feats.append(f"nametext={shared}")
        feats.append(f"nametext={shared}&{agree}")
    oa, ob = a.outlet, b.outlet
    feats.append("outlet=unknown" if not oa or not ob else "outlet=same" if oa == ob else "outlet=diff")
    if oa and ob:
        # one outlet tells each day of a campaign once, where another outlet retells its strikes: of the
        # train split's pairs at one town a day apart, 36% of one outlet's are one incident, 51% of two
        # outlets'. Crossed with the near place and the day gap (0, 1, more) for the linear model
        days = "none" if a.day is None or b.day is None else min(abs(a.day - b.day), 2)
        feats.append(f"outlet:{'same' if oa == ob else 'diff'}&{'near' if near else 'far'}&gap={days}")
    return feats


__all__ = ["BUCKETS", "DAY_GAP_FEATURES", "OUTLET_FEATURES", "PLACE_TEXT_FEATURES", "RETELL_FEATURES",
           "RETOLD_FEATURES", "Report", "Vector", "cosine", "cosines", "day", "event_day", "haversine_km",
           "ngram_buckets", "pair_features", "place_key", "place_relation", "report", "text_vector"]
