"""``marsad watch`` against a feed server on 127.0.0.1 and a watched folder (no internet).

Every article is a short report written for these tests. The server (http.server in a thread)
serves an RSS feed whose entries change between polls, the article pages, and broken routes: HTTP
500, malformed XML, a response that hangs past the timeout.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from marsad.cli import main
from marsad.model import Document, Event
from marsad.pipeline import Pipeline
from marsad.store.sqlite import Store
from marsad.watch import FetchSettings, SurgeRule, Watcher, WatchSettings, parse_interval
from marsad.watch.alerts import incident_alerts, surge_alerts
from marsad.watch.fetch import FetchError, fetch
from marsad.watch.incidents import EventChange, IncidentUpdate, update_incidents
from marsad.watch.sources import Candidate
from marsad.watch.state import WatchState

ROOT = Path(__file__).resolve().parents[1]

# Reports written for these tests (Idlib shelling, its toll revised; an Idlib air strike; a Taizz protest).
SHELLING = ("قتل {n} مدنيين وأصيب عشرة آخرون يوم الاثنين في قصف مدفعي لقوات النظام على بلدة كفرنبل"
            " في ريف إدلب الجنوبي، بحسب المرصد السوري لحقوق الإنسان.")
AIRSTRIKE = "قتل ثمانية مدنيين في غارة جوية على مدينة معرة النعمان في ريف إدلب يوم الثلاثاء."
PROTEST = "تظاهر مئات الأشخاص في مدينة تعز يوم الجمعة للمطالبة برفع الحصار."


def page(title: str, body: str, day: str = "2026-12-01") -> bytes:
    return (f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{day}"></head>'
            f"<body><nav>الرئيسية | أخبار</nav><article><h1>{title}</h1><p>{body}</p>"
            f"<p>وكانت المنطقة قد شهدت أياما من الهدوء النسبي قبل هذه الأحداث.</p></article>"
            f"<footer>جميع الحقوق محفوظة</footer></body></html>").encode()


def rss(items: list[dict[str, str]]) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
           "<title>مرصد الاختبار</title><link>http://127.0.0.1/</link><description>test</description>"]
    for it in items:
        out.append(f"<item><title>{it['title']}</title><link>{it['link']}</link><guid>{it['link']}</guid>"
                   f"<pubDate>{it.get('date', 'Tue, 01 Dec 2026 09:00:00 GMT')}</pubDate>")
        if "updated" in it:
            out.append(f"<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>{it['updated']}"
                       "</atom:updated>")
        out.append(f"<description>{it.get('summary', 'ملخص')}</description>")
        if "full" in it:
            out.append(f"<content:encoded><![CDATA[<p>{it['full']}</p>]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode()


class FeedServer:
    """Routes path -> (status, content type, body, seconds to wait before answering); counts hits."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, float]] = {}
        self.hits: Counter[str] = Counter()
        self.unsized: set[str] = set()  # paths answered without a Content-Length (the body ends the reply)
        self.etags: dict[str, str] = {}  # paths with an ETag: a request that names it gets 304
        self.not_modified: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.hits[self.path] += 1
                status, ctype, body, delay = server.routes.get(self.path, (404, "text/plain", b"gone", 0))
                etag = server.etags.get(self.path)
                if etag and self.headers.get("If-None-Match") == etag:
                    server.not_modified[self.path] += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    if self.path not in server.unsized:
                        self.send_header("Content-Length", str(len(body)))
                    if etag:
                        self.send_header("ETag", etag)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (the hanging route)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8",
            delay: float = 0.0) -> None:
        self.routes[path] = (status, ctype, body, delay)


@pytest.fixture()
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.default(events_only=True)


@pytest.fixture()
def fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without consolidation (as if ``marsad.consolidate`` were not installed): each event is its own
    incident, which these tests count on; ``test_with_consolidation`` runs with it where it exists."""
    monkeypatch.setitem(sys.modules, "marsad.consolidate", None)


def _has_consolidation() -> bool:
    try:
        from marsad.consolidate import consolidate  # noqa: F401
    except ImportError:
        return False
    return True


FAST = FetchSettings(timeout=0.5, deadline=1.5, retries=1, backoff=0.05, max_bytes=200_000)


def settings(**kw: Any) -> WatchSettings:
    return WatchSettings(fetch=FAST, settle=0.0, **kw)


def alerts_of(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_parse_interval() -> None:
    assert parse_interval("10m") == 600 and parse_interval("30s") == 30 and parse_interval("1.5h") == 5400
    assert parse_interval("45") == 45
    for bad in ("", "m", "0s", "-1m", "10d", "tenm", "inf"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_feed_items_are_picked_up_once_and_alerts_follow(
        server: FeedServer, pipeline: Pipeline, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        fallback: None) -> None:
    a1 = {"title": "قصف على كفرنبل", "link": server.url("/a/1"), "full": SHELLING.format(n="خمسة"),
          "updated": "2026-12-01T09:00:00Z"}
    a2 = {"title": "مظاهرة في تعز", "link": server.url("/a/2"), "summary": "مظاهرة"}  # no full text: fetched
    server.set("/a/2", page("مظاهرة في تعز", PROTEST))
    server.set("/feed.xml", rss([a1, a2]), ctype="application/rss+xml")
    alerts = tmp_path / "alerts.jsonl"
    with Watcher([server.url("/feed.xml")], tmp_path / "w.db", alerts=alerts, settings=settings(),
                 pipeline=pipeline) as w:
        r1 = w.poll()
        assert (r1.sources, r1.sources_failed, r1.new_items, r1.documents, r1.failures) == (1, 0, 2, 2, 0)
        assert server.hits["/a/1"] == 0 and server.hits["/a/2"] == 1  # a full-text entry is not fetched
        got = alerts_of(alerts)
        assert sorted((a["alert"], a["admin1"], a["fatalities"]) for a in got) == [
            ("new_incident", "Idlib", 5), ("new_incident", "Taizz", 0)]
        idlib = next(a for a in got if a["admin1"] == "Idlib")
        assert idlib["basis"] == "event" and idlib["url"] == server.url("/a/1")
        assert idlib["outlet"] == "مرصد الاختبار" and idlib["title"] == "قصف على كفرنبل"
        protest = w.store.get_document(server.url("/a/2"))
        assert protest is not None and PROTEST in protest.text and "جميع الحقوق" not in protest.text
        assert protest.published == date(2026, 12, 1) and protest.url == server.url("/a/2")

        # an article added between polls is picked up, once; the others are not fetched again
        a3 = {"title": "غارة على معرة النعمان", "link": server.url("/a/3")}
        server.set("/a/3", page("غارة على معرة النعمان", AIRSTRIKE, "2026-12-02"))
        server.set("/feed.xml", rss([a3, a1, a2]), ctype="application/rss+xml")
        r2 = w.poll()
        assert (r2.new_items, r2.documents) == (1, 1)
        assert server.hits["/a/2"] == 1 and server.hits["/a/3"] == 1
        got = alerts_of(alerts)[2:]
        assert [a["alert"] for a in got] == ["new_incident", "admin1_surge"]
        surge = got[1]
        # 5 + 8 killed in Idlib from 2026-11-26 to 2026-12-01, none in the 30 days before
        assert (surge["country"], surge["admin1"], surge["fatalities"], surge["baseline_fatalities"]) == \
            ("SY", "Idlib", 13, 0)
        assert surge["window"] == ["2026-11-25", "2026-12-01"]

        r3 = w.poll()
        assert (r3.new_items, r3.documents, sum(r3.alerts.values())) == (0, 0, 0)
        assert server.hits["/a/3"] == 1

        # the entry is updated with a higher toll: a revision, and an incident that grew
        a1 = {**a1, "full": SHELLING.format(n="تسعة"), "updated": "2026-12-01T15:00:00Z"}
        server.set("/feed.xml", rss([a3, a1, a2]), ctype="application/rss+xml")
        r4 = w.poll()
        assert (r4.new_items, r4.documents) == (1, 1)
        got = alerts_of(alerts)[4:]
        assert [(a["alert"], a["fatalities_before"], a["fatalities_after"]) for a in got] == [
            ("incident_grew", 5, 9)]
        # the revised text replaced the first one: one document, one event for the entry
        n = w.store.conn.execute("SELECT COUNT(*) FROM documents WHERE doc_id = ?", (a1["link"],)).fetchone()
        assert n[0] == 1
        assert w.store.stats()["events"] == 3
    with sqlite3.connect(tmp_path / "w.db") as c:
        assert c.execute("SELECT COUNT(*) FROM watch_alerts").fetchone()[0] == 5
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_broken_feeds_are_logged_and_survived(server: FeedServer, pipeline: Pipeline, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    server.set("/down.xml", b"oops", status=500)
    server.set("/bad.xml", b"<html><body>this is no feed <<< & </bod", ctype="application/rss+xml")
    server.set("/slow.xml", rss([]), delay=5.0)
    good = {"title": "مظاهرة", "link": server.url("/a/9"), "full": PROTEST}
    big = {"title": "صفحة ضخمة", "link": server.url("/big")}
    gone = {"title": "صفحة محذوفة", "link": server.url("/gone")}
    server.set("/big", b"<html>" + b"x" * 300_000 + b"</html>")
    video = {"title": "فيديو", "link": server.url("/video")}
    server.set("/video", b"\0" * 1000, ctype="video/mp4")
    server.set("/good.xml", rss([good, big, gone, video]))
    sources = [server.url(p) for p in ("/down.xml", "/bad.xml", "/slow.xml", "/good.xml")]
    caplog.set_level(logging.WARNING, logger="marsad.watch")
    with Watcher(sources, tmp_path / "w.db", settings=settings(), pipeline=pipeline) as w:
        t0 = time.monotonic()
        r = w.poll()
        assert time.monotonic() - t0 < 4.5  # the hanging feed was given up at its timeout
        assert (r.sources, r.sources_failed, r.documents) == (4, 3, 1)
        assert server.hits["/down.xml"] == 2  # one retry after a 500
        assert server.hits["/big"] == 1 and server.hits["/gone"] == 1  # too large, 404: never retried
        assert r.failures == 3
        failures = {f.doc_id: f.reason for f in w.store.iter_failures()}
        assert "too large" in failures[server.url("/big")] and "404" in failures[server.url("/gone")]
        assert failures[server.url("/video")] == "page not fetched: not a page: video/mp4"
        text = caplog.text
        assert "/down.xml failed: HTTP 500" in text and "retry 1 of 1" in text
        assert "/bad.xml failed: not a feed" in text
        assert "/slow.xml failed:" in text and "timed out" in text.lower()
        # the next poll goes on: the broken sources are tried again, nothing is stored twice
        server.set("/down.xml", rss([{"title": "غارة", "link": server.url("/a/3"), "full": AIRSTRIKE}]))
        r2 = w.poll()
        assert (r2.sources_failed, r2.documents, r2.failures) == (2, 1, 0)
        assert server.hits["/big"] == 1
        assert w.store.stats()["documents"] == 2


def test_an_unchanged_feed_is_not_sent_again(server: FeedServer, pipeline: Pipeline, tmp_path: Path) -> None:
    server.set("/feed.xml", rss([{"title": "مظاهرة", "link": server.url("/a/1")}]),
               ctype="application/rss+xml")
    server.etags["/feed.xml"] = '"v1"'
    server.set("/a/1", b"busy", status=503)
    with Watcher([server.url("/feed.xml")], tmp_path / "w.db", settings=settings(), pipeline=pipeline) as w:
        assert w.poll().documents == 0  # the page failed: tried again next poll
        server.set("/a/1", page("مظاهرة", PROTEST))
        r = w.poll()  # the feed answers 304, and its entry whose page failed is still tried
        assert server.not_modified["/feed.xml"] == 1 and (r.sources_failed, r.documents) == (0, 1)
        server.etags["/feed.xml"] = '"v2"'  # changed: sent whole again
        assert w.poll().documents == 0 and server.not_modified["/feed.xml"] == 1
        assert server.hits["/feed.xml"] == 3


def test_a_damaged_feed_file_gives_the_entries_it_holds(pipeline: Pipeline, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    whole = rss([{"title": "مظاهرة", "link": "http://127.0.0.1:9/a/1", "full": PROTEST}]).decode()
    cut = tmp_path / "cut.rss"
    cut.write_text(whole.replace("</channel></rss>", "<item><title>غارة</ti"), encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="marsad.watch")
    with Watcher([str(cut)], tmp_path / "w.db", settings=settings(), pipeline=pipeline) as w:
        r = w.poll()
        assert (r.sources_failed, r.documents) == (0, 1)
        assert "damaged feed" in caplog.text
        [doc] = [w.store.get_document("http://127.0.0.1:9/a/1")]
        assert doc is not None and doc.outlet == "مرصد الاختبار" and doc.text.endswith(PROTEST)


def test_page_fetch_is_retried_at_later_polls(server: FeedServer, pipeline: Pipeline, tmp_path: Path,
                                              fallback: None) -> None:
    server.set("/a/5", b"busy", status=503)
    entry = {"title": "قصف", "link": "/a/5"}  # a relative link: the feed's URL is its base
    server.set("/feed.xml", rss([entry]))
    with Watcher([server.url("/feed.xml")], tmp_path / "w.db", settings=settings(max_attempts=3),
                 pipeline=pipeline) as w:
        assert (w.poll().documents, w.poll().documents) == (0, 0)  # attempts 1 and 2: tried again
        server.set("/a/5", page("قصف", SHELLING.format(n="خمسة")))
        assert w.poll().documents == 1
        assert server.hits["/a/5"] == 2 * 2 + 1 and not list(w.store.iter_failures())
        # a revision whose page fails at first still replaces the version stored before it
        server.set("/feed.xml", rss([{**entry, "date": "Tue, 01 Dec 2026 18:00:00 GMT"}]))
        server.set("/a/5", b"busy", status=503)
        assert w.poll().documents == 0
        server.set("/a/5", page("قصف", SHELLING.format(n="تسعة")))
        r = w.poll()
        assert r.documents == 1 and r.alerts == {"incident_grew": 1}
        rows = w.store.conn.execute("SELECT doc_id FROM documents").fetchall()
        assert rows == [(server.url("/a/5"),)]


def test_watched_folder(pipeline: Pipeline, tmp_path: Path, fallback: None) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    alerts = tmp_path / "alerts.jsonl"
    with Watcher([str(inbox)], tmp_path / "w.db", alerts=alerts, settings=settings(), pipeline=pipeline) as w:
        assert w.poll().new_items == 0
        (inbox / "kafranbel.txt").write_text(SHELLING.format(n="خمسة"), encoding="utf-8")
        (inbox / "notes.md").write_text("not an article format", encoding="utf-8")
        lines = [{"doc_id": "t1", "text": PROTEST, "published": "2026-12-01"},
                 {"doc_id": "t2", "text": AIRSTRIKE, "published": "2026-12-02"}]
        (inbox / "batch.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                           encoding="utf-8")
        r = w.poll()
        assert (r.new_items, r.documents, r.failures) == (2, 3, 0)
        assert w.poll().new_items == 0
        # the same text under another name is no new document
        (inbox / "copy.txt").write_text(SHELLING.format(n="خمسة"), encoding="utf-8")
        r = w.poll()
        assert (r.new_items, r.documents, r.duplicates) == (1, 0, 1)
        # a file rewritten with a higher toll replaces its text and events
        f = inbox / "kafranbel.txt"
        f.write_text(SHELLING.format(n="تسعة"), encoding="utf-8")
        os.utime(f, (time.time() - 5, time.time() - 5))  # a version of its own even on a coarse clock
        r = w.poll()
        assert (r.new_items, r.documents) == (1, 1) and r.alerts == {"incident_grew": 1}
        assert [a["alert"] for a in alerts_of(alerts)].count("new_incident") == 3
        n = w.store.conn.execute("SELECT COUNT(*) FROM documents WHERE doc_id = 'kafranbel'").fetchone()
        assert n[0] == 1


def test_an_item_that_raises_does_not_end_the_watch(pipeline: Pipeline, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def bug() -> list:
        raise RuntimeError("a bug")

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with Watcher([str(inbox)], tmp_path / "w.db", settings=settings(), pipeline=pipeline) as w:
        good = Candidate("k2", "v", "good", "test", lambda: [Document("good", PROTEST)])
        monkeypatch.setattr(w.sources[0], "poll", lambda: [Candidate("k1", "v", "bad", "test", bug), good])
        r = w.poll()
        assert (r.failures, r.documents) == (1, 1)
        assert w.poll().failures == 1  # the broken item is tried again; the good one is not
        assert w.store.stats()["documents"] == 1


def test_a_folder_gives_the_events_of_extract(pipeline: Pipeline, tmp_path: Path) -> None:
    """The watch stores what ``marsad extract --db`` stores, record for record (the bundled sample
    and a report of ours)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "demo.jsonl").write_bytes((ROOT / "samples" / "demo.jsonl").read_bytes())
    (inbox / "kafranbel.txt").write_text(SHELLING.format(n="خمسة"), encoding="utf-8")
    assert main(["extract", str(inbox), "--db", str(tmp_path / "x.db"), "-q"]) == 0
    with Watcher([str(inbox)], tmp_path / "w.db", settings=settings(), pipeline=pipeline) as w:
        assert w.poll().failures == 0
    query = "SELECT doc_id, event_id, record FROM events ORDER BY event_id"
    with sqlite3.connect(tmp_path / "x.db") as x, sqlite3.connect(tmp_path / "w.db") as y:
        extracted = x.execute(query).fetchall()
        assert extracted and y.execute(query).fetchall() == extracted


def test_folder_leaves_a_file_being_written(pipeline: Pipeline, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with Watcher([str(inbox)], tmp_path / "w.db", settings=WatchSettings(settle=60.0),
                 pipeline=pipeline) as w:
        (inbox / "new.txt").write_text(PROTEST, encoding="utf-8")
        assert w.poll().new_items == 0  # modified just now: left for a later poll


def test_sources_and_settings_are_checked_at_start(tmp_path: Path) -> None:
    from marsad.errors import MarsadError

    with pytest.raises(MarsadError, match="no such file"):
        Watcher([str(tmp_path / "missing")], tmp_path / "w.db")
    (tmp_path / "x.bin").write_bytes(b"\0")
    with pytest.raises(MarsadError, match="not a feed"):
        Watcher([str(tmp_path / "x.bin")], tmp_path / "w.db")
    for args in (["--timeout", "0"], ["--retries", "-1"], ["--surge-factor", "-2"], ["--settle", "-1"]):
        assert main(["watch", str(tmp_path), "--db", str(tmp_path / "w.db"), "--once", *args]) == 2
    unwritable = str(tmp_path / "x.bin" / "alerts.jsonl")  # under a file: no folder can be made there
    db = str(tmp_path / "w.db")
    # an output fault
    assert main(["watch", str(tmp_path), "--db", db, "--once", "--alerts", unwritable]) == 3


def _event(eid: str, day: str, killed: int, admin1: str = "Idlib") -> Event:
    return Event("d-" + eid, eid, "Battles", "Armed clash", event_date=day, country="SY", admin1=admin1,
                 fatalities=killed)


def test_surge_rule(tmp_path: Path) -> None:
    rule = SurgeRule(factor=2.0, min_fatalities=10)
    assert rule.threshold(30) == 14.0  # a daily mean of 1 over 30 days: twice 7 days of it
    with Store.open(tmp_path / "s.db") as store:
        state = WatchState(store)
        store.add_result(Document("base", "base"), [_event("b", "2026-11-10", 30)])
        store.add_result(Document("old", "old"), [_event("o", "2026-10-01", 500)])  # before the 30 days
        store.add_result(Document("r1", "r1"), [_event("r1", "2026-11-28", 14)])
        touched = {("SY", "Idlib"): date(2026, 12, 1)}
        assert surge_alerts(store, state, touched, rule, today=date(2026, 12, 7)) == []  # 14 is not > 14
        store.add_result(Document("r2", "r2"), [_event("r2", "2026-12-01", 1)])
        [(kind, key, rec)] = surge_alerts(store, state, touched, rule, today=date(2026, 12, 7))
        assert (kind, key, rec["fatalities"], rec["baseline_fatalities"], rec["threshold"]) == \
            ("admin1_surge", "SY|Idlib", 15, 30, 14.0)
        assert rec["baseline_window"] == ["2026-10-26", "2026-11-24"]
        state.add_alerts([(kind, key, rec)])
        # once per week of reference days; an event dated in the future counts from today
        assert surge_alerts(store, state, {("SY", "Idlib"): date(2026, 12, 6)}, rule, date(2026, 12, 7)) == []
        store.add_result(Document("r3", "r3"), [_event("r3", "2026-12-08", 40)])
        later = {("SY", "Idlib"): date(2026, 12, 30)}
        [(_, _, rec)] = surge_alerts(store, state, later, rule, date(2026, 12, 8))
        assert rec["window"] == ["2026-12-02", "2026-12-08"] and rec["fatalities"] == 40
        # the minimum: a quiet admin1 with 9 killed is no surge
        store.add_result(Document("h", "h"), [_event("h", "2026-12-01", 9, "Hama")])
        assert surge_alerts(store, state, {("SY", "Hama"): date(2026, 12, 1)}, rule, date(2026, 12, 7)) == []


def test_incidents_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = [EventChange("e1", None, 3), EventChange("e2", 2, 7), EventChange("e3", 4, 4)]
    with Store.open(tmp_path / "s.db") as store:
        monkeypatch.setitem(sys.modules, "marsad.consolidate", None)  # absent: ImportError
        up = update_incidents(store, ["d"], changes)
        assert (up.created, up.grown, up.consolidated) == (("e1",), (("e2", 2, 7),), False)
        calls = []

        def consolidate(store: Store, doc_ids: list[str] | None = None) -> SimpleNamespace:
            calls.append(doc_ids)
            return SimpleNamespace(created=["i1"], grown=[("i2", 1, 4)], joined=2, incidents=5)

        monkeypatch.setitem(sys.modules, "marsad.consolidate", SimpleNamespace(consolidate=consolidate))
        up = update_incidents(store, ["d"], changes)
        assert (up.created, up.grown, up.consolidated, calls) == (("i1",), (("i2", 1, 4),), True, [["d"]])


def test_alerts_on_consolidated_incidents(tmp_path: Path) -> None:
    """With consolidation, alerts describe the incident record and the surge counts incidents."""
    with Store.open(tmp_path / "s.db") as store:
        state = WatchState(store)
        # two reports of one attack: 12 + 12 as events, 12 as one incident (the columns the rule reads)
        store.add_result(Document("a", "a"), [_event("ea", "2026-12-01", 12)])
        store.add_result(Document("b", "b"), [_event("eb", "2026-12-01", 12)])
        # (the table as consolidation keeps it, where the store does not create it already)
        store.conn.execute("CREATE TABLE IF NOT EXISTS incidents (incident_id TEXT PRIMARY KEY,"
                           " block TEXT NOT NULL, event_type TEXT, country TEXT, admin1 TEXT,"
                           " event_date TEXT, fatalities INTEGER, n_sources INTEGER, record TEXT NOT NULL)")
        rec = {"incident_id": "i1", "event_type": "Battles", "country": "SY", "admin1": "Idlib",
               "event_date": "2026-12-01", "fatalities": 12, "n_sources": 2, "block": "x"}
        store.conn.execute("INSERT INTO incidents(incident_id, block, event_type, country, admin1,"
                           " event_date, fatalities, n_sources, record) VALUES ('i1', 'x', 'Battles', 'SY',"
                           " 'Idlib', '2026-12-01', 12, 2, ?)", (json.dumps(rec),))
        [(kind, key, alert)] = incident_alerts(store, IncidentUpdate(created=("i1",), consolidated=True))
        assert (kind, key, alert["basis"], alert["fatalities"], alert["n_sources"], alert["admin1"]) == \
            ("new_incident", "i1", "incident", 12, 2, "Idlib")
        assert "block" not in alert
        touched = {("SY", "Idlib"): date(2026, 12, 1)}
        rule = SurgeRule(min_fatalities=20)
        assert surge_alerts(store, state, touched, rule, date(2026, 12, 7), consolidated=True) == []
        [(_, _, surge)] = surge_alerts(store, state, touched, rule, date(2026, 12, 7))  # events: 24
        assert (surge["basis"], surge["fatalities"]) == ("events", 24)


@pytest.mark.skipif(not _has_consolidation(), reason="marsad.consolidate is not installed")
def test_with_consolidation(server: FeedServer, pipeline: Pipeline, tmp_path: Path) -> None:
    """Where consolidation exists, the watch goes through it: alerts are about incidents."""
    a1 = {"title": "قصف على كفرنبل", "link": server.url("/a/1"), "full": SHELLING.format(n="خمسة"),
          "updated": "2026-12-01T09:00:00Z"}
    server.set("/feed.xml", rss([a1]), ctype="application/rss+xml")
    alerts = tmp_path / "alerts.jsonl"
    with Watcher([server.url("/feed.xml")], tmp_path / "w.db", alerts=alerts, settings=settings(),
                 pipeline=pipeline) as w:
        assert w.poll().documents == 1
        [new] = alerts_of(alerts)
        assert (new["alert"], new["basis"], new["admin1"], new["fatalities"]) == \
            ("new_incident", "incident", "Idlib", 5)
        # the same attack reported the next day with a higher toll joins the incident, which grew
        a2 = {"title": "ارتفاع الحصيلة", "link": server.url("/a/2"), "full": SHELLING.format(n="تسعة"),
              "date": "Wed, 02 Dec 2026 08:00:00 GMT"}
        server.set("/feed.xml", rss([a1, a2]), ctype="application/rss+xml")
        r = w.poll()
        assert r.documents == 1 and r.alerts == {"incident_grew": 1}
        grew = alerts_of(alerts)[-1]
        assert grew["incident_id"] == new["incident_id"] and grew["n_sources"] == 2
        assert (grew["fatalities_before"], grew["fatalities_after"]) == (5, 9)


def test_fetch_retries_with_backoff(server: FeedServer) -> None:
    server.set("/flaky", b"down", status=502)
    settings_ = FetchSettings(timeout=0.5, retries=2, backoff=0.1)
    t0 = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch(server.url("/flaky"), settings_)
    assert 0.3 <= time.monotonic() - t0 < 3  # waited 0.1 then 0.2 s
    assert server.hits["/flaky"] == 3 and err.value.retryable
    with pytest.raises(FetchError, match="not an http"):
        fetch("file:///etc/passwd")


def test_fetch_size_cap_without_content_length(server: FeedServer) -> None:
    server.set("/endless", b"<p>" + b"x" * 50_000)
    server.unsized.add("/endless")
    assert len(fetch(server.url("/endless"), FetchSettings(max_bytes=60_000)).body) == 50_003
    with pytest.raises(FetchError, match="too large: >40000 bytes") as err:
        fetch(server.url("/endless"), FetchSettings(max_bytes=40_000))
    assert not err.value.retryable and server.hits["/endless"] == 2


def _wait_for(path: Path, text: str, proc: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(encoding="utf-8", errors="replace"):
            return
        if proc.poll() is not None:
            pytest.fail(f"marsad watch exited early ({proc.returncode}): {path.read_text(encoding='utf-8')}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"{text!r} never appeared in {path}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_watch_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(SHELLING.format(n="خمسة"), encoding="utf-8")
    log_path = tmp_path / "stderr.txt"
    db, alerts = tmp_path / "w.db", tmp_path / "alerts.jsonl"
    cmd = [sys.executable, "-m", "marsad", "watch", str(inbox), "--db", str(db), "--alerts", str(alerts),
           "--interval", "1h", "--settle", "0", "--no-ner"]
    with open(log_path, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=err, stdout=subprocess.DEVNULL)
    try:
        _wait_for(log_path, "poll 1:", proc)
        t0 = time.monotonic()
        proc.send_signal(sig)
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - t0 < 10  # it did not sleep out the hour
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "1 documents stored" in log_path.read_text(encoding="utf-8")
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
        assert c.execute("SELECT finished FROM runs").fetchone()[0] is not None  # the run was closed
    assert [a["alert"] for a in alerts_of(alerts)] == ["new_incident"]


def test_sigterm_mid_poll_leaves_whole_documents_and_the_next_run_finishes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    n = 600
    texts = [SHELLING.format(n="خمسة"), AIRSTRIKE, PROTEST]
    with open(inbox / "many.jsonl", "w", encoding="utf-8") as fh:
        for i in range(n):  # distinct texts (a report number of their own), so none is a duplicate
            rec = {"doc_id": f"r{i}", "published": "2026-12-01", "text": f"{texts[i % 3]}\n\nتقرير رقم {i}."}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    db, log_path = tmp_path / "w.db", tmp_path / "stderr.txt"
    cmd = [sys.executable, "-m", "marsad", "watch", str(inbox), "--db", str(db), "--settle", "0", "--no-ner"]
    with open(log_path, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=err, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        stored = 0
        while stored < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if db.exists():
                with contextlib.suppress(sqlite3.Error), sqlite3.connect(db) as c:
                    stored = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert log_path.read_text(encoding="utf-8").rstrip().endswith("stopped")

    def check() -> int:
        with sqlite3.connect(db) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # every stored document has exactly the events it was stored with
            bad = c.execute("SELECT COUNT(*) FROM documents d WHERE n_events != (SELECT COUNT(*)"
                            " FROM events e WHERE e.content_hash = d.content_hash)")
            assert bad.fetchone()[0] == 0
            return c.execute("SELECT COUNT(DISTINCT doc_id) FROM documents").fetchone()[0]

    first = check()
    assert 5 <= first < n  # stopped mid-file, after whole documents
    assert main(["watch", str(inbox), "--db", str(db), "--settle", "0", "--no-ner", "--once", "-q"]) == 0
    assert check() == n  # the rest, and nothing twice
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == n


def test_sigterm_abandons_a_hanging_download(server: FeedServer, tmp_path: Path) -> None:
    server.set("/hang.xml", rss([]), delay=30.0)
    log_path = tmp_path / "stderr.txt"
    cmd = [sys.executable, "-m", "marsad", "watch", server.url("/hang.xml"), "--db", str(tmp_path / "w.db"),
           "--timeout", "25", "--no-ner"]
    with open(log_path, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=err, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not server.hits["/hang.xml"] and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert server.hits["/hang.xml"] == 1
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - t0 < 5  # not the 25 s timeout
    finally:
        if proc.poll() is None:
            proc.kill()
    out = log_path.read_text(encoding="utf-8")
    assert "SIGTERM: stopping" in out and "(1 failed)" not in out and out.rstrip().endswith("stopped")
