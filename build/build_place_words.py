"""List the gazetteer names that news text mostly uses as ordinary words (``place_common_words.tsv``).

Requires: ../shared/corpus (the 2018 ANT and 2015 SaudiNewsNet articles) and the shipped gazetteer.
Provides: ``src/marsad/data/place_common_words.tsv`` (``key<TAB>count<TAB>locative share``): one-word
gazetteer keys seen at least ``--min-count`` times whose occurrences follow a locative word ("في",
"مدينة", "ريف", "مطار" ... or a glued "ب") in under ``--max-share`` of cases: "كيف" (Kyiv), "فلاديمير",
"بولتون", "سالم", "يوميا" (Umeå). Place recognition keeps such a name only where a locative word
announces it ("مدينة سالم"). The file holds words and counts, no text.

Run: ``.venv/bin/python build/build_place_words.py [--shared ../shared]`` (deterministic, ~1 min).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.geo.gazetteer import Gazetteer  # noqa: E402
from marsad.text.normalise import normalise  # noqa: E402

CORPORA = ("ant-me-2018.jsonl.gz", "saudinewsnet-conflict-2015.jsonl.gz")
# words after which a place name comes (with their clitic forms)
LOCATIVE_WORDS = {p + w for p in ("", "و", "ب", "وب", "ل", "ف") for w in (
    "في", "الي", "قرب", "مدينه", "بلده", "قريه", "ريف", "محافظه", "حي", "احياء", "منطقه", "ناحيه", "مديريه",
    "قضاء", "ولايه", "مدينتي", "بلدتي", "بلدات", "قري", "مخيم", "مطار", "معبر", "قاعده", "سجن", "ميناء",
    "العاصمه", "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "اطراف", "محيط", "داخل")}
GLUED = ("ب", "وب", "فب")  # "بدمشق": a place after a glued preposition
WORD = re.compile(r"[\u0621-\u064a]+")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "marsad" / "data" / "place_common_words.tsv")
    ap.add_argument("--min-count", type=int, default=25)
    ap.add_argument("--max-share", type=float, default=0.05)
    args = ap.parse_args(argv)
    gazetteer = Gazetteer.load()
    keys = {k for k in gazetteer.keys() if " " not in k}  # noqa: SIM118 (a gazetteer, not a dict)
    seen: collections.Counter[str] = collections.Counter()
    local: collections.Counter[str] = collections.Counter()
    for name in CORPORA:
        with gzip.open(args.shared / "corpus" / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                toks = WORD.findall(normalise(f"{rec.get('title') or ''}\n{rec.get('text') or ''}")[0])
                prev = ""
                for tok in toks:
                    for pre in ("", *GLUED, "و", "ف", "ل", "لل"):
                        if tok.startswith(pre) and tok[len(pre):] in keys and len(tok) - len(pre) >= 2:
                            key = tok[len(pre):]
                            seen[key] += 1
                            if pre in GLUED or prev in LOCATIVE_WORDS:
                                local[key] += 1
                            break
                    prev = tok
    rows = []
    for key, n in seen.items():
        share = local[key] / n
        if n < args.min_count or share >= args.max_share:
            continue
        if any(p.feature in ("country", "admin1") for p in gazetteer.lookup(key)):
            continue  # country and province names are written bare ("السعودية", "كردستان")
        rows.append((key, n, share))
    rows.sort(key=lambda r: (-r[1], r[0]))
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("# gazetteer names used mostly as ordinary words in news text; "
                 "built by build/build_place_words.py\n")
        fh.write(f"# from {', '.join(CORPORA)}: count >= {args.min_count}, "
                 f"locative share < {args.max_share}\n")
        fh.write("key\tcount\tlocative_share\n")
        for key, n, share in rows:
            fh.write(f"{key}\t{n}\t{share:.3f}\n")
    print(f"{len(rows)} words written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
