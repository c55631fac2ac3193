"""Training articles that repeat a held-out article are left out of training.

The corpus holds the same story more than once: France24 posts one text in two site sections,
the Saudi press repeats a wire story with another headline. A training article that is a copy
of a held-out article would teach the models the held-out article's own sentences, and the
held-out figures would no longer measure articles nobody trained on. So every training article
of the sample (``annotations/sample.tsv``) is compared with every held-out article, and a pair
that shares at least half of the shorter text's word 4-grams is a *twin*: the training article
is left out of every training script (:func:`marsad.learn.training.training_split` and
``training_gold``).

The list is data, ``annotations/heldout_twins.tsv``, written by ``build/heldout_twins.py`` and
checked against the corpus by ``tests/test_annotations.py``, so that what was left out, and why,
can be read without the corpus.

Requires: the sample's articles (``load_articles``). Provides: :func:`find_twins` (the
comparison), :func:`read_twins` (the stored list) and :func:`story_groups` (copies among the
training articles, which cross-validation keeps in one fold).
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from marsad.annotations.corpus import ANNOTATIONS

log = logging.getLogger(__name__)

TWINS_FILE = "heldout_twins.tsv"
#: the share of the shorter text's word 4-grams found in the other from which two articles tell one
#: story (a copy, an update or a rewrite; the corpus's copies are at 1.0). Set low on purpose: a
#: training article left out costs little, a leaked one inflates every held-out figure
CONTAINMENT = 0.5


@dataclass(frozen=True, slots=True)
class Twin:
    train_id: str
    heldout_id: str
    containment: float


class _Shingled:
    """The word 4-gram sets of some articles, indexed by shingle: which of them share how much with
    a text (the containment: shared shingles over the shorter text's)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        from marsad.consolidate.duplicates import shingles

        self.sets = {i: set(shingles(t)) for i, t in texts.items()}
        self.index: dict[bytes, list[str]] = defaultdict(list)
        for i in sorted(self.sets):
            for s in self.sets[i]:
                self.index[s].append(i)

    def containments(self, mine: set[bytes], after: str | None = None) -> dict[str, float]:
        """Each indexed article sharing a shingle with ``mine`` (ids above ``after`` only) -> containment."""
        shared: dict[str, int] = defaultdict(int)
        for s in mine:
            for j in self.index.get(s, ()):
                if after is None or j > after:
                    shared[j] += 1
        return {j: n / max(1, min(len(mine), len(self.sets[j]))) for j, n in shared.items()}


def find_twins(train: Mapping[str, str], heldout: Mapping[str, str],
               containment: float = CONTAINMENT) -> list[Twin]:
    """Each training article (id -> text) that repeats a held-out one, with its closest twin."""
    from marsad.consolidate.duplicates import shingles

    held = _Shingled(heldout)
    out: list[Twin] = []
    for i, text in sorted(train.items()):
        best = max(((c, j) for j, c in held.containments(set(shingles(text))).items()), default=None)
        if best is not None and best[0] >= containment:
            out.append(Twin(i, best[1], round(best[0], 3)))
    return out


def story_groups(texts: Mapping[str, str], containment: float = CONTAINMENT) -> dict[str, str]:
    """Each article (id -> text) that tells the story of another -> the smallest id of its group
    (pairs as :func:`find_twins` finds them, chained): the training scripts put one story's copies
    in one cross-validation fold, so that no fold is judged on a copy of what it trained on."""
    articles = _Shingled(texts)
    parent = {i: i for i in articles.sets}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in sorted(articles.sets):
        for j, c in articles.containments(articles.sets[i], after=i).items():
            if c >= containment:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    return {i: root(i) for i in articles.sets if root(i) != i}


def write_twins(twins: list[Twin], folder: Path = ANNOTATIONS) -> Path:
    path = folder / TWINS_FILE
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["train_id", "heldout_id", "containment"])
        w.writerows([t.train_id, t.heldout_id, f"{t.containment:.3f}"] for t in twins)
    return path


def read_twins(folder: Path = ANNOTATIONS) -> dict[str, str]:
    """Training article id -> the held-out article it repeats (empty where no list is stored)."""
    path = folder / TWINS_FILE
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {r["train_id"]: r["heldout_id"] for r in csv.DictReader(f, delimiter="\t")}
