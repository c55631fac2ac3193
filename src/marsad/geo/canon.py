"""Clean geography: country bounding boxes and one canonical spelling per admin-1 unit.

Requires: ``marsad/data/geo/country_bbox.json`` (Natural Earth 1:10m, made by
``build/build_map_shapes.py``) and ``marsad/data/geo/admin1.tsv`` (one row per admin-1 unit:
``country``, canonical ``admin1``, ``|``-separated ``variants`` other sources spell it with).
Provides: ``country_bbox``, ``inside``, ``repair_coordinates`` (the gazetteer build rejects or repairs
records outside their country with them, and a test holds the shipped gazetteer to them),
``admin1_table``, ``canonical_admin1`` and ``fold_admin`` (the spelling key two names of one unit share).
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1] / "data" / "geo"
#: degrees a place may lie outside its country's box: GeoNames points on a border or a coast and
#: Natural Earth's 1:10m outline differ by up to ~20 km; a record in radians or with swapped
#: coordinates is hundreds of km off
MARGIN = 0.25


@lru_cache(maxsize=1)
def country_bbox() -> dict[str, tuple[float, float, float, float]]:
    """ISO2 -> (west, south, east, north) in degrees."""
    raw = json.loads((DATA / "country_bbox.json").read_text(encoding="utf-8"))
    return {cc: (b[0], b[1], b[2], b[3]) for cc, b in raw.items()}


def inside(country: str, lat: float, lon: float, margin: float = MARGIN) -> bool | None:
    """Whether (lat, lon) lies in ``country``'s box (None when the country has no box)."""
    box = country_bbox().get(country)
    if box is None:
        return None
    west, south, east, north = box
    return west - margin <= lon <= east + margin and south - margin <= lat <= north + margin


def repair_coordinates(country: str, lat: float, lon: float) -> tuple[float, float] | None:
    """The coordinates a record means: as given when inside its country, else read as radians or
    with latitude and longitude swapped when that lands inside; None when nothing does."""
    if inside(country, lat, lon) is not False:
        return lat, lon
    candidates = [(lon, lat)]
    if abs(lat) <= math.pi / 2 and abs(lon) <= math.pi:
        candidates.insert(0, (math.degrees(lat), math.degrees(lon)))
    for c_lat, c_lon in candidates:
        if inside(country, c_lat, c_lon):
            return round(c_lat, 5), round(c_lon, 5)
    return None


_TYPE_WORDS = re.compile(r"\b(governorate|province|district|muhafazat|muhafazah|wilayat)\b")
_ARTICLE = re.compile(r"\b(al|el|ad|an|ar|as|ash|at|az|ath|adh|ed|es|et)[\s\-']+")


def fold_admin(name: str) -> str:
    """A key two spellings of one admin unit share: "Ibb Governorate" = "Ibb", "Ad Dali'" =
    "Al Dali'", "Homs (Hims)" = "Homs". Words for the kind of unit that name a different unit
    elsewhere ("Moscow Oblast" is not "Moscow", "Tashkent Region" not "Tashkent") are kept."""
    n = re.sub(r"\(.*?\)", " ", name.lower())
    n = _ARTICLE.sub(" ", _TYPE_WORDS.sub(" ", n))
    return re.sub(r"[^a-z]", "", n)


@lru_cache(maxsize=1)
def admin1_table() -> dict[str, dict[str, str]]:
    """country -> {spelling (canonical or variant) -> canonical admin-1 name}."""
    table: dict[str, dict[str, str]] = {}
    with (DATA / "admin1.tsv").open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")
        for row in rows:
            names = table.setdefault(row["country"], {})
            names[row["admin1"]] = row["admin1"]
            for v in filter(None, (row.get("variants") or "").split("|")):
                names[v] = row["admin1"]
    return table


def canonical_admin1(country: str, name: str) -> str:
    """The table's spelling of an admin-1 name (the name itself when the table does not know it)."""
    return admin1_table().get(country, {}).get(name, name)


__all__ = ["MARGIN", "admin1_table", "canonical_admin1", "country_bbox", "fold_admin", "inside",
           "repair_coordinates"]
