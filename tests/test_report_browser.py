"""The report renders in headless Chromium with the network blocked: map, charts and tables drawn.

Skips when no Chromium or no Playwright is installed (``make test`` installs Debian's chromium).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.report.browser import find_chromium, render_offline
from marsad.report.html import write_report
from marsad.report.tables import EventFilter
from report_fixture import build_store

pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")
if find_chromium() is None:
    pytest.skip("no chromium installed", allow_module_level=True)


def _share(img, rgb: tuple[int, int, int], tol: int = 6) -> float:
    """Fraction of the image's pixels within ``tol`` of colour ``rgb``."""
    colours = img.convert("RGB").getcolors(maxcolors=img.width * img.height)
    near = sum(n for n, c in colours if all(abs(a - b) <= tol for a, b in zip(c, rgb, strict=True)))
    return near / (img.width * img.height)


def test_report_renders_offline_with_map_and_charts(tmp_path: Path) -> None:
    db = build_store(tmp_path / "ev.db")
    html = tmp_path / "sy.html"
    write_report(db, html, EventFilter(country="SY"))
    r = render_offline(html, tmp_path / "sy.png")
    assert r.blocked == ()  # the page asked for nothing beyond its own file
    assert r.plots_drawn == {"map": 3, "events_series": 3, "fatalities_series": 3}  # plotly's svg layers
    assert r.map_points == 2  # Saraqib and Douma; the undated protest has no coordinates
    assert r.table_rows == 8 and r.rtl_paragraphs == 3  # one evidence sentence per SY event

    shot = Image.open(r.screenshot)
    x, y, w, h = r.map_box
    the_map = shot.crop((x, y, x + w, y + h))
    assert _share(the_map, (0xF4, 0xF1, 0xEA)) > 0.05  # Syria's outline filled: the shapes are drawn
    assert _share(the_map, (0xDF, 0xE9, 0xF2)) > 0.2  # the sea/background around it
    # the circles (Battles red, Explosions orange at 65% opacity over the land fill) are on it
    colours = the_map.convert("RGB").getcolors(maxcolors=w * h)
    reddish = sum(n for n, (r_, g, b) in colours if r_ > 180 and g < 150 and b < 130)
    assert reddish > 30
    # the charts drew lines: the events chart has pixels of both event types' colours
    charts = shot.crop((x, y + h, x + w, min(shot.height, y + h + 700)))
    assert _share(charts, (0xFF, 0xFF, 0xFF), tol=2) < 0.995
