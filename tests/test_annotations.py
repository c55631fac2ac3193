"""The training corpus: compiling codings into spans, the validator, agreement, the frozen split."""

from __future__ import annotations

import gzip
import hashlib
from datetime import date
from pathlib import Path

import pytest

from marsad.annotations.agreement import cohen_kappa, to_gold
from marsad.annotations.compile import compile_coding
from marsad.annotations.corpus import AnnotationError, read_heldout, read_sample
from marsad.annotations.sheet import format_sheet, make_sheet
from marsad.annotations.validate import validate_all, validate_record
from marsad.model import Document

ROOT = Path(__file__).resolve().parents[1]
#: the held-out split drawn by build/sample_annotations.py before any annotation existed
HELDOUT_SHA256 = "0ef8183cc62ca4f1b1486ac801b735c0008164055a6dcaa98359dd0ae1d03049"

# a short report written for these tests
REPORT = Document.from_parts(
    "t-1", "قتل خمسة مدنيين أمس في غارة جوية على مدينة حلب، وارتفعت الحصيلة لاحقا إلى سبعة قتلى. "
    "وقال المسؤول في مؤتمر صحفي بدمشق إن الحرب مستمرة منذ سنوات.",
    date(2018, 3, 5), title="غارة على حلب")


@pytest.fixture(scope="module")
def sheet():
    return make_sheet(REPORT)


def _keys(sheet, kind: str, surface: str) -> str:
    return next(c.key for c in sheet.candidates if c.kind == kind and REPORT.text[c.start:c.end] == surface)


def test_sheet_numbers_sentences_and_candidates(sheet) -> None:
    text = format_sheet(sheet)
    assert "[0] غارة على حلب" in text
    assert any(c.kind == "place" and REPORT.text[c.start:c.end].endswith("حلب") for c in sheet.candidates)
    assert any(c.kind == "number" and c.value == 7 for c in sheet.candidates)


def test_compile_resolves_indices_keys_and_quotes_into_spans(sheet) -> None:
    aleppo = next(c.key for c in sheet.candidates if c.kind == "place" and c.sent == 1)
    seven = next(c.key for c in sheet.candidates if c.kind == "number" and c.value == 7)
    five = next(c.key for c in sheet.candidates if c.kind == "number" and c.value == 5)
    coding = {"doc": "t-1", "s": {"0": "Explosions/Remote violence|Air/drone strike",
                                  "1": "Explosions/Remote violence|Air/drone strike", "2": "comment"},
              "ev": [{"t": "Explosions/Remote violence|Air/drone strike", "date": "2018-03-04", "tp": 1,
                      "a2": "Civilians (Syria)", "place": f"{aleppo}.1", "gp": 1, "deaths": 7,
                      "sents": [1], "trig": "غارة", "dtext": "أمس"}],
              "m": {five: "part@0", seven: "upd@0", aleppo: "ev@0"},
              "x": [{"k": "actor", "s": 1, "q": "مدنيين", "r": "2@0", "v": "Civilians (Syria)"}]}
    rec = compile_coding(coding, sheet, "c1")
    ev = rec["events"][0]
    assert REPORT.text[slice(*ev["trigger"])] == "غارة"
    assert REPORT.text[slice(*ev["date_span"])] == "أمس"
    assert ev["location"] == "Aleppo" and ev["country"] == "SY"
    assert [s[2] for s in rec["sentences"]] == ["event", "event", "commentary_figurative"]
    roles = {m["key"]: (m["role"], m["event"]) for m in rec["mentions"]}
    assert roles[seven] == ("updated_toll", 0) and roles[five] == ("partial_toll", 0)
    added = next(m for m in rec["mentions"] if m["from"] == "coder")
    assert REPORT.text[slice(*added["span"])] == "مدنيين" and added["role"] == "actor2"
    assert validate_record(rec, REPORT.text, None, None) == []


@pytest.mark.parametrize("coding, message", [
    ({"doc": "t-1", "s": {"9": "bg"}}, "no such sentence"),
    ({"doc": "t-1", "s": {"1": "Battles|Air/drone strike"}}, "taxonomy"),
    ({"doc": "t-1", "m": {"P99": "dist"}}, "no such candidate"),
    ({"doc": "t-1", "ev": [{"t": "Battles|Armed clash", "sents": [1], "trig": "اشتباك"}]}, "trigger"),
    ({"doc": "t-1", "ev": [{"t": "Battles|Armed clash", "sents": []}]}, "evidence sentences"),
    ({"doc": "t-1", "extra": 1}, "unknown keys"),
    ({"doc": "t-2"}, "the coding is for"),
])
def test_compile_refuses_what_does_not_resolve(sheet, coding, message) -> None:
    with pytest.raises(AnnotationError, match=message):
        compile_coding(coding, sheet, "c1")


def test_compile_refuses_an_event_role_without_its_event(sheet) -> None:
    aleppo = next(c.key for c in sheet.candidates if c.kind == "place" and c.sent == 1)
    with pytest.raises(AnnotationError, match="names event 0"):
        compile_coding({"doc": "t-1", "m": {aleppo: "ev@0"}}, sheet, "c1")


def test_validator_names_bad_spans_and_labels() -> None:
    rec = {"doc_id": "t-1", "coder": "c1",
           "sentences": [[0, 5, "none", None, None], [3, 999, "nonsense", None, None]],
           "events": [{"event_type": "Battles", "sub_event_type": "Grenade", "evidence": [[0, 5]],
                       "fatalities": -1, "geo_precision": 1, "time_precision": 1}],
           "mentions": [{"kind": "place", "span": [0, 3], "role": "event_place", "event": 4}]}
    problems = "\n".join(validate_record(rec, REPORT.text, frozenset({"other"}), ("c2",)))
    for needle in ("not in the annotation pool", "coder not assigned", "text_sha1", "sentence 1",
                   "type 'Battles'", "fatalities", "names no event"):
        assert needle in problems


def test_a_stratum_names_its_sampling_wave() -> None:
    from marsad.annotations.stats import wave_of

    assert [wave_of(s) for s in ("train-gold", "random-2018", "wave2-random-2018", "wave4-conflict-2015")] \
        == ["wave1", "wave1", "wave2", "wave4"]


def test_kappa_is_one_for_identical_and_zero_for_chance_labels() -> None:
    assert cohen_kappa(["a", "b", "a"], ["a", "b", "a"]) == 1.0
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.0
    assert cohen_kappa([], []) is None


def test_gold_total_lists_the_optional_deaths() -> None:
    rec = {"doc_id": "d", "sentences": [], "events": [
        {"event_type": "Battles", "sub_event_type": "Armed clash", "fatalities": 4, "optional": False},
        {"event_type": "Battles", "sub_event_type": "Armed clash", "fatalities": 3, "optional": True}]}
    assert to_gold(rec)["fatalities_total"] == [4, 7]


def test_heldout_split_is_frozen() -> None:
    held = (ROOT / "annotations" / "heldout.txt").read_bytes()
    assert hashlib.sha256(held).hexdigest() == HELDOUT_SHA256
    sample = read_sample()
    assert len(read_heldout()) >= 250
    assert all(sample[i].split == "heldout" for i in read_heldout())


def test_every_annotation_is_valid_against_the_shared_corpus(shared) -> None:
    problems, n = validate_all(shared=shared)
    assert n > 0
    assert problems == []


def test_the_project_names_only_pool_articles(shared) -> None:
    with gzip.open(shared / "train" / "pool_ids.txt.gz", "rt") as f:
        pool = {line.strip() for line in f}
    sample = read_sample()
    assert set(sample) <= pool
    assert not [i for i in sample if i not in pool]


def test_no_file_of_the_project_names_a_held_back_article(shared) -> None:
    import re
    import subprocess

    with gzip.open(shared / "train" / "pool_ids.txt.gz", "rt") as f:
        pool = {line.strip() for line in f}
    ids = re.compile(r"\b(?:ant-[A-Z]{2}-[A-Za-z]+-\d+-\d{8}|snn-[0-9a-f]{12})\b")
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    named = set()
    for name in files:
        path = ROOT / name
        if path.suffix in (".gz", ".pkl", ".crfsuite", ".npz", ".bin") or not path.is_file():
            continue
        named |= set(ids.findall(path.read_text(encoding="utf-8", errors="ignore")))
    assert named, "the annotations name their articles"
    assert sorted(named - pool) == []


def test_a_copy_of_a_heldout_article_is_its_twin_and_another_story_is_not() -> None:
    from marsad.annotations.twins import find_twins

    held = {"h": REPORT.text}
    train = {
        "copy": "غارة على حلب\n\n" + REPORT.text,  # the same story under another headline
        "other": "تظاهر المئات في ساحة التحرير ببغداد احتجاجا على انقطاع الكهرباء وطالبوا الحكومة "
                 "بتحسين الخدمات العامة في المدينة قبل حلول فصل الصيف الحار.",
    }
    twins = find_twins(train, held)
    assert [(t.train_id, t.heldout_id) for t in twins] == [("copy", "h")]
    assert twins[0].containment == 1.0


def test_the_heldout_twins_list_is_current_and_names_training_articles(shared) -> None:
    from marsad.annotations.corpus import load_articles
    from marsad.annotations.twins import find_twins, read_twins

    sample, heldout = read_sample(), set(read_heldout())
    stored = read_twins()
    assert stored and all(sample[i].split == "train" and h in heldout for i, h in stored.items())
    docs = load_articles(set(sample), shared)
    found = find_twins({i: d.text for i, d in docs.items() if i not in heldout},
                       {i: d.text for i, d in docs.items() if i in heldout})
    assert {t.train_id: t.heldout_id for t in found} == stored


def test_the_training_split_leaves_the_twins_out(shared) -> None:
    from marsad.annotations.twins import read_twins
    from marsad.learn.training import training_gold

    ids = {g["doc_id"] for g in training_gold(shared=shared)}
    assert ids and not ids & set(read_twins())


def test_copies_among_training_articles_share_one_fold() -> None:
    from marsad.annotations.twins import story_groups
    from marsad.learn.training import article_fold

    texts = {"b": REPORT.text, "a": "غارة على حلب\n\n" + REPORT.text,
             "c": "تظاهر المئات في ساحة التحرير ببغداد احتجاجا على انقطاع الكهرباء وطالبوا الحكومة "
                  "بتحسين الخدمات العامة في المدينة قبل حلول فصل الصيف الحار."}
    story = story_groups(texts)
    assert story == {"b": "a"}
    assert all(article_fold("b", k, story) == article_fold("a", k, story) for k in range(2, 12))
    assert article_fold("b@17", 5, story) == article_fold("a", 5)
