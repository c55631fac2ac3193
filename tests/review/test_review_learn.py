"""marsad learn: reviewed events become annotations that the training corpus's validator
accepts; two reviewers of the same article give an agreement figure."""

from __future__ import annotations

import json
from pathlib import Path

from review_data import sample_doc

from marsad.annotations.validate import validate_record
from marsad.cli import main
from marsad.review.db import Desk
from marsad.review.learn import reviewed_annotations, reviewer_agreement


def test_reviewed_events_become_valid_annotations(desk: Desk) -> None:
    doc, events = sample_doc("d1")
    desk.import_records(doc, events)
    desk.import_records(*sample_doc("d2"))
    # amal corrects the actor and approves; omar approves the machine's event as it was
    desk.edit("d1:0", 1, {"actor1": "Military Forces of Russia"}, "amal")
    desk.set_state("d1:0", 2, "approved", "amal")
    desk.set_state("d1:0", 3, "approved", "omar")
    text = doc["text"]
    s = text.index("الطائرات")
    desk.add_event("d1", {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike"},
                   [(s, s + len("الطائرات استهدفت سوقا شعبيا"))], "amal")
    desk.set_state("d2:0", 1, "rejected", "amal")
    records = list(reviewed_annotations(desk))
    assert sorted((r["doc_id"], r["coder"]) for r in records) == [
        ("d1", "review:amal"), ("d1", "review:omar"), ("d2", "review:amal")]
    for r in records:
        assert validate_record(r, text, None, None) == [], r
    amal = next(r for r in records if r["coder"] == "review:amal" and r["doc_id"] == "d1")
    assert [e["actor1"] for e in amal["events"]] == ["Military Forces of Russia", None]
    assert amal["events"][0]["fatalities"] == 5 and amal["events"][0]["location_span"] is not None
    roles = {(m["role"], m["event"]) for m in amal["mentions"]}
    assert ("actor2", 0) in roles and ("actor1", 0) not in roles  # a corrected value has no span
    labels = [x[2] for x in amal["sentences"]]
    assert labels == ["event", "event"]
    d2 = next(r for r in records if r["doc_id"] == "d2")
    assert d2["events"] == [] and {x[2] for x in d2["sentences"]} == {"none"}
    report = reviewer_agreement(records, {"d1": text, "d2": text})
    assert report is not None and report["articles"] == 1
    assert 0 < report["events"]["event_f1"] < 1  # omar kept one event of amal's two


def test_a_half_reviewed_article_is_not_written(desk: Desk) -> None:
    desk.import_records(*sample_doc("d1"))
    desk.edit("d1:0", 1, {"fatalities": 6}, "amal")  # edited, never approved nor rejected
    assert list(reviewed_annotations(desk)) == []


def test_learn_command(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    desk = Desk.open(db)
    desk.import_records(*sample_doc("d1"))
    desk.set_state("d1:0", 1, "approved", "amal")
    desk.close()
    out = tmp_path / "annotations" / "review.jsonl"
    assert main(["learn", "--db", str(db), "-o", str(out)]) == 0
    [rec] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rec["coder"] == "review:amal" and len(rec["events"]) == 1
