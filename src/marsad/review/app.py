"""The review desk's FastAPI application: ``create_desk_app(db_url)``.

Pages are rendered on the server (Jinja2 with autoescape: article text and every field are
untrusted); the few scripts and the stylesheet are files of this package, served from
``/static``. The Content-Security-Policy lets the browser load nothing from elsewhere and run
no inline script, so even a tag that slipped through escaping would stay inert. FastAPI's
``/docs`` (which loads its scripts from a CDN) is off. The extraction API of
:mod:`marsad.web` is mounted under ``/api`` (``POST /api/extract``, ``GET /api/health``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marsad.review import routes_admin, routes_article, routes_auth, routes_queue
from marsad.review.auth import Auth
from marsad.review.db import Conflict, Desk, Invalid, NotFound
from marsad.review.deps import LoginRequired

log = logging.getLogger(__name__)
_CDN_PAGES = ("/docs", "/docs/oauth2-redirect", "/redoc")
HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
       " form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class SecurityHeaders:
    """Adds the CSP and its companions to every response (plain ASGI: no per-request task, unlike
    Starlette's BaseHTTPMiddleware, which costs a few ms per request under load)."""

    HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer")]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_desk_app(db_url: str | Path, *, api: bool = True,
                    import_store: str | Path | None = None) -> FastAPI:
    """The desk over the database at ``db_url`` (SQLite path or ``postgresql://`` URL).

    A SQLite file that also holds an extraction store (``marsad extract --db``) has its new
    documents and events imported at start; ``import_store`` names another store to import
    (for a PostgreSQL desk). ``api=False`` leaves out the extraction API (it loads the pipeline).
    """
    desk = Desk.open(db_url)
    sources = [import_store] if import_store else []
    if desk.dialect == "sqlite":
        sources.append(db_url)
    for src in sources:
        docs, events = desk.import_store(src)
        if docs:
            log.info("imported %d new events of %d documents from %s", events, docs, src)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        desk.close()

    app = FastAPI(title="marsad review desk", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.desk = desk
    app.state.auth = Auth(desk)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    app.state.templates = Jinja2Templates(env=env)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(Invalid)
    async def invalid(request: Request, exc: Invalid) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (routes_auth, routes_queue, routes_article, routes_admin):
        app.include_router(module.router)
    if api:
        from marsad.web import create_app

        extraction = create_app()
        # its /docs and /redoc load scripts from a CDN: the desk serves nothing external
        extraction.router.routes = [r for r in extraction.router.routes
                                    if getattr(r, "path", "") not in _CDN_PAGES]
        app.mount("/api", extraction)
    return app


__all__ = ["create_desk_app"]
