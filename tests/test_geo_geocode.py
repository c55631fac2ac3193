"""Geocoding on hand-written sentences: disambiguation, non-event roles, event place and precision."""

from __future__ import annotations

from collections import Counter

import pytest

from marsad.geo.gazetteer import Gazetteer, MemoryGazetteer
from marsad.geo.geocode import Geocoder, debug_report
from marsad.model import Analysis, Document, Place
from marsad.text.normalise import normalise


def analyse(text: str, title: str | None = None) -> Analysis:
    doc = Document.from_parts("t", text, title=title)
    norm, offsets = normalise(doc.text)
    return Analysis(doc, norm, offsets)


@pytest.fixture(scope="module")
def geo() -> Geocoder:
    return Geocoder(Gazetteer.load())


def by_text(ms, text: str):
    return next(m for m in ms if m.span.text == text)


def test_raqqa_in_syrian_article(geo: Geocoder) -> None:
    a = analyse("قالت قوات سوريا الديمقراطية إن اشتباكات عنيفة دارت في الرقة مع عناصر داعش قرب دير الزور.")
    m = by_text(geo.resolve(a), "الرقة")
    assert m.value.country == "SY" and m.value.feature == "city"


def test_cnn_style_dateline_with_country(geo: Geocoder) -> None:
    ms = geo.resolve(analyse("دبي، الإمارات العربية المتحدة (CNN)-- قصفت طائرات حربية مواقع في مدينة الرقة."))
    assert by_text(ms, "دبي").attr("role") == "dateline"
    assert by_text(ms, "الإمارات العربية المتحدة").attr("role") == "dateline"
    assert by_text(ms, "مدينة الرقة").attr("role") is None


def test_raqqa_context_memory() -> None:
    sy = Place(163915, "Ar Raqqah", "SY", 35.95, 39.01, "city", 531952)
    kw = Place(285728, "Ar Riqqah", "KW", 29.15, 48.09, "city", 52068)
    gaz = MemoryGazetteer({"الرقة": [sy, kw], "الكويت": [Place(285570, "Kuwait", "KW", 29.37, 47.98,
                                                                     "country", 4100000)]})
    geo = Geocoder(gaz)
    text = "أعلنت شرطة الكويت توقيف مطلوب في الرقة."
    assert by_text(geo.resolve(analyse(text)), "الرقة").value.country == "KW"
    # actor hints can pull the other way
    hint = Counter({"SY": 10})
    assert by_text(geo.resolve(analyse("توقيف مطلوب في الرقة."), hint), "الرقة").value.country == "SY"


def test_aleppo_vs_halabja(geo: Geocoder) -> None:
    ms = geo.resolve(analyse("قصفت الطائرات حلب، بينما أحيا أهالي حلبجة ذكرى الهجوم الكيميائي."))
    assert [m.value.name for m in ms] == ["Aleppo", "Halabja"]
    assert [m.value.country for m in ms] == ["SY", "IQ"]


def test_distance_reference_is_not_event_place(geo: Geocoder) -> None:
    text = "قتل 38 شخصا في غارات على دير الزور. وتبعد المدينة 450 كلم شمال شرقي دمشق."
    a = analyse(text)
    ms = geo.resolve(a)
    dam = by_text(ms, "دمشق")
    assert dam.attr("role") == "distance"
    mention, place, prec = geo.event_place(a, ms, [(0, len(text))], text.find("غارات"))
    assert mention is not None and mention.span.text == "دير الزور"
    assert place.name == "Deir ez-Zor" and place.feature == "city" and prec == 1
    # even an anchor right next to Damascus does not pick it
    _m, place2, _p = geo.event_place(a, ms, [(0, len(text))], text.find("دمشق"))
    assert place2.name == "Deir ez-Zor"


def test_dateline(geo: Geocoder) -> None:
    text = "بيروت (رويترز) - قتل خمسة مدنيين في قصف على مدينة حمص."
    a = analyse(text, title="مقتل خمسة مدنيين")
    ms = geo.resolve(a)
    assert by_text(ms, "بيروت").attr("role") == "dateline"
    _m, place, prec = geo.event_place(a, ms, [(0, len(a.doc.text))], a.doc.text.find("قصف"))
    assert place.name == "Homs" and prec == 1
    ms2 = geo.resolve(analyse("دبي - العربية نت\nسقط صاروخ على مأرب"))
    assert by_text(ms2, "دبي").attr("role") == "dateline"


def test_statement_and_origin(geo: Geocoder) -> None:
    text = "وقال وزير الخارجية السوري في دمشق إن الهجوم على دوما مفبرك."
    ms = geo.resolve(analyse(text))
    assert by_text(ms, "دمشق").attr("role") == "statement"
    assert by_text(ms, "دوما").attr("role") is None
    ms2 = geo.resolve(analyse("اعترضت الدفاعات صاروخا باليستيا أطلق من اليمن باتجاه الرياض."))
    assert by_text(ms2, "اليمن").attr("role") == "origin"


def test_rural_precision_and_capital(geo: Geocoder) -> None:
    text = "قتل ثلاثة مدنيين في قصف على ريف إدلب الجنوبي."
    a = analyse(text)
    ms = geo.resolve(a)
    _m, place, prec = geo.event_place(a, ms, [(0, len(text))], 0)
    assert prec == 2 and place.name == "Idlib" and place.feature == "city"


def test_province_precision_3_uses_capital(geo: Geocoder) -> None:
    text = "سيطرت القوات الحكومية على مواقع في محافظة لحج."
    a = analyse(text)
    ms = geo.resolve(a)
    _m, place, prec = geo.event_place(a, ms, [(0, len(text))], 0)
    assert prec == 3
    assert place.feature == "city" and place.name == "Lahij"


def test_most_specific_wins(geo: Geocoder) -> None:
    text = "قصفت قوات النظام بلدة كفرنبل في ريف إدلب."
    a = analyse(text)
    ms = geo.resolve(a)
    m, place, prec = geo.event_place(a, ms, [(0, len(text))], text.find("قصفت"))
    assert prec == 1 and place.country == "SY" and "كفرنبل" in m.span.text


def test_no_place(geo: Geocoder) -> None:
    a = analyse("لا يوجد هنا أي مكان.")
    ms = geo.resolve(a)
    assert ms == ()
    assert geo.event_place(a, ms, [(0, 10)], 0) == (None, None, None)


def test_debug_report(geo: Geocoder) -> None:
    rep = debug_report("قتل 38 شخصا في دير الزور، وتبعد المدينة 450 كلم شمال شرقي دمشق", geo)
    assert "Deir ez-Zor" in rep and "role=distance" in rep


def _pipeline_places(text: str, title: str | None = None):
    """Place mentions as the full pipeline resolves them (actors known)."""
    from marsad.pipeline import Pipeline

    a = Pipeline.default(ner=False)(Document.from_parts("t", text, title=title))
    return [m for m in a.mentions if m.kind.value == "place"]


def test_capital_as_government_is_no_place() -> None:
    ms = _pipeline_places("وتتهم واشنطن ولندن وباريس الجيش السوري بشن هجمات بغاز الكلور لكن موسكو تؤكد أنه "
                          "لا توجد أدلة. وأعلنت طهران أن الضربة استهدفت مطار التيفور قرب حمص.")
    roles = {m.span.text: m.attr("role") for m in ms}
    assert roles["لندن"] == roles["باريس"] == roles["موسكو"] == roles["طهران"] == "agent"
    assert roles["قرب حمص"] is None


def test_country_as_subject_or_supporter_is_no_place() -> None:
    ms = _pipeline_places("شنت روسيا غارات على مناطق المعارضة في جنوب سوريا، بدعم من إيران.",
                          title="العراق يعلن شن غارات جوية على مواقع لداعش في سوريا")
    roles = [(m.span.text, m.attr("role")) for m in ms]
    assert ("روسيا", "agent") in roles and ("إيران", "agent") in roles and ("العراق", "agent") in roles
    assert ("جنوب سوريا", None) in roles and ("سوريا", None) in roles


def test_place_inside_an_actor_name_is_no_place() -> None:
    ms = _pipeline_places("أعلن تحالف دعم الشرعية في اليمن تدمير منصة صواريخ في صعدة.")
    roles = {m.span.text: m.attr("role") for m in ms}
    assert roles["اليمن"] == "actor" and roles["صعدة"] is None


def test_place_of_an_unmentioned_country_is_a_misreading() -> None:
    # "تدمر" is the verb "destroys" here, not Palmyra: nothing else in the report is Syrian
    ms = _pipeline_places("ضربة جوية إسرائيلية تدمر قاربا لحركة حماس في غزة، وأصيب فلسطيني في خان يونس.")
    roles = {m.span.text: m.attr("role") for m in ms}
    assert roles["تدمر"] == "foreign" and roles["غزة"] is None


def test_common_word_needs_a_place_word() -> None:
    ms = _pipeline_places("تصور اللوحات كيف يعيش الناس في الغوطة. "
                          "وقال العميد سالم الواعر إن مدينة سالم آمنة.")
    texts = [m.span.text for m in ms]
    assert "كيف" not in texts and "سالم" not in texts and "مدينة سالم" in texts


def test_site_word_does_not_swallow_a_preposition() -> None:
    ms = _pipeline_places("نشرت جبهة النصرة ذراع تنظيم القاعدة في سوريا شريطا مصورا.")
    assert all(not m.span.text.startswith("القاعدة") for m in ms)


def test_article_does_not_make_a_place_of_a_word() -> None:
    ms = _pipeline_places("قاتل الحوثيون في أرض الميدان. وقالت الحكومة السورية إن الوضع المالي صعب في دمشق.")
    texts = {m.span.text for m in ms}
    assert "الميدان" not in texts and "السورية" not in texts and "المالي" not in texts
    assert "دمشق" in texts
    assert any(m.span.text == "اليونان" for m in _pipeline_places("وصل المهاجرون إلى اليونان."))


def test_birthplace_idiom_is_no_place() -> None:
    assert not any(m.span.text == "مسقط" for m in _pipeline_places("اعتقل الشاب في مسقط رأسه أمس."))


def test_fronted_topic_place_yields_to_the_place_after_it() -> None:
    from marsad.pipeline import Pipeline

    a = Pipeline.default(ner=False)(Document.from_parts(
        "t", "وفي الحديدة، قصفت مليشيا الحوثي بالهاون قرى مديرية التحيتا جنوب المحافظة اليوم، "
        "ما أدى إلى إصابة مدنيين."))
    (e,) = a.events
    assert e.location_text == "مديرية التحيتا"


def test_israel_and_palestine_are_countries(geo: Geocoder) -> None:
    ms = geo.resolve(analyse("أطلقت صواريخ من قطاع غزة على إسرائيل، وقالت دولة فلسطين إن القصف مستمر."))
    assert by_text(ms, "إسرائيل").value.country == "IL" and by_text(ms, "إسرائيل").value.feature == "country"
    assert by_text(ms, "دولة فلسطين").value.country == "PS"


def test_group_in_its_home_country_is_who_not_where() -> None:
    ms = _pipeline_places("أطلق الحوثيون في اليمن صاروخا بالستيا باتجاه السعودية. "
                          "وقصفت طائرات عراقية مواقع لداعش في سوريا.")
    roles = {m.span.text: m.attr("role") for m in ms}
    assert roles["اليمن"] == "actor" and roles["سوريا"] is None


def test_the_ner_is_asked_only_about_names_a_person_could_explain() -> None:
    from marsad.model import Mention, MentionKind, Span

    village = Place(1, "Razan", "SY", 35.9, 36.6, "village", 900)
    aleppo = Place(2, "Aleppo", "SY", 36.2, 37.15, "city", 1_600_000)
    geo = Geocoder(MemoryGazetteer({"رزان": [village], "حلب": [aleppo]}))
    a = analyse("قتلت رزان الخطيب في قصف على حلب أمس.")
    asked: list[list[str]] = []

    def ner(analysis: Analysis, places: list[Mention]) -> list[Mention]:
        asked.append([m.span.text for m in places])
        s = analysis.doc.text.index("رزان الخطيب")
        return [Mention(MentionKind.NER, Span.of(analysis.doc.text, s, s + len("رزان الخطيب")), "PERS", 0)]

    ms, found = geo.resolve_with_entities(a, entities=ner)
    assert asked == [["رزان"]]  # a city of 1.6 M is never a given name: not asked about
    assert by_text(ms, "رزان").attr("role") == "person" and by_text(ms, "حلب").attr("role") is None
    assert [m.value for m in found] == ["PERS"]
    # no person found: the village stays a place; no entity finder: none is asked
    ms, _ = geo.resolve_with_entities(a, entities=lambda analysis, places: [])
    assert by_text(ms, "رزان").attr("role") is None
    assert by_text(geo.resolve(a), "رزان").attr("role") is None
