"""Sentence-level detection: is a sentence, read alone, a report of an attack or a protest?

Some users run marsad on single sentences (a wire headline, a feed item), and the learned-decisions
issue (#13) sets targets for it: detection F1 for attacks and for protests. This module measures
it on the coded sentences of an annotated split (by default the frozen held-out split: measured,
never tuned on). Each coded sentence becomes a document of its own (its article's publication
date, no title); the pipeline's events on it are the prediction.

- **attack**: a sentence coded as a current event of type Battles, Explosions/Remote violence or
  Violence against civilians; predicted when the pipeline gives the sentence an event of one of
  those types;
- **protest**: a current event of type Protests or Riots, predicted likewise;
- **event**: a current event of any type, predicted when the pipeline gives any event.

Background, running totals, threats and commentary are negatives: a sentence that tells of an
attack in 2011 is not an attack to code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from marsad.model import Document

log = logging.getLogger(__name__)

ATTACK = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
PROTEST = frozenset({"Protests", "Riots"})
CLASSES: dict[str, frozenset[str] | None] = {"attack": ATTACK, "protest": PROTEST, "event": None}


@dataclass(frozen=True)
class Detection:
    """Precision, recall and F1 of one class over the sentences."""

    label: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 3),
                "recall": round(self.recall, 3), "f1": round(self.f1, 3)}


def _in(label: str, etype: str | None, types: frozenset[str] | None) -> bool:
    return label == "event" and (types is None or etype in types)


def sentence_documents(annotations: Iterable[Mapping[str, Any]],
                       docs: Mapping[str, Document]) -> Iterable[tuple[Document, str, str | None]]:
    """Each coded sentence as a document of its own, with its label and gold event type."""
    for rec in annotations:
        doc = docs[rec["doc_id"]]
        for start, end, label, etype, _sub in rec["sentences"]:
            text = doc.text[start:end]
            if not text.strip():
                continue
            yield (Document.from_parts(f"{rec['doc_id']}@{start}", text, doc.published, outlet=doc.outlet),
                   label, etype)


def tally(rows: Iterable[tuple[str, str | None, set[str]]]) -> dict[str, Detection]:
    """Each class's hits and misses over (sentence label, its event type, the types predicted)."""
    counts = {name: [0, 0, 0] for name in CLASSES}
    for label, etype, types in rows:
        for name, wanted in CLASSES.items():
            gold = _in(label, etype, wanted)
            pred = bool(types) if wanted is None else bool(types & wanted)
            c = counts[name]
            if gold and pred:
                c[0] += 1
            elif pred:
                c[1] += 1
            elif gold:
                c[2] += 1
    return {name: Detection(name, *c) for name, c in counts.items()}


def detect(sentences: Iterable[tuple[Document, str, str | None]], *, ner: bool = True,
           learned: bool = True) -> dict[str, Detection]:
    """Run the pipeline on every sentence and count each class's hits and misses."""
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.default(ner=ner, events_only=True, learned=learned)
    rows = [(label, etype, {e.event_type for e in pipeline(doc).events}) for doc, label, etype in sentences]
    log.info("sentence detection over %d sentences", len(rows))
    return tally(rows)


def split_detection(split: str = "heldout", *, ner: bool = True,
                    learned: bool = True) -> tuple[int, dict[str, Detection]]:
    """The detection figures on the coded sentences of an annotated split, and their number."""
    from marsad.annotations.corpus import load_articles, read_heldout
    from marsad.annotations.stats import final_annotations

    heldout = set(read_heldout())
    final = final_annotations()
    recs = [final[d] for d in sorted(final) if (d in heldout) == (split == "heldout")]
    docs = load_articles([r["doc_id"] for r in recs])
    sentences = list(sentence_documents(recs, docs))
    return len(sentences), detect(sentences, ner=ner, learned=learned)


def format_detection(n: int, figures: Mapping[str, Detection], split: str = "heldout") -> str:
    lines = [f"sentence-level detection, {n} coded sentences of the {split} split, each read alone:",
             f"  {'class':8s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>5s} {'fp':>5s} {'fn':>5s}"]
    for name, d in figures.items():
        lines.append(f"  {name:8s} {d.precision:6.3f} {d.recall:6.3f} {d.f1:6.3f} "
                     f"{d.tp:5d} {d.fp:5d} {d.fn:5d}")
    return "\n".join(lines)
