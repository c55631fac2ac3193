"""The desk's data layer, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from review_data import hostile_doc, sample_doc

from marsad.errors import StoreError
from marsad.review.db import LATEST, Conflict, Desk, Filters, Invalid, NotFound


def test_migrations_numbered_and_idempotent(desk: Desk) -> None:
    assert desk.schema_version() == LATEST
    assert desk.migrate() == []  # a second start applies nothing
    again = Desk.open(desk.url)
    assert again.schema_version() == LATEST
    again.close()


def test_import_keeps_the_original_and_never_undoes_a_review(desk: Desk) -> None:
    doc, events = sample_doc()
    assert desk.import_records(doc, events) == 1
    ev = desk.event("d1:0")
    assert (ev.version, ev.state, ev.origin) == (1, "pending", "machine")
    desk.edit("d1:0", 1, {"actor1": "Military Forces of Russia"}, "amal")
    assert desk.import_records(doc, events) == 0  # re-import: the reviewed event is left alone
    ev = desk.event("d1:0")
    assert ev.version == 2 and ev.record["actor1"] == "Military Forces of Russia"
    assert ev.original is not None and ev.original["actor1"] is None
    assert ev.changed_fields == ["actor1"]


def test_every_change_is_a_version_and_undo_is_one_too(desk: Desk) -> None:
    desk.import_records(*sample_doc())
    desk.edit("d1:0", 1, {"fatalities": "7", "location": "Kafr Nabl"}, "amal")
    desk.set_state("d1:0", 2, "approved", "amal")
    ev = desk.undo("d1:0", 3, "omar")
    assert ev.state == "pending" and ev.version == 4 and ev.record["fatalities"] == 7
    ev = desk.undo("d1:0", 4, "omar")  # undoing the undo brings the approval back
    assert ev.state == "approved"
    hist = desk.history("d1:0")
    assert [h["action"] for h in hist] == ["import", "edit", "approved", "undo", "undo"]
    assert [h["version"] for h in hist] == [1, 2, 3, 4, 5]
    assert hist[1]["before"]["fatalities"] == 5 and hist[1]["after"]["fatalities"] == 7
    assert hist[1]["username"] == "amal" and hist[1]["at"]
    with pytest.raises(Conflict):
        desk.undo("d1:0", 1, "omar")  # a stale version
    added = desk.add_event("d1", {"event_type": "Battles", "sub_event_type": "Armed clash"}, [(0, 3)], "amal")
    with pytest.raises(Invalid):
        desk.undo(added.event_id, 1, "omar")  # nothing before the first version


def test_stale_version_is_a_conflict_not_an_overwrite(desk: Desk) -> None:
    desk.import_records(*sample_doc())
    desk.edit("d1:0", 1, {"actor1": "A"}, "amal")
    with pytest.raises(Conflict):
        desk.edit("d1:0", 1, {"actor1": "B"}, "omar")
    assert desk.event("d1:0").record["actor1"] == "A"
    with pytest.raises(NotFound):
        desk.edit("nope", 1, {"actor1": "B"}, "omar")


def test_concurrent_writers_one_wins_per_version(desk: Desk) -> None:
    desk.import_records(*sample_doc())
    wins, conflicts = [], []

    def worker(i: int) -> None:
        try:
            desk.edit("d1:0", 1, {"notes": f"w{i}"}, f"u{i}")
            wins.append(i)
        except Conflict:
            conflicts.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(conflicts) == 7
    assert len(desk.history("d1:0")) == 2


def test_bad_changes_are_refused(desk: Desk) -> None:
    desk.import_records(*sample_doc())
    for change in ({"event_id": "x"}, {"fatalities": "many"}, {"fatalities": -1}, {"event_date": "yesterday"},
                   {"event_type": "Battles"}, {"geo_precision": 7}, {"event_type": None}):
        with pytest.raises(Invalid):
            desk.edit("d1:0", 1, change, "amal")
    assert desk.event("d1:0").version == 1
    with pytest.raises(Invalid):
        desk.add_event("d1", {"event_type": "Battles", "sub_event_type": "Armed clash"}, [(5, 10_000)],
                       "amal")


def test_queue_filters_counts_and_order(desk: Desk) -> None:
    desk.import_records(*sample_doc("d1"))
    desk.import_records(*hostile_doc("h1"))
    rows = desk.query(Filters())
    assert [r.event_id for r in rows] == ["h1:0", "d1:0"]  # confidence 0.4 before 0.55
    desk.edit("d1:0", 1, {"fatalities": 90}, "amal")  # a high toll goes first
    assert [r.event_id for r in desk.query(Filters())] == ["d1:0", "h1:0"]
    assert [r.event_id for r in desk.query(Filters(admin1="Idlib"))] == ["d1:0"]
    assert [r.event_id for r in desk.query(Filters(actor="militia"))] == ["h1:0"]
    assert [r.event_id for r in desk.query(Filters(source="observatory"))] == ["d1:0"]
    assert [r.event_id for r in desk.query(Filters(date_from="2018-03-05"))] == ["h1:0"]
    assert [r.event_id for r in desk.query(Filters(conf_max=0.5))] == ["h1:0"]
    assert [r.event_id for r in desk.query(Filters(event_type="Battles"))] == ["h1:0"]
    desk.set_state("h1:0", 1, "rejected", "amal")
    assert [r.event_id for r in desk.query(Filters(states=("pending",)))] == ["d1:0"]
    counts = desk.counts(Filters(states=("pending",)))
    assert counts["pending"] == 1 and counts["rejected"] == 1 and counts["total"] == 2


def test_add_event_and_users_sessions(desk: Desk) -> None:
    desk.import_records(*sample_doc())
    ev = desk.add_event("d1", {"event_type": "Battles", "sub_event_type": "Armed clash", "fatalities": "2"},
                        [(0, 20)], "amal")
    assert ev.origin == "reviewer" and ev.state == "approved" and ev.record["evidence"] == [[0, 20]]
    assert ev.original is None
    desk.add_user("amal", "hash", "reviewer")
    assert desk.user("amal") == ("hash", "reviewer")
    with pytest.raises(Invalid):
        desk.add_user("x", "h", "god")
    desk.add_session("tok", "amal", "9999-01-01")
    assert desk.session_user("tok") == ("amal", "reviewer")
    desk.drop_session("tok")
    assert desk.session_user("tok") is None


def test_import_store(desk: Desk, tmp_path: Path) -> None:
    from marsad.model import Document, Event
    from marsad.store.sqlite import Store

    doc, _ = sample_doc()
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        store.add_result(Document("d1", doc["text"]), [Event("d1", "d1:0", "Battles", "Armed clash",
                                                             evidence=((0, 10),))])
    assert desk.import_store(path) == (1, 1)  # into SQLite or PostgreSQL alike
    assert desk.import_store(path) == (1, 0)
    assert desk.document("d1")["text"] == doc["text"]
    same = Desk.open(path)  # a SQLite desk's tables beside the store's, in the same file
    assert same.import_store(path) == (1, 1) and same.event("d1:0").state == "pending"
    same.close()
    with pytest.raises(StoreError):
        desk.import_store(tmp_path / "missing.db")


def test_merge_and_split(desk: Desk) -> None:
    doc, events = sample_doc("d1")
    second = dict(events[0], event_id="d1:1", evidence=[[100, 120]])
    desk.import_records(doc, [events[0], second])
    kept = desk.merge("d1:0", 1, "d1:1", 1, "amal")
    assert kept.version == 2 and [100, 120] in kept.record["evidence"] \
        and "merged:d1:1" in kept.record["tags"]
    assert desk.event("d1:1").state == "deleted"
    assert [h["action"] for h in desk.history("d1:1")] == ["import", "merge"]
    with pytest.raises(Conflict):
        desk.merge("d1:0", 1, "d1:1", 2, "omar")  # stale: nothing changes
    assert desk.event("d1:1").version == 2
    copy = desk.split("d1:0", 2, "omar")
    assert copy.origin == "reviewer" and copy.state == "pending" and copy.record["location"] == "Kafr Nabl"
    assert desk.event("d1:0").version == 2
    with pytest.raises(Invalid):
        desk.merge("d1:0", 2, "d1:0", 2, "amal")
