"""Load test of the review desk: N simulated reviewers on 127.0.0.1 for a bounded time.

    python bench/review_load.py                       # SQLite, 50 reviewers, 30 s
    python bench/review_load.py --db postgresql       # a throwaway PostgreSQL cluster
    python bench/review_load.py --reviewers 50 --seconds 60 --json out/review_load.json

The desk runs in its own process (uvicorn, one worker, as ``marsad serve --db`` runs it) over a
fresh database seeded with synthetic reports (written here, no corpus text). Each reviewer
logs in, then until the time is up: reads a page of the queue (60%), opens an article (20%)
or saves an edit of an event (20%) with the version it last saw; a 409 conflict (another
reviewer saved first) is answered as a person would: reload the event's version and save
again. Between actions a reviewer thinks for a random 0.2-1.0 s (``--think``; real reviewers
take longer). Afterwards every edit the server acknowledged is looked up in the versions
table: none may be missing (lost) or present twice (duplicated), and no version row may
exist that the server did not acknowledge. Exit code 1 when p95 >= 200 ms or an edit was
lost or duplicated.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from marsad.review.auth import hash_password
from marsad.review.db import Desk
from marsad.review.pgtemp import TempCluster, free_port

PASSWORD = "load test password"
PLACES = [("كفرنبل", "Kafr Nabl", "Idlib"), ("سراقب", "Saraqib", "Idlib"), ("دوما", "Douma", "Rif Dimashq"),
          ("درعا", "Daraa", "Daraa"), ("منبج", "Manbij", "Aleppo")]
#: reviewers logging in at once (people arrive over minutes; 50 argon2 checks at once are 3 GB)
LOGINS = threading.BoundedSemaphore(4)
NUMBERS = ["ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية"]


def seed(desk: Desk, docs: int, reviewers: int) -> None:
    """Synthetic two-sentence reports, two machine events each, and the reviewers' accounts."""
    rng = random.Random(16)
    for i in range(docs):
        ar, en, adm = rng.choice(PLACES)
        num = rng.choice(NUMBERS)
        text = (f"قتل {num} مدنيين أمس في قصف جوي على بلدة {ar}، بحسب المرصد السوري لحقوق الإنسان. "
                f"واندلعت اشتباكات عنيفة قرب {ar} بين فصائل المعارضة وقوات النظام.")
        doc = {"doc_id": f"load-{i:04d}", "text": text, "published": "2018-03-05"}
        first = text.index(".")
        events = []
        for k, (etype, sub, span) in enumerate((
                ("Explosions/Remote violence", "Air/drone strike", (0, first)),
                ("Battles", "Armed clash", (first + 2, len(text) - 1)))):
            events.append({"doc_id": doc["doc_id"], "event_id": f"load-{i:04d}:{k}",
                           "event_date": "2018-03-04",
                           "time_precision": 1, "event_type": etype, "sub_event_type": sub,
                           "actor1": None, "actor2": "Civilians (Syria)", "country": "SY", "admin1": adm,
                           "location": en, "latitude": 35.6, "longitude": 36.6, "geo_precision": 1,
                           "fatalities": rng.randint(0, 30), "source": "Syrian Observatory for Human Rights",
                           "notes": "", "tags": [], "evidence": [list(span)],
                           "confidence": round(rng.random(), 3),
                           "provenance": {"location": [text.index(ar), text.index(ar) + len(ar)]}})
        desk.import_records(doc, events)
    hashed = hash_password(PASSWORD)  # one hash for all (argon2 is slow on purpose; the logins verify it)
    for r in range(reviewers):
        desk.add_user(f"r{r:02d}", hashed, "reviewer")


class Reviewer(threading.Thread):
    def __init__(self, base: str, name: str, doc_ids: list[str], seconds: float, think: tuple[float, float],
                 seed_: int, ready: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.base, self.name, self.doc_ids, self.seconds, self.think = base, name, doc_ids, seconds, think
        self.ready = ready
        self.rng = random.Random(seed_)
        self.latency: dict[str, list[float]] = {"queue": [], "article": [], "edit": [], "version": []}
        self.acked: list[tuple[str, int, str]] = []  # (event_id, version, notes) the server acknowledged
        self.conflicts = 0
        self.errors: list[str] = []

    def timed(self, kind: str, method: str, url: str, **kw: Any) -> httpx.Response:
        t0 = time.perf_counter()
        r = self.client.request(method, url, **kw)
        self.latency[kind].append(time.perf_counter() - t0)
        return r

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=120) as self.client:
            token = None
            try:
                with LOGINS:
                    token = self.login()
            except Exception as exc:  # noqa: BLE001 - a reviewer who cannot log in is a failure to report
                self.errors.append(f"{self.name} could not log in: {exc!r}")
            self.ready.wait()  # everyone logged in (argon2 is slow on purpose): now the clock runs
            if token is None:
                return
            try:
                self.work(token)
            except Exception as exc:  # noqa: BLE001 - a reviewer that stops is a failure to report
                self.errors.append(f"{self.name} stopped: {exc!r}")

    def login(self) -> str:
        page = self.client.get("/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        r = self.client.post("/login", data={"name": self.name, "password": PASSWORD, "csrf": token},
                             follow_redirects=True)
        found = re.search(r'name="csrf-token" content="([^"]+)"', r.text)
        if r.status_code != 200 or found is None:
            raise RuntimeError(f"login answered {r.status_code}")
        return found.group(1)

    def work(self, token: str) -> None:
        until = time.monotonic() + self.seconds
        time.sleep(self.rng.uniform(0, self.think[1]))  # people do not all click in the same millisecond
        versions: dict[str, int] = {}
        n = 0
        while time.monotonic() < until:
            roll = self.rng.random()
            doc = self.rng.choice(self.doc_ids)
            if roll < 0.6:
                r = self.timed("queue", "GET", "/",
                               params={"state": "pending", "page": self.rng.randint(0, 3)})
            elif roll < 0.8:
                r = self.timed("article", "GET", f"/doc/{doc}")
            else:
                event_id = f"{doc}:{self.rng.randint(0, 1)}"
                n += 1
                notes = f"{self.name}-{n}"
                for _ in range(5):
                    version = versions.get(event_id, 1)
                    r = self.timed("edit", "POST", f"/event/edit/{event_id}",
                                   json={"version": version, "changes": {"notes": notes}},
                                   headers={"X-CSRF-Token": token})
                    if r.status_code != 409:
                        break
                    self.conflicts += 1  # someone saved first: reload the version, save again
                    h = self.timed("version", "GET", f"/event/history/{event_id}",
                                   headers={"Accept": "application/json"})
                    versions[event_id] = h.json()[-1]["version"]
                if r.status_code == 200:
                    versions[event_id] = r.json()["version"]
                    self.acked.append((event_id, versions[event_id], notes))
            if r.status_code not in (200, 409):
                self.errors.append(f"{r.request.method} {r.request.url.path}: {r.status_code}")
            time.sleep(self.rng.uniform(*self.think))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_load(db: str, reviewers: int = 50, seconds: float = 30, docs: int = 200,
             think: tuple[float, float] = (0.2, 1.0)) -> dict[str, Any]:
    """Seed ``db``, start the desk on it, run the reviewers, check the versions; the figures."""
    desk = Desk.open(db)
    seed(desk, docs, reviewers)
    desk.close()
    port = free_port()
    code = ("import uvicorn, sys; from marsad.review.app import create_desk_app; "
            "uvicorn.run(create_desk_app(sys.argv[1], api=False), host='127.0.0.1', port=int(sys.argv[2]),"
            " log_level='warning')")
    server = subprocess.Popen([sys.executable, "-c", code, db, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the desk did not start") from None
                time.sleep(0.1)
        doc_ids = [f"load-{i:04d}" for i in range(docs)]
        ready = threading.Barrier(reviewers + 1, timeout=300)
        crowd = [Reviewer(base, f"r{r:02d}", doc_ids, seconds, think, r, ready) for r in range(reviewers)]
        for c in crowd:
            c.start()
        ready.wait()
        t0 = time.monotonic()
        for c in crowd:
            c.join(seconds + 120)
        elapsed = time.monotonic() - t0
    finally:
        server.terminate()
        server.wait(20)
    lat = {k: [x for c in crowd for x in c.latency[k]] for k in ("queue", "article", "edit", "version")}
    every = [x for v in lat.values() for x in v]
    acked = [a for c in crowd for a in c.acked]
    desk = Desk.open(db)
    rows = desk.rows("SELECT event_id, version, username, after FROM review_event_versions "
                     "WHERE action = 'edit'")
    desk.close()
    stored: dict[tuple[str, int], tuple[str, str]] = {}
    duplicated = 0
    for event_id, version, user, after in rows:
        if (event_id, version) in stored:
            duplicated += 1
        stored[(event_id, int(version))] = (user, json.loads(after).get("notes"))
    lost = [a for a in acked if stored.get((a[0], a[1]), (None, None))[1] != a[2]]
    unacked = len(stored) - (len(acked) - len(lost))
    return {
        "database": "postgresql" if db.startswith("postgresql") else "sqlite", "reviewers": reviewers,
        "seconds": round(elapsed, 1), "think_s": list(think), "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(1000 * percentile(every, 0.5), 1), "p95_ms": round(1000 * percentile(every, 0.95), 1),
        "p99_ms": round(1000 * percentile(every, 0.99), 1),
        "p95_ms_by_kind": {k: round(1000 * percentile(v, 0.95), 1) for k, v in lat.items()},
        "requests_by_kind": {k: len(v) for k, v in lat.items()},
        "edits_acknowledged": len(acked), "edits_stored": len(stored),
        "conflicts_409": sum(c.conflicts for c in crowd),
        "lost_edits": len(lost), "duplicated_edits": duplicated, "unacknowledged_stored": unacked,
        "errors": [e for c in crowd for e in c.errors][:20],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="sqlite", help="'sqlite' (a temporary file), 'postgresql' (a throwaway "
                   "cluster) or a database to seed (SQLite path or postgresql:// URL; use an empty one)")
    p.add_argument("--reviewers", type=int, default=50)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--docs", type=int, default=200)
    p.add_argument("--think", type=float, nargs=2, default=(0.2, 1.0), metavar=("MIN", "MAX"))
    p.add_argument("--json", help="also write the figures here")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="marsad-load-") as tmp:
        if args.db == "postgresql":
            with TempCluster() as pg:
                out = run_load(pg.create_db("load"), args.reviewers, args.seconds, args.docs,
                               tuple(args.think))
        else:
            db = str(Path(tmp) / "desk.db") if args.db == "sqlite" else args.db
            out = run_load(db, args.reviewers, args.seconds, args.docs, tuple(args.think))
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    ok = out["requests"] > 0 and out["p95_ms"] < 200 and not out["lost_edits"] \
        and not out["duplicated_edits"] and not out["unacknowledged_stored"] and not out["errors"]
    print(f"p95 {out['p95_ms']} ms, {out['edits_acknowledged']} edits acknowledged, "
          f"{out['lost_edits']} lost, {out['duplicated_edits']} duplicated: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
