"""The learned toll decision (marsad.learn.tolls) on hand-written reports: its features, its veto
and rescue, and how the toll rules use it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from marsad.extract.fatalities import PACKAGED, combine, toll_statements
from marsad.learn.linear import LinearModel
from marsad.learn.tolls import TOLL, TOLL_MODEL, TollDecision, number_features, packaged
from marsad.model import Analysis, Document, MentionKind
from marsad.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline.default(ner=False, learned=False)


def _analysis(pipe: Pipeline, text: str) -> Analysis:
    return pipe(Document("t", text, date(2018, 5, 1)))


def _numbers(a: Analysis) -> list:
    return [m for m in a.mentions if m.kind is MentionKind.NUMBER]


def _model(weights: dict[str, dict[str, float]]) -> LinearModel:
    """A hand-made model over classes other / running_total / toll: a bias towards toll, and the
    given features' weights."""
    classes = ("other", "running_total", TOLL)
    vocab = {f: i for i, f in enumerate(weights)}
    w = np.array([[weights[f].get(c, 0.0) for c in classes] for f in weights],
                 dtype=np.float32).reshape(-1, 3)
    return LinearModel(classes, vocab, w, np.array([0.0, 0.0, 2.0], dtype=np.float32), {})


def test_features_name_the_cues_of_a_running_total(pipe: Pipeline) -> None:
    a = _analysis(pipe, "وارتفعت حصيلة القتلى منذ بدء الهجوم إلى 850 شخصا.")
    [m] = _numbers(a)
    feats = number_features(a, m, a.by_sentence(), "running")
    assert {"s:since", "s:toll", "s:rise", "rule:running", "a1:شخصا"} <= set(feats)
    assert feats == number_features(a, m, a.by_sentence(), "running")  # deterministic: training = serving


def test_features_flag_a_year_and_an_injury_word(pipe: Pipeline) -> None:
    a = _analysis(pipe, "وأصيب 12 شخصا في هجوم مماثل عام 2016.")
    year = next(m for m in _numbers(a) if m.value == 2016)
    hurt = next(m for m in _numbers(a) if m.value == 12)
    assert {"flag:year", "yearlike"} <= set(number_features(a, year, a.by_sentence()))
    assert "ibefore:near" in number_features(a, hurt, a.by_sentence())


def test_features_place_a_number_among_the_articles_counts(pipe: Pipeline) -> None:
    a = _analysis(pipe, "قتل 4 أشخاص في قصف على البلدة اليوم. وارتفع عدد القتلى منذ بدء الحملة إلى 700 شخص.")
    day, total = sorted(_numbers(a), key=lambda m: m.value)
    day_feats = number_features(a, day, a.by_sentence(), "kill")
    total_feats = number_features(a, total, a.by_sentence(), "kill")
    assert {"art_max", "art_5x_median", "rc:kill|art_max"} <= set(total_feats)
    assert "art_max" not in day_feats and "rs:kill|size:2" in day_feats
    assert "open1:قتل" in day_feats and "open2:وارتفع_عدد" in total_feats


def test_features_flag_an_earlier_incident_told_in_the_pluperfect(pipe: Pipeline) -> None:
    a = _analysis(pipe, "وكان الجيش قد قتل 9 مسلحين في المنطقة نفسها.")
    [m] = _numbers(a)
    feats = number_features(a, m, a.by_sentence(), "kill")
    assert {"s:earlier", "c:earlier", "rc:kill|earlier", "art_only"} <= set(feats)


def test_a_confident_veto_keeps_the_statement_but_does_not_count_it(pipe: Pipeline) -> None:
    a = _analysis(pipe, "وقتل 26 شخصا في المدينة.")
    decision = TollDecision(_model({"bw:وقتل": {"running_total": 6.0}}), threshold=0.5)
    [st] = toll_statements(a, decision)
    assert st.running_total and st.reason == "model:running_total"
    assert combine([st])[0] == 0
    [rules] = toll_statements(a, None)
    assert not rules.running_total and rules.killed == 26


def test_no_veto_below_the_models_doubt(pipe: Pipeline) -> None:
    a = _analysis(pipe, "وقتل 26 شخصا في المدينة.")
    decision = TollDecision(_model({"bw:وقتل": {"running_total": 1.0}}), threshold=0.2)
    assert [(s.killed, s.reason) for s in toll_statements(a, decision)] == [(26, "")]


def test_a_rescued_number_counts(pipe: Pipeline) -> None:
    text = "أفاد مصدر بأن 18 من مسلحي الجماعة المتشددة في المدينة قتلوا في الاشتباكات."
    a = _analysis(pipe, text)
    assert combine(toll_statements(a, None))[0] == 0  # the death word is too far for the rules
    decision = TollDecision(_model({"a1:من": {TOLL: 3.0}}), threshold=0.0, rescue_threshold=0.9)
    assert combine(toll_statements(a, decision))[0] == 18


def test_verdicts_say_what_the_rules_did(pipe: Pipeline) -> None:
    a = _analysis(pipe, "قتل خمسة مدنيين وأصيب 11 آخرون في القصف عام 2016.")
    verdicts: dict = {}
    toll_statements(a, None, verdicts)
    by_value = {m.value: verdicts[(m.span.start, m.span.end)] for m in _numbers(a)}
    assert by_value == {5: "running", 11: "injured", 2016: "skip"}  # 2016: an earlier year's deaths


@pytest.mark.skipif(not TOLL_MODEL.exists(), reason="no packaged toll model")
def test_the_packaged_model_loads_with_its_thresholds(pipe: Pipeline) -> None:
    decision = packaged()
    assert decision is not None and TOLL in decision.model.classes
    assert 0.0 <= decision.threshold < 1.0
    meta = decision.model.meta
    assert meta["model"] == "toll" and "held-out refused" in meta["trained_on"]["split"]
    assert meta["cross_validation"]["grouped_by"] == "article"
    a = _analysis(pipe, "قتل 7 مدنيين أمس في غارات على مدينة سراقب.")
    assert combine(toll_statements(a, PACKAGED))[0] == 7


def test_the_rules_alone_by_default(pipe: Pipeline) -> None:
    """``learned=False`` is the rules' baseline: no model unless the caller passes one."""
    a = _analysis(pipe, "وقتل 26 شخصا في المدينة.")
    assert toll_statements(a) == toll_statements(a, None)


def test_other_counts_equal_a_plain_scan() -> None:
    """The per-document (maximum, median) of the counts outside a sentence is what sorting them
    afresh for each number gave (ties and repeated values included)."""
    import random

    from marsad.learn.tolls import _other_counts
    from marsad.model import Mention, MentionKind, Span

    rng = random.Random(20261207)
    for _ in range(300):
        ms = tuple(Mention(MentionKind.NUMBER, Span.of("0" * 12, i, i + 1),
                           rng.choice([1, 2, 3, 5, 5, 8, 40, 300]),
                           sent=rng.randrange(6)) for i in range(rng.randrange(0, 12)))
        for sent in range(6):
            others = sorted(int(o.value) for o in ms if o.sent != sent)
            expected = (others[-1], others[len(others) // 2]) if others else None
            assert _other_counts(ms, sent) == expected


def test_a_veto_changes_the_count_not_the_events(pipe: Pipeline) -> None:
    """The event's structure (merges, shares, days, the rules' confidence) reads the rules' tolls,
    so a vetoed toll leaves the same events with a different count."""
    from marsad.extract.events import EventExtractor
    from marsad.extract.fatalities import as_told
    from marsad.stages import default_stages

    text = ("قتل 26 شخصا في قصف على مدينة دوما أمس. "
            "وقتل 9 أشخاص في غارة على بلدة سقبا في اليوم نفسه.")
    stages = default_stages(events_only=True, ner=False, learned=False)
    extractor = stages[-1]
    assert isinstance(extractor, EventExtractor)
    a = Pipeline(stages[:-1])(Document("t", text, date(2018, 3, 1)))
    rules = list(extractor(a).events)
    extractor.toll_decision = TollDecision(_model({"bw:قتل": {"running_total": 6.0}}), threshold=0.5)
    try:
        vetoed = list(extractor(a).events)
    finally:
        extractor.toll_decision = None
    assert [(e.event_type, e.location, e.event_date) for e in vetoed] == \
        [(e.event_type, e.location, e.event_date) for e in rules]
    assert [e.fatalities for e in rules] == [26, 9] and [e.fatalities for e in vetoed] == [0, 9]
    st = toll_statements(a, TollDecision(_model({"bw:قتل": {"running_total": 6.0}}), threshold=0.5))
    assert st[0].running_total and st[0].told  # not counted, still told
    assert [s.running_total for s in as_told(st)] == [False, False]
