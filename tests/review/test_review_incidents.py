"""Consolidation's incidents on the desk (SQLite and PostgreSQL): imported from an extraction
store with its events, shown on the article view with the other member reports, a column and
a filter on the queue; a re-import follows a regrouping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from review_data import TEXT

from marsad.review import incidents
from marsad.review.db import Desk, Filters

OTHER = "أفادت مصادر بمقتل ستة مدنيين في غارة على كفرنبل."  # further reports, written for these tests
THIRD = "سقطت قذيفة على حي سكني في معرة النعمان دون إصابات."


def make_store(path: Path, grouped: bool = True) -> None:
    """Three articles: a1 and a2 report one air strike (one incident when ``grouped``); a3 another event."""
    from marsad.consolidate.incidents import summarise
    from marsad.model import Document, Event
    from marsad.store.sqlite import Store

    with Store.open(path) as store:
        for doc_id, text, deaths, published in (("a1", TEXT, 5, "2018-03-05"), ("a2", OTHER, 6, "2018-03-06"),
                                                ("a3", THIRD, 0, "2018-03-07")):
            store.add_result(Document(doc_id, text, published=date.fromisoformat(published)),
                             [Event(doc_id, f"{doc_id}:0", "Explosions/Remote violence", "Air/drone strike",
                                    event_date="2018-03-04", country="SY", fatalities=deaths,
                                    evidence=((0, 10),))])
        rows = {r["event_id"]: r for r in store.iter_event_rows()}
        groups = {"inc-1": ["a1:0", "a2:0"], "inc-2": ["a3:0"]} if grouped else {"inc-1": ["a1:0"],
                                                                                "inc-3": ["a2:0", "a3:0"]}
        records = [summarise(iid, "SY|x", [rows[e] for e in members]) for iid, members in groups.items()]
        store.save_incidents(records, [(e, iid, rows[e]["doc_id"], 1.0)
                                       for iid, members in groups.items() for e in members])


@pytest.fixture
def imported(desk: Desk, tmp_path: Path) -> Iterator[tuple[Desk, Path]]:
    path = tmp_path / "store.db"
    make_store(path)
    assert desk.import_store(path) == (3, 3)
    yield desk, path


def test_incidents_are_imported_with_their_members(imported: tuple[Desk, Path]) -> None:
    desk, _ = imported
    found = incidents.of_events(desk, ["a1:0", "a2:0", "a3:0"])
    inc = found["a1:0"]
    assert found["a2:0"] == inc and inc.incident_id == "inc-1"
    assert (inc.n_sources, inc.n_events) == (2, 2)
    assert (inc.fatalities, inc.fatalities_low, inc.fatalities_high) == (6, 5, 6)  # the latest report's toll
    assert [m.doc_id for m in inc.others("a1")] == ["a2"]
    assert found["a3:0"].others("a3") == []
    assert incidents.brief(desk, ["a1:0", "a3:0", "nope"]) == {"a1:0": ("inc-1", 2), "a3:0": ("inc-2", 1)}


def test_queue_filter_by_incident(imported: tuple[Desk, Path]) -> None:
    desk, _ = imported

    def ids(value: str) -> list[str]:
        return sorted(r.event_id for r in desk.query(Filters(incident=value)))

    assert ids("inc-1") == ["a1:0", "a2:0"]
    assert ids("multi") == ["a1:0", "a2:0"]
    assert ids("in") == ["a1:0", "a2:0", "a3:0"]
    assert ids("none") == []
    assert desk.counts(Filters(incident="inc-2"))["total"] == 1


def test_reimport_follows_a_regrouping_and_keeps_reviews(imported: tuple[Desk, Path], tmp_path: Path) -> None:
    desk, path = imported
    desk.set_state("a2:0", 1, "approved", "amal")
    path.unlink()
    make_store(path, grouped=False)
    assert desk.import_store(path) == (3, 0)
    assert incidents.brief(desk, ["a1:0", "a2:0", "a3:0"]) == {
        "a1:0": ("inc-1", 1), "a2:0": ("inc-3", 2), "a3:0": ("inc-3", 2)}
    assert desk.event("a2:0").state == "approved"


def test_a_store_without_incidents(desk: Desk, tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    make_store(path)
    with sqlite3.connect(path) as conn:  # a store written before consolidation existed
        conn.execute("DROP TABLE incidents")
    assert desk.import_store(path) == (3, 3)
    assert incidents.of_events(desk, ["a1:0"]) == {} and desk.query(Filters(incident="none"))


def test_pages_show_incidents(desk_url: str, tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("argon2")
    from fastapi.testclient import TestClient
    from test_review_app import login

    from marsad.review.app import create_desk_app
    from marsad.review.auth import add_user

    path = tmp_path / "store.db"
    make_store(path)
    desk = Desk.open(desk_url)
    add_user(desk, "vera", "correct horse", "viewer")
    with TestClient(create_desk_app(desk_url, api=False, import_store=path)) as client:
        login(client, "vera")
        page = client.get("/doc/a1").text
        assert 'data-incident="inc-1"' in page and "2 sources" in page
        assert "fatalities 6 (low 5, high 6)" in page
        assert 'class="member" href="/doc/a2#ev-a2%3A0"' in page
        assert "/doc/a3" not in page
        queue = client.get("/?incident=inc-1").text
        assert queue.count('class="open"') == 2 and 'href="/?incident=inc-1"' in queue
        assert client.get("/?incident=multi").text.count('class="open"') == 2
    desk.close()
