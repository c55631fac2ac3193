"""The desk in a real browser: Debian's headless Chromium driven by Playwright (never a
downloaded browser). Logs in, opens an article, corrects an actor and a place (through the
dictionary and gazetteer searches), approves, undoes, adds an event on selected text, exports;
saves a screenshot of the article view to docs/review.png. Skipped where Chromium is absent."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")
import uvicorn  # noqa: E402
from review_data import hostile_doc, sample_doc  # noqa: E402

from marsad.review.app import create_desk_app  # noqa: E402
from marsad.review.auth import add_user  # noqa: E402
from marsad.review.db import Desk  # noqa: E402
from marsad.review.pgtemp import free_port  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOT = Path(__file__).parents[2] / "docs" / "review.png"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium on this machine")


@pytest.fixture
def server(desk_url: str) -> Iterator[str]:
    desk = Desk.open(desk_url)
    desk.import_records(*sample_doc("d1"))
    desk.import_records(*hostile_doc("h1"))
    add_user(desk, "amal", "correct horse", "reviewer")
    desk.close()
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_desk_app(desk_url, api=False), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the desk did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


def suggestions(field: sync_api.Locator) -> list[str]:
    """The options the page's search put in a field's datalist (polled: the CSP forbids the
    string evaluation of Playwright's wait_for_function)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = field.evaluate("el => Array.from(el.list.options).map(o => o.value)")
        if found:
            return found
        time.sleep(0.05)
    return []


def test_review_in_a_browser(server: str, desk_url: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # an alert() would be XSS
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))

        page.goto(server + "/")
        page.fill("#name", "amal")
        page.fill("#password", "correct horse")
        page.click("#login")
        page.wait_for_selector("#queue")
        page.click('a.open[href^="/doc/d1"]')
        page.wait_for_selector("#text")
        assert page.get_attribute("#text", "dir") == "rtl" and page.get_attribute("#text", "lang") == "ar"

        card = page.locator('section.event[data-id="d1:0"]')
        actor = card.locator('input[data-field="actor1"]')
        actor.fill("روسي")
        options = suggestions(actor)
        assert "Military Forces of Russia" in options
        actor.fill("Military Forces of Russia")
        place = card.locator('input[data-field="location"]')
        place.fill("سراقب")
        assert "Saraqib" in suggestions(place)
        place.fill("Saraqib")  # the gazetteer's entry: its coordinates fill in
        assert card.locator('input[data-field="admin1"]').input_value() == "Idlib"
        assert card.locator('input[data-field="latitude"]').input_value().startswith("35.86")
        with page.expect_navigation():
            card.locator('button[data-act="save"]').click()
        card = page.locator('section.event[data-id="d1:0"]')
        assert card.locator('input[data-field="actor1"]').input_value() == "Military Forces of Russia"
        assert card.locator('input[data-field="location"]').input_value() == "Saraqib"

        page.locator("body").click(position={"x": 5, "y": 5})
        card.click()
        with page.expect_navigation():
            page.keyboard.press("a")
        assert page.locator('section.event[data-id="d1:0"] .badge').first.inner_text() == "approved"
        with page.expect_navigation():
            page.keyboard.press("u")
        assert page.locator('section.event[data-id="d1:0"] .badge').first.inner_text() == "pending"
        with page.expect_navigation():
            page.keyboard.press("a")

        # an event the machine missed: select a word (mid-word: the server snaps it) and add it
        page.evaluate("""() => {
            const seg = Array.from(document.querySelectorAll('#text .seg'))
                .find(s => s.textContent.includes('الطائرات'));
            const node = seg.firstChild, at = node.textContent.indexOf('الطائرات');
            const r = document.createRange(); r.setStart(node, at + 1); r.setEnd(node, at + 5);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
        }""")
        page.select_option("#add-type", "Explosions/Remote violence|Air/drone strike")
        with page.expect_navigation():
            page.click("#add-event")
        assert page.locator("section.event").count() == 2
        page.locator('section.event[data-id="d1:0"]').click()
        shot = tmp_path / "review.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        # the README's picture: written where it is missing or asked for, not by every run
        if desk_url.endswith(".db") and (not SHOT.exists() or os.environ.get("MARSAD_SCREENSHOT")):
            SHOT.parent.mkdir(exist_ok=True)
            shutil.copyfile(shot, SHOT)

        # split the event (a copy to correct), then merge the copy back into it
        ids = lambda: page.eval_on_selector_all("section.event", "els => els.map(e => e.dataset.id)")  # noqa: E731
        before = set(ids())
        with page.expect_navigation():
            page.locator('section.event[data-id="d1:0"] button[data-act="split"]').click()
        [copy] = set(ids()) - before
        page.locator('section.event[data-id="d1:0"] select[data-merge]').select_option(copy)
        with page.expect_navigation():
            page.locator('section.event[data-id="d1:0"] button[data-act="merge"]').click()
        assert set(ids()) == before
        page.goto(server + "/doc/h1")  # hostile text: shown, never run
        assert "<script>" in page.inner_text("#text") and not dialogs

        page.goto(server + "/")
        with page.expect_download() as got:
            page.click("#export-jsonl")
        rows = [json.loads(x) for x in Path(got.value.path()).read_text(encoding="utf-8").splitlines()]
        by_id = {r["event_id"]: r for r in rows}
        assert by_id["d1:0"]["actor1"] == "Military Forces of Russia"
        assert by_id["d1:0"]["location"] == "Saraqib" and by_id["d1:0"]["admin1"] == "Idlib"
        assert len(rows) == 2  # the approved machine event and the added one
        assert not outside, f"the page fetched from elsewhere: {outside}"
        browser.close()

    desk = Desk.open(desk_url)
    assert [h["action"] for h in desk.history("d1:0")] == ["import", "edit", "approved", "undo", "approved",
                                                          "merge"]
    desk.close()
