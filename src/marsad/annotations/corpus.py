"""Join annotations with the shared articles; the pool and the sample they come from.

Annotations store doc ids and offsets only, never article text: the text comes from
``../shared/corpus`` and is checked against the annotation's ``text_sha1``. Every id read here
is checked against ``../shared/train/pool_ids.txt.gz``; an id outside the pool is refused.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from marsad.errors import MarsadError
from marsad.model import Document

log = logging.getLogger(__name__)

#: the project's annotation folder (not shipped in the package: annotations, never texts)
ROOT = Path(__file__).resolve().parents[3]
ANNOTATIONS = ROOT / "annotations"
SHARED = ROOT.parent / "shared"


class AnnotationError(MarsadError):
    """An annotation or a coding that cannot be stored as it is (the message says where)."""


@dataclass(frozen=True)
class SampleRow:
    doc_id: str
    stratum: str
    split: str  # "train" or "heldout"
    coders: tuple[str, ...]


def read_sample(folder: Path = ANNOTATIONS) -> dict[str, SampleRow]:
    with open(folder / "sample.tsv", encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return {r["doc_id"]: SampleRow(r["doc_id"], r["stratum"], r["split"], tuple(r["coders"].split(",")))
                for r in rows}


def read_heldout(folder: Path = ANNOTATIONS) -> list[str]:
    return [line.strip() for line in (folder / "heldout.txt").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def heldout_checksum(folder: Path = ANNOTATIONS) -> str:
    return hashlib.sha256((folder / "heldout.txt").read_bytes()).hexdigest()


def read_pool(shared: Path = SHARED) -> frozenset[str]:
    path = shared / "train" / "pool_ids.txt.gz"
    if not path.exists():
        raise AnnotationError(f"{path} not found: the annotation pool is needed to check ids")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_articles(ids: Iterable[str], shared: Path = SHARED) -> dict[str, Document]:
    """The pool articles ``ids`` as Documents (title + blank line + body, as marsad reads them)."""
    wanted = set(ids)
    pool = read_pool(shared)
    outside = sorted(wanted - pool)
    if outside:
        raise AnnotationError(f"{len(outside)} ids are not in the annotation pool (first: {outside[0]})")
    out: dict[str, Document] = {}
    for path in sorted((shared / "corpus").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                if d["doc_id"] in wanted:
                    out[d["doc_id"]] = Document.from_parts(
                        d["doc_id"], d.get("text") or "", date.fromisoformat(d["published"]),
                        d.get("title") or None, d.get("outlet"), d.get("url"))
    missing = wanted - set(out)
    if missing:
        raise AnnotationError(f"{len(missing)} ids are not in {shared / 'corpus'} "
                              f"(first: {sorted(missing)[0]})")
    return out


def read_annotations(folder: Path = ANNOTATIONS) -> Iterator[dict]:
    """Every stored annotation (one per article and coder), in file order."""
    for path in sorted((folder / "coded").glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise AnnotationError(f"{path.name}:{n}: not JSON ({exc})") from exc
