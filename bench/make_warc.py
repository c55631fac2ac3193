"""Write a synthetic WARC of templated Arabic reports (for memory and scale measurements).

    python bench/make_warc.py out/big.warc.gz --size 1GB
    python bench/make_warc.py out/big.warc --size 1GB --noise 10000
    python bench/make_warc.py /tmp/real.warc.gz --size 1GB --from-jsonl ../shared/corpus/ant-me-2018.jsonl.gz

The reports are marsad's own templates (``marsad.synthetic.synthetic_report``), each in a news
page with navigation, scripts and an inline image of ``--noise`` random bytes, so that a
``.warc.gz`` compresses about as much as a real news crawl. ``--from-jsonl`` takes the
articles of a corpus file instead (cycled until the size is reached), for measurements with
a real vocabulary; write such files outside the repository (they hold third-party texts).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from marsad.run.partitions import parse_size
from marsad.synthetic import write_synthetic_warc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("output", help="a .warc or .warc.gz path")
    p.add_argument("--size", default="1GB", help="about this many bytes (default 1GB)")
    p.add_argument("--padding", type=int, default=20_000, help="bytes of page furniture per page")
    p.add_argument("--noise", type=int, default=30_000, help="random bytes (base64) per page")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--from-jsonl", metavar="CORPUS", help="use the articles of this .jsonl[.gz] file")
    args = p.parse_args(argv)
    reports = None
    if args.from_jsonl:
        path = Path(args.from_jsonl)

        def reports() -> Iterator[dict]:
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)

    t0 = time.perf_counter()
    pages = write_synthetic_warc(args.output, parse_size(args.size), seed=args.seed,
                                 page_padding=args.padding, noise=args.noise, reports=reports)
    print(f"{args.output}: {pages} pages in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
