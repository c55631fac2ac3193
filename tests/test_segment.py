from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.model import Analysis, Document
from marsad.pipeline import Normalise, Segment
from marsad.text.segment import strip_proclitics


def _segment(text: str) -> Analysis:
    a = Normalise()(Analysis(doc=Document("t", text)))
    return Segment()(a)


def test_sentences_split_on_stops_and_lines_not_decimals() -> None:
    a = _segment("قتل 2.5 شخص. وأصيب آخرون!\nسطر جديد")
    assert [s.text for s in a.sentences] == ["قتل 2.5 شخص.", "وأصيب آخرون!", "سطر جديد"]


def test_tokens_keep_original_text_and_strip_clitics() -> None:
    text = "وبحلب قُتِلَ ٢٦ عنصراً من القوات، والمسلحين"
    a = _segment(text)
    words = [t.text for t in a.tokens]
    assert words[:4] == ["وبحلب", "قُتِلَ", "٢٦", "عنصراً"]
    stems = {t.text: t.stem for t in a.tokens}
    assert stems["وبحلب"] == "حلب"
    assert stems["والمسلحين"] == "مسلحين"
    assert stems["القوات"] == "قوات"
    assert all(t.norm for t in a.tokens)


def test_short_words_keep_their_letters() -> None:
    assert strip_proclitics("بل") == "بل"
    assert strip_proclitics("لم") == "لم"


arabicish = st.text(alphabet=st.sampled_from(list("قتلوبالأإآةىيـًٌٍَُِّْ ٢٦.\n!؟،abc")), max_size=80)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), arabicish))
def test_every_span_indexes_the_original(text: str) -> None:
    a = _segment(text)
    for s in a.sentences:
        assert text[s.start:s.end] == s.text
    for t in a.tokens:
        assert text[t.start:t.end] == t.text
        assert 0 <= t.sent < max(len(a.sentences), 1)


def test_clause_of_another_incident_is_its_own_sentence() -> None:
    from marsad.model import Analysis, Document
    from marsad.text.normalise import normalise
    from marsad.text.segment import split_sentences

    text = ("قتل 20 مدنيا بقصف على مدينة دوما، بينما قتل خمسة مدنيين في مدينة عربين. "
            "وقال المرصد، فيما يبدو، إن")
    norm, offsets = normalise(text)
    sents = split_sentences(Analysis(Document("t", text), norm, offsets))
    assert [s.text for s in sents][:2] == ["قتل 20 مدنيا بقصف على مدينة دوما،",
                                           "بينما قتل خمسة مدنيين في مدينة عربين."]
