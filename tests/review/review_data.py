"""Short reports written for the review desk's tests (no corpus text), one of them hostile,
and the machine events of each, hand-built."""

from __future__ import annotations

from typing import Any

TEXT = ("قتل خمسة مدنيين أمس في قصف جوي على بلدة كفرنبل بريف إدلب، بحسب المرصد السوري لحقوق الإنسان. "
        "وقالت مصادر محلية إن الطائرات استهدفت سوقا شعبيا.")
HOSTILE = ('<script>alert("x")</script> قتل ثلاثة عناصر في اشتباك <img src=x onerror=alert(1)> '
           'قرب مدينة درعا & "quoted" \'single\' </textarea></div>')


def span(text: str, part: str) -> list[int]:
    s = text.index(part)
    return [s, s + len(part)]


def sample_doc(doc_id: str = "d1") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A short report and the machine's event of it (hand-built)."""
    doc = {"doc_id": doc_id, "text": TEXT, "published": "2018-03-05", "title": None}
    ev = {"doc_id": doc_id, "event_id": f"{doc_id}:0", "event_date": "2018-03-04", "time_precision": 1,
          "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
          "actor1": None, "actor2": "Civilians (Syria)", "assoc_actor_1": None, "assoc_actor_2": None,
          "inter1": 0, "inter2": 7, "actor1_text": None, "actor2_text": "مدنيين", "country": "SY",
          "admin1": "Idlib", "admin2": None, "location": "Kafr Nabl", "location_text": "كفرنبل",
          "latitude": 35.61, "longitude": 36.56, "geo_precision": 1, "geonameid": None, "fatalities": 5,
          "fatalities_low": None, "fatalities_high": None, "injuries": None,
          "source": "Syrian Observatory for Human Rights", "source_text": "المرصد السوري لحقوق الإنسان",
          "notes": "", "tags": [], "evidence": [span(TEXT, TEXT.split(".")[0])], "confidence": 0.55,
          "provenance": {"actor2": span(TEXT, "مدنيين"), "location": span(TEXT, "كفرنبل"),
                         "fatalities": span(TEXT, "خمسة"), "event_date": span(TEXT, "أمس"),
                         "source": span(TEXT, "المرصد السوري لحقوق الإنسان"),
                         "trigger": span(TEXT, "قصف جوي")}}
    return doc, [ev]


def hostile_doc(doc_id: str = "h1") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    bad = '"><script>alert(2)</script>'
    doc = {"doc_id": doc_id, "text": HOSTILE, "published": "2018-03-05", "title": "<b>عنوان</b>" + bad}
    text = doc["title"] + "\n\n" + HOSTILE
    doc["text"] = text
    ev = {"doc_id": doc_id, "event_id": f"{doc_id}:0", "event_date": "2018-03-05", "time_precision": 1,
          "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Militia" + bad,
          "actor2": "<img src=x onerror=alert(3)>", "country": "SY", "admin1": "Daraa" + bad,
          "location": "Daraa" + bad, "latitude": 32.6, "longitude": 36.1, "geo_precision": 1, "fatalities": 3,
          "source": bad, "notes": bad, "tags": [bad], "confidence": 0.4, "assoc_actor_1": bad,
          "assoc_actor_2": bad, "admin2": bad, "location_text": bad, "actor1_text": bad, "source_text": bad,
          "evidence": [span(text, "قتل ثلاثة عناصر في اشتباك")],
          "provenance": {"location": span(text, "درعا"), "fatalities": span(text, "ثلاثة"),
                         "actor1": span(text, "<img src=x onerror=alert(1)>")}}
    return doc, [ev]
