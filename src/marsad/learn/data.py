"""Training examples from the annotated corpus, built with the pipeline's own stages.

Each coded sentence becomes one example: the features :mod:`marsad.learn.features` makes of
it from the mentions the frame stage sees (triggers, cues, dates, actors), its label, its
article (to keep an article's sentences in one fold), and whether marsad's rules open an event
frame on it (the sentences the learned decision is asked about when serving).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from marsad.learn.features import sentence_features
from marsad.model import Analysis, Document
from marsad.stages import default_stages

log = logging.getLogger(__name__)


@dataclass
class Examples:
    feats: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # sentence class ("event" or a non-event class)
    groups: list[str] = field(default_factory=list)  # doc id
    framed: list[bool] = field(default_factory=list)  # the rules open a frame on it
    starts: list[int] = field(default_factory=list)  # the sentence's start offset


def frame_stages() -> tuple[list[Any], Any]:
    """The default stages up to the frame gate (what the learned decision reads), and the extractor."""
    stages = default_stages(ner=False, learned=False)
    names = [s.name for s in stages]
    return stages[:names.index("actors") + 1], stages[-1]


def examples(annotations: Iterable[dict[str, Any]], docs: dict[str, Document]) -> Examples:
    from marsad.pipeline import Pipeline

    stages, extractor = frame_stages()
    pipeline = Pipeline(stages)
    out = Examples()
    mismatched = 0
    for rec in annotations:
        analysis: Analysis = pipeline(docs[rec["doc_id"]])
        by_start = {s.start: i for i, s in enumerate(analysis.sentences)}
        framed = {si for f in extractor.frames(analysis) for si in f.sents}
        by_sent = analysis.by_sentence()
        for start, _end, label, _type, _sub in rec["sentences"]:
            si = by_start.get(start)
            if si is None:  # segmented differently since it was coded
                mismatched += 1
                continue
            out.feats.append(sentence_features(analysis, si, by_sent))
            out.starts.append(start)
            out.labels.append(label)
            out.groups.append(rec["doc_id"])
            out.framed.append(si in framed)
    if mismatched:
        log.warning("%d coded sentences no longer start a sentence of the segmenter", mismatched)
    return out
