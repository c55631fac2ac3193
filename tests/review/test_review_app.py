"""The desk's pages and actions through FastAPI's test client (SQLite and PostgreSQL):
login, CSRF, roles, rate limiting, hostile text, versions and conflicts, export."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")
from fastapi.testclient import TestClient  # noqa: E402
from review_data import hostile_doc, sample_doc  # noqa: E402

from marsad.review.app import create_desk_app  # noqa: E402
from marsad.review.auth import add_user  # noqa: E402
from marsad.review.db import Desk  # noqa: E402

PASSWORD = "correct horse"


@pytest.fixture
def app_desk(desk_url: str) -> Iterator[tuple[TestClient, Desk]]:
    desk = Desk.open(desk_url)
    desk.import_records(*sample_doc("d1"))
    desk.import_records(*hostile_doc("h1"))
    for name, role in (("amal", "reviewer"), ("omar", "reviewer"), ("vera", "viewer")):
        add_user(desk, name, PASSWORD, role)
    app = create_desk_app(desk_url, api=False)
    with TestClient(app) as client:
        yield client, desk
    desk.close()


def csrf_of(page: str) -> str:
    m = re.search(r'<meta name="csrf-token" content="([^"]*)">', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"name": name, "password": password, "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/").text)


def test_pages_need_a_login_and_login_needs_csrf(app_desk: tuple[TestClient, Desk]) -> None:
    client, _ = app_desk
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.post("/event/edit/d1:0", json={"version": 1, "changes": {"notes": "x"}}).status_code == 403
    client.get("/login")
    r = client.post("/login", data={"name": "amal", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    r = client.post("/login", data={"name": "amal", "password": "wrong pass",
                                    "csrf": csrf_of(client.get("/login").text)})
    assert r.status_code == 401 and "wrong name or password" in r.text
    login(client, "amal")
    assert client.get("/").status_code == 200


def test_login_rate_limit(app_desk: tuple[TestClient, Desk]) -> None:
    client, _ = app_desk
    token = csrf_of(client.get("/login").text)
    codes = [client.post("/login", data={"name": "amal", "password": f"guess {i}", "csrf": token}).status_code
             for i in range(6)]
    assert codes == [401] * 5 + [429]
    r = client.post("/login", data={"name": "amal", "password": PASSWORD, "csrf": token})
    assert r.status_code == 429  # even the right password, until the window has passed


def test_hostile_text_is_escaped_everywhere(app_desk: tuple[TestClient, Desk]) -> None:
    client, _ = app_desk
    token = login(client, "amal")
    r = client.post("/event/edit/d1:0", json={"version": 1, "changes": {
        "notes": "<script>alert(9)</script>", "actor1": "\"><svg onload=alert(8)>",
        "location": "</textarea>"}},
        headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    for page in (client.get("/").text, client.get("/doc/h1").text, client.get("/doc/d1").text):
        assert "<script>alert" not in page and "<img src=x" not in page and "<svg" not in page
        assert "</textarea>" not in page and "<b>" not in page
        assert not re.search(r"<script(?! src=\"/static/desk.js\")", page)
    page = client.get("/doc/h1").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert 'dir="rtl" lang="ar"' in page
    assert client.get("/").headers["content-security-policy"].startswith("default-src 'none'")


def test_hostile_document_id(app_desk: tuple[TestClient, Desk]) -> None:
    client, desk = app_desk
    bad = 'x"><script>alert(5)</script>'
    doc, events = hostile_doc(bad)
    desk.import_records(doc, events)
    login(client, "vera")
    queue = client.get("/").text
    assert "<script>alert(5)" not in queue and "%3Cscript%3Ealert%285%29" in queue
    page = client.get("/doc/" + quote(bad)).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(5)" in page


def test_article_spans_cover_the_text_exactly(app_desk: tuple[TestClient, Desk]) -> None:
    client, desk = app_desk
    login(client, "vera")
    for doc_id in ("d1", "h1"):
        page = client.get(f"/doc/{doc_id}").text
        article = re.search(r'<article class="text" id="text" dir="rtl" lang="ar">(.*?)</article>', page,
                            re.S)
        assert article
        parts = re.findall(r'<span class="seg[^"]*" data-s="(\d+)" data-e="(\d+)"[^>]*>(.*?)</span>',
                           article.group(1), re.S)
        text = desk.document(doc_id)["text"]
        assert "".join(html.unescape(p[2]) for p in parts) == text
        for s, e, body in parts:
            assert text[int(s):int(e)] == html.unescape(body)
        assert 'class="seg hl-evidence' in page or "hl-evidence" in page


def test_roles_versions_and_conflicts(app_desk: tuple[TestClient, Desk]) -> None:
    client, desk = app_desk
    token = login(client, "vera")
    r = client.post("/event/state/d1:0", json={"version": 1, "state": "approved"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 403  # a viewer cannot change events
    client.cookies.clear()
    token = login(client, "amal")
    h = {"X-CSRF-Token": token}
    r = client.post("/event/edit/d1:0",
                    json={"version": 1, "changes": {"actor1": "Military Forces of Russia"}}, headers=h)
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.post("/event/edit/d1:0", json={"version": 1, "changes": {"actor1": "X"}}, headers=h)
    assert r.status_code == 409 and "amal" in r.json()["detail"]
    assert client.post("/event/edit/d1:0", json={"version": 2, "changes": {"fatalities": "x"}},
                       headers=h).status_code == 422
    assert client.post("/event/state/d1:0", json={"version": 2, "state": "approved"},
                       headers=h).json()["state"] == "approved"
    assert client.post("/event/undo/d1:0", json={"version": 3}, headers=h).json()["state"] == "pending"
    assert client.post("/event/edit/d1:0", json={"version": 4, "changes": {"notes": "x"}},
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    hist = client.get("/event/history/d1:0").json()
    assert [x["action"] for x in hist] == ["import", "edit", "approved", "undo"]
    assert desk.event("d1:0").original["actor1"] is None
    text = desk.document("d1")["text"]
    s = text.index("الطائرات")
    r = client.post("/add/d1", json={"start": s + 2, "end": s + 4, "fields": {
        "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"}}, headers=h)
    assert r.status_code == 200
    (start, end), = r.json()["record"]["evidence"]
    assert text[start:end] == "الطائرات"  # the selection snapped to the whole word


def test_search_and_export(app_desk: tuple[TestClient, Desk], tmp_path: Path) -> None:
    client, _ = app_desk
    token = login(client, "amal")
    assert {"name": "Military Forces of Russia"} in client.get("/search/actors", params={"q": "روسي"}).json()
    places = client.get("/search/places", params={"q": "سراقب"}).json()
    assert places and places[0]["name"] == "Saraqib" and places[0]["country"] == "SY"
    r = client.get("/export", params={"format": "jsonl"})
    assert r.status_code == 200 and r.text == ""  # nothing approved yet
    client.post("/event/state/d1:0", json={"version": 1, "state": "approved"},
                headers={"X-CSRF-Token": token})
    rows = [json.loads(x) for x in client.get("/export", params={"format": "jsonl"}).text.splitlines()]
    assert [x["event_id"] for x in rows] == ["d1:0"]
    assert client.get("/export", params={"format": "jsonl", "admin1": "Daraa"}).text == ""
    both = client.get("/export", params={"format": "csv", "state": ["approved", "pending"]}).text
    assert both.count("\n") == 3 and "alert" in both  # header + two events; CSV is data, not a page
    geo = client.get("/export", params={"format": "geojson"}).json()
    assert len(geo["features"]) == 1
    assert client.get("/export", params={"format": "exe"}).status_code == 422
    queue = client.get("/", params={"state": "pending"}).text
    assert "approved 1" in queue and "pending 1" in queue


def test_no_cdn_and_no_docs(app_desk: tuple[TestClient, Desk]) -> None:
    client, _ = app_desk
    for url in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(url).status_code == 404
    login(client, "amal")
    static = Path(__file__).parents[2] / "src" / "marsad" / "review"
    pages = [client.get(u).text for u in ("/login", "/", "/doc/d1")]
    assets = [p.read_text(encoding="utf-8") for p in (static / "static").iterdir()]
    for body in pages + assets:
        assert not re.search(r"(src|href)=\"(https?:)?//", body)
        assert "@import" not in body and "url(http" not in body


def test_admin_manages_users(app_desk: tuple[TestClient, Desk]) -> None:
    client, desk = app_desk
    add_user(desk, "root", PASSWORD, "admin")
    token = login(client, "amal")
    assert client.get("/users").status_code == 403  # a reviewer is no admin
    client.cookies.clear()
    token = login(client, "root")
    page = client.get("/users").text
    assert "amal" in page and "reviewer" in page
    r = client.post("/users", data={"name": "<i>nadia</i>", "role": "viewer", "password": "long enough",
                                    "csrf": token})
    assert r.status_code == 200 and "&lt;i&gt;nadia&lt;/i&gt; (viewer) saved" in r.text
    assert desk.user("<i>nadia</i>")[1] == "viewer"
    assert client.post("/users", data={"name": "x", "role": "god", "password": "long enough",
                                       "csrf": token}).status_code == 422
    assert client.post("/users", data={"name": "y", "role": "viewer",
                                       "password": "long enough"}).status_code == 403
