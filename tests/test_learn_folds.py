"""The chain's folds are fixed by the article id: a change in some articles' candidates does not move the
other articles between folds, so two runs compare the same folds."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from marsad.learn.training import article_fold, article_splits


def test_an_article_and_its_sentences_read_alone_share_a_fold() -> None:
    assert article_fold("ant-x-1", 5) == article_fold("ant-x-1@120", 5) == article_fold("ant-x-1@0", 5)
    assert all(0 <= article_fold(f"doc{i}", 5) < 5 for i in range(50))


def test_more_rows_for_one_article_move_no_other_article() -> None:
    groups = [f"doc{i}" for i in range(40) for _ in range(1 + i % 3)]
    more = groups + ["doc7"] * 25  # one article's candidates grow a lot (GroupKFold would rebalance)
    fold_of = {}
    for rows in (groups, more):
        splits = article_splits(rows, 5)
        assert sorted(np.concatenate([test for _, test in splits]).tolist()) == list(range(len(rows)))
        for k, (train, test) in enumerate(splits):
            assert not set(train) & set(test)
            for i in test:
                assert fold_of.setdefault(rows[i], k) == k
    assert len({fold_of[g] for g in groups}) == 5


def test_a_rankers_choices_are_judged_by_the_model_of_the_fold_that_did_not_see_their_article() -> None:
    from marsad.learn.training import Choices, fold_events

    ch = Choices(feats=[[["a"], ["b"]], [["a"], ["b"]], [["a"], ["b"]]], labels=[[True, False], [False, True],
                                                                               [True, False]],
                 groups=["d1", "d2", "d3"])
    fold_docs = [{"d1"}, {"d2", "d3"}]
    seen: list[list[int]] = []

    def fit(idx: list[int]) -> int:  # a "model": the fold's training choices, remembered
        seen.append(idx)
        return len(seen) - 1

    # fold 0's model prefers the first candidate, fold 1's the second
    models, right = ch.out_of_fold(fold_docs, fit, lambda model, i: [1.0, 0.0] if model == 0 else [0.0, 1.0])
    assert models == [0, 1] and seen == [[1, 2], [0]]
    assert right == 2 / 3  # d1 right by fold 0's; d2 right, d3 wrong by fold 1's

    def pipeline(model: int):  # type: ignore[no-untyped-def]  # a document's one event names the model
        return lambda doc: SimpleNamespace(events=[SimpleNamespace(to_record=lambda: {"doc_id": doc,
                                                                                      "model": model})])

    gold = [{"doc_id": d} for d in ("d1", "d2", "d3")]
    recs = fold_events(gold, {d: d for d in ("d1", "d2", "d3")}, [0, 1], fold_docs, pipeline)
    assert recs == [{"doc_id": "d1", "model": 0}, {"doc_id": "d2", "model": 1}, {"doc_id": "d3", "model": 1}]
