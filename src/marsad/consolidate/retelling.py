"""Does an event report tell a new strike of its day, or retell / react to an earlier one?

Requires: an event row (``Store.iter_event_rows``: the record with its ``provenance``, ``tags`` and
its document's ``published``) and its evidence text. Provides: :func:`report_kind`, one of

* ``"retold"``: the evidence looks back — a toll update ("ارتفعت حصيلة", the extractor's
  ``toll updated`` tag), a reaction ("ردا على", "ردًا على"), an alleged or earlier attack ("المزعوم",
  "الماضي", "غداة", "التي استهدفت", "الذي استهدف"), or the event's own day lies two or more days
  before its article's publication;
* ``"undated"``: the text names no day for it, so its date is the publication day (the extractor's
  fallback: no ``event_date`` in its provenance);
* ``"fresh"``: a day of its own, at most a day before publication, and no look-back words.

Why: a campaign's strikes on one town on consecutive days look alike to every other pair feature
(same place, same sides, similar words), while a story retold for a week is one incident. What tells
them apart is what the article says it reports: a new strike "today", or the reaction to a past one.
:func:`marsad.consolidate.similarity.pair_features` crosses the two reports' kinds with their day
gap (features ``retell:...``), and ``build/train_consolidation.py`` keeps them only when they gain
under its grouped cross-validation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marsad.consolidate.similarity import day as similarity_day
from marsad.text.normalise import normalise_key

KINDS = ("fresh", "undated", "retold")

# cue words, normalised as the evidence text is (normalise_key: hamza forms, taa marbuta, alef maqsura
# and diacritics folded), so that one pattern matches every spelling
_CUES = [normalise_key(c) for c in (
    "ارتفعت حصيلة", "ارتفع عدد", "حصيلة جديدة", "آخر حصيلة", "ردا على", "رداً على", "المزعوم",
    "الماضي", "الماضية", "غداة", "التي استهدفت", "الذي استهدف", "في وقت سابق",
)]
_CUE = re.compile("|".join(re.escape(c) for c in _CUES))
#: the event's day this many days or more before publication: the article looks back at it
LOOK_BACK_DAYS = 2


def has_cue(text: str) -> bool:
    """Whether the evidence text holds a look-back word (a toll update, a reaction, an alleged attack)."""
    return bool(text) and _CUE.search(normalise_key(text)) is not None


def report_kind(row: Mapping[str, Any], text: str = "") -> str:
    """``"retold"``, ``"undated"`` or ``"fresh"`` (module docstring) for an event row and its evidence."""
    if "toll updated" in (row.get("tags") or "").split(";") or has_cue(text):
        return "retold"
    prov = row.get("provenance")
    if isinstance(prov, Mapping) and "event_date" not in prov:
        return "undated"
    day, published = similarity_day(row.get("event_date")), similarity_day(row.get("published"))
    if day and published and (published - day).days >= LOOK_BACK_DAYS:
        return "retold"
    return "fresh"


__all__ = ["KINDS", "LOOK_BACK_DAYS", "has_cue", "report_kind"]
