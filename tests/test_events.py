"""The event builder on short hand-written reports: types, merging, exclusions, provenance."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Document, Event, MentionKind
from marsad.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    # these scenarios test the rules that build events; the learned decisions have their own tests
    return Pipeline.default(ner=False, learned=False)


def _events(pipe: Pipeline, text: str, published: date = date(2018, 3, 5),
            title: str | None = None) -> list[Event]:
    return list(pipe(Document.from_parts("t", text, published, title)).events)


def test_air_strike_on_civilians(pipe: Pipeline) -> None:
    (e,) = _events(pipe, "قتل سبعة مدنيين أمس الأحد في غارات شنتها طائرات حربية روسية على مدينة سراقب "
                         "في ريف إدلب، بحسب المرصد السوري لحقوق الإنسان.")
    assert (e.event_type, e.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    assert e.fatalities == 7 and e.event_date == "2018-03-04"
    assert {e.actor1, e.actor2} == {"Military Forces of Russia", "Civilians (Syria)"}
    assert e.country == "SY" and e.source == "Syrian Observatory for Human Rights"


def test_strikes_inside_a_battle_belong_to_it(pipe: Pipeline) -> None:
    events = _events(pipe, "اندلعت اشتباكات عنيفة اليوم بين قوات النظام وتنظيم داعش في مدينة دير الزور. "
                           "وترافقت الاشتباكات مع غارات جوية وقصف مدفعي على المدينة.")
    assert [e.event_type for e in events] == ["Battles"]
    assert "air strike" in events[0].tags


def test_negated_and_planned_events_are_not_events(pipe: Pipeline) -> None:
    assert _events(pipe, "نفى الجيش أن يكون قد قصف مدينة حلب. وهدد التنظيم بشن هجمات على بغداد.") == []


def test_a_fear_governs_the_clause_that_follows_it(pipe: Pipeline) -> None:
    # the explosions are ten words after "يخشى أن": still what he fears, not what happened
    assert _events(pipe, "ويعمل أحمد بائعا في السوق قرب باب المعظم، فهو يخشى أن يؤدي نقل الوزارة من البصرة "
                         "إلى بغداد إلى عودة زمن التفجيرات والسيارات المفخخة.", date(2018, 5, 14)) == []
    # a report verb before "أن" governs nothing: the attack it reports is an event
    (e,) = _events(pipe, "وقال مصدر أمني عراقي أن سيارة مفخخة انفجرت صباح اليوم في سوق شعبي وسط مدينة الموصل "
                         "وقتل فيها خمسة مدنيين.")
    assert e.event_type == "Explosions/Remote violence" and e.fatalities == 5


def test_old_background_is_not_an_event(pipe: Pipeline) -> None:
    assert _events(pipe, "في العام 2011 قصفت قوات النظام مدينة درعا بالمدفعية.", date(2018, 3, 5)) == []


def test_protesters_shot_is_excessive_force(pipe: Pipeline) -> None:
    events = _events(pipe, "قتل متظاهران برصاص الشرطة العراقية خلال احتجاجات في مدينة البصرة اليوم.")
    assert events and events[0].event_type == "Protests"
    assert events[0].sub_event_type == "Excessive force against protesters"


def test_no_event_in_economic_news(pipe: Pipeline) -> None:
    assert _events(pipe, "افتتح في الرياض اليوم مؤتمر اقتصادي بمشاركة وزراء ومستثمرين من عشرين دولة.") == []


def test_distance_reference_is_not_the_event_place(pipe: Pipeline) -> None:
    events = _events(pipe, "سيطر تنظيم داعش اليوم على حي في مدينة دير الزور بعد اشتباكات مع قوات النظام. "
                           "وتبعد المدينة 450 كلم شمال شرقي دمشق.")
    assert events and all(e.location != "Damascus" for e in events)


def test_event_ids_are_stable(pipe: Pipeline) -> None:
    text = "اندلعت اشتباكات عنيفة اليوم بين قوات النظام وتنظيم داعش في مدينة دير الزور."
    assert [e.event_id for e in _events(pipe, text)] == [e.event_id for e in _events(pipe, text)]


def test_title_offsets_refer_to_title_plus_body(pipe: Pipeline) -> None:
    title, body = "غارة على إدلب", "قتل خمسة مدنيين اليوم في غارة جوية على مدينة إدلب."
    doc = Document.from_parts("t", body, date(2018, 3, 5), title)
    for e in pipe(doc).events:
        for field, s, end in e.provenance:
            assert doc.text[s:end], field
        assert all(doc.text[s:end] for s, end in e.evidence)


arabic = st.text(alphabet=st.sampled_from(list("قتلوبالأإآةىيـًٌٍَُِّْ ٢٦.\n!؟،مدنيغارةحلبدمشقداعش0123456789")),
                 max_size=200)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=200), arabic))
def test_every_span_of_the_whole_pipeline_indexes_the_original(text: str) -> None:
    pipe = Pipeline.default(ner=False, learned=False)
    analysis = pipe(Document("h", text, date(2018, 3, 5)))
    for m in analysis.mentions:
        assert text[m.span.start:m.span.end] == m.span.text, m.kind
        assert m.kind in MentionKind
    for t in analysis.tokens:
        assert text[t.start:t.end] == t.text
    for e in analysis.events:
        for s, end in e.evidence:
            assert 0 <= s <= end <= len(text)


def test_headline_region_and_reported_town_are_one_event(pipe: Pipeline) -> None:
    events = _events(pipe, "قتل سبعة مدنيين أمس في غارات شنتها طائرات حربية روسية على مدينة سراقب.",
                     title="غارات على ريف إدلب")
    assert len(events) == 1
    assert events[0].location == "Saraqib" and events[0].geo_precision == 1


def test_headline_country_and_reported_town_are_one_event(pipe: Pipeline) -> None:
    events = _events(pipe, "اندلعت اشتباكات عنيفة اليوم بين قوات الجيش اليمني وميليشيا الحوثي في مدينة تعز.",
                     title="اشتباكات عنيفة في اليمن")
    assert [e.location for e in events] == ["Taizz"]


def test_relative_clause_of_control_is_not_a_territory_event(pipe: Pipeline) -> None:
    assert _events(pipe, "يعاني السكان في المناطق التي سيطر عليها تنظيم داعش في مدينة الرقة. "
                         "وانتقدت الوزارة دعم المناطق التي حررها التحالف الدولي في مدينة الموصل.") == []


def test_purpose_of_an_offensive_is_not_a_change_of_control(pipe: Pipeline) -> None:
    events = _events(pipe, "كثفت القوات الحكومية جهودها لاستعادة مدينة دوما من المعارضة.")
    assert all(e.sub_event_type != "Government regains territory" for e in events)


def test_future_and_prevention_are_not_events(pipe: Pipeline) -> None:
    assert _events(pipe, "قال التلفزيون إن القوات الحكومية ستستأنف هجومها ضد تنظيم داعش جنوب دمشق. "
                         "وتسعى مصر للتوسط لمنع تصعيد آخر في القتال في قطاع غزة.") == []


def test_investigation_of_attacks_is_not_an_attack(pipe: Pipeline) -> None:
    assert _events(pipe, "قرر مجلس الأمن تشكيل لجنة تحقيق في الهجمات الكيميائية في سوريا.") == []


def test_sexual_violence_needs_an_armed_perpetrator(pipe: Pipeline) -> None:
    assert _events(pipe, "اتهم كاهن في مدينة بوسطن باغتصاب أطفال في الكنيسة.") == []
    (e,) = _events(pipe, "اغتصب مسلحون من تنظيم داعش نساء في قرية قرب مدينة الموصل أمس.")
    assert e.sub_event_type == "Sexual violence" and e.actor1 == "Islamic State"


def test_country_level_telling_joins_the_placed_event(pipe: Pipeline) -> None:
    events = _events(pipe, "خطفت جبهة النصرة ثمانية عناصر من الفرقة 30 قرب مدينة اعزاز أمس. "
                           "وأكدت الجبهة في شريط مصور خطفها مقاتلين في سوريا.")
    assert len(events) == 1 and events[0].location is not None and events[0].geo_precision != 3


def test_storming_a_base_with_named_forces_is_a_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "اقتحمت قوات الجيش الوطني اليمني أمس قاعدة العند العسكرية في محافظة لحج.")
    assert [(e.event_type, e.sub_event_type) for e in events] == [("Battles", "Armed clash")]
    assert "Al Qaeda" not in {events[0].actor1, events[0].actor2}


def test_headline_present_tense_takes_territory(pipe: Pipeline) -> None:
    events = _events(pipe, "تمكنت القوات من دخول المطار بعد معارك.",
                     title="المقاومة الشعبية تسيطر على مطار العند بلحج",
                     published=date(2015, 8, 3))
    assert any(e.event_type == "Battles" and e.sub_event_type.endswith("territory") for e in events)


def test_gathering_shot_at_is_a_protest(pipe: Pipeline) -> None:
    events = _events(pipe, "أطلقت القوات الإسرائيلية النار على شبان فلسطينيين احتشدوا على حدود قطاع غزة "
                           "اليوم مما أسفر عن إصابة 13 شخصا.")
    assert events and events[0].event_type == "Protests"


def test_since_date_is_not_the_event_day(pipe: Pipeline) -> None:
    events = _events(pipe, "وثق المرصد اليوم مقتل 8 مدنيين بغارات جوية لقوات النظام على مدينة حرستا، ما رفع "
                           "الحصيلة منذ 18 فبراير إلى 1002.", published=date(2018, 3, 10))
    assert events and events[0].event_date == "2018-03-10"


def test_ongoing_situation_without_a_day_is_not_an_event(pipe: Pipeline) -> None:
    assert _events(pipe, "وتشهد مدينة سيلوبي اشتباكات بين الشرطة والمسلحين الأكراد منذ الأسبوع الماضي.") == []


def test_strikes_on_civilians_are_not_folded_into_a_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "قتل 17 مدنيا اليوم بغارات جوية لقوات النظام على مدينة دوما. "
                           "وتزامنت الغارات مع هجوم بري لقوات النظام على الفصائل المعارضة في دوما.")
    assert {e.event_type for e in events} == {"Explosions/Remote violence", "Battles"}


def test_chemical_attack_told_on_several_days_is_one_event(pipe: Pipeline) -> None:
    events = _events(pipe, "أسفر هجوم كيميائي السبت على مدينة دوما عن مقتل 40 شخصا. "
                           "وبحث المبعوث الثلاثاء الرد على هجوم كيميائي محتمل في مدينة دوما.",
                     published=date(2018, 4, 11))
    assert [e.sub_event_type for e in events] == ["Chemical weapon"] and events[0].event_date == "2018-04-07"


def test_weapons_talk_and_denials_are_not_attacks(pipe: Pipeline) -> None:
    assert _events(pipe, "دعت منظمة حظر الأسلحة الكيميائية إلى تدمير الأسلحة الكيميائية في سوريا. "
                         "ونفت الحكومة السورية مسؤولية قوات النظام عن شن أي هجوم كيميائي في الغوطة.") == []


def test_call_to_stop_aggression_is_not_a_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "شنت طائرات إسرائيلية غارات على مواقع لحماس في غزة مساء الثلاثاء. "
                           "وطالبت الحكومة الفلسطينية بتدخل دولي يضمن وقف العدوان والاعتداءات الإسرائيلية.",
                     published=date(2018, 5, 30))
    assert [e.event_type for e in events] == ["Explosions/Remote violence"]


def test_people_shot_without_a_named_force_is_an_attack(pipe: Pipeline) -> None:
    (e,) = _events(pipe, "قتل إسرائيليان وأصيب ثالث اليوم في حادث إطلاق نار شمالي الضفة الغربية.",
                   published=date(2018, 10, 7))
    assert (e.event_type, e.sub_event_type, e.fatalities) == ("Violence against civilians", "Attack", 2)


def test_strikes_on_a_list_of_districts_are_one_event_each(pipe: Pipeline) -> None:
    events = _events(pipe, "واستهدفت طائرات التحالف اليوم مواقع للحوثيين في مدينة الحديدة وفي مديرية "
                           "الدريهمي.",
                     published=date(2018, 6, 8))
    assert sorted(e.location_text for e in events) == ["مديرية الدريهمي", "مدينة الحديدة"]


def test_two_named_towns_are_two_events_and_the_strikes_keep_their_actor(pipe: Pipeline) -> None:
    events = _events(pipe, "قصفت طائرات حربية سورية، الأحد، بالبراميل المتفجرة أماكن عدة في مدينة درعا. "
                           "وأفاد المرصد السوري بأن الضربات استهدفت الأحد بلدة أم المياذن في ريف درعا ما "
                           "أسفر عن مقتل 3 مدنيين.",
                     published=date(2018, 7, 8))
    assert sorted(e.location for e in events) == ["Dar'a", "Umm al Mayadin"]
    assert all(e.actor1 == "Military Forces of Syria" for e in events)


def test_ground_attack_amid_strikes_is_a_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "تتزامن المفاوضات مع استمرار هجوم قوات النظام السوري على ريف درعا الغربي، وسط قصف "
                           "جوي عنيف.")
    assert events and events[0].event_type == "Battles" and "air strike" in events[0].tags


def test_seizing_vehicles_is_looting_not_territory(pipe: Pipeline) -> None:
    events = _events(pipe, "تمكنت قوات النظام اليوم من الاستيلاء على أكثر من 15 آلية داخل معبر نصيب.")
    assert all(e.event_type != "Battles" for e in events)


def test_toll_told_again_at_a_nearby_town_is_the_same_strike(pipe: Pipeline) -> None:
    events = _events(pipe, "أدان الأمين العام الغارة التي استهدفت حافلة في صعدة الخميس وتسببت في مقتل 29 "
                           "طفلا. "
                           "وقالت المنظمة إن قصفا استهدف حافلة في سوق مدينة ضحيان أدى إلى مقتل 29 طفلا.",
                     published=date(2018, 8, 10))
    assert len(events) == 1 and events[0].fatalities == 29


def test_headline_death_and_the_report_of_a_protest_are_one_event(pipe: Pipeline) -> None:
    events = _events(pipe, "أعلنت وزارة الصحة أن مسعفة فلسطينية قتلت برصاص الاحتلال الإسرائيلي في الاحتجاجات "
                           "قرب "
                           "الحدود شرق خان يونس اليوم.", title="مقتل مسعفة فلسطينية برصاص الاحتلال جنوب غزة",
                     published=date(2018, 6, 1))
    assert [(e.event_type, e.fatalities) for e in events] == [("Protests", 1)]


def test_foiled_attack_with_deaths_is_a_clash(pipe: Pipeline) -> None:
    events = _events(pipe, "قال ضابط إن قوات الأمن قتلت 3 متطرفين وأحبطت محاولة لشن هجوم على القصر الرئاسي "
                           "في مقديشو اليوم.",
                     published=date(2018, 7, 14))
    assert [(e.event_type, e.fatalities) for e in events] == [("Battles", 3)]


def test_protest_that_turned_into_a_riot_is_the_riot(pipe: Pipeline) -> None:
    events = _events(pipe, "تظاهر مئات المحتجين اليوم في مدينة البصرة. وحاول متظاهرون اقتحام مبنى المحافظة "
                           "في البصرة وأحرقوا إطارات مشتعلة قبل أن تفرقهم الشرطة.")
    assert [e.event_type for e in events] == ["Riots"]


def test_known_liberation_is_not_a_new_one(pipe: Pipeline) -> None:
    assert _events(pipe, "أعلن محافظ عدن إقبال الشبان على الانضمام إلى قوات الأمن بعد تحريرها من "
                         "المتمردين.") == []


def test_accused_of_rape_is_a_court_story(pipe: Pipeline) -> None:
    assert _events(pipe, "ألقت الشرطة العراقية القبض على شاب متهم باغتصاب وقتل فتاة في ألمانيا.") == []


def test_the_backed_force_takes_the_ground_not_its_backer(pipe: Pipeline) -> None:
    events = _events(pipe, "تمكنت قوات المقاومة اليمنية، بإسناد من القوات المسلحة الإماراتية ضمن التحالف "
                           "العربي، السبت، من تحرير مديرية الوازعية غربي تعز بالكامل من ميليشيات الحوثي.",
                     published=date(2018, 5, 16))
    assert events and events[0].actor1 == "Popular Resistance (Yemen)"


def test_one_death_told_at_two_nearby_places_is_counted_once(pipe: Pipeline) -> None:
    events = _events(pipe, "أعلن متحدث باسم وزارة الصحة أنه قتلت مسعفة برصاص الاحتلال في الاحتجاجات قرب "
                           "الحدود "
                           "في مدينة غزة اليوم. وقال المتحدث: قتلت المسعفة برصاص الاحتلال في شرق خان يونس.",
                     published=date(2018, 6, 1))
    assert sum(e.fatalities for e in events) == 1


def test_an_offensive_begun_is_a_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "ذكرت قوات سوريا الديمقراطية أن عملياتها بدأت الاثنين لطرد مسلحي تنظيم داعش من "
                           "بلدة حاجين.",
                     published=date(2018, 9, 11))
    assert [(e.event_type, e.location) for e in events] == [("Battles", "Hajin")]
    assert events[0].event_date == "2018-09-10"


def test_strikes_with_a_ground_operation_are_the_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "قصفت طائرات التحالف اليوم مواقع التنظيم في بلدة هجين بالتزامن مع العملية البرية "
                           "التي تشنها قوات سوريا الديمقراطية.", published=date(2018, 9, 11))
    assert [e.event_type for e in events] == ["Battles"]


def test_suicide_car_bomb_opening_an_assault_is_the_battle(pipe: Pipeline) -> None:
    events = _events(pipe, "اشتبكت قوات الأمن الصومالية اليوم مع مسلحي حركة الشباب قرب القصر الرئاسي في "
                           "مقديشو. "
                           "وذكر أحد عناصر الشرطة أن 6 أشخاص قتلوا بينهم الانتحاري قائد السيارة الملغومة.",
                     published=date(2018, 7, 14))
    assert [(e.event_type, e.fatalities) for e in events] == [("Battles", 6)]


def test_deaths_of_a_weak_sentence_go_to_the_event_of_its_place(pipe: Pipeline) -> None:
    events = _events(pipe, "اشتبكت قوات الدرك الأردنية أمس مع خلية إرهابية في مدينة السلط. "
                           "وأعلنت الحكومة انتهاء العملية الأمنية في مدينة السلط، وأسفرت عن مقتل 4 عناصر من "
                           "الدرك.",
                     published=date(2018, 8, 13))
    assert [(e.location, e.fatalities) for e in events] == [("As Salt", 4)]


def test_a_doubt_stops_at_the_comma(pipe: Pipeline) -> None:
    events = _events(pipe, "قال مدير الدفاع المدني إن طائرة حربية، يعتقد أنها روسية، قصفت مدينة حرستا، ما "
                           "أدى إلى مقتل 11 مدنيا.", published=date(2018, 3, 11))
    assert [(e.event_type, e.fatalities) for e in events] == [("Explosions/Remote violence", 11)]


def test_clearing_mines_is_no_battle_and_no_blast(pipe: Pipeline) -> None:
    assert _events(pipe, "وواصلت قوات الأمن عملياتها في شمال سيناء، وتطهير مناطق وطرق من عبوات ناسفة زرعها "
                         "مسلحون في وقت سابق.") == []


def test_forces_wounding_a_civilian_is_an_attack() -> None:
    pipe = Pipeline.default(ner=False, learned=False)
    pipe.stages[-1].min_confidence = 0.0  # the typing is under test, not the confidence of one sentence
    events = _events(pipe, "أغلقت الشرطة الإسرائيلية أبواب المسجد الأقصى بالقدس اليوم بعدما أصابت فلسطينيا "
                           "بالرصاص.",
                     published=date(2018, 8, 17))
    assert [e.event_type for e in events] == ["Violence against civilians"]


def test_refusing_to_fight_is_no_clash(pipe: Pipeline) -> None:
    events = _events(pipe, "قام الحوثيون أمس بإعدام العشرات من الجنود الذين رفضوا خوض مواجهات في مدينة عدن.",
                     published=date(2015, 8, 4))
    assert [e.event_type for e in events] == ["Violence against civilians"]


def test_a_threat_does_not_reach_the_attack_it_answers(pipe: Pipeline) -> None:
    events = _events(pipe, "تصاعدت تهديدات واشنطن بشن ضربة ردا على تقارير عن هجوم كيماوي شنه النظام السوري "
                           "على مدينة دوما السبت الماضي.", published=date(2018, 4, 11))
    assert [(e.sub_event_type, e.location, e.event_date) for e in events] == [("Chemical weapon", "Duma",
                                                                               "2018-04-07")]


def test_gunfire_on_soldiers_is_a_clash(pipe: Pipeline) -> None:
    events = _events(pipe, "قتل جندي تركي أمس في إطلاق نار استهدف دورية عسكرية في منطقة بيت الشباب جنوب شرقي "
                           "تركيا.",
                     published=date(2015, 8, 11))
    assert [(e.event_type, e.location, e.event_date) for e in events] == [("Battles", "Beytussebap",
                                                                           "2015-08-10")]


def test_undated_incidents_take_the_day_of_the_lead(pipe: Pipeline) -> None:
    events = _events(pipe, "شهدت تركيا أمس هجمات أسفرت عن مقتل خمسة من قوات الأمن في إسطنبول وشرناق. "
                           "وذكر بيان أن أربعة من عناصر الأمن قتلوا إثر انفجار عبوة ناسفة في قضاء سيلوبي.",
                     published=date(2015, 8, 11))
    assert {(e.location, e.event_date) for e in events} >= {("Silopi", "2015-08-10")}
    assert all(e.event_date == "2015-08-10" for e in events)


def test_a_toll_over_two_days_is_one_event_per_day(pipe: Pipeline) -> None:
    events = _events(pipe, "قال المرصد السوري لحقوق الإنسان إن 25 مدنيا قتلوا خلال يومين جراء الغارات الجوية "
                           "لقوات "
                           "النظام على مدينة دوما، وإن الغارات تواصلت الثلاثاء.", published=date(2018, 2, 21))
    assert sorted((e.event_date, e.fatalities) for e in events) == [("2018-02-19", 13), ("2018-02-20", 12)]
    assert len({e.event_id for e in events}) == 2


def test_each_list_of_towns_takes_the_toll_of_its_clause(pipe: Pipeline) -> None:
    events = _events(pipe, "قصفت طائرات النظام السوري الغوطة الشرقية، ووثق المرصد السبت مقتل 8 مدنيين في "
                           "حرستا وعربين فضلا عن "
                           "انتشال 17 آخرين من تحت الأنقاض في دوما، ما رفع الحصيلة منذ 18 فبراير إلى 1002.",
                     published=date(2018, 3, 10))
    assert sorted((e.location, e.fatalities) for e in events) == [("Duma", 17), ("Harasta", 4), ("`Irbin", 4)]


def test_a_clause_with_no_place_is_told_by_the_next(pipe: Pipeline) -> None:
    events = _events(pipe, "وأفاد مصدر أمني عراقي أن شخصين قتلا، بينما أصيب سبعة آخرون في انفجار عبوة ناسفة "
                           "قرب محال "
                           "تجارية في منطقة كمب سارة، وسط بغداد. وأضاف المصدر أن انفجار عبوة ناسفة في منطقة "
                           "بغداد الجديدة أدى إلى مقتل شخص.", published=date(2015, 8, 9))
    assert sorted((e.sub_event_type, e.fatalities) for e in events) == [
        ("Remote explosive/landmine/IED", 1), ("Remote explosive/landmine/IED", 2)]


def test_an_older_day_is_not_inherited(pipe: Pipeline) -> None:
    events = _events(pipe, "وكانت طائرات التحالف قد قصفت مدينة صعدة قبل أسبوعين. وقتل خمسة مدنيين في غارة "
                           "جوية للتحالف على مدينة الحديدة.", published=date(2018, 6, 8))
    assert ("Al Hudaydah", "2018-06-08") in {(e.location, e.event_date) for e in events}


def test_a_death_told_again_joins_the_protest_it_happened_in(pipe: Pipeline) -> None:
    events = _events(pipe, "أعلنت وزارة الصحة أن مسعفة فلسطينية قتلت برصاص الجيش الإسرائيلي في الاحتجاجات "
                           "قرب الحدود شرق "
                           "خان يونس يوم الجمعة. وقال المتحدث إن المسعفة قتلت برصاص الجيش في شرق خان يونس "
                           "أثناء عملها.",
                     published=date(2018, 6, 2), title="مقتل مسعفة فلسطينية برصاص الجيش الإسرائيلي جنوب غزة")
    assert [(e.event_type, e.location, e.fatalities) for e in events] == [("Protests", "Khan Yunis", 1)]


def test_the_side_struck_acts_second(pipe: Pipeline) -> None:
    events = _events(pipe, "واستهدفت طائرات التحالف أمس مواقع وآليات للحوثيين في مدينة الحديدة.",
                     published=date(2018, 6, 8), title="الضربات تتوالى على الحوثيين في الساحل الغربي")
    assert [(e.actor1, e.actor2) for e in events] == [("Saudi-led Coalition", "Houthis")]


def test_a_front_wide_battle_does_not_take_in_a_strike_on_a_town(pipe: Pipeline) -> None:
    events = _events(pipe, "تدور اشتباكات عنيفة أمس بين قوات المقاومة المشتركة والحوثيين على جبهة الساحل "
                           "الغربي. "
                           "وقصفت طائرات التحالف أمس مواقع للحوثيين في مدينة الحديدة، ما أدى إلى مقتل 5 "
                           "منهم.",
                     published=date(2018, 6, 8))
    assert sorted((e.event_type, e.location) for e in events) == [
        ("Battles", "Yemeni West Coast"), ("Explosions/Remote violence", "Al Hudaydah")]


def test_two_kinds_of_development_are_two_events() -> None:
    from marsad.extract.frames import Frame
    from marsad.extract.merging import same_event

    truce = Frame("Strategic developments", "Agreement", [0], 0, [], date="2018-06-07")
    arrests = Frame("Strategic developments", "Arrests", [1], 90, [], date="2018-06-07")
    assert not same_event(truce, arrests)
    assert same_event(truce, Frame("Strategic developments", "Agreement", [2], 150, [], date="2018-06-07"))


def test_preparing_to_use_a_weapon_is_no_attack(pipe: Pipeline) -> None:
    assert _events(pipe, "واتهمت روسيا أمس مسلحي المعارضة بالإعداد لاستخدام مواد سامة في الغوطة الشرقية.",
                   published=date(2018, 3, 14)) == []


def test_the_day_of_a_statement_is_not_the_day_of_the_strike(pipe: Pipeline) -> None:
    events = _events(pipe, "وأعلنت طهران في وقت سابق الثلاثاء أن الضربة الجوية التي استهدفت فجر الاثنين مطار "
                           "التيفور العسكري "
                           "قرب حمص أسفرت عن مقتل سبعة عسكريين إيرانيين.", published=date(2018, 4, 11))
    assert [e.event_date for e in events] == ["2018-04-09"]


def test_excessive_force_is_the_forces_act(pipe: Pipeline) -> None:
    events = _events(pipe, "أطلقت القوات الإسرائيلية السبت الرصاص باتجاه متظاهرين فلسطينيين احتشدوا على "
                           "الحدود شرق مدينة غزة، مما أسفر عن إصابة 13 شخصا.", published=date(2018, 3, 31))
    assert [(e.sub_event_type, e.actor1, e.actor2) for e in events] == [
        ("Excessive force against protesters", "Military Forces of Israel", "Protesters (Palestine)")]


def test_rioters_act_in_a_riot(pipe: Pipeline) -> None:
    pipe.stages[-1].min_confidence, old = 0.0, pipe.stages[-1].min_confidence
    try:
        events = _events(pipe, "وقال الجيش الإسرائيلي إن محتجين أطلقوا النار ورشقوا القوات الإسرائيلية "
                               "بالحجارة على حدود قطاع غزة أمس.", published=date(2018, 3, 31))
    finally:
        pipe.stages[-1].min_confidence = old
    riots = [e for e in events if e.event_type == "Riots"]
    assert riots and riots[0].actor1 == "Rioters (Palestine)"


def test_living_under_bombardment_is_no_strike(pipe: Pipeline) -> None:
    assert _events(pipe, "ترسم الفنانة قصص عشاق يعيشون تحت قصف جوي في مدينة دوما.",
                   published=date(2018, 3, 8)) == []


def test_an_arrest_for_rape_is_crime_not_conflict(pipe: Pipeline) -> None:
    assert _events(pipe, "ألقت الشرطة العراقية القبض أمس على شاب متهم باغتصاب وقتل فتاة في مدينة دهوك.",
                   published=date(2018, 6, 9)) == []


def test_an_attack_on_a_security_post_is_a_clash(pipe: Pipeline) -> None:
    events = _events(pipe, "قتل 9 أشخاص على الأقل أمس في هجوم على مجمع وزارة الداخلية في مقديشو.",
                     published=date(2018, 7, 8))
    assert [(e.event_type, e.location, e.fatalities) for e in events] == [("Battles", "Mogadishu", 9)]


def test_a_look_back_at_an_older_year_is_no_event(pipe: Pipeline) -> None:
    assert _events(pipe, "واتهم الوزير إيران بتنفيذ تفجيرات في بوينس آيرس عام ١٩٩٤ أسفرت عن مقتل 85 شخصا.",
                   published=date(2018, 3, 27)) == []


def test_killing_a_commander_is_told_again_by_the_strike(pipe: Pipeline) -> None:
    events = _events(pipe, "نجحت قوات التحالف العربي قبل أيام في تصفية رئيس أركان الميليشيات الحوثية. وقالت "
                           "مصادر "
                           "عسكرية إن الغماري قتل مع سبعة آخرين في غارة للتحالف قبل يومين على مدينة الحديدة.",
                     published=date(2018, 6, 7))
    assert [(e.sub_event_type, e.location, e.event_date) for e in events] == [
        ("Air/drone strike", "Al Hudaydah", "2018-06-05")]


def test_a_toll_sentence_naming_a_town_goes_to_that_towns_event(pipe: Pipeline) -> None:
    events = _events(pipe, "استهدف هجوم إرهابي أمس دورية للأمن في مدينتي الفحيص والسلط، واشتبكت قوات الدرك "
                           "مع المهاجمين. "
                           "وانتهت العملية الأمنية في مدينة السلط، وأسفرت عن مقتل 4 من عناصر الدرك.",
                     published=date(2018, 8, 12))
    assert {e.location: e.fatalities for e in events}.get("As Salt") == 4


def test_a_toll_after_a_list_of_towns_is_shared(pipe: Pipeline) -> None:
    events = _events(pipe, "استهدف هجوم إرهابي أمس دورية للأمن في مدينتي الفحيص والسلط، واشتبكت قوات الدرك "
                           "مع المهاجمين. "
                           "وأسفرت المواجهات عن مقتل 4 من عناصر الدرك.", published=date(2018, 8, 12))
    assert sorted(e.fatalities for e in events) == [2, 2]


def test_a_bomb_on_a_police_post_strikes_the_police(pipe: Pipeline) -> None:
    events = _events(pipe, "أصيب 10 أشخاص أمس في هجوم انتحاري بسيارة مفخخة على مركز للشرطة في مدينة بعقوبة.",
                     published=date(2015, 8, 6))
    assert [(e.sub_event_type, e.actor2) for e in events] == [("Suicide bomb", "Police Forces of Iraq")]


def test_a_country_level_event_goes_to_the_articles_place(pipe: Pipeline) -> None:
    events = _events(pipe, "قتل 40 شخصا أمس في غارة للتحالف على حافلة في اليمن. وكانت الحافلة تقل أطفالا في "
                           "سوق مدينة صعدة، وفق شهود من صعدة.", published=date(2018, 8, 19))
    assert [(e.location, e.geo_precision) for e in events] == [("Sa'dah", 3)]


def test_the_coalition_that_fights_is_a_description(pipe: Pipeline) -> None:
    assert _events(pipe, "قال المتحدث إن التحالف الذي يقاتل لإعادة الحكومة اليمنية إلى البلاد يهدف أولا إلى "
                         "عودتها لمدينة عدن.", published=date(2015, 7, 31)) == []


def test_more_than_a_month_after_an_attack_is_background(pipe: Pipeline) -> None:
    events = _events(pipe, "ألقت الشرطة القبض على شبكة تتبع تنظيم داعش بعد أكثر من شهر من تفجير مسجد في "
                           "الكويت أودى بحياة 27 شخصا.", published=date(2015, 7, 30))
    assert all(e.fatalities == 0 and e.sub_event_type != "Suicide bomb" for e in events)


def test_the_attack_answered_is_not_todays_event(pipe: Pipeline) -> None:
    events = _events(pipe, "سمع شهود عيان فجر السبت دوي تفجيرات حول دمشق بعد أن شنت الولايات المتحدة وفرنسا "
                           "وبريطانيا "
                           "ضربات صاروخية على مواقع للنظام السوري. وجاءت الضربات ردا على الهجوم الكيماوي على "
                           "مدينة دوما.",
                     published=date(2018, 4, 14))
    assert [(e.sub_event_type, e.actor1, e.actor2) for e in events] == [
        ("Air/drone strike", "Military Forces of the United States", "Military Forces of Syria")]


def test_a_control_only_tried_for_is_a_clash(pipe: Pipeline) -> None:
    text = ("وما زالت المواجهات المسلحة دائرة اليوم بين الحوثيين والمقاومة في زنجبار، حيث تحاول المقاومة "
            "السيطرة عليها وتحريرها منهم.")
    (e,) = _events(pipe, text, date(2015, 8, 1))
    assert (e.event_type, e.sub_event_type, e.location) == ("Battles", "Armed clash", "Zinjibar")
    (e,) = _events(pipe, text.replace("حيث تحاول المقاومة السيطرة عليها",
                                      "وسيطرت المقاومة عليها"), date(2015, 8, 1))
    assert e.sub_event_type in ("Government regains territory", "Non-state actor overtakes territory")


def test_a_town_word_in_a_gazetteer_name_leaves_the_bare_name_a_reading(pipe: Pipeline) -> None:
    # "مدينة زنجبار" is also a name of Zanzibar City: in Yemen it is the town word before Zinjibar
    (e,) = _events(pipe, "شنت طائرات التحالف غارات على مقر اللواء 15 مشاة في مدينة زنجبار عاصمة محافظة أبين.",
                   date(2015, 8, 8))
    assert (e.location, e.country) == ("Zinjibar", "YE")


def test_civilians_are_never_the_acting_side(pipe: Pipeline) -> None:
    (e,) = _events(pipe, "قتل مدنيان اليوم في انفجار عبوة ناسفة في سوق شعبي بمدينة الرمادي.")
    assert (e.actor1, e.actor2, e.inter1, e.actor1_text) == ("Unidentified Armed Group (Iraq)",
                                                             "Civilians (Iraq)", 3, None)
    assert not any(f == "actor1" for f, _, _ in e.provenance)  # an unnamed side has no span
    (e,) = _events(pipe, "لقي ثلاثة أشخاص حتفهم اليوم في حادث دهس متعمد وسط مدينة تورنتو الكندية.")
    assert e.actor2 == "Civilians (Canada)" and not e.actor1.startswith("Civilians")


def test_an_arrest_with_only_the_arrested_named_is_made_by_the_police(pipe: Pipeline) -> None:
    (e,) = _events(pipe, "أوقفت امرأة اليوم في مدينة ليون الفرنسية للاشتباه في صلتها بتنظيم متشدد.",
                   date(2018, 5, 6))
    assert (e.sub_event_type, e.actor1, e.inter1, e.actor1_text) == ("Arrests", "Police Forces of France",
                                                                     1, None)
    assert e.actor2 == "Civilians (France)"


def test_an_attacked_meeting_is_the_events_place_not_a_venue(pipe: Pipeline) -> None:
    # "لقاء في X" is where talks were held (a statement's place) unless the meeting is what was hit
    hit = ("واستهدف هجوم انتحاري مساء الثلاثاء لقاء انتخابيا لحزب محلي في بيشاور، "
           "وتسبب بمقتل 22 شخصا حسب حصيلة جديدة.")
    talks = "وعقد الوزيران لقاء مطولا في بيشاور لبحث الهجوم."
    roles = [[m.attr("role") for m in pipe(Document("t", text, date(2018, 7, 13))).mentions
              if m.kind is MentionKind.PLACE] for text in (hit, talks)]
    assert roles == [[None], ["statement"]]
    events = pipe(Document("t", hit, date(2018, 7, 13))).events
    assert [(e.location, e.fatalities) for e in events] == [("Peshawar", 22)]


def test_deaths_without_a_number_are_not_shared_over_a_list_of_towns(pipe: Pipeline) -> None:
    # a number told for several towns is split over them (spec §4); deaths told with no number are no
    # number to split: each town's event counts them as the spec does (3)
    text = "قصفت قوات النظام السوري أمس بلدتي حرستا وعربين، ما أدى إلى سقوط قتلى."
    events = pipe(Document("t", text, date(2018, 3, 1))).events
    assert sorted(e.fatalities for e in events) == [3, 3] and len({e.location for e in events}) == 2
    text = "قصفت قوات النظام السوري أمس بلدتي حرستا وعربين، ما أدى إلى مقتل 7 مدنيين."
    events = pipe(Document("t", text, date(2018, 3, 1))).events
    assert sorted(e.fatalities for e in events) == [3, 4]
