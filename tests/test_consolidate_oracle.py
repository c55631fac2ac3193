"""The oracle consolidation (the gold members' own events), where pair errors go, and the wider day
window of approximately dated reports. Hand-written reports and a hand-made gold."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from marsad.consolidate import consolidate
from marsad.consolidate.diagnose import format_pair_errors, pair_errors, pair_properties
from marsad.consolidate.evaluate import evaluate_consolidation, match_members, score
from marsad.consolidate.model import rule_model
from marsad.consolidate.oracle import oracle_events, oracle_store, place_of
from marsad.errors import MarsadError
from marsad.model import Document, Event
from marsad.store.sqlite import Store

SARAQIB = "قتل سبعة مدنيين أمس في غارات روسية على مدينة سراقب في ريف إدلب."
SARAQIB_2 = "ارتفعت حصيلة قتلى الغارات الروسية على مدينة سراقب في ريف إدلب إلى تسعة."
DEIR = "قتل خمسة عناصر في اشتباكات بين الجيش وتنظيم الدولة قرب مطار دير الزور."
DOCS = {
    "a": Document("a", SARAQIB, date(2018, 3, 5), None, "outlet-a"),
    "b": Document("b", SARAQIB_2 + " " + DEIR, date(2018, 3, 6), None, "outlet-b"),
}
STRIKE = {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike", "country": "SY",
          "admin1": "Idlib", "location": "Saraqib", "event_date": "2018-03-04"}
GOLD = [
    {"incident": "t-1", "split": "train", **STRIKE, "fatalities": 9, "members": [
        {"doc_id": "a", "evidence": [[0, len(SARAQIB)]], "fatalities": 7,
         "actor1": "Military Forces of Russia", "actor2": "Civilians (Syria)"},
        {"doc_id": "b", "evidence": [[0, len(SARAQIB_2)]], "fatalities": 9, "event_date": "2018-03-04",
         "actor1": "Military Forces of Russia", "actor2": "Civilians (Syria)"}]},
    {"incident": "t-2", "split": "train", "event_type": "Battles", "sub_event_type": "Armed clash",
     "country": "SY", "admin1": "Deir ez-Zor", "location": "Deir ez-Zor", "event_date": "2018-03-05",
     "fatalities": 5, "members": [
         {"doc_id": "b", "evidence": [[len(SARAQIB_2) + 1, len(DOCS["b"].text)]], "fatalities": 5,
          "actor1": "Military Forces of Syria", "actor2": "Islamic State"}]},
]


def test_gold_places_come_from_the_gazetteer():
    town = place_of("Saraqib", "SY", "Idlib")
    assert town["geo_precision"] == 1 and town["latitude"] == pytest.approx(35.86, abs=0.1)
    assert place_of("Idlib", "SY", "Idlib")["geo_precision"] == 3  # the province, not a village of that name
    nowhere = place_of("Nowhere-on-earth", "SY", "Idlib")
    assert nowhere.get("latitude") is None and nowhere["location"] == "Nowhere-on-earth"
    assert place_of(None, "SY", None)["geo_precision"] == 3


def test_oracle_events_carry_the_members_fields():
    by_doc, labels = oracle_events(GOLD)
    assert sorted(labels.values()) == ["t-1", "t-1", "t-2"]
    [a] = by_doc["a"]
    assert (a.event_date, a.location, a.fatalities, a.actor1) == ("2018-03-04", "Saraqib", 7,
                                                                   "Military Forces of Russia")
    assert a.evidence == ((0, len(SARAQIB)),) and a.sub_event_type == "Air/drone strike"
    clash = [e for e in by_doc["b"] if e.event_type == "Battles"][0]
    assert clash.event_date == "2018-03-05"  # the incident's date where the member gives none
    # a field group taken from the extracted event the member was matched to
    by_doc, _ = oracle_events(GOLD, keys=[(0, 0)], system={(0, 0): {"event_date": "2018-03-05",
                                                                    "time_precision": 2}}, fields=["date"])
    assert list(by_doc) == ["a"] and by_doc["a"][0].event_date == "2018-03-05"
    with pytest.raises(ValueError, match="unknown field groups"):
        oracle_events(GOLD, fields=["colour"])


def test_oracle_store_consolidates_and_scores():
    store, labels = oracle_store(GOLD, docs=DOCS)
    with store:
        consolidate(store, model=rule_model())
        r = score(GOLD, store, "train", labels)
    assert r.matched == 3 and r.unmatched_gold == 0
    assert r.pairwise["f1"] == 1.0 and r.bcubed["f1"] == 1.0
    assert r.fatalities["mae_consolidated"] == 0.0  # 9, the later report's toll


def test_match_members_names_the_member():
    rows = [{"doc_id": "b", "event_id": "x", "evidence": [[len(SARAQIB_2) + 5, len(SARAQIB_2) + 20]],
             "event_type": "Battles", "location": "Deir ez-Zor"}]
    members, unmatched = match_members(GOLD, rows)
    assert members == {"x": (1, 0)} and unmatched == 2


def test_unknown_oracle_is_a_clear_error(tmp_path: Path):
    with pytest.raises(MarsadError, match="unknown oracle"):
        evaluate_consolidation(tmp_path, oracle="perfect")


def test_pair_errors_count_merged_missed_and_false():
    base = {**STRIKE, "latitude": 35.86, "longitude": 36.80, "geo_precision": 1,
            "actor1": "A", "actor2": "B", "fatalities": 3, "outlet": "o1"}
    rows = [{**base, "event_id": "1", "doc_id": "d1", "event_date": "2018-03-04"},
            {**base, "event_id": "2", "doc_id": "d2", "event_date": "2018-03-05", "outlet": "o2"},
            {**base, "event_id": "3", "doc_id": "d3", "event_date": "2018-03-04", "fatalities": 0}]
    props = pair_properties(rows[0], rows[1])
    assert props == {"days": "1", "place": "same/<=5km", "type": "same sub-type", "actors": "same",
                     "source": "other outlet", "toll": "equal"}
    gold = {"1": "g1", "2": "g1", "3": "g2"}
    system = {"1": "s1", "2": "s2", "3": "s1"}
    table = pair_errors(rows, gold, system)
    assert table["days"]["1"]["missed"] == 1 and table["days"]["0"]["false"] == 1
    assert sum(c["merged"] for c in table["days"].values()) == 0
    assert "missed" in format_pair_errors(table)


def test_an_approximately_dated_report_reaches_the_wider_window(tmp_path: Path):
    """A report dated only by its article's publication (time_precision 2) five days after a strike is
    compared with it under a vague window of 7; an exactly dated one is not (window 3)."""
    model = replace(rule_model(), threshold=0.0)  # anything compared joins: the count shows the reach
    for precision, incidents in ((2, 1), (1, 2)):
        with Store.open(tmp_path / f"v{precision}.db") as store:
            for n, day in enumerate(("2018-03-04", "2018-03-09")):
                doc = Document(f"v{n}", SARAQIB + " " * n, date.fromisoformat(day), None, f"outlet-{n}")
                store.add_result(doc, [Event(doc_id=doc.doc_id, event_id=f"ev-v{n}", **{
                    **STRIKE, "event_date": day}, time_precision=precision if n else 1,
                    evidence=((0, len(SARAQIB)),))])
            assert consolidate(store, model=replace(model, vague_window=7)).incidents == incidents
    assert replace(model, vague_window=7).reach(True) == 7 and rule_model().reach(True) == 3


@pytest.mark.gold
def test_oracle_on_the_consolidation_gold(shared: Path, capsys: pytest.CaptureFixture[str]):
    """The shipped decision on the train split's gold members' own events (no extraction; in-sample:
    the model was trained on this split's extracted pairs), from the library and the command line."""
    from marsad.cli import main

    gold = Path(__file__).resolve().parents[1] / "annotations" / "incidents"
    if not gold.is_dir():
        pytest.skip("no consolidation gold")
    r = evaluate_consolidation(gold, split="train", oracle="all")
    assert r.matched > 600 and r.bcubed["f1"] >= 0.84 and r.pairwise["f1"] >= 0.70
    assert main(["eval", "--consolidation", str(gold), "--split", "train", "--oracle-events"]) == 0
    assert "oracle events (all)" in capsys.readouterr().out


def test_the_other_report_names_the_place():
    """A report the geocoder put at the province is recognised as naming the other's town in its text."""
    from marsad.consolidate.similarity import pair_features, place_key

    assert place_key("مديرية التحيتا") == place_key("التحيتا") != ""
    assert place_key("شرق خان يونس") == place_key("خان يونس")
    assert place_key("ريف") == "" and place_key(None) == ""
    town = {**STRIKE, "location_text": "مدينة سراقب", "geo_precision": 1, "evidence_text": SARAQIB}
    province = {**town, "location": "Idlib", "location_text": "ريف إدلب", "geo_precision": 3,
                "evidence_text": "غارات روسية على سراقب بريف إدلب"}
    feats = pair_features(town, province, 0.3)
    assert "nametext=2" in feats and "nametext=2&differ" in feats
    elsewhere = {**province, "evidence_text": "غارات على معرة النعمان", "location_text": "معرة النعمان"}
    assert "nametext=0" in pair_features(town, elsewhere, 0.3)
    no_text = pair_features({**town, "evidence_text": ""}, province, 0.3)
    assert not any(f.startswith("nametext") for f in no_text)
    # a model without weights for them does not have them made
    assert not rule_model().reads_place_text
    assert not any(f.startswith("nametext") for f in pair_features(town, province, 0.3, place_text=False))


def test_own_document_events_join_only_when_the_model_allows(tmp_path: Path):
    """One article's strike extracted twice (a split report): the second event joins the incident its
    first event and another outlet's report form only with own_doc, compared with the other outlet's;
    with own_doc "place", only when the first is at its place (not another town of a campaign day)."""
    model = replace(rule_model(), threshold=0.0)
    cases = (("", "Saraqib", 2), ("any", "Saraqib", 1), ("place", "Saraqib", 1), ("any", "Idlib", 1),
             ("place", "Idlib", 2))
    for n, (own_doc, first_at, incidents) in enumerate(cases):
        with Store.open(tmp_path / f"d{n}.db") as store:
            a = Document("a", SARAQIB + " " + SARAQIB_2, date(2018, 3, 5), None, "outlet-a")
            b = Document("b", SARAQIB, date(2018, 3, 5), None, "outlet-b")
            store.add_result(a, [Event(doc_id="a", event_id="ev-a1", **{**STRIKE, "location": first_at},
                                       evidence=((0, len(SARAQIB)),)),
                                 Event(doc_id="a", event_id="ev-a2", **{**STRIKE, "event_date": "2018-03-05"},
                                       evidence=((len(SARAQIB) + 1, len(a.text)),))])
            store.add_result(b, [Event(doc_id="b", event_id="ev-b1", **STRIKE,
                                       evidence=((0, len(SARAQIB)),))])
            assert consolidate(store, model=replace(model, own_doc=own_doc)).incidents == incidents, n
