"""The queue and dataset view (filters, counts, the events that most need a reviewer first)
and the export of the filtered set in any output format."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from marsad.errors import DependencyError
from marsad.recognise.triggers import EVENT_TYPES
from marsad.review import incidents
from marsad.review.db import STATES, Filters
from marsad.review.deps import Viewer, desk_of, render

router = APIRouter()
PAGE = 50
EXPORT_FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv", "geojson": "application/geo+json",
                  "parquet": "application/vnd.apache.parquet"}
#: what an export holds when no review state is asked for: what reviewers kept
EXPORTED_STATES = ("approved",)


def _float(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise HTTPException(422, f"{name}: {value!r} is not a number") from exc


def filters_of(request: Request, default_states: tuple[str, ...] = ()) -> Filters:
    q = request.query_params
    states = tuple(s for s in q.getlist("state") if s)
    bad = [s for s in states if s not in STATES]
    if bad:
        raise HTTPException(422, f"unknown review state {bad[0]!r}")
    keys = ("date_from", "date_to", "country", "admin1", "event_type", "actor", "source", "incident")
    text = {k: (q.get(k) or "").strip() or None for k in keys}
    return Filters(**text, conf_min=_float(q.get("conf_min"), "conf_min"),
                   conf_max=_float(q.get("conf_max"), "conf_max"), states=states or default_states)


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, user: Viewer) -> Response:
    desk = desk_of(request)
    filters = filters_of(request)
    try:
        page = max(0, int(request.query_params.get("page") or 0))
    except ValueError:
        page = 0
    rows = desk.query(filters, limit=PAGE, offset=page * PAGE)
    counts = desk.counts(filters)
    shown = sum(counts[s] for s in (filters.states or STATES))
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]
    return render(request, "queue.html", rows=rows, counts=counts, shown=shown, filters=filters,
                  incidents=incidents.brief(desk, [r.event_id for r in rows]),
                  incident_choices=incidents.FILTER_CHOICES,
                  facets=desk.facets(), states=STATES, event_types=sorted(EVENT_TYPES), page=page,
                  pages=(shown + PAGE - 1) // PAGE, query=query, formats=list(EXPORT_FORMATS))


@router.get("/export")
def export(request: Request, user: Viewer, format: str = "jsonl") -> Response:
    """The current (reviewed) records of the filtered events; approved ones unless a state is
    asked for. Written by :mod:`marsad.io.writers`, so every output format is the pipeline's."""
    from marsad.io.writers import open_writer

    if format not in EXPORT_FORMATS:
        raise HTTPException(422, f"format is one of {', '.join(EXPORT_FORMATS)}")
    filters = filters_of(request, EXPORTED_STATES)
    fd, tmp = tempfile.mkstemp(suffix=f".{format}", prefix="marsad-export-")
    os.close(fd)
    path = Path(tmp)
    path.unlink()  # the writers create their file (the atomic ones by renaming)
    n = 0
    try:
        with open_writer(path) as writer:
            for row in desk_of(request).query(filters, limit=None):
                writer.write(_exportable(row.record))
                n += 1
    except DependencyError as exc:  # .parquet without pyarrow
        path.unlink(missing_ok=True)
        raise HTTPException(501, str(exc)) from exc
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(path, media_type=EXPORT_FORMATS[format], filename=f"marsad-events.{format}",
                        background=BackgroundTask(path.unlink, missing_ok=True),
                        headers={"X-Event-Count": str(n)})


def _exportable(record: dict[str, Any]) -> dict[str, Any]:
    from marsad.model import EVENT_FIELDS

    out = {k: record.get(k) for k in EVENT_FIELDS}
    out["tags"] = list(record.get("tags") or [])
    out["evidence"] = [list(s) for s in record.get("evidence") or []]
    out["provenance"] = dict(record.get("provenance") or {})
    out["notes"] = record.get("notes") or ""
    for key, default in (("time_precision", 1), ("fatalities", 0), ("inter1", 0), ("inter2", 0),
                         ("confidence", 1.0)):
        if out.get(key) is None:
            out[key] = default
    return out
