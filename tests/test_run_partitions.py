"""Partitions: byte-range cuts at record boundaries, read back exactly as the whole file reads.

Every test compares the items of all partitions, in plan order, with what
``iter_documents`` yields over the whole input: same documents, ids, failure reasons and
sources, in the same order. Inputs are synthetic (``marsad.synthetic.synthetic_report``).
"""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.io.readers import iter_documents
from marsad.model import Document
from marsad.run.partitions import (
    Partition,
    gzip_member_at_or_after,
    jsonl_ranges,
    parse_size,
    partition_items,
    plan_partitions,
    warc_record_starts,
)
from marsad.synthetic import write_synthetic_warc

warcio = pytest.importorskip("warcio")


def _key(item: object) -> tuple:
    if isinstance(item, Document):
        return ("doc", item.doc_id, item.text, item.published, item.title, item.outlet, item.url)
    return ("fail", item.doc_id, item.reason, item.source)  # type: ignore[attr-defined]


def whole(path: Path) -> list[tuple]:
    return [_key(x) for x in iter_documents([path])]


def by_parts(plan: list[Partition]) -> list[tuple]:
    return [_key(x) for part in plan for x in partition_items(part)]


def record_offsets(path: Path) -> list[int]:
    """Where warcio finds each record (the ground truth for cuts)."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with open(path, "rb") as fb:
        records = ArchiveIterator(fb)
        for _ in records:
            out.append(records.get_record_offset())
    return out


def test_parse_size() -> None:
    assert parse_size("64MB") == 64_000_000
    assert parse_size("64 mb") == parse_size("64M") == 64_000_000
    assert parse_size("1.5GB") == 1_500_000_000
    assert parse_size("512KiB") == 512 * 1024
    assert parse_size("1000") == parse_size(1000) == 1000
    for bad in ("", "MB", "12 parsecs", "-5MB", "0", 0, True):
        with pytest.raises(ValueError):
            parse_size(bad)


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_cut_at_record_starts(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    pages = write_synthetic_warc(path, 300_000, page_padding=3000, noise=1000, seed=3)
    plan = plan_partitions([path], "40KB")
    assert len(plan) >= 5 and {p.kind for p in plan} == {"warc"}
    offsets = set(record_offsets(path))
    assert plan[0].start == 0 and plan[-1].stop == path.stat().st_size
    for a, b in zip(plan, plan[1:], strict=False):
        assert a.stop == b.start and b.start in offsets
        assert b.start - a.start >= 40_000
        assert not any(a.start + 40_000 <= o < b.start for o in offsets)  # the first record after 40 KB
    expected = whole(path)
    assert sum(k[0] == "doc" for k in expected) == pages
    assert by_parts(plan) == expected
    assert plan_partitions([path], "40KB") == plan


def _record(kind: str, uri: str, payload: bytes, extra: bytes = b"") -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" if kind == "response" else b""
    block = http + payload
    return (b"WARC/1.0\r\nWARC-Type: " + kind.encode() + b"\r\nWARC-Target-URI: " + uri.encode()
            + b"\r\nWARC-Record-ID: <urn:uuid:" + uri.encode() + b">\r\nWARC-Date: 2018-05-01T10:00:00Z\r\n"
            + b"Content-Type: application/http; msgtype=response\r\nContent-Length: "
            + str(len(block)).encode() + b"\r\n\r\n" + block + b"\r\n\r\n" + extra)


def _html(i: int) -> bytes:
    return (f"<html><body><article><p>قصفت طائرات حربية بلدة قرب حلب يوم {i} وقتل {i % 9 + 1} مدنيين."
            "</p></article></body></html>").encode()


def test_plain_warc_walk_is_exact(tmp_path: Path) -> None:
    """A payload that holds a whole WARC record, extra blank lines: the walk stays on warcio's records."""
    fake = _record("response", "https://fake.example/inner", b"<html>inner</html>")
    parts = []
    for i in range(30):
        payload = _html(i) + (b"<pre>" + fake + b"</pre>" if i % 4 == 0 else b"")
        parts.append(_record("response", f"https://example.org/{i}", payload,
                             b"\r\n\r\n" if i % 5 == 0 else b""))
    path = tmp_path / "odd.warc"
    path.write_bytes(b"".join(parts))
    assert list(warc_record_starts(path)) == record_offsets(path)
    plan = plan_partitions([path], "2KB")
    assert len(plan) > 5
    assert by_parts(plan) == whole(path)
    assert not any("fake.example" in k[1] for k in whole(path))


def test_damaged_warc_is_read_as_the_whole_file_reads_it(tmp_path: Path) -> None:
    """A wrong Content-Length stops the cutting there; the rest reads as one partition."""
    parts = [_record("response", f"https://example.org/{i}", _html(i)) for i in range(20)]
    parts[12] = parts[12].replace(b"Content-Length: ", b"Content-Length: 9")  # far too long
    path = tmp_path / "damaged.warc"
    path.write_bytes(b"".join(parts))
    plan = plan_partitions([path], "1KB")
    assert len(plan) >= 4 and plan[-1].start <= sum(len(p) for p in parts[:12])
    assert by_parts(plan) == whole(path)


def test_truncated_warc_gz(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    write_synthetic_warc(path, 120_000, page_padding=3000, noise=500, seed=4)
    path.write_bytes(path.read_bytes()[:-700])  # the last member is cut short
    plan = plan_partitions([path], "20KB")
    assert len(plan) > 3
    assert by_parts(plan) == whole(path)  # (warcio ends a truncated gzip member quietly)


def test_single_stream_gzip_is_one_partition(tmp_path: Path) -> None:
    plain = tmp_path / "a.warc"
    write_synthetic_warc(plain, 60_000, page_padding=2000, noise=0, seed=5)
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    plan = plan_partitions([path], "5KB")
    assert [p.kind for p in plan] == ["file"]
    assert by_parts(plan) == whole(path)


def test_gzip_resync_skips_false_headers() -> None:
    """Magic bytes in junk, and a gzip member that is not a WARC record, are passed over."""
    member = gzip.compress(_record("response", "https://example.org/x", _html(1)))
    rng = random.Random(0)
    junk = rng.randbytes(3000) + b"\x1f\x8b\x08\x00" + rng.randbytes(500) + gzip.compress(b"hello world")
    data = junk + member + member
    assert gzip_member_at_or_after(io.BytesIO(data), 10) == len(junk)
    assert gzip_member_at_or_after(io.BytesIO(data), len(junk) + 1) == len(junk) + len(member)
    assert gzip_member_at_or_after(io.BytesIO(data), len(data) - 5) is None


def _brute_jsonl_ranges(data: bytes, size: int) -> list[tuple[int, int, int]]:
    """The cutting rule, spelled out: a range ends at the first line end >= ``size`` bytes in."""
    out, start_byte, start_line, line = [], 0, 0, 0
    for i, b in enumerate(data):
        if b == 0x0A:
            line += 1
            if i + 1 - start_byte >= size:
                out.append((start_line, line, start_byte))
                start_byte, start_line = i + 1, line
    if data and not data.endswith(b"\n"):
        line += 1
    if line > start_line:
        out.append((start_line, line, start_byte))
    return out


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"x")), max_size=40),
       trailing=st.booleans(), size=st.integers(1, 300))
def test_jsonl_ranges_rule(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], trailing: bool,
                           size: int) -> None:
    data = b"\n".join(lines) + (b"\n" if trailing and lines else b"")
    path = tmp_path_factory.mktemp("j") / "x.jsonl"
    path.write_bytes(data)
    assert list(jsonl_ranges(path, size)) == _brute_jsonl_ranges(data, size)


def test_jsonl_ranges_across_scan_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marsad.run.partitions as parts

    monkeypatch.setattr(parts, "_CHUNK", 7)  # lines and cuts straddle many chunk borders
    rng = random.Random(1)
    data = b"".join(b"y" * rng.randint(0, 30) + b"\n" for _ in range(200)) + b"tail"
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    for size in (1, 5, 33, 100, 10_000):
        assert list(jsonl_ranges(path, size)) == _brute_jsonl_ranges(data, size)


def test_jsonl_partitions_read_like_the_whole_file(tmp_path: Path) -> None:
    """Fallback ids, failures and an oversized line keep their line numbers in every partition."""
    rng = random.Random(2)
    lines = []
    for i in range(120):
        rec = {"doc_id": f"d{i}", "text": f"هاجم مسلحون حاجزا في درعا وقتل {i} جنود. " * rng.randint(1, 4)}
        if i % 17 == 0:
            rec.pop("doc_id")
        lines.append(json.dumps(rec, ensure_ascii=False))
    lines[30] = "{broken"
    lines[31] = ""
    lines[50] = json.dumps({"doc_id": "big", "text": "ح" * 3000}, ensure_ascii=False)
    # duplicate in a later partition
    lines[77] = json.dumps({"doc_id": "d3", "text": "مكرر"}, ensure_ascii=False)
    for name, write in (("docs.jsonl", Path.write_bytes), ("docs.jsonl.gz", None)):
        path = tmp_path / name
        data = ("\ufeff" + "\n".join(lines)).encode("utf-8")  # a BOM, and no final newline
        if write is None:
            path.write_bytes(gzip.compress(data))
        else:
            write(path, data)
        plan = plan_partitions([path], "2KB")
        assert len(plan) > 10 and {p.kind for p in plan} == {"jsonl"}
        items = [_key(x) for part in plan for x in partition_items(part, max_chars=1000)]
        expected = [_key(x) for x in iter_documents([path], max_chars=1000)]
        # duplicates across partitions are the merge's to drop: here d3 appears twice
        assert [k for k in items if k[1] != "d3"] == [k for k in expected if k[1] != "d3"]
        assert ("fail", f"{name}:31", ) == _key_head(expected, f"{name}:31")
        assert any(k[0] == "fail" and k[1] == "big" and "too large" in k[2] for k in items)


def _key_head(keys: list[tuple], doc_id: str) -> tuple:
    return next(k[:2] for k in keys if k[1] == doc_id)
