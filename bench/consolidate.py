"""Time consolidating a whole store afresh, and compare fatalities by governorate before and after.

    python bench/consolidate.py ev.db [--countries SY YE] [--json out/consolidate.json]

The store is copied to a temporary file, its incidents are dropped, and every event is
consolidated again in this process (one core): the time, the peak memory of the process, the
events and incidents, and the fatalities by country and admin1 summed over the events (before)
and over the incidents (after) are printed as a Markdown table. The store itself is not changed.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from marsad.consolidate import consolidate
from marsad.store.sqlite import Store


def by_admin1(conn: sqlite3.Connection, table: str,
              countries: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    marks = ", ".join("?" * len(countries))
    rows = conn.execute(f"SELECT country, COALESCE(NULLIF(admin1, ''), '(none)'), SUM(fatalities), COUNT(*)"
                        f" FROM {table} WHERE country IN ({marks}) GROUP BY 1, 2", countries)
    return {(c, a): (int(f or 0), int(n)) for c, a, f, n in rows}


def run(db: Path, countries: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        src = sqlite3.connect(str(db))
        dst = sqlite3.connect(str(copy))
        src.backup(dst)  # a consistent copy even of a store in WAL mode
        src.close()
        dst.close()
        with Store.open(copy) as store:
            store.conn.execute("DELETE FROM incidents")
            store.conn.execute("DELETE FROM incident_members")
            before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            t0 = time.perf_counter()
            result = consolidate(store)
            seconds = time.perf_counter() - t0
            events = store.stats()["events"]
            before = by_admin1(store.conn, "events", countries)
            after = by_admin1(store.conn, "incidents", countries)
    return {"seconds": round(seconds, 2), "events": events, "incidents": result.incidents,
            "peak_rss_mb_before": round(before_rss / 1024), "peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "by_admin1": [{"country": c, "admin1": a, "fatalities_events": before[(c, a)][0],
                           "events": before[(c, a)][1], "fatalities_incidents": after.get((c, a), (0, 0))[0],
                           "incidents": after.get((c, a), (0, 0))[1]} for c, a in sorted(before)]}


def table(res: dict) -> str:
    lines = [f"consolidated {res['events']} events into {res['incidents']} incidents in {res['seconds']} s "
             f"(one core; peak RSS {res['peak_rss_mb']} MB, "
             f"{res['peak_rss_mb_before']} MB before consolidating)",
             "", "| country | admin1 | events | fatalities (events) | incidents "
                 "| fatalities (incidents) | change |",
             "|---|---|---|---|---|---|---|"]
    totals: dict[str, list[int]] = {}
    for r in res["by_admin1"]:
        t = totals.setdefault(r["country"], [0, 0, 0, 0])
        for i, k in enumerate(("events", "fatalities_events", "incidents", "fatalities_incidents")):
            t[i] += r[k]
        if r["fatalities_events"]:
            change = (r["fatalities_incidents"] - r["fatalities_events"]) / r["fatalities_events"]
            lines.append(f"| {r['country']} | {r['admin1']} | {r['events']} | {r['fatalities_events']} | "
                         f"{r['incidents']} | {r['fatalities_incidents']} | {change:+.0%} |")
    for c, (ne, fe, ni, fi) in sorted(totals.items()):
        lines.append(f"| **{c}** | all | {ne} | {fe} | {ni} | {fi} | {(fi - fe) / fe if fe else 0:+.0%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db")
    p.add_argument("--countries", nargs="+", default=["SY", "YE"])
    p.add_argument("--json", help="also write the figures here")
    args = p.parse_args(argv)
    if not Path(args.db).exists():
        p.error(f"{args.db} not found")
    res = run(Path(args.db), args.countries)
    print(table(res))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
