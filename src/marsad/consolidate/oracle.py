"""Oracle events: the consolidation gold's members as event records, with the fields their coders gave.

Requires: gold incidents (:func:`marsad.consolidate.evaluate.load_gold`), the gold articles
(``marsad.annotations.corpus.load_articles``) and the shipped gazetteer. Provides:
:func:`oracle_events` (one :class:`marsad.model.Event` per member: its evidence spans, event date,
type, sub-event type, actors, toll, country, admin1 and location, placed through the gazetteer) and
:func:`oracle_store` (an in-memory store holding them, and which gold incident each belongs to).

Why: ``marsad eval --consolidation`` scores the merge decision on the extractor's events, whose
dates, places and types are sometimes wrong and which miss many gold reports. Consolidating the
members' own coded events instead ("perfect extraction fields") bounds what the decision itself
reaches; consolidating only the members the extraction matched, with their gold fields, separates
the reports it misses from the fields it gets wrong.

The gold gives no coordinates, admin2 or geo precision: the gazetteer entry of the member's location
name in its country (admin1 first, then the commonest kind of place) gives them; names the gazetteer
lacks take the coordinates their coders set in ``annotations/coded`` where there are any, else only
the name, country and admin1 (the pair features then compare names and provinces, not distances).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.model import Document, Event, Place
from marsad.store.sqlite import Store

log = logging.getLogger(__name__)

#: geo_precision (spec §3) of a gazetteer entry by its kind: a province or a country is 3, a region or
#: district 2, a town, village or site 1
PRECISION = {"country": 3, "admin1": 3, "admin2": 2, "admin3": 2, "region": 2}
#: which entry of an ambiguous name is meant when the member's admin1 does not decide: areas first
#: (a gold "Daraa" names the province more often than a village of that name elsewhere), then towns
KIND_ORDER = ("country", "admin1", "city", "region", "admin2", "admin3", "neighbourhood", "village", "site")
CODED = Path(__file__).resolve().parents[3] / "annotations" / "coded"

MemberKey = tuple[int, int]  # (index of the incident record in the gold list, index of the member)

#: groups of event fields that :func:`oracle_events` can take from the matched extracted event instead
#: of the gold (to measure what each kind of extraction error costs the consolidation)
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "date": ("event_date", "time_precision"),
    "place": ("location", "location_text", "country", "admin1", "admin2", "latitude", "longitude",
              "geo_precision", "geonameid"),
    "type": ("event_type", "sub_event_type"),
    "actors": ("actor1", "actor2"),
    "toll": ("fatalities", "fatalities_low", "fatalities_high"),
    "evidence": ("evidence",),
}


def _fold(name: str) -> str:
    """A name as compared: case, apostrophes and hyphens folded ("Ad Dali'" = "Ad Dali")."""
    return " ".join(name.casefold().replace("'", "").replace("’", "").replace("-", " ").split())


@lru_cache(maxsize=1)
def _gazetteer_names() -> tuple[dict[tuple[str, str], list[Place]], dict[tuple[str, str, str], Place]]:
    """(folded name, country) -> entries; (country, admin1, admin2) -> its most populous town."""
    from marsad.geo.gazetteer import Gazetteer

    gaz = Gazetteer.load()
    names: dict[tuple[str, str], list[Place]] = defaultdict(list)
    seats: dict[tuple[str, str, str], Place] = {}
    for p in gaz.places():  # every entry once (an English-name index the Arabic one does not have)
        names[(_fold(p.name), p.country)].append(p)
        key = (p.country, p.admin1, p.admin2)
        if p.feature in ("city", "village") and p.admin2 and (key not in seats
                                                               or p.population > seats[key].population):
            seats[key] = p
    return dict(names), seats


@lru_cache(maxsize=1)
def _coded_places(folder: Path = CODED) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(folded name, country) -> (latitude, longitude, geo precision) as coders placed them."""
    out: dict[tuple[str, str], tuple[float, float, int]] = {}
    for f in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in f.read_text(encoding="utf-8").splitlines():
            for e in json.loads(line).get("events") or [] if line.strip() else []:
                if e.get("location") and e.get("latitude") is not None and e.get("country"):
                    out.setdefault((_fold(e["location"]), e["country"]),
                                   (e["latitude"], e["longitude"], e.get("geo_precision") or 1))
    return out


def _capital(country: str, admin1: str) -> Place | None:
    from marsad.geo.gazetteer import Gazetteer

    return Gazetteer.load().capital_of_admin1(country, admin1)


def place_of(location: str | None, country: str | None, admin1: str | None) -> dict[str, Any]:
    """The place fields of an event at ``location`` (English name) in ``country`` / ``admin1``."""
    fields: dict[str, Any] = {"location": location, "country": country, "admin1": admin1 or ""}
    if not location or not country:
        return {**fields, "geo_precision": 3}
    names, seats = _gazetteer_names()
    cands = names.get((_fold(location), country), [])
    if cands:
        def rank(p: Place) -> tuple[int, int, int]:
            kind = KIND_ORDER.index(p.feature) if p.feature in KIND_ORDER else len(KIND_ORDER)
            return (0 if admin1 and p.admin1 == admin1 else 1, kind, -p.population)

        p = min(cands, key=rank)
        # a district is named after its seat ("Douma"), and its centroid may lie far from it in the
        # desert: the coordinates of its most populous town, as a coder would place the event
        at = seats.get((p.country, p.admin1, p.admin2), p) if p.feature in ("admin2", "admin3") else p
        if p.feature == "admin1":  # a province is placed at its capital (spec §3), as the extractor does
            at = _capital(country, p.name) or p
        return {**fields, "admin1": admin1 or p.admin1, "admin2": p.admin2, "latitude": at.latitude,
                "longitude": at.longitude, "geo_precision": PRECISION.get(p.feature, 1),
                "geonameid": p.geonameid}
    coded = _coded_places().get((_fold(location), country))
    if coded:
        return {**fields, "latitude": coded[0], "longitude": coded[1], "geo_precision": coded[2]}
    log.debug("oracle: no coordinates for %s (%s)", location, country)
    return {**fields, "geo_precision": 1}


def oracle_event(doc_id: str, event_id: str, incident: Mapping[str, Any], member: Mapping[str, Any]) -> Event:
    """The event a member's coding describes (member fields, else its incident's)."""
    def get(key: str) -> Any:
        value = member.get(key)
        return incident.get(key) if value is None else value

    place = place_of(get("location"), get("country"), get("admin1"))
    return Event(
        doc_id=doc_id, event_id=event_id, event_type=get("event_type"),
        sub_event_type=get("sub_event_type") or "", event_date=get("event_date"), time_precision=1,
        actor1=member.get("actor1"), actor2=member.get("actor2"),
        fatalities=int(member.get("fatalities") or 0),
        evidence=tuple((int(s), int(e)) for s, e in member.get("evidence") or ()),
        confidence=1.0, **place)


def oracle_events(incidents: Sequence[Mapping[str, Any]], keys: Iterable[MemberKey] | None = None,
                  system: Mapping[MemberKey, Mapping[str, Any]] | None = None, fields: Sequence[str] = ()
                  ) -> tuple[dict[str, list[Event]], dict[str, str]]:
    """Events per document of the gold members (all, or those of ``keys``), and event id -> incident id.
    ``fields`` (names of :data:`FIELD_GROUPS`) are taken from ``system``, the extracted event row each
    member was matched to.

    Event ids are ``gold:<incident>:<record>.<member>``: stable, and unique although a g4 line adds
    members to another file's incident under its id."""
    wanted = None if keys is None else set(keys)
    unknown = set(fields) - set(FIELD_GROUPS)
    if unknown:
        raise ValueError(f"unknown field groups {sorted(unknown)} (of {', '.join(FIELD_GROUPS)})")
    taken = [f for g in fields for f in FIELD_GROUPS[g]]
    by_doc: dict[str, list[Event]] = defaultdict(list)
    labels: dict[str, str] = {}
    for i, inc in enumerate(incidents):
        for j, m in enumerate(inc["members"]):
            if wanted is not None and (i, j) not in wanted:
                continue
            event_id = f"gold:{inc['incident']}:{i}.{j}"
            ev = oracle_event(m["doc_id"], event_id, inc, m)
            row = (system or {}).get((i, j))
            if row is not None and taken:
                ev = replace(ev, **{f: tuple(map(tuple, row.get(f) or ())) if f == "evidence" else row.get(f)
                                    for f in taken})
            by_doc[m["doc_id"]].append(ev)
            labels[event_id] = inc["incident"]
    return dict(by_doc), labels


def oracle_store(incidents: Sequence[Mapping[str, Any]], keys: Iterable[MemberKey] | None = None,
                 docs: Mapping[str, Document] | None = None,
                 system: Mapping[MemberKey, Mapping[str, Any]] | None = None, fields: Sequence[str] = ()
                 ) -> tuple[Store, dict[str, str]]:
    """An in-memory store holding the oracle events of the gold articles (:func:`oracle_events`), and
    their gold incidents."""
    by_doc, labels = oracle_events(incidents, keys, system, fields)
    if docs is None:
        from marsad.annotations.corpus import load_articles

        docs = load_articles(sorted(by_doc))
    store = Store.open(":memory:")
    for doc_id in sorted(by_doc):
        store.add_result(docs[doc_id], by_doc[doc_id])
    # the store keeps one copy of a text (the last added of two site sections' identical articles), as
    # it does for the extracted events of marsad eval --consolidation: the same reports are scored
    stored = {e["event_id"] for e in store.iter_event_rows()}
    lost = len(labels) - len(stored)
    if lost:
        log.info("oracle: %d members of articles whose text another gold article repeats: not stored", lost)
    return store, {e: g for e, g in labels.items() if e in stored}


__all__ = ["FIELD_GROUPS", "oracle_event", "oracle_events", "oracle_store", "place_of"]
