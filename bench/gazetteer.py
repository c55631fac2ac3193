"""Gazetteer load time and lookup speed (the figures quoted in the README, issue 4).

    python bench/gazetteer.py [--docs ../shared/corpus/ant-me-2018.jsonl.gz] [--limit 1000]

Loads the shipped index and its prebuilt automaton in a fresh process (so nothing is cached),
then times exact key lookups (every key once, cold then warm) and, when a corpus is given,
place recognition (automaton scan + filters) and resolution per document.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--docs", help="a .jsonl[.gz] corpus for per-document timings")
    p.add_argument("--limit", type=int, default=1000)
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.places import automaton

    t1 = time.perf_counter()
    gaz = Gazetteer.load()
    t2 = time.perf_counter()
    automaton(gaz)
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    keys = list(gaz.keys())
    print(f"gazetteer: {len(gaz):,} places, {len(keys):,} keys")
    print(f"load: import {t1 - t0:.2f} s, index {t2 - t1:.2f} s, automaton {t3 - t2:.2f} s; RSS {rss:.0f} MB")

    random.Random(0).shuffle(keys)
    for label in ("cold", "warm"):
        t = time.perf_counter()
        hits = sum(len(gaz.lookup(k)) for k in keys)
        dt = time.perf_counter() - t
        print(f"lookup ({label}): {len(keys) / dt:,.0f} keys/s ({hits:,} candidates)")

    if args.docs:
        from marsad.geo.geocode import Geocoder
        from marsad.geo.places import find_places
        from marsad.io.readers import iter_documents
        from marsad.model import Document
        from marsad.pipeline import Pipeline

        stages = Pipeline.default(ner=False).stages
        upto = Pipeline([s for s in stages if s.name not in ("places", "geocode", "events")])
        geocoder = Geocoder(gaz)
        docs = itertools.islice(iter_documents([args.docs]), args.limit)
        analyses = [upto(d) for d in docs if isinstance(d, Document)]
        from dataclasses import replace

        t = time.perf_counter()
        found = [find_places(a, gazetteer=gaz) for a in analyses]
        t_find = time.perf_counter() - t
        with_places = [replace(a, mentions=a.mentions + tuple(m))
                       for a, m in zip(analyses, found, strict=True)]
        t = time.perf_counter()
        resolved = sum(len(geocoder.resolve(a)) for a in with_places)
        t_res = time.perf_counter() - t
        n = len(analyses)
        mentions = sum(len(m) for m in found)
        print(f"{n} documents: recognition {1000 * t_find / n:.2f} ms/doc ({mentions / n:.1f} mentions/doc, "
              f"{mentions / t_find:,.0f} mentions/s); resolution {1000 * t_res / n:.2f} ms/doc "
              f"({resolved:,} resolved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
