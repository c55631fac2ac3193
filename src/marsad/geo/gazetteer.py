"""The Arabic gazetteer: normalised Arabic name -> candidate places.

Requires: the index built by ``build/build_gazetteer.py`` (``marsad/data/gazetteer.pkl.gz``), a gzip
pickle of ``{"version", "places": [tuple], "keys": {key: (place index, ...)}, "countries": {iso2: index},
"capitals": {(iso2, admin1 name): index}, "admin1_capital": {admin1 index: city index}}``.
Provides: ``Gazetteer`` (loaded once, cached) and ``MemoryGazetteer`` for tests; both satisfy
``GazetteerLike``. Candidates of a key come ordered by importance (areas and cities first, by population).
"""

from __future__ import annotations

import gzip
import logging
import math
import pickle
import time
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from marsad.model import Place
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "gazetteer.pkl.gz"
FORMAT_VERSION = 1


@runtime_checkable
class GazetteerLike(Protocol):
    """What place recognition and geocoding need from a gazetteer."""

    def lookup(self, key: str) -> tuple[Place, ...]:
        """Candidates for a normalised key (``normalise_key``), most important first; () if unknown."""
        ...

    def keys(self) -> Iterable[str]:
        """Every normalised key."""
        ...

    def country(self, iso2: str) -> Place | None:
        """The country entry (placed at its capital)."""
        ...

    def capital_of_admin1(self, country: str, admin1: str) -> Place | None:
        """The provincial capital of ``admin1`` (English name) in ``country``."""
        ...

    def capital_of(self, place: Place) -> Place | None:
        """Where a precision-3 event in ``place`` is put: its capital (admin1/country), else None."""
        ...

    def capital_city(self, iso2: str) -> Place | None:
        """The national capital as a town entry ("العاصمة" in a country's news)."""
        ...


class Gazetteer:
    """The shipped index. Places are materialised lazily: most keys are never looked up."""

    __slots__ = ("_rows", "_keys", "_countries", "_capitals", "_admin1_capital", "_capital_city", "_cache",
                 "_index_of", "_looked_up", "path", "__weakref__")

    def __init__(self, data: Mapping) -> None:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"gazetteer index version {data.get('version')} != {FORMAT_VERSION}; rebuild it")
        self._rows: list[tuple] = data["places"]
        self._keys: dict[str, tuple[int, ...]] = data["keys"]
        self._countries: dict[str, int] = data["countries"]
        self._capitals: dict[tuple[str, str], int] = data["capitals"]
        self._admin1_capital: dict[int, int] = data.get("admin1_capital", {})
        self._capital_city: dict[str, int] = data.get("capital_city", {})
        self._cache: dict[int, Place] = {}
        self._index_of: dict[Place, int] = {}
        self._looked_up: dict[str, tuple[Place, ...]] = {}  # key -> its candidates (asked per mention)
        self.path: Path | None = None  # where it was loaded from (a prebuilt automaton may sit beside it)

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        """Load an index; the default (shipped) one is loaded once per process."""
        if path is None:
            return _default()
        return cls._read(Path(path))

    @classmethod
    def _read(cls, path: Path) -> Gazetteer:
        t0 = time.perf_counter()
        with gzip.open(path, "rb") as fh:
            data = pickle.load(fh)  # our own build output, shipped inside the package
        gaz = cls(data)
        gaz.path = path
        log.info("gazetteer %s: %d places, %d keys in %.2fs", path.name, len(gaz._rows), len(gaz._keys),
                 time.perf_counter() - t0)
        return gaz

    def _place(self, i: int) -> Place:
        p = self._cache.get(i)
        if p is None:
            p = Place(*self._rows[i])
            self._cache[i] = p
            self._index_of[p] = i
        return p

    def lookup(self, key: str) -> tuple[Place, ...]:
        found = self._looked_up.get(key)
        if found is None:
            found = tuple(self._place(i) for i in self._keys.get(key, ()))
            if len(self._looked_up) >= _LOOKUP_CACHE_MAX:
                self._looked_up.clear()
            self._looked_up[key] = found
        return found

    def lookup_name(self, name: str) -> tuple[Place, ...]:
        """Lookup of a raw Arabic name (normalised here)."""
        return self.lookup(normalise_key(name))

    def keys(self) -> Iterable[str]:
        return self._keys.keys()

    def __len__(self) -> int:
        return len(self._rows)

    def places(self) -> Iterator[Place]:
        """Every entry once, in file order; not kept in the lookup cache (a pass over all of them)."""
        return (Place(*row) for row in self._rows)

    def key_count(self) -> int:
        return len(self._keys)

    def country(self, iso2: str) -> Place | None:
        i = self._countries.get(iso2.upper())
        return None if i is None else self._place(i)

    def capital_of_admin1(self, country: str, admin1: str) -> Place | None:
        i = self._capitals.get((country, admin1))
        return None if i is None else self._place(i)

    def capital_of(self, place: Place) -> Place | None:
        if place.feature == "country":
            return place  # country entries already sit on their capital
        i = self._index_of.get(place)
        if i is not None and i in self._admin1_capital:
            return self._place(self._admin1_capital[i])
        return self.capital_of_admin1(place.country, place.admin1 or place.name)

    def capital_city(self, iso2: str) -> Place | None:
        i = self._capital_city.get(iso2.upper())
        return None if i is None else self._place(i)


class MemoryGazetteer:
    """A small gazetteer built from ``{arabic name: [Place, ...]}`` (tests, custom lists)."""

    def __init__(self, entries: Mapping[str, Iterable[Place]],
                 capitals: Mapping[tuple[str, str], Place] | None = None) -> None:
        self._keys: dict[str, tuple[Place, ...]] = {}
        for name, places in entries.items():
            k = normalise_key(name)
            self._keys[k] = self._keys.get(k, ()) + tuple(places)
        self._capitals = dict(capitals or {})

    def lookup(self, key: str) -> tuple[Place, ...]:
        return self._keys.get(key, ())

    def keys(self) -> Iterable[str]:
        return self._keys.keys()

    def country(self, iso2: str) -> Place | None:
        for places in self._keys.values():
            for p in places:
                if p.feature == "country" and p.country == iso2:
                    return p
        return None

    def capital_of_admin1(self, country: str, admin1: str) -> Place | None:
        return self._capitals.get((country, admin1))

    def capital_of(self, place: Place) -> Place | None:
        if place.feature == "country":
            return place
        return self.capital_of_admin1(place.country, place.admin1 or place.name)

    def capital_city(self, iso2: str) -> Place | None:
        c = self.country(iso2)
        return None if c is None else Place(c.geonameid, c.name, c.country, c.latitude, c.longitude, "city",
                                            0, "", "", c.source)


# Keys whose candidates a Gazetteer keeps (a news corpus names far fewer places than this).
_LOOKUP_CACHE_MAX = 100_000


@lru_cache(maxsize=1)
def _default() -> Gazetteer:
    return Gazetteer._read(DEFAULT_PATH)


def distance_km(a: Place, b: Place) -> float:
    """Great-circle (haversine) distance between two places."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
