"""How reproducible the consolidation gold is: a third coder's grouping against g1's and g2's.

The consolidation gold (``annotations/incidents/g1.jsonl``, ``g2.jsonl``) groups event reports
(members: one per article and event) into incidents. A third coder regroups a sample of members
blind, and the two groupings are compared with the clustering scores of issue #14: pairwise and
B-cubed precision, recall and F1. The scores are written here from their definitions, on purpose
independent of marsad's consolidation code, so that a bug there cannot hide in its own yardstick.

The sample is whole (country, ISO week) blocks of incidents, drawn at random with a fixed seed
until about ``target`` members: every member that could join another (same country and week) is
in the sample together with it, so a missed merge cannot fall outside the sample.

``python -m marsad.annotations.incidents_agreement`` prints the figures and the disagreements.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from marsad.annotations.corpus import ANNOTATIONS, AnnotationError, load_articles

log = logging.getLogger(__name__)

INCIDENTS = ANNOTATIONS / "incidents"
SEED = 20261207
TARGET = 150

#: a member is one (article, event). Its document and evidence spans alone do not identify it (one
#: sentence can carry two events: a town taken and an agreement), so the coded fields come too.
MEMBER_FIELDS = ("event_date", "event_type", "sub_event_type", "location", "actor1", "actor2")
MemberKey = tuple[Any, ...]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _check_same_items(gold: Mapping[Hashable, Hashable], pred: Mapping[Hashable, Hashable]) -> None:
    if gold.keys() != pred.keys():
        only_gold, only_pred = gold.keys() - pred.keys(), pred.keys() - gold.keys()
        first = min(only_gold or only_pred, key=repr)
        raise ValueError(f"the two groupings cover different items ({len(only_gold)} only in gold, "
                         f"{len(only_pred)} only in the other; first: {first!r})")


def same_cluster_pairs(assign: Mapping[Hashable, Hashable]) -> set[frozenset[Hashable]]:
    """Every unordered pair of items that share a cluster."""
    clusters: dict[Hashable, list[Hashable]] = defaultdict(list)
    for item, cluster in assign.items():
        clusters[cluster].append(item)
    return {frozenset(p) for items in clusters.values() for p in combinations(items, 2)}


def pairwise(gold: Mapping[Hashable, Hashable], pred: Mapping[Hashable, Hashable],
             skip: Callable[[frozenset[Hashable]], bool] | None = None) -> Scores:
    """Precision / recall / F1 of the same-cluster pairs of ``pred`` against those of ``gold``.

    ``skip`` leaves pairs out of both sides (e.g. two copies of one text, which no coder can split).
    With no pair on a side the score of that side is 1 (nothing claimed, nothing wrong), as usual.
    """
    _check_same_items(gold, pred)
    g, p = same_cluster_pairs(gold), same_cluster_pairs(pred)
    if skip is not None:
        g, p = {x for x in g if not skip(x)}, {x for x in p if not skip(x)}
    both = len(g & p)
    precision = both / len(p) if p else 1.0
    recall = both / len(g) if g else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed(gold: Mapping[Hashable, Hashable], pred: Mapping[Hashable, Hashable]) -> Scores:
    """B-cubed (Bagga & Baldwin 1998): per item, the overlap of its two clusters, averaged over items."""
    _check_same_items(gold, pred)
    if not gold:
        return Scores(1.0, 1.0, 1.0)
    g_members: dict[Hashable, set[Hashable]] = defaultdict(set)
    p_members: dict[Hashable, set[Hashable]] = defaultdict(set)
    for item in gold:
        g_members[gold[item]].add(item)
        p_members[pred[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        g, p = g_members[gold[item]], p_members[pred[item]]
        overlap = len(g & p)
        precision += overlap / len(p)
        recall += overlap / len(g)
    precision, recall = precision / len(gold), recall / len(gold)
    return Scores(precision, recall, _f1(precision, recall))


# --- the sample ---------------------------------------------------------------------------------


def read_incidents(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def member_key(member: Mapping[str, Any]) -> MemberKey:
    """doc_id, evidence spans and the coded fields of a member (a line of either file)."""
    spans = tuple((int(a), int(b)) for a, b in member["evidence"])
    return (member["doc_id"], spans, *(member.get(k) for k in MEMBER_FIELDS))


def block_of(incident: Mapping[str, Any]) -> tuple[str, int, int]:
    """(country, ISO year, ISO week) of an incident: the unit the gold's split and the sample use."""
    year, week, _ = date.fromisoformat(incident["event_date"]).isocalendar()
    return incident["country"] or "", year, week


def draw_blocks(incidents: Iterable[Mapping[str, Any]], seed: int = SEED,
                target: int = TARGET) -> list[tuple[str, int, int]]:
    """Whole (country, week) blocks in a seeded random order until they hold ``target`` members."""
    size: dict[tuple[str, int, int], int] = defaultdict(int)
    for inc in incidents:
        size[block_of(inc)] += len(inc["members"])
    blocks = sorted(size)  # sorted first: the draw depends on the seed only, not on file order
    random.Random(seed).shuffle(blocks)
    chosen, total = [], 0
    for b in blocks:
        if total >= target:
            break
        chosen.append(b)
        total += size[b]
    return chosen


def gold_assignment(incidents: Iterable[Mapping[str, Any]],
                    blocks: Iterable[tuple[str, int, int]]) -> dict[MemberKey, str]:
    """Member → incident id for the incidents of the chosen blocks."""
    wanted = set(blocks)
    out: dict[MemberKey, str] = {}
    for inc in incidents:
        if block_of(inc) in wanted:
            for m in inc["members"]:
                key = member_key(m)
                if key in out:
                    raise AnnotationError(f"member {key} is in two incidents ({out[key]}, {inc['incident']})")
                out[key] = inc["incident"]
    return out


def read_grouping(path: Path) -> dict[MemberKey, str]:
    """The third coder's file: one line per sampled member with its ``group``."""
    return {member_key(r): str(r["group"]) for r in read_incidents(path)}


def disagreements(gold: Mapping[MemberKey, str], pred: Mapping[MemberKey, str]) -> dict[str, set[frozenset]]:
    """The pairs one grouping joins and the other keeps apart."""
    g, p = same_cluster_pairs(gold), same_cluster_pairs(pred)
    return {"only_gold": g - p, "only_pred": p - g}


def label(key: MemberKey) -> str:
    """A member in one line: doc, spans, date, sub-type and place."""
    doc, spans, day, _, sub, place, *_ = key
    return f"{doc}{[list(s) for s in spans]} {day} {sub} @{place}"


def compare(gold: Mapping[MemberKey, str], pred: Mapping[MemberKey, str],
            texts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Both scores, the counts behind them and every disagreeing pair, JSON-ready.

    With the articles' ``texts``, the pairwise scores are also given over the pairs whose two
    articles differ in text: pairs of one story posted twice agree trivially and flatter the figure.
    """
    pw, b3 = pairwise(gold, pred), bcubed(gold, pred)
    diff = disagreements(gold, pred)
    extra: dict[str, Any] = {}
    if texts is not None:
        def same_text(pair: frozenset[Hashable]) -> bool:
            a, b = (texts[k[0]] for k in pair)  # type: ignore[index]
            return a == b
        extra = {"pairwise_distinct_texts": vars(pairwise(gold, pred, skip=same_text)),
                 "pairs_gold_distinct_texts": sum(not same_text(x) for x in same_cluster_pairs(gold))}
    return {
        "members": len(gold), "gold_incidents": len(set(gold.values())), "g3_groups": len(set(pred.values())),
        "pairs_gold": len(same_cluster_pairs(gold)), "pairs_g3": len(same_cluster_pairs(pred)),
        "pairwise": vars(pw), "bcubed": vars(b3),
        "disagreements": [{"side": side, "a": label(a), "b": label(b), "gold": [gold[a], gold[b]],
                           "g3": [pred[a], pred[b]]}
                          for side in ("only_gold", "only_pred")
                          for a, b in sorted((tuple(sorted(pair, key=repr)) for pair in diff[side]),
                                             key=repr)],
        **extra,
    }


def subsets(incidents: list[dict[str, Any]], gold: Mapping[MemberKey, str]) -> dict[str, set[MemberKey]]:
    """The sampled members by gold file, and those that are not optional (g1 marks optional events)."""
    optional = {member_key(m) for inc in incidents for m in inc["members"] if m.get("optional")}
    return {
        "all": set(gold),
        "g1": {k for k, v in gold.items() if v.startswith("g1-")},
        "g2": {k for k, v in gold.items() if v.startswith("g2-")},
        "no optional": set(gold) - optional,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m marsad.annotations.incidents_agreement",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--folder", type=Path, default=INCIDENTS)
    ap.add_argument("--coder", default="g3-agreement.jsonl", help="the third coder's grouping file")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--target", type=int, default=TARGET)
    ap.add_argument("--blocks", nargs="+", metavar="'CC YYYY-Www'",
                    help="score these (country, ISO week) blocks instead of the seeded draw (g4's sample)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-texts", action="store_true",
                    help="do not read the articles (../shared) to score the pairs of distinct texts apart")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        incidents = read_incidents(args.folder / "g1.jsonl") + read_incidents(args.folder / "g2.jsonl")
        blocks = ([(c, int(w[:4]), int(w[6:])) for c, w in (b.split() for b in args.blocks)] if args.blocks
                  else draw_blocks(incidents, args.seed, args.target))
        gold = gold_assignment(incidents, blocks)
        pred = read_grouping(args.folder / args.coder)
        _check_same_items(gold, pred)
        texts = None
        if not args.no_texts:
            texts = {d: doc.text for d, doc in load_articles({k[0] for k in gold}).items()}
    except (OSError, ValueError, KeyError, AnnotationError) as e:  # a missing file, a bad line, a gap
        log.error("incidents_agreement: %s", e)
        return 2
    result: dict[str, Any] = {"blocks": [f"{c} {y}-W{w:02d}" for c, y, w in sorted(blocks)]}
    for name, keep in subsets(incidents, gold).items():
        result[name] = compare({k: gold[k] for k in keep}, {k: pred[k] for k in keep}, texts)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    log.info("sample (seed %d): %d (country, ISO week) blocks: %s", args.seed, len(blocks),
             ", ".join(result["blocks"]))
    for name in ("all", "g1", "g2", "no optional"):
        r = result[name]
        pw, b3 = r["pairwise"], r["bcubed"]
        log.info("%-16s members %3d  gold incidents %3d  g3 groups %3d  pairwise P %.3f R %.3f F1 %.3f"
                 "  B-cubed P %.3f R %.3f F1 %.3f", name, r["members"], r["gold_incidents"], r["g3_groups"],
                 pw["precision"], pw["recall"], pw["f1"], b3["precision"], b3["recall"], b3["f1"])
        if "pairwise_distinct_texts" in r:
            d = r["pairwise_distinct_texts"]
            log.info("%-16s pairwise over the %d gold pairs of distinct texts: P %.3f R %.3f F1 %.3f", "",
                     r["pairs_gold_distinct_texts"], d["precision"], d["recall"], d["f1"])
    for d in result["all"]["disagreements"]:
        joined = "gold joins, g3 splits" if d["side"] == "only_gold" else "g3 joins, gold splits"
        log.info("%s: %s (%s) + %s (%s); g3 %s", joined, d["a"], d["gold"][0], d["b"], d["gold"][1],
                 "/".join(d["g3"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
