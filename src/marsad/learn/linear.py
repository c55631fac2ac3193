"""A linear classifier read with numpy: features (strings) -> class probabilities.

Trained by ``build/train_models.py`` (scikit-learn's logistic regression, at build time only)
and saved as one ``.npz``: the class names, the feature vocabulary, the weight matrix and the
biases, with the training provenance as JSON beside them. Serving is a dictionary lookup per
feature and one small sum: microseconds per sentence, no scikit-learn.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

log = logging.getLogger(__name__)

MODELS = Path(__file__).resolve().parent.parent / "data" / "models"
T = TypeVar("T")


def shipped(path: Path, load: Callable[[Path], T], without: str) -> T | None:
    """The decision that the model file ``path`` of the package makes (``load(path)``), or None,
    with a warning saying what runs ``without`` it, where the package has no such file."""
    if not path.exists():
        log.warning("no model at %s: %s", path, without)
        return None
    return load(path)


#: word blocks whose feature indices a model keeps (LinearModel._blocks; a few MB per model at most)
BLOCK_CACHE = 1 << 14


@dataclass(frozen=True, slots=True)
class FeatureBlock:
    """Features that recur together, in this order (a word's character n-grams): a model looks
    them up once and keeps their indices under ``key``, which names the features alone. ``word``:
    the word's own feature, which a :class:`TextPart` reads before its word pairs."""

    key: str
    feats: tuple[str, ...]
    word: str = ""


@dataclass(frozen=True, slots=True)
class TextPart:
    """A text's lexical features, in the order a model sums them: each block's ``word`` feature
    (the words), the word ``pairs``, then each block's features (the n-grams of each word). Why
    one part: a model finds a word's own feature and its n-grams with one look-up in its cache."""

    blocks: tuple[FeatureBlock, ...]
    pairs: tuple[str, ...]


#: what a model reads: feature strings, and parts that stand for their features in place
Features = Sequence["str | FeatureBlock | TextPart"]


def flat(parts: Features) -> list[str]:
    """The feature strings of ``parts``, blocks and texts spelt out in place (what training reads)."""
    out: list[str] = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, TextPart):
            out += [b.word for b in p.blocks]
            out += p.pairs
            for b in p.blocks:
                out += b.feats
        else:
            out += p.feats
    return out


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    vocab: dict[str, int]
    weights: np.ndarray  # (features, classes), float32
    bias: np.ndarray  # (classes,)
    meta: dict[str, Any]
    # the indices of the blocks read lately, by key: (the word's feature or -1, the known features).
    # Why: a vocabulary look-up costs about a microsecond in a large model, and a block's cost one
    _blocks: dict[str, tuple[int, list[int]]] = field(default_factory=dict, init=False, repr=False,
                                                      compare=False)

    def _block(self, block: FeatureBlock) -> tuple[int, list[int]]:
        got = self._blocks.get(block.key)
        if got is None:
            if len(self._blocks) >= BLOCK_CACHE:
                self._blocks.clear()
            get = self.vocab.get
            got = self._blocks[block.key] = (get(block.word, -1),
                                             [i for i in map(get, block.feats) if i is not None])
        return got

    def scores(self, feats: Features) -> np.ndarray:
        # the indices of every known feature in feature order (blocks' from the cache), then their
        # rows taken at once: the same array, and so the same float32 sum, as the rows of
        # ``flat(feats)`` taken one by one
        get = self.vocab.get
        idx: list[int] = []
        plain: list[str] = []
        for f in feats:
            if isinstance(f, str):
                plain.append(f)
                continue
            if plain:
                idx += [i for i in map(get, plain) if i is not None]
                plain = []
            if isinstance(f, TextPart):
                entries = [self._block(b) for b in f.blocks]
                idx += [w for w, _ in entries if w >= 0]
                idx += [i for i in map(get, f.pairs) if i is not None]
                for _, grams in entries:
                    idx += grams
            else:
                idx += self._block(f)[1]
        if plain:
            idx += [i for i in map(get, plain) if i is not None]
        # (``take`` gives what ``weights[idx]`` gives, in half the time)
        rows = self.weights.take(idx, axis=0) if idx else self.weights[:0]
        z = self.bias + (rows.sum(axis=0) if len(rows) else 0.0)
        return np.asarray(z, dtype=np.float64)

    def proba(self, feats: Features) -> dict[str, float]:
        z = self.scores(feats)
        if len(self.classes) == 1:
            return {self.classes[0]: 1.0}
        if z.shape[0] == 1:  # binary model: one column, the second class's log-odds
            p = float(1.0 / (1.0 + np.exp(-z[0])))  # plain floats: they end up in JSON records
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        e = np.exp(z - z.max())
        e /= e.sum()
        return dict(zip(self.classes, e.tolist(), strict=True))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            classes=np.array(self.classes), features_utf8=pack_names(names))
        path.with_suffix(".json").write_text(
            json.dumps(self.meta, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        with np.load(path, allow_pickle=False) as z:
            # (a model saved before 2026-12-07 holds its names as a fixed-width unicode array)
            names = unpack_names(z["features_utf8"]) if "features_utf8" in z.files else z["features"].tolist()
            return cls(tuple(z["classes"].tolist()), {f: i for i, f in enumerate(names)},
                       z["weights"], z["bias"], meta)


#: between two feature names in a saved model (a name never holds it: checked when saved)
NAME_SEPARATOR = "\n"


def pack_names(names: list[str]) -> np.ndarray:
    """The feature names as one UTF-8 byte array. A numpy unicode array pads every name to the
    longest (217,424 names of up to 67 characters: 58 MB to inflate when loaded, half a second of
    the cold start); the joined bytes are 4 MB."""
    if any(NAME_SEPARATOR in n for n in names):
        raise ValueError("a feature name holds a line break: it cannot be saved")
    return np.frombuffer(NAME_SEPARATOR.join(names).encode("utf-8"), dtype=np.uint8)


def unpack_names(packed: np.ndarray) -> list[str]:
    return packed.tobytes().decode("utf-8").split(NAME_SEPARATOR) if packed.size else []


def _beside_rules(cv: dict[str, Any], what: str, key: str) -> str:
    """A pipeline figure of a model's cross-validation and event F1, each beside the rules' alone."""
    fig, rules = cv.get("pipeline", {}), cv.get("rules_pipeline", {})
    return (f"pipeline {what} {fig.get(key)} (rules {rules.get(key)}), "
            f"event F1 {fig.get('event_f1')} (rules {rules.get('event_f1')}); ")


def cross_validated() -> list[tuple[str, str]]:
    """(model, one line of its cross-validated figures) for each shipped model, from the JSON
    its training script wrote (5 folds grouped by article, training split only)."""
    out: list[tuple[str, str]] = []
    for path in sorted(MODELS.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        cv = meta.get("cross_validation", {})
        name = meta.get("model", path.stem)
        if name == "sentence":
            ev = cv.get("per_class", {}).get("event", {})
            line = (f"accuracy {cv.get('accuracy')}, event P {ev.get('precision')} R {ev.get('recall')} "
                    f"F1 {ev.get('f1')}; frame threshold {meta.get('frame_gate', {}).get('threshold')}")
        elif name == "event":
            chosen = cv.get("thresholds", {}).get(str(meta.get("threshold")), {})
            line = (f"pipeline event F1 {chosen.get('event_f1')} (P {chosen.get('event_precision')}, "
                    f"R {chosen.get('event_recall')}), against the other coding {chosen.get('other_f1')}, "
                    f"at threshold {meta.get('threshold')} ({meta.get('family', 'linear')})")
            short = meta.get("short_threshold")
            alone = cv.get("sentences_alone_by_threshold", {}).get(str(short), {})
            if short is not None and alone:
                line += (f"; short documents from {short}: read alone, attack F1 {alone['attack']['f1']}, "
                         f"protest F1 {alone['protest']['f1']}")
        elif name == "types":
            acc, chosen = cv.get("accuracy_all_matched", {}), cv.get("chosen", {})
            line = (f"type accuracy {acc.get('type_model')} (rules {acc.get('type_rules')}), sub-type given "
                    f"type {acc.get('sub_given_type_model')} (rules {acc.get('sub_given_type_rules')}); "
                    f"pipeline event F1 {chosen.get('event_f1')} (rules' types "
                    f"{cv.get('rules_types', {}).get('event_f1')}) from P {meta.get('type_threshold')}; "
                    "off unless default_stages(types=True)")
        elif name == "place":
            fig = cv.get("rule_roleless_mentions", {}).get("not_a_place_figures", {})
            line = (f"not a place: P {fig.get('precision')} R {fig.get('recall')} at threshold "
                    f"{meta.get('threshold')}")
        elif name == "toll":
            toll = cv.get("per_class", {}).get("toll", {})
            line = (f"accuracy {cv.get('accuracy')}, toll F1 {toll.get('f1')}; "
                    f"rescue from {meta.get('rescue_threshold')}")
        elif name == "roles":
            line = (_beside_rules(cv, "actor accuracy", "actor_acc") + f"pairs right {cv.get('pairs_right')} "
                    f"(rules {cv.get('rules_pairs_right')}) at threshold {meta.get('threshold')}")
        elif name == "dates":
            line = (_beside_rules(cv, "date accuracy", "date_acc") + "days right in "
                    f"{cv.get('choices_right')} of the choices (rules {cv.get('rules_choices_right')}), "
                    f"C {meta.get('C')}")
        elif name == "splits":
            alone = cv.get("list_rule_alone", {})
            line = (f"pipeline event F1 {cv.get('event_f1')} (list rule alone {alone.get('event_f1')}), "
                    f"mean of both codings {cv.get('mean_f1')} ({alone.get('mean_f1')}), fatalities "
                    f"{cv.get('fatalities_acc')} ({alone.get('fatalities_acc')}); another event from "
                    f"{meta.get('threshold')}")
        elif name == "opener":
            fig = cv.get("chosen", {}).get("all") or {}
            attack, protest, any_event = (fig.get(k, {}) for k in ("attack", "protest", "event"))
            line = (f"asked sentences: attack F1 {attack.get('f1')}, protest F1 {protest.get('f1')}, "
                    f"any event P {any_event.get('precision')}; opens from {meta.get('threshold')}; "
                    "asked in documents of at most three sentences (default_stages(opener=...))")
        else:
            line = json.dumps(cv)[:120]
        out.append((name, line))
    return out
