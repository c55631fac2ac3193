"""Tests of source (attribution) recognition; fixtures are our own short sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Analysis, Document, MentionKind
from marsad.recognise.sources import find_sources, outlet_source
from marsad.text.normalise import normalise


def analyse(text: str) -> Analysis:
    norm, offsets = normalise(text)
    return Analysis(doc=Document("d", text), norm=norm, offsets=offsets)


def names(text: str, country: str | None = None) -> list[str]:
    return [m.value for m in find_sources(analyse(text), default_country=country)]


@pytest.mark.parametrize(("text", "value"), [
    ("قال المرصد السوري لحقوق الإنسان إن القصف استمر", "Syrian Observatory for Human Rights"),
    ("وأفادت مصادر طبية وأمنية بسقوط قتلى", "Medical and security sources"),
    ("وقال مصدر أمني عراقي إن الهجوم وقع", "Iraqi security source"),
    ("بحسب مصادر محلية، تجدد القصف", "Local sources"),
    ("وذكرت وكالة الأنباء السورية (سانا) أن", "Syrian state media"),
    ("وبث التلفزيون السوري صورا", "Syrian state media"),
    ("وقال الجيش الإسرائيلي في بيان إنه رد", "Military Forces of Israel"),
    ("وأعلنت وزارة الصحة في غزة الحصيلة", "Ministry of Health (Gaza)"),
    ("وفقا لوكالة رويترز", "Reuters"),
    ("ونقلت فرانس برس عن شهود", "AFP"),
    ("وذكرت وكالة الأنباء اليمنية سبأ", "Saba News Agency"),
    ("وقال مسؤول لسكاي نيوز عربية", "Sky News Arabia"),
    ("وقال متحدث لقناة العربية", "Al Arabiya"),
    ("وأوضح مراسل فرانس 24", "France 24"),
    ("وأكد الدفاع المدني انتشال الجثث", "Syrian Civil Defence"),
])
def test_sources_with_cues(text: str, value: str) -> None:
    assert value in names(text, "SY")


def test_verb_recorded() -> None:
    (m,) = find_sources(analyse("وأفادت مصادر محلية بسقوط صاروخ"))
    assert m.kind is MentionKind.SOURCE
    assert m.attr("verb") == "افادت" and m.attr("verb_start") == 1
    assert m.span.text == "مصادر محلية"


def test_ambiguous_outlet_needs_cue() -> None:
    assert names("زار المملكة العربية السعودية") == []
    assert names("تعلم اللغة العربية") == []
    assert names("مصادر كثيرة للمياه") == []  # generic source without a cue
    assert names("أعلنت الدول العربية موقفها") == []
    assert names("أعلن اليوم عن خطة") == []
    assert names("وقالت متحدثة باسم الجيش الإسرائيلي إن") == ["Military Forces of Israel"]


def test_outlet_fallback() -> None:
    assert outlet_source("skynews") == "Sky News Arabia"
    assert outlet_source("france24") == "France 24"
    assert outlet_source("alarabia") == "Al Arabiya"
    assert outlet_source("CNN") == "CNN"
    assert outlet_source("BBC") == "BBC"
    assert outlet_source("aawsat") == "Asharq al-Awsat"
    assert outlet_source("okaz") == "Okaz"
    assert outlet_source(None) is None


_WORDS = ["وقال", "المرصد السوري", "مصادر طبية", "وأفادت", "العربية", "بحسب", "مصدر أمني عراقي", "َ",
          "ــ", "،", "\n", "الجيش الإسرائيلي", "سانا", "في"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=16))
def test_source_spans_are_faithful(words: list[str]) -> None:
    text = " ".join(words)
    a = analyse(text)
    for m in find_sources(a):
        assert a.doc.text[m.span.start:m.span.end] == m.span.text


def test_authorities_and_outlet_attribution() -> None:
    assert names("وأعلنت السلطات العراقية حظر التجول") == ["Iraqi authorities"]
    assert names("وقالت الحكومة الأردنية إن") == ["Government of Jordan"]
    assert "Field sources (Sky News Arabia)" in names("وقالت مصادر ميدانية لسكاي نيوز عربية إن")
    assert names("وقال مصدر في الشرطة") == ["Police source"]
