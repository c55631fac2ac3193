"""Toll rules of spec/events.md §4 on hand-written reports."""

from __future__ import annotations

from datetime import date

import pytest

from marsad.extract.fatalities import TollStatement, combine, toll_statements
from marsad.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline.default(ner=False)


def _tolls(pipe: Pipeline, text: str) -> list[TollStatement]:
    """The rules' statements (no learned toll decision: these tests pin the rules)."""
    from marsad.model import Document

    return toll_statements(pipe(Document("t", text, date(2018, 5, 1))), None)


def test_per_side_tolls_in_one_clause_add_up(pipe: Pipeline) -> None:
    st = _tolls(pipe, "أدت المعارك إلى ارتفاع الحصيلة إلى 26 عنصرا في صفوف القوات الحكومية "
                      "و12 من عناصر داعش.")
    assert [s.killed for s in st] == [38]
    assert st[0].update


def test_injuries_are_kept_apart(pipe: Pipeline) -> None:
    st = _tolls(pipe, "قتل خمسة مدنيين وأصيب 11 آخرون في القصف.")
    assert [s.killed for s in st] == [5]
    assert st[0].injured == 11


def test_number_words_and_eastern_digits(pipe: Pipeline) -> None:
    st = _tolls(pipe, "أسفر الهجوم عن مقتل ثلاثة وعشرين شخصا. وقتل ٤ جنود في هجوم آخر.")
    assert [s.killed for s in st] == [23, 4]


def test_running_totals_and_distances_are_not_tolls(pipe: Pipeline) -> None:
    st = _tolls(pipe, "قتل أكثر من ألف مدني خلال ثلاثة أسابيع من القصف. وتبعد المدينة 450 كلم عن العاصمة.")
    assert all(s.running_total for s in st)
    assert combine(st)[0] == 0


def test_update_replaces_and_partial_is_included() -> None:
    partial = TollStatement(0, 0, 1, 11, 0, False, False, False)
    first = TollStatement(0, 2, 3, 26, 0, False, False, False)
    update = TollStatement(1, 4, 5, 38, 0, True, False, False)
    assert combine([partial, first])[0] == 26  # 11 of the 26 are counted once
    assert combine([first, update, partial])[0] == 38  # the update replaces


def test_vague_toll_keeps_an_open_high_bound() -> None:
    vague = TollStatement(0, 0, 1, 10, 0, False, True, False)
    best, low, high, _ = combine([vague])
    assert (best, low, high) == (10, 10, None)


def test_one_named_death_counts_one(pipe: Pipeline) -> None:
    st = _tolls(pipe, "أعلنت مصادر طبية مقتل جندي في هجوم على حاجز عسكري.")
    assert [s.killed for s in st] == [1]


def test_dual_victims_after_the_verb(pipe: Pipeline) -> None:
    st = _tolls(pipe, "قتل الجيش، الجمعة، شابين قرب الحدود.")
    assert [s.killed for s in st] == [2]


def test_war_wide_totals_are_context(pipe: Pipeline) -> None:
    st = _tolls(pipe, "وأسفرت الحرب عن مقتل أكثر من عشرة آلاف شخص.")
    assert all(s.running_total for s in st)


def test_a_range_gives_its_low_end_as_the_best_count(pipe: Pipeline) -> None:
    st = _tolls(pipe, "قتل متشددون ما يصل إلى 30 جنديا في هجوم على قاعدة عسكرية. "
                      "وأضاف مصدر آخر أن ما بين 20 و30 جنديا قتلوا في الهجوم.")
    assert combine(st)[:3] == (20, 20, 30)


def test_death_told_as_a_cause_is_not_a_toll(pipe: Pipeline) -> None:
    st = _tolls(pipe, "هاجم مقاتلون معسكرا للحرس الثوري ردا على مقتل أربعة من رفاقهم الأسبوع الماضي.")
    assert all(s.running_total for s in st)
    assert combine(st)[0] == 0


def test_single_death_told_as_a_cause_is_not_a_toll(pipe: Pipeline) -> None:
    st = _tolls(pipe, "اعتقلت السلطات أحد أقارب الرئيس بعد احتجاجات للمطالبة بمعاقبته "
                      "جراء قيامه بقتل ضابط بالجيش.")
    assert combine(st)[0] == 0


def test_to_n_parts_is_no_toll(pipe: Pipeline) -> None:
    tolls = _tolls(pipe, "استطاع النظام تقسيم الغوطة الشرقية إلى 3 أجزاء، وارتفعت الحصيلة إلى 20 قتيلا.")
    assert [st.killed for st in tolls] == [20]


def test_dual_deaths_count_two(pipe: Pipeline) -> None:
    tolls = _tolls(pipe, "ولقي مدرس وزوجته مصرعهما بنيران مسلحين مجهولين. "
                         "وأفاد مصدر أمني أن شخصين قتلا في انفجار عبوة.")
    assert [st.killed for st in tolls] == [2, 2]


def test_one_person_before_the_verb_is_one_death(pipe: Pipeline) -> None:
    assert [st.killed for st in _tolls(pipe, "أعلنت الوزارة أن مسعفة فلسطينية قتلت برصاص الجيش.")] == [1]


def test_the_other_sides_toll_in_a_clause_cut_at_fima_adds_up(pipe: Pipeline) -> None:
    tolls = _tolls(pipe, "أسفرت المواجهات عن مقتل 4 عناصر من الأمن العام، فيما قتل فيها 3 من عناصر الخلية.")
    assert [st.killed for st in tolls] == [7]


def test_a_period_after_the_comma_still_bounds_its_toll(pipe: Pipeline) -> None:
    tolls = _tolls(pipe, "كانت العاصمة هدفا قتل فيه المئات، جراء قذائف الفصائل منذ 2012.")
    assert all(st.running_total for st in tolls)


# -- issue 13: tolls from the wrong number ----------------------------------------------------------

def test_a_running_total_since_a_date_is_not_one_days_toll(pipe: Pipeline) -> None:
    st = _tolls(pipe, "وارتفعت حصيلة القتلى منذ 18 فبراير إلى 850 شخصا، بحسب المرصد.")
    assert st and all(s.running_total for s in st)
    assert combine(st)[0] == 0


def test_deaths_of_an_earlier_year_are_background(pipe: Pipeline) -> None:
    st = _tolls(pipe, "وكان قد قتل 40 شخصا في تفجير مماثل استهدف المدينة عام 2016.")
    assert st and all(s.running_total for s in st)
    assert combine(st)[0] == 0


def test_the_injured_alone_are_no_deaths(pipe: Pipeline) -> None:
    st = _tolls(pipe, "أصيب 12 شخصا بجروح في الانفجار الذي استهدف السوق.")
    assert combine(st)[0] == 0


def test_deaths_without_a_number_count_three(pipe: Pipeline) -> None:
    st = _tolls(pipe, "أسفر القصف المدفعي على البلدة عن سقوط قتلى وجرحى في صفوف المسلحين.")
    assert [(s.killed, s.unnumbered) for s in st] == [(3, True)]
    best, low, high, _ = combine(st)
    assert (best, low, high) == (3, 3, None)  # vague: the upper bound stays open (spec §4)


def test_all_of_a_group_killed_and_a_number_of_dead_count_three(pipe: Pipeline) -> None:
    # "all the attackers" gives no number: deaths without one (spec §4)
    st = _tolls(pipe, "دارت معارك بين الجيش والمسلحين في البلدة أسفرت عن مقتل جميع العناصر المهاجمة.")
    assert [(s.killed, s.unnumbered) for s in st] == [(3, True)]
    # "العديد من", "many", is the spec's "a number of" (3)
    assert combine(_tolls(pipe, "قصفت الطائرات البلدة، ما أسفر عن مقتل العديد من المسلحين."))[0] == 3


def test_a_massacre_without_a_number_counts_ten(pipe: Pipeline) -> None:
    st = _tolls(pipe, "ارتكبت الطائرات الحربية مجزرة في السوق الشعبي للبلدة أمس.")
    assert combine(st)[0] == 10


def test_no_victims_is_no_toll(pipe: Pipeline) -> None:
    assert _tolls(pipe, "انفجرت عبوة ناسفة قرب دورية للشرطة دون وقوع ضحايا.") == []


def test_a_number_replaces_deaths_told_without_one(pipe: Pipeline) -> None:
    st = _tolls(pipe, "سقط قتلى في القصف على البلدة. وقتل 5 مدنيين في القصف على البلدة.")
    assert combine(st)[0] == 5


def test_deaths_without_a_number_reach_the_event() -> None:
    from marsad.model import Document

    [e] = Pipeline.default(ner=False, learned=False)(Document(
        "t", "أسفر القصف المدفعي على بلدة سراقب عن سقوط قتلى وجرحى في صفوف المدنيين.",
        date(2018, 5, 1))).events
    assert e.fatalities == 3


def test_the_packaged_toll_model_reads_a_campaign_total_the_rules_count(pipe: Pipeline) -> None:
    """"يصل عدد القتلى في الحملة إلى 850" has no "منذ" for the rules: the model gives it the
    campaign's running total, the day's 4 a toll; a decision with a veto threshold leaves it out."""
    from marsad.learn.tolls import TOLL, TOLL_MODEL, TollDecision, packaged
    from marsad.model import Document, MentionKind

    if not TOLL_MODEL.exists():
        pytest.skip("no packaged toll model")
    a = pipe(Document("t", "قتل 4 مدنيين في قصف على دوما اليوم، "
                           "وبذلك يصل عدد القتلى في الحملة إلى 850 مدنيا.",
                      date(2018, 3, 1)))
    verdicts: dict[tuple[int, int], str] = {}
    assert [(s.killed, s.running_total)
            for s in toll_statements(a, None, verdicts)] == [(4, False), (850, False)]
    model = packaged()
    assert model is not None
    p = {m.value: model.p_toll(a, m, a.by_sentence(), verdicts[m.span.start, m.span.end])
         for m in a.mentions if m.kind is MentionKind.NUMBER}
    assert p[4][TOLL] > 0.5 and max(p[850], key=p[850].__getitem__) == "running_total"
    judged = toll_statements(a, TollDecision(model.model, threshold=0.5))
    assert [(s.killed, s.running_total, s.reason) for s in judged] == [(4, False, ""),
                                                                       (850, True, "model:running_total")]
    assert combine(judged)[0] == 4


def test_one_person_named_by_a_noun_and_its_nisba_counts_one(pipe: Pipeline) -> None:
    assert [s.killed for s in _tolls(pipe, "أعلن الجيش مقتل مقيم مصري في سقوط شظية على الحي.")] == [1]
    # after a verb the noun may be the killer, not a victim
    assert _tolls(pipe, "قتلت غارة جوية في ريف المدينة.") == []


def test_the_death_word_tells_one_or_two(pipe: Pipeline) -> None:
    assert [s.killed for s in _tolls(pipe, "لقي شاب مصرعه في انفجار لغم قرب البلدة.")] == [1]
    assert [s.killed for s in _tolls(pipe, "قالت الوزارة إن غارة قتلت قياديا ميدانيا في الجماعة.")] == [1]
    assert [s.killed for s in _tolls(pipe, "سقط قتيلان في قصف على البلدة.")] == [2]


def test_killed_and_injured_told_together_count_as_deaths_without_a_number(pipe: Pipeline) -> None:
    [few] = _tolls(pipe, "أسفرت الغارات عن مقتل وإصابة عدد من المسلحين.")
    [tens] = _tolls(pipe, "أسفرت الاشتباكات عن مقتل وجرح العشرات من المسلحين.")
    [many] = _tolls(pipe, "أسفرت المعارك عن مقتل وإصابة 55 مسلحا.")
    assert (few.killed, tens.killed, many.killed) == (3, 10, 3)
    assert few.unnumbered and many.unnumbered
    # one killed, five injured: not a joint count
    st = _tolls(pipe, "قتل شخص وأصيب 5 آخرون في الهجوم.")
    assert [(s.killed, s.unnumbered) for s in st] == [(1, False)]
    # a numbered toll of the event replaces it
    assert combine(_tolls(pipe, "أسفر القصف عن مقتل وإصابة العشرات. وقتل 7 مدنيين في القصف.")
                   )[0] == 7


def test_a_euphemism_for_killing_counts(pipe: Pipeline) -> None:
    assert [s.killed for s in _tolls(pipe, "تمكنت القوات من القضاء على 3 مسلحين في الهجوم.")] == [3]


def test_most_of_them_killed_counts_three(pipe: Pipeline) -> None:
    assert [s.killed for s in _tolls(pipe, "أكد المصدر مقتل أغلب المتسللين في الاشتباكات قرب المطار.")] == [3]


@pytest.mark.parametrize(("text", "killed"), [
    # "one of them", "its leader": one person after the death word
    ("هاجم مسلح خمسة أشخاص بسكين في المدينة، فقتل أحدهم وأصاب أربعة آخرين.", [1]),
    ("قتل زعيمها في غارة جوية على مقره في الولاية.", [1]),
    # "أحد عشر" is eleven, not "one of"
    ("قتل أحد عشر جنديا في هجوم على حاجز للجيش.", [11]),
    # the accusative singular before the passive verb
    ("قال المسؤول إن شخصا قتل في إطلاق النار قرب الحاجز.", [1]),
    # "at least" and "had" between the count and the verb
    ("وكان 16 شخصا على الأقل قد قتلوا حين أطلق الجنود النار على المتظاهرين.", [16]),
])
def test_one_of_them_a_leader_and_words_between_count_and_verb(pipe: Pipeline, text: str,
                                                                 killed: list[int]) -> None:
    assert [s.killed for s in _tolls(pipe, text) if not s.running_total] == killed


def test_killed_and_wounded_told_with_masra_is_a_joint_count(pipe: Pipeline) -> None:
    st = _tolls(pipe, "أكد المصدر مصرع وجرح عشرات من عناصر الميليشيات في المعارك.")
    assert [(s.killed, s.unnumbered) for s in st] == [(10, True)]
