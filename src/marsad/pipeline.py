"""The pipeline: a plain list of stages, each a callable ``Analysis -> Analysis``.

A stage declares what it ``requires`` and ``provides`` (names of ``Analysis`` fields
or mention kinds); ``Pipeline`` checks at construction that every requirement is met
by an earlier stage, so a mis-ordered pipeline fails when it is built, not mid-corpus.
Heavy resources (gazetteer, lexicons, NER model) are loaded once per process by the
stages' constructors.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from marsad.budget import DEFAULT_BUDGET, TimeBudget, TimeBudgetExceeded, deadline
from marsad.budget import clock as budget_clock
from marsad.extract.bounds import bound
from marsad.model import BATCH_CHARS, BATCH_SIZE, Analysis, Document, Event, Mention
from marsad.text.normalise import normalise
from marsad.text.segment import split_sentences, tokenise

log = logging.getLogger(__name__)


#: objects allocated (less those freed) between two collections of the youngest generation; Python's
#: default is 700 (``_resident``)
YOUNG_THRESHOLD = 50_000


@contextmanager
def _resident() -> Iterator[None]:
    """Load the resources of a pipeline (``Pipeline.default``) as objects that live as long as the
    process: no garbage collection while they load, then moved out of the collector's sight; and
    collect the young objects less often.

    Why: the gazetteer, lexicons and models are ~300,000 tracked objects that are never garbage.
    Collections during the load find nothing to free (0.2 s of the cold start), and every full
    collection while documents run went through all of them again (~0.1 s each). ``gc.freeze``
    keeps them out of every later collection (also what Python advises before forking workers:
    their pages are not written to by the collector). And a batch of documents keeps ~100,000
    young objects (mentions, spans) alive while it runs, which a collection every 700 allocations
    went through again and again, freeing almost nothing (the pipeline's records hold no cycles):
    with both, the collector took 1.1% of the processor time of 3,000 articles of the 2018 corpus
    instead of 9.3%. Process-wide settings: a threshold a caller raised higher, or 0 (automatic
    collection off), is kept."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    young, *older = gc.get_threshold()
    if 0 < young < YOUNG_THRESHOLD:
        gc.set_threshold(YOUNG_THRESHOLD, *older)


class Stage(Protocol):
    """One step of the pipeline."""

    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def __call__(self, analysis: Analysis) -> Analysis: ...


class PipelineError(ValueError):
    """The stage list is inconsistent (a requirement nobody provides)."""


@dataclass
class Normalise:
    """Requires the document; provides the normalised text and its offset map."""

    name: str = "normalise"
    requires: tuple[str, ...] = ("doc",)
    provides: tuple[str, ...] = ("norm",)

    def __call__(self, analysis: Analysis) -> Analysis:
        norm, offsets = normalise(analysis.doc.text)
        a = analysis  # (direct construction: dataclasses.replace costs several microseconds)
        return Analysis(a.doc, norm, offsets, a.sentences, a.tokens, a.mentions, a.events)


@dataclass
class Segment:
    """Requires ``norm``; provides sentences and, with ``tokens=True``, every token (original offsets).

    The default pipeline leaves tokens to the stage that needs them (the NER tokenises the
    sentences it tags): materialising every token of every document is pure overhead there.
    """

    name: str = "segment"
    requires: tuple[str, ...] = ("norm",)
    provides: tuple[str, ...] = ("sentences", "tokens")
    tokens: bool = True

    def __call__(self, analysis: Analysis) -> Analysis:
        # bounded work (extract/bounds): over-long sentences cut, the text past the window left out,
        # each cut said by a drop
        a = bound(analysis, split_sentences(analysis))
        tokens = tokenise(a, a.sentences) if self.tokens else ()
        return Analysis(a.doc, a.norm, a.offsets, a.sentences, tokens, a.mentions, a.events, a.drops)


@dataclass
class Recognise:
    """Runs one recogniser ``Analysis -> list[Mention]`` and adds its mentions.

    A finder places its mentions in their sentences (``Analysis.sentence_of``); this stage
    places any that come back with ``sent=-1``.
    """

    name: str
    finder: Callable[[Analysis], list[Mention]]
    provides: tuple[str, ...]
    requires: tuple[str, ...] = ("sentences",)

    def __call__(self, analysis: Analysis) -> Analysis:
        found = self.finder(analysis)
        if not found:
            return analysis
        if any(m.sent < 0 for m in found):
            # direct construction: dataclasses.replace costs more than the recognisers on short texts
            found = [m if m.sent >= 0 else Mention(m.kind, m.span, m.value,
                                                   max(analysis.sentence_of(m.span.start), 0),
                                                   m.attrs) for m in found]
        return analysis.with_mentions(analysis.mentions + tuple(found))


@dataclass
class Gate:
    """Ends a document's run when ``passes`` says nothing after it can matter.

    An events-only pipeline puts one after segmentation: a document without an event word
    yields no event, so its recognisers, geocoding and event building are skipped (and its
    ``Analysis`` keeps only what came before the gate).
    """

    passes: Callable[[Analysis], bool]
    name: str = "gate"
    requires: tuple[str, ...] = ("norm",)
    provides: tuple[str, ...] = ()
    # what a stopped document's analysis becomes (the frame gate adds the drops that stopped it)
    stopped: Callable[[Analysis], Analysis] | None = None

    def __call__(self, analysis: Analysis) -> Analysis:
        return analysis


@dataclass
class Timings:
    """Seconds spent per stage, summed over documents (for the benchmark and summaries)."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    documents: int = 0


class Pipeline:
    """An ordered list of stages; ``pipeline(doc)`` runs them all on one document."""

    def __init__(self, stages: Sequence[Stage], *, timings: bool = False,
                 time_budget: TimeBudget | None = None) -> None:
        available = {"doc"}
        for stage in stages:
            missing = [r for r in stage.requires if r not in available]
            if missing:
                raise PipelineError(f"stage {stage.name!r} requires {missing}, provided by no earlier stage")
            available.update(stage.provides)
        self.stages = list(stages)
        self.timings = Timings() if timings else None
        # a document over its budget becomes a failure (marsad.budget); None: no budget
        self.time_budget = time_budget

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __call__(self, doc: Document) -> Analysis:
        if self.time_budget is not None:  # the budget is kept by run_batch
            [result] = self.run_batch([doc])
            if isinstance(result, Exception):
                raise result
            return result
        analysis = Analysis(doc=doc)
        if self.timings is None:
            for stage in self.stages:
                if isinstance(stage, Gate) and not stage.passes(analysis):
                    return stage.stopped(analysis) if stage.stopped else analysis
                analysis = stage(analysis)
            return analysis
        clock = time.perf_counter
        for stage in self.stages:
            t0 = clock()
            if isinstance(stage, Gate):
                passes = stage.passes(analysis)
                self.timings.seconds[stage.name] += clock() - t0
                if not passes:
                    if stage.stopped:
                        analysis = stage.stopped(analysis)
                    break
                continue
            analysis = stage(analysis)
            self.timings.seconds[stage.name] += clock() - t0
        self.timings.documents += 1
        return analysis

    def run_batch(self, docs: Sequence[Document]) -> list[Analysis | Exception]:
        """Each document's analysis, or the exception its run raised, running each stage over
        the whole batch before the next stage.

        The analyses are those ``self(doc)`` gives (stages see one document at a time; the
        caches in which some remember a document's work hold a batch's, ``DOC_CACHE``). Why:
        a stage's automata, dictionaries and code stay in the processor's caches while it goes
        through the batch, where document by document each stage finds them evicted by the
        others (the 2018 corpus runs ~10% faster in batches of 64 than one by one).
        """
        results: list[Analysis | Exception] = [Analysis(doc=doc) for doc in docs]
        live = list(range(len(results)))
        clock = time.perf_counter
        budget = self.time_budget
        # each document's processor time left (marsad.budget): spent stage by stage
        left = [budget.seconds(len(doc.text)) for doc in docs] if budget is not None else []
        for stage in self.stages:
            t0 = clock()
            passed: list[int] = []
            gate = stage.passes if isinstance(stage, Gate) else None
            for i in live:
                analysis = results[i]
                assert isinstance(analysis, Analysis)
                started = budget_clock() if budget is not None else 0.0
                try:
                    with deadline(started + left[i] if budget is not None else None):
                        if gate is None:
                            results[i] = stage(analysis)
                        elif not gate(analysis):
                            if stage.stopped is not None:
                                results[i] = stage.stopped(analysis)
                            continue
                    if budget is not None:
                        left[i] -= budget_clock() - started
                        if left[i] < 0:
                            raise TimeBudgetExceeded("over its time budget")
                except TimeBudgetExceeded:
                    results[i] = TimeBudgetExceeded(
                        f"over its time budget of {budget.seconds(len(analysis.doc.text)):.1f} s "  # type: ignore[union-attr]
                        f"({len(analysis.doc.text)} characters), in stage {stage.name!r}")
                    continue
                except Exception as exc:  # noqa: BLE001 — the caller records it; the batch goes on
                    results[i] = exc
                    continue
                passed.append(i)
            live = passed
            if self.timings is not None:
                self.timings.seconds[stage.name] += clock() - t0
        if self.timings is not None:
            self.timings.documents += len(results)
        return results

    def pipe(self, docs: Iterable[Document], batch_size: int = BATCH_SIZE) -> Iterator[Analysis]:
        """Process documents lazily, in order, ``batch_size`` at a time (fewer when they are long:
        ``BATCH_CHARS``; see :meth:`run_batch`); a document whose run raises raises here."""
        for batch in batches(docs, batch_size, lambda doc: len(doc.text)):
            for result in self.run_batch(batch):
                if isinstance(result, Exception):
                    raise result
                yield result

    @classmethod
    def default(cls, *, ner: bool = True, timings: bool = False, events_only: bool = False,
                learned: bool = True, time_budget: TimeBudget | None = DEFAULT_BUDGET) -> Pipeline:
        """The standard marsad pipeline, with its resources loaded (once per process).

        ``time_budget``: a document over it is a failure of its own (see :mod:`marsad.budget`);
        None runs every document to its end.

        ``events_only``: for callers that read only ``Analysis.events`` (extraction runs): a
        document without an event word stops after segmentation (see :class:`Gate`); its
        events are the same (none), and it costs a fraction of a full run.
        """
        from marsad.stages import default_stages

        with _resident():
            stages = default_stages(ner=ner, events_only=events_only, learned=learned)
        return cls(stages, timings=timings, time_budget=time_budget)


T = TypeVar("T")


def batches(items: Iterable[T], size: int, weight: Callable[[T], int | None]) -> Iterator[list[T]]:
    """``items`` in lists holding ``size`` documents each, fewer once their ``weight`` (characters,
    or a page's bytes) adds up to ``BATCH_CHARS``; an item weighing None (a reader failure)
    travels in its batch without counting."""
    batch: list[T] = []
    n = total = 0
    for item in items:
        batch.append(item)
        w = weight(item)
        if w is None:
            continue
        n += 1
        total += w
        if n >= size or total >= BATCH_CHARS:
            yield batch
            batch, n, total = [], 0, 0
    if batch:
        yield batch


_DEFAULT: dict[bool, Pipeline] = {}
_DEFAULT_LOCK = threading.Lock()
_SURROGATE = re.compile("[\ud800-\udfff]")


def extract(
    text: str,
    published: date | str | None = None,
    doc_id: str | None = None,
    title: str | None = None,
) -> list[Event]:
    """Extract the events of one article (the library's front door).

    ``published`` (a date or ``YYYY-MM-DD``) anchors relative dates such as أمس; a value that
    is not a date in the supported range (see :func:`marsad.recognise.dates.check_published`)
    is reported once (a warning) and the article is processed without a publication date.
    When ``title`` is given, offsets refer to ``title + "\\n\\n" + text``.

    Safe to call any number of times and from several threads: the pipeline is built once,
    and one article is analysed at a time (its stages keep per-document state). An article over
    the default time budget (:mod:`marsad.budget`) raises :class:`~marsad.budget.TimeBudgetExceeded`.
    """
    from marsad.recognise.dates import check_published

    day, problem = check_published(published)
    if problem is not None:
        log.warning("%r: publication date ignored: %s", "extract()" if doc_id is None else doc_id, problem)
    # lone surrogates (from JSON "\\ud800") cannot be written as UTF-8: U+FFFD keeps the offsets
    text = _SURROGATE.sub("\ufffd", text)
    title = _SURROGATE.sub("\ufffd", title) if title is not None else None
    if doc_id is None:
        from marsad.store.sqlite import content_hash

        doc_id = content_hash(text)[:16]
    doc_id = _SURROGATE.sub("\ufffd", doc_id)
    with _DEFAULT_LOCK:
        pipeline = _DEFAULT.get(True)
        if pipeline is None:
            pipeline = _DEFAULT[True] = Pipeline.default(events_only=True)
        doc = Document.from_parts(doc_id, text, day, title)
        return list(pipeline(doc).events)
