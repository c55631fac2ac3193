"""What the desk's actor and place fields search: the actor dictionary and the gazetteer
shipped with marsad (loaded once per process, on the first search)."""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources
from typing import Any

from marsad.text.normalise import normalise_key

LIMIT = 20


@lru_cache(maxsize=1)
def _actors() -> list[tuple[str, str, str]]:
    """(canonical name, lower-case canonical, normalised Arabic alias) of every named actor."""
    text = resources.files("marsad.data").joinpath("actors.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(keepends=True)
                                              if not line.startswith("#"))), delimiter="\t")
    out = []
    for row in rows:
        name = row.get("canonical") or ""
        if name and name != "-" and row.get("kind") != "stop":
            out.append((name, name.lower(), row.get("key") or ""))
    return out


def search_actors(q: str) -> list[dict[str, str]]:
    """Canonical actor names whose name or an Arabic alias contains ``q``."""
    q = q.strip()
    if not q:
        return []
    low, key = q.lower(), normalise_key(q)
    seen: dict[str, dict[str, str]] = {}
    for name, lower, alias in _actors():
        if name not in seen and (low in lower or (key and key in alias)):
            seen[name] = {"name": name}
            if len(seen) >= LIMIT:
                break
    return list(seen.values())


def search_places(q: str) -> list[dict[str, Any]]:
    """Gazetteer places named ``q`` (Arabic, normalised), then those whose name starts with it."""
    from marsad.geo.gazetteer import Gazetteer

    q = q.strip()
    if not q:
        return []
    gaz = Gazetteer.load()
    key = normalise_key(q)
    places = list(gaz.lookup(key))
    if len(places) < LIMIT and len(key) >= 2:
        for k in gaz.keys():  # noqa: SIM118 - a Gazetteer is no dict
            if k != key and k.startswith(key):
                places += gaz.lookup(k)
                if len(places) >= LIMIT:
                    break
    out, seen = [], set()
    for p in places:
        ident = (p.name, p.country, p.admin1, round(p.latitude, 3), round(p.longitude, 3))
        if ident in seen:
            continue
        seen.add(ident)
        out.append({"name": p.name, "country": p.country, "admin1": p.admin1 or None,
                    "admin2": p.admin2 or None,
                    "latitude": p.latitude, "longitude": p.longitude, "geonameid": p.geonameid,
                    "feature": p.feature, "population": p.population})
    out.sort(key=lambda d: -(d["population"] or 0))
    return out[:LIMIT]
