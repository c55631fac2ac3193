"""Time and peak memory of the pipeline on pathological documents (issue 17, part 3).

Each shape of the issue is built at 10 KB, 100 KB and 1 MB (characters) and run through the
extraction pipeline (``Pipeline.default(events_only=True)``, as ``marsad extract`` runs it) in a
subprocess of its own, so that the peak resident memory (``resource.getrusage``) is that one
document's. The script fails (exit 1) when a document is over the targets (10 s and 500 MB at
1 MB) or when growth is super-linear: from 100 KB to 1 MB the time may grow by at most
``--max-ratio`` (default 25, ten times the size with a generous allowance for noise and the
n log n of sorting) once it is above half a second.

    python bench/pathological.py                    # every shape, 10 KB / 100 KB / 1 MB
    python bench/pathological.py --sizes 10000,100000 --shapes dense_towns,town_lists

The shapes are built from words written for this script (no article text); ``shape(name, n)``
is imported by tests/test_bounded.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable

# real town names (written here from general knowledge: the gazetteer knows them all)
TOWNS = ["حلب", "إدلب", "سراقب", "دوما", "حرستا", "عربين", "درعا", "حمص", "حماة", "الرقة", "منبج",
         "الباب", "عفرين", "جرابلس", "تدمر", "القامشلي", "الحسكة", "اللاذقية", "طرطوس", "معرة النعمان",
         "خان شيخون", "جسر الشغور", "أريحا", "بنش", "تفتناز", "الأتارب", "دارة عزة", "داريا", "زملكا",
         "جوبر", "كفر بطنا", "سقبا", "حمورية", "مسرابا", "الموصل", "تكريت", "الفلوجة", "الرمادي",
         "بعقوبة", "كركوك", "صنعاء", "تعز", "عدن", "الحديدة", "صعدة", "مأرب", "بنغازي", "درنة", "سرت"]
REPORT = "قتل خمسة مدنيين وأصيب عشرة آخرون أمس في غارة جوية على بلدة سراقب في ريف إدلب الشرقي. "
EVENT_WORDS = ["قتل", "غارة", "قصف", "اشتباكات", "انفجار", "مقتل", "هجوم", "استهدف", "سيطرت", "مظاهرة"]


def _fill(unit: Callable[[int], str], n: int) -> str:
    parts: list[str] = []
    size = i = 0
    while size < n:
        s = unit(i)
        parts.append(s)
        size += len(s)
        i += 1
    return "".join(parts)[:n]


def _random_unit(alphabet: str, seed: int) -> Callable[[int], str]:
    rng = random.Random(seed)
    return lambda i: "".join(rng.choice(alphabet) for _ in range(64))


SHAPES: dict[str, Callable[[int], str]] = {
    # dense event sentences with varying towns
    "dense_towns": lambda n: _fill(lambda i: f"قتل {i % 9 + 2} مدنيين في غارة على "
                                             f"{TOWNS[i % len(TOWNS)]}. ", n),
    # "قتل 3 ... بين X و Y و Z ..." lists of real town names
    "town_lists": lambda n: _fill(lambda i: (f"قتل 3 مدنيين في قصف بين {TOWNS[i % 49]} و "
                                             f"{TOWNS[(i + 7) % 49]} و "
                                             f"{TOWNS[(i + 19) % 49]} و {TOWNS[(i + 31) % 49]} "), n),
    # dense event text with NUL characters inside
    "nul_dense": lambda n: _fill(lambda i: f"قتل\x00 {i % 9 + 2} مدنيين\x00في غارة على "
                                           f"{TOWNS[i % 49]}\x00. ", n),
    # one ordinary 100-character report repeated (a long live blog)
    "repeated_report": lambda n: _fill(lambda i: REPORT, n),
    "qutila": lambda n: _fill(lambda i: "قتل ", n),
    # one sentence (no full stop) dense with event words, places and numbers
    "one_sentence": lambda n: _fill(lambda i: (f"{EVENT_WORDS[i % 10]} {i % 50 + 1} من عناصر قوات النظام "
                                               f"في {TOWNS[i % 49]} و"), n),
    "long_words": lambda n: _fill(lambda i: "قتل" * 2000 + " ", n),
    "digit_runs": lambda n: _fill(lambda i: "قتل " + "9" * 500 + " ٣٤٥٦٧٨٩" * 20 + " مدنيا ", n),
    "punctuation": lambda n: _fill(lambda i: "قتل،.؛!؟…" * 10 + " ", n),
    "rtl_marks": lambda n: _fill(lambda i: "\u200fقتل\u200f \u202b5\u202c مدنيين"
                                           "\u200e\u2067 في حلب\u2069. ", n),
    "diacritics": lambda n: _fill(lambda i: "قَُِّْتَُِّْلَُِّْ" + "\u0651" * 40 + " مدنيين في حلب. ", n),
    "surrogates": lambda n: _fill(lambda i: "قتل \ud800 5 \udfff مدنيين في \U0001f4a5 حلب. ", n),
    "repeated_articles": lambda n: _fill(lambda i: (f"قوات النظام تقصف {TOWNS[i % 49]}\n\n"
                                                    + REPORT * 3 + "\n\n"), n),
    "random_arabic": lambda n: _fill(_random_unit("قتلغارةحلب ٠١٢٣.،\n", 7), n),
}


def shape(name: str, n: int) -> str:
    """The pathological document ``name`` with ``n`` characters."""
    return SHAPES[name](n)


def run_one(name: str, n: int, budget: float | None) -> dict[str, object]:
    """Run one document in this process: seconds, peak RSS, events, whether the budget cut it."""
    from marsad.model import Document
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.default(events_only=True, **({"time_budget": budget} if budget else {}))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    doc = Document(f"{name}-{n}", shape(name, n))
    t0 = time.perf_counter()
    [analysis] = pipeline.run_batch([doc])
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    failed = isinstance(analysis, Exception)
    return {"shape": name, "chars": n, "seconds": round(seconds, 3), "peak_mb": round(peak, 1),
            "loaded_mb": round(base, 1), "events": 0 if failed else len(analysis.events),
            "failure": f"{type(analysis).__name__}: {analysis}"[:120] if failed else None,
            "capped": 0 if failed else sum(1 for d in analysis.drops if d.reason.startswith("cap:"))}


def measure(name: str, n: int, budget: float | None) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--one", name, str(n)]
    if budget is not None:
        cmd += ["--time-budget", str(budget)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return {"shape": name, "chars": n, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--max-seconds", type=float, default=10.0, help="per document (of up to 1 MB)")
    ap.add_argument("--max-mb", type=float, default=500.0, help="peak RSS of the process")
    ap.add_argument("--max-ratio", type=float, default=25.0, help="time growth allowed for 10x the size")
    ap.add_argument("--time-budget", type=float, default=None,
                    help="the pipeline's time budget (default: none, to measure the work itself)")
    ap.add_argument("--json", help="also write the rows here")
    ap.add_argument("--one", nargs=2, metavar=("SHAPE", "CHARS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    budget = args.time_budget if args.time_budget is not None else 0.0  # 0: no budget
    if args.one:
        sys.stdout.write(json.dumps(run_one(args.one[0], int(args.one[1]), budget)) + "\n")
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, problems = [], []
    sys.stdout.write(f"| shape | {' | '.join(_label(n) for n in sizes)} |\n|---|{'---|' * len(sizes)}\n")
    for name in args.shapes.split(","):
        cells, times = [], {}
        for n in sizes:
            row = measure(name, n, budget)
            rows.append(row)
            if "error" in row:
                problems.append(f"{name} {n}: {row['error']}")
                cells.append("error")
                continue
            times[n] = float(row["seconds"])  # type: ignore[arg-type]
            cells.append(f"{row['seconds']:.2f} s, {row['peak_mb']:.0f} MB")
            if row["failure"]:
                problems.append(f"{name} {n}: {row['failure']}")
            if row["seconds"] > args.max_seconds or row["peak_mb"] > args.max_mb:  # type: ignore[operator]
                problems.append(f"{name} {n}: over target ({row['seconds']} s, {row['peak_mb']} MB)")
        for small, big in zip(sizes, sizes[1:], strict=False):
            if small in times and big in times and times[big] > 0.5:
                ratio = times[big] / max(times[small], 0.01)
                if ratio > args.max_ratio * (big / small) / 10:
                    problems.append(f"{name}: super-linear, x{ratio:.0f} from {small} to {big} characters")
        sys.stdout.write(f"| {name} | {' | '.join(cells)} |\n")
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)
    for p in problems:
        sys.stdout.write(f"PROBLEM {p}\n")
    return 1 if problems else 0


def _label(n: int) -> str:
    return f"{n // 1_000_000} MB" if n >= 1_000_000 else f"{n // 1000} KB"


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    sys.exit(main())
