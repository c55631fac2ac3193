"""Tests of the statistical NER stage (marsad.recognise.ner). Sentences here are our own."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from marsad.model import Analysis, Document, MentionKind, Token
from marsad.recognise.ner import (
    DEFAULT_MODEL,
    LABELS,
    NerModel,
    crfsuite_path,
    find_entities,
    propagate,
)
from marsad.recognise.ner_conll import read_conll, run_conll
from marsad.recognise.ner_features import featurize, strip_clitics
from marsad.recognise.ner_scoring import format_scores, score_spans, spans_of, to_iob2
from marsad.text.normalise import normalise_key

SHARED_TEST = Path(__file__).resolve().parents[2] / "shared/ner/anercorp/ANERCorp_CamelLab_test.txt"


@pytest.fixture(scope="module")
def model() -> NerModel:
    m = NerModel.load()
    if not m.available:
        pytest.skip("packaged NER model or python-crfsuite missing")
    return m


# -- spans and scoring ------------------------------------------------------------------------


def test_spans_of_iob2_and_iob1() -> None:
    assert spans_of(["B-PERS", "I-PERS", "O", "B-LOC"]) == [(0, 2, "PERS"), (3, 4, "LOC")]
    # IOB1 / broken sequences: an I- that does not continue starts a chunk
    assert spans_of(["I-ORG", "I-ORG", "I-LOC", "O", "I-LOC"]) == [(0, 2, "ORG"), (2, 3, "LOC"),
                                                                   (4, 5, "LOC")]
    assert spans_of(["B-PERS", "B-PERS"]) == [(0, 1, "PERS"), (1, 2, "PERS")]
    assert to_iob2(["I-ORG", "I-ORG", "O", "I-LOC"]) == ["B-ORG", "I-ORG", "O", "B-LOC"]


def test_score_spans_known_values() -> None:
    gold = [
        ["B-PERS", "I-PERS", "O", "B-LOC", "O"],
        ["B-ORG", "I-ORG", "I-ORG", "O", "B-LOC"],
    ]
    pred = [
        ["B-PERS", "I-PERS", "O", "B-LOC", "B-MISC"],  # 2 correct, 1 spurious
        ["B-ORG", "I-ORG", "O", "O", "B-PERS"],  # ORG boundary wrong, LOC typed PERS
    ]
    s = score_spans(gold, pred)
    # gold: PERS 1, LOC 2, ORG 1 = 4; pred: PERS 2, LOC 1, ORG 1, MISC 1 = 5; correct: PERS 1, LOC 1
    assert s["micro"]["correct"] == 2
    assert s["micro"]["precision"] == pytest.approx(2 / 5)
    assert s["micro"]["recall"] == pytest.approx(2 / 4)
    assert s["micro"]["f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert s["PERS"]["precision"] == pytest.approx(0.5) and s["PERS"]["recall"] == 1.0
    assert s["LOC"]["precision"] == 1.0 and s["LOC"]["recall"] == pytest.approx(0.5)
    assert s["ORG"]["f1"] == 0.0
    assert s["MISC"]["support"] == 0 and s["MISC"]["precision"] == 0.0
    table = format_scores(s)
    assert "micro" in table and "0.4444" in table


def test_score_spans_length_mismatch() -> None:
    with pytest.raises(ValueError):
        score_spans([["O", "O"]], [["O"]])


# -- features ---------------------------------------------------------------------------------


def test_strip_clitics() -> None:
    assert strip_clitics(normalise_key("وبالمدينة")) == ("و+ب+ال", "مدينه")
    assert strip_clitics("للحكومه") == ("لل", "حكومه")
    # conjunction stripping is blind by design (the whole word stays a feature beside the stem)
    assert strip_clitics("وزير") == ("و", "زير")
    assert strip_clitics("بالقدس") == ("ب+ال", "قدس")
    assert strip_clitics("بيروت") == ("", "بيروت")  # ب only comes off before ال
    assert strip_clitics("بل") == ("", "بل")


def test_featurize_shapes_and_lexicon_hook() -> None:
    toks = ["زار", "الرئيس", "دمشق", "عام", "2024"]
    feats = featurize(toks)
    assert len(feats) == len(toks)
    assert "w=دمشق" in feats[2] and "-1w=الرييس" in feats[2] and "+2w=2024" in feats[2]
    assert "dig" in feats[4] and "BOS" in feats[0] and "EOS" in feats[4]
    assert not any(f.startswith("lw=") for f in feats[2])

    def lexicon(key: str) -> str | None:
        return {"دمشق": "PLACE", "الرييس": "TITLE"}.get(key)

    lf = featurize(toks, lexicon)
    assert "lw=PLACE" in lf[2] and "-1lw=TITLE" in lf[2] and "+1lw=PLACE" in lf[1]
    # training and production share this function: same output for the same input
    assert featurize(toks) == feats


# -- the model --------------------------------------------------------------------------------


def test_tagging_hand_written_sentences(model: NerModel) -> None:
    sent = ["قال", "الرئيس", "الفرنسي", "إيمانويل", "ماكرون", "في", "باريس", "إن", "وزارة", "الخارجية",
            "ستعلن", "الموقف"] + ["."]
    tags = model.tag(sent)
    assert len(tags) == len(sent) and set(tags) <= set(LABELS)
    spans = {(" ".join(sent[s:e]), t) for s, e, t in spans_of(tags)}
    assert ("إيمانويل ماكرون", "PERS") in spans
    assert ("باريس", "LOC") in spans

    sent2 = ["وأعلنت", "منظمة", "الأمم", "المتحدة", "أن", "القصف", "استهدف", "مدينة", "حلب", "في",
             "سوريا"] + ["."]
    spans2 = {(" ".join(sent2[s:e]), t) for s, e, t in spans_of(model.tag(sent2))}
    assert ("حلب", "LOC") in spans2 and ("سوريا", "LOC") in spans2
    assert any(t == "ORG" and "الأمم" in txt for txt, t in spans2)


def test_find_entities_offsets(model: NerModel) -> None:
    text = "التقى وزير الخارجية الأمريكي جون كيري في القاهرة.\n\nوصل الوفد إلى بغداد أمس."
    doc = Document("d1", text)
    toks: list[Token] = []
    sent = 0
    pos = 0
    for word in text.replace(".", " .").split():
        start = text.index(word, pos)
        end = start + len(word)
        pos = end
        toks.append(Token(start, end, word, normalise_key(word), strip_clitics(normalise_key(word))[1], sent))
        if word == ".":
            sent += 1
    analysis = Analysis(doc=doc, tokens=tuple(toks))
    ments = find_entities(analysis, model)
    assert all(m.kind is MentionKind.NER for m in ments)
    found = {(m.span.text, m.value, m.sent) for m in ments}
    assert ("جون كيري", "PERS", 0) in found
    assert ("القاهرة", "LOC", 0) in found
    assert ("بغداد", "LOC", 1) in found
    for m in ments:
        assert text[m.span.start:m.span.end] == m.span.text


def test_fallback_model_tags_nothing() -> None:
    fallback = NerModel(LABELS, [[0.0] * len(LABELS)] * len(LABELS), {})
    assert not fallback.available
    assert fallback.tag(["دمشق", "مدينة"]) == ["O", "O"]
    doc = Document("d", "دمشق")
    analysis = Analysis(doc=doc, tokens=(Token(0, 4, "دمشق", "دمشق", "دمشق", 0),))
    assert find_entities(analysis, fallback) == []


TRAIN = [
    ("زار الرئيس سمير الخطيب مدينة حمص أمس .", "O O B-PERS I-PERS O B-LOC O O"),
    ("قالت وزارة الصحة إن مدينة حلب تعرضت لقصف .", "O B-ORG I-ORG O O B-LOC O O O"),
    ("التقى سمير وفدا من الأمم المتحدة في دمشق .", "O B-PERS O O B-ORG I-ORG O B-LOC O"),
    ("أعلنت وكالة الأنباء أن ليلى حسن وصلت إلى بيروت .", "O B-ORG I-ORG O B-PERS I-PERS O O B-LOC O"),
]


def test_exported_model_decodes_like_crfsuite(tmp_path: Path) -> None:
    """Our pure-Python decoder gives CRFsuite's tags, and the export round-trips through save/load."""
    pycrfsuite = pytest.importorskip("pycrfsuite")
    trainer = pycrfsuite.Trainer(verbose=False)
    for text, tags in TRAIN:
        trainer.append(featurize(text.split()), tags.split())
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 50, "feature.possible_transitions": True})
    crf = tmp_path / "m.crfsuite"
    trainer.train(str(crf))
    exported = NerModel.from_crfsuite(crf, {"lexicon": False})
    exported.save(tmp_path / "m.json.gz")
    assert crfsuite_path(tmp_path / "m.json.gz") == crf
    model = NerModel.load(tmp_path / "m.json.gz", backend="python")
    fast = NerModel.load(tmp_path / "m.json.gz")
    assert model.backend == "python" and fast.backend == "crfsuite"
    tagger = pycrfsuite.Tagger()
    tagger.open(str(crf))
    probes = [t.split() for t, _ in TRAIN] + [
        ["وصل", "سمير", "إلى", "حمص", "."],
        ["قالت", "وزارة", "الدفاع", "إن", "القصف", "طال", "دمشق", "وحلب", "."],
        ["."],
    ]
    for toks in probes:
        assert model.tag(toks) == to_iob2(tagger.tag(featurize(toks))) == fast.tag(toks)
    assert model.tag(TRAIN[0][0].split()) == TRAIN[0][1].split()
    # saving is deterministic
    exported.save(tmp_path / "m2.json.gz")
    assert (tmp_path / "m.json.gz").read_bytes() == (tmp_path / "m2.json.gz").read_bytes()


def test_lexicon_model_decodes_like_crfsuite(tmp_path: Path) -> None:
    """Same with lexicon features: a pipeline lexicon, cached shipped-lexicon hits, word pairs."""
    pycrfsuite = pytest.importorskip("pycrfsuite")
    places = {"حمص": "PLACE", "حلب": "PLACE", "دمشق": "PLACE", "بيروت": "PLACE", "الامم المتحده": "ORG"}
    trainer = pycrfsuite.Trainer(verbose=False)
    for text, tags in TRAIN:
        trainer.append(featurize(text.split(), places.get), tags.split())
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 50, "feature.possible_transitions": True})
    crf = tmp_path / "m.crfsuite"
    trainer.train(str(crf))
    NerModel.from_crfsuite(crf, {"lexicon": True}).save(tmp_path / "m.json.gz")
    model = NerModel.load(tmp_path / "m.json.gz", backend="python")
    assert model.uses_lexicon
    model.lexicon = places.get  # stands in for the shipped lexicon (cached path)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(crf))
    for toks in [t.split() for t, _ in TRAIN] + [["زار", "وفد", "الأمم", "المتحدة", "حلب", "."]]:
        expected = to_iob2(tagger.tag(featurize(toks, places.get)))
        assert model.tag(toks) == expected
        assert model.tag(toks) == expected  # second call: from the cache
        assert model.tag(toks, {"حمص": "PLACE"}.get) == to_iob2(
            tagger.tag(featurize(toks, lambda k: {"حمص": "PLACE"}.get(k) or places.get(k)))
        )


def test_conll_round_trip(tmp_path: Path, model: NerModel) -> None:
    src = tmp_path / "in.conll"
    # two-column input (second column ignored), tab and space separated, blank lines between sentences
    src.write_text(
        "\ufeffوصل\tO\nالوزير\tO\nإلى\tO\nعمان\tB-LOC\n.\tO\n\n"
        "قالت B-PERS\nسلمى O\n\n\n"
        "بيروت\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.conll"
    n = run_conll(src, out, model)
    assert n == 8
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[5] == "" and lines[8] == "" and lines[9] == ""  # both blank lines kept
    assert len(lines) == 12 and lines[-1] == ""
    body = [ln for ln in lines if ln]
    assert [ln.split("\t")[0] for ln in body] == ["وصل", "الوزير", "إلى", "عمان", ".", "قالت", "سلمى",
                                                 "بيروت"]
    assert all(ln.split("\t")[1] in LABELS for ln in body)
    # the output is itself valid input, and reads back into the same three sentences
    back = list(read_conll(out))
    assert [len(s) for s in back] == [5, 2, 1]


# Regression floor, not the goal: the project target is micro F1 >= 0.78 on this test set, which
# the shipped CRF does not reach yet (see docs/ner.md for the measured figure).
TEST_F1_FLOOR = 0.68


@pytest.mark.gold
def test_packaged_model_on_anercorp_test(model: NerModel) -> None:
    if not SHARED_TEST.exists():
        pytest.skip("../shared/ner not available")
    from marsad.recognise.ner_conll import evaluate_conll

    res = evaluate_conll(SHARED_TEST, model)
    assert res["tokens"] == 25008
    assert res["micro"]["f1"] >= TEST_F1_FLOOR, format_scores(res)
    assert res["LOC"]["f1"] >= 0.78, format_scores(res)


# -- the two decoders, the fallback, document consistency --------------------------------------

PROBES = [
    ["قال", "الرئيس", "الفرنسي", "إيمانويل", "ماكرون", "في", "باريس", "إن", "بلاده", "ستدعم", "الاتفاق", "."],
    ["وأعلن", "الجيش", "الإسرائيلي", "أن", "طائراته", "قصفت", "مواقع", "لحركة", "حماس", "شمال", "غزة", "."],
    ["التقى", "وزير", "الخارجية", "سيرغي", "لافروف", "نظيره", "التركي", "في", "أنقرة", "أمس", "."],
    ["وذكرت", "وكالة", "الأنباء", "السورية", "(", "سانا", ")", "أن", "الهجوم", "وقع", "في", "ريف", "إدلب",
     "."],
    ["ذهب", "إلى", "المدرسة", "."],
    ["و", "2024", ":", "«", "عن", "»"],
]


def test_packaged_decoders_agree(model: NerModel) -> None:
    """CRFsuite's tagger and the plain-Python Viterbi give identical tags on the shipped model."""
    pytest.importorskip("pycrfsuite")
    fast = NerModel.load(backend="crfsuite")
    slow = NerModel.load(backend="python")
    assert fast.backend == "crfsuite" and slow.backend == "python"
    probes = list(PROBES)
    if SHARED_TEST.exists():
        probes += [[t for t, _ in s] for s in list(read_conll(SHARED_TEST))[:150]]
    for toks in probes:
        assert fast.tag(toks) == slow.tag(toks), toks
    assert fast.tag_sentences(probes) == slow.tag_sentences(probes)


def test_fallback_without_pycrfsuite(monkeypatch: pytest.MonkeyPatch) -> None:
    """With python-crfsuite missing, the packaged model is decoded in plain Python."""
    if not DEFAULT_MODEL.exists():
        pytest.skip("packaged NER model missing")
    monkeypatch.setitem(sys.modules, "pycrfsuite", None)  # import pycrfsuite -> ImportError
    m = NerModel.load(DEFAULT_MODEL)
    assert m.backend == "python" and m.available
    spans = {(" ".join(PROBES[0][s:e]), t) for s, e, t in spans_of(m.tag(PROBES[0]))}
    assert ("باريس", "LOC") in spans
    with pytest.raises(ImportError):
        NerModel.load(DEFAULT_MODEL, backend="crfsuite")


def test_model_pickles(model: NerModel) -> None:
    """A loaded model survives pickling (process pools), the CRFsuite tagger reopened from its file."""
    clone = pickle.loads(pickle.dumps(model))
    assert clone.backend == model.backend
    assert clone.tag(PROBES[1]) == model.tag(PROBES[1])


def test_propagate_carries_names_within_the_window() -> None:
    sents = [
        ["قال", "الرئيس", "جون", "سميث", "إن", "."],
        ["وأضاف", "سميث", "أن", "جون", "سميث", "سيزور", "عمان", "."],
        ["غادر", "سميث", "."],
        ["في", "عمان", "و", "سميث", "."],
    ]
    tags = [
        ["O", "O", "B-PERS", "I-PERS", "O", "O"],
        ["O", "O", "O", "O", "O", "O", "B-LOC", "O"],
        ["O", "B-PERS", "O"],
        ["O", "O", "O", "O", "O"],
    ]
    out = propagate(sents, tags, window=1)
    assert out[0] == tags[0]  # already tagged: unchanged
    # the two-word name first, then the single word; types by majority in the window
    assert out[1] == ["O", "B-PERS", "O", "B-PERS", "I-PERS", "O", "B-LOC", "O"]
    assert out[2] == ["O", "B-PERS", "O"]
    # sentence 3 sees sentences 2-3 only: سميث (PERS in 2) yes; عمان (LOC in 1, outside) no
    assert out[3] == ["O", "O", "O", "B-PERS", "O"]
    # short single words (fewer than 3 letters) are never carried over
    assert propagate([["و", "قال"], ["و"]], [["B-ORG", "O"], ["O"]]) == [["B-ORG", "O"], ["O"]]
