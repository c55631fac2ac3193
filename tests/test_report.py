"""marsad report / stats / export filters: the numbers, the evidence highlighting, the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from marsad.cli import main
from marsad.errors import MarsadError
from marsad.report.html import write_report
from marsad.report.tables import (
    UNKNOWN,
    EventFilter,
    admin1_by_month,
    connect,
    format_table,
    load_items,
    segments,
    series_by_type,
    top_items,
)
from marsad.run.extract import export_db
from marsad.store import Store
from report_fixture import REPORTS, build_store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_store(tmp_path / "ev.db")


def test_filter_parse_normalises_and_rejects() -> None:
    f = EventFilter.parse("syria", "2018-03-01", "2018-04-30", "battles", 0.5)
    assert (f.country, f.date_from, f.date_to, f.event_type, f.min_confidence) == \
        ("SY", "2018-03-01", "2018-04-30", "Battles", 0.5)
    assert EventFilter.parse().empty
    for kwargs, flag in (({"country": "Atlantis"}, "--country"), ({"date_from": "2018-02-30"}, "--from"),
                         ({"event_type": "Skirmish"}, "--type"),
                         ({"min_confidence": 1.5}, "--min-confidence"),
                         ({"date_from": "2018-05-01", "date_to": "2018-04-01"}, "--from")):
        with pytest.raises(MarsadError, match=flag):
            EventFilter.parse(**kwargs)


@pytest.mark.parametrize("flt", [
    EventFilter(), EventFilter(country="SY"), EventFilter(country="YE"), EventFilter(event_type="Battles"),
    EventFilter(date_from="2018-04-01"), EventFilter(date_to="2018-04-10"), EventFilter(min_confidence=0.7),
    EventFilter(country="SY", date_from="2018-03-01", date_to="2018-03-31", min_confidence=0.5),
])
def test_sql_and_record_filters_agree(db: Path, flt: EventFilter) -> None:
    conn = connect(db)
    by_sql = {i.item_id for i in load_items(conn, flt).items}
    with Store.open(db) as store:
        by_record = {r["event_id"] for r in store.iter_events() if flt.matches(r)}
    assert by_sql == by_record


def test_admin1_by_month_keeps_every_event(db: Path) -> None:
    items = load_items(connect(db), EventFilter(country="SY")).items
    fat = admin1_by_month(items, measure="fatalities")
    assert fat.rows == ("Rif Dimashq", "Idlib", UNKNOWN)
    assert fat.cols == ("2018-03", "2018-04", UNKNOWN)
    assert fat.cells == ((0, 20, 0), (7, 0, 0), (0, 0, 0))
    assert fat.total == 27 and fat.col_totals == (7, 20, 0)
    ev = admin1_by_month(items, measure="events")
    assert ev.total == 3 and ev.row_totals == (1, 1, 1)
    both = admin1_by_month(load_items(connect(db), EventFilter()).items)
    assert "YE / Taizz" in both.rows and both.total == 32
    text = format_table(fat)
    assert text.splitlines()[1].split() == ["admin1", "2018-03", "2018-04", UNKNOWN, "total"]
    assert text.splitlines()[-1].split() == ["total", "7", "20", "0", "27"]


def test_series_has_every_week_of_the_span(db: Path) -> None:
    series = series_by_type(load_items(connect(db), EventFilter()).items)
    assert set(series) == {"Battles", "Explosions/Remote violence"}  # the undated protest is left out
    weeks = list(series["Battles"])
    assert weeks[0] == "2018-02-26" and weeks[-1] == "2018-05-28" and len(weeks) == 14
    assert series["Battles"]["2018-04-09"] == (1, 20)
    assert sum(v[1] for v in series["Explosions/Remote violence"].values()) == 12


def test_highlights_wrap_whole_words() -> None:
    text = REPORTS["r1"][0]
    loc = text.index("سراقب")
    segs = segments(text, (0, len(text)), {"location": [loc + 2, loc + 5], "fatalities": [4, 8]})
    assert "".join(s.text for s in segs) == text  # nothing lost, nothing rewritten
    marked = {s.field: s.text for s in segs if s.field}
    assert marked == {"location": "سراقب", "fatalities": "سبعة"}
    pos = 0
    for s in segs:  # no segment starts or ends inside a word
        assert pos == 0 or not (re.match(r"\w", text[pos - 1]) and re.match(r"\w", text[pos]))
        pos += len(s.text)


def test_top_items_carry_evidence_and_sources(db: Path) -> None:
    conn = connect(db)
    top = top_items(conn, load_items(conn, EventFilter()), 2)
    assert [t.item.item_id for t in top] == ["e2", "e1"]
    ev = top[1].evidence[0]
    assert ev.outlet == "test-outlet" and ev.url == "https://example.org/r1"
    assert ev.source == "Syrian Observatory for Human Rights"
    assert top[1].actors == "Military Forces of Syria vs Civilians (Syria)"


def test_incidents_are_used_when_consolidation_exists(tmp_path: Path) -> None:
    db = build_store(tmp_path / "inc.db", incidents=True)
    conn = connect(db)
    sel = load_items(conn, EventFilter())
    assert sel.consolidated and {i.item_id for i in sel.items} == {"i1", "i2", "i3"}
    assert admin1_by_month(sel.items).total == 34
    assert top_items(conn, sel, 1)[0].item.item_id == "i2"
    # incidents without a confidence column cannot honour a confidence cut: events are used
    cut = load_items(conn, EventFilter(min_confidence=0.5))
    assert not cut.consolidated and {i.item_id for i in cut.items} == {"e1", "e2", "e3"}
    db2 = build_store(tmp_path / "inc2.db", incidents=True, incident_confidence=True)
    assert load_items(connect(db2), EventFilter(min_confidence=0.5)).consolidated


def test_stats_and_export_commands(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(db), "--country", "SY"]) == 0
    out = capsys.readouterr().out
    assert "Fatalities by admin-1 and month" in out and "Rif Dimashq" in out and "Taizz" not in out
    assert main(["export", "--db", str(db), "-o", str(tmp_path / "f.jsonl"), "--min-confidence", "0.7"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["event_id"] for r in rows} == {"e1", "e3"}
    assert export_db(db, tmp_path / "all.jsonl") == 4
    assert main(["stats", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no such store" in capsys.readouterr().err


def test_report_is_one_self_contained_page(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert write_report(db, out, EventFilter(country="SY")) == 3
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link[^>]+href=", html)  # nothing to fetch
    assert "Plotly.newPlot" in html and 'id="map"' in html
    assert '<p class="ar" dir="rtl" lang="ar">' in html
    assert '<mark class="f-location" title="location">سراقب</mark>' in html
    assert "not consolidated" in html and "No confidence cut" in html
    assert "Rif Dimashq" in html and "Taizz" not in html.split("<script>")[0]
    assert main(["report", "--db", str(db), "-o", str(out), "--type", "Protests",
                 "--from", "2018-01-01"]) == 0
    assert "Nothing matches the selection" in out.read_text(encoding="utf-8")
