"""The chain's folds are fixed by the article id: a change in some articles' candidates does not move the
other articles between folds, so two runs compare the same folds."""

from __future__ import annotations

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
