"""A synthetic corpus for marsad's tests and benchmarks: short templated Arabic reports written for
marsad (no corpus text): an event sentence, a toll, a source and filler, each wrapped in a news
page with the navigation, scripts and footer real pages carry, and WARC files of them of a chosen size.
"""

from __future__ import annotations

import base64
import html
import io
import random
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

_PLACES = ("حلب", "إدلب", "دير الزور", "الرقة", "درعا", "حمص", "حماة", "الموصل", "كركوك", "الرمادي",
           "صنعاء", "تعز", "عدن", "الحديدة", "مأرب", "بنغازي", "سرت", "طرابلس", "غزة", "رفح")
_ACTORS = ("قوات النظام السوري", "فصائل المعارضة المسلحة", "الجيش العراقي", "طائرات التحالف",
           "مسلحون مجهولون", "قوات سوريا الديمقراطية", "جماعة الحوثي", "تنظيم الدولة الإسلامية")
_ACTS = ("قصفت {a} أحياء في مدينة {p}", "شنت {a} هجوما على مواقع قرب {p}",
         "استهدفت {a} سوقا شعبيا في {p}", "اندلعت اشتباكات عنيفة بين {a} ومقاتلين محليين في {p}",
         "فجر {a} عبوة ناسفة على طريق رئيسي في {p}")
_DAYS = ("يوم الاثنين", "يوم الثلاثاء", "أمس", "اليوم", "صباح الخميس", "مساء الجمعة", "ليلة السبت")
_TOLLS = ("ما أسفر عن مقتل {n} أشخاص وإصابة {m} آخرين", "وقتل {n} مدنيين بينهم أطفال",
          "وأفادت مصادر طبية بسقوط {n} قتلى و{m} جرحى", "دون أن ترد أنباء عن إصابات")
_SOURCES = ("بحسب المرصد السوري لحقوق الإنسان", "وفق ما أفاد مراسلنا", "حسبما ذكرت وكالة الأنباء الرسمية",
            "بحسب مصادر محلية", "وفق بيان للدفاع المدني")
_FILLER = ("وتشهد المنطقة توترا متصاعدا منذ أسابيع.", "وطالبت منظمات إنسانية بفتح ممرات آمنة للمدنيين.",
           "ولم تعلن أي جهة مسؤوليتها عن الهجوم حتى الآن.", "وأغلقت المدارس والمحال التجارية أبوابها.",
           "وتحدث سكان عن نزوح عشرات العائلات نحو القرى المجاورة.")
_SECTIONS = ("الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "صحة", "تكنولوجيا", "فيديو")
_QUIET = ("افتتح محافظ {p} معرضا للكتاب بمشاركة عشرات دور النشر.",
          "ارتفعت أسعار الخضار في أسواق {p} هذا الأسبوع.",
          "عقد مجلس مدينة {p} اجتماعا لبحث مشاريع المياه والكهرباء.", "فاز نادي {p} في مباراة الدوري المحلي.")


def synthetic_report(i: int, seed: int = 0) -> dict[str, str]:
    """Report ``i`` (deterministic for ``(i, seed)``): doc_id, published, title, text."""
    rng = random.Random(seed * 1_000_003 + i)
    place, actor = rng.choice(_PLACES), rng.choice(_ACTORS)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.7:
        act = rng.choice(_ACTS).format(a=actor, p=place)
        toll = rng.choice(_TOLLS).format(n=rng.randint(1, 60), m=rng.randint(0, 99))
        sentences = [f"{act} {rng.choice(_DAYS)}، {toll}، {rng.choice(_SOURCES)}."]
        sentences += rng.sample(_FILLER, rng.randint(1, 3))
        title = rng.choice(("تصعيد جديد في {p}", "هجوم في {p}", "{p}: ضحايا في هجوم جديد")).format(p=place)
    else:
        sentences = [rng.choice(_QUIET).format(p=place), rng.choice(_FILLER)]
        title = f"أخبار {place}"
    return {"doc_id": f"synthetic-{seed}-{i:07d}", "published": f"2018-{month:02d}-{day:02d}",
            "title": title, "text": " ".join(sentences)}


def _page(rep: dict[str, str], padding: int, noise: int, rng: random.Random) -> bytes:
    """A news page around one report: ~``padding`` bytes of navigation, teasers and scripts,
    and an inline image of ``noise`` random bytes (base64), which keeps gzip from shrinking
    the page far below what real pages compress to."""
    nav = "".join(f'<li><a href="/section/{k}">{name}</a></li>' for k, name in enumerate(_SECTIONS))
    script = "var cfg = {" + ",".join(f'"k{k}": {rng.randint(0, 10**6)}' for k in range(40)) + "};"
    title = html.escape(rep["title"])
    head = (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{rep["published"]}T08:00:00Z">'
            f"<script>{script}</script></head><body><nav><ul>{nav}</ul></nav>")
    parts = [head]
    size = len(head.encode("utf-8"))
    while size < padding:  # related-story teasers and more scripts, as real pages carry
        block = (f'<aside><h3><a href="/story/{rng.randint(0, 10**7)}">'
                 f'{rng.choice(_QUIET).format(p=rng.choice(_PLACES))}</a></h3></aside><script>{script}</script>')
        parts.append(block)
        size += len(block.encode("utf-8"))
    if noise:
        parts.append('<img alt="" src="data:image/jpeg;base64,'
                     f'{base64.b64encode(rng.randbytes(noise)).decode()}">')
    body = "".join(f"<p>{html.escape(s.strip())}</p>"
                   for s in re.split(r"(?<=\.)\s+", rep["text"]) if s.strip())
    parts.append(f'<main><article><h1>{title}</h1>{body}</article></main>'
                 "<footer><p>جميع الحقوق محفوظة</p></footer></body></html>")
    return "".join(parts).encode("utf-8")


def write_synthetic_warc(
    path: str | Path, size: int, *, seed: int = 0, page_padding: int = 20_000, noise: int = 10_000,
    gzip: bool | None = None, reports: Callable[[], Iterable[dict[str, Any]]] | None = None,
) -> int:
    """Write a WARC (``.warc``, or ``.warc.gz`` record by record) of about ``size`` bytes.

    Each page is a :func:`synthetic_report` (or, with ``reports``, the next record of the
    iterable it returns, started again when exhausted: ``title``, ``text``, ``published``)
    in a news page (see :func:`_page`); a request record and, every 50 pages, an image
    response (skipped by the reader) are mixed in. Returns the number of HTML pages written.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = Path(path)
    compress = path.name.lower().endswith(".gz") if gzip is None else gzip
    rng = random.Random(seed)
    pages = 0
    source: Iterator[dict[str, Any]] = iter(())
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        while fh.tell() < size:
            if reports is None:
                rep = synthetic_report(pages, seed)
            else:
                rep = next(source, None)  # type: ignore[assignment]
                if rep is None:
                    source = iter(reports())
                    rep = next(source)
                rep = {"title": rep.get("title") or "", "text": rep.get("text") or "",
                       "published": str(rep.get("published") or "2018-01-01")[:10]}
            uri = f"https://news.example.org/{seed}/{pages:07d}.html"
            stamp = f"{rep['published']}T09:{pages % 60:02d}:00Z"
            writer.write_record(writer.create_warc_record(
                uri, "request", payload=io.BytesIO(f"GET /{pages}.html HTTP/1.1\r\n\r\n".encode()),
                warc_headers_dict={"WARC-Date": stamp}))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(_page(rep, page_padding, noise, rng)), http_headers=http,
                warc_headers_dict={"WARC-Date": stamp}))
            pages += 1
            if pages % 50 == 0:
                png = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://news.example.org/img/{pages}.png", "response",
                    payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + rng.randbytes(2000)), http_headers=png,
                    warc_headers_dict={"WARC-Date": stamp}))
    return pages
