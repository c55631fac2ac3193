"""The speed-ups must not change results: each fast path against the plain computation it replaces."""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.geo import places
from marsad.model import Analysis, Document
from marsad.pipeline import Gate, Normalise, Pipeline, Segment
from marsad.text.normalise import normalise

DEMO = Path(__file__).resolve().parents[1] / "samples" / "demo.jsonl"


def _demo_texts() -> list[str]:
    return [json.loads(line)["text"] for line in DEMO.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_modifier_prefilter_words_agree_with_the_patterns() -> None:
    windows = ["قرب مدينه ", "على بعد 20 كلم شمال ", "في ريف محافظه ", "حي الميدان في ", "معبر باب ",
               "وسط العاصمه ", "مديريه ", "على اطراف بلده ", "جنوب شرقي ", "في ", "",
               "على بعد 20 كيلو متر الي الشمال الشرقي من مدينه ", "يبعد 5كلم الي جنوب غربي عن العاصمه ",
               "حي الميدان الجديد وسط مدينه ", "في شارع بغداد الرئيسي شمالي العاصمه ", "بالقرب من بلده ",
               "قال مدير منطقه التنف ان القصف طال مدينه كبيره في ", "محافظه درعا وريف ",
               "قرب مطار حلب الدولي في ", "وقع على بعد عشرين كيلو متر الي الشمال الشرقي من مدينه ",
               "\nعشرين كيلو متر الي الشمال الشرقي من مدينه ", "عشرين كيلو متر الي الشمال الشرقي من مدينه ",
               " كيلو متر الي الشمال الشرقي عن العاصمه\n"]
    for text in _demo_texts():
        norm, _ = normalise(text)
        windows += [norm[max(0, i - 80):i] for i in range(0, len(norm), 7)]
    for before in windows:
        plain = next((name for name, pat in places._BEFORE if pat.search(before)), None)
        assert places.modifier_before(before, len(before))[0] == plain, before


@pytest.fixture(scope="module")
def pipelines() -> tuple[Pipeline, Pipeline]:
    return Pipeline.default(ner=False), Pipeline.default(ner=False, events_only=True)


def test_events_only_pipeline_gives_the_same_events(pipelines: tuple[Pipeline, Pipeline]) -> None:
    full, gated = pipelines
    assert (any(isinstance(s, Gate) for s in gated.stages)
            and not any(isinstance(s, Gate) for s in full.stages))
    texts = [*_demo_texts(), "أكد الوزير أن الوضع تحت السيطرة في مدينة حمص.",
             "نفى الجيش أي قصف على المدينة أمس.",
             "افتتح الرئيس معرضا للكتاب في دمشق اليوم."]
    for i, text in enumerate(texts):
        doc = Document(f"d{i}", text, date(2018, 5, 1))
        assert gated(doc).events == full(doc).events
    quiet = gated(Document("q", texts[-1], date(2018, 5, 1)))
    assert quiet.sentences and not quiet.mentions and not quiet.events  # stopped at the gate
    frameless = gated(Document("f", texts[-3], date(2018, 5, 1)))
    # a weak event word with no frame: stopped at the frame gate, before places are looked up
    assert any(m.kind.value == "trigger" for m in frameless.mentions)
    assert not any(m.kind.value == "place" for m in frameless.mentions) and not frameless.events
    denied = gated(Document("n", texts[-2], date(2018, 5, 1)))
    # a trigger every cue blocks: stopped at the event gate, before actors and places
    assert denied.mentions and not any(m.kind.value in ("actor", "place") for m in denied.mentions)


def test_a_batch_run_gives_each_document_its_own_analysis(pipelines: tuple[Pipeline, Pipeline]) -> None:
    full, gated = pipelines
    texts = [*_demo_texts(), "أكد الوزير أن الوضع تحت السيطرة في مدينة حمص.",
             "نفى الجيش أي قصف على المدينة أمس.",
             "افتتح الرئيس معرضا للكتاب في دمشق اليوم.", "قصفت طائرات حربية بلدة قرب حلب أمس وقتل 3 مدنيين."]
    docs = [Document(f"b{i}", t, date(2018, 5, 1)) for i, t in enumerate(texts * 3)]  # repeated texts too
    for pipeline in (full, gated):
        alone = [pipeline(d) for d in docs]
        assert pipeline.run_batch(docs) == alone
        assert list(pipeline.pipe(docs, batch_size=4)) == alone
    assert any(a.events for a in alone) and any(not a.mentions for a in alone)


def test_a_failing_document_leaves_its_batch_going() -> None:
    @dataclass
    class Fussy:
        name: str = "fussy"
        requires: tuple[str, ...] = ("norm",)
        provides: tuple[str, ...] = ()

        def __call__(self, analysis: Analysis) -> Analysis:
            if "x" in analysis.doc.text:
                raise ValueError(analysis.doc.doc_id)
            return analysis

    pipeline = Pipeline([Normalise(), Fussy(), Segment()], timings=True)
    out = pipeline.run_batch([Document("a", "حلب."), Document("b", "x حلب."), Document("c", "دمشق.")])
    assert isinstance(out[1], ValueError) and str(out[1]) == "b"
    assert [a.sentences[0].text for a in (out[0], out[2])] == ["حلب.", "دمشق."]  # type: ignore[union-attr]
    assert pipeline.timings is not None and pipeline.timings.documents == 3
    with pytest.raises(ValueError):
        list(pipeline.pipe([Document("d", "x.")]))


def test_crfsuite_features_give_the_same_tags() -> None:
    pycrfsuite = pytest.importorskip("pycrfsuite")
    from marsad.recognise.ner import NerModel
    from marsad.recognise.ner_features import combine_lexicons, featurize
    from marsad.recognise.ner_scoring import to_iob2

    model = NerModel.load()
    if model.backend != "crfsuite" or model._known is None:
        pytest.skip("packaged CRFsuite model not available")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model.path.with_name("ner_crf.crfsuite")))
    lex = combine_lexicons(None, model.lexicon)
    for text in _demo_texts():
        for sentence in text.split("."):
            toks = sentence.split()
            if toks:
                assert model.tag(toks) == to_iob2(tagger.tag(featurize(toks, lex)))


def _windows() -> list[str]:
    out = ["قال الوزير في ", "اجتماع عقد في العاصمه ", "النازحين القادمين من مدينه ", "من\n", "في", ""]
    for text in _demo_texts():
        norm, _ = normalise(text)
        out += [norm[max(0, i - 100):i] for i in range(0, len(norm), 5)]
    return out


def test_statement_and_origin_prefilters_never_skip_a_match() -> None:
    from marsad.geo import roles as r

    for w in _windows():
        last = w.rstrip()
        assert not r._MEETING.search(w) or last.endswith(r._MEETING_LAST), w
        assert not r._SPEECH.search(w) or last.endswith(r._SPEECH_LAST), w
        assert not r._ORIGIN.search(w) or last.endswith(r._ORIGIN_LAST), w


def test_sentence_ends_are_the_regex_matches() -> None:
    from marsad.text import segment

    texts = [normalise(t)[0] for t in _demo_texts()]
    texts += ["a.b", "1.5 و.", "x\n\ny", "قال، فيما قتل", "،  بينما ", ".", "\n", "", "نص...\"» ok",
              "3. 4.5!"]
    for norm in texts:
        assert segment._sentence_ends(norm) == [m.end() for m in segment._SENT_END.finditer(norm)], norm


def test_nisba_matches_are_the_regex_matches() -> None:
    from marsad.geo import geocode as g

    texts = [normalise(t)[0] for t in _demo_texts()]
    texts += ["والسوريين", "سوري", "xسوري", "وللسوريه", "فبالسوريون؟", "السوريسوري", "ببالسوري",
              "الحوثيين اليمنيه"]
    for norm in texts:
        assert [(m.span(), m.group(1)) for m in g._nisba_matches(norm)] == \
            [(m.span(), m.group(1)) for m in g._NISBA_RE.finditer(norm)], norm


def test_anchored_scans_are_the_regex_matches() -> None:
    from marsad.geo import geocode as g
    from marsad.recognise import sources as src
    from marsad.text.automaton import matches_at

    texts = [normalise(t)[0] for t in _demo_texts()]
    texts += ["والعاصمه اليمنيه", "للعاصمه", "فالقطاع", "5العاصمه", "_القطاع", "ككالعاصمه", "القطاعات",
              "عاصمه", "والمصادر الطبيه", "مصادر امنيه وطبيه", "مسوولون محليون في الشرطه", "xمصدر", "المصدر",
              "السلطات العراقيه", "والحكومه اليمنيه", "الحكومهالسوريه", "قاعده الحكومه السوريه"]
    for norm in texts:
        assert ([m.span() for m in g._ANAPHORS.finditer(norm)]
                == [m.span() for m in g._ANAPHOR.finditer(norm)]), norm
        for pattern, heads in ((src._generic_re(), src._GENERIC_HEADS),
                               (src._authority_re(), src._AUTHORITY_HEADS)):
            fast = matches_at(pattern, norm, (h[0] for h in heads.hits(norm)))
            assert [m.span() for m in fast] == [m.span() for m in pattern.finditer(norm)], norm


def test_with_mentions_keeps_every_other_field() -> None:
    from dataclasses import fields

    from marsad.model import Analysis, Mention, MentionKind, Sentence, Span

    a = Analysis(Document("d", "نص", date(2018, 5, 1)), "نص", (0, 1, 2), (Sentence(0, 2, "نص"),))
    m = Mention(MentionKind.CUE, Span(0, 2, "نص"), "plan")
    b = a.with_mentions((m,))
    assert b.mentions == (m,)
    assert all(getattr(a, f.name) == getattr(b, f.name) for f in fields(Analysis) if f.name != "mentions")


def test_fast_translate_is_str_translate() -> None:
    from marsad.text import normalise as n

    assert not n._CHAINED
    samples = [*_demo_texts(), "".join(n.CHAR_MAP) * 2, "أإآٱ ىة ؤئ ٠١٢۳ «»“” —_ #جنوب_فرنسا", ""]
    for text in samples:
        assert n._translate(text) == text.translate(n._TABLE)


def test_clause_opening_prefilter_is_the_regex() -> None:
    from marsad.geo import roles as r

    samples = [*_windows(), "لكن ", "وقال إن «", "، \"", "  ", "\n", "بينما\n", "فيما 'x", "حينما "]
    for before in samples:
        assert r.clause_opens(before) == (r._CLAUSE_START.search(before) is not None), before


def test_mention_attr_lookup_is_the_first_pair() -> None:
    from marsad.model import Mention, MentionKind, Span

    m = Mention(MentionKind.CUE, Span(0, 1, "x"), "plan", 0, (("a", 1), ("b", 2), ("a", 3)))
    assert (m.attr("a"), m.attr("b"), m.attr("c", "none")) == (1, 2, "none")
    assert (m.with_attr("a", 5).attr("a") == 5
            and m == Mention(MentionKind.CUE, Span(0, 1, "x"), "plan", 0, m.attrs))


def test_ner_windows_keep_the_tokens_around_small_places() -> None:
    from marsad.model import Token
    from marsad.stages import NER_WINDOW, _windows

    toks = tuple(Token(10 * i, 10 * i + 5, "w", "w", "w", 0 if i < 30 else 1) for i in range(40))
    # token 15 of sentence 0, token 38 of sentence 1
    kept = _windows(toks, {0: [(150, 155)], 1: [(380, 385)]})
    # (a window stops at its sentence: sentence 1 ends at token 39)
    assert [t.start // 10 for t in kept] == list(range(15 - NER_WINDOW, 15 + NER_WINDOW + 1)) + \
        list(range(38 - NER_WINDOW, 40))
    assert NER_WINDOW >= 2  # the CRF's features look two tokens away


def test_windowed_tokeniser_equals_tokenising_then_windowing() -> None:
    from marsad.model import Analysis
    from marsad.stages import NER_WINDOW, _windows
    from marsad.text.segment import split_sentences, tokenise, tokenise_around

    texts = [*_demo_texts(),
             "قالَ أحمدُ إن رزان  وصلت إلى حلب.\nثم عاد خالد بن الوليد إلى قرية رزان مع " + "كلمة " * 30]
    fewer = False
    for text in texts:
        norm, offsets = normalise(text)
        a = Analysis(Document("w", text), norm, offsets)
        sents = split_sentences(a)
        words = tokenise(a, sents)
        for pick in (3, 11, 40):
            spots: dict[int, list[tuple[int, int]]] = {}
            for t in words[::pick]:
                spots.setdefault(t.sent, []).append((t.start, t.end))
            plain = _windows(tokenise(a, sents, only=set(spots)), spots)
            assert plain and tokenise_around(a, sents, spots, NER_WINDOW) == plain
            fewer |= len(plain) < len(words)
    assert fewer


def test_array_normaliser_equals_the_regex_one() -> None:
    from marsad.text import normalise as nm

    texts = [*_demo_texts(), "هههههه مممم ـــــ وووو " * 6, "قُتِلَ ٣ أشخاص 😀 في حلب " * 4, "#جنوب_فرنسا " * 9,
             "\ud800 لا يهم " * 20, "شكرااااا " * 10, "abc" * 30]
    for text in texts:
        fast, plain = nm.normalise(text), nm._normalise_re(text, nm._translate(text))
        assert fast == plain
    assert nm.normalise("شكرااااا جدا " * 8)[0].startswith("شكراا جدا")


def test_boundary_copy_equals_the_regex() -> None:
    import re

    from marsad.text.chars import boundary_copy

    for text in [*_demo_texts(), "a_b-c d،e\t\n٣ 😀 x" * 10, "ـًـ" * 40, ""]:
        assert boundary_copy(text) == re.sub(r"[\W_]", " ", text)
        assert len(boundary_copy(text)) == len(text)


def test_place_automaton_reports_only_word_ends() -> None:
    from marsad.geo.gazetteer import Gazetteer

    g = Gazetteer.load()
    norm, _ = normalise("وصلت القوات إلى دير الزور ثم دير-الزور وحلبا وبحلب، والرقه.")
    found = [norm[s:e] for s, e, _, _ in places.matches(norm, g)]
    # "دير-الزور" is no key (the copy's space stands for any sign, the text decides); no name
    # ends inside a word ("حلب" in "وحلبا")
    assert found == ["دير الزور", "حلبا", "حلب", "الرقه"]


def test_supporter_prefilter_words_agree_with_the_pattern() -> None:
    from marsad.recognise import actors

    heads = ["بدعم", "باسناد", "بمسانده", "بمساعده", "بغطاء", "بتغطيه", "ضمن", "مدعومه", "مسنودين",
             "المدعومون"]
    windows = [f"قوات {h} من " for h in heads] + [f"{h} جوي مباشر ب" for h in heads] + ["هجوم واسع على "]
    for text in _demo_texts():
        norm, _ = normalise(text)
        windows += [norm[max(0, i - 40):i] for i in range(0, len(norm), 5)]
    hits = 0
    for w in windows:
        found = actors._SUPPORT_BEFORE.search(w) is not None
        hits += found
        assert not found or any(k in w for k in actors._SUPPORT_WORDS), w
    assert hits >= len(heads)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 12)), max_size=8), st.integers(0, 30),
       st.integers(1, 12))
def test_actor_cover_is_the_pairwise_test(spans: list[tuple[int, int]], start: int, length: int) -> None:
    from marsad.geo.roles import ActorSpans

    spans = [(a, a + n) for a, n in spans]
    starts = sorted(spans)
    actors = ActorSpans(starts, [], [], [a for a, _ in starts], list(accumulate((b for _, b in starts), max)))
    end = start + length
    assert actors.covered(start, end) == any(a <= start and end <= b and b - a > end - start
                                             for a, b in spans)


def test_the_default_pipeline_leaves_the_collector_as_it_found_it_with_its_resources_frozen() -> None:
    import gc

    from marsad.pipeline import YOUNG_THRESHOLD

    was, thresholds = gc.isenabled(), gc.get_threshold()
    try:
        gc.enable()
        gc.set_threshold(700, 10, 10)
        Pipeline.default(ner=False)
        assert gc.isenabled() and gc.get_freeze_count() > 100_000  # the resources, out of the collections
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        gc.disable()
        gc.set_threshold(0, 10, 10)
        Pipeline.default(ner=False)
        assert not gc.isenabled() and gc.get_threshold() == (0, 10, 10)  # a caller's choice is kept
    finally:
        gc.enable() if was else gc.disable()
        gc.set_threshold(*thresholds)


# letters (one repeated), a diacritic, tatweel, mapped letters and digits, "#", "_", spaces, stops
_SLICE_ALPHABET = "ببببسلاأإىةئ\u064e\u0651\u0640٣#_ .\n،"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_SLICE_ALPHABET, max_size=80), st.integers(0, 80), st.integers(0, 80))
def test_a_slice_of_the_normalised_document_is_the_normalised_slice(text: str, i: int, j: int) -> None:
    from marsad.text.normalise import normalised_slice

    start, end = sorted((min(i, len(text)), min(j, len(text))))
    norm, offsets = normalise(text)
    got = normalised_slice(text, norm, offsets, start, end)
    assert got is None or got == normalise(text[start:end])[0]
    # and the cuts by the document's truncation (extract/bounds): the text from a sentence on left out
    kept = end if offsets is None else bisect_left(offsets, end, 0, len(norm))
    cut = normalised_slice(text, norm[:kept], offsets, start, end)
    assert cut is None or cut == normalise(text[start:end])[0]
    # a norm cut inside the slice, or none at all (an analysis built by hand): never a wrong slice
    for short in (norm[:max(0, kept - 1)], ""):
        got = normalised_slice(text, short, offsets, start, end)
        assert got is None or got == normalise(text[start:end])[0]


def test_the_slice_is_read_from_the_document_at_ordinary_sentence_edges() -> None:
    from marsad.text.normalise import normalised_slice

    for text in _demo_texts():
        a = Pipeline([Normalise(), Segment(tokens=False)])(Document("d", text, date(2018, 5, 1)))
        for s in a.sentences:
            got = normalised_slice(text, a.norm, a.offsets, s.start, s.end)
            assert got == normalise(s.text)[0]


def test_a_toll_cue_without_an_anchor_is_in_a_piece_of_a_sentence_only_where_the_sentence_holds_it() -> None:
    from marsad.learn import tolls

    assert {"since", "rise", "year_word"}.isdisjoint(tolls._UNANCHORED)  # (?:^|\s): a piece may add a start
    texts = [normalise(t)[0] for t in _demo_texts()] + ["منذ بدء الحرب ارتفعت الحصيلة الي 30 قتيلا وجريحا",
                                                         "اعتقال 5 واصابه 3 خلال الاسبوع الماضي في غارات"]
    for text in texts:
        for name in tolls._UNANCHORED:
            pat = tolls._CUES[name]
            if pat.search(text):
                continue
            for i in range(0, len(text), 3):
                assert not pat.search(text[i:i + 40]) and not pat.search(text[max(0, i - 40):i]), name
