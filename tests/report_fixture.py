"""A small hand-built store for the report tests: four short reports written for these tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from marsad.model import Document, Event
from marsad.store import Store

REPORTS = {
    "r1": ("قتل سبعة مدنيين في غارات جوية على مدينة سراقب في ريف إدلب، بحسب المرصد السوري لحقوق الإنسان.",
           date(2018, 3, 5)),
    "r2": ("اندلعت اشتباكات عنيفة بين القوات الحكومية ومقاتلي المعارضة في دوما، وقتل عشرون مقاتلا.",
           date(2018, 4, 10)),
    "r3": ("قتل خمسة أشخاص بقصف مدفعي على مدينة تعز.", date(2018, 6, 2)),
    "r4": ("تظاهر مئات في المدينة.", None),
}


def span(doc_id: str, words: str, cut: int = 0) -> tuple[int, int]:
    """Offsets of ``words`` in a report; ``cut`` moves the start inside the first word (as a
    provenance span that left out a clitic would)."""
    text = REPORTS[doc_id][0]
    start = text.index(words)
    return start + cut, start + len(words)


def _event(doc_id: str, event_id: str, marks: dict[str, tuple[int, int]], **kw) -> Event:
    text = REPORTS[doc_id][0]
    prov = tuple((name, s, e) for name, (s, e) in marks.items())
    return Event(doc_id=doc_id, event_id=event_id, evidence=((0, len(text)),), provenance=prov, **kw)


EVENTS = {
    "r1": [_event("r1", "e1", {"fatalities": span("r1", "سبعة"), "location": span("r1", "سراقب", cut=2),
                               "source": span("r1", "المرصد السوري")},
                  event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
                  event_date="2018-03-04", country="SY", admin1="Idlib", location="Saraqib", latitude=35.86,
                  longitude=36.8, fatalities=7, confidence=0.9, actor1="Military Forces of Syria",
                  actor2="Civilians (Syria)", source="Syrian Observatory for Human Rights")],
    "r2": [_event("r2", "e2", {"location": span("r2", "دوما"), "fatalities": span("r2", "عشرون")},
                  event_type="Battles", sub_event_type="Armed clash", event_date="2018-04-10", country="SY",
                  admin1="Rif Dimashq", location="Douma", latitude=33.57, longitude=36.4, fatalities=20,
                  confidence=0.6)],
    "r3": [_event("r3", "e3", {"location": span("r3", "تعز")}, event_type="Explosions/Remote violence",
                  sub_event_type="Shelling/artillery/missile attack", event_date="2018-06-02", country="YE",
                  admin1="Taizz", location="Taizz", latitude=13.58, longitude=44.02, fatalities=5,
                  confidence=0.8)],
    "r4": [_event("r4", "e4", {}, event_type="Protests", sub_event_type="Peaceful protest", event_date=None,
                  country="SY", fatalities=0, confidence=0.3)],
}


def build_store(path: Path, *, incidents: bool = False, incident_confidence: bool = False) -> Path:
    """Write the fixture store; with ``incidents``, an ``incidents`` table as consolidation writes it
    (r1 and r2 reported as one incident each, r3's by two sources)."""
    with Store.open(path) as store:
        for doc_id, (text, published) in REPORTS.items():
            store.add_result(Document(doc_id, text, published, None, "test-outlet", f"https://example.org/{doc_id}"),
                             EVENTS[doc_id])
        if incidents:
            # as marsad.consolidate writes them: the filter's columns, the incident record (JSON)
            if incident_confidence:
                store.conn.execute("ALTER TABLE incidents ADD COLUMN confidence REAL")
            rows = [("i1", "Explosions/Remote violence", "SY", "Idlib", "Saraqib", 35.86, 36.8,
                     "2018-03-04", 8, 1),
                    ("i2", "Battles", "SY", "Rif Dimashq", "Douma", 33.57, 36.4, "2018-04-10", 20, 1),
                    ("i3", "Explosions/Remote violence", "YE", "Taizz", "Taizz", 13.58, 44.02,
                     "2018-06-02", 6, 2)]
            for iid, etype, country, admin1, location, lat, lon, day, killed, n in rows:
                record = {"incident_id": iid, "event_type": etype, "country": country, "admin1": admin1,
                          "location": location, "latitude": lat, "longitude": lon, "event_date": day,
                          "fatalities": killed, "n_sources": n}
                cols = "incident_id, block, event_type, country, admin1, event_date, fatalities, " \
                    "n_sources, record" + (", confidence" if incident_confidence else "")
                values = (iid, f"{etype}|{country}", etype, country, admin1, day, killed, n,
                          json.dumps(record)) + ((0.9,) if incident_confidence else ())
                store.conn.execute(f"INSERT INTO incidents ({cols}) VALUES ({', '.join('?' * len(values))})",
                                   values)
    return path
