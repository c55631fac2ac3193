"""The local executor: stream documents through the pipeline, in one or N processes.

Requires: an iterable of ``Document | Failure`` (io.readers; also ``PendingPage`` items, whose
HTML is then extracted where the pipeline runs) and a pipeline factory.
Provides: ``(doc, events | None, failure | None)`` results in input order, and a
``RunSummary``. Failure policy: a document that raises is recorded as a Failure with its
id and reason, and the run goes on (``strict=True`` re-raises instead).

Documents go through the pipeline in batches (``Pipeline.run_batch``: each stage over the
whole batch, which keeps its data in the processor's caches). With ``workers > 1`` the
pipeline is built once in the parent and the worker processes are forked from it, so the
gazetteer and lexicons are shared copy-on-write rather than loaded N times; each worker task
is one batch, and ``imap`` keeps the output in input order, so 1 and N workers write the
same file.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from marsad.budget import TimeBudgetExceeded
from marsad.io.readers import PendingPage
from marsad.model import BATCH_SIZE, Document, Event, Failure
from marsad.pipeline import Pipeline, batches

log = logging.getLogger(__name__)

#: (document, its events, its failure, the reasons of the event candidates it dropped)
Result = tuple[Document | None, tuple[Event, ...], Failure | None, tuple[str, ...]]

_WORKER_PIPELINE: Pipeline | None = None


#: failure reasons of documents with nothing to analyse: reported (logged, stored, counted) but they do
#: not fail a run (issue 15: one empty article made a whole run exit 1); ``--strict`` counts them
EMPTY_REASONS = frozenset({"empty text"})


@dataclass
class RunSummary:
    """What a run did: counts by outcome and event type, and its speed."""

    documents: int = 0
    skipped: int = 0  # already done in an earlier (killed) run
    failures: int = 0  # documents that could not be read or processed
    empty: int = 0  # documents reported as empty (no text): no failure of the run (EMPTY_REASONS)
    events: int = 0
    by_type: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)  # event candidates dropped, by named reason
    chars: int = 0
    seconds: float = 0.0
    duplicates: int = 0  # documents repeating an earlier one (marsad.consolidate.duplicates): not written
    consolidation: str = ""  # what consolidating the run's documents into incidents did

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def format(self) -> str:
        lines = [
            f"documents processed  {self.documents}",
            f"documents skipped    {self.skipped} (done in an earlier run)",
            f"documents failed     {self.failures}",
            *([f"documents empty      {self.empty} (reported, not failures)"] if self.empty else []),
            f"events               {self.events}",
        ]
        lines += [f"  {t:32s} {n}" for t, n in self.by_type.most_common()]
        if self.duplicates:
            lines.append(f"duplicate documents  {self.duplicates} (one source: their events not written)")
        if self.consolidation:
            lines.append(f"consolidated         {self.consolidation}")
        if self.dropped:
            lines.append(f"candidates dropped   {sum(self.dropped.values())} (by reason)")
            lines += [f"  {r:32s} {n}" for r, n in self.dropped.most_common()]
        lines.append(f"speed                {self.docs_per_second:.1f} docs/s ({self.seconds:.1f} s)")
        return "\n".join(lines)

    def add(self, doc: Document | None, events: tuple[Event, ...], failure: Failure | None,
            drops: tuple[str, ...] = ()) -> None:
        if failure is not None:
            if failure.reason in EMPTY_REASONS:
                self.empty += 1
            else:
                self.failures += 1
            return
        self.documents += 1
        self.chars += len(doc.text) if doc else 0
        self.events += len(events)
        self.by_type.update(e.event_type for e in events)
        self.dropped.update(drops)


#: young-generation threshold of the cyclic garbage collector during a run (Python's default: 700)
BATCH_GEN0 = 50_000


@contextmanager
def batch_gc(gen0: int = BATCH_GEN0) -> Iterator[None]:
    """Collector settings for a batch run, restored after it.

    A document allocates thousands of short-lived objects (mentions, spans, tuples), nearly
    all freed by reference counting; with the default threshold the collector runs every 700
    of them and rescans the survivors, a few per cent of the run. So the loaded resources
    (gazetteer, lexicons, model: millions of objects) are frozen out of its sight and the
    young generation is collected ~70 times less often; the garbage cycles a document leaves
    (rare) wait a little longer.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(gen0, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _process(pipeline: Pipeline, items: list[Document | Failure], strict: bool) -> list[Result]:
    """Run a batch of documents through the pipeline (reader failures among them pass through)."""
    analyses = iter(pipeline.run_batch([item for item in items if isinstance(item, Document)]))
    out: list[Result] = []
    for item in items:
        if isinstance(item, Failure):
            out.append((None, (), item, ()))
            continue
        analysis = next(analyses)
        if not isinstance(analysis, Exception):
            out.append((item, analysis.events, None, tuple(d.reason for d in analysis.drops)))
            continue
        if strict:
            raise analysis
        # policy: record the document and go on
        if isinstance(analysis, TimeBudgetExceeded):  # no bug: a document too costly (the caller logs it)
            out.append((item, (), Failure(item.doc_id, f"time budget: {analysis}", "budget"), ()))
            continue
        log.error("document %r failed", item.doc_id, exc_info=analysis)
        out.append((item, (), Failure(item.doc_id, f"{type(analysis).__name__}: {analysis}", "pipeline"), ()))
    return out


def _worker(args: tuple[list[Document | PendingPage], bool]) -> list[Result]:
    """The results of one batch of documents or pages. A document is not sent back (the parent
    has it); a page is extracted here, and its Document returned for the parent's duplicate check."""
    assert _WORKER_PIPELINE is not None
    items, strict = args
    resolved = [item.resolve() if isinstance(item, PendingPage) else item for item in items]
    results = _process(_WORKER_PIPELINE, resolved, strict)
    return [(doc if isinstance(item, PendingPage) else None, events, failure, drops)
            for item, (doc, events, failure, drops) in zip(items, results, strict=True)]


def _from_worker(sent: Document | PendingPage, result: Result) -> Result:
    """The result as the parent reports it: its own document, or the admitted page."""
    doc, events, failure, drops = result
    if isinstance(sent, Document):
        return sent, events, failure, drops
    if doc is None:  # the page failed the content checks
        return None, (), failure, ()
    admitted = sent.admit(doc)
    if isinstance(admitted, Failure):  # a duplicate id: as if the reader had refused it
        return None, (), admitted, ()
    return admitted, events, failure, drops


def _size(item: Document | PendingPage | Failure) -> int | None:
    """What an item weighs in a batch (``pipeline.batches``): its characters, a page's bytes, or
    nothing (a reader failure)."""
    if isinstance(item, Failure):
        return None
    return len(item.text) if isinstance(item, Document) else len(item.payload)


def run(
    items: Iterable[Document | Failure],
    pipeline_factory: Callable[[], Pipeline] = Pipeline.default,
    *,
    workers: int = 1,
    strict: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Result]:
    """Process ``items`` in order, yielding one result per item, ``batch_size`` documents at a time."""
    global _WORKER_PIPELINE
    pipeline = pipeline_factory()
    if workers <= 1:
        admitted = (item.admit(item.resolve()) if isinstance(item, PendingPage) else item for item in items)
        with batch_gc():
            for batch in batches(admitted, batch_size, _size):
                yield from _process(pipeline, batch, strict)
        return
    _WORKER_PIPELINE = pipeline  # inherited by the forked workers
    # in flight, in input order: the items sent to the workers, and the reader failures
    # between them (those never leave this process)
    sent: deque[Document | PendingPage | Failure] = deque()

    def to_send() -> Iterator[Document | PendingPage]:
        for item in items:
            sent.append(item)
            if not isinstance(item, Failure):
                yield item

    tasks = ((batch, strict) for batch in batches(to_send(), batch_size, _size))

    def failures() -> Iterator[Result]:
        while sent and isinstance(sent[0], Failure):
            yield None, (), sent.popleft(), ()  # type: ignore[misc]

    # The workers fork inside batch_gc: the objects alive now (the pipeline above all) are
    # frozen out of their collector's sight, so their collections do not touch, and thereby
    # copy, the shared pages. This process scans its own objects again once they are forked.
    gc.collect()
    with batch_gc():
        pool = mp.get_context("fork").Pool(workers)
    with pool:
        for results in pool.imap(_worker, tasks):
            for result in results:
                yield from failures()
                yield _from_worker(sent.popleft(), result)  # type: ignore[arg-type]
        yield from failures()  # failures after the last document


def timed(results: Iterable[Result], summary: RunSummary) -> Iterator[Result]:
    """Pass results through while keeping ``summary`` up to date (including elapsed time)."""
    t0 = time.perf_counter()
    for r in results:
        summary.add(*r)
        summary.seconds = time.perf_counter() - t0
        yield r
