"""Event triggers and cue words on short hand-written sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Analysis, Document, Mention, MentionKind
from marsad.recognise.triggers import (
    EVENT_TYPES,
    cue_lexicon,
    find_cues,
    find_triggers,
    trigger_lexicon,
)
from marsad.text.normalise import normalise

B, E, V = "Battles", "Explosions/Remote violence", "Violence against civilians"
P, R, S = "Protests", "Riots", "Strategic developments"


def analyse(text: str) -> Analysis:
    norm, offsets = normalise(text)
    return Analysis(doc=Document("d", text), norm=norm, offsets=offsets)


def triggers(text: str) -> list[Mention]:
    return find_triggers(analyse(text))


def values(text: str) -> set[tuple[str, str]]:
    return {m.value for m in triggers(text)}


def roles(text: str) -> dict[str, str]:
    return {m.span.text: m.attr("role") for m in triggers(text)}


def cues(text: str) -> dict[str, str]:
    return {m.span.text: m.value for m in find_cues(analyse(text))}


# one common way of saying each sub-event type
SUB_TYPE_SENTENCES = [
    ("اندلعت اشتباكات عنيفة بين الجيش والمسلحين", B, "Armed clash"),
    ("تمكنت القوات الحكومية من استعادة السيطرة على البلدة", B, "Government regains territory"),
    ("استولى المسلحون على القرية بعد معارك", B, "Non-state actor overtakes territory"),
    ("هجوم بالغاز السام: استخدم غاز الكلور في المدينة", E, "Chemical weapon"),
    ("شن الطيران الحربي غارات جوية على مواقع التنظيم", E, "Air/drone strike"),
    ("فجر انتحاري نفسه بحزام ناسف في السوق", E, "Suicide bomb"),
    ("سقطت قذائف هاون على الحي السكني", E, "Shelling/artillery/missile attack"),
    ("انفجرت عبوة ناسفة بدورية للشرطة", E, "Remote explosive/landmine/IED"),
    ("ألقى مجهول قنبلة يدوية على المحل", E, "Grenade"),
    ("وثقت المنظمة حالات اغتصاب في المعتقل", V, "Sexual violence"),
    ("نفذ المسلحون إعدامات ميدانية بحق الأسرى", V, "Attack"),
    ("اختطف مسلحون ثلاثة مدنيين من منازلهم", V, "Abduction/forced disappearance"),
    ("خرجت مظاهرات سلمية في وسط المدينة", P, "Peaceful protest"),
    ("استخدمت الشرطة الغاز المسيل للدموع لتفريق المحتجين", P, "Protest with intervention"),
    ("قمع المتظاهرين بالرصاص الحي", P, "Excessive force against protesters"),
    ("أضرم المحتجون النار في مبنى البلدية وسط أعمال شغب", R, "Violent demonstration"),
    ("تجددت الاشتباكات القبلية في الريف", R, "Mob violence"),
    ("أعلن الطرفان التوصل إلى اتفاق لوقف إطلاق النار", S, "Agreement"),
    ("ألقت قوات الأمن القبض على خمسة مطلوبين", S, "Arrests"),
    ("أعلنت الفصائل اندماجها تحت مسمى جديد", S, "Change to group/activity"),
    ("أحبطت القوات محاولة تفجير وفككت العبوات", S, "Disrupted weapons use"),
    ("أقامت القوات التركية نقطة مراقبة جديدة", S, "Headquarters or base established"),
    ("نهب المسلحون المحال التجارية", S, "Looting/property destruction"),
    ("انسحب المسلحون من المدينة بموجب التسوية", S, "Non-violent transfer of territory"),
    ("فرض الجيش حظر التجول في المدينة", S, "Other"),
]


@pytest.mark.parametrize(("text", "event_type", "sub_type"), SUB_TYPE_SENTENCES)
def test_every_sub_type_has_a_common_trigger(text: str, event_type: str, sub_type: str) -> None:
    assert (event_type, sub_type) in values(text)


def test_sentences_cover_the_whole_taxonomy() -> None:
    covered = {(e, s) for _, e, s in SUB_TYPE_SENTENCES}
    assert covered == {(e, s) for e, subs in EVENT_TYPES.items() for s in subs}


def test_lexicon_rows_use_exact_taxonomy_strings() -> None:
    lex = trigger_lexicon()
    assert len(lex) > 1000
    for e, subs in EVENT_TYPES.items():
        for s in subs:
            assert any(m.value == (e, s) for m in triggers(
                " ".join(t for t, e2, s2 in SUB_TYPE_SENTENCES if (e2, s2) == (e, s))))


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("وقصفت المدفعية القرية", "قصفت", (E, "Shelling/artillery/missile attack")),
        ("يقصف الجيش المنطقة", "يقصف", (E, "Shelling/artillery/missile attack")),
        ("بالغارات الجوية", "الغارات الجوية", (E, "Air/drone strike")),
        ("والاشتباكات مستمرة", "اشتباكات", (B, "Armed clash")),
        ("فاشتبكوا مع الدورية", "اشتبكوا", (B, "Armed clash")),
        ("للمتظاهرين حق", "متظاهرين", (P, "Peaceful protest")),
        ("وسيطرت القوات على التلة", "سيطرت", (B, "Government regains territory")),
        ("واعتقلت الشرطة شخصين", "اعتقلت", (S, "Arrests")),
        ("وبصاروخ باليستي", "صاروخ باليستي", (E, "Shelling/artillery/missile attack")),
    ],
)
def test_clitics_and_inflection(text: str, surface: str, value: tuple[str, str]) -> None:
    assert any(m.span.text == surface and m.value == value for m in triggers(text))


def test_word_boundaries() -> None:
    assert triggers("زار الوفد القصر الرئاسي") == []  # قصر is not قصف
    assert not any(m.value[1] == "Air/drone strike" for m in triggers("دخلوا المغارة"))
    assert roles("قتل رجل") == {"قتل": "kill"}
    assert roles("سقط عشرة قتلى") == {"قتلى": "kill"}


def test_longest_match() -> None:
    assert values("وقع هجوم انتحاري") == {(E, "Suicide bomb")}
    (m,) = triggers("انفجرت سيارة مفخخة")[1:]
    assert m.span.text == "سيارة مفخخة" and "car bomb" in m.attr("tags")
    assert values("انفجار سيارة مفخخة يقودها انتحاري") >= {(E, "Suicide bomb")}
    assert roles("مقتل جندي") == {"مقتل": "kill"}


def test_blockers_shield_names() -> None:
    assert triggers("قالت هيئة تحرير الشام في بيان") == []
    assert triggers("المناطق الخاضعة لسيطرة المعارضة") == []
    assert triggers("قال رئيس التحرير") == []
    assert triggers("صلى الله عليه وسلم") == []


def test_context_roles_for_non_events() -> None:
    assert roles("تنفيذ حكم القتل في الجاني") == {"تنفيذ حكم القتل": "judicial"}
    assert "nonconflict" in roles("مقتل ثلاثة في حادث سير").values()


def test_untyped_death_and_injury_words() -> None:
    ms = triggers("سقوط قتلى وجرحى واستشهاد طفل وإصابة آخرين")
    assert {m.span.text: m.attr("role") for m in ms} == {
        "سقوط قتلى وجرحى": "kill",
        "استشهاد": "kill",
        "إصابة": "injure",
    }
    assert all(m.value == ("", "") for m in ms)


def test_attrs_and_future_prefix() -> None:
    (m,) = triggers("سيقصف الجيش المدينة")
    assert m.kind is MentionKind.TRIGGER and m.sent == -1
    assert m.attr("future") is True and m.attr("pos") == "verb"
    assert 0 < m.attr("weight") <= 1
    assert (m.attr("norm_start"), m.attr("norm_end")) == (1, 5)


def test_future_prefix_is_a_plan_cue() -> None:
    a = analyse("وستقصف الطائرات المدينة")
    (c,) = [m for m in find_cues(a) if m.attr("prefix")]
    assert c.value == "plan" and c.span.text == "س"
    (t,) = [m for m in find_triggers(a) if m.attr("future")]
    assert c.span.end == t.span.start


def test_chemical_tag_and_tear_gas_is_not_chemical() -> None:
    assert (E, "Chemical weapon") in values("هجوم كيماوي على دوما")
    assert (E, "Chemical weapon") not in values("أطلقت الشرطة الغاز المسيل للدموع")


@pytest.mark.parametrize(
    ("text", "surface", "cls"),
    [
        ("ولم يسفر القصف عن ضحايا", "لم يسفر", "negation"),
        ("نفت الوزارة وقوع الهجوم", "نفت", "denial"),
        ("توعد التنظيم بشن هجمات", "توعد", "threat"),
        ("يعتزم الجيش شن هجوم", "يعتزم", "plan"),
        ("من المقرر أن تبدأ العملية", "من المقرر", "plan"),
        ("في حال استمر القصف", "في حال", "conditional"),
        ("أدان الأمين العام الهجوم", "أدان", "condemnation"),
        ("ارتفعت الحصيلة إلى 26 قتيلا", "ارتفعت الحصيلة", "update"),
        ("ليرتفع عدد القتلى إلى 30", "ليرتفع عدد", "update"),
        ("قتل خمسة بينهم طفلان", "بينهم", "partial"),
        ("وأصيب ثلاثة بجروح", "أصيب", "injury"),
        ("سقط عشرة قتلى", "قتلى", "death_noun"),
        ("قتل 12 عنصرا من الشرطة", "عنصرا", "victim_side"),
        ("كما حدث العام الماضي", "العام الماضي", "background"),
        ("منذ اندلاع الحرب قتل الآلاف", "منذ اندلاع", "running_total"),
        ("أفاد المرصد بمقتل مدنيين", "أفاد", "report_verb"),
    ],
)
def test_cue_classes(text: str, surface: str, cls: str) -> None:
    assert cues(text).get(surface) == cls


def test_cue_lexicon_loaded_once() -> None:
    assert cue_lexicon() is cue_lexicon() and trigger_lexicon() is trigger_lexicon()
    assert len(cue_lexicon()) > 300


_PIECES = [
    "قُتِلَ", "قتلى", "وقصفت", "بالغارات", "والاشتباكات", "هجوم انتحاري", "سيارة مفخخة", "مغارة",
    "القصر", "لم", "ارتفعت الحصيلة", "ـــ", "، ", "  ", "\n", "٢٦", "إعدام ميداني", "أُصيب", "«مظاهرة»",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=15).map(" ".join))
def test_spans_point_into_the_original_text(text: str) -> None:
    a = analyse(text)
    for m in find_triggers(a) + find_cues(a):
        s = m.span
        assert text[s.start : s.end] == s.text and s.start < s.end
        assert a.orig(m.attr("norm_start")) == s.start
