"""Clean geography: every gazetteer place inside its country, one spelling per admin unit."""

from __future__ import annotations

import collections
import gzip
import pickle
import sys

import pytest

from marsad.geo.canon import (
    admin1_table,
    canonical_admin1,
    country_bbox,
    fold_admin,
    inside,
    repair_coordinates,
)
from marsad.geo.gazetteer import DEFAULT_PATH


@pytest.fixture(scope="module")
def places() -> list[tuple]:
    with gzip.open(DEFAULT_PATH, "rb") as fh:
        return pickle.load(fh)["places"]


def test_repair_reads_radians_and_swapped_coordinates() -> None:
    # a Yemeni village given in radians lands in the Gulf of Guinea; read as radians it is in Yemen
    assert inside("YE", 0.2515, 0.7837) is False
    lat, lon = repair_coordinates("YE", 0.2515, 0.7837)
    assert inside("YE", lat, lon) and 14 < lat < 15 and 44 < lon < 45
    assert repair_coordinates("SY", 36.2, 37.1) == (36.2, 37.1)  # Aleppo stays as it is
    assert repair_coordinates("SY", 37.1, 36.2) == (37.1, 36.2)  # still inside Syria's box: kept
    assert repair_coordinates("IQ", 44.4, 33.3) == (33.3, 44.4)  # Baghdad swapped
    assert repair_coordinates("YE", 48.85, 2.35) is None  # Paris is no Yemeni place, however read


def test_every_gazetteer_place_lies_in_its_country(places: list[tuple]) -> None:
    boxes = country_bbox()
    missing = {p[2] for p in places} - boxes.keys()
    assert not missing, f"countries without a bounding box: {sorted(missing)}"
    outside = [p[:6] for p in places if not inside(p[2], p[3], p[4])]
    assert not outside, f"{len(outside)} places outside their country, e.g. {outside[:5]}"


def test_every_admin1_name_is_a_canonical_name_of_the_table(places: list[tuple]) -> None:
    table = admin1_table()
    canonical = {cc: set(names.values()) for cc, names in table.items()}
    wrong = collections.Counter((p[2], p[7]) for p in places if p[7] and p[7] not in canonical.get(p[2], ()))
    assert not wrong, f"admin-1 names not canonical in admin1.tsv: {wrong.most_common(10)}"


def test_the_table_has_one_spelling_per_unit() -> None:
    for cc, names in admin1_table().items():
        keys = collections.defaultdict(set)
        for name in set(names.values()):
            keys[fold_admin(name)].add(name)
        clashes = {k: v for k, v in keys.items() if len(v) > 1}
        assert not clashes, f"{cc}: one unit spelled several ways: {clashes}"


@pytest.mark.parametrize(("country", "variant", "canonical"), [
    ("SY", "Northern", "Quneitra"), ("YE", "Ibb Governorate", "Ibb"), ("YE", "Sanaa Governorate", "Sana'a"),
    ("SY", "Homs (Hims)", "Homs"), ("YE", "Ad Dali'", "Al Dali'"), ("IQ", "Erbil", "Arbil"),
])
def test_issue_cases(places: list[tuple], country: str, variant: str, canonical: str) -> None:
    assert canonical_admin1(country, variant) == canonical
    names = {p[7] for p in places if p[2] == country}
    assert canonical in names and variant not in names


def test_admin2_one_spelling_per_district(places: list[tuple]) -> None:
    keys = collections.defaultdict(set)
    for p in places:
        if p[8]:
            keys[(p[2], p[7], fold_admin(p[8]))].add(p[8])
    clashes = {k: v for k, v in keys.items() if len(v) > 1}
    assert not clashes, f"districts spelled several ways: {list(clashes.items())[:5]}"


def test_gazetteer_build_repairs_or_rejects_records_outside_their_country() -> None:
    import importlib.util

    path = DEFAULT_PATH.parents[3] / "build" / "build_gazetteer.py"
    spec = importlib.util.spec_from_file_location("build_gazetteer_under_test", path)
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # dataclasses look their module up there
    spec.loader.exec_module(build)
    b = build.Builder()
    i = b.add(build.Rec(None, "Al Khuzayfir", "YE", 0.25154, 0.78374, "village", keys={"الخزيفر"}))
    j = b.add(build.Rec(None, "Nowhere", "YE", 48.85, 2.35, "village", keys={"مكان"}))
    assert (round(b.recs[i].lat, 2), round(b.recs[i].lon, 2)) == (14.41, 44.9) and b.recs[i].keys
    assert not b.recs[j].keys and "مكان" not in b.by_key  # kept out of the index: never written
    assert len(b.repaired) == 1 and len(b.rejected) == 1
    # a later record of the same village, in degrees, merges into the repaired one
    assert b.add(build.Rec(None, "Al Khuzayfir", "YE", 14.412, 44.905, "village", keys={"الخزيفر"})) == i
