"""Input readers: every format, and every kind of bad input yielding exactly one Failure."""

from __future__ import annotations

import gzip
import io
import json
import logging
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.io.readers import decode_bytes, detect_format, iter_documents, parse_date, strip_html
from marsad.model import Document, Failure

FIXTURES = Path(__file__).parent / "fixtures" / "io"

BODY1 = "قتل خمسة مدنيين في قصف مدفعي على حي سكني في مدينة حلب صباح اليوم."
BODY2 = "أعلنت الشرطة اعتقال ثلاثة أشخاص يشتبه في تنفيذهم هجوما على نقطة تفتيش في بغداد."
BODY3 = "تظاهر مئات الطلاب في الخرطوم احتجاجا على ارتفاع أسعار الخبز والوقود."


def split(items):
    items = list(items)
    docs = [x for x in items if isinstance(x, Document)]
    fails = [x for x in items if isinstance(x, Failure)]
    assert len(docs) + len(fails) == len(items)
    return docs, fails


def jline(**rec) -> str:
    return json.dumps(rec, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- helpers


def test_detect_format():
    assert detect_format("a/B.JSONL.GZ") == "jsonl"
    assert detect_format("x.warc.gz") == "warc"
    assert detect_format("x.htm") == "html"
    assert detect_format("x.atom") == "feed"
    assert detect_format("x.gz") is None
    assert detect_format("x.pdf") is None


def test_parse_date():
    assert parse_date("2018-04-24") == date(2018, 4, 24)
    assert parse_date("2018-04-24T23:10:00+03:00") == date(2018, 4, 24)
    assert parse_date("Tue, 03 Jul 2018 09:15:00 GMT") == date(2018, 7, 3)
    assert parse_date("2018-13-45") is None
    assert parse_date("yesterday") is None
    assert parse_date(20180424) is None
    assert parse_date(None) is None


def test_decode_bytes_encodings():
    text = "قصف على دير الزور"
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))[0] == text
    assert decode_bytes(text.encode("utf-16"))[0] == text
    assert decode_bytes(text.encode("cp1256")) == (text, "cp1256")
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")


def test_strip_html():
    assert strip_html("<p>أ &amp; ب</p><script>x()</script><p>ج<br>د</p>") == "أ & ب\nج\nد"


# ---------------------------------------------------------------- formats


def test_jsonl(tmp_path: Path):
    p = tmp_path / "in.jsonl"
    p.write_text(
        jline(doc_id="a", text=BODY1, published="2018-04-24", title="قصف على حلب", outlet="x",
              url="https://example.org/a", conflict_hint=True)
        + "\n"  # blank lines are not records
        + jline(doc_id="b", text=BODY2, published="2015-08-01T10:00:00Z"),
        encoding="utf-8",
    )
    docs, fails = split(iter_documents([p]))
    assert not fails
    a, b = docs
    assert a == Document("a", "قصف على حلب\n\n" + BODY1, date(2018, 4, 24), "قصف على حلب", "x",
                         "https://example.org/a")
    assert b.text == BODY2 and b.published == date(2015, 8, 1) and b.title is None


def test_jsonl_gz_and_single_path(tmp_path: Path):
    p = tmp_path / "in.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write(jline(doc_id="g1", text=BODY1) + jline(doc_id="g2", text=BODY2))
    docs, fails = split(iter_documents(p))  # a bare path works too
    assert [d.doc_id for d in docs] == ["g1", "g2"] and not fails


def test_jsonl_without_doc_id_gets_file_line(tmp_path: Path):
    p = tmp_path / "noid.jsonl"
    p.write_text(jline(text=BODY1) + jline(doc_id=17, text=BODY2), encoding="utf-8")
    docs, _ = split(iter_documents([p]))
    assert [d.doc_id for d in docs] == ["noid.jsonl:1", "17"]


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch):
    data = (jline(doc_id="s1", text=BODY1) + "{oops\n" + jline(text=BODY2)).encode("utf-8")
    fake = type("FakeStdin", (), {"buffer": io.BufferedReader(io.BytesIO(data))})()
    monkeypatch.setattr("sys.stdin", fake)
    docs, fails = split(iter_documents(["-"]))
    assert [d.doc_id for d in docs] == ["s1", "<stdin>:3"]
    assert [f.doc_id for f in fails] == ["<stdin>:2"]


def test_csv_with_large_field(tmp_path: Path):
    import csv

    big = (BODY1 + " ") * 3000  # ~200k chars, above csv's default field limit
    p = tmp_path / "in.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "title", "text", "published", "extra"])
        w.writerow(["c1", "", BODY1 + "\nسطر ثان", "2018-02-01", "x"])
        w.writerow(["c2", "عنوان", big, "", ""])
    docs, fails = split(iter_documents([p]))
    assert not fails
    assert docs[0] == Document("c1", BODY1 + "\nسطر ثان", date(2018, 2, 1))
    assert docs[1].text == "عنوان\n\n" + big and docs[1].published is None


def test_txt_directory_recursive_sorted(tmp_path: Path):
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    (d / "b.txt").write_text(BODY2, encoding="utf-8")
    (d / "a.txt").write_text(BODY1, encoding="utf-8")
    (d / "sub" / "c.txt").write_text(BODY3, encoding="utf-8")
    (d / "sub" / "more.jsonl").write_text(jline(doc_id="j", text=BODY1 + " ."), encoding="utf-8")
    (d / "notes.pdf").write_bytes(b"%PDF-1.4")  # unsupported inside a directory: skipped
    (d / ".hidden.txt").write_text(BODY3, encoding="utf-8")  # hidden: skipped
    (d / ".git").mkdir()
    (d / ".git" / "x.txt").write_text(BODY3, encoding="utf-8")
    docs, fails = split(iter_documents([d]))
    assert not fails
    assert [x.doc_id for x in docs] == ["a", "b", "c", "j"]
    assert docs[0].text == BODY1


def test_html_page():
    docs, fails = split(iter_documents([FIXTURES / "report.html"]))
    assert not fails
    (doc,) = docs
    assert doc.doc_id == "report"
    assert doc.title == "اشتباكات في ريف إدلب الجنوبي"
    assert doc.text.startswith(doc.title + "\n\n")
    assert doc.text.count(doc.title) == 1  # headline not repeated in the body
    assert "قتل سبعة مقاتلين" in doc.text
    assert "tracking" not in doc.text and "لا ينبغي" not in doc.text
    assert doc.published == date(2019, 5, 12)


def test_html_cp1256_without_meta(tmp_path: Path):
    p = tmp_path / "old.htm"
    p.write_bytes(f"<html><body><p>{BODY1}</p><p>{BODY2}</p></body></html>".encode("cp1256"))
    docs, fails = split(iter_documents([p]))
    assert not fails and BODY1 in docs[0].text and docs[0].doc_id == "old"


def test_rss_feed():
    docs, fails = split(iter_documents([FIXTURES / "feed.rss"]))
    assert [d.doc_id for d in docs] == ["https://example.org/news/101", "https://example.org/news/102"]
    first, second = docs
    assert first.title == "انفجار عبوة ناسفة في الموصل"
    assert first.text.startswith(first.title + "\n\n")
    assert "مدينة الموصل." in first.text and "<b>" not in first.text
    assert first.published == date(2018, 7, 3)
    assert first.outlet == "نشرة الاختبار" and first.url == "https://example.org/news/101"
    assert "& فرص" in second.text
    # the third item has no text: one failure, by its guid
    assert [(f.doc_id, f.reason) for f in fails] == [("https://example.org/news/103", "empty text")]
    assert fails[0].source.endswith("feed.rss:3")


def test_atom_feed():
    docs, fails = split(iter_documents([FIXTURES / "feed.atom"]))
    assert not fails
    assert [d.doc_id for d in docs] == ["urn:example:entry:1", "urn:example:entry:2"]
    assert docs[0].published == date(2015, 8, 1) and docs[1].published == date(2015, 8, 2)
    assert "غارة جوية استهدفت منزلا" in docs[0].text and "&lt;" not in docs[0].text
    assert "\n" in docs[0].text.split("\n\n", 1)[1]  # paragraphs kept as lines
    assert docs[1].text.endswith("خلية مسلحة في عدن.")


def _warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = (
        "<html><head><meta charset='utf-8'><title>هجوم على حاجز</title></head><body><article>"
        f"<h1>هجوم على حاجز</h1><p>{BODY2}</p><p>{BODY1}</p></article></body></html>"
    ).encode()
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)

        def response(uri: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                       warc_headers_dict={"WARC-Date": "2018-03-05T10:00:00Z"})
            w.write_record(rec)

        req = w.create_warc_record("https://example.org/p1", "request",
                                   payload=io.BytesIO(b"GET /p1\r\n\r\n"))
        w.write_record(req)
        response("https://example.org/p1", page, "text/html; charset=utf-8")
        response("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
        response("https://example.org/missing", b"<html>not found</html>", "text/html", "404 Not Found")
        response("https://example.org/p2", f"<html><body><p>{BODY3}</p></body></html>".encode("cp1256"),
                 "text/html; charset=windows-1256")


def test_warc_gz(tmp_path: Path):
    p = tmp_path / "crawl.warc.gz"
    _warc(p)
    docs, fails = split(iter_documents([p]))
    assert not fails
    assert [d.doc_id for d in docs] == ["https://example.org/p1", "https://example.org/p2"]
    p1, p2 = docs
    assert p1.title == "هجوم على حاجز" and BODY2 in p1.text and p1.url == "https://example.org/p1"
    assert p1.published == date(2018, 3, 5)  # from WARC-Date: the page has none
    assert BODY3 in p2.text


# ---------------------------------------------------------------- bad input


def test_malformed_lines_and_bad_records(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    p = tmp_path / "bad.jsonl"
    p.write_text(
        jline(doc_id="ok1", text=BODY1)
        + '{"doc_id": "broken", "text": "نص\n'  # line 2: malformed JSON
        + jline(doc_id="missing")  # line 3
        + jline(doc_id="nonstr", text=["قائمة"])  # line 4
        + jline(doc_id="empty", text="  \n ")  # line 5
        + "[1, 2]\n"  # line 6
        + jline(doc_id="ok2", text=BODY2),
        encoding="utf-8",
    )
    with caplog.at_level(logging.DEBUG, logger="marsad.io.readers"):
        docs, fails = split(iter_documents([p]))
    assert [d.doc_id for d in docs] == ["ok1", "ok2"]
    got = [(f.doc_id, f.reason.split(":")[0], f.source) for f in fails]
    assert got == [
        ("bad.jsonl:2", "malformed JSON", f"{p}:2"),
        ("missing", "missing text", f"{p}:3"),
        ("nonstr", "text is not a string (list)", f"{p}:4"),
        ("empty", "empty text", f"{p}:5"),
        ("bad.jsonl:6", "record is not a JSON object", f"{p}:6"),
    ]
    logged = [r for r in caplog.records if r.getMessage().startswith("skipping")]
    assert len(logged) == len(fails)  # each failure logged exactly once (at DEBUG: the consumer reports it)


def test_jsonl_encodings(tmp_path: Path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(
        b"\xef\xbb\xbf" + jline(doc_id="bom", text=BODY1).encode("utf-8")
        + jline(doc_id="win", text=BODY2).encode("cp1256")
        + jline(doc_id="u8", text=BODY3).encode("utf-8")
    )
    docs, fails = split(iter_documents([p]))
    assert not fails
    assert [(d.doc_id, d.text) for d in docs] == [("bom", BODY1), ("win", BODY2), ("u8", BODY3)]

    p16 = tmp_path / "wide.jsonl"
    p16.write_bytes((jline(doc_id="w1", text=BODY1) + jline(doc_id="w2", text=BODY2)).encode("utf-16"))
    docs, fails = split(iter_documents([p16]))
    assert not fails and [d.text for d in docs] == [BODY1, BODY2]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cp1256.txt", BODY1.encode("cp1256")),
        ("utf16.txt", BODY1.encode("utf-16")),  # with BOM
        ("utf16be.txt", b"\xfe\xff" + BODY1.encode("utf-16-be")),
        ("utf8bom.txt", b"\xef\xbb\xbf" + BODY1.encode("utf-8")),
    ],
)
def test_txt_encodings_decode_to_the_same_text(tmp_path: Path, name: str, data: bytes):
    (tmp_path / name).write_bytes(data)
    docs, fails = split(iter_documents([tmp_path / name]))
    assert not fails and docs == [Document(Path(name).stem, BODY1)]


def test_csv_cp1256_and_bom(tmp_path: Path):
    rows = f"doc_id,text\nk1,{BODY1}\nk2,\"{BODY2}\"\n"
    (tmp_path / "win.csv").write_bytes(rows.encode("cp1256"))
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + rows.replace("k", "m").encode("utf-8"))
    docs, fails = split(iter_documents([tmp_path / "win.csv", tmp_path / "bom.csv"]))
    assert not fails
    assert [(d.doc_id, d.text) for d in docs] == [("k1", BODY1), ("k2", BODY2), ("m1", BODY1), ("m2", BODY2)]


def test_csv_bad_rows(tmp_path: Path):
    p = tmp_path / "rows.csv"
    p.write_text(f'doc_id,text\nr1,{BODY1}\nr2,\nr3,"{BODY2}\nسطر"\nr4\nr5,{BODY3}\n', encoding="utf-8")
    docs, fails = split(iter_documents([p]))
    assert [d.doc_id for d in docs] == ["r1", "r3", "r5"]
    assert [(f.doc_id, f.reason, f.source) for f in fails] == [
        ("r2", "empty text", f"{p}:3"),
        ("r4", "missing text", f"{p}:6"),
    ]
    (tmp_path / "notext.csv").write_text("doc_id,body\nx,y\n", encoding="utf-8")
    _, fails = split(iter_documents([tmp_path / "notext.csv"]))
    assert [(f.doc_id, f.reason) for f in fails] == [("notext.csv", "CSV has no 'text' column")]


def test_binary_junk_and_empty_files(tmp_path: Path):
    rng = random.Random(7)
    (tmp_path / "a_junk.txt").write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (tmp_path / "d_good.txt").write_text(BODY1, encoding="utf-8")
    (tmp_path / "e_nul.jsonl").write_text(jline(doc_id="nul", text="\x00\x01\x02" * 50 + "نص"),
                                          encoding="utf-8")
    docs, fails = split(iter_documents([tmp_path]))
    assert [d.doc_id for d in docs] == ["d_good"]
    assert [(f.doc_id, f.reason.split(":")[0]) for f in fails] == [
        ("a_junk", "binary content"),
        ("b_empty", "empty text"),
        ("c_blank", "empty text"),
        ("nul", "binary content"),
    ]


def test_lone_surrogates_are_replaced(tmp_path: Path):
    p = tmp_path / "surr.jsonl"
    p.write_text('{"doc_id": "s", "title": "\\ud83d", "text": "نص \\ud800 سليم ' + "ك" * 100 + '"}\n',
                 encoding="utf-8")
    (doc,) = iter_documents([p])
    assert doc.text.startswith("\ufffd\n\nنص \ufffd سليم") and doc.title == "\ufffd"
    doc.text.encode("utf-8")  # writable


def test_ten_megabyte_documents(tmp_path: Path):
    big = "ن" * 10_000_000  # 10 M chars, 20 MB in UTF-8
    p = tmp_path / "big.jsonl"
    with open(p, "w", encoding="utf-8") as fh:
        fh.write(jline(doc_id="before", text=BODY1))
        fh.write(jline(doc_id="huge", text=big[:5_000_000]))  # 10 MB line: parsed, then refused
        fh.write(jline(doc_id="giant", text=big))  # 20 MB line: refused without parsing (id found)
        fh.write('{"text": "' + "x" * 13_000_000 + '"}\n')  # no id: file:line
        fh.write(jline(doc_id="after", text=BODY2))
    (tmp_path / "big.txt").write_text(big[:3_000_000], encoding="utf-8")
    (tmp_path / "huge.txt").write_text(big, encoding="utf-8")
    docs, fails = split(iter_documents([p, tmp_path / "big.txt", tmp_path / "huge.txt"]))
    assert [d.doc_id for d in docs] == ["before", "after"]
    assert [(f.doc_id, f.reason) for f in fails] == [
        ("huge", "too large: 5000000 chars"),
        ("giant", f"too large: >{2_000_000 * 6 + 65_536} bytes"),
        ("big.jsonl:4", f"too large: >{2_000_000 * 6 + 65_536} bytes"),
        ("big", "too large: 3000000 chars"),
        ("huge", "too large: 20000000 bytes"),
    ]
    # a higher limit lets the 10 MB document through
    docs, fails = split(iter_documents([tmp_path / "huge.txt"], max_chars=12_000_000))
    assert not fails and len(docs[0].text) == 10_000_000


def test_duplicates_first_wins(tmp_path: Path):
    a = tmp_path / "a.jsonl"
    a.write_text(jline(doc_id="d1", text=BODY1) + jline(doc_id="d1", text=BODY2), encoding="utf-8")
    b = tmp_path / "d1.txt"
    b.write_text(BODY3, encoding="utf-8")
    docs, fails = split(iter_documents([a, b]))
    assert [(d.doc_id, d.text) for d in docs] == [("d1", BODY1)]
    assert [f.doc_id for f in fails] == ["d1", "d1"]
    # the other articles under the id are reported as such, never merged
    assert all(f.reason == f"duplicate doc_id with a different text (first at {a}:1)" for f in fails)


def test_missing_unsupported_and_broken_files(tmp_path: Path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    gz = tmp_path / "cut.jsonl.gz"
    data = gzip.compress((jline(doc_id="z1", text=BODY1) * 1 + jline(doc_id="z2", text=BODY2 * 200)).encode())
    gz.write_bytes(data[: len(data) - 40])  # truncated archive
    notfeed = tmp_path / "sitemap.xml"
    notfeed.write_text("<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>", encoding="utf-8")
    badwarc = tmp_path / "bad.warc"
    badwarc.write_bytes(b"this is not a warc file\r\n\r\n")
    good = tmp_path / "good.txt"
    good.write_text(BODY1, encoding="utf-8")
    paths = [tmp_path / "nope.jsonl", tmp_path / "x.pdf", gz, notfeed, badwarc, good]
    docs, fails = split(iter_documents(paths))
    assert [d.doc_id for d in docs] == ["z1", "good"]
    reasons = [(f.doc_id, f.reason.split(":")[0]) for f in fails]
    assert reasons == [
        ("nope.jsonl", "no such file or directory"),
        ("x.pdf", "unsupported file type"),
        ("cut.jsonl.gz", "unreadable file"),
        ("sitemap.xml", "not a feed"),
        ("bad.warc", "unreadable file"),
    ]


def test_streaming_is_lazy(tmp_path: Path):
    p = tmp_path / "many.jsonl"
    with open(p, "w", encoding="utf-8") as fh:
        for i in range(1000):
            fh.write(jline(doc_id=f"n{i}", text=BODY1))
    it = iter_documents([p])
    first = next(it)
    assert first.doc_id == "n0"  # nothing forces the whole file to be read
    it.close()


# ---------------------------------------------------------------- fuzz


_line = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda i, t: json.dumps({"doc_id": f"h{i}", "text": t}).encode(),
        st.integers(0, 5),
        st.one_of(st.text(max_size=40), st.integers(), st.none()),
    ),
)


def _is_record_line(raw: bytes, first: bool) -> bool:
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1256", "replace")
    return bool(text.strip())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=12))
def test_fuzz_jsonl_one_item_per_record_line(tmp_path: Path, lines: list[bytes]):
    p = tmp_path / "fuzz.jsonl"
    clean = [x.replace(b"\n", b" ") for x in lines]
    if clean and clean[0].startswith((b"\xff\xfe", b"\xfe\xff")):
        clean[0] = b"x" + clean[0]  # keep the UTF-16 path out of this property
    p.write_bytes(b"".join(x + b"\n" for x in clean))
    items = list(iter_documents([p]))  # never raises
    assert len(items) == sum(_is_record_line(x, i == 0) for i, x in enumerate(clean))
    for it in items:
        if isinstance(it, Document):
            it.text.encode("utf-8")
        else:
            assert isinstance(it, Failure) and it.reason


def test_parquet_input(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({
        "doc_id": ["p1", "p2", None],
        "text": [BODY1, "", BODY3],
        "published": [date(2018, 4, 24), None, None],
        "title": [None, None, "عنوان"],
        "other": [1, 2, 3],
    })
    pq.write_table(table, tmp_path / "docs.parquet")
    docs, fails = split(iter_documents([tmp_path]))
    assert [(d.doc_id, d.published) for d in docs] == [("p1", date(2018, 4, 24)), ("docs.parquet:3", None)]
    assert docs[1].text == "عنوان\n\n" + BODY3
    assert [(f.doc_id, f.reason) for f in fails] == [("p2", "empty text")]


def test_iter_input_files(tmp_path: Path):
    from marsad.io.readers import iter_input_files

    (tmp_path / "d" / "e").mkdir(parents=True)
    for name in ("d/b.txt", "d/a.jsonl", "d/e/c.html", "d/x.pdf", "d/.h.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    got = list(iter_input_files([tmp_path / "d", "-", tmp_path / "missing.csv"]))
    assert got == [tmp_path / "d/a.jsonl", tmp_path / "d/b.txt", tmp_path / "d/e/c.html",
                   tmp_path / "missing.csv"]


# ---------------------------------------------------------------- bounded id bookkeeping


def test_id_index_spills_to_disk_and_stays_exact() -> None:
    from marsad.io.readers import IdIndex

    idx = IdIndex(memory_items=10)
    for i in range(35):
        idx[f"doc-{i}"] = f"src-{i}"
    assert idx._db is not None and len(idx._mem) < 10  # most entries are on disk now
    assert len(idx) == 35
    assert idx.get("doc-0") == "src-0" and idx.get("doc-34") == "src-34" and idx.get("doc-35") is None
    assert "doc-7" in idx and "doc-70" not in idx and 7 not in idx
    idx["doc-3"] = ""  # overwrite, with an empty value (still present)
    assert "doc-3" in idx and idx.get("doc-3") == "" and len(idx) == 35
    idx.close()
    assert "doc-0" not in idx and len(idx) == 0


def test_duplicates_found_after_the_ids_spill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import marsad.io.readers as readers

    monkeypatch.setattr(readers, "IdIndex", functools.partial(readers.IdIndex, memory_items=4))
    path = tmp_path / "many.jsonl"
    lines = [jline(doc_id=f"d{i}", text=BODY1) for i in range(20)] + [jline(doc_id="d2", text=BODY2)]
    path.write_text("".join(lines), encoding="utf-8")
    docs, fails = split(iter_documents([path]))
    assert len(docs) == 20
    assert [(f.doc_id, f.reason) for f in fails] == [
        ("d2", f"duplicate doc_id with a different text (first at {path}:3)")]
