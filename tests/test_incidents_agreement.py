"""The clustering scores of the consolidation gold's agreement, on groupings small enough to do by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marsad.annotations import incidents_agreement as ia

# gold: {a b} {c d} {e}; the other coder: {a b c} {d} {e}
GOLD = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
PRED = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "z"}


def test_pairwise_by_hand() -> None:
    # gold pairs ab, cd; predicted ab, ac, bc: one shared pair
    s = ia.pairwise(GOLD, PRED)
    assert (s.precision, s.recall) == pytest.approx((1 / 3, 1 / 2))
    assert s.f1 == pytest.approx(0.4)


def test_bcubed_by_hand() -> None:
    # precision per item: a 2/3, b 2/3, c 1/3, d 1, e 1; recall: a 1, b 1, c 1/2, d 1/2, e 1
    s = ia.bcubed(GOLD, PRED)
    assert s.precision == pytest.approx(11 / 15)
    assert s.recall == pytest.approx(4 / 5)
    assert s.f1 == pytest.approx(88 / 115)


def test_scores_are_symmetric_in_direction() -> None:
    there, back = ia.bcubed(GOLD, PRED), ia.bcubed(PRED, GOLD)
    assert (there.precision, there.recall) == pytest.approx((back.recall, back.precision))


def test_identical_and_all_singletons() -> None:
    assert ia.pairwise(GOLD, GOLD) == ia.Scores(1.0, 1.0, 1.0)
    assert ia.bcubed(GOLD, GOLD) == ia.Scores(1.0, 1.0, 1.0)
    singletons = {k: k for k in GOLD}
    s = ia.pairwise(GOLD, singletons)
    assert (s.precision, s.recall, s.f1) == (1.0, 0.0, 0.0)
    assert ia.bcubed(GOLD, singletons).precision == 1.0


def test_skip_leaves_pairs_out_of_both_sides() -> None:
    # without the pair ab (say two copies of one text) only cd and the wrong ac, bc remain
    s = ia.pairwise(GOLD, PRED, skip=lambda pair: pair == frozenset("ab"))
    assert (s.precision, s.recall) == (0.0, 0.0)


def test_different_items_are_refused() -> None:
    with pytest.raises(ValueError, match="1 only in gold"):
        ia.pairwise(GOLD, {k: v for k, v in PRED.items() if k != "e"})


def _incident(iid: str, country: str, day: str, members: list[dict]) -> dict:
    return {"incident": iid, "country": country, "event_date": day, "members": members}


def _member(doc: str, start: int, **fields: object) -> dict:
    return {"doc_id": doc, "evidence": [[start, start + 10]], "event_date": "2018-03-01",
            "event_type": "Battles", "sub_event_type": "Armed clash", "location": "Douma",
            "actor1": "A", "actor2": "B", **fields}


def test_draw_takes_whole_blocks_in_a_seeded_order() -> None:
    incs = [_incident(f"g1-{i:04d}", c, d, [_member(f"d{i}", 0), _member(f"e{i}", 0)])
            for i, (c, d) in enumerate([("SY", "2018-03-01"), ("SY", "2018-03-02"), ("SY", "2018-03-20"),
                                        ("YE", "2018-03-01"), ("PS", "2018-05-14")])]
    blocks = ia.draw_blocks(incs, seed=1, target=3)
    assert blocks == ia.draw_blocks(list(reversed(incs)), seed=1, target=3)  # file order does not matter
    sizes = {b: sum(len(i["members"]) for i in incs if ia.block_of(i) == b) for b in blocks}
    assert sum(sizes.values()) >= 3 and sum(sizes.values()) - sizes[blocks[-1]] < 3  # stops once reached
    gold = ia.gold_assignment(incs, blocks)
    # both incidents of SY week 9 come together or not at all
    assert (("d0", ((0, 10),)) in {k[:2] for k in gold}) == (("d1", ((0, 10),)) in {k[:2] for k in gold})
    assert ia.block_of(incs[0]) == ("SY", 2018, 9)


def test_two_events_on_one_sentence_are_two_members() -> None:
    taken = _member("d", 5, sub_event_type="Government regains territory", location="Rakham")
    agreed = _member("d", 5, event_type="Strategic developments", sub_event_type="Agreement")
    assert ia.member_key(taken) != ia.member_key(agreed)
    incs = [_incident("g1-0001", "SY", "2018-03-01", [taken]),
            _incident("g1-0002", "SY", "2018-03-01", [agreed])]
    assert len(ia.gold_assignment(incs, [("SY", 2018, 9)])) == 2
    with pytest.raises(ia.AnnotationError, match="two incidents"):
        ia.gold_assignment(incs + [_incident("g1-0003", "SY", "2018-03-01", [taken])], [("SY", 2018, 9)])


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_main_on_a_hand_made_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = _member("d1", 0), _member("d2", 0), _member("d3", 0, location="Saqba")
    _write(tmp_path / "g1.jsonl", [_incident("g1-0001", "SY", "2018-03-01", [a, b]),
                                   _incident("g1-0002", "SY", "2018-03-01", [c])])
    _write(tmp_path / "g2.jsonl", [])
    _write(tmp_path / "g3.jsonl", [{**a, "group": 1}, {**b, "group": 2}, {**c, "group": 2}])
    assert ia.main(["--folder", str(tmp_path), "--coder", "g3.jsonl", "--no-texts", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["all"]["pairwise"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert [d["side"] for d in out["all"]["disagreements"]] == ["only_gold", "only_pred"]
    _write(tmp_path / "g3.jsonl", [{**a, "group": 1}, {**b, "group": 1}])  # a sampled member left out
    assert ia.main(["--folder", str(tmp_path), "--coder", "g3.jsonl", "--no-texts"]) == 2


def test_committed_regrouping_names_members_of_the_gold() -> None:
    # each line of g3's file must still be a member of g1 or g2 (their files may grow, not drift)
    folder = ia.INCIDENTS
    if not (folder / "g3-agreement.jsonl").exists():
        pytest.skip("no regrouping in this checkout")
    members = {ia.member_key(m) for f in ("g1.jsonl", "g2.jsonl") for i in ia.read_incidents(folder / f)
               for m in i["members"]}
    assert set(ia.read_grouping(folder / "g3-agreement.jsonl")) <= members
