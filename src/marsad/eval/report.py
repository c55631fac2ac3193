"""Evaluation on a gold file: the scorer's figures, an error list, confidence calibration.

Requires: gold documents (spec/events.md §6) and predicted event records (dicts).
Provides: ``EvalReport`` with the reference scorer's summary, missed / spurious events
with their evidence, and precision per confidence band (is higher confidence more precise?).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from marsad.eval.scorer import format_summary, match_doc, score
from marsad.model import Drop

CONFIDENCE_BANDS = ((0.0, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 1.01))


@dataclass
class EvalReport:
    summary: dict
    missed: list[dict] = field(default_factory=list)  # gold events no prediction matched
    spurious: list[dict] = field(default_factory=list)  # predictions matching no gold event
    calibration: list[tuple[str, int, float | None]] = field(default_factory=list)
    # per document, the candidates the pipeline dropped: (reason, type, sub-type, sentence text)
    drops: dict[str, list[tuple[str, str | None, str | None, str]]] = field(default_factory=dict)

    def format(self, *, errors: bool = False) -> str:
        lines = [format_summary(self.summary), "", "confidence band       events  precision"]
        for band, n, p in self.calibration:
            lines.append(f"{band:20s} {n:7d}  {'-' if p is None else f'{p:.3f}'}")
        if errors:
            lines += ["", f"missed gold events ({len(self.missed)}):"]
            for g in self.missed:
                lines.append(f"  {g['doc_id']}  {g.get('event_type')} / {g.get('sub_event_type')}  "
                             f"{g.get('location')}  {g.get('event_date')}  "
                             f"{g.get('actor1')} vs {g.get('actor2')}  "
                             f"killed={g.get('fatalities')}")
                # what removed it, where the pipeline dropped a candidate of its type (or an untyped one)
                for reason, etype, sub, sentence in self.drops.get(g["doc_id"], []):
                    if etype in (None, g.get("event_type")) or reason.startswith("retyped:"):
                        lines.append(f"      dropped [{reason}] {etype or ''} / {sub or ''}: "
                                     f"{sentence[:120]!r}")
            lines += ["", f"spurious predicted events ({len(self.spurious)}):"]
            for p in self.spurious:
                lines.append(f"  {p['doc_id']}  {p.get('event_type')} / {p.get('sub_event_type')}  "
                             f"{p.get('location')}  {p.get('event_date')}  "
                             f"{p.get('actor1')} vs {p.get('actor2')}  "
                             f"killed={p.get('fatalities')}  conf={p.get('confidence')}  "
                             f"evidence={p.get('evidence_text', '')[:160]!r}")
        return "\n".join(lines)


def evaluate(gold_docs: list[dict], predictions: Iterable[dict],
             drops: dict[str, list[Drop]] | None = None) -> EvalReport:
    """Score predictions against gold, list errors (with the named reasons of the candidates
    dropped in each document, when ``drops`` is given) and measure calibration."""
    preds = list(predictions)
    summary, _ = score(gold_docs, preds)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for p in preds:
        by_doc[str(p.get("doc_id"))].append(p)
    # predictions' offsets refer to title + blank line + body, as the pipeline reads a gold record
    texts = {str(d["doc_id"]): (f"{d['title']}\n\n{d.get('text', '')}" if d.get("title")
                                else d.get("text", ""))
             for d in gold_docs}
    report = EvalReport(summary)
    for doc_id, ds in (drops or {}).items():
        text = texts.get(doc_id, "")
        report.drops[doc_id] = [(d.reason, d.event_type, d.sub_event_type, text[d.span[0]:d.span[1]])
                                for d in ds]
    band_hits: dict[int, list[bool]] = defaultdict(list)
    for d in gold_docs:
        doc_id = str(d["doc_id"])
        golds, ps = d.get("events", []), by_doc.get(doc_id, [])
        pairs = match_doc(golds, ps)
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        for i, g in enumerate(golds):
            if i not in matched_g and not g.get("optional"):
                report.missed.append({"doc_id": doc_id, **g})
        for j, p in enumerate(ps):
            ok = j in matched_p
            band = _band(p.get("confidence"))
            band_hits[band].append(ok)
            if not ok:
                ev = " | ".join(_evidence_text(texts.get(doc_id, ""), p.get("evidence") or []))
                report.spurious.append({**p, "evidence_text": ev})
    for k, (lo, hi) in enumerate(CONFIDENCE_BANDS):
        hits = band_hits.get(k, [])
        report.calibration.append((f"[{lo:.1f}, {min(hi, 1.0):.1f})", len(hits),
                                   sum(hits) / len(hits) if hits else None))
    return report


def _band(conf: object) -> int:
    try:
        c = float(conf)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    for k, (lo, hi) in enumerate(CONFIDENCE_BANDS):
        if lo <= c < hi:
            return k
    return 0


def _evidence_text(text: str, evidence: list) -> list[str]:
    """The evidence spans, resolved against the text as the gold gives it (title + body)."""
    return [text[s:e] for s, e in evidence if 0 <= s < e <= len(text)]


def side_by_side(summaries: list[tuple[str, dict]]) -> str:
    """The scorer's figures of several gold sets in columns."""
    keys = list(summaries[0][1])
    width = max(12, *(len(n) + 2 for n, _ in summaries))
    lines = [f"{'':36s}" + "".join(f"{n:>{width}s}" for n, _ in summaries)]
    for k in keys:
        lines.append(f"{k:36s}" + "".join(f"{'-' if s.get(k) is None else s.get(k)!s:>{width}s}"
                                          for _, s in summaries))
    return "\n".join(lines)
