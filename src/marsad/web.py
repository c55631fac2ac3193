"""A thin HTTP layer over the library API (``marsad serve``; needs the ``[web]`` extra).

``POST /extract`` with ``{"text", "published"?, "title"?, "doc_id"?}`` returns the event
records of that article; ``GET /health`` answers once the pipeline is loaded.

Any ``published`` value is accepted: one that is no usable date (``"0001-01-01"``, a 309-digit
number, ``"yesterday"``) is ignored, said once in the reply's ``warnings``, and the article is
analysed without a publication date. Lone surrogates in the text or title become U+FFFD (same
length, so offsets hold) so that every reply can be written as UTF-8.

Hardened for a service that anyone on its network may call (issue 17, part 7):

* a request body over ``max_body`` bytes is refused with 413 before it is read whole (by its
  ``Content-Length``, or while it streams in when it has none);
* ``text`` is capped at ``MAX_TEXT`` characters, ``title`` at ``MAX_TITLE``, ``doc_id`` at 200: 422;
* an error reply says what was wrong and where, never the input itself (it may be huge, or not
  UTF-8); any bad value is a 4xx, never a 5xx;
* each request has a time budget (:mod:`marsad.budget`: processor time, ``time_budget``); a
  request over it gets 422 with the reason, and the worker goes on to the next;
* ``marsad serve --workers N`` runs N processes (uvicorn's workers, each with its pipeline):
  one process analyses one article at a time (the stages keep per-document state).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from marsad.budget import TimeBudget, TimeBudgetExceeded
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

#: limits of one request (``create_app`` takes others)
MAX_BODY = 2_000_000  # bytes: a JSON body with a text of MAX_TEXT Arabic characters fits
MAX_TEXT = 200_000  # characters: 6 times the longest article of the annotation pool
MAX_TITLE = 1_000  # characters: a headline, not a second article
#: processor time a request may take: an article of a few KB takes ~10 ms
REQUEST_BUDGET = TimeBudget(per_100k=3.0, minimum=2.0)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413 and is not read further."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _reply(send, 413, f"request body over {self.limit} bytes")
            return
        if length is not None:
            await self.app(scope, receive, send)
            return
        # no Content-Length (a chunked body): read it here, up to the limit, then hand it on
        chunks: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            chunks.append(message)
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await _reply(send, 413, f"request body over {self.limit} bytes")
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        replay = iter(chunks)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


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


class ArticleIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    published: Any = None  # checked by check_published: a bad value is reported, not refused
    title: str | None = Field(default=None, max_length=MAX_TITLE)
    doc_id: str = Field(default="request", max_length=200)


def create_app(pipeline: Pipeline | None = None, *, max_body: int = MAX_BODY,
               time_budget: TimeBudget | None = REQUEST_BUDGET) -> FastAPI:
    """The FastAPI application; the pipeline is built once, at creation (a pipeline given keeps its
    own time budget; the default one gets ``time_budget``)."""
    pipe = pipeline or Pipeline.default(events_only=True, time_budget=time_budget)
    lock = threading.Lock()  # the stages keep per-document state: one article at a time
    app = FastAPI(title="marsad", description="Arabic conflict-news event extraction")
    app.add_middleware(BodyLimit, limit=max_body)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # what was wrong and where, never the input itself (it may be huge, or not UTF-8)
        detail = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))[:200],
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        return JSONResponse({"detail": _ascii_safe(detail)}, status_code=422)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        # a bug, not the client's fault: logged with its traceback, answered without the input
        log.error("request failed", exc_info=exc)
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "stages": pipe.names}

    @app.post("/extract", response_model=None)
    def extract(article: ArticleIn) -> dict[str, Any] | JSONResponse:
        published, problem = check_published(article.published)
        doc = Document.from_parts(_utf8(article.doc_id) or "request", _utf8(article.text) or "", published,
                                  _utf8(article.title))
        try:
            with lock:
                events = pipe(doc).events
        except TimeBudgetExceeded as exc:
            log.warning("%r: %s", doc.doc_id, exc)
            return JSONResponse({"detail": f"the article is {exc}"}, status_code=422)
        reply: dict[str, Any] = {"doc_id": doc.doc_id, "events": [e.to_record() for e in events]}
        if problem is not None:
            log.warning("%r: publication date ignored: %s", doc.doc_id, problem)
            reply["warnings"] = [f"published ignored: {problem}"]
        return reply

    return app


def serve(host: str, port: int, workers: int = 1) -> None:
    """Run the app with uvicorn; several ``workers`` are processes that each build the pipeline."""
    import uvicorn

    if workers > 1:
        # uvicorn starts worker processes from an import string (each builds its own app)
        uvicorn.run("marsad.web:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
    else:
        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
