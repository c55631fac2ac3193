"""Throughput benchmark of marsad (a thin wrapper around :func:`marsad.bench.run_benchmark`).

    python bench/bench.py ../shared/corpus/ant-me-2018.jsonl.gz --limit 3000 --workers 2 --json out/bench.json
    python bench/bench.py ../shared/corpus/ant-me-2018.jsonl.gz --limit 1000 --profile out/profile.html
"""

from __future__ import annotations

import argparse
import logging
import sys

from marsad.bench import profile_pipeline, run_benchmark


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", help="corpus files (.jsonl[.gz], ...)")
    p.add_argument("--limit", type=int, default=2000, help="documents to process (default 2000)")
    p.add_argument("--workers", type=int, default=1, help="also measure N worker processes (N > 1)")
    p.add_argument("--json", help="write the numbers here as JSON")
    p.add_argument("--no-ner", action="store_true", help="benchmark without the NER stage")
    p.add_argument("--no-cold-start", action="store_true", help="skip the fresh-interpreter measurement")
    p.add_argument("--repeat", type=int, default=3,
                   help="1-worker passes (the median is reported; default 3)")
    p.add_argument("--profile", metavar="HTML", help="instead: profile the pipeline with pyinstrument "
                   "(text to stdout, HTML report here)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.profile:
        print(profile_pipeline(args.inputs, limit=args.limit, ner=not args.no_ner, html_path=args.profile))
        return 0
    print(run_benchmark(args.inputs, limit=args.limit, json_path=args.json, workers=args.workers,
                        ner=not args.no_ner, with_cold_start=not args.no_cold_start, repeat=args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
