"""No sentence of the ANERcorp test split (CAMeL Lab) may reach NER training.

Rebuilds the training corpora exactly as ``build/train_ner.py`` does and checks them against
the test set: no exact match after normalisation, no near-duplicate (character shingles), and
the filter really removed the test-region text that ANERcorp and NewsFANE contain.
Skips when ../shared is not there.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_NER = ROOT.parent / "shared" / "ner"

pytestmark = pytest.mark.skipif(
    not (SHARED_NER / "anercorp" / "ANERCorp_CamelLab_test.txt").exists(),
    reason="../shared/ner not available"
)


@pytest.fixture(scope="module")
def train_ner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "build" / "train_ner.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["train_ner"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def corpora(train_ner: ModuleType) -> tuple[list, dict[str, list]]:
    test = train_ner.read_test()
    return test, train_ner.load_training(["aner", "newsfane", "wikifane", "wojood"], test)


def test_test_split_is_as_documented(corpora: tuple[list, dict[str, list]]) -> None:
    test, _ = corpora
    assert sum(len(s) for s in test) == 25008
    assert len(test) >= 924


def test_no_test_sentence_in_training(train_ner: ModuleType, corpora: tuple[list, dict[str, list]]) -> None:
    test, data = corpora
    test_keys = {train_ner.sentence_key([w for w, _ in s]) for s in test} - {""}
    filt = train_ner.LeakageFilter(test)
    for name, sents in data.items():
        for s in sents:
            toks = [w for w, _ in s]
            assert train_ner.sentence_key(toks) not in test_keys, (name, " ".join(toks))
            assert filt.overlap(toks) < train_ner.OVERLAP_THRESHOLD, (name, " ".join(toks))


def test_filter_removed_the_test_region(corpora: tuple[list, dict[str, list]]) -> None:
    test, data = corpora
    n_test = sum(len(s) for s in test)
    # ANERcorp holds the test text (its tail): at least the test's size must be gone
    aner_tokens = sum(len(s) for s in data["aner"])
    assert aner_tokens <= 150_313 - n_test
    # NewsFANE re-annotates the same text: its copy of the test region must be gone too
    news_tokens = sum(len(s) for s in data["newsfane"])
    assert news_tokens <= 168_080 - 0.8 * n_test


def test_dev_split_comes_from_training_only(train_ner: ModuleType,
                                            corpora: tuple[list, dict[str, list]]) -> None:
    test, data = corpora
    train, dev = train_ner.dev_split(data["aner"])
    assert len(train) + len(dev) == len(data["aner"])
    assert 0.05 < len(dev) / len(data["aner"]) < 0.15
    assert train_ner.dev_split(data["aner"]) == (train, dev)  # seeded, reproducible
    test_keys = {train_ner.sentence_key([w for w, _ in s]) for s in test}
    assert not any(train_ner.sentence_key([w for w, _ in s]) in test_keys for s in dev if len(s) > 3)


def test_filter_catches_respelled_and_resegmented_copies(train_ner: ModuleType) -> None:
    test = [[("ذهب", "O"), ("الرئيس", "O"), ("أحمد", "B-PERS"), ("إلى", "O"), ("مدينة", "O"),
             ("الإسكندرية", "B-LOC"), ("أمس", "O"), ("لحضور", "O"), ("المؤتمر", "O"), (".", "O")]]
    filt = train_ner.LeakageFilter(test)
    # different alef spelling and ta marbuta: an exact match after normalisation
    assert filt.leaks(["ذهب", "الرئيس", "احمد", "الى", "مدينه", "الاسكندريه", "امس", "لحضور", "المؤتمر", "."])
    # clitics split off and the sentence cut differently: a near-duplicate
    assert filt.leaks(["ذهب", "الرئيس", "احمد", "الى", "مدينة", "الإسكندرية", "امس", "ل", "حضور"])
    assert not filt.leaks(["وصل", "الوزير", "إلى", "بغداد", "صباح", "اليوم", "في", "زيارة", "رسمية", "."])


def test_cluster_corpus_filter_drops_test_text(train_ner: ModuleType,
                                               corpora: tuple[list, dict[str, list]]) -> None:
    """The unlabelled text behind the word clusters goes through the same filter: a test sentence
    met as raw news text (re-tokenised by ``raw_tokens``) is recognised and left out."""
    test, _ = corpora
    filt = train_ner.LeakageFilter(test)
    sample = [s for s in test if len(s) >= 6][:200]
    for s in sample:
        raw = " ".join(w for w, _ in s)
        assert filt.leaks(train_ner.raw_tokens(raw)), raw
    assert not filt.leaks(train_ner.raw_tokens(
        "وصل الوزير إلى بغداد صباح اليوم في زيارة رسمية لم يعلن عنها مسبقا."))
