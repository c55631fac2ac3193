"""Output writers round-trip: jsonl, csv, geojson, parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marsad.errors import OutputError, UnsupportedFormatError
from marsad.io.writers import (
    DOCUMENT_FIELDS,
    RECORD_FIELDS,
    format_evidence,
    open_writer,
    parse_evidence,
    read_events,
    read_events_csv,
    read_events_jsonl,
)
from marsad.model import EVENT_FIELDS, Event


def make_events() -> list[Event]:
    return [
        Event(
            doc_id="d1", event_id="d1-0", event_type="Battles", sub_event_type="Armed clash",
            event_date="2018-04-24", actor1="Military Forces of Syria", actor2="Islamic State",
            inter1=1, inter2=2, actor1_text="قوات النظام", actor2_text="تنظيم الدولة", country="SY",
            admin1="Deir ez-Zor", location="Deir ez-Zor", location_text="دير الزور",
            latitude=35.336, longitude=40.141, geo_precision=1, geonameid=170794, fatalities=38,
            fatalities_low=30, fatalities_high=40, injuries=12, source="Syrian Observatory for Human Rights",
            source_text="المرصد السوري", notes='Clash, with "quotes", commas; and\nnewline.',
            tags="suicide bomb;car bomb", evidence=((0, 10), (25, 60)), confidence=0.83,
            provenance=(("actor1", 3, 14), ("location", 20, 29)),
        ),
        Event(
            doc_id="d1", event_id="d1-1", event_type="Protests", sub_event_type="Peaceful protest",
            country="SY",
        ),
        Event(
            doc_id="d2", event_id="d2-0", event_type="Explosions/Remote violence",
            sub_event_type="Air/drone strike", latitude=15.35, longitude=44.2, fatalities=4,
            evidence=((5, 9),),
        ),
    ]


def test_evidence_format():
    assert format_evidence([[0, 5], [9, 20]]) == "0:5;9:20"
    assert format_evidence([]) == ""
    assert parse_evidence("0:5;9:20") == [[0, 5], [9, 20]]
    assert parse_evidence("") == []


def test_jsonl_round_trip_and_append(tmp_path: Path):
    events = make_events()
    out = tmp_path / "sub" / "ev.jsonl"
    with open_writer(out) as w:
        w.write(events[0])
        w.write_many(events[1:2])
    with open_writer(out, append=True) as w:
        w.write(events[2].to_record())  # records are accepted too
        assert w.count == 1
    text = out.read_text(encoding="utf-8")
    assert "قوات النظام" in text  # not \\u-escaped
    assert text.count("\n") == 3
    got = list(read_events_jsonl(out))
    assert got == [json.loads(json.dumps(e.to_record())) for e in events]
    assert list(got[0]) == [*EVENT_FIELDS, "provenance"]


def test_jsonl_reader_tolerates_partial_last_line(tmp_path: Path):
    out = tmp_path / "ev.jsonl"
    with open_writer(out) as w:
        w.write_many(make_events())
    with open(out, "ab") as fh:
        fh.write(b'{"doc_id": "d3", "ev')
    assert len(list(read_events_jsonl(out))) == 3
    out.write_text('{"a": 1}\nnot json\n{"b": 2}\n', encoding="utf-8")
    with pytest.raises(OutputError, match=":2:"):
        list(read_events_jsonl(out))


def test_csv_round_trip(tmp_path: Path):
    events = make_events()
    out = tmp_path / "ev.csv"
    with open_writer(out) as w:
        w.write_many(events[:2])
    with open_writer(out, append=True) as w:  # no second header
        w.write(events[2])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(RECORD_FIELDS)  # the event's fields, then its document's
    assert sum(1 for x in lines if x.startswith("doc_id,")) == 1
    got = list(read_events_csv(out))
    assert len(got) == 3
    for rec, ev in zip(got, events, strict=True):
        want = ev.to_record()
        want.pop("provenance")
        assert rec == {**want, **dict.fromkeys(DOCUMENT_FIELDS)}
    assert "0:10;25:60" in out.read_text(encoding="utf-8")


def test_csv_with_provenance(tmp_path: Path):
    out = tmp_path / "ev.csv"
    with open_writer(out, provenance=True) as w:
        w.write_many(make_events())
    got = list(read_events(out))
    assert got[0]["provenance"] == {"actor1": [3, 14], "location": [20, 29]}


def test_geojson(tmp_path: Path):
    out = tmp_path / "ev.geojson"
    with open_writer(out) as w:
        w.write_many(make_events())
        assert not out.exists()  # written to a temporary file, renamed on close
    assert w.count == 3 and w.skipped == 0  # an event without a place: null geometry, not dropped
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert [f["geometry"] is None for f in data["features"]] == [False, True, False]
    f0 = data["features"][0]
    assert f0["geometry"] == {"type": "Point", "coordinates": [40.141, 35.336]}
    assert f0["properties"]["event_id"] == "d1-0" and f0["properties"]["actor1_text"] == "قوات النظام"
    assert [r["event_id"] for r in read_events(out)] == ["d1-0", "d1-1", "d2-0"]
    with pytest.raises(OutputError):
        open_writer(out, append=True)


def test_geojson_empty(tmp_path: Path):
    out = tmp_path / "none.geojson"
    with open_writer(out):
        pass
    assert json.loads(out.read_text(encoding="utf-8")) == {"type": "FeatureCollection", "features": []}


def test_parquet_round_trip(tmp_path: Path):
    pytest.importorskip("pyarrow")
    events = make_events()
    out = tmp_path / "ev.parquet"
    with open_writer(out, batch_size=2) as w:
        w.write_many(events)
    got = list(read_events(out))
    assert [r["event_id"] for r in got] == ["d1-0", "d1-1", "d2-0"]
    assert got[0] == {**json.loads(json.dumps(events[0].to_record())), **dict.fromkeys(DOCUMENT_FIELDS)}
    assert got[1]["latitude"] is None and got[1]["evidence"] == []


def test_unknown_format(tmp_path: Path):
    with pytest.raises(UnsupportedFormatError):
        open_writer(tmp_path / "ev.xlsx")
