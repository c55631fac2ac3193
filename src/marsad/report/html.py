"""``marsad report``: one self-contained HTML file of tables, charts, a map and the evidence.

Requires: ``marsad.report.tables`` (the numbers), jinja2 (``templates/report.html.j2``), plotly (its
JavaScript bundle, shipped inside the wheel, is inlined once) and the Natural Earth shapes of
``marsad/data/geo/map_shapes.json.gz``. Provides: ``build_report`` (the template's context),
``render_report`` (HTML text) and ``write_report``. The page fetches nothing: every script, style and
shape is inside it, and the map is drawn on plain x/y axes (plotly's geo maps would fetch their
base map from a CDN).
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import sqlite3
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad import __version__
from marsad.errors import MarsadError
from marsad.report.tables import (
    EventFilter,
    Item,
    Selection,
    admin1_by_month,
    connect,
    load_items,
    series_by_type,
    top_items,
    week_of,
)

log = logging.getLogger(__name__)

SHAPES = Path(__file__).resolve().parents[1] / "data" / "geo" / "map_shapes.json.gz"
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: one colour per event type, the same in the charts and on the map
COLOURS = {
    "Battles": "#c0392b", "Explosions/Remote violence": "#e67e22", "Violence against civilians": "#8e44ad",
    "Protests": "#2980b9", "Riots": "#16a085", "Strategic developments": "#7f8c8d",
}
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


def _deps() -> tuple[Any, Any]:
    try:
        import jinja2
        import plotly.offline
    except ImportError as exc:  # the [report] extra
        raise MarsadError(f"marsad report needs the [report] extra (pip install 'marsad[report]'): "
                          f"{exc}") from exc
    return jinja2, plotly.offline


@lru_cache(maxsize=1)
def map_shapes() -> dict[str, dict[str, Any]]:
    """ISO2 -> {"bbox", "outline": [rings], "admin1": [lines]} (Natural Earth, simplified)."""
    with gzip.open(SHAPES, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _path_xy(parts: list[list[list[float]]]) -> tuple[list[float | None], list[float | None]]:
    """Many rings or lines as one trace: coordinates separated by None (plotly's gap)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in parts:
        xs.extend(p[0] for p in part)
        ys.extend(p[1] for p in part)
        xs.append(None)
        ys.append(None)
    return xs, ys


def map_figure(items: tuple[Item, ...], countries: list[str]) -> dict[str, Any]:
    """Country outlines, admin-1 boundaries and one circle per item (area ∝ fatalities)."""
    shapes = map_shapes()
    shown = [cc for cc in countries if cc in shapes]
    data: list[dict[str, Any]] = []
    if shown:
        x, y = _path_xy([ring for cc in shown for ring in shapes[cc]["outline"]])
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": y, "fill": "toself", "name": "country",
                     "fillcolor": "#f4f1ea", "line": {"color": "#555", "width": 1.2}, "hoverinfo": "skip",
                     "showlegend": False})
        x, y = _path_xy([line for cc in shown for line in shapes[cc]["admin1"]])
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": y, "name": "admin-1 boundaries",
                     "line": {"color": "#999", "width": 0.7, "dash": "dot"}, "hoverinfo": "skip",
                     "showlegend": False})
    placed = [i for i in items if i.latitude is not None and i.longitude is not None]
    biggest = max((i.fatalities for i in placed), default=0)
    sizeref = 2.0 * max(biggest, 1) / (40.0 ** 2)  # the deadliest circle is 40 px across
    for etype in sorted({i.event_type for i in placed}):
        group = [i for i in placed if i.event_type == etype]
        data.append({
            "type": "scatter", "mode": "markers", "name": etype,
            "x": [i.longitude for i in group], "y": [i.latitude for i in group],
            "marker": {"size": [max(i.fatalities, 0.3) for i in group], "sizemode": "area",
                       "sizeref": sizeref,
                       "sizemin": 3, "color": COLOURS.get(etype, "#333"), "opacity": 0.65,
                       "line": {"color": "#222", "width": 0.5}},
            "text": [f"{i.location or i.admin1 or '?'} ({i.admin1 or '?'})<br>{i.event_date or 'undated'}: "
                     f"{i.fatalities} killed" for i in group],
            "hoverinfo": "text",
        })
    # the view: the countries drawn with their admin-1 boundaries, and the circles (of several countries,
    # the 2nd to 98th percentile: a few events abroad would otherwise zoom the map out to the whole world)
    boxes = [shapes[cc]["bbox"] for cc in shown if shapes[cc]["admin1"]]
    if placed:
        lons = sorted(float(i.longitude) for i in placed)  # type: ignore[arg-type]
        lats = sorted(float(i.latitude) for i in placed)  # type: ignore[arg-type]
        k = len(placed) // 50 if len(countries) != 1 else 0
        boxes.append([lons[k], lats[k], lons[-1 - k], lats[-1 - k]])
    layout: dict[str, Any] = {"height": 560, "margin": {"l": 30, "r": 10, "t": 10, "b": 30},
                              "plot_bgcolor": "#dfe9f2",
                              "legend": {"orientation": "h", "itemsizing": "constant"},
                              "xaxis": {"showgrid": False, "zeroline": False, "title": ""},
                              "yaxis": {"showgrid": False, "zeroline": False, "title": ""}}
    if boxes:
        west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
        east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
        pad = 0.06 * max(east - west, north - south, 0.5)
        layout["xaxis"]["range"] = [west - pad, east + pad]
        layout["yaxis"]["range"] = [south - pad, north + pad]
        # a degree of longitude is cos(latitude) of a degree of latitude: keep the shapes' proportions
        layout["yaxis"]["scaleanchor"] = "x"
        layout["yaxis"]["scaleratio"] = 1 / max(math.cos(math.radians((south + north) / 2)), 0.2)
        outside = sum(1 for i in placed if not (west - pad <= i.longitude <= east + pad  # type: ignore[operator]
                                                and south - pad <= i.latitude <= north + pad))  # type: ignore[operator]
    else:
        outside = 0
    return {"data": data, "layout": layout, "outside_view": outside}


def _typical_span(items: tuple[Item, ...]) -> list[str] | None:
    """The weeks from the 1st to the 99th percentile of dates: a few misdated events (years before the
    rest) would otherwise squeeze the series into a corner. The axis can still be zoomed out."""
    days = sorted(i.event_date for i in items if i.event_date)
    if len(days) < 20:
        return None
    lo, hi = days[len(days) // 100], days[-1 - len(days) // 100]
    return [week_of(lo), (date.fromisoformat(week_of(hi)) + timedelta(days=6)).isoformat()]


def series_figures(items: tuple[Item, ...]) -> list[dict[str, Any]]:
    """Events and fatalities per week, one line per event type."""
    series = series_by_type(items)
    span = _typical_span(items)
    figs = []
    for k, label in ((0, "events per week"), (1, "fatalities per week")):
        data = [{"type": "scatter", "mode": "lines", "name": etype, "x": list(weeks),
                 "y": [v[k] for v in weeks.values()],
                 "line": {"color": COLOURS.get(etype, "#333"), "width": 1.6}}
                for etype, weeks in series.items()]
        figs.append({"data": data, "layout": {
            "height": 320, "margin": {"l": 50, "r": 10, "t": 30, "b": 40}, "title": {"text": label},
            "legend": {"orientation": "h"}, "xaxis": {"type": "date", **({"range": span} if span else {})},
            "yaxis": {"rangemode": "tozero"}}})
    return figs


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" or "<!--" can close it early)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def build_report(conn: sqlite3.Connection, flt: EventFilter, *, top: int = 10) -> dict[str, Any]:
    """Everything the template shows."""
    selection: Selection = load_items(conn, flt)
    items = selection.items
    countries = [flt.country] if flt.country else sorted({i.country for i in items if i.country})
    unplaced = sum(1 for i in items if i.latitude is None or i.longitude is None)
    figures = {"map": map_figure(items, countries)}
    outside_view = figures["map"].pop("outside_view")
    for name, fig in zip(("events_series", "fatalities_series"), series_figures(items), strict=True):
        figures[name] = fig
    return {
        "title": f"marsad report — {flt.describe()}",
        "flt": flt,
        "selection": selection,
        "n_items": len(items),
        "n_fatalities": sum(i.fatalities for i in items),
        "n_undated": sum(1 for i in items if not i.event_date),
        "n_unplaced": unplaced,
        "n_outside_view": outside_view,
        "unit": "incidents" if selection.consolidated else "events",
        "fatalities_table": admin1_by_month(items, measure="fatalities"),
        "events_table": admin1_by_month(items, measure="events"),
        "top": top_items(conn, selection, top),
        "figures_json": _script_json(figures),
        "plot_config_json": _script_json(PLOT_CONFIG),
        "countries": countries,
        "shapes_for": [cc for cc in countries if cc in map_shapes()],
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
    }


def render_report(context: dict[str, Any]) -> str:
    """The page of a ``build_report`` context."""
    jinja2, offline = _deps()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(plotly_js=offline.get_plotlyjs(), **context)


def write_report(db: str | Path, output: str | Path, flt: EventFilter | None = None, *, top: int = 10) -> int:
    """Write the report of the store ``db`` to ``output``; returns how many items it covers."""
    flt = flt or EventFilter()
    _deps()  # fail before the queries when the extra is missing
    conn = connect(db)
    try:
        context = build_report(conn, flt, top=top)
    finally:
        conn.close()
    html = render_report(context)
    n = context["n_items"]
    out = Path(output)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)  # a reader never sees half a report
    except OSError as exc:
        raise MarsadError(f"cannot write {output}: {exc}") from exc
    log.info("report of %d items written to %s (%.1f MB)", n, out, out.stat().st_size / 1e6)
    return n


__all__ = ["build_report", "map_figure", "map_shapes", "render_report", "series_figures", "write_report"]
