"""A long fuzzing campaign over the whole extraction pipeline (issue 17, part 4).

Each input is a document built at random from conflict vocabulary, real town and actor words,
numbers in every digit script (and number words), punctuation, control and bidi characters, lone
surrogates and random code points, with a random title and a random ``published`` value (dates in
and out of the calendar, numbers of any size, strings, nothing). Documents go through
``Pipeline.default(events_only=True)`` as ``marsad extract`` runs them, 64 at a time, and every
result is checked: no exception (a crash), every event record JSON- and UTF-8-writable with its
spans inside the text. Input ``i`` is rebuilt from ``--seed`` and ``i`` alone, so a crash can be
replayed with ``--replay I``.

    nice -n 19 python bench/fuzz_campaign.py --inputs 1000000 --out out/fuzz
    python bench/fuzz_campaign.py --replay 12345 --seed 17

It prints a progress line every ``--every`` inputs and writes ``summary.json`` (inputs tried,
crashes, budget stops, the slowest input by processor time) and ``crashes.jsonl`` (each crashing input with
its traceback) to ``--out``. Exit 1 when any input crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Any

WORDS = ["قتل", "مقتل", "قتلى", "غارة", "غارات", "قصف", "اشتباكات", "انفجار", "عبوة ناسفة", "هجوم", "استهدف",
         "سيطرت", "مظاهرة", "احتجاج", "اعتقال", "جرح", "أصيب", "مدنيين", "عناصر", "قوات النظام", "الجيش",
         "تنظيم داعش", "المعارضة", "الحوثيين", "التحالف", "طائرات روسية", "المرصد السوري", "أمس", "اليوم",
         "الاثنين", "الجمعة", "صباح", "الماضي", "منذ", "حصيلة", "ارتفع", "لا", "لم", "يخشى", "أن", "بين", "و",
         "في", "على", "من", "ريف", "مدينة", "بلدة", "حي", "محافظة", "شمال", "جنوب", "قرب", "عشرة", "خمسة",
         "ثلاثة", "مئة", "ألف", "عشرات", "نحو", "حوالي", "يناير", "آذار", "2018", "عام", "قبل", "بعد"]
TOWNS = ["حلب", "إدلب", "سراقب", "دوما", "حرستا", "عربين", "درعا", "حمص", "الرقة", "دير الزور", "الموصل",
         "صنعاء", "تعز", "عدن", "بنغازي", "غزة", "بيروت", "دمشق", "بغداد", "الحديدة", "صعدة", "مأرب"]
DIGITS = ["0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "０１２３４５６７８９", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"]
PUNCT = list(".،,؛;:!?؟…-–—()[]«»\"'/\\%٪+*=")
CONTROL = [chr(c) for c in range(0, 32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe"]
BIDI = ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
        "\u2068", "\u2069", "\u200c", "\u200d", "\u0640"]
MARKS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "\u06e1"]


def _number(rng: random.Random) -> str:
    digits = rng.choice(DIGITS)
    n = rng.choice([1, 1, 2, 3, 4, 8, 20, 400])
    s = "".join(rng.choice(digits) for _ in range(n))
    return s if rng.random() < 0.8 else s + rng.choice([".", ",", "٫", "٬"]) + rng.choice(digits)


def _fragment(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return rng.choice(WORDS)
    if r < 0.58:
        return rng.choice(TOWNS)
    if r < 0.70:
        return _number(rng)
    if r < 0.78:
        return rng.choice(PUNCT)
    if r < 0.83:
        return rng.choice(CONTROL)
    if r < 0.88:
        return rng.choice(BIDI)
    if r < 0.91:
        return rng.choice(WORDS) + "".join(rng.choice(MARKS) for _ in range(rng.randint(1, 12)))
    if r < 0.94:
        return chr(rng.randint(0xD800, 0xDFFF))  # a lone surrogate
    if r < 0.98:
        return chr(rng.randint(1, 0x10FFFF))
    return "\n" * rng.randint(1, 3)


def _published(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.3:
        return None
    if r < 0.55:
        return date.fromordinal(rng.randint(1, date.max.toordinal())).isoformat()
    if r < 0.7:
        return rng.choice(["0001-01-01", "9999-12-31", "2018-02-30", "2018-13-01", "yesterday", "", " ",
                           "2018-03-05T10:00:00Z", "٢٠١٨-٠٣-٠٥", "1e309", "NaN", "-1"])
    if r < 0.85:
        return rng.choice([rng.randint(-10**6, 10**6), 10**309 - 1, -(10**40), 1.5e308, float("inf")])
    return f"{rng.randint(-50, 12000)}-{rng.randint(-5, 40):02d}-{rng.randint(-5, 40):02d}"


def make_input(seed: int, i: int) -> dict[str, Any]:
    """Input ``i`` of the campaign with ``seed``: ``{"text", "title", "published", "doc_id"}``."""
    rng = random.Random(seed * 1_000_003 + i)
    n = rng.choice([1, 3, 10, 30, 100, 300])
    text = " ".join(_fragment(rng) for _ in range(rng.randint(1, n)))
    title = " ".join(_fragment(rng) for _ in range(rng.randint(1, 8))) if rng.random() < 0.3 else None
    # ids too may hold anything (a newline, a surrogate, an escape)
    doc_id = f"fuzz-{i}" if rng.random() < 0.8 else f"fuzz-{i}-" + _fragment(rng)
    return {"text": text, "title": title, "published": _published(rng), "doc_id": doc_id}


def check_record(rec: dict[str, Any], n: int) -> None:
    """The record must be writable as UTF-8 JSON and its spans must lie inside the text."""
    json.dumps(rec, ensure_ascii=False).encode("utf-8")
    for spans in (rec.get("provenance") or {}).values():
        for s, e in ([spans] if spans and isinstance(spans[0], int) else spans or []):
            if not 0 <= s <= e <= n:
                raise AssertionError(f"span {s}:{e} outside a text of {n} characters")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--start", type=int, default=0, help="first input index (to go on with a campaign)")
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--every", type=int, default=10_000, help="progress line every N inputs")
    ap.add_argument("--out", default="out/fuzz")
    ap.add_argument("--replay", type=int, help="run input I alone and show its result")
    args = ap.parse_args(argv)

    from marsad.model import Document
    from marsad.pipeline import Pipeline
    from marsad.recognise.dates import check_published

    pipeline = Pipeline.default(events_only=True)

    def document(i: int) -> Document:
        inp = make_input(args.seed, i)
        published, _ = check_published(inp["published"])
        return Document.from_parts(inp["doc_id"], inp["text"], published, inp["title"])

    if args.replay is not None:
        sys.stdout.write(json.dumps(make_input(args.seed, args.replay), default=str) + "\n")
        for e in pipeline(document(args.replay)).events:
            sys.stdout.write(json.dumps(e.to_record()) + "\n")
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    crashes_path = out / "crashes.jsonl"
    stats = {"seed": args.seed, "first": args.start, "inputs": 0, "crashes": 0, "budget_stops": 0,
             "events": 0, "slowest_cpu_seconds": 0.0, "slowest_input": None, "slowest_chars": 0,
             "slowest_wall_seconds": 0.0, "seconds": 0.0}
    t_start = time.perf_counter()
    i = args.start
    end = args.start + args.inputs
    with open(crashes_path, "a", encoding="utf-8") as crashes:
        while i < end and not (args.seconds and time.perf_counter() - t_start > args.seconds):
            batch = [document(k) for k in range(i, min(i + 64, end))]
            for k, doc in enumerate(batch, i):  # one at a time, to time each (run_batch keeps the budget)
                t0, c0 = time.perf_counter(), time.thread_time()
                [result] = pipeline.run_batch([doc])
                took, cpu = time.perf_counter() - t0, time.thread_time() - c0
                # processor time: under nice -n 19 on a shared machine the wall clock measures the others
                if cpu > stats["slowest_cpu_seconds"]:
                    stats["slowest_cpu_seconds"], stats["slowest_input"] = round(cpu, 3), k
                    stats["slowest_chars"] = len(doc.text)
                stats["slowest_wall_seconds"] = max(stats["slowest_wall_seconds"], round(took, 3))
                problem = None
                if isinstance(result, Exception):
                    if type(result).__name__ == "TimeBudgetExceeded":
                        stats["budget_stops"] += 1
                    else:
                        problem = "".join(traceback.format_exception(result))
                else:
                    try:
                        for e in result.events:
                            check_record(e.to_record(), len(doc.text))
                        stats["events"] += len(result.events)
                    except Exception:  # noqa: BLE001 — every problem is a finding
                        problem = traceback.format_exc()
                if problem is not None:
                    stats["crashes"] += 1
                    crashes.write(json.dumps({"input": k, "seed": args.seed, "error": problem},
                                             ensure_ascii=False) + "\n")
                    crashes.flush()
            i += len(batch)
            stats["inputs"] = i - args.start
            if stats["inputs"] % args.every < len(batch) or i >= end:
                stats["seconds"] = round(time.perf_counter() - t_start, 1)
                sys.stdout.write(json.dumps(stats) + "\n")
                sys.stdout.flush()
                (out / "summary.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    stats["seconds"] = round(time.perf_counter() - t_start, 1)
    (out / "summary.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    sys.stdout.write(json.dumps(stats) + "\n")
    return 1 if stats["crashes"] else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    sys.exit(main())
