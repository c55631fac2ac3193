"""SQLite store: schema, idempotency, queries, runs, failures, crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from marsad.errors import StoreError
from marsad.model import Document, Event, Failure
from marsad.store import Store, content_hash, default_db_path

TEXT = "اشتباكات في دير الزور\n\nقتل ثمانية وثلاثون شخصا في هجوم على مواقع للجيش قرب المطار."


def doc(doc_id: str = "d1", text: str = TEXT) -> Document:
    return Document(doc_id, text, date(2018, 4, 24), "اشتباكات في دير الزور", "test", "https://example.org/1")


def events(doc_id: str = "d1", n: int = 2) -> list[Event]:
    return [
        Event(doc_id=doc_id, event_id=f"{doc_id}-{i}", event_type="Battles", sub_event_type="Armed clash",
              event_date="2018-04-24", country="SY", location="Deir ez-Zor", fatalities=38 if i == 0 else 0,
              evidence=((23, 60),), provenance=(("location", 13, 21),))
        for i in range(n)
    ]


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "db" / "m.db") as s:
        yield s


def test_content_hash():
    assert content_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert len(content_hash(TEXT)) == 64


def test_open_creates_wal_db(tmp_path: Path):
    path = tmp_path / "a" / "b" / "m.db"
    with Store.open(path) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.stats() == {"documents": 0, "events": 0, "spans": 0, "runs": 0, "failures": 0}
    assert path.exists()
    with Store.open(path) as s:  # reopening keeps the schema
        assert s.stats()["documents"] == 0


def test_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("MARSAD_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    with Store.open() as s:
        assert Path(s.path) == tmp_path / "env.db"
    monkeypatch.delenv("MARSAD_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "marsad" / "marsad.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_db_path() == Path.home() / ".local" / "share" / "marsad" / "marsad.db"


def test_not_a_database(tmp_path: Path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store.open(p)


def test_add_result_is_idempotent(store: Store):
    run = store.start_run({"inputs": ["a.jsonl"], "workers": 2})
    h = store.add_result(doc(), events(), run)
    assert h == content_hash(TEXT) and store.is_done(h)
    assert not store.is_done(content_hash("other"))
    before = store.stats()
    assert before["documents"] == 1 and before["events"] == 2 and before["spans"] == 4
    store.add_result(doc(), events(), run)
    assert store.stats() == before
    # the same text re-extracted with fewer events replaces, never accumulates
    store.add_result(doc(), events(n=1), run)
    assert store.stats()["events"] == 1 and store.stats()["spans"] == 2
    assert store.get_document("d1") == doc()


def test_revised_text_under_the_same_id(store: Store):
    store.add_result(doc(), events())
    store.add_result(doc(text=TEXT + " (محدث)"), events("d1", 1))  # same event id d1-0 moves
    assert store.stats()["documents"] == 2 and store.stats()["events"] == 2
    counts = dict(store.conn.execute("SELECT content_hash, n_events FROM documents"))
    assert counts == {content_hash(TEXT): 1, content_hash(TEXT + " (محدث)"): 1}
    store.add_result(doc(text=TEXT + " (2)"), events("d1", 1), replace_doc_id=True)
    assert store.stats()["documents"] == 1 and store.stats()["events"] == 1
    assert store.get_document("d1").text.endswith("(2)")


def test_spans_hold_the_text(store: Store):
    store.add_result(doc(), events(n=1))
    spans = list(store.iter_spans("d1-0"))
    assert spans == [("location", 13, 21, TEXT[13:21]), ("evidence", 23, 60, TEXT[23:60])]


def test_iter_events_order_and_filters(store: Store):
    store.add_result(doc("b", TEXT + " ب"), events("b"))
    store.add_result(doc("a", TEXT + " أ"), events("a", 3))
    store.add_result(
        doc("c", TEXT + " ج"),
        [Event(doc_id="c", event_id="c-0", event_type="Protests", sub_event_type="Peaceful protest",
               event_date="2018-05-01", country="IQ")],
    )
    ids = [r["event_id"] for r in store.iter_events()]
    assert ids == ["a-0", "a-1", "a-2", "b-0", "b-1", "c-0"]
    assert [r["event_id"] for r in store.iter_events(country="IQ")] == ["c-0"]
    assert [r["event_id"] for r in store.iter_events(doc_id="b")] == ["b-0", "b-1"]
    assert len(list(store.iter_events(event_type="Battles", since="2018-04-24", until="2018-04-24"))) == 5
    assert list(store.iter_events(since="2018-04-25"))[0]["event_id"] == "c-0"
    rec = next(store.iter_events())
    assert rec == events("a", 1)[0].to_record() | {"evidence": [[23, 60]],
                                                   "provenance": {"location": [13, 21]}}


def test_runs_and_failures(store: Store):
    run = store.start_run(["extract", "in.jsonl"])
    store.add_failure(Failure("x", "malformed JSON: ...", "in.jsonl:3"), run)
    store.add_failure(Failure("y", "empty text", "in.jsonl:4"), run, content_hash("  "))
    store.finish_run(run, {"documents": 10, "events": 4, "failures": 2})
    info = store.get_run(run)
    assert info is not None and info["finished"] and info["counts"]["failures"] == 2
    assert info["args"] == ["extract", "in.jsonl"]
    assert [f.doc_id for f in store.iter_failures(run)] == ["x", "y"]
    assert list(store.iter_failures("other")) == []
    with pytest.raises(StoreError):
        store.finish_run("no-such-run", {})


SCRIPT = textwrap.dedent(
    """
    import sys
    from marsad.model import Document, Event
    from marsad.store import Store
    store = Store.open(sys.argv[1])
    for i in range(100000):
        d = Document(f"doc{i}", f"نص الخبر رقم {i}")
        evs = [Event(doc_id=d.doc_id, event_id=f"{d.doc_id}-{j}", event_type="Battles",
                     sub_event_type="Armed clash") for j in range(i % 5)]
        store.add_result(d, evs)
    """
)


@pytest.mark.slow
def test_sigkill_leaves_no_half_documents(tmp_path: Path):
    script = tmp_path / "fill.py"
    script.write_text(SCRIPT, encoding="utf-8")
    db = tmp_path / "k.db"
    proc = subprocess.Popen([sys.executable, str(script), str(db)])
    deadline = time.time() + 20
    while time.time() < deadline:  # wait until some documents are in
        time.sleep(0.2)
        if db.exists():
            try:
                with Store.open(db) as s:
                    if s.stats()["documents"] > 50:
                        break
            except StoreError:
                pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store.open(db) as s:
        n_docs = s.stats()["documents"]
        assert n_docs > 50
        bad = s.conn.execute(
            "SELECT d.doc_id FROM documents d WHERE d.n_events !="
            " (SELECT COUNT(*) FROM events e WHERE e.content_hash = d.content_hash)"
        ).fetchall()
        assert bad == []
        orphans = s.conn.execute(
            "SELECT COUNT(*) FROM events e WHERE NOT EXISTS"
            " (SELECT 1 FROM documents d WHERE d.content_hash = e.content_hash)"
        ).fetchone()[0]
        assert orphans == 0
