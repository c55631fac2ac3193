"""Faults (issue 17, part 6) and exit codes (issue 15, part 5).

The store and the outputs survive a read-only database file, a database in a read-only folder and
a full disk: the command stops with a clear error naming the path and exit code 3, the database
passes ``PRAGMA integrity_check``, and the same command run again (once the fault is gone) resumes
with nothing lost or duplicated. Exit codes: 0 ok (empty documents are reported, not failures), 1
some documents could not be read or processed (``--strict``: empty ones too), 2 usage or input
error, 3 store or output fault.

Read-only files are made with ``chattr +i`` when the tests run as root (root ignores permission
bits) and with ``chmod`` otherwise; the full disk is an injected ``ENOSPC`` and, where the tests may
mount, a small tmpfs. Each skips cleanly where its tool is missing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.cli import main
from marsad.io import writers

TOWNS = ["حلب", "إدلب", "سراقب", "دوما", "حرستا", "درعا", "حمص", "الرقة", "منبج", "الموصل", "تعز", "عدن"]


def reports(path: Path, n: int, *, size: int = 1) -> Path:
    """``n`` short reports written for these tests (``size`` repeats each one's sentence)."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            town = TOWNS[i % len(TOWNS)]
            text = " ".join([f"قتل {i % 9 + 2} مدنيين أمس في غارة جوية على مدينة {town} في يوم {i}."] * size)
            f.write(json.dumps({"doc_id": f"r{i:03d}", "published": "2018-03-05", "text": text},
                               ensure_ascii=False) + "\n")
    return path


def integrity(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def stored(db: Path) -> tuple[list[str], list[str]]:
    """The stored documents' ids and the events' ids, sorted."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        docs = sorted(r[0] for r in conn.execute("SELECT doc_id FROM documents"))
        events = sorted(r[0] for r in conn.execute("SELECT event_id FROM events"))
    return docs, events


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) cannot be written while inside the block."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                             capture_output=True).returncode:
            pytest.skip("root here, and chattr +i does not work on this filesystem")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def _args(src: Path, **extra: str) -> list[str]:
    args = ["extract", str(src), "--no-ner", "-q"]
    for k, v in extra.items():
        args += [f"--{k}", v]
    return args


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str], bytes]:
    """A clean run over 30 reports: what every run after a fault must end up with."""
    tmp = tmp_path_factory.mktemp("ref")
    src = reports(tmp / "in.jsonl", 30)
    assert main(_args(src, db=str(tmp / "ref.db"), output=str(tmp / "ref.jsonl"))) == 0
    docs, events = stored(tmp / "ref.db")
    assert len(docs) == 30 and events
    return src, docs, events, (tmp / "ref.jsonl").read_bytes()


def test_a_read_only_database_file(tmp_path: Path, reference, capsys: pytest.CaptureFixture[str]) -> None:
    src, docs, events, _ = reference
    db = tmp_path / "ev.db"
    assert main(_args(src, db=str(db))) == 0
    capsys.readouterr()
    with read_only(db):
        assert main(_args(src, db=str(db))) == 3
    err = capsys.readouterr().err
    assert str(db) in err and "Traceback" not in err
    assert integrity(db) == "ok"
    assert main(_args(src, db=str(db))) == 0  # writable again: the same command goes on
    assert stored(db) == (docs, events)  # nothing lost, nothing twice


def test_a_database_in_a_read_only_folder(tmp_path: Path, reference,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    src, docs, events, _ = reference
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only(folder):
        assert main(_args(src, db=str(folder / "new.db"))) == 3  # cannot even be created
    err = capsys.readouterr().err
    assert str(folder / "new.db") in err and "Traceback" not in err
    assert not (folder / "new.db").exists()
    assert main(_args(src, db=str(folder / "ev.db"))) == 0
    capsys.readouterr()
    with read_only(folder):
        code = main(_args(src, db=str(folder / "ev.db")))
    # SQLite needs its folder for the journal: the run stops, or (where it can write in place) succeeds
    assert code in (0, 3)
    if code == 3:
        assert str(folder / "ev.db") in capsys.readouterr().err
    assert integrity(folder / "ev.db") == "ok"
    assert main(_args(src, db=str(folder / "ev.db"))) == 0
    assert stored(folder / "ev.db") == (docs, events)


def test_a_full_disk_under_the_output(tmp_path: Path, reference, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """ENOSPC from the 12th document on (injected where the output is flushed); then space again."""
    src, docs, events, ref_out = reference
    out, db = tmp_path / "out.jsonl", tmp_path / "ev.db"
    real_flush = writers._StreamWriter.flush
    calls = {"n": 0}

    def full(self: writers._StreamWriter, fsync: bool = False) -> None:
        calls["n"] += 1
        if calls["n"] >= 12:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_flush(self, fsync)

    monkeypatch.setattr(writers._StreamWriter, "flush", full)
    assert main(_args(src, db=str(db), output=str(out))) == 3
    err = capsys.readouterr().err
    assert str(out) in err and "No space left" in err and "Traceback" not in err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)  # no half-written line
    monkeypatch.setattr(writers._StreamWriter, "flush", real_flush)
    assert main(_args(src, db=str(db), output=str(out))) == 0
    assert out.read_bytes() == ref_out  # resumed: every event once, in order
    assert integrity(db) == "ok" and stored(db) == (docs, events)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 400 KB tmpfs (needs root and the right to mount: skipped elsewhere)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_for_real(tmp_path: Path, small_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = reports(tmp_path / "in.jsonl", 80, size=8)
    db, out = small_disk / "ev.db", small_disk / "out.jsonl"
    code = main(_args(src, db=str(db), output=str(out)))
    assert code == 3, "the disk did not fill"
    err = capsys.readouterr().err
    assert str(small_disk) in err and "Traceback" not in err
    assert integrity(db) == "ok"
    subprocess.run(["mount", "-o", "remount,size=20m", str(small_disk)], check=True)  # space again
    assert main(_args(src, db=str(db), output=str(out))) == 0
    assert main(_args(src, db=str(tmp_path / "ref.db"), output=str(tmp_path / "ref.jsonl"))) == 0
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert integrity(db) == "ok" and stored(db) == stored(tmp_path / "ref.db")


def test_export_of_a_missing_store_creates_nothing(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(tmp_path / "typo.db"), "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "typo.db" in capsys.readouterr().err
    assert not (tmp_path / "typo.db").exists() and not (tmp_path / "x.jsonl").exists()


# ------------------------------------------------------------------ exit codes (issue 15, part 5)


def test_empty_documents_are_reported_but_do_not_fail_the_run(tmp_path: Path, caplog) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"doc_id": "ok", "text": "قتل خمسة مدنيين أمس في غارة جوية على مدينة إدلب."},
                   ensure_ascii=False),
        json.dumps({"doc_id": "blank", "text": "  \n "}),
        json.dumps({"doc_id": "short", "text": "."}),
    ]) + "\n", encoding="utf-8")
    assert main(_args(src, output=str(tmp_path / "a.jsonl"), db=str(tmp_path / "a.db"))) == 0
    assert any("blank" in r.getMessage() and "empty text" in r.getMessage() for r in caplog.records)
    with contextlib.closing(sqlite3.connect(tmp_path / "a.db")) as conn:  # stored with its reason
        assert conn.execute("SELECT doc_id, reason FROM failures").fetchall() == [("blank", "empty text")]
    assert main([*_args(src, output=str(tmp_path / "b.jsonl")), "--strict"]) == 1  # the old behaviour
    with src.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    assert main(_args(src, output=str(tmp_path / "c.jsonl"))) == 1  # unreadable input fails the run
    assert main(["extract", str(tmp_path / "missing-dir" / "x.unknown"), "-q"]) == 2  # usage: no output


def test_duplicate_ids_with_different_texts_are_reported_not_merged(tmp_path: Path, caplog) -> None:
    src = tmp_path / "in.jsonl"
    first = "قتل خمسة مدنيين أمس في غارة جوية على مدينة إدلب."
    src.write_text("\n".join(json.dumps({"doc_id": "d", "text": t}, ensure_ascii=False)
                             for t in (first, "اشتباكات عنيفة في درعا أمس.", first)) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(_args(src, output=str(out))) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert sum("duplicate doc_id with a different text" in m for m in messages) == 1
    assert sum("duplicate doc_id (first at" in m for m in messages) == 1
    done = [json.loads(line) for line in (tmp_path / "o.jsonl.done").read_text().splitlines()]
    assert [d["status"] for d in done] == ["ok", "failed", "failed"]
    assert {e["doc_id"] for e in map(json.loads, out.read_text(encoding="utf-8").splitlines())} == {"d"}


def test_every_guarantee_names_a_test_that_exists() -> None:
    """The README's Guarantees table: each promise points at tests that are in the suite."""
    import re

    root = Path(__file__).resolve().parents[1]
    section = ((root / "README.md").read_text(encoding="utf-8")
               .split("## Guarantees", 1)[1].split("\n## ", 1)[0])
    rows = [line for line in section.splitlines() if line.startswith("| ") and "::" in line]
    assert len(rows) >= 12
    for row in rows:
        current = None
        for ref in re.findall(r"(tests/\S+\.py)?::(\w+)", row.split("|")[2]):
            current = ref[0] or current
            assert current and f"def {ref[1]}(" in (root / current).read_text(encoding="utf-8"), ref
