"""Counts of the training corpus and its agreement figures (``marsad annotations stats``).

An article coded twice counts once: its adjudicated annotation (coder ``adj``) where one
exists, else its first coder's (``select``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from marsad.annotations.agreement import agreement, to_gold
from marsad.annotations.corpus import (
    ANNOTATIONS,
    SHARED,
    SampleRow,
    heldout_checksum,
    load_articles,
    read_annotations,
    read_heldout,
    read_sample,
)
from marsad.annotations.extra import merged


def by_article(records: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in records:
        out.setdefault(r["doc_id"], {})[r["coder"]] = r
    return out


def select(codings: dict[str, dict[str, Any]], order: tuple[str, ...]) -> dict[str, Any]:
    """The annotation an article counts with: adjudicated, else the first coder's, else any."""
    if "adj" in codings:
        return codings["adj"]
    for c in order:
        if c in codings:
            return codings[c]
    return codings[sorted(codings)[0]]


#: the sample's rows, and every coded article's annotations by coder
Coded = tuple[dict[str, SampleRow], dict[str, dict[str, dict[str, Any]]]]


def read_coded(folder: Path = ANNOTATIONS) -> Coded:
    """The sample and the stored codings, read once for the functions below."""
    return read_sample(folder), by_article(list(read_annotations(folder)))


def final_annotations(folder: Path = ANNOTATIONS, coded: Coded | None = None,
                      extra: Sequence[Mapping[str, Any]] = ()) -> dict[str, dict[str, Any]]:
    """One annotation per coded article (see :func:`select`), ``extra`` annotations (read by
    :func:`marsad.annotations.extra.read_extra`) among the codings."""
    sample, articles = coded or read_coded(folder)
    if extra:
        articles = merged(articles, extra)
    return {doc: select(codings, sample[doc].coders if doc in sample else ())
            for doc, codings in articles.items()}


def double_coded_pairs(folder: Path = ANNOTATIONS,
                       coded: Coded | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(first coder's, second coder's) annotation of each article both coded."""
    sample, articles = coded or read_coded(folder)
    pairs = []
    for doc, codings in sorted(articles.items()):
        coders = sample[doc].coders if doc in sample else ()
        if len(coders) >= 2 and coders[0] in codings and coders[1] in codings:
            pairs.append((codings[coders[0]], codings[coders[1]]))
    return pairs


def corpus_stats(folder: Path = ANNOTATIONS, shared: Path = SHARED) -> dict[str, Any]:
    coded = read_coded(folder)
    sample, articles = coded
    final = final_annotations(folder, coded)
    heldout = set(read_heldout(folder))
    pairs = double_coded_pairs(folder, coded)
    classes: Counter[str] = Counter()
    types: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    for rec in final.values():
        for s in rec["sentences"]:
            classes[s[2]] += 1
            if s[2] == "event":
                types[s[3]] += 1
        for m in rec.get("mentions") or []:
            roles[f"{m['kind']}:{m['role']}"] += 1
    texts: dict[str, str] = {}
    if (shared / "corpus").exists() and pairs:
        texts = {i: d.text for i, d in load_articles({a["doc_id"] for a, _ in pairs}, shared).items()}
    agree = agreement(pairs, texts) if pairs else None
    by_wave: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for a, b in pairs:
        by_wave.setdefault(wave_of(sample[a["doc_id"]].stratum), []).append((a, b))
    events = [e for rec in final.values() for e in rec.get("events") or []]
    strata = Counter(sample[d].stratum for d in final if d in sample)
    prefix = Counter(d.split("-")[1] if d.startswith("ant-") else "snn-2015" for d in final)
    return {
        "articles": len(final),
        "sentences": sum(len(r["sentences"]) for r in final.values()),
        "heldout_articles": len(heldout & set(final)),
        "heldout_frozen": len(heldout),
        "heldout_sha256": heldout_checksum(folder),
        "double_coded_articles": len(pairs),
        "sentence_kappa": round(agree["sentence_kappa"], 3) if agree and agree["sentence_kappa"] is not None
        else None,
        "sentence_kappa_type": round(agree["sentence_kappa_type"], 3)
        if agree and agree["sentence_kappa_type"] is not None else None,
        "sentence_kappa_event_binary": round(agree["sentence_kappa_event_binary"], 3)
        if agree and agree["sentence_kappa_event_binary"] is not None else None,
        "intercoder_event_f1": agree["events"]["event_f1"] if agree else None,
        "intercoder_events": agree["events"] if agree else None,
        # each wave was coded by its own coders (waves 3 and 4 in another session): its own figures
        "agreement_by_wave": {w: _agreement_line(agreement(ps, texts)) for w, ps in sorted(by_wave.items())},
        "classes": dict(sorted(classes.items())),
        "event_sentence_types": dict(sorted(types.items())),
        "events": len(events),
        "required_events": sum(1 for e in events if not e.get("optional")),
        "articles_with_events": sum(1 for r in final.values() if r.get("events")),
        "mention_roles": dict(sorted(roles.items())),
        "strata": dict(sorted(strata.items())),
        "sources": dict(sorted(prefix.items())),
        "coders": dict(sorted(Counter(c for codings in articles.values() for c in codings).items())),
    }


def wave_of(stratum: str) -> str:
    """The sampling wave of a stratum ("wave2-random-2018" -> "wave2"; the first wave's have no prefix)."""
    head = stratum.split("-", 1)[0]
    return head if head.startswith("wave") else "wave1"


def _agreement_line(agree: dict[str, Any]) -> str:
    ev = agree["events"]
    kappa = agree["sentence_kappa"]
    return (f"{agree['articles']} articles, sentence kappa {kappa if kappa is None else round(kappa, 3)}, "
            f"event F1 {ev['event_f1']} ({ev['gold_events']} events of the first coder)")


def format_stats(stats: dict[str, Any]) -> str:
    lines = []
    for k, v in stats.items():
        if isinstance(v, dict):
            lines.append(f"{k}:")
            lines += [f"  {kk:40s} {vv}" for kk, vv in v.items()]
        else:
            lines.append(f"{k:42s} {v}")
    return "\n".join(lines)


def gold_documents(split: str = "heldout", folder: Path = ANNOTATIONS, shared: Path = SHARED,
                   extra: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The coded articles of ``split`` ("heldout" or "train") as gold documents of spec §6,
    with their text, title and publication date from the shared corpus (what ``marsad eval``
    reads); ``extra`` annotations count for the training split only."""
    heldout = set(read_heldout(folder))
    final = final_annotations(folder, extra=extra if split == "train" else ())
    ids = sorted(d for d in final if (d in heldout) == (split == "heldout"))
    docs = load_articles(ids, shared)
    out = []
    for i in ids:
        doc = docs[i]
        g = to_gold(final[i], doc.text)
        body = doc.text[len(doc.title) + 2:] if doc.title else doc.text
        g.update({"text": body, "title": doc.title, "outlet": doc.outlet, "url": doc.url,
                  "published": doc.published.isoformat() if doc.published else None})
        out.append(g)
    return out
