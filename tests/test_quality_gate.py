"""Quality gate: the scorer's figures on ../shared/gold/dev.jsonl and on the training corpus's
frozen held-out split (annotations/heldout.txt) must not regress.

The pinned figures live in tests/quality_baseline.json, one block per set; a figure that falls
more than TOLERANCE below its pin fails CI (and false events per empty document must not rise
by more than TOLERANCE). Raise the pins when the extractor gets better; the held-out figures
are measured, never tuned to. Skips where ../shared is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marsad.eval.report import evaluate
from marsad.run.extract import gold_documents, predict_gold

BASELINE = Path(__file__).with_name("quality_baseline.json")
TOLERANCE = 0.02
HIGHER_IS_BETTER = ("event_f1", "event_precision", "event_recall", "sub_event_type_acc", "actor_acc",
                    "date_acc", "location_acc", "place_recall_25km", "fatalities_acc", "doc_fatalities_acc")


def _report(shared: Path, name: str) -> dict:
    """The scorer's summary of the pipeline on gold set ``name``: dev, or the held-out split."""
    if name == "dev":
        gold = [json.loads(line)
                for line in (shared / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    else:
        from marsad.annotations.stats import gold_documents as heldout_documents

        gold = heldout_documents("heldout", shared=shared)
    return evaluate(gold, [e.to_record() for e in predict_gold(gold)]).summary


@pytest.fixture(scope="module", params=["dev", "heldout"])
def gold_set(request: pytest.FixtureRequest, shared: Path) -> tuple[str, dict]:
    """Each pinned gold set with its report (computed once per module)."""
    return request.param, _report(shared, request.param)


def _pins(name: str) -> dict:
    return json.loads(BASELINE.read_text())[name]


@pytest.fixture(scope="module")
def seed_report(shared: Path) -> dict:
    gold = [json.loads(line)
            for line in (shared / "gold" / "seed.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return evaluate(gold, [e.to_record() for e in predict_gold(gold)]).summary


@pytest.mark.gold
@pytest.mark.parametrize("metric", HIGHER_IS_BETTER)
def test_metric_does_not_regress(gold_set: tuple[str, dict], metric: str) -> None:
    name, report = gold_set
    pinned = _pins(name)[metric]
    assert report[metric] is not None
    assert report[metric] >= pinned - TOLERANCE, f"{name} {metric}: {report[metric]} < pinned {pinned}"


@pytest.mark.gold
def test_false_events_on_empty_documents_do_not_rise(gold_set: tuple[str, dict]) -> None:
    name, report = gold_set
    assert report["false_events_per_empty_doc"] <= _pins(name)["false_events_per_empty_doc"] + TOLERANCE


@pytest.mark.gold
def test_sentences_read_alone_do_not_regress(shared: Path) -> None:
    """Detection F1 of the held-out split's coded sentences, each read alone (``marsad eval
    --sentences``): the learned-decisions issue's sentence-level targets."""
    from marsad.eval.sentences import split_detection

    _n, figures = split_detection("heldout")
    for name, pinned in _pins("sentences_heldout").items():
        f1 = figures[name].f1
        assert f1 >= pinned - TOLERANCE, f"read alone, {name}: {f1:.3f} < pinned {pinned}"


@pytest.mark.gold
def test_seed_stays_perfect(seed_report: dict) -> None:
    for metric in ("event_f1", "actor_acc", "location_acc", "doc_fatalities_acc", "sub_event_type_acc"):
        assert seed_report[metric] == 1.0, metric


@pytest.mark.gold
def test_vendored_scorer_agrees_with_the_reference(shared: Path, tmp_path: Path) -> None:
    """marsad's copy of the scorer prints exactly what shared/tools/score_events.py prints."""
    import subprocess
    import sys

    from marsad.eval.scorer import load_jsonl, score

    gold_path = shared / "gold" / "dev.jsonl"
    gold = load_jsonl(gold_path)
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(e.to_record(), ensure_ascii=False) + "\n"
                            for e in predict_gold(gold[:30])), encoding="utf-8")
    ref = subprocess.run([sys.executable, str(shared / "tools" / "score_events.py"), str(gold_path),
                          str(pred), "--json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(ref) == score(gold, load_jsonl(pred))[0]


def test_gold_documents_compose_title_and_text() -> None:
    (doc,) = gold_documents([{"doc_id": "x", "title": "عنوان", "text": "نص", "published": "2018-01-02"}])
    assert doc.text == "عنوان\n\nنص" and doc.published.isoformat() == "2018-01-02"
