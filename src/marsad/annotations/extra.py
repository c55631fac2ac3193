"""Annotations from outside the training corpus's folder: the review desk's reviewed articles
(``marsad learn --db desk.db -o FILE``, coder ``review:NAME``), given to the training scripts
with ``--extra FILE`` (``build/train_models.py``).

They join the corpus's codings of their articles; where the corpus itself coded an article,
its own annotation still counts (adjudicated, else the sample's first coder:
:func:`marsad.annotations.stats.select`), so reviewed annotations add the articles the corpus
has not coded. Held-out articles are refused, loudly: a reviewed held-out article in a
training set would make ``marsad eval``'s held-out figure a measure of memory.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from marsad.annotations.corpus import AnnotationError

log = logging.getLogger(__name__)

#: the coder prefix of the review desk's annotations
REVIEW = "review:"


def refuse_heldout(records: Iterable[Mapping[str, Any]], heldout: Collection[str], where: str) -> None:
    """Raise :class:`AnnotationError` naming the held-out articles among ``records``."""
    bad = sorted({str(r.get("doc_id")) for r in records if r.get("doc_id") in heldout})
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise AnnotationError(f"{where}: held-out articles refused for training: {shown}"
                              " (remove them; the held-out split is never trained on)")


def read_extra(paths: Sequence[Path], heldout: Collection[str]) -> list[dict[str, Any]]:
    """The annotation records of the JSONL files ``paths`` (one per article and coder),
    checked for their keys; a held-out article in any of them is refused."""
    out: list[dict[str, Any]] = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AnnotationError(f"{path}: cannot read the annotations: {exc}") from exc
        records = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AnnotationError(f"{path}:{n}: not JSON ({exc})") from exc
            if not isinstance(rec, dict) or not rec.get("doc_id") or not rec.get("coder") \
                    or not isinstance(rec.get("sentences"), list):
                raise AnnotationError(f"{path}:{n}: not an annotation (doc_id, coder and sentences needed)")
            records.append(rec)
        refuse_heldout(records, heldout, str(path))
        log.info("%s: %d extra annotations", path, len(records))
        out += records
    return out


def merged(articles: Mapping[str, Mapping[str, dict[str, Any]]],
           extra: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """``articles`` (doc id -> coder -> annotation) with the ``extra`` annotations added; an
    extra one replaces the same article and coder read from the folder (the same file given
    twice counts once)."""
    out = {doc: dict(codings) for doc, codings in articles.items()}
    for rec in extra:
        out.setdefault(str(rec["doc_id"]), {})[str(rec["coder"])] = dict(rec)
    return out


__all__ = ["REVIEW", "merged", "read_extra", "refuse_heldout"]
