"""The learned decisions: the linear model's serving matches its training, decisions name their
reasons, the event stage calibrates and drops, the shipped models say how they were made."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from marsad.learn.events import CalibrateEvents, EventDecision
from marsad.learn.features import sentence_features, text_features
from marsad.learn.linear import MODELS, LinearModel
from marsad.learn.sentences import SentenceDecision
from marsad.model import Analysis, Document, Event, Sentence
from marsad.pipeline import Gate, Pipeline
from marsad.run.local import RunSummary

ROOT = Path(__file__).resolve().parents[1]


def _model(classes: tuple[str, ...], weights: dict[str, list[float]], bias: list[float]) -> LinearModel:
    vocab = {f: i for i, f in enumerate(weights)}
    w = np.array([weights[f] for f in weights], dtype=np.float32).reshape(len(weights), -1)
    return LinearModel(classes, vocab, w, np.array(bias, dtype=np.float32), {"model": "test"})


def test_linear_model_round_trips_and_sums_to_one(tmp_path: Path) -> None:
    m = _model(("a", "b", "c"), {"x": [1.0, 0.0, -1.0], "y": [0.0, 2.0, 0.0]}, [0.0, 0.0, 0.0])
    m.save(tmp_path / "m.npz")
    back = LinearModel.load(tmp_path / "m.npz")
    p = back.proba(["x", "y", "unknown"])
    assert pytest.approx(sum(p.values())) == 1.0
    assert max(p, key=p.__getitem__) == "b"
    assert back.meta == {"model": "test"}


def test_feature_names_are_saved_as_bytes_and_the_old_form_still_loads(tmp_path: Path) -> None:
    from marsad.learn.linear import pack_names, unpack_names

    names = ["w:قتل", "c3:غار", "", "t:Battles|Armed clash"]
    assert unpack_names(pack_names(names)) == names and unpack_names(pack_names([])) == []
    with pytest.raises(ValueError, match="line break"):
        pack_names(["a\nb"])
    m = _model(("a", "b"), {"w:قتل": [1.0, -1.0], "x": [0.0, 2.0]}, [0.0, 0.0])
    # a model saved before the names were packed: a fixed-width unicode array under "features"
    np.savez_compressed(tmp_path / "old.npz", weights=m.weights, bias=m.bias, classes=np.array(m.classes),
                        features=np.array(["w:قتل", "x"]))
    m.save(tmp_path / "new.npz")
    for name in ("old.npz", "new.npz"):
        back = LinearModel.load(tmp_path / name)
        assert back.vocab == {"w:قتل": 0, "x": 1} and back.proba(["x"]) == m.proba(["x"])


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn (the [train] extra)")
def test_serving_gives_the_probabilities_of_training() -> None:
    from marsad.learn.training import fit_linear, to_linear

    feats = [["w:قتل", "t:x"], ["w:اجتماع"], ["w:قتل", "w:غارة"], ["w:اجتماع", "w:وزير"]] * 3
    labels = ["event", "none", "event", "none"] * 3
    vec, clf = fit_linear(feats, labels, 1.0)
    model = to_linear(vec, clf, {})
    sk = clf.predict_proba(vec.transform([["w:قتل", "w:وزير"]]))[0]
    ours = model.proba(["w:قتل", "w:وزير"])
    assert [ours[c] for c in clf.classes_] == pytest.approx(sk.tolist(), abs=1e-6)


def test_training_scripts_share_their_arguments() -> None:
    import argparse

    from marsad.annotations.corpus import ANNOTATIONS, SHARED
    from marsad.learn.training import corpus_arguments, json_sha256

    grid = corpus_arguments(argparse.ArgumentParser(), [0.1, 0.5])
    args = grid.parse_args([])
    assert (args.annotations, args.shared, args.out) == (ANNOTATIONS, SHARED, MODELS)
    assert (args.folds, args.c) == (5, [0.1, 0.5])
    assert grid.parse_args(["--c", "1", "2", "--folds", "3"]).c == [1.0, 2.0]
    one = corpus_arguments(argparse.ArgumentParser(), 0.5, c_nargs=None)
    assert one.parse_args([]).c == 0.5 and one.parse_args(["--c", "2"]).c == 2.0
    # the digest the shipped models' metadata carry: sha256 of the JSON
    assert json_sha256([("a", "x")]) == "c24acc958dbfcb9148bbe8234a877f2cb90a5505c1eee63a173464e6f3f8a458"


def _analysis(text: str, title: str | None = None, published: date = date(2018, 3, 5)) -> Analysis:
    from marsad.learn.data import frame_stages

    stages, _ = frame_stages()
    return Pipeline(stages)(Document.from_parts("t", text, published, title))


def test_sentence_features_read_words_mentions_and_neighbours() -> None:
    a = _analysis("قتل خمسة مدنيين أمس في غارة جوية على حلب. وكان التنظيم قد سيطر على المدينة عام 2014.",
                  title="غارة على حلب")
    by_sent = a.by_sentence()
    feats = sentence_features(a, 1, by_sent)
    assert "pos:lead" in feats and "date:relative" in feats
    assert "t:Explosions/Remote violence|Air/drone strike" in feats
    assert any(f.startswith("head:t:") for f in feats)  # the headline's trigger
    assert any(f.startswith("next:") for f in feats)
    assert feats == sentence_features(a, 1, by_sent)  # deterministic
    assert "c:<غار" in text_features("غارة")


def test_sentence_decision_names_the_class_it_drops_for() -> None:
    a = _analysis("وكان التنظيم قد فجر سيارة مفخخة في السوق عام 2014.")
    model = _model(("background", "event"), {"bias": [0.0], "w:عام": [-5.0]}, [0.0])
    judged = SentenceDecision(model, 0.5).judge(a, 0, {})
    assert not judged.keep and judged.reason == "model:background" and judged.p_event < 0.5
    kept = SentenceDecision(_model(("background", "event"), {"bias": [3.0]}, [0.0]), 0.5).judge(a, 0, {})
    assert kept.keep and kept.reason == ""


def _event(conf: float, evidence: tuple[tuple[int, int], ...] = ((0, 10),)) -> Event:
    return Event("t", f"e{conf}", "Battles", "Armed clash", confidence=conf, evidence=evidence)


def test_event_stage_calibrates_and_drops_with_a_reason() -> None:
    doc = Document("t", "اشتباكات عنيفة في المدينة.")
    a = Analysis(doc, sentences=(Sentence(0, len(doc.text), doc.text),),
                 events=(_event(0.9), _event(0.3)))
    model = _model(("0", "1"), {"bias": [0.0], "conf>=0.8": [4.0]}, [-1.0])
    stage = CalibrateEvents(EventDecision(model, 0.5, lambda *_: 0.5))
    out = stage(a)
    assert [e.event_id for e in out.events] == ["e0.9"]
    assert out.events[0].confidence == pytest.approx(1 / (1 + np.exp(-3.0)), abs=1e-3)
    assert [d.reason for d in out.drops] == ["model:unlikely_event"]


def test_short_documents_have_their_own_event_threshold() -> None:
    model = _model(("0", "1"), {"bias": [0.0], "conf>=0.8": [4.0]}, [-1.0])  # P = 0.269 for conf 0.3
    stage = CalibrateEvents(EventDecision(model, 0.5, lambda *_: 0.5, short_threshold=0.2))
    line = "اشتباكات عنيفة في المدينة. "
    for n, kept in ((1, ["e0.9", "e0.3"]), (3, ["e0.9", "e0.3"]), (4, ["e0.9"])):
        doc = Document("t", line * n)
        sents = tuple(Sentence(i * len(line), (i + 1) * len(line) - 1, line[:-1]) for i in range(n))
        out = stage(Analysis(doc, sentences=sents, events=(_event(0.9), _event(0.3))))
        assert [e.event_id for e in out.events] == kept, n
    # without a short threshold in the file, every document has the articles' one
    plain = CalibrateEvents(EventDecision(model, 0.5, lambda *_: 0.5))
    doc = Document("t", line)
    out = plain(Analysis(doc, sentences=(Sentence(0, len(line) - 1, line[:-1]),),
                         events=(_event(0.9), _event(0.3))))
    assert [e.event_id for e in out.events] == ["e0.9"]


def test_a_gate_keeps_what_stopped_the_document() -> None:
    from marsad.model import Drop

    def stopped(analysis: Analysis) -> Analysis:
        a = analysis
        return Analysis(a.doc, a.norm, a.offsets, a.sentences, a.tokens, a.mentions, a.events,
                        (Drop("rules:test", (0, 1)),))

    pipeline = Pipeline([Gate(lambda a: False, requires=(), stopped=stopped)])
    assert [d.reason for d in pipeline(Document("t", "x")).drops] == ["rules:test"]
    assert [d.reason for d in pipeline.run_batch([Document("t", "x")])[0].drops] == ["rules:test"]


def test_runs_count_the_reasons() -> None:
    summary = RunSummary()
    summary.add(Document("t", "x"), (), None, ("model:background", "model:background", "low_confidence"))
    assert summary.dropped["model:background"] == 2
    assert "model:background" in summary.format()


@pytest.mark.parametrize("name", ["sentence", "event"])
def test_shipped_models_say_how_they_were_trained(name: str) -> None:
    path = MODELS / f"{name}.npz"
    if not path.exists():
        pytest.skip(f"no {name} model shipped")
    from marsad.learn.trees import TreeModel, is_tree_model

    # the event decision is boosted trees since 2026-12-07 (learn/trees.py), the sentence model linear
    model = TreeModel.load(path) if is_tree_model(path) else LinearModel.load(path)
    assert isinstance(model, TreeModel) == (name == "event")
    meta = model.meta
    assert meta["model"] == name and meta["cross_validation"]["grouped_by"].startswith("article")
    threshold = meta["frame_gate"]["threshold"] if name == "sentence" else meta["threshold"]
    assert 0.0 < threshold < 1.0
    if name == "sentence":
        assert "held-out refused" in meta["trained_on"]["split"]


def test_probabilities_are_plain_floats() -> None:
    binary = _model(("0", "1"), {"x": [1.0]}, [0.0])
    assert all(type(v) is float for v in binary.proba(["x"]).values())
    multi = _model(("a", "b", "c"), {"x": [1.0, 0.0, 0.0]}, [0.0, 0.0, 0.0])
    assert all(type(v) is float for v in multi.proba(["x"]).values())


def test_eval_lists_each_shipped_models_cross_validated_figures() -> None:
    from marsad.learn.linear import cross_validated

    shipped = {p.stem for p in MODELS.glob("*.npz")}
    lines = dict(cross_validated())
    assert set(lines) == shipped
    assert all(line and "None" not in line for line in lines.values())


def test_by_sentence_groups_mentions_in_order() -> None:
    a = _analysis("قتل خمسة مدنيين أمس في حلب. واندلعت اشتباكات في إدلب.")
    groups = a.by_sentence()
    assert sorted(groups) == sorted({m.sent for m in a.mentions})
    assert [m for si in sorted(groups) for m in groups[si]] == sorted(a.mentions, key=lambda m: m.sent)


def test_a_missing_model_file_leaves_the_rules_with_a_warning(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    from marsad.learn.linear import shipped

    assert shipped(tmp_path / "none.npz", lambda p: p, "the rules alone") is None
    assert "the rules alone" in caplog.text
    (tmp_path / "m.npz").write_bytes(b"")
    assert shipped(tmp_path / "m.npz", lambda p: p.name, "x") == "m.npz"
