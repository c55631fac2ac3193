"""Tests of the actor dictionary and actor recognition (fixtures are our own short sentences)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Analysis, Document, MentionKind
from marsad.recognise.actors import (
    ActorLexicon,
    canonical_for,
    country_name,
    find_actors,
    inter_for,
    resolve,
)
from marsad.text.normalise import normalise


def analyse(text: str) -> Analysis:
    norm, offsets = normalise(text)
    return Analysis(doc=Document("d", text), norm=norm, offsets=offsets)


def actors(text: str, country: str | None = None) -> list[tuple[str, str]]:
    return [(m.span.text, m.value) for m in find_actors(analyse(text), default_country=country)]


def test_lexicon_loads_once_and_is_large() -> None:
    lex = ActorLexicon.load()
    assert lex is ActorLexicon.load()
    assert len(lex) > 5000
    names = {e.canonical for e in lex.entries}
    for name in ("Military Forces of Syria", "Houthis", "Islamic State", "Saudi-led Coalition",
                 "SDF: Syrian Democratic Forces", "Hamas", "Libyan National Army", "Al Shabaab"):
        assert name in names


# every canonical name of the "Frequent actors" table of spec/actors.md
SPEC_ACTORS = (
    "Military Forces of Syria", "Military Forces of Iraq", "Military Forces of Yemen",
    "Military Forces of Saudi Arabia", "Military Forces of Israel", "Police Forces of Israel",
    "Military Forces of Egypt", "Military Forces of Turkey", "Military Forces of Russia",
    "Military Forces of the United States", "Military Forces of Iran", "Saudi-led Coalition",
    "International Coalition against ISIS", "Houthis", "Forces loyal to Ali Abdullah Saleh",
    "Popular Resistance (Yemen)", "Islamic State", "Islamic State (Sinai)",
    "Al Qaeda in the Arabian Peninsula", "Jabhat al-Nusra", "Hayat Tahrir al-Sham", "Free Syrian Army",
    "Syrian National Army", "Jaysh al-Islam", "Ahrar al-Sham", "Faylaq al-Rahman",
    "SDF: Syrian Democratic Forces", "YPG: People's Protection Units", "PKK: Kurdistan Workers' Party",
    "Hezbollah", "Popular Mobilization Forces", "Peshmerga", "Hamas", "Palestinian Islamic Jihad",
    "Libyan National Army", "Military Forces of Libya (GNA)", "Taliban", "Al Shabaab", "Boko Haram",
)


def test_spec_canonical_names_present() -> None:
    names = {e.canonical for e in ActorLexicon.load().entries}
    assert set(SPEC_ACTORS) <= names


@pytest.mark.parametrize(("text", "value"), [
    ("قصفت قوات النظام البلدة", "Military Forces of Syria"),
    ("وقوات النظام تتقدم", "Military Forces of Syria"),
    ("تصدى المقاتلون لقوات النظام", "Military Forces of Syria"),
    ("ألحق خسائر بالجيش السوري", "Military Forces of Syria"),
    ("انسحب عناصر للجيش العربي السوري", "Military Forces of Syria"),
    ("شنت مروحيات النظام غارات", "Military Forces of Syria"),
    ("تقدمت القوات الموالية للرئيس بشار الأسد", "Military Forces of Syria"),
    ("هاجم الحوثيون المدينة", "Houthis"),
    ("قصفت ميليشيات الحوثي الحي", "Houthis"),
    ("قصفت مليشيا الحوثي الحي", "Houthis"),
    ("أعلنت جماعة أنصار الله", "Houthis"),
    ("اشتبك مع الانقلابيين", "Houthis"),
    ("فجر تنظيم «داعش» سيارة", "Islamic State"),
    ("هاجم مسلحو داعش القرية", "Islamic State"),
    ("أغارت طائرات التحالف العربي", "Saudi-led Coalition"),
    ("تقدمت قوات سوريا الديموقراطية", "SDF: Syrian Democratic Forces"),
    ("أطلقت كتائب القسام صواريخ", "Hamas"),
    ("هاجمت قوات حفتر المطار", "Libyan National Army"),
    ("قتل عناصر من حركة الشباب", "Al Shabaab"),
])
def test_alias_variants_and_clitics(text: str, value: str) -> None:
    assert value in [v for _, v in actors(text)]


def test_clitic_not_in_span_but_contracted_article_is() -> None:
    (m,) = find_actors(analyse("وقوات النظام"))
    assert m.span.text == "قوات النظام"
    (m,) = find_actors(analyse("للجيش السوري"))
    assert m.span.text == "للجيش السوري"
    assert m.value == "Military Forces of Syria"


def test_word_boundaries() -> None:
    assert actors("الحماسة كبيرة") == []  # حماس inside a word
    assert actors("قواتهم") == []


@pytest.mark.parametrize(("text", "value"), [
    ("هاجم جيش الإسلام المواقع", "Jaysh al-Islam"),
    ("سيطر الجيش السوري الحر على التلة", "Free Syrian Army"),
    ("تقدم الجيش الوطني السوري", "Syrian National Army"),
    ("أعلن الجيش الوطني الليبي", "Libyan National Army"),
])
def test_longest_match(text: str, value: str) -> None:
    assert [v for _, v in actors(text)] == [value]


def test_nationality_adjectives() -> None:
    assert [v for _, v in actors("قصف الجيش التركي")] == ["Military Forces of Turkey"]
    assert [v for _, v in actors("توغلت القوات التركية")] == ["Military Forces of Turkey"]
    assert [v for _, v in actors("شنت طائرات حربية إسرائيلية")] == ["Military Forces of Israel"]
    assert [v for _, v in actors("أعلنت القوات الأميركية")] == ["Military Forces of the United States"]
    assert [v for _, v in actors("أعلنت القوات الأمريكية")] == ["Military Forces of the United States"]
    assert [v for _, v in actors("اعتقلت الشرطة العراقية")] == ["Police Forces of Iraq"]
    assert [v for _, v in actors("قتل جنود أتراك")] == ["Military Forces of Turkey"]


def test_pattern_actor_placeholder_and_country() -> None:
    (m,) = find_actors(analyse("هاجم مسلحون مجهولون الحاجز"))
    assert m.value == "Unidentified Armed Group ({country})"
    assert m.attr("needs_country") is True and m.attr("inter") == 3
    (m,) = find_actors(analyse("هاجم مسلحون مجهولون الحاجز"), default_country="IQ")
    assert m.value == "Unidentified Armed Group (Iraq)" and not m.attr("needs_country")
    (m,) = find_actors(analyse("قتل مدنيين"))
    assert resolve(m, "SY").value == "Civilians (Syria)"
    assert [v for _, v in actors("فرقت الشرطة المتظاهرين", "EG")] == ["Police Forces of Egypt",
                                                                    "Protesters (Egypt)"]


def test_context_actor() -> None:
    assert [v for _, v in actors("تقدم المتمردون", "YE")] == ["Houthis"]
    assert [v for _, v in actors("المقاومة تصد الهجوم", "YE")] == ["Popular Resistance (Yemen)"]


def test_stop_phrases() -> None:
    assert actors("وصل إلى القاعدة العسكرية") == []
    assert actors("اجتمع مجلس الأمن") == []
    assert [v for _, v in actors("أعلن تنظيم القاعدة")] == ["Al Qaeda"]


def test_mention_attrs() -> None:
    (m,) = find_actors(analyse("قصفت قوات النظام"))
    assert m.kind is MentionKind.ACTOR and m.sent == -1
    assert m.attr("inter") == 1 and m.attr("country") == "SY" and m.attr("kind") == "state_military"
    assert (m.attr("norm_start"), m.attr("norm_end")) == (5, 16)


def test_helpers() -> None:
    assert country_name("PS") == "Palestine"
    assert country_name("SA") == "Saudi Arabia"
    assert canonical_for("state_police", "IQ") == "Police Forces of Iraq"
    assert canonical_for("state_military", "US") == "Military Forces of the United States"
    assert canonical_for("civilians", "YE") == "Civilians (Yemen)"
    assert canonical_for("rioters", "PS") == "Rioters (Palestine)"
    assert canonical_for("nope", "PS") is None
    assert canonical_for("rebel_generic", "YE") == "Houthis"
    assert canonical_for("rebel_generic", "LY") == "Unidentified Armed Group (Libya)"
    assert canonical_for("militia_generic", "YE") == "Popular Resistance (Yemen)"
    assert canonical_for("civilians", None) == "Civilians ({country})"
    assert inter_for(1, "state_military", "TR", "SY") == 8
    assert inter_for(8, "state_military", "RU", "RU") == 1
    assert inter_for(2, "rebel", "SY", "IQ") == 2
    lex = ActorLexicon.load()
    assert lex.inter_of("Houthis") == 2 and lex.inter_of("Civilians (Syria)") == 7
    assert lex.inter_of("Rioters (Chile)") == 5 and lex.inter_of("Nobody") is None


def test_diacritics_and_tatweel_spans() -> None:
    text = "قصفت قُوَّاتُ النِّظَامِ والجيـــش التركي البلدة"
    a = analyse(text)
    ms = find_actors(a)
    assert [m.value for m in ms] == ["Military Forces of Syria", "Military Forces of Turkey"]
    for m in ms:
        assert text[m.span.start:m.span.end] == m.span.text


_WORDS = ["قوات النظام", "الجيش السوري الحر", "للجيش التركي", "مسلحون مجهولون", "وحماس", "داعش", "في",
          "قرية", "،", "ــ", "َ", "ّ", "المدنيين", "الحوثيين", "\n", "القاعدة العسكرية", "أطفالاً", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=20), st.sampled_from([" ", "", "  "]))
def test_spans_are_faithful(words: list[str], sep: str) -> None:
    text = sep.join(words)
    a = analyse(text)
    for m in find_actors(a, default_country="SY"):
        s = m.span
        assert a.doc.text[s.start:s.end] == s.text
        assert s.text.strip() == s.text and s.text


def test_anaphor_takes_last_named_group() -> None:
    assert [v for _, v in actors("هاجم تنظيم داعش القرية ثم انسحب مسلحو التنظيم")] == ["Islamic State"] * 2
    assert actors("أعلن التنظيم مسؤوليته") == []


def test_country_names_are_weak_state_actors() -> None:
    (m,) = find_actors(analyse("قصفت إسرائيل الموقع"))
    assert m.value == "Military Forces of Israel" and m.attr("weak") is True
    # no "Civilians (Libya)"
    assert [v for _, v in actors("زار ليبيا وتركيا")] == ["Military Forces of Turkey"]


def test_state_forces_in_palestine_are_israels() -> None:
    from marsad.recognise.actors import canonical_for

    assert canonical_for("state_military", "PS") == "Military Forces of Israel"
    assert canonical_for("civilians", "PS") == "Civilians (Palestine)"


def test_supporters_and_governments_are_marked() -> None:
    from tests.conftest import make_analysis

    from marsad.recognise.actors import ActorLexicon, find_actors

    a = make_analysis("تمكنت قوات المقاومة، بإسناد من القوات المسلحة الإماراتية ضمن التحالف العربي، "
                      "من تحرير المديرية. "
                      "وقالت الحكومة العراقية إن الوضع هادئ.")
    ms = {m.span.text: m for m in find_actors(a, ActorLexicon.load())}
    assert ms["القوات المسلحة الإماراتية"].attr("supporter") and ms["التحالف العربي"].attr("supporter")
    assert not ms["قوات المقاومة"].attr("supporter")
    assert ms["الحكومة العراقية"].attr("government")
