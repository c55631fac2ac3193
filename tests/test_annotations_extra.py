"""Extra annotation files (the review desk's `marsad learn` output) in the training split:
read, merged with the corpus's codings, and held-out articles refused. A hand-built corpus
folder (made-up ids and a stand-in for the shared articles), so nothing of ../shared is read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from marsad.annotations.corpus import AnnotationError
from marsad.annotations.extra import read_extra
from marsad.annotations.stats import final_annotations
from marsad.learn import training
from marsad.model import Document


def ann(doc_id: str, coder: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "coder": coder, "format": 1, "sentences": [[0, 5, "none", None]], "events": [],
            "mentions": []}


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Articles t1 (coded by c1) and h1 (held out, coded by c1)."""
    folder = tmp_path / "annotations"
    write(folder / "coded" / "c1.jsonl", [ann("t1", "c1"), ann("h1", "c1")])
    (folder / "sample.tsv").write_text("doc_id\tstratum\tsplit\tcoders\n"
                                       "t1\tx\ttrain\tc1\nh1\tx\theldout\tc1\n",
                                       encoding="utf-8")
    (folder / "heldout.txt").write_text("h1\n", encoding="utf-8")
    # the articles as the shared corpus would give them (only their ids matter here)
    monkeypatch.setattr(training, "load_articles",
                        lambda ids, shared: {i: Document(i, "نص قصير") for i in ids})
    return folder


def test_an_extra_file_joins_the_training_split(corpus: Path, tmp_path: Path) -> None:
    extra = write(tmp_path / "review.jsonl", [ann("r1", "review:amal"), ann("t1", "review:amal")])
    before, _, digest0 = training.training_split(corpus, tmp_path)
    records, docs, digest = training.training_split(corpus, tmp_path, [extra])
    assert [r["doc_id"] for r in before] == ["t1"]
    assert [(r["doc_id"], r["coder"]) for r in records] == [("r1", "review:amal"), ("t1", "c1")]
    assert set(docs) == {"r1", "t1"} and digest != digest0  # the models' metadata tell the two apart
    # the corpus's own coding of t1 still counts; the same file given twice counts once
    assert final_annotations(corpus, extra=read_extra([extra, extra], {"h1"}))["t1"]["coder"] == "c1"


def test_heldout_ids_in_an_extra_file_are_refused(corpus: Path, tmp_path: Path) -> None:
    extra = write(tmp_path / "review.jsonl", [ann("r1", "review:amal"), ann("h1", "review:amal")])
    with pytest.raises(AnnotationError, match="held-out articles refused.*h1"):
        training.training_split(corpus, tmp_path, [extra])
    with pytest.raises(AnnotationError, match="h1"):
        training.training_gold(corpus, tmp_path, [extra])


def test_reviewed_heldout_articles_in_the_corpus_folder_are_refused(corpus: Path, tmp_path: Path) -> None:
    write(corpus / "coded" / "review.jsonl", [ann("h1", "review:omar")])
    with pytest.raises(AnnotationError, match="h1"):
        training.training_split(corpus, tmp_path)


def test_bad_extra_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="cannot read"):
        read_extra([tmp_path / "missing.jsonl"], set())
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "x"\n', encoding="utf-8")
    with pytest.raises(AnnotationError, match="bad.jsonl:1: not JSON"):
        read_extra([bad], set())
    write(bad, [{"doc_id": "x", "coder": "review:a"}])
    with pytest.raises(AnnotationError, match="not an annotation"):
        read_extra([bad], set())
