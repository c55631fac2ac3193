"""Exact and near-duplicate documents: the same text, or the same wire story in two site
sections or outlets, is one source.

Requires: documents as they reach the writers (``Document``); optionally a store, whose
``doc_signatures`` table remembers every document seen by earlier runs. Provides:
:class:`DuplicateIndex`, which a run asks about each document before writing its events, so that
every output route (JSONL, CSV, GeoJSON, Parquet and the store) holds the first copy only.

Exact duplicates are found by the SHA-256 of the text. Near duplicates by MinHash over word
4-gram shingles of the normalised text, with the datasketch library's LSH index (candidates) and
its Jaccard estimate (the decision): at least :data:`THRESHOLD` of shingles shared. A story whose
toll was updated usually changes more than that, so an update is kept as its own report (the
incidents then take its later toll); a copy with another headline or a signature line is not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from marsad.model import Document
from marsad.store.sqlite import Store, content_hash
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

THRESHOLD = 0.8  # estimated Jaccard of shingle sets from which a document is a copy
NUM_PERM = 128
SHINGLE = 4  # words
MIN_SHINGLES = 12  # shorter texts (a one-line bulletin) are compared exactly only: templates collide
SEED = 1
SCHEME = "affine32"  # datasketch 2's hashing scheme, named so that stored signatures stay comparable


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A document found to repeat an earlier one."""

    doc_id: str
    of_hash: str  # content hash of the document kept
    of_doc_id: str
    similarity: float  # 1.0 for the same text


def shingles(text: str) -> list[bytes]:
    """The distinct word 4-grams of the normalised text (what two copies of a story share)."""
    words = normalise_key(text).split()
    return list({" ".join(words[i:i + SHINGLE]).encode("utf-8", "surrogatepass")
                 for i in range(max(0, len(words) - SHINGLE + 1))})


def signature(text: str) -> tuple[LeanMinHash | None, bytes]:
    """The MinHash of a text (None when too short to compare) and its bytes for the store."""
    sh = shingles(text)
    if len(sh) < MIN_SHINGLES:
        return None, b""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch(sh)
    lean = LeanMinHash(m)
    return lean, np.asarray(lean.hashvalues, dtype=np.uint64).tobytes()


class DuplicateIndex:
    """Documents seen so far (this run, and earlier runs of a store); :meth:`check` each new one."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, LeanMinHash] = {}
        self._ids: dict[str, str] = {}  # content hash -> doc id kept
        self._this_run: set[str] = set()
        self.found = 0

    @classmethod
    def from_store(cls, store: Store, threshold: float = THRESHOLD) -> DuplicateIndex:
        """An index holding every document an earlier run kept in ``store``."""
        index = cls(threshold)
        for h, blob, doc_id in store.signatures():
            index._ids[h] = doc_id
            if blob:
                index._admit(h, LeanMinHash(seed=SEED, hashvalues=np.frombuffer(blob, dtype=np.uint64),
                                                  scheme=SCHEME))
        return index

    def _admit(self, h: str, sig: LeanMinHash) -> None:
        if h not in self._sigs:
            self._sigs[h] = sig
            self._lsh.insert(h, sig)

    def check(self, doc: Document, store: Store | None = None) -> Duplicate | None:
        """None when ``doc`` is new (it is remembered), else what it duplicates.

        The same text stored by an earlier run is not a duplicate: storing it again replaces it.
        With ``store``, the verdict and the signature are recorded there.
        """
        h = content_hash(doc.text)
        blob = signature(doc.text)[1]
        dup = self.check_signature(doc.doc_id, h, blob)
        if store is not None:
            store.add_signature(doc, blob, dup.of_hash if dup else None, dup.similarity if dup else None)
        return dup

    def check_signature(self, doc_id: str, h: str, blob: bytes) -> Duplicate | None:
        """:meth:`check` of a document known by its id, content hash and signature bytes (what a
        Dask worker sends the client instead of the text)."""
        sig = (LeanMinHash(seed=SEED, hashvalues=np.frombuffer(blob, dtype=np.uint64), scheme=SCHEME)
               if blob else None)
        dup: Duplicate | None = None
        if h in self._this_run:
            dup = Duplicate(doc_id, h, self._ids[h], 1.0)
        elif sig is not None and h not in self._ids:
            best = max(((self._sigs[k].jaccard(sig), k) for k in self._lsh.query(sig) if k != h),
                       default=None)
            if best is not None and best[0] >= self.threshold:
                dup = Duplicate(doc_id, best[1], self._ids.get(best[1], ""), round(best[0], 3))
        if dup is not None:
            self.found += 1
            log.info("%s repeats %s (similarity %.2f): one source", doc_id, dup.of_doc_id, dup.similarity)
        else:
            self._this_run.add(h)
            self._ids.setdefault(h, doc_id)
            if sig is not None:
                self._admit(h, sig)
        return dup


__all__ = ["Duplicate", "DuplicateIndex", "THRESHOLD", "signature"]
