"""Blocking: which incidents a new event report is compared with.

An event report is compared only with incidents of its own type group (:func:`type_group`: its
event type, or "Demonstrations" for Protests and Riots) and country whose founding report falls in
an ISO week that its day window (± :data:`WINDOW_DAYS`) touches. The
number of comparisons then grows with the reports of a week, not with the corpus, and a whole
corpus is consolidated one week at a time with the incidents of older weeks written out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from marsad.consolidate.similarity import event_day

#: the largest gap in days between a report and an incident's reports for them to be compared
WINDOW_DAYS = 3
NO_WEEK = "nodate"
#: event types that one incident's reports give interchangeably: ACLED's "Demonstrations" (a protest
#: one outlet calls peaceful and another a riot, spec §2). Chosen by grouped cross-validation on the
#: consolidation gold's train split (docs/consolidation.md); Battles and Explosions stay apart
TYPE_GROUPS: dict[str, str] = {"Protests": "Demonstrations", "Riots": "Demonstrations"}


def type_group(event_type: str) -> str:
    """The part of a block key that an event type gives (its group, else itself)."""
    return TYPE_GROUPS.get(event_type, event_type)


def week_of(d: date | None) -> str:
    if d is None:
        return NO_WEEK
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def block_key(event_type: str, country: str | None, week: str) -> str:
    return f"{type_group(event_type)}|{country or ''}|{week}"


def home_block(row: Mapping[str, Any]) -> str:
    """The block of the incident a report founds."""
    return block_key(row["event_type"], row.get("country"), week_of(event_day(row)))


def candidate_blocks(row: Mapping[str, Any], window: int = WINDOW_DAYS) -> list[str]:
    """The blocks whose incidents a report is compared with."""
    d = event_day(row)
    if d is None:
        return [home_block(row)]
    weeks = sorted({week_of(d + timedelta(days=k)) for k in range(-window, window + 1)})
    return [block_key(row["event_type"], row.get("country"), w) for w in weeks]


def week_index(week: str) -> int:
    """A number that orders weeks (consecutive weeks differ by 1); -1 for undated."""
    if week == NO_WEEK:
        return -1
    y, w = week.split("-W")
    return date.fromisocalendar(int(y), int(w), 1).toordinal() // 7


__all__ = ["NO_WEEK", "TYPE_GROUPS", "WINDOW_DAYS", "block_key", "candidate_blocks", "home_block",
           "type_group", "week_index", "week_of"]
