"""Checkpoint: resumable .jsonl/.csv outputs survive SIGKILL without duplicates or gaps."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from marsad.errors import CheckpointError
from marsad.io.writers import read_events
from marsad.model import Event
from marsad.store import Checkpoint, content_hash, done_path_for


def ev(doc_id: str, j: int) -> Event:
    return Event(doc_id=doc_id, event_id=f"{doc_id}-{j}", event_type="Battles", sub_event_type="Armed clash",
                 location_text="حمص", notes="اشتباك")


def test_basic_and_reopen(tmp_path: Path):
    out = tmp_path / "ev.jsonl"
    with Checkpoint(out) as ck:
        assert ck.write_document("a", [ev("a", 0), ev("a", 1)], content_hash("A")) == 2
        ck.write_document("b", [], content_hash("B"), status="failed")
    assert done_path_for(out).exists()
    with Checkpoint(out, resume=True) as ck:
        assert ck.resumed == 2
        assert ck.is_done("a") and ck.is_done("b", content_hash("B")) and not ck.is_done("c")
        assert not ck.is_done("c", content_hash("A"))  # same text, other id: not done
        ck.write_document("c", [ev("c", 0)])
    assert [r["event_id"] for r in read_events(out)] == ["a-0", "a-1", "c-0"]
    with Checkpoint(out, resume=False) as ck:  # start afresh
        assert ck.done_count == 0
    assert out.read_bytes() == b"" and done_path_for(out).read_bytes() == b""


def test_uncommitted_events_and_partial_lines_are_dropped(tmp_path: Path):
    out = tmp_path / "ev.jsonl"
    with Checkpoint(out) as ck:
        ck.write_document("a", [ev("a", 0)])
    # a crash after writing events of "b" (one partial line) but before committing it
    with open(out, "ab") as fh:
        fh.write((json.dumps(ev("b", 0).to_record()) + "\n").encode() + b'{"doc_id": "b", "eve')
    with open(done_path_for(out), "ab") as fh:
        fh.write(b'{"doc_id": "b", "ha')  # partial done line
    with Checkpoint(out) as ck:
        assert not ck.is_done("b")
        ck.write_document("b", [ev("b", 0), ev("b", 1)])
    assert [r["event_id"] for r in read_events(out)] == ["a-0", "b-0", "b-1"]
    assert len(done_path_for(out).read_text(encoding="utf-8").splitlines()) == 2


def test_close_discards_unfinished_document(tmp_path: Path):
    out = tmp_path / "ev.csv"
    with Checkpoint(out) as ck:
        ck.write_document("a", [ev("a", 0)])
        ck.writer.write(ev("b", 0))  # never committed
    assert [r["event_id"] for r in read_events(out)] == ["a-0"]


def test_refuses_foreign_or_inconsistent_output(tmp_path: Path):
    out = tmp_path / "ev.jsonl"
    out.write_text('{"doc_id": "x"}\n', encoding="utf-8")
    with pytest.raises(CheckpointError, match="does not"):
        Checkpoint(out, resume=True)
    with Checkpoint(out, resume=False) as ck:
        ck.write_document("a", [ev("a", 0)])
    out.write_bytes(b"")  # output shrank behind the checkpoint's back
    with pytest.raises(CheckpointError, match="modified"):
        Checkpoint(out)
    with pytest.raises(CheckpointError, match="jsonl or .csv"):
        Checkpoint(tmp_path / "ev.geojson", resume=False)


RUNNER = textwrap.dedent(
    """
    import sys, time
    from marsad.model import Event
    from marsad.store import Checkpoint, content_hash

    out, n, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    with Checkpoint(out, resume=True) as ck:
        for i in range(n):
            doc_id = f"doc{i:03d}"
            h = content_hash("text of " + doc_id)
            if ck.is_done(doc_id, h):
                continue
            for j in range(i % 4):  # 0..3 events, written slowly, one flush each
                ck.writer.write(Event(doc_id=doc_id, event_id=f"{doc_id}-{j}", event_type="Battles",
                                      sub_event_type="Armed clash", notes="حدث " * 50))
                ck.writer.flush()
                time.sleep(delay)
            time.sleep(delay)
            ck.commit(doc_id, h, events=i % 4)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("ext", [".jsonl", ".csv"])
def test_sigkill_and_resume(tmp_path: Path, ext: str):
    script = tmp_path / "runner.py"
    script.write_text(RUNNER, encoding="utf-8")
    out = tmp_path / f"events{ext}"
    n = 60
    rng = random.Random(11)
    kills = 0
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, str(script), str(out), str(n), "0.02"])
        time.sleep(rng.uniform(0.15, 0.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 3
    subprocess.run([sys.executable, str(script), str(out), str(n), "0"], check=True, timeout=120)

    ids = [r["event_id"] for r in read_events(out)]
    want = [f"doc{i:03d}-{j}" for i in range(n) for j in range(i % 4)]
    assert ids == want  # every document once, complete, in order
    done = [json.loads(x)["doc_id"] for x in done_path_for(out).read_text(encoding="utf-8").splitlines()]
    assert done == [f"doc{i:03d}" for i in range(n)]
    if ext == ".csv":
        assert out.read_text(encoding="utf-8").count("doc_id,event_id") == 1


def test_resume_with_many_done_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Beyond the in-memory limit the done ids go to a temporary file; resuming still skips them all."""
    import functools

    import marsad.store.checkpoint as checkpoint

    monkeypatch.setattr(checkpoint, "IdIndex", functools.partial(checkpoint.IdIndex, memory_items=5))
    out = tmp_path / "ev.jsonl"
    with Checkpoint(out, fsync=False) as ck:
        for i in range(23):
            ck.write_document(f"d{i}", [ev(f"d{i}", 0)], content_hash(str(i)))
        assert ck.done_count == 23
    with Checkpoint(out, resume=True, fsync=False) as ck:
        assert ck.resumed == 23 and ck.done_count == 23
        assert all(ck.is_done(f"d{i}") for i in range(23)) and not ck.is_done("d23")
        ck.write_document("d23", [ev("d23", 0)])
    assert [r["doc_id"] for r in read_events(out)] == [f"d{i}" for i in range(24)]
