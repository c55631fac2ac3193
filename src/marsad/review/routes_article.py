"""The article view (the text in RTL with every event's spans highlighted, the events beside
it) and the JSON actions of its script: edit, approve, reject, delete, undo, add an event from
selected text, the history of an event, and the actor and place searches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from marsad.recognise.triggers import EVENT_TYPES
from marsad.review import incidents
from marsad.review.db import EDITABLE, EventRow, Invalid, NotFound
from marsad.review.deps import JsonBody, Reviewer, Viewer, check_csrf, desk_of, render
from marsad.review.highlight import event_marks, segments, snap
from marsad.review.lookup import search_actors, search_places

router = APIRouter()
#: the fields of an event's card, in order (the rest are shown read-only in its details)
CARD_FIELDS = ("event_date", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "country", "admin1",
               "admin2", "location", "latitude", "longitude", "geonameid", "geo_precision", "fatalities",
               "injuries", "source", "notes")
LOOKUP = {"actor1": "actor", "actor2": "actor", "assoc_actor_1": "actor", "assoc_actor_2": "actor",
          "location": "place"}
_POST = [Depends(check_csrf)]


def _version(body: dict[str, Any]) -> int:
    try:
        return int(body["version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise HTTPException(422, "give the version the change was made on") from exc


def _reply(row: EventRow) -> dict[str, Any]:
    return {"event_id": row.event_id, "version": row.version, "state": row.state, "record": row.record}


@router.get("/doc/{doc_id:path}", response_class=HTMLResponse)
def article(request: Request, doc_id: str, user: Viewer) -> Response:
    desk = desk_of(request)
    doc = desk.document(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id!r}")
    rows = desk.events_of(doc_id)
    segs = segments(doc["text"], event_marks([r.record for r in rows if r.state != "rejected"]))
    return render(request, "article.html", doc=doc, rows=rows, segments=segs, fields=CARD_FIELDS,
                  incidents=incidents.of_events(desk, [r.event_id for r in rows]), lookup=LOOKUP,
                  event_types=EVENT_TYPES, can_edit=user.can("reviewer"))


@router.post("/event/edit/{event_id:path}", dependencies=_POST)
def edit(request: Request, event_id: str, body: JsonBody,
         user: Reviewer) -> dict[str, Any]:
    changes = body.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise Invalid("give the changed fields as {\"changes\": {field: value}}")
    return _reply(desk_of(request).edit(event_id, _version(body), changes, user.name))


@router.post("/event/state/{event_id:path}", dependencies=_POST)
def set_state(request: Request, event_id: str, body: JsonBody,
              user: Reviewer) -> dict[str, Any]:
    return _reply(desk_of(request).set_state(event_id, _version(body), str(body.get("state")), user.name))


@router.post("/event/undo/{event_id:path}", dependencies=_POST)
def undo(request: Request, event_id: str, body: JsonBody,
         user: Reviewer) -> dict[str, Any]:
    return _reply(desk_of(request).undo(event_id, _version(body), user.name))


@router.post("/event/merge/{event_id:path}", dependencies=_POST)
def merge(request: Request, event_id: str, body: JsonBody, user: Reviewer) -> dict[str, Any]:
    """``{"version", "other", "other_version"}``: the other event is merged into this one."""
    try:
        other, other_version = str(body["other"]), int(body["other_version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid("give the other event and its version") from exc
    return _reply(desk_of(request).merge(event_id, _version(body), other, other_version, user.name))


@router.post("/event/split/{event_id:path}", dependencies=_POST)
def split(request: Request, event_id: str, body: JsonBody, user: Reviewer) -> dict[str, Any]:
    return _reply(desk_of(request).split(event_id, _version(body), user.name))


@router.get("/event/history/{event_id:path}")
def history(request: Request, event_id: str, user: Viewer) -> list[dict[str, Any]]:
    desk = desk_of(request)
    desk.event(event_id)
    return desk.history(event_id)


@router.post("/add/{doc_id:path}", dependencies=_POST)
def add(request: Request, doc_id: str, body: JsonBody,
        user: Reviewer) -> dict[str, Any]:
    """An event on the selected text: the selection, snapped to whole words, is its evidence."""
    desk = desk_of(request)
    doc = desk.document(doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id!r}")
    try:
        start, end = int(body["start"]), int(body["end"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid("give the selection's start and end offsets") from exc
    if not 0 <= start < end <= len(doc["text"]):
        raise Invalid(f"selection {start}..{end} is not inside the text")
    fields = {k: v for k, v in (body.get("fields") or {}).items() if k in EDITABLE}
    return _reply(desk.add_event(doc_id, fields, [snap(doc["text"], start, end)], user.name))


@router.get("/search/actors")
def actors(user: Viewer, q: str = "") -> list[dict[str, str]]:
    return search_actors(q[:100])


@router.get("/search/places")
def places(user: Viewer, q: str = "") -> list[dict[str, Any]]:
    return search_places(q[:100])
