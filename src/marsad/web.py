"""A thin HTTP layer over the library API (``marsad serve``; needs the ``[web]`` extra).

``POST /extract`` with ``{"text", "published"?, "title"?, "doc_id"?}`` returns the event
records of that article; ``GET /health`` answers once the pipeline is loaded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marsad.errors import DependencyError

try:
    from fastapi import FastAPI
    from pydantic import BaseModel, Field
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise DependencyError("the web layer needs FastAPI: pip install 'marsad[web]'") from exc

from marsad.model import Document
from marsad.pipeline import Pipeline


class ArticleIn(BaseModel):
    text: str = Field(min_length=1, max_length=2_000_000)
    published: date | None = None
    title: str | None = None
    doc_id: str = "request"


def create_app(pipeline: Pipeline | None = None) -> FastAPI:
    """The FastAPI application; the pipeline is built once, at creation."""
    pipe = pipeline or Pipeline.default(events_only=True)
    app = FastAPI(title="marsad", description="Arabic conflict-news event extraction")

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "stages": pipe.names}

    @app.post("/extract")
    def extract(article: ArticleIn) -> dict[str, Any]:
        doc = Document.from_parts(article.doc_id, article.text, article.published, article.title)
        events = pipe(doc).events
        return {"doc_id": doc.doc_id, "events": [e.to_record() for e in events]}

    return app
