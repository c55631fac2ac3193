"""``marsad watch`` on a local feed: corpus articles served as an RSS feed of pages on 127.0.0.1.

    python bench/watch_feed.py ../shared/corpus/ant-me-2018.jsonl.gz --limit 200

Takes the first ``--limit`` articles of the corpus that are in the annotation pool and not in the
held-out split, serves them as one RSS feed whose entries carry only a summary (so every article
is fetched as an HTML page and extracted with trafilatura, as from a news site), and times three
polls of one Watcher: the first (everything new), a second with nothing new, and a third after
``--added`` more entries appear in the feed. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from marsad.watch import FetchSettings, Watcher, WatchSettings

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT.parent / "shared" / "train" / "pool_ids.txt.gz"
HELDOUT = ROOT / "annotations" / "heldout.txt"


def articles(corpus: Path, n: int) -> list[dict[str, Any]]:
    with gzip.open(POOL, "rt", encoding="utf-8") as fh:
        pool = {line.strip() for line in fh}
    heldout = set(HELDOUT.read_text(encoding="utf-8").split())
    out = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["doc_id"] in pool and d["doc_id"] not in heldout and d.get("text", "").strip():
                out.append(d)
                if len(out) == n:
                    break
    return out


def page(d: dict[str, Any]) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in d["text"].split("\n") if p.strip())
    title = html.escape(d.get("title") or "")
    return (f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{d.get("published") or ""}"></head>'
            f"<body><nav>الرئيسية</nav><article><h1>{title}</h1>{paras}</article></body></html>").encode()


def feed(base: str, docs: list[dict[str, Any]]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(d.get('title') or '')}</title><link>{base}/a/{i}</link>"
        f"<guid>{base}/a/{i}</guid><description>{html.escape(d['text'][:120])}</description></item>"
        for i, d in enumerate(docs))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>{items}' \
           "</channel></rss>".encode()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--limit", type=int, default=200, help="articles in the feed at the first poll")
    p.add_argument("--added", type=int, default=20, help="articles added before the third poll")
    args = p.parse_args(argv)
    docs = articles(args.corpus, args.limit + args.added)
    routes: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *a: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    for i, d in enumerate(docs):
        routes[f"/a/{i}"] = page(d)
    routes["/feed.xml"] = feed(base, docs[: args.limit])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = WatchSettings(fetch=FetchSettings(timeout=10))
        t0 = time.perf_counter()
        with Watcher([base + "/feed.xml"], Path(tmp) / "w.db", alerts=Path(tmp) / "a.jsonl",
                     settings=settings) as w:
            _ = w.pipeline  # loaded before the clock starts for the polls
            load = time.perf_counter() - t0
            for label in ("first poll", "nothing new", f"{args.added} added"):
                if label.endswith("added"):
                    routes["/feed.xml"] = feed(base, docs)
                r = w.poll()
                results.append((label, r))
                print(f"{label:12s} {r.format()}  ({r.documents / r.seconds if r.seconds else 0:.1f} docs/s)")
    httpd.shutdown()
    print(f"pipeline load {load:.1f} s; {len(docs)} pool articles (held-out split excluded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
