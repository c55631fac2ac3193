"""The generic lexicon engine: boundaries, affixes, overlaps, offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.recognise.lexicon import NOUN_PROCLITICS, VERB_PROCLITICS, LexEntry, Lexicon
from marsad.text.normalise import normalise

ROWS = [
    ("غارة", "raid"),
    ("غارات", "raids"),
    ("هجوم", "attack"),
    ("هجوم انتحاري", "suicide"),
    ("هجوم الانتحاري", "suicide"),
    ("قصف", "shell"),
    ("اشتباكات", "clash"),
    ("قتلى", "dead"),
]


def lex() -> Lexicon[str]:
    return Lexicon(ROWS, suffixes=frozenset({"ه", "ها", "هم"}))


def found(text: str, lexicon: Lexicon[str] | None = None) -> list[tuple[str, str]]:
    norm, _ = normalise(text)
    return [(norm[s:e], p) for s, e, p in (lexicon or lex()).find(norm)]


def test_keys_are_normalised() -> None:
    # the key "غارة" (with ة) matches the normalised text (ه), with or without diacritics
    assert found("غارَةٌ") == [("غاره", "raid")]
    assert "غارة" in lex() and "غاره" in lex()
    assert len(lex()) == len(ROWS)


def test_proclitics_accepted_and_excluded_from_span() -> None:
    assert found("بالغارات والاشتباكات وللقصف") == [("غارات", "raids"), ("اشتباكات", "clash"),
                                                   ("قصف", "shell")]
    norm, _ = normalise("فالهجوم")
    (m,) = lex().matches(norm)
    assert m.proclitic == "فال" and norm[m.start : m.end] == "هجوم"


def test_word_boundaries() -> None:
    assert found("مغارة") == []  # م is not a proclitic
    assert found("قصر") == []
    assert found("القصفية") == []  # unknown suffix
    assert found("قصفه") == [("قصفه", "shell")]  # allowed suffix, included in the span
    assert found("(قصف)") == [("قصف", "shell")]
    assert found("#قتلى_اليوم") == [("قتلي", "dead")]  # hashtag underscores are boundaries


def test_proclitic_must_itself_start_a_word() -> None:
    assert found("سوالقصف") == []


def test_longest_match_wins() -> None:
    assert found("هجوم انتحاري") == [("هجوم انتحاري", "suicide")]
    assert found("والهجوم  الانتحاري") == [("هجوم  الانتحاري", "suicide")]  # irregular spacing


def test_multiword_does_not_cross_punctuation() -> None:
    assert found("هجوم، انتحاري") == [("هجوم", "attack")]


def test_per_entry_affixes() -> None:
    rows = [
        LexEntry("قصف", "verb", VERB_PROCLITICS, frozenset({"ت", "وا"})),
        LexEntry("غارة", "noun", NOUN_PROCLITICS, frozenset()),
    ]
    lx = Lexicon(rows)
    assert found("سيقصف", lx) == []  # "يقصف" is not a key
    assert found("وقصفت فقصفوا", lx) == [("قصفت", "verb"), ("قصفوا", "verb")]
    assert found("بالقصف", lx) == []  # a verb takes no article
    assert found("بالغارة", lx) == [("غاره", "noun")]


def test_same_key_several_payloads_are_co_readings() -> None:
    lx = Lexicon([("حلب", "city"), ("حلب", "province")])
    assert [p for _, _, p in lx.find("في حلب")] == ["city", "province"]


def test_empty() -> None:
    assert Lexicon([]).find("نص") == []
    assert lex().find("") == []


def test_find_offsets_with_squeezed_spaces() -> None:
    norm = "قال  انه  هجوم   انتحاري\tو قصف"
    out = lex().find(norm)
    assert [(norm[s:e], p) for s, e, p in out] == [("هجوم   انتحاري", "suicide"), ("قصف", "shell")]


_WORDS = ["غارة", "بالغارات", "هجوم", "انتحاري", "قصفَ", "مغارة", "قتلى", "،", "  ", "\n", "وال", "ـ", "٣"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join))
def test_matches_are_ordered_disjoint_and_whole_words(text: str) -> None:
    norm, _ = normalise(text)
    prev_end = -1
    for s, e, _p in lex().find(norm):
        assert 0 <= s < e <= len(norm) and s >= prev_end
        assert e == len(norm) or not norm[e].isalpha()
        prev_end = e


def test_a_key_ending_in_a_proclitic_reaches_into_the_next_word() -> None:
    lexicon = Lexicon([("متهم ب", "accused"), ("يعد ل", "plan")])
    assert found("شاب متهم باغتصاب فتاة والجيش يعد لهجوم", lexicon) == [("متهم ب", "accused"),
                                                                        ("يعد ل", "plan")]
    assert found("متهمين", lexicon) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_WORDS, "وقصفوا", "بالغارة", "القتلى", "هجومهم"]),
                max_size=12).map(" ".join))
def test_a_group_scan_gives_each_lexicon_its_own_matches(text: str) -> None:
    from marsad.recognise.lexicon import LexiconGroup

    nouns = lex()
    verbs = Lexicon([LexEntry("قصف", "shell", VERB_PROCLITICS, frozenset({"وا", "ت"})), ("قتلى", "dead")])
    norm, _ = normalise(text)
    assert LexiconGroup([nouns, verbs, Lexicon([])]).matches(norm) == [nouns.matches(norm),
                                                                       verbs.matches(norm), []]
