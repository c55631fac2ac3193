"""Robustness (issue 17, parts 1, 2 and 5): the library API works on every call, no text or
metadata crashes the pipeline, and damaged input is reported as damaged.

The property tests run a fast profile (a few thousand examples in all); set
``MARSAD_FUZZ_EXAMPLES`` for a longer campaign over the full pipeline.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import io
import json
import logging
import os
import pkgutil
import threading
import time
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import make_analysis

import marsad
from marsad.io.readers import iter_documents
from marsad.io.writers import open_writer
from marsad.model import EVENT_FIELDS, Document, Failure
from marsad.pipeline import Pipeline
from marsad.recognise.dates import (
    PUBLISHED_MAX,
    PUBLISHED_MIN,
    check_published,
    find_dates,
    resolve_expression,
)
from marsad.recognise.numbers import MAX_VALUE, find_numbers, parse_number

TEXT = ("قتل سبعة مدنيين أمس في غارات روسية على مدينة سراقب في ريف إدلب، "
        "بحسب المرصد السوري لحقوق الإنسان.")
FUZZ_EXAMPLES = int(os.environ.get("MARSAD_FUZZ_EXAMPLES", "3000"))


def records(events: list[Any]) -> list[dict[str, Any]]:
    return [e.to_record() for e in events]


# ------------------------------------------------------------------ 1. the API on every call


def test_no_public_name_is_shadowed_by_a_subpackage() -> None:
    """Importing every submodule (as building a pipeline does) leaves ``marsad.extract`` the function."""
    for info in pkgutil.walk_packages(marsad.__path__, "marsad."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except (ImportError, marsad.errors.DependencyError):
            continue  # an optional extra that is not installed
    for name in marsad.__all__:
        assert not isinstance(getattr(marsad, name), types.ModuleType), name
    assert callable(marsad.extract) and marsad.extract.__module__ == "marsad.pipeline"
    from marsad.extract.frames import Frame  # the subpackage is still importable

    assert Frame.__module__ == "marsad.extract.frames"


def test_extract_works_on_its_hundredth_call() -> None:
    first = records(marsad.extract(TEXT, published="2018-03-05"))
    assert first and first[0]["event_date"] == "2018-03-04"
    for _ in range(99):
        assert records(marsad.extract(TEXT, published="2018-03-05")) == first
    assert marsad.Pipeline is Pipeline and marsad.Document is Document


def test_extract_from_four_threads_gives_the_same_results() -> None:
    texts = [TEXT, "قتل 3 جنود في هجوم على حاجز للجيش في الموصل اليوم.", "لا شيء هنا.",
             "اندلعت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة في ريف حماة أمس."]
    expected = [records(marsad.extract(t, published="2018-03-05")) for t in texts]
    results: dict[int, list[Any]] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = [[records(marsad.extract(t, published="2018-03-05")) for t in texts]
                          for _ in range(5)]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(run == expected for k in range(4) for run in results[k])


@pytest.mark.parametrize("published", [
    "0001-01-01", "9999-12-31", "2018-13-45", "yesterday", "", int("9" * 309),
    1e308, float("nan"), date(1, 1, 1), datetime(9999, 12, 31, 23, 59), ["2018-03-05"], True,
])
def test_extract_takes_any_published_value(published: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="marsad.pipeline")
    events = records(marsad.extract(TEXT, published=published))
    assert events == records(marsad.extract(TEXT))  # processed without a publication date
    warned = [r for r in caplog.records if "publication date ignored" in r.getMessage()]
    assert len(warned) == (0 if published == "" else 1)  # once


def test_check_published() -> None:
    assert check_published("2018-03-05T10:00:00Z") == (date(2018, 3, 5), None)
    assert check_published(datetime(2018, 3, 5, 1, 2)) == (date(2018, 3, 5), None)
    assert check_published(None) == (None, None)
    for bad in ("0001-01-01", date(9999, 12, 31), "x", 5, PUBLISHED_MIN.replace(year=1899)):
        day, problem = check_published(bad)
        assert day is None and problem
    assert check_published(PUBLISHED_MIN)[0] == PUBLISHED_MIN \
        and check_published(PUBLISHED_MAX)[0] == PUBLISHED_MAX


def test_extract_replaces_lone_surrogates() -> None:
    text = TEXT.replace("سبعة", "سبعة \ud800")
    for e in marsad.extract(text, published="2018-03-05", title="عنوان \udfff"):
        json.dumps(e.to_record(), ensure_ascii=False).encode("utf-8")


# ------------------------------------------------------------------ 2. numbers and dates


def test_a_long_run_of_digits_is_no_count() -> None:
    for digits in ("9" * 400, "٩" * 400, "۹" * 400, "1" * 5000, "1,000," + "000," * 200 + "000"):
        text = f"قتل {digits} مدنيين في غارة على حلب أمس"
        a = make_analysis(text, date(2018, 3, 5))
        assert all(m.value <= MAX_VALUE for m in find_numbers(a))
        assert parse_number(digits) is None
    assert parse_number("1,200") == 1200 and parse_number("3 الاف") == 3000
    assert parse_number("999999999999999") == 999999999999999


EDGE_DAYS = [date(1, 1, 1), date(1, 1, 3), date(1, 3, 1), date(622, 7, 16), PUBLISHED_MIN, date(2018, 3, 5),
             PUBLISHED_MAX, date(9999, 12, 25), date(9999, 12, 31)]
PHRASES = ["امس", "اول امس", "اليوم الخميس", "غدا", "بعد غد", "الاثنين الماضي", "الجمعه المقبله",
           "الاسبوع الماضي", "الشهر الماضي", "الشهر الجاري", "10 رمضان", "10 رمضان 1436", "5 اب",
           "5 اب المقبل", "اب العام المقبل", "اب العام الماضي", "شهر اب الماضي", "قبل 99999999 يوما",
           "منذ 3 اشهر", "قبل ايام", "24 من الشهر الماضي", "1/1/0001", "31/12/9999", "9999-12-31",
           "5 اب 9999", "1 كانون الثاني 0001", "اكتوبر 9999"]


@pytest.mark.parametrize("published", [*EDGE_DAYS, None])
def test_date_expressions_stay_in_the_calendar(published: date | None) -> None:
    for phrase in PHRASES:
        value, _ = resolve_expression(phrase, published) if published else (None, 0)
        if value is not None:
            assert date(1, 1, 8) <= date.fromisoformat(value) <= date(9999, 12, 24)
        a = make_analysis(f"قتل 5 مدنيين في غارة على حلب {phrase}", published)
        for m in find_dates(a):
            assert m.value is None or date(1, 1, 8) <= date.fromisoformat(m.value) <= date(9999, 12, 24)


def test_a_date_out_of_the_calendar_is_dropped_with_a_reason() -> None:
    a = make_analysis("قتل 5 مدنيين قبل 99999999 يوما", date(2018, 3, 5))
    (m,) = find_dates(a)
    assert m.value is None and m.attr("out_of_range") is True


# ------------------------------------------------------------------ 2. fuzzing the pipeline

VOCAB = [
    "قتل", "قتلى", "مقتل", "لقي مصرعه", "غارة", "غارات جوية", "قصف مدفعي", "انفجار",
    "سيارة مفخخة", "عبوة ناسفة",
    "مدنيين", "مدنيا", "جنود", "عناصر", "مسلحين", "أصيب", "جرحى", "اشتباكات", "هجوم", "سيطرت", "اعتقل",
    "متظاهرين", "احتجاج", "بين", "و", "في", "على", "من", "مدينة", "ريف", "حلب", "إدلب", "دمشق", "الموصل",
    "صنعاء", "درعا", "سراقب", "بنغازي", "بحسب", "المرصد السوري لحقوق الإنسان", "قوات النظام", "الجيش",
    "تنظيم الدولة", "داعش", "التحالف الدولي", "الطيران الروسي", "الحوثيين", "أمس", "اليوم", "غدا", "الخميس",
    "الاثنين الماضي", "الأسبوع الماضي", "الشهر الماضي", "منذ", "قبل", "يوما", "أيام", "أشهر", "رمضان",
    "آب", "أغسطس", "كانون الثاني", "عام", "العام المقبل", "هـ", "عشرات", "نحو", "أكثر من", "ما لا يقل عن",
    "ألف", "آلاف", "مليون", "مليار", "ثلاثة", "خمسة", "عشرين", "مئة", "الحادي عشر", "من شهر", "الجاري",
]
_LATIN, _ARABIC, _PERSIAN = "0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"
_PUNCT = ".،,؛:!?؟()[]«»\"'-/…%٪٫٬\n\t\r "
_CONTROL = "".join(map(chr, [*range(0x00, 0x20), *range(0x7F, 0xA0)]))
_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff"
_DIACRITICS = "".join(map(chr, range(0x064B, 0x0653))) + "\u0640"


def _in_script(n: int, digits: str) -> str:
    return str(n).translate(str.maketrans(_LATIN, digits))


_NUMBER = st.builds(_in_script,
                    st.one_of(st.integers(0, 3000), st.integers(0, 10**60), st.integers(0, 10**400)),
                    st.sampled_from([_LATIN, _ARABIC, _PERSIAN]))
_PIECE = st.one_of(
    st.sampled_from(VOCAB), st.sampled_from(VOCAB), st.sampled_from(VOCAB), _NUMBER,
    st.text(st.sampled_from(_LATIN + _ARABIC + _PERSIAN + ",.٫٬/-"), min_size=1, max_size=30),
    st.text(st.sampled_from(_PUNCT), min_size=1, max_size=4),
    st.text(st.sampled_from(_CONTROL + _BIDI + _DIACRITICS), min_size=1, max_size=4),
    st.integers(0xD800, 0xDFFF).map(chr),  # lone surrogates
    st.text(max_size=8),  # any code point
)
_TEXTS = st.lists(st.tuples(_PIECE, st.sampled_from([" ", " ", "", "\n", "، ", ". "])),
                  min_size=1, max_size=60).map(
    lambda parts: "".join(p + sep for p, sep in parts))
_DAYS = st.one_of(st.none(), st.dates(), st.sampled_from(EDGE_DAYS))
_TITLES = st.one_of(st.none(), _TEXTS.map(lambda t: t[:200]))


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.default()


SLOWEST: list[tuple[float, str]] = [(0.0, "")]


def _check_events(events: Any) -> None:
    for e in events:
        rec = e.to_record()
        for name in EVENT_FIELDS:
            value = rec[name]
            if isinstance(value, str):
                value.encode("utf-8")  # strict: a lone surrogate would raise
        json.dumps(rec, ensure_ascii=False).encode("utf-8")


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.data_too_large])
@given(text=_TEXTS, published=_DAYS, title=_TITLES)
def test_the_pipeline_never_raises(pipeline: Pipeline, text: str, published: date | None,
                                   title: str | None) -> None:
    """Any text, title and publication date (as every entry point passes it: checked), through the
    full default pipeline: no exception, and every event field is valid UTF-8."""
    day, _ = check_published(published)
    doc = Document.from_parts("fuzz", text, day, title)  # (lone surrogates left in: the readers replace them)
    t0 = time.perf_counter()
    analysis = pipeline(doc)
    elapsed = time.perf_counter() - t0
    if elapsed > SLOWEST[0][0]:
        SLOWEST[0] = (elapsed, text[:80])
    _check_events(analysis.events)
    (result,) = pipeline.run_batch([doc])
    assert not isinstance(result, Exception), result


@settings(max_examples=600, deadline=None)
@given(text=_TEXTS, published=_DAYS)
def test_marsad_extract_never_raises(text: str, published: date | None) -> None:
    _check_events(marsad.extract(text, published=published))


@settings(max_examples=800, deadline=None)
@given(text=_TEXTS, published=st.one_of(st.dates(), st.sampled_from(EDGE_DAYS)))
def test_the_date_and_number_recognisers_never_raise(text: str, published: date) -> None:
    a = make_analysis(text, published)
    find_numbers(a)
    for m in find_dates(a):
        assert m.value is None or date(1, 1, 8) <= date.fromisoformat(m.value) <= date(9999, 12, 24)


def test_the_pipeline_takes_an_unchecked_publication_date(pipeline: Pipeline) -> None:
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        doc = Document.from_parts("edge", "قتل 5 مدنيين في غارة على حلب أمس. قتل 250 شخصا خلال يومين في حلب.",
                                  day)
        _check_events(pipeline(doc).events)


# ------------------------------------------------------------------ 5. damaged input


def _make_warc(path: Path, gz: bool, body_year: str = "") -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=gz)
        for i in range(3):
            body = (f"<html><head><title>t{i}</title></head><body><article><p>"
                    + f"قتل خمسة مدنيين في غارة على حلب {body_year}. " * 30
                    + "</p></article></body></html>").encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            rec = w.create_warc_record(f"https://example.org/{i}", "response", payload=io.BytesIO(body),
                                       http_headers=http,
                                       warc_headers_dict={"WARC-Date": "2015-06-01T00:00:00Z"})
            w.write_record(rec)


def _split(items: Any) -> tuple[list[Document], list[Failure]]:
    items = list(items)
    return [x for x in items if isinstance(x, Document)], [x for x in items if isinstance(x, Failure)]


def test_a_warc_cut_mid_record_is_reported(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc"
    _make_warc(whole, gz=False)
    full, _ = _split(iter_documents(whole))
    assert len(full) == 3
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    docs, fails = _split(iter_documents(cut))
    assert [d.text for d in docs] == [d.text for d in full[:2]]
    assert len(fails) == 1 and "truncated WARC record" in fails[0].reason and fails[0].doc_id == "https://example.org/2"


@pytest.mark.parametrize("gz", [True, False])
def test_a_cut_warc_never_passes_for_whole(tmp_path: Path, gz: bool) -> None:
    whole = tmp_path / ("whole.warc.gz" if gz else "whole.warc")
    _make_warc(whole, gz=gz)
    full = {d.doc_id: d.text for d in _split(iter_documents(whole))[0]}
    data = whole.read_bytes()
    step = max(1, len(data) // 120)
    for n in range(1, len(data), step):
        cut = tmp_path / f"cut{n}{'.warc.gz' if gz else '.warc'}"
        cut.write_bytes(data[:n])
        docs, fails = _split(iter_documents(cut))
        for d in docs:
            assert d.text == full[d.doc_id], n  # never a truncated text as a whole document
        assert fails, n  # the cut is said
        assert not any("AttributeError" in f.reason for f in fails), (n, fails)
        cut.unlink()


def test_a_page_without_date_metadata_takes_the_archive_date(tmp_path: Path) -> None:
    p = tmp_path / "c.warc"
    _make_warc(p, gz=False, body_year="عام 2011")
    docs, _ = _split(iter_documents(p))
    assert docs and all(d.published == date(2015, 6, 1) for d in docs)
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>" + "قتل خمسة مدنيين في غارة على حلب عام 2011. " * 20
                    + "</p></article></body></html>", encoding="utf-8")
    (doc,), _ = _split(iter_documents(page))
    assert doc.published is None


def test_an_unterminated_csv_quote_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    rows = [["a", "قتل خمسة"], ["b", "قتل ستة"], ["c", "قتل سبعة"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["doc_id", "text"], *rows])
    text = buf.getvalue().replace("a,قتل خمسة", 'a,"قتل خمسة')
    p.write_text(text, encoding="utf-8")
    docs, fails = _split(iter_documents(p))
    assert [d.doc_id for d in docs] == ["b", "c"] and [d.text for d in docs] == ["قتل ستة", "قتل سبعة"]
    assert len(fails) == 1 and "malformed CSV" in fails[0].reason and fails[0].source.endswith(":2")
    p.write_text(text.replace("b,قتل ستة", 'b,"قتل ستة"x'), encoding="utf-8")  # the quote closes further on
    docs, fails = _split(iter_documents(p))
    assert [d.doc_id for d in docs][-1] == "c" and fails


def test_ids_from_paths_are_unique_across_folders(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "part.jsonl").write_text(
            json.dumps({"text": f"قتل خمسة في {sub}"}, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp_path / sub / "page.txt").write_text(f"قتل ستة في {sub}", encoding="utf-8")
    (tmp_path / "a" / "own.jsonl").write_text(json.dumps({"text": "قتل"}) + "\n", encoding="utf-8")
    docs, fails = _split(iter_documents(tmp_path))
    assert not fails
    assert sorted(d.doc_id for d in docs) == ["a/page", "a/part.jsonl:1", "b/page", "b/part.jsonl:1",
                                              "own.jsonl:1"]
    docs, fails = _split(iter_documents([tmp_path / "a" / "part.jsonl", tmp_path / "b" / "part.jsonl"]))
    assert not fails and len({d.doc_id for d in docs}) == 2


def test_an_unusable_published_value_is_reported_once(tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    p = tmp_path / "x.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        for i, value in enumerate(["0001-01-01", "9999-12-31", "2018-02-30", "soon", 20180305, "2018-03-05"]):
            f.write(json.dumps({"doc_id": f"d{i}", "text": "قتل خمسة", "published": value}) + "\n")
    caplog.set_level(logging.WARNING, logger="marsad.io.readers")
    docs, fails = _split(iter_documents(p))
    assert not fails and [d.published for d in docs] == [None] * 5 + [date(2018, 3, 5)]
    assert sorted(r.getMessage().split(":")[0] for r in caplog.records) == [repr(f"d{i}") for i in range(5)]


def test_control_characters_and_surrogates_never_reach_a_record_or_a_log_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rec = {name: None for name in EVENT_FIELDS}
    rec.update(doc_id="evil\n\x1b[31mFORGED\x85\ud800", event_id="e1", event_date="2018-03-05",
               time_precision=1,
               event_type="Battles", sub_event_type="Armed clash", actor1="\udfffA", inter1=1, inter2=0,
               location_text="حلب\x00\u202e", fatalities=0, notes="x\x07y", tags="", evidence=[[0, 1]],
               confidence=0.5, provenance={})
    for ext in ("jsonl", "csv", "geojson"):
        out = tmp_path / f"o.{ext}"
        with open_writer(out) as w:
            w.write(dict(rec, latitude=1.0, longitude=2.0))
        raw = out.read_bytes()
        text = raw.decode("utf-8")  # strict
        assert "\x1b" not in text and "\x00" not in text and "\x85" not in text and "\x07" not in text
        if ext == "jsonl":
            assert json.loads(text)["doc_id"] == rec["doc_id"]  # escaped, not lost
    # a doc_id that would forge log lines is logged escaped
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"doc_id": "a\n\x1b[31mFORGED", "text": "قتل", "published": "0001-01-01"}) + "\n"
                 + json.dumps({"doc_id": "b\r\x1b]0;x\x07", "text": " "}) + "\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="marsad.io.readers")
    list(iter_documents(p))
    for r in caplog.records:
        message = r.getMessage()
        assert not any(c in message for c in "\n\r\x1b\x07"), message
