"""Consolidation: incidents across documents (hand-built reports), stable ids, incremental runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from marsad.consolidate import ConsolidationResult, consolidate
from marsad.consolidate.blocking import candidate_blocks, home_block, week_of
from marsad.consolidate.incidents import fatality_range, incident_id_for
from marsad.consolidate.model import rule_model
from marsad.consolidate.similarity import BUCKETS, cosine, cosines, pair_features, place_relation, text_vector
from marsad.model import Document, Event
from marsad.store.sqlite import Store

# Short reports written for these tests: one air strike on Saraqib told by three outlets over two
# days (the toll rises from 7 to 11), and a clash in Deir ez-Zor the same day.
REPORTS = {
    "a": ("outlet-a", date(2018, 3, 5), "قتل سبعة مدنيين أمس في غارات روسية على مدينة سراقب في ريف إدلب.",
          dict(sub_event_type="Air/drone strike", event_date="2018-03-04", location="Saraqib", admin1="Idlib",
               latitude=35.86, longitude=36.80, geo_precision=1, fatalities=7,
               actor1="Military Forces of Russia", actor2="Civilians (Syria)")),
    "b": ("outlet-b", date(2018, 3, 5), "قتل تسعة مدنيين في غارات روسية على مدينة سراقب بريف إدلب أمس.",
          dict(sub_event_type="Air/drone strike", event_date="2018-03-04", location="Saraqib", admin1="Idlib",
               latitude=35.86, longitude=36.80, geo_precision=1, fatalities=9,
               actor1="Military Forces of Syria", actor2="Civilians (Syria)")),
    "c": ("outlet-c", date(2018, 3, 6),
          "ارتفعت حصيلة قتلى الغارات الروسية على مدينة سراقب في ريف إدلب إلى 11.",
          dict(sub_event_type="Air/drone strike", event_date="2018-03-04", location="Saraqib", admin1="Idlib",
               latitude=35.86, longitude=36.80, geo_precision=1, fatalities=11,
               actor1="Military Forces of Russia", actor2="Civilians (Syria)")),
    "d": ("outlet-a", date(2018, 3, 5),
          "قتل خمسة عناصر في اشتباكات بين الجيش وتنظيم الدولة قرب مطار دير الزور.",
          dict(sub_event_type="Air/drone strike", event_date="2018-03-04", location="Deir ez-Zor",
               admin1="Deir ez-Zor", latitude=35.33, longitude=40.14, geo_precision=1, fatalities=5,
               actor1="Military Forces of Syria", actor2="Islamic State")),
}


def report(doc_id: str) -> tuple[Document, list[Event]]:
    outlet, published, text, fields = REPORTS[doc_id]
    doc = Document(doc_id, text, published, None, outlet, f"https://example.org/{doc_id}")
    ev = Event(doc_id=doc_id, event_id=f"ev-{doc_id}", event_type="Explosions/Remote violence", country="SY",
               evidence=((0, len(text)),), **fields)  # type: ignore[arg-type]
    return doc, [ev]


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "m.db") as s:
        yield s


def add(store: Store, *ids: str) -> None:
    for i in ids:
        store.add_result(*report(i))


def members(store: Store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT event_id, incident_id FROM incident_members"))


def test_reports_of_one_strike_form_one_incident(store: Store):
    add(store, "a", "b", "c", "d")
    res = consolidate(store, model=rule_model())
    assert isinstance(res, ConsolidationResult)
    assert res.incidents == 2 and len(res.created) == 2 and res.joined == 2
    m = members(store)
    assert m["ev-a"] == m["ev-b"] == m["ev-c"] != m["ev-d"]
    [inc] = [r for r in store.iter_incidents() if r["location"] == "Saraqib"]
    assert inc["incident_id"] == incident_id_for("ev-a")  # founded by the earliest report
    assert inc["n_sources"] == 3 and inc["sources"] == "outlet-a; outlet-b; outlet-c"
    assert (inc["fatalities"], inc["fatalities_low"], inc["fatalities_high"]) == (11, 7, 11)
    assert (inc["first_reported"], inc["last_reported"]) == ("2018-03-05", "2018-03-06")
    # one outlet blamed Syria's forces, two Russia's: the commonest is shown, the conflict recorded
    assert inc["actor1"] == "Military Forces of Russia" or inc["actor2"] == "Military Forces of Russia"
    assert len(inc["actor_conflicts"]) == 2
    assert {m["outlet"] for m in inc["members"]} == {"outlet-a", "outlet-b", "outlet-c"}
    assert all(m["evidence"] for m in inc["members"])


def test_incremental_and_idempotent(store: Store):
    add(store, "a", "d")
    first = consolidate(store, model=rule_model())
    assert first.incidents == 2
    before = members(store)
    add(store, "a")  # extracted again: nothing changes
    again = consolidate(store, ["a"], model=rule_model())
    assert again == ConsolidationResult([], [], 0, 2) and members(store) == before
    add(store, "c")  # the update joins and raises the toll
    later = consolidate(store, ["c"], model=rule_model())
    assert later.created == [] and later.joined == 1
    assert later.grown == [(incident_id_for("ev-a"), 7, 11)]
    assert members(store)["ev-c"] == before["ev-a"]


def test_same_ids_when_rebuilt(tmp_path: Path):
    ids = []
    for name in ("x.db", "y.db"):
        with Store.open(tmp_path / name) as s:
            add(s, "d", "c", "b", "a")
            consolidate(s, model=rule_model())
            ids.append(sorted(members(s).items()))
    assert ids[0] == ids[1]


def test_re_extracted_document_leaves_its_incident(store: Store):
    add(store, "a", "b")
    consolidate(store, model=rule_model())
    doc, _ = report("b")
    store.add_result(doc, [])  # b re-extracted with no event
    res = consolidate(store, model=rule_model())
    [inc] = store.iter_incidents()
    assert res.incidents == 1 and inc["n_sources"] == 1 and inc["fatalities"] == 7


def test_one_document_never_reports_one_incident_twice(store: Store):
    doc, [ev] = report("a")
    twin = Event(**{**{f: getattr(ev, f) for f in ev.__slots__}, "event_id": "ev-a2"})  # type: ignore[arg-type]
    store.add_result(doc, [ev, twin])
    assert consolidate(store, model=rule_model()).incidents == 2


def test_fatality_range_latest_most_conservative():
    ms = [{"fatalities": 30, "published": "2018-01-01"}, {"fatalities": 26, "published": "2018-01-02"},
          {"fatalities": 28, "published": "2018-01-02"}, {"fatalities": 0, "published": "2018-01-03"}]
    assert fatality_range(ms) == (26, 26, 30)
    assert fatality_range([{"fatalities": 0}]) == (0, 0, 0)
    assert fatality_range([{"fatalities": 10, "fatalities_high": 20, "published": "x"}]) == (10, 10, 20)


def test_similarity_and_features():
    a, b, d = (text_vector(REPORTS[k][2]) for k in "abd")
    assert cosine(a, a) == pytest.approx(1.0, abs=1e-5)
    assert cosine(a, b) > cosine(a, d) >= 0
    assert cosine(a, text_vector("")) == 0.0
    empty = text_vector("")
    others = [empty, b, d, empty]  # the batched form agrees, empty vectors anywhere included
    assert cosines(a, others) == pytest.approx([cosine(a, o) for o in others], abs=1e-6)
    assert cosines(empty, others) == [0.0] * 4
    buffer = np.zeros(BUCKETS, np.float32)  # a reused buffer gives the same and is left zeroed
    assert cosines(a, others, buffer) == pytest.approx(cosines(a, others)) and not buffer.any()
    ra = {**REPORTS["a"][3], "country": "SY", "outlet": "x"}
    province = {"country": "SY", "admin1": "Idlib", "geo_precision": 3, "location": "Idlib",
                "latitude": 35.93, "longitude": 36.63}
    assert place_relation(ra, province)[0] == "place=in_admin1"  # a town inside its province
    feats = pair_features(ra, {**REPORTS["d"][3], "country": "SY", "outlet": "x"}, 0.05)
    assert "km>100" in feats and "outlet=same" in feats and "cos<=0.1" in feats


def test_blocking_by_type_country_week():
    row = {"event_type": "Battles", "country": "SY", "event_date": "2018-03-05"}
    assert home_block(row) == "Battles|SY|2018-W10" == f"Battles|SY|{week_of(date(2018, 3, 5))}"
    assert candidate_blocks({**row, "event_date": "2018-03-08"}) == ["Battles|SY|2018-W10"]  # Thu ± 3 days
    assert candidate_blocks(row) == ["Battles|SY|2018-W09", "Battles|SY|2018-W10"]
    assert home_block({"event_type": "Battles", "country": "YE"}) == "Battles|YE|nodate"
    # a protest one outlet calls peaceful and another a riot is one demonstration: one block (ACLED's
    # "Demonstrations"); a battle and an explosion stay in blocks of their own
    protest = {"event_type": "Protests", "country": "IQ", "event_date": "2018-09-06"}
    riot = {**protest, "event_type": "Riots"}
    assert home_block(protest) == home_block(riot) == "Demonstrations|IQ|2018-W36"
    assert home_block({**row, "event_type": "Explosions/Remote violence"}) != home_block(row)


def test_a_protest_and_a_riot_report_of_one_demonstration_are_compared(store: Store):
    """Two outlets code one demonstration in Basrah as a protest and as a riot: blocking by type group
    compares them (threshold 0: anything compared joins); a clash the same day stays apart."""
    from dataclasses import replace

    text = "تظاهر المئات أمام مبنى المحافظة في البصرة احتجاجا على تردي الخدمات."
    for n, (etype, sub) in enumerate((("Protests", "Peaceful protest"), ("Riots", "Violent demonstration"),
                                      ("Battles", "Armed clash"))):
        doc = Document(f"p{n}", text + " " * n, date(2018, 9, 6), None, f"outlet-{n}")
        store.add_result(doc, [Event(doc_id=doc.doc_id, event_id=f"ev-p{n}", event_type=etype,
                                     sub_event_type=sub, event_date="2018-09-05", country="IQ",
                                     location="Basrah", admin1="Basra", latitude=30.51, longitude=47.78,
                                     geo_precision=2 if n == 0 else 1, evidence=((0, len(text)),))])
    res = consolidate(store, model=replace(rule_model(), threshold=0.0))
    m = members(store)
    assert res.incidents == 2 and m["ev-p0"] == m["ev-p1"] != m["ev-p2"]
    [demo] = [r for r in store.iter_incidents() if r["n_events"] == 2]
    # the best-placed report (the riot) gives the type, and the sub-type is one of that type's (the
    # commonest over both types would be the first of a tie, "Peaceful protest")
    assert (demo["event_type"], demo["sub_event_type"]) == ("Riots", "Violent demonstration")


def test_a_story_told_over_days_stays_one_incident_across_weeks(store: Store):
    """Reports from Sunday of one ISO week to Saturday of the next chain into one incident (each within
    three days of a member); the same place three weeks later is another incident. Run in two calls, the
    second after the first call wrote and forgot its weeks."""
    text = "قتل سبعة مدنيين في غارات روسية على مدينة سراقب في ريف إدلب."
    def doc_on(day: str, n: int) -> tuple[Document, list[Event]]:
        doc = Document(f"s{n}", text + " " * n, date.fromisoformat(day), None, f"outlet-{n}")
        ev = Event(doc_id=doc.doc_id, event_id=f"ev-s{n}", event_type="Explosions/Remote violence",
                   sub_event_type="Air/drone strike", event_date=day, country="SY", location="Saraqib",
                   admin1="Idlib", latitude=35.86, longitude=36.80, geo_precision=1, fatalities=7,
                   actor1="Military Forces of Russia", actor2="Civilians (Syria)", evidence=((0, len(text)),))
        return doc, [ev]
    for n, day in enumerate(("2018-03-04", "2018-03-06", "2018-03-08")):
        store.add_result(*doc_on(day, n))
    assert consolidate(store, model=rule_model()).incidents == 1
    for n, day in ((3, "2018-03-10"), (4, "2018-03-31")):
        store.add_result(*doc_on(day, n))
    res = consolidate(store, ["s3", "s4"], model=rule_model())
    assert (res.joined, len(res.created), res.incidents) == (1, 1, 2)
    m = members(store)
    assert m["ev-s0"] == m["ev-s1"] == m["ev-s2"] == m["ev-s3"] != m["ev-s4"]
    [story] = [r for r in store.iter_incidents() if r["n_sources"] == 4]
    assert story["block"].endswith("2018-W10")  # filed under the latest week it reached


def test_the_model_carries_its_window_and_an_approximate_date_is_a_feature(store: Store):
    """The blocking window comes from the model (chosen by cross-validation and stored with it): the
    same strike reported 5 days later is out of reach under a 3-day window, and compared under 7."""
    from dataclasses import replace

    text = "قتل سبعة مدنيين في غارات روسية على مدينة سراقب في ريف إدلب."
    for n, day in enumerate(("2018-03-04", "2018-03-09")):
        doc = Document(f"w{n}", text + " " * n, date.fromisoformat(day), None, f"outlet-{n}")
        store.add_result(doc, [Event(doc_id=doc.doc_id, event_id=f"ev-w{n}",
                                     event_type="Explosions/Remote violence",
                                     sub_event_type="Air/drone strike", event_date=day, country="SY",
                                     location="Saraqib", admin1="Idlib", latitude=35.86, longitude=36.80,
                                     geo_precision=1, evidence=((0, len(text)),))])
    narrow = rule_model()
    assert narrow.window == 3
    assert consolidate(store, model=narrow).incidents == 2
    store.conn.execute("DELETE FROM incidents")
    store.conn.execute("DELETE FROM incident_members")
    # threshold 0: anything compared joins, so the count shows what the window lets be compared
    assert consolidate(store, model=replace(narrow, threshold=0.0, window=7)).incidents == 1
    a = {"event_date": "2018-03-04", "time_precision": 1, "location": "Saraqib", "country": "SY",
         "geo_precision": 1}
    feats = pair_features(a, {**a, "event_date": "2018-03-09", "time_precision": 2}, 0.5)
    assert "days<=5" in feats and "days<=5&date=vague" in feats and "place=same&days<=5" in feats
    assert "days<=0&date=exact" in pair_features(a, a, 0.5)


def test_cross_validation_folds_keep_country_weeks_whole():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))
    from train_consolidation import fold_of

    incs = [{"incident": f"i{n}", "country": c, "event_date": d} for n, (c, d) in enumerate(
        [("SY", "2018-03-05"), ("SY", "2018-03-07"), ("YE", "2018-03-05"), ("SY", "2018-03-14"),
         ("SY", None)])]
    folds = fold_of(incs, 4)
    assert folds["i0"] == folds["i1"]  # one country-week block, one fold
    assert len({folds[i] for i in ("i0", "i2", "i3", "i4")}) == 4  # four blocks dealt over four folds
    assert set(folds) == {i["incident"] for i in incs}
    # the repeated deals shuffle the blocks (reproducibly) and still keep each block whole
    deals = [fold_of(incs, 4, r) for r in range(1, 6)]
    assert all(d["i0"] == d["i1"] and set(d) == set(folds) for d in deals)
    assert deals[0] == fold_of(incs, 4, 1) and any(d != folds for d in deals)


def test_day_gap_features_cross_place_gap_text_and_toll():
    ra = {**REPORTS["a"][3], "country": "SY", "outlet": "x"}
    next_day = {**ra, "event_date": "2018-03-05", "fatalities": 3}
    feats = pair_features(ra, next_day, 0.1)  # same town, a day apart, other words, another toll
    assert "sametown:near&days<=1&cos=low" in feats and "toll:days<=1&differ" in feats
    retold = pair_features(ra, {**ra, "event_date": "2018-03-07"}, 0.6)  # the same toll and words
    assert "sametown:near&days<=3&cos=high" in retold and "toll=equal" in retold
    far = pair_features(ra, {**REPORTS["d"][3], "country": "SY", "fatalities": 0}, 0.05)
    assert "sametown:far&days<=0&cos=low" in far and "toll=none" in far


def test_training_pairs_weighted_per_incident_and_features_left_out():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))
    from train_consolidation import keep_features, pair_weights

    # incident g1 has three "same" pairs, g2 one; two "separate" pairs between g1 and g2, one g1-g3
    matched = {"a": "g1", "b": "g1", "c": "g1", "d": "g2", "e": "g2", "f": "g3"}
    pairs = [("a", "b", [], "same"), ("a", "c", [], "same"), ("b", "c", [], "same"), ("d", "e", [], "same"),
             ("a", "d", [], "separate"), ("b", "e", [], "separate"), ("c", "f", [], "separate")]
    assert pair_weights(pairs, matched, "none") == [1.0] * 7
    w = pair_weights(pairs, matched, "incident")
    assert sum(w[:4]) == pytest.approx(4) and sum(w[4:]) == pytest.approx(3)  # each class keeps its total
    assert sum(w[:3]) == pytest.approx(w[3])  # g1's three pairs weigh as much as g2's one
    assert w[4] + w[5] == pytest.approx(w[6])  # so do the incident pairs (g1, g2) and (g1, g3)
    s = pair_weights(pairs, matched, "sqrt")
    assert w[0] < s[0] < 1.0 < s[3] < w[3]
    feats = ["sub=same", "toll=equal", "toll:days<=0&equal", "sametown:near&days<=0&cos=high"]
    assert keep_features(feats, "base") == ["sub=same"] and keep_features(feats, "daygap") == feats


def test_outlet_features_cross_the_outlet_with_place_and_gap():
    ra = {**REPORTS["a"][3], "country": "SY", "outlet": "x"}
    # one outlet, the same town, the next day: a campaign's next day more often than a retelling
    assert "outlet:same&near&gap=1" in pair_features(ra, {**ra, "event_date": "2018-03-05"}, 0.1)
    elsewhere = {**REPORTS["d"][3], "country": "SY", "outlet": "y", "event_date": "2018-03-09"}
    other = pair_features(ra, elsewhere, 0.1)
    assert "outlet:diff&far&gap=2" in other
    assert not any(f.startswith("outlet:") for f in pair_features(ra, {**ra, "outlet": None}, 0.1))


def test_feature_variants_combine_and_the_criterion_sums_its_fold_means():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "build"))
    from train_consolidation import criterion, feature_variant, keep_features

    feats = ["sub=same", "nametext=1", "outlet:same&near&gap=1", "toll=equal"]
    assert keep_features(feats, "base") == ["sub=same"]
    assert keep_features(feats, "outlet") == ["sub=same", "outlet:same&near&gap=1"]
    assert keep_features(feats, "nametext+outlet") == feats[:3]
    assert feature_variant("nametext+outlet") == "nametext+outlet"
    with pytest.raises(Exception, match="not one of"):
        feature_variant("base+nope")
    fig = {"fold_mean_pairwise_f1": 0.5, "fold_mean_pairwise_macro_f1": 0.6, "fold_mean_bcubed_f1": 0.8}
    assert criterion(fig, "macro") == pytest.approx(1.4) and criterion(fig, "pooled") == pytest.approx(1.3)
    assert criterion(fig, "three") == pytest.approx(1.9)
