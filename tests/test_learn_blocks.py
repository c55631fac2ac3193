"""The fast paths of the learned decisions give exactly what the plain ones give: a model reading
a word's n-grams as a cached block (FeatureBlock; a text's words as one TextPart) sums the same
float32 rows in the same order as one reading the features one by one, and the cached feature
builder spells out the same strings."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.learn import linear
from marsad.learn.features import text_features, text_parts
from marsad.learn.linear import FeatureBlock, LinearModel, TextPart, flat

TEXTS = [
    "قصفت طائرات حربية بلدة قرب حلب أمس وقتل 3 مدنيين.",
    "أعلنت الشرطة اعتقال خمسة أشخاص، بعد اشتباكات في حي الشيخ مقصود",
    "«الغارات» استهدفت (مواقع) للمسلحين!!",
    "",
]


def _model(classes: tuple[str, ...], columns: int, seed: int = 3) -> LinearModel:
    """A model over the features of TEXTS (and their "x:" forms), with random float32 weights."""
    names = sorted({f for t in TEXTS for p in ("", "x:") for f in text_features(t, p)} | {"bias", "extra"})
    rng = np.random.default_rng(seed)
    keep = names[::2] + ["bias"]  # half the features unknown to the model
    vocab = {f: i for i, f in enumerate(dict.fromkeys(keep))}
    weights = rng.normal(0, 1.5, (len(vocab), columns)).astype(np.float32)
    return LinearModel(classes, vocab, weights, rng.normal(0, 1, columns).astype(np.float32), {})


def _plain_scores(model: LinearModel, feats: list[str]) -> np.ndarray:
    """The scores as LinearModel computed them before the fast paths (the reference)."""
    idx = [model.vocab[f] for f in feats if f in model.vocab]
    z = model.bias + (model.weights[idx].sum(axis=0) if idx else 0.0)
    return np.asarray(z, dtype=np.float64)


@pytest.mark.parametrize("classes,columns", [(("no", "yes"), 1), (("a", "b", "c", "d"), 4)])
def test_blocks_alone_and_among_texts_give_the_same_scores_byte_for_byte(classes: tuple[str, ...],
                                                                          columns: int) -> None:
    model = _model(classes, columns)
    for text in TEXTS:
        [part] = text_parts(text)
        assert isinstance(part, TextPart)
        # a word's block read alone (its n-grams), between plain features and a text
        parts = ["bias", *part.blocks, "extra", part, "unknown", *reversed(part.blocks)]
        want = _plain_scores(model, flat(parts))
        for _ in range(2):
            assert model.scores(parts).tobytes() == want.tobytes()


@pytest.mark.parametrize("classes,columns", [(("no", "yes"), 1), (("a", "b", "c", "d"), 4)])
def test_blocks_give_the_same_scores_byte_for_byte(classes: tuple[str, ...], columns: int) -> None:
    model = _model(classes, columns)
    for text in TEXTS:
        for prefix in ("", "x:"):
            parts = ["bias", *text_parts(text, prefix), "extra", "unknown"]
            want = _plain_scores(model, flat(parts))
            for _ in range(2):  # the second time from the model's block cache
                assert model.scores(parts).tobytes() == want.tobytes()
            assert model.proba(parts) == model.proba(flat(parts))


def test_text_parts_spell_out_text_features() -> None:
    for text in TEXTS:
        assert flat(text_parts(text)) == text_features(text)
        # the type model's prefix is the plain features' prefix, feature by feature
        assert text_features(text, "x:") == [f"x:{f}" for f in text_features(text)]
    assert "c:<غار" in text_features("غارة")
    assert text_features("") == []


def test_a_block_key_names_its_prefix_and_word() -> None:
    """A word that looks like a prefixed one ("x:قصف" as a word) is another block."""
    [plain_text], [prefixed_text] = text_parts("x:قصف"), text_parts("قصف", "x:")
    assert isinstance(plain_text, TextPart) and isinstance(prefixed_text, TextPart)
    plain, prefixed = plain_text.blocks, prefixed_text.blocks
    assert plain[0].key != prefixed[0].key
    assert plain[0].feats != prefixed[0].feats and plain[0].word != prefixed[0].word


def test_the_block_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linear, "BLOCK_CACHE", 4)
    model = _model(("no", "yes"), 1)
    for w in [w for t in TEXTS for w in t.split()]:
        parts = text_parts(w)
        assert model.scores(parts).tobytes() == _plain_scores(model, flat(parts)).tobytes()
        assert len(model._blocks) <= 4


def test_no_known_feature_scores_the_bias() -> None:
    model = _model(("a", "b", "c"), 3)
    for parts in ([], ["unknown"], [FeatureBlock("k", ())], [FeatureBlock("k2", ("nothing",))],
                  [TextPart((FeatureBlock("k3", ("nothing",), "w:nothing"),), ("b:no_thing",))]):
        assert model.scores(parts).tobytes() == np.asarray(model.bias + 0.0, dtype=np.float64).tobytes()
