"""Load on the HTTP endpoint: N clients on 127.0.0.1 for a bounded time (issue 17, part 7).

Starts ``marsad serve --workers W`` on a free port (or uses ``--url``), waits for ``/health``, then
runs ``--clients`` clients for ``--seconds``: each posts a typical article (short Arabic reports
written for this script, 150-400 characters), waits for the reply, then thinks for a random time
around ``--think`` seconds (a closed loop with no think time measures only the queue: 50 clients
back to back wait for each other whatever the speed). It prints requests, replies by status,
requests/s and the latency percentiles, and fails (exit 1) when the 95th percentile is over
``--p95`` milliseconds or any reply is not a 200.

    python bench/load_http.py --workers 2 --clients 50 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ARTICLES = [
    "قتل خمسة مدنيين وأصيب عشرة آخرون أمس في غارة جوية على بلدة سراقب في ريف إدلب الشرقي، "
    "بحسب المرصد السوري لحقوق الإنسان.",
    "اندلعت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة على أطراف مدينة درعا صباح اليوم، "
    "وأسفرت عن مقتل ثلاثة عناصر من قوات النظام.",
    "انفجرت عبوة ناسفة بسيارة عسكرية في مدينة الموصل مساء الاثنين، ما أدى إلى مقتل جنديين عراقيين "
    "وإصابة أربعة آخرين، وفق مصدر أمني.",
    "تظاهر مئات المواطنين في مدينة البصرة اليوم احتجاجا على انقطاع الكهرباء وتردي الخدمات، "
    "وأغلقوا الطريق المؤدي إلى ميناء أم قصر.",
    "قصفت مدفعية الحوثيين أحياء سكنية في مدينة تعز أمس، ما أسفر عن مقتل طفلين وإصابة امرأة، "
    "بحسب مصادر طبية في المدينة.",
    "أعلن الجيش الليبي سيطرته على منطقة الصابري في مدينة بنغازي بعد معارك استمرت أسابيع مع "
    "مجموعات مسلحة.",
    "شنت طائرات التحالف غارات على مواقع في محافظة صعدة، وقال سكان إن الغارات استهدفت مخزنا للأسلحة.",
    "ناقش وزير الخارجية مع نظيره التركي في أنقرة سبل تعزيز التعاون الاقتصادي بين البلدين.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def client(http, url: str, until: float, think: float, rng: random.Random, lat: list[float],
                 status: Counter) -> None:
    while time.perf_counter() < until:
        body = {"text": rng.choice(ARTICLES), "published": "2018-03-05", "doc_id": f"load-{rng.random():.6f}"}
        t0 = time.perf_counter()
        try:
            r = await http.post(url + "/extract", json=body)
            status[r.status_code] += 1
        except Exception as exc:  # noqa: BLE001 — every failed request is counted
            status[type(exc).__name__] += 1
        lat.append(time.perf_counter() - t0)
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def load(url: str, clients: int, seconds: float, think: float) -> tuple[list[float], Counter, float]:
    import httpx

    lat: list[float] = []
    status: Counter = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        t0 = time.perf_counter()
        until = t0 + seconds
        await asyncio.gather(*(client(http, url, until, think, random.Random(i), lat, status)
                               for i in range(clients)))
        return lat, status, time.perf_counter() - t0


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float = 120) -> None:
    import httpx

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode})")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not answer /health")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="an already running server (default: start one)")
    ap.add_argument("--workers", type=int, default=2, help="server processes (marsad serve --workers)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean seconds between a reply and the next request")
    ap.add_argument("--p95", type=float, default=200.0, help="target, milliseconds")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    proc = None
    url = args.url
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        marsad = Path(sys.executable).with_name("marsad")
        cmd = [str(marsad)] if marsad.exists() else [sys.executable, "-m", "marsad"]
        proc = subprocess.Popen([*cmd, "serve", "--port", str(port), "--workers", str(args.workers)])
    try:
        wait_healthy(url, proc)
        asyncio.run(load(url, min(args.clients, 4), 3, args.think))  # warm every worker up
        lat, status, took = asyncio.run(load(url, args.clients, args.seconds, args.think))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    lat.sort()
    ms = [x * 1000 for x in lat]

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(p / 100 * len(ms)))] if ms else float("nan")

    figures = {"workers": args.workers, "clients": args.clients, "seconds": round(took, 1),
               "think": args.think,
               "requests": len(ms), "requests_per_s": round(len(ms) / took, 1),
               "status": {str(k): v for k, v in status.items()},
               "p50_ms": round(pct(50), 1), "p95_ms": round(pct(95), 1), "p99_ms": round(pct(99), 1),
               "max_ms": round(ms[-1], 1) if ms else None,
               "mean_ms": round(statistics.fmean(ms), 1) if ms else None}
    sys.stdout.write(json.dumps(figures) + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    ok = figures["p95_ms"] <= args.p95 and set(status) == {200}
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    sys.exit(main())
