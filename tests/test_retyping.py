"""Re-typing by the spec (extract/retyping.py) on short hand-written reports: a protest's victims, a
handover under an agreement, and the cases that keep the trigger's type."""

from __future__ import annotations

from datetime import date

import pytest

from marsad.extract.retyping import FORCES_ATTACKED, HANDOVER, PROTEST_VICTIMS, tells_protest
from marsad.model import Analysis, Document
from marsad.pipeline import Pipeline

PUBLISHED = date(2018, 5, 15)


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    # the rules alone: the learned decisions have their own tests
    return Pipeline.default(ner=False, learned=False)


def _run(pipe: Pipeline, text: str, title: str | None = None) -> Analysis:
    return pipe(Document.from_parts("t", text, PUBLISHED, title))


def _types(a: Analysis) -> set[tuple[str, str]]:
    return {(e.event_type, e.sub_event_type) for e in a.events}


def _reasons(a: Analysis) -> set[str]:
    return {d.reason for d in a.drops}


PROTEST = "خرج آلاف الفلسطينيين في مظاهرات حاشدة قرب السياج الحدودي شرق مدينة غزة أمس الاثنين. "
SHOT = "وقتل ثلاثة فلسطينيين برصاص الجيش الإسرائيلي شرق مدينة غزة أمس الاثنين."


def test_people_killed_by_forces_at_a_demonstration_are_its_excessive_force(pipe: Pipeline) -> None:
    a = _run(pipe, PROTEST + SHOT)
    assert ("Protests", "Excessive force against protesters") in _types(a)
    assert ("Violence against civilians", "Attack") not in _types(a)
    assert PROTEST_VICTIMS in _reasons(a)
    [change] = [d for d in a.drops if d.reason == PROTEST_VICTIMS]
    assert change.event_type == "Violence against civilians"  # the type the trigger words gave


def test_without_a_demonstration_the_killing_stays_an_attack(pipe: Pipeline) -> None:
    a = _run(pipe, SHOT)
    assert _types(a) == {("Violence against civilians", "Attack")}
    assert PROTEST_VICTIMS not in _reasons(a)


def test_a_diplomatic_protest_is_no_demonstration(pipe: Pipeline) -> None:
    assert tells_protest(_run(pipe, PROTEST))
    assert tells_protest(_run(pipe, "وأطلقت الشرطة الغاز على المتظاهرين."))
    assert not tells_protest(_run(pipe, "واحتجت وزارة الخارجية التركية على ذلك في بيان."))
    assert not tells_protest(_run(pipe, "واستدعت أنقرة السفير احتجاجا على ذلك."))


def test_a_ramming_attack_near_a_demonstration_stays_an_attack(pipe: Pipeline) -> None:
    a = _run(pipe, PROTEST + "وقتل جنديان إسرائيليان في عملية دهس بسيارة نفذها فلسطيني قرب نابلس أمس.")
    assert PROTEST_VICTIMS not in _reasons(a)
    assert any(e.event_type == "Violence against civilians" for e in a.events)


def test_a_fight_with_an_armed_group_stays_a_battle(pipe: Pipeline) -> None:
    a = _run(pipe, PROTEST + "واندلعت اشتباكات عنيفة بين الجيش الإسرائيلي ومسلحين من حركة حماس شرق رفح أمس، "
                             "قتل فيها ثلاثة.")
    assert PROTEST_VICTIMS not in _reasons(a)


def test_ground_taken_under_a_reconciliation_deal_is_a_transfer(pipe: Pipeline) -> None:
    a = _run(pipe, "سيطرت القوات الحكومية السورية أمس على بلدة بصرى الشام في ريف درعا بموجب اتفاق مصالحة "
                   "مع فصائل المعارضة.")
    assert _types(a) == {("Strategic developments", "Non-violent transfer of territory")}
    assert HANDOVER in _reasons(a)


def test_ground_taken_after_fighting_stays_a_battle(pipe: Pipeline) -> None:
    a = _run(pipe, "سيطرت القوات الحكومية السورية أمس على بلدة بصرى الشام في ريف درعا بعد اشتباكات عنيفة "
                   "مع فصائل المعارضة انتهت باتفاق.")
    assert HANDOVER not in _reasons(a)
    assert any(e.event_type == "Battles" for e in a.events)


def test_a_truce_beside_a_town_taken_is_no_handover(pipe: Pipeline) -> None:
    a = _run(pipe, "أعلنت الأمم المتحدة هدنة إنسانية جديدة في اليمن، وسيطرت قوات الحكومة أمس "
                   "على مدينة الحوطة في محافظة لحج.")
    assert HANDOVER not in _reasons(a)


def test_soldiers_killed_in_a_ramming_are_a_clash(pipe: Pipeline) -> None:
    a = _run(pipe, "قتل ضابط وجندي إسرائيليان أمس في عملية دهس بسيارة نفذها فلسطيني قرب مدينة جنين.")
    assert ("Battles", "Armed clash") in _types(a)
    assert FORCES_ATTACKED in _reasons(a)


def test_civilians_killed_in_a_ramming_stay_an_attack(pipe: Pipeline) -> None:
    a = _run(pipe, "قتل ثلاثة مدنيين أمس في عملية دهس بسيارة قرب مدينة جنين.")
    assert _types(a) == {("Violence against civilians", "Attack")}
    assert FORCES_ATTACKED not in _reasons(a)


def test_violent_protests_are_a_riot(pipe: Pipeline) -> None:
    a = _run(pipe, "قتل محتج أمس في تجدد الاحتجاجات العنيفة في مدينة البصرة.")
    assert {t for t, _ in _types(a)} == {"Riots"}


def test_a_knife_attack_is_an_attack_on_civilians(pipe: Pipeline) -> None:
    a = _run(pipe, "تبنى تنظيم الدولة الإسلامية هجوما بالسكين أمس في مدينة باريس خلف قتيلين.")
    assert _types(a) == {("Violence against civilians", "Attack")}


def test_the_word_patterns_are_written_as_the_normaliser_writes() -> None:
    # (they read normalised text: a hamza seat or a taa marbuta in them could never match)
    import re

    from marsad.extract import retyping
    from marsad.text.normalise import normalise

    folded = {c for c in map(chr, range(0x600, 0x700)) if normalise(c)[0] != c and not c.isdigit()}
    words = [p.pattern for p in vars(retyping).values() if isinstance(p, re.Pattern)]
    words += list(retyping._NOT_A_CROWD)
    assert len(words) >= 3
    assert not {w: set(w) & folded for w in words if set(w) & folded}
