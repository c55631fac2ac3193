"""Sentence-level detection (``marsad eval --sentences``) on short hand-written sentences."""

from __future__ import annotations

from datetime import date

import pytest

from marsad.eval.sentences import Detection, detect, format_detection, sentence_documents
from marsad.model import Document

TEXT = ("قتل خمسة مدنيين أمس في غارة جوية على مدينة سراقب في ريف إدلب. "
        "تظاهر مئات المحتجين اليوم في ساحة التحرير ببغداد للمطالبة بالخدمات. "
        "وقال الوزير إن الحكومة ستعقد اجتماعا الأسبوع المقبل.")


def _coded() -> tuple[dict, dict[str, Document]]:
    doc = Document.from_parts("t1", TEXT, date(2018, 3, 5))
    a = TEXT.index("تظاهر")
    b = TEXT.index("وقال")
    rec = {"doc_id": "t1", "sentences": [
        [0, a - 1, "event", "Explosions/Remote violence", "Air/drone strike"],
        [a, b - 1, "event", "Protests", "Peaceful protest"],
        [b, len(TEXT), "none", None, None]]}
    return rec, {"t1": doc}


def test_detection_arithmetic() -> None:
    d = Detection("attack", tp=3, fp=1, fn=2)
    assert d.precision == pytest.approx(0.75) and d.recall == pytest.approx(0.6)
    assert d.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Detection("x", 0, 0, 0).f1 == 0.0


def test_each_sentence_is_read_alone_and_counted() -> None:
    rec, docs = _coded()
    sentences = list(sentence_documents([rec], docs))
    assert [d.text for d, _, _ in sentences][0].startswith("قتل خمسة")
    assert all(d.published == date(2018, 3, 5) for d, _, _ in sentences)
    figures = detect(sentences, ner=False, learned=False)
    assert figures["attack"].tp == 1 and figures["attack"].fp == 0
    assert figures["protest"].tp + figures["protest"].fn == 1
    assert figures["event"].tp + figures["event"].fn == 2 and figures["event"].fp == 0
    assert "attack" in format_detection(3, figures)
