"""Where a consolidation's pair errors go: by day gap, distance, type, actors and source.

Requires: the event rows that were scored (``Store.iter_event_rows``, matched to gold incidents),
their gold incident and their system incident. Provides: :func:`pair_errors`, a count per value of
each pair property of the gold's "same incident" pairs kept together (``merged``) or apart
(``missed``), and of the system's pairs of different gold incidents (``false``); and
:func:`format_pair_errors`. Used by ``build/train_consolidation.py --errors`` on held-out folds.

Why: the merge decision's figures say how often it errs, not where; a lever is worth trying only
where the errors are (a campaign's next day, a town inside a named province, a story retold).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from marsad.consolidate.blocking import type_group
from marsad.consolidate.similarity import place_relation, report

#: the properties a pair is counted by, in the order printed
PROPERTIES = ("days", "place", "type", "actors", "source", "toll")
OUTCOMES = ("merged", "missed", "false")


def _gap(a: Any, b: Any) -> str:
    if a.day is None or b.day is None:
        return "none"
    d = abs(a.day - b.day)
    return str(d) if d <= 3 else "4-7" if d <= 7 else ">7"


def pair_properties(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, str]:
    """The values of :data:`PROPERTIES` for a pair of event rows."""
    ra, rb = report(a), report(b)
    rel, km = place_relation(ra, rb)
    place = rel.removeprefix("place=")
    if km is not None and not rel.startswith("km"):
        place += "/" + ("<=5km" if km <= 5 else "<=40km" if km <= 40 else ">40km")
    if a["event_type"] != b["event_type"]:
        kind = "same group" if type_group(a["event_type"]) == type_group(b["event_type"]) else "other type"
    else:
        kind = "same sub-type" if ra.sub == rb.sub else "other sub-type"
    if not ra.actors or not rb.actors:
        actors = "unknown"
    else:
        actors = ("same" if ra.actors == rb.actors else "overlap" if ra.actors & rb.actors else "disjoint")
    if a["doc_id"] == b["doc_id"]:
        source = "same article"
    else:
        source = ("same outlet" if ra.outlet and ra.outlet == rb.outlet else "other outlet")
    fa, fb = ra.fatalities, rb.fatalities
    toll = "none" if not fa and not fb else "one" if not fa or not fb else "equal" if fa == fb else "differ"
    if ra.country != rb.country:
        place = "other country"
    return {"days": _gap(ra, rb), "place": place, "type": kind, "actors": actors, "source": source,
            "toll": toll}


def pair_errors(rows: Sequence[Mapping[str, Any]], gold: Mapping[str, str], system: Mapping[str, str]
                ) -> dict[str, dict[str, Counter[str]]]:
    """property -> value -> Counter of outcomes, over the pairs of ``rows`` (event ids in ``gold``)
    that are one gold incident (``merged`` / ``missed``) or one system incident only (``false``)."""
    scored = [r for r in rows if r["event_id"] in gold]
    out: dict[str, dict[str, Counter[str]]] = {p: defaultdict(Counter) for p in PROPERTIES}
    for i, a in enumerate(scored):
        for b in scored[i + 1:]:
            same_g = gold[a["event_id"]] == gold[b["event_id"]]
            same_s = system[a["event_id"]] == system[b["event_id"]]
            if not same_g and not same_s:
                continue
            outcome = "false" if not same_g else "merged" if same_s else "missed"
            for prop, value in pair_properties(a, b).items():
                out[prop][value][outcome] += 1
    return out


def format_pair_errors(table: Mapping[str, Mapping[str, Counter[str]]]) -> str:
    """One block per property: value, gold pairs merged / missed, false merges."""
    lines = []
    for prop in PROPERTIES:
        lines.append(f"{prop:<8} {'value':<28} {'merged':>7} {'missed':>7} {'false':>7}")
        for value, c in sorted(table[prop].items(), key=lambda kv: -sum(kv[1].values())):
            lines.append(f"{'':<8} {value:<28} {c['merged']:>7} {c['missed']:>7} {c['false']:>7}")
    return "\n".join(lines)


__all__ = ["OUTCOMES", "PROPERTIES", "format_pair_errors", "pair_errors", "pair_properties"]
