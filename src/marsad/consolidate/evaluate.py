"""Scoring incidents against a consolidation gold (``annotations/incidents/<coder>.jsonl``).

Requires: gold incidents (format in docs/consolidation.md: each with its split, fatalities and
members, one per document and event, with evidence offsets into the document's text), the
shared corpus for their articles. Provides: :func:`evaluate_consolidation` (``marsad eval
--consolidation GOLD``): the pipeline extracts the gold articles of the split into an in-memory
store, :func:`marsad.consolidate.consolidate` groups them, and system events are matched to gold
members within each document, first by evidence overlap (characters shared), then by event type
and location. Clustering is scored over the matched events: pairwise precision and recall
(pairs of events put in one incident) and B-cubed (per event, the share of its system incident
that is in its gold incident, and the reverse). The fatalities of each gold incident are
compared with those of the system incident holding most of its matched members, and with the
naive sum of its members' events (what an analyst gets without consolidation).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.consolidate.incidents import consolidate
from marsad.consolidate.model import MergeModel
from marsad.errors import MarsadError
from marsad.model import Document, evidence_overlap
from marsad.store.sqlite import Store

log = logging.getLogger(__name__)


def _is_incident_file(path: Path) -> bool:
    """Whether the first record of a ``.jsonl`` file is a gold incident (a folder may also hold other
    files, e.g. an agreement sample of single members)."""
    with open(path, encoding="utf-8") as f:
        first = next((line for line in f if line.strip()), "")
    try:
        rec = json.loads(first)
    except ValueError:
        return True  # let load_gold report it
    return isinstance(rec, dict) and "incident" in rec and "members" in rec


def gold_files(path: str | Path) -> list[Path]:
    """The gold incident files of ``path``: the file itself, or a folder's ``*.jsonl`` holding incidents."""
    path = Path(path)
    if not path.is_dir():
        if not path.exists():
            raise MarsadError(f"{path}: no consolidation gold (a .jsonl file or a folder of them)")
        return [path]
    files = [f for f in sorted(path.glob("*.jsonl")) if _is_incident_file(f)]
    if not files:
        raise MarsadError(f"{path}: no consolidation gold (no .jsonl file of incidents)")
    skipped = sorted(set(path.glob("*.jsonl")) - set(files))
    if skipped:
        log.info("%s: not incident files, left out: %s", path, ", ".join(f.name for f in skipped))
    return files


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold incidents of a ``.jsonl`` file, or of every incident file in a folder (clear errors)."""
    out: list[dict[str, Any]] = []
    for f in gold_files(path):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                for key in ("incident", "split", "members"):
                    rec[key]  # noqa: B018 (checks the field is there)
            except (ValueError, KeyError, TypeError) as exc:
                raise MarsadError(f"{f}:{n}: not a gold incident ({exc})") from exc
            out.append(rec)
    return out


def select(incidents: Iterable[Mapping[str, Any]], split: str) -> list[Mapping[str, Any]]:
    if split not in ("train", "test", "all"):
        raise MarsadError(f"unknown split {split!r} (train, test or all)")
    return [i for i in incidents if split == "all" or i["split"] == split]


def match_members(incidents: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
                  ) -> tuple[dict[str, tuple[int, int]], int]:
    """System event id -> (index of its gold incident in ``incidents``, index of the member), one to
    one within each document; and the number of gold members left unmatched. Evidence overlap first
    (largest first), then type + location."""
    gold_by_doc: dict[str, list[tuple[tuple[int, int], Mapping[str, Any], Mapping[str, Any]]]] = \
        defaultdict(list)
    for i, inc in enumerate(incidents):
        for j, m in enumerate(inc["members"]):
            gold_by_doc[m["doc_id"]].append(((i, j), inc, m))
    sys_by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for e in events:
        sys_by_doc[e["doc_id"]].append(e)
    matched: dict[str, tuple[int, int]] = {}
    unmatched = 0
    for doc_id, golds in gold_by_doc.items():
        systems = sys_by_doc.get(doc_id, [])
        pairs = sorted(((evidence_overlap(g[2].get("evidence") or [], e.get("evidence") or []), gi, si)
                        for gi, g in enumerate(golds) for si, e in enumerate(systems)), key=lambda t: -t[0])
        used_g: set[int] = set()
        used_s: set[int] = set()
        for ov, gi, si in pairs:
            if ov > 0 and gi not in used_g and si not in used_s:
                used_g.add(gi)
                used_s.add(si)
                matched[systems[si]["event_id"]] = golds[gi][0]
        for gi, (key, inc, m) in enumerate(golds):  # fallback: the same type and place
            if gi in used_g:
                continue
            etype = m.get("event_type") or inc.get("event_type")
            loc = (m.get("location") or inc.get("location") or "").casefold()
            for si, e in enumerate(systems):
                if (si not in used_s and e["event_type"] == etype
                        and (e.get("location") or "").casefold() == loc):
                    used_g.add(gi)
                    used_s.add(si)
                    matched[e["event_id"]] = key
                    break
            else:
                unmatched += 1
    return matched, unmatched


def match_events(incidents: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
                 ) -> tuple[dict[str, str], int]:
    """System event id -> gold incident id (:func:`match_members`), and the gold members unmatched."""
    members, unmatched = match_members(incidents, events)
    return {e: incidents[i]["incident"] for e, (i, _) in members.items()}, unmatched


def pairwise(gold: Mapping[str, str], system: Mapping[str, str]) -> dict[str, float]:
    """Pairwise P, R, F1 of two clusterings of the same items (item -> cluster)."""
    def same_pairs(labels: Mapping[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for item, c in labels.items():
            groups[c].append(item)
        return {(a, b) for g in groups.values() for i, a in enumerate(sorted(g)) for b in sorted(g)[i + 1:]}

    g, s = same_pairs(gold), same_pairs(system)
    tp = len(g & s)
    p = tp / len(s) if s else 1.0
    r = tp / len(g) if g else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "gold_pairs": len(g), "system_pairs": len(s)}


def pairwise_macro(gold: Mapping[str, str], system: Mapping[str, str]) -> dict[str, float]:
    """Pairwise P, R, F1 averaged per incident: recall is the mean over gold clusters of two or more
    of the share of their pairs kept together, precision the mean over system clusters of two or more
    of the share of their pairs that are one gold cluster's. Pooled pairs grow with the square of a
    cluster's size, so one story retold by twenty reports outweighs dozens of incidents; here each
    incident weighs the same."""
    def shares(labels: Mapping[str, str], other: Mapping[str, str]) -> list[float]:
        groups: dict[str, list[str]] = defaultdict(list)
        for item, c in labels.items():
            groups[c].append(item)
        out = []
        for items in groups.values():
            n = len(items)
            if n < 2:
                continue
            together = Counter(other[i] for i in items)
            out.append(sum(k * (k - 1) for k in together.values()) / (n * (n - 1)))
        return out

    rs, ps = shares(gold, system), shares(system, gold)
    r = sum(rs) / len(rs) if rs else 1.0
    p = sum(ps) / len(ps) if ps else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def bcubed(gold: Mapping[str, str], system: Mapping[str, str]) -> dict[str, float]:
    """B-cubed P, R, F1 (Bagga and Baldwin) of two clusterings of the same items."""
    if not gold:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    both = Counter((gold[i], system[i]) for i in gold)
    g_size, s_size = Counter(gold.values()), Counter(system.values())
    p = sum(both[(gold[i], system[i])] / s_size[system[i]] for i in gold) / len(gold)
    r = sum(both[(gold[i], system[i])] / g_size[gold[i]] for i in gold) / len(gold)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


@dataclass
class ConsolidationReport:
    split: str
    incidents: int  # gold incidents of the split
    members: int  # their members (document, event)
    matched: int
    unmatched_gold: int
    unmatched_system: int  # system events in the gold articles that match no gold member
    pairwise: dict[str, float] = field(default_factory=dict)
    bcubed: dict[str, float] = field(default_factory=dict)
    fatalities: dict[str, float] = field(default_factory=dict)
    pairwise_macro: dict[str, float] = field(default_factory=dict)  # per incident (pairwise_macro())

    def format(self) -> str:
        pw, b3, f = self.pairwise, self.bcubed, self.fatalities
        return "\n".join([
            f"consolidation gold, split {self.split}: {self.incidents} incidents, {self.members} members",
            f"matched system events  {self.matched} (gold members unmatched: {self.unmatched_gold}; "
            f"system events in the gold articles unmatched: {self.unmatched_system})",
            f"pairwise   P {pw['precision']:.3f}  R {pw['recall']:.3f}  F1 {pw['f1']:.3f}  "
            f"(gold pairs {pw['gold_pairs']}, system pairs {pw['system_pairs']})",
            *([f"pairwise per incident  P {self.pairwise_macro['precision']:.3f}  "
               f"R {self.pairwise_macro['recall']:.3f}  F1 {self.pairwise_macro['f1']:.3f}"]
              if self.pairwise_macro else []),
            f"B-cubed    P {b3['precision']:.3f}  R {b3['recall']:.3f}  F1 {b3['f1']:.3f}",
            f"fatalities over {f.get('incidents', 0)} gold incidents with a toll and a matched member: "
            f"mean abs error {f.get('mae_consolidated', 0):.2f} consolidated "
            f"(exact {f.get('exact_consolidated', 0):.3f})"
            f", {f.get('mae_summed', 0):.2f} summing the reports (exact {f.get('exact_summed', 0):.3f}); "
            f"totals gold {f.get('gold_total', 0)}, consolidated {f.get('consolidated_total', 0)}, "
            f"summed {f.get('summed_total', 0)}",
        ])


def extract_into(store: Store, docs: Iterable[Document], *, ner: bool = True) -> None:
    """Run the pipeline over ``docs`` and store their events (no duplicate check: each gold
    article is scored as itself)."""
    from marsad.pipeline import Pipeline

    for a in Pipeline.default(ner=ner, events_only=True).pipe(docs):
        store.add_result(a.doc, a.events)


def score(incidents: Sequence[Mapping[str, Any]], store: Store, split: str,
          matched: Mapping[str, str] | None = None, unmatched: int | None = None) -> ConsolidationReport:
    """Compare a consolidated store holding the gold articles with the gold incidents (``matched``:
    event id -> gold incident id when known, as for oracle events; else by :func:`match_events`)."""
    events = list(store.iter_event_rows())
    if matched is None:
        matched, unmatched = match_events(incidents, events)
    elif unmatched is None:
        unmatched = sum(len(i["members"]) for i in incidents) - len(matched)
    system = {e["event_id"]: e["incident_id"] or e["event_id"] for e in events}
    gold = dict(matched)
    sys_labels = {e: system[e] for e in gold}
    docs = {m["doc_id"] for inc in incidents for m in inc["members"]}
    n_sys = sum(1 for e in events if e["doc_id"] in docs)
    # fatalities: the system incident holding most of the gold incident's matched members
    by_gold: dict[str, list[str]] = defaultdict(list)
    for e, g in gold.items():
        by_gold[g].append(e)
    sys_fat = {r["incident_id"]: r["fatalities"] for r in store.iter_incidents()}
    ev_fat = {e["event_id"]: e.get("fatalities") or 0 for e in events}
    errs_c, errs_s, tot = [], [], Counter()
    for inc in incidents:
        if inc.get("fatalities") is None or not by_gold.get(inc["incident"]):
            continue
        members = by_gold[inc["incident"]]
        main = Counter(system[e] for e in members).most_common(1)[0][0]
        cons = sys_fat.get(main, ev_fat.get(main, 0))
        summed = sum(ev_fat[e] for e in members)
        errs_c.append(abs(cons - inc["fatalities"]))
        errs_s.append(abs(summed - inc["fatalities"]))
        tot.update(gold_total=inc["fatalities"], consolidated_total=cons, summed_total=summed)
    n = len(errs_c)
    fat = {"incidents": n, **tot,
           "mae_consolidated": sum(errs_c) / n if n else 0.0, "mae_summed": sum(errs_s) / n if n else 0.0,
           "exact_consolidated": sum(1 for x in errs_c if x == 0) / n if n else 0.0,
           "exact_summed": sum(1 for x in errs_s if x == 0) / n if n else 0.0}
    # distinct ids: a line of one file may add members to another file's incident (g4's, by its id)
    return ConsolidationReport(split, len({i["incident"] for i in incidents}),
                               sum(len(i["members"]) for i in incidents), len(gold),
                               unmatched, n_sys - len(gold), pairwise(gold, sys_labels),
                               bcubed(gold, sys_labels), fat, pairwise_macro(gold, sys_labels))


def gold_store(incidents: Sequence[Mapping[str, Any]], *, ner: bool = True) -> Store:
    """An in-memory store holding the events the pipeline extracts from the gold articles."""
    from marsad.annotations.corpus import load_articles

    ids = sorted({m["doc_id"] for inc in incidents for m in inc["members"]})
    docs = load_articles(ids)
    store = Store.open(":memory:")
    extract_into(store, (docs[i] for i in ids), ner=ner)
    return store


ORACLES = ("all", "matched")


def evaluate_consolidation(path: str | Path, *, split: str = "test", ner: bool = True,
                           model: MergeModel | None = None, oracle: str | None = None) -> ConsolidationReport:
    """``marsad eval --consolidation GOLD``: extract, consolidate and score the split's articles.

    ``oracle="all"``: consolidate the gold members' own events (their coded fields,
    :mod:`marsad.consolidate.oracle`) instead of the extracted ones: what the merge decision reaches
    with perfect extraction. ``oracle="matched"``: only the members the extraction matches, with their
    gold fields (the same reports as the real run, without its field errors)."""
    from marsad.consolidate.oracle import oracle_store

    if oracle not in (None, *ORACLES):
        raise MarsadError(f"unknown oracle {oracle!r} ({' or '.join(ORACLES)})")
    incidents = select(load_gold(path), split)
    if not incidents:
        raise MarsadError(f"{path}: no gold incident in split {split!r}")
    if oracle is None:
        with gold_store(incidents, ner=ner) as store:
            consolidate(store, model=model)
            return score(incidents, store, split)
    keys = None
    unmatched = 0
    if oracle == "matched":
        with gold_store(incidents, ner=ner) as store:
            members, unmatched = match_members(incidents, list(store.iter_event_rows()))
            keys = list(members.values())
    ostore, labels = oracle_store(incidents, keys)
    with ostore:
        consolidate(ostore, model=model)
        return score(incidents, ostore, f"{split}, oracle events ({oracle})", labels,
                     unmatched if oracle == "matched" else None)


__all__ = ["ORACLES", "ConsolidationReport", "bcubed", "evaluate_consolidation", "gold_files", "gold_store",
           "load_gold", "match_events", "match_members", "pairwise", "pairwise_macro", "score", "select"]
