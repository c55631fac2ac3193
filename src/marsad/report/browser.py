"""Render a report in headless Chromium with the network blocked: the proof that it works offline.

Requires: Playwright (the ``dev`` extra; its Python API only — no browser download) and a Chromium
binary (Debian's ``chromium`` at ``/usr/bin/chromium``; ``make test`` installs it when missing).
Provides: ``find_chromium`` and ``render_offline`` (load the page from file://, abort every other
request and record it, wait until the page's script has drawn every chart, return the page's
facts and save a full-page screenshot). Used by tests/test_report_browser.py and to make
docs/report.png (``python -m marsad.report.browser REPORT.html OUT.png``).
"""

from __future__ import annotations

import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.errors import MarsadError

log = logging.getLogger(__name__)

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the page showed: requests it tried beyond file:// (all aborted), plots with an svg,
    circles drawn on the map, table rows, evidence paragraphs, and the map's box in the screenshot."""

    blocked: tuple[str, ...]
    plots_drawn: dict[str, int]
    map_points: int
    table_rows: int
    rtl_paragraphs: int
    map_box: tuple[int, int, int, int]
    screenshot: Path


def find_chromium() -> str | None:
    for path in CANDIDATES:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


def render_offline(html: Path, png: Path, *, width: int = 1200, timeout_ms: int = 60_000) -> Rendered:
    """Open ``html`` in headless Chromium with every non-file:// request aborted; screenshot to ``png``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise MarsadError(f"rendering needs playwright (the dev extra): {exc}") from exc
    chromium = find_chromium()
    if chromium is None:
        raise MarsadError("no Chromium found (apt-get install chromium)")
    blocked: list[str] = []

    def route(r: Any) -> None:  # a playwright Route
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.route("**/*", route)
            page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            page.wait_for_selector("body[data-rendered='1']", timeout=timeout_ms)
            page.wait_for_timeout(300)  # plotly lays out legends in a later frame
            plots = page.evaluate(
                "Object.fromEntries([...document.querySelectorAll('.plot')]"
                ".map(d => [d.id, d.querySelectorAll('svg.main-svg').length]))")
            points = page.evaluate("document.querySelectorAll('#map .scatterlayer .point').length")
            rows = page.evaluate("document.querySelectorAll('table.xtab tbody tr').length")
            rtl = page.evaluate("document.querySelectorAll('p[dir=rtl]').length")
            box = page.evaluate("(() => { const r = document.querySelector('#map').getBoundingClientRect();"
                                " return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()")
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png), full_page=True)
        finally:
            browser.close()
    return Rendered(tuple(blocked), plots, int(points), int(rows), int(rtl),
                    tuple(int(v) for v in box), png)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m marsad.report.browser REPORT.html OUT.png\n")
        return 2
    r = render_offline(Path(args[0]), Path(args[1]))
    sys.stdout.write(f"{r}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
