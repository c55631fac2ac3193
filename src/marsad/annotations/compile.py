"""Turn a coder's compact coding into a stored annotation with character spans.

A compact coding names sentences by their index on the sheet, candidates by their key
(``A3``, ``P1.2`` for the second reading of ``P1``, ``N2``) and words by quoting them; this
module resolves all of it into offsets of the original text and refuses what does not resolve,
with a message naming the article and the field. The format is in ``docs/annotation.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marsad.annotations.corpus import AnnotationError, text_sha1
from marsad.annotations.labels import (
    ACTOR_CODES,
    EVENT_STATUSES,
    NUMBER_CODES,
    PLACE_CODES,
    SENTENCE_CODES,
    ActorRole,
    NumberStatus,
    PlaceRole,
    SentenceClass,
    valid_event,
)
from marsad.annotations.sheet import Sheet
from marsad.model import Place

FORMAT_VERSION = 1


def _fail(doc_id: str, where: str, msg: str) -> AnnotationError:
    return AnnotationError(f"{doc_id}: {where}: {msg}")


def _split_type(doc_id: str, where: str, value: str) -> tuple[str, str]:
    event_type, _, sub = value.partition("|")
    event_type, sub = event_type.strip(), sub.strip()
    if not valid_event(event_type, sub):
        raise _fail(doc_id, where, f"{value!r} is not 'Event type|Sub-event type' of the taxonomy")
    return event_type, sub


def _find(text: str, quote: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first occurrence of ``quote`` inside ``spans`` (in order), else None; ``quote#k`` takes the
    k-th."""
    quote, _, nth = quote.partition("#")
    k = int(nth) if nth.isdigit() else 1
    for s, e in spans:
        pos = s
        while True:
            i = text.find(quote, pos, e)
            if i < 0:
                break
            k -= 1
            if k == 0:
                return i, i + len(quote)
            pos = i + 1
    return None


def _role(doc_id: str, key: str, code: str, table: dict[str, Any], n_events: int) -> tuple[Any, int | None]:
    base, _, ev = code.partition("@")
    if base not in table:
        raise _fail(doc_id, key, f"role {code!r} is not one of {sorted(table)}")
    event = None
    if ev != "":
        if not ev.isdigit() or int(ev) >= n_events:
            raise _fail(doc_id, key, f"role {code!r} names event {ev}, the coding has {n_events}")
        event = int(ev)
    return table[base], event


def _place_fields(readings: tuple[Place, ...], ref: str, doc_id: str, where: str) -> dict[str, Any]:
    _, _, k = ref.partition(".")
    idx = int(k) - 1 if k.isdigit() else 0
    if not 0 <= idx < len(readings):
        raise _fail(doc_id, where, f"{ref!r}: the candidate has {len(readings)} readings")
    p = readings[idx]
    return {"country": p.country, "admin1": p.admin1 or None, "location": p.name, "latitude": p.latitude,
            "longitude": p.longitude, "geonameid": p.geonameid, "place_source": p.source}


def compile_coding(coding: dict[str, Any], sheet: Sheet, coder: str) -> dict[str, Any]:
    """The stored annotation of one article from its compact ``coding`` (see the module doc)."""
    doc = sheet.doc
    doc_id, text = doc.doc_id, doc.text
    if coding.get("doc") != doc_id:
        raise _fail(doc_id, "doc", f"the coding is for {coding.get('doc')!r}")
    unknown = set(coding) - {"doc", "s", "ev", "m", "x", "note"}
    if unknown:
        raise _fail(doc_id, "coding", f"unknown keys {sorted(unknown)}")
    n_sent = len(sheet.sentences)
    cands = sheet.by_key()
    raw_events = coding.get("ev") or []
    n_ev = len(raw_events)

    # sentence labels: unlisted sentences are "none"
    labels: list[list[Any]] = [[s, e, SentenceClass.NONE.value, None, None] for s, e in sheet.sentences]
    for k, v in (coding.get("s") or {}).items():
        if not str(k).isdigit() or int(k) >= n_sent:
            raise _fail(doc_id, f"s[{k}]", f"no such sentence (the sheet has {n_sent})")
        i = int(k)
        if v in SENTENCE_CODES:
            labels[i][2] = SENTENCE_CODES[v].value
        else:
            et, sub = _split_type(doc_id, f"s[{k}]", v)
            labels[i][2:5] = [SentenceClass.EVENT.value, et, sub]

    mentions: list[dict[str, Any]] = []
    roles = coding.get("m") or {}
    for key in roles:
        if key.split(".")[0] not in cands:
            raise _fail(doc_id, f"m[{key}]", "no such candidate on the sheet")
    tables = {"actor": ACTOR_CODES, "place": PLACE_CODES, "number": NUMBER_CODES}
    defaults = {"actor": ActorRole.NONE, "place": PlaceRole.OTHER, "number": NumberStatus.OTHER}
    for c in sheet.candidates:
        role, event = defaults[c.kind], None
        if c.key in roles:
            role, event = _role(doc_id, f"m[{c.key}]", roles[c.key], tables[c.kind], n_ev)
        value = c.value if c.kind != "place" else None
        mentions.append({"kind": c.kind, "span": [c.start, c.end], "role": role.value, "event": event,
                         "value": value, "from": "lexicon", "key": c.key})
    for j, x in enumerate(coding.get("x") or []):
        where = f"x[{j}]"
        kind = x.get("k")
        if kind not in tables:
            raise _fail(doc_id, where, f"kind {kind!r} is not actor, place or number")
        sent = x.get("s")
        if not isinstance(sent, int) or not 0 <= sent < n_sent:
            raise _fail(doc_id, where, f"sentence {sent!r} is not on the sheet")
        span = _find(text, str(x.get("q", "")), [sheet.sentences[sent]])
        if span is None or not x.get("q"):
            raise _fail(doc_id, where, f"{x.get('q')!r} is not in sentence {sent}")
        role, event = _role(doc_id, where, str(x.get("r", "")), tables[kind], n_ev)
        mentions.append({"kind": kind, "span": list(span), "role": role.value, "event": event,
                         "value": x.get("v"), "from": "coder", "key": f"X{j + 1}"})

    events: list[dict[str, Any]] = []
    for j, ev in enumerate(raw_events):
        where = f"ev[{j}]"
        et, sub = _split_type(doc_id, where, str(ev.get("t", "")))
        sents = ev.get("sents") or []
        if not sents or any(not isinstance(i, int) or not 0 <= i < n_sent for i in sents):
            raise _fail(doc_id, where, f"sents {sents!r}: give the evidence sentences' indices")
        evidence = [list(sheet.sentences[i]) for i in sorted(set(sents))]
        ev_spans = [tuple(x) for x in evidence]
        trig = ev.get("trig")
        trigger = _find(text, trig, ev_spans) if trig else None
        if trig and trigger is None:
            raise _fail(doc_id, where, f"trigger {trig!r} is not in the evidence sentences")
        dtext = ev.get("dtext")
        date_span = None
        if dtext:
            date_span = _find(text, dtext, ev_spans) or _find(text, dtext, [(0, len(text))])
            if date_span is None:
                raise _fail(doc_id, where, f"date text {dtext!r} is not in the article")
        day = ev.get("date")
        if day is not None:
            try:
                date.fromisoformat(day)
            except (TypeError, ValueError) as exc:
                raise _fail(doc_id, where, f"date {day!r} is not YYYY-MM-DD") from exc
        rec: dict[str, Any] = {
            "event_type": et, "sub_event_type": sub, "event_date": day,
            "time_precision": int(ev.get("tp", 1)),
            "actor1": ev.get("a1") or None, "actor2": ev.get("a2") or None,
            "assoc_actor_1": ev.get("as1") or "", "assoc_actor_2": ev.get("as2") or "",
            "country": None, "admin1": None, "location": None, "latitude": None, "longitude": None,
            "geonameid": None, "geo_precision": int(ev.get("gp", 1)),
            "fatalities": int(ev.get("deaths", 0)), "injuries": ev.get("inj"),
            "optional": bool(ev.get("opt", False)), "evidence": evidence,
            "trigger": list(trigger) if trigger else None,
            "date_span": list(date_span) if date_span else None,
            "note": ev.get("note", ""),
        }
        place = ev.get("place")
        if isinstance(place, str):
            key = place.split(".")[0]
            if key not in cands or cands[key].kind != "place":
                raise _fail(doc_id, where, f"place {place!r} is not a place candidate")
            rec.update(_place_fields(cands[key].readings, place, doc_id, where))
            rec["location_span"] = [cands[key].start, cands[key].end]
        elif isinstance(place, dict):
            for field in ("name", "cc", "lat", "lon"):
                if place.get(field) in (None, ""):
                    raise _fail(doc_id, where, f"a place given by hand needs {field!r}")
            rec.update({"country": place["cc"], "admin1": place.get("admin1"), "location": place["name"],
                        "latitude": float(place["lat"]), "longitude": float(place["lon"]),
                        "place_source": "coder"})
            if place.get("q"):
                span = _find(text, place["q"], ev_spans) or _find(text, place["q"], [(0, len(text))])
                if span is None:
                    raise _fail(doc_id, where, f"place text {place['q']!r} is not in the article")
                rec["location_span"] = list(span)
        elif place is not None:
            raise _fail(doc_id, where, "place is a candidate key ('P2.1') or a dict")
        elif ev.get("cc"):
            rec["country"] = ev["cc"]
        events.append(rec)
    # an event's role-bearing mentions must name an event that exists; statuses that belong to
    # an event must say which
    for m in mentions:
        if m["role"] in {s.value for s in EVENT_STATUSES} | {"actor1", "actor2", "assoc1", "assoc2",
                                                              "event_place"} and m["event"] is None:
            raise _fail(doc_id, m["key"], f"role {m['role']} needs its event ('@0')")
    return {"doc_id": doc_id, "coder": coder, "format": FORMAT_VERSION, "text_sha1": text_sha1(text),
            "published": doc.published.isoformat() if doc.published else None,
            "sentences": labels, "events": events, "mentions": mentions, "note": coding.get("note", "")}


def to_compact(rec: dict[str, Any], sheet: Sheet) -> dict[str, Any]:
    """A stored annotation back as the compact coding that makes it (for adjudication and
    for a reviewer's edits): sentence indices, candidate keys and quotes instead of offsets."""
    text = sheet.doc.text
    index = {(s, e): i for i, (s, e) in enumerate(sheet.sentences)}
    inverse = {"actor": {v.value: k for k, v in ACTOR_CODES.items()},
               "place": {v.value: k for k, v in PLACE_CODES.items()},
               "number": {v.value: k for k, v in NUMBER_CODES.items()}}
    defaults = {"actor": ActorRole.NONE.value, "place": PlaceRole.OTHER.value,
                "number": NumberStatus.OTHER.value}
    labels = {str(i): (f"{s[3]}|{s[4]}" if s[2] == SentenceClass.EVENT else
                       next(k for k, v in SENTENCE_CODES.items() if v.value == s[2]))
              for i, s in enumerate(rec["sentences"]) if s[2] != SentenceClass.NONE}
    events = []
    for e in rec.get("events") or []:
        ev: dict[str, Any] = {"t": f"{e['event_type']}|{e['sub_event_type']}", "date": e.get("event_date"),
                              "tp": e.get("time_precision", 1), "a1": e.get("actor1"), "a2": e.get("actor2"),
                              "gp": e.get("geo_precision", 1), "deaths": e.get("fatalities", 0),
                              "sents": [index.get(tuple(sp), -1) for sp in e["evidence"]]}
        for key, field in (("as1", "assoc_actor_1"), ("as2", "assoc_actor_2"), ("inj", "injuries"),
                           ("note", "note")):
            if e.get(field):
                ev[key] = e[field]
        if e.get("optional"):
            ev["opt"] = True
        if e.get("trigger"):
            ev["trig"] = text[e["trigger"][0]:e["trigger"][1]]
        if e.get("date_span"):
            ev["dtext"] = text[e["date_span"][0]:e["date_span"][1]]
        if e.get("location"):
            ev["place"] = {"name": e["location"], "cc": e.get("country"), "lat": e.get("latitude"),
                           "lon": e.get("longitude"), "admin1": e.get("admin1")}
            if e.get("location_span"):
                ev["place"]["q"] = text[e["location_span"][0]:e["location_span"][1]]
        elif e.get("country"):
            ev["cc"] = e["country"]
        events.append(ev)
    roles: dict[str, str] = {}
    extra = []
    for m in rec.get("mentions") or []:
        if m["role"] == defaults[m["kind"]]:
            continue
        code = inverse[m["kind"]][m["role"]] + (f"@{m['event']}" if m.get("event") is not None else "")
        if m.get("from") == "coder":
            extra.append({"k": m["kind"], "s": sheet.sentences.index(next(
                sp for sp in sheet.sentences if sp[0] <= m["span"][0] < sp[1])),
                "q": text[m["span"][0]:m["span"][1]],
                "r": code, **({"v": m["value"]} if m.get("value") else {})})
        else:
            roles[m["key"]] = code
    out: dict[str, Any] = {"doc": rec["doc_id"], "s": labels, "ev": events, "m": roles}
    if extra:
        out["x"] = extra
    return out
