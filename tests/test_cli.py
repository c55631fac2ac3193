"""The command line, end to end on hand-written inputs and the seed article."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marsad.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SEED_GOLD = FIXTURES / "seed_gold.jsonl"
DEMO = Path(__file__).resolve().parents[1] / "samples" / "demo.jsonl"


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_extract_seed_gives_one_battle_in_deir_ez_zor(tmp_path: Path) -> None:
    out = tmp_path / "seed.jsonl"
    assert main(["extract", str(SEED_GOLD), "-o", str(out), "-q"]) == 0
    events = _events(out)
    battles = [e for e in events if e["event_type"] == "Battles"]
    assert len(battles) == 1
    b = battles[0]
    assert b["sub_event_type"] == "Non-state actor overtakes territory"
    assert b["location"] == "Deir ez-Zor" and b["geo_precision"] == 1
    assert abs(b["latitude"] - 35.336) < 0.05 and abs(b["longitude"] - 40.141) < 0.05
    assert b["fatalities"] == 38
    assert {b["actor1"], b["actor2"]} == {"Islamic State", "Military Forces of Syria"}
    assert b["source"] == "Syrian Observatory for Human Rights"
    assert b["event_date"] in ("2015-12-23", "2015-12-24")
    assert sum(e["fatalities"] for e in events) == 38
    assert not any(e.get("location") == "Damascus" for e in events)
    text = json.loads(SEED_GOLD.read_text(encoding="utf-8"))["text"]
    for s, e in b["evidence"]:
        assert 0 <= s < e <= len(text)
    for field, (s, e) in b["provenance"].items():
        assert text[s:e], field


def test_eval_on_seed_is_perfect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(SEED_GOLD), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in ("event_f1", "actor_acc", "location_acc", "doc_fatalities_acc"):
        assert summary[key] == 1.0, key


def test_eval_errors_lists_spurious_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"doc_id": "seed-000", "event_type": "Protests",
                                "sub_event_type": "Peaceful protest",
                                "evidence": [[0, 10]], "confidence": 0.9}) + "\n", encoding="utf-8")
    assert main(["eval", str(SEED_GOLD), "--pred", str(pred), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "event_f1" in out and "missed gold events (1)" in out and "spurious predicted events (1)" in out


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".parquet"])
def test_extract_writes_every_format(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"demo{suffix}"
    assert main(["extract", str(DEMO), "-o", str(out), "-q"]) == 0
    assert out.exists() and out.stat().st_size > 0
    if suffix == ".geojson":
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection" and data["features"]


def test_extract_to_db_then_export(tmp_path: Path) -> None:
    db, out = tmp_path / "m.db", tmp_path / "again.jsonl"
    assert main(["extract", str(DEMO), "--db", str(db), "-q"]) == 0
    assert main(["extract", str(DEMO), "--db", str(db), "-q"]) == 0  # idempotent: same content, same rows
    assert main(["export", "--db", str(db), "-o", str(out)]) == 0
    events = _events(out)
    assert events
    assert len({e["event_id"] for e in events}) == len(events)


def test_bad_input_is_reported_and_the_run_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src = tmp_path / "bad.jsonl"
    good = {"doc_id": "ok-1", "published": "2018-03-05",
            "text": "قتل خمسة مدنيين أمس في غارة جوية على مدينة إدلب."}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"doc_id": "no-text"}),
        json.dumps({"doc_id": "empty", "text": "   "}),
        json.dumps({"doc_id": "huge", "text": "ا" * 3_000_001}),
        json.dumps({"doc_id": "ok-2", "text": "تظاهر مئات في البصرة اليوم."}, ensure_ascii=False),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(src), "-o", str(out), "-q"]) == 1  # some documents failed
    done = [json.loads(line) for line in (tmp_path / "out.jsonl.done").read_text().splitlines()]
    assert [d["doc_id"] for d in done if d["status"] == "ok"] == ["ok-1", "ok-2"]
    assert {d["doc_id"] for d in done if d["status"] == "failed"} >= {"no-text", "empty", "huge"}
    messages = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for doc_id in ("no-text", "empty", "huge"):
        assert sum(doc_id in m for m in messages) == 1, doc_id  # reported once, with its id
    caplog.clear()
    # resumed: nothing new, nothing reported twice
    assert main(["extract", str(src), "-o", str(out), "-q"]) == 0
    assert not [r for r in caplog.records if any(d in r.getMessage() for d in ("no-text", "empty", "huge"))]


def test_cp1256_and_utf16_inputs(tmp_path: Path) -> None:
    text = "قتل ثلاثة جنود في هجوم على حاجز في مدينة الموصل أمس."
    (tmp_path / "a.txt").write_bytes(text.encode("cp1256"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16"))
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(tmp_path), "-o", str(out), "-q"]) == 0
    done = [json.loads(line) for line in (tmp_path / "o.jsonl.done").read_text().splitlines()]
    # both decoded to the same text: the second copy is one source with the first, not written again
    assert [(d["doc_id"], d["status"]) for d in done] == [("a", "ok"), ("b", "duplicate")]


def test_killed_run_resumes_without_duplicates(tmp_path: Path) -> None:
    src = tmp_path / "many.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(1500):
            f.write(json.dumps({"doc_id": f"d{i}", "published": "2018-05-01",
                                "text": f"قتل {i % 9 + 1} مدنيين أمس في غارة جوية على مدينة إدلب. "
                                        "وقال المرصد السوري إن الطائرات الروسية شنت الغارة."},
                               ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "marsad", "extract", str(src), "-o", str(out), "-q"]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    done = tmp_path / "out.jsonl.done"
    deadline = time.time() + 60
    while time.time() < deadline and (not done.exists() or len(done.read_bytes().splitlines()) < 20):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert subprocess.run(cmd, check=False).returncode == 0
    ids = [json.loads(line)["doc_id"] for line in done.read_text().splitlines()]
    assert sorted(ids, key=lambda s: int(s[1:])) == [f"d{i}" for i in range(1500)]
    per_doc = {}
    for e in _events(out):
        per_doc.setdefault(e["doc_id"], set()).add(e["event_id"])
    counts = [json.loads(line)["events"] for line in done.read_text().splitlines()]
    assert sum(counts) == sum(len(v) for v in per_doc.values()) == len(_events(out))


def test_geocode_command_prints_the_choice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geocode", "قصفت الطائرات مدينة دير الزور شرق سوريا"]) == 0
    assert "Deir ez-Zor" in capsys.readouterr().out


def test_ner_command_round_trip(tmp_path: Path) -> None:
    src, out = tmp_path / "in.conll", tmp_path / "out.conll"
    src.write_text("زار\tO\nبشار\tB-PERS\nدمشق\tB-LOC\n\nقال\tO\n", encoding="utf-8")
    assert main(["ner", str(src), str(out)]) == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("زار\t") and lines[3] == "" and lines[4].startswith("قال\t")


def test_python_dash_m_and_version() -> None:
    r = subprocess.run([sys.executable, "-m", "marsad", "--version"], capture_output=True, text=True,
                       check=False)
    assert r.returncode == 0 and "marsad" in r.stdout
