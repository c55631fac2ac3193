"""Write annotations/heldout_twins.tsv: the sample's training articles that repeat a held-out article.

    python build/heldout_twins.py [--shared ../shared]

Every training article of ``annotations/sample.tsv`` (coded or not yet) is compared with every
held-out article (:func:`marsad.annotations.twins.find_twins`); each twin found is a row, and the
training scripts leave those articles out. Run it after a new wave is drawn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.annotations.corpus import ANNOTATIONS, SHARED, load_articles, read_heldout, read_sample  # noqa: E402
from marsad.annotations.twins import find_twins, write_twins  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    ap.add_argument("--shared", type=Path, default=SHARED)
    args = ap.parse_args(argv)
    heldout = set(read_heldout(args.annotations))
    ids = set(read_sample(args.annotations))
    docs = load_articles(ids, args.shared)
    twins = find_twins({i: d.text for i, d in docs.items() if i not in heldout},
                       {i: d.text for i, d in docs.items() if i in heldout})
    path = write_twins(twins, args.annotations)
    print(f"{len(twins)} training articles repeat a held-out article: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
