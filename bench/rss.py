"""Peak and running memory of a command's process tree (main process and workers).

    python bench/rss.py --json out/rss-local.json -- marsad extract big.warc.gz -o out/ev.jsonl -q
    python bench/rss.py --json out/rss-dask.json -- marsad extract big.warc.gz -o out/ev.parquet \\
        --executor dask --workers 2 -q
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from marsad.bench import format_rss, sample_rss


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--interval", type=float, default=0.5, help="seconds between samples (default 0.5)")
    p.add_argument("--json", help="also write the numbers and the series here")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ...")
    args = p.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        p.error("give a command after --")
    result = sample_rss(command, args.interval)
    print(format_rss(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result) + "\n", encoding="utf-8")
    return result["returncode"]


if __name__ == "__main__":
    sys.exit(main())
