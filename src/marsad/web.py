"""A thin HTTP layer over the library API (``marsad serve``; needs the ``[web]`` extra).

``POST /extract`` with ``{"text", "published"?, "title"?, "doc_id"?}`` returns the event
records of that article; ``GET /health`` answers once the pipeline is loaded.

Any ``published`` value is accepted: one that is no usable date (``"0001-01-01"``, a 309-digit
number, ``"yesterday"``) is ignored, said once in the reply's ``warnings``, and the article is
analysed without a publication date. Lone surrogates in the text or title become U+FFFD (same
length, so offsets hold) so that every reply can be written as UTF-8.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from marsad.errors import DependencyError

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, Field
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise DependencyError("the web layer needs FastAPI: pip install 'marsad[web]'") from exc

from marsad.model import Document
from marsad.pipeline import Pipeline
from marsad.recognise.dates import check_published

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")


class ArticleIn(BaseModel):
    text: str = Field(min_length=1, max_length=2_000_000)
    published: Any = None  # checked by check_published: a bad value is reported, not refused
    title: str | None = None
    doc_id: str = "request"


def _ascii_safe(obj: Any) -> Any:
    """``obj`` with every string's lone surrogates replaced (a message may quote the input)."""
    if isinstance(obj, str):
        return _utf8(obj)
    if isinstance(obj, list):
        return [_ascii_safe(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _ascii_safe(v) for k, v in obj.items()}
    return obj


def _utf8(value: str | None) -> str | None:
    return _SURROGATE.sub("\ufffd", value) if value is not None and _SURROGATE.search(value) else value


def create_app(pipeline: Pipeline | None = None) -> FastAPI:
    """The FastAPI application; the pipeline is built once, at creation."""
    pipe = pipeline or Pipeline.default(events_only=True)
    lock = threading.Lock()  # the stages keep per-document state: one article at a time
    app = FastAPI(title="marsad", description="Arabic conflict-news event extraction")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # what was wrong and where, never the input itself (it may be huge, or not UTF-8)
        detail = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        return JSONResponse({"detail": _ascii_safe(detail)}, status_code=422)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "stages": pipe.names}

    @app.post("/extract")
    def extract(article: ArticleIn) -> dict[str, Any]:
        published, problem = check_published(article.published)
        doc = Document.from_parts(_utf8(article.doc_id) or "request", _utf8(article.text) or "", published,
                                  _utf8(article.title))
        with lock:
            events = pipe(doc).events
        reply: dict[str, Any] = {"doc_id": doc.doc_id, "events": [e.to_record() for e in events]}
        if problem is not None:
            log.warning("%r: publication date ignored: %s", doc.doc_id, problem)
            reply["warnings"] = [f"published ignored: {problem}"]
        return reply

    return app
