"""The one place ``marsad watch`` asks for incidents: :func:`update_incidents`.

Requires: the store, the doc_ids stored in this poll, and for each event stored its fatalities
before (None: a new event id) and after. Provides an :class:`IncidentUpdate`: the incidents
created and those whose fatalities grew.

When ``marsad.consolidate`` is installed, its ``consolidate(store, doc_ids=...)`` merges the poll's
events into incidents and its ``ConsolidationResult`` (``created``, ``grown`` as (incident id,
fatalities before, after), ``joined``, ``incidents``) is what the alerts report. Until then (an
ImportError), **each event is its own incident**: a new event id is a new incident, and an event
whose fatalities rose when its document was revised (a feed entry updated, a file rewritten: the
event ids of a document are stable while its event keeps its type, day, place, actors and first
sentence) is an incident that grew. So without consolidation, two articles reporting one attack
give two "new incident" alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.store.sqlite import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EventChange:
    event_id: str
    before: int | None  # fatalities of the same event id before this poll stored it; None: new
    after: int


@dataclass(frozen=True, slots=True)
class IncidentUpdate:
    created: tuple[str, ...] = ()
    grown: tuple[tuple[str, int, int], ...] = ()  # (incident id, fatalities before, after)
    consolidated: bool = False  # False: the fallback, each event its own incident


def update_incidents(store: Store, doc_ids: Sequence[str], changes: Sequence[EventChange]) -> IncidentUpdate:
    """The incidents the poll's documents created or made deadlier (see the module docstring)."""
    try:
        from marsad.consolidate import consolidate  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        log.debug("no consolidation (%s): each event is its own incident", exc)
        return IncidentUpdate(
            created=tuple(c.event_id for c in changes if c.before is None),
            grown=tuple((c.event_id, c.before, c.after) for c in changes
                        if c.before is not None and c.after > c.before),
        )
    if not doc_ids:
        return IncidentUpdate(consolidated=True)
    result = consolidate(store, doc_ids=list(doc_ids))
    return IncidentUpdate(tuple(result.created), tuple((i, int(b), int(a)) for i, b, a in result.grown), True)
