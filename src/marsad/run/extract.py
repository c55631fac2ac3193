"""``marsad extract`` as a library call: read inputs, run the pipeline, write outputs.

Requires: input paths (any format io.readers knows) and an output path and/or a store.
Provides: event files (.jsonl/.csv resumable through a ``.done`` sidecar; .geojson and
.parquet written whole), rows in the SQLite store, and a RunSummary.

Nothing is lost on bad input: each failure is logged once with its document id, stored
(with ``--db``), counted in the summary (so the exit code can say so), and the run goes on.
A killed run started again with the same arguments resumes after the last finished
document (see store.checkpoint for the exact guarantee).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from marsad.budget import DEFAULT_BUDGET, TimeBudget
from marsad.consolidate.duplicates import DuplicateIndex
from marsad.errors import InputError, MarsadError, StoreError
from marsad.io.readers import PendingPage, iter_documents, parse_date
from marsad.io.writers import document_record, open_writer
from marsad.model import Analysis, Document, Event, Failure
from marsad.pipeline import Pipeline
from marsad.run.local import RunSummary, run, timed
from marsad.run.partitions import DEFAULT_PARTITION_SIZE
from marsad.store.checkpoint import Checkpoint
from marsad.store.sqlite import Store, content_hash

log = logging.getLogger(__name__)

_RESUMABLE = {".jsonl", ".csv"}


def _progress(results: Iterator, enabled: bool) -> Iterator:
    if not enabled or not sys.stderr.isatty():
        return results
    from tqdm import tqdm

    return tqdm(results, unit="doc", desc="marsad", file=sys.stderr)


def extract_files(
    inputs: Sequence[str | Path],
    output: str | Path | None,
    *,
    db: str | Path | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    partition_size: int | str = DEFAULT_PARTITION_SIZE,
    ner: bool = True,
    max_chars: int = 2_000_000,
    strict: bool = False,
    progress: bool = True,
    fsync: bool = False,
    fresh: bool = False,
    consolidate: bool = True,
    time_budget: TimeBudget | None = DEFAULT_BUDGET,
) -> RunSummary:
    """Extract the events of every document in ``inputs`` into ``output`` and/or ``db``.

    A document that repeats one seen before (the same text, or a near copy: see
    marsad.consolidate.duplicates) is one source: its events are written to no output. With
    ``db`` and ``consolidate``, the run's documents are then consolidated into incidents.
    A document over ``time_budget`` (marsad.budget) is a failure of its own and the run goes on.
    A fault of the store or the output (a read-only file or folder, a full disk) stops the run with
    a :class:`StoreError` or :class:`OutputError` naming the path; what was committed before it
    stays, whole, and the same command run again resumes after it.
    """
    if output is None and db is None:
        raise MarsadError("give an output file (-o) or a store (--db)")
    if executor == "dask":
        from marsad.run.dask import run_dask

        if output is None or db is not None:
            raise MarsadError("the Dask executor writes a file: give -o "
                              "(and load it into a store with a local run)")
        return run_dask(inputs, output, scheduler=scheduler, partition_size=partition_size,
                        pipeline_kwargs={"ner": ner, "events_only": True, "time_budget": time_budget},
                        n_workers=workers if workers > 1 else None, max_chars=max_chars, strict=strict,
                        progress=progress)
    factory = partial(Pipeline.default, ner=ner, events_only=True, time_budget=time_budget)
    out = Path(output) if output else None
    ck: Checkpoint | None = None
    writer = None
    if out is not None and out.suffix.lower() in _RESUMABLE:
        ck = Checkpoint(out, resume=not fresh, fsync=fsync)
        if ck.resumed:
            log.warning("%s: resuming after %d finished documents (--fresh starts over)", out, ck.resumed)
    elif out is not None:
        writer = open_writer(out)
    store = Store.open(db) if db else None
    try:
        run_id = store.start_run({"inputs": [str(i) for i in inputs], "output": str(out)}) if store else None
    except StoreError:
        store.close()  # type: ignore[union-attr]
        if ck is not None:
            ck.close()
        raise
    summary = RunSummary()
    dedup = DuplicateIndex.from_store(store) if store else DuplicateIndex()
    stored: list[str] = []

    def todo() -> Iterator[Document | Failure | PendingPage]:
        # The items an earlier run finished come first, in the order of its .done sidecar:
        # they are skipped by position (exact even when an id recurs). If the inputs changed
        # meanwhile, any id that run finished is skipped instead.
        finished = ck.finished_ids() if ck is not None else iter(())
        expected = next(finished, None)
        by_id = False
        # with workers, HTML pages (WARC records, .html files) are extracted in the workers
        for item in iter_documents(inputs, max_chars=max_chars, defer_pages=workers > 1):
            if expected is not None and item.doc_id != expected:
                log.warning("%s: the inputs changed since the earlier run (%s where %s was); skipping "
                            "every document id it finished", out, item.doc_id, expected)
                expected, by_id = None, True
            if expected is not None or (by_id and ck is not None and ck.is_done(item.doc_id)):
                if expected is not None:
                    expected = next(finished, None)
                if isinstance(item, PendingPage):  # its id enters the duplicate check, in order
                    item.admit(item.resolve())
                elif isinstance(item, Document):  # a later copy of it is still a duplicate
                    dedup.check(item)
                summary.skipped += 1  # finished (or reported as failed) by an earlier run
                continue
            yield item

    stopped = True  # until the loop ends normally
    try:
        results = timed(run(todo(), factory, workers=workers, strict=strict), summary)
        for doc, events, failure, _drops in _progress(results, progress):
            if failure is not None:
                if failure.source != "pipeline":  # the executor already logged pipeline errors
                    log.warning("skipping %r: %s [%s]", failure.doc_id, failure.reason, failure.source)
                if store:
                    store.add_failure(failure, run_id)
                if ck is not None:  # so that a resumed run does not report it twice
                    ck.write_document(failure.doc_id, [], status="failed")
                continue
            assert doc is not None
            if dedup.check(doc, store) is not None:
                summary.duplicates += 1
                summary.events -= len(events)
                summary.by_type.subtract(e.event_type for e in events)
                if ck is not None:
                    ck.write_document(doc.doc_id, [], content_hash(doc.text), status="duplicate")
                continue
            if store:
                store.add_result(doc, events, run_id)
                stored.append(doc.doc_id)
            rows = [document_record(e, doc) for e in events]
            if ck is not None:
                ck.write_document(doc.doc_id, rows, content_hash(doc.text))
            elif writer is not None:
                writer.write_many(rows)
        if store and consolidate and stored:
            from marsad.consolidate import consolidate as consolidate_store

            summary.consolidation = consolidate_store(store).format()  # also what a killed run left
        stopped = False
    finally:
        # each step on its own: after a fault (a full disk) the first error is the one reported
        if ck is not None:
            _cleanup(ck.close, out, stopped)
        if writer is not None:
            _cleanup(writer.close, out, stopped)
        if store:
            counts = {"documents": summary.documents, "failures": summary.failures, "empty": summary.empty,
                      "events": summary.events}
            _cleanup(lambda: store.finish_run(run_id, counts), db, stopped)  # type: ignore[union-attr, arg-type]
            store.close()
    return summary


def _cleanup(step: Callable[[], object], path: object, stopped: bool) -> None:
    """Run a closing step. When a fault already ``stopped`` the run, it may fail again: that is said
    and the first error is the one reported; otherwise its error is the run's."""
    try:
        step()
    except (MarsadError, OSError) as exc:
        if not stopped:
            raise
        log.warning("%s: %s", path, exc)


def gold_documents(gold: Iterable[dict]) -> Iterator[Document]:
    """Documents of a gold file as the pipeline reads them (title + blank line + text)."""
    for d in gold:
        yield Document.from_parts(str(d["doc_id"]), d.get("text") or "", parse_date(d.get("published")),
                                  d.get("title"), d.get("outlet"), d.get("url"))


def predict_gold(gold: Iterable[dict], *, ner: bool = True, learned: bool = True) -> list[Event]:
    """Run the pipeline over the documents of a gold file."""
    return [e for a in analyse_gold(gold, ner=ner, learned=learned) for e in a.events]


def analyse_gold(gold: Iterable[dict], *, ner: bool = True, learned: bool = True) -> list[Analysis]:
    """The pipeline's analyses of a gold file's documents (their events and drops)."""
    pipeline = Pipeline.default(ner=ner, events_only=True, learned=learned)
    return list(pipeline.pipe(gold_documents(gold)))


def export_db(db: str | Path, output: str | Path, keep: Callable[[Mapping[str, Any]], bool] | None = None, *,
              consolidated: bool = False) -> int:
    """Write every event of a store (with its document's fields and incident), or with
    ``consolidated`` one row per incident, to ``output`` (format by extension); ``keep``, when given
    (``EventFilter.matches``), selects the rows. Returns the count written (every event: GeoJSON
    gives those without a place a null geometry)."""
    if not Path(db).is_file():  # a typo is a usage error (exit 2), not a new empty store
        raise InputError(f"no store at {db}: the file does not exist")
    with Store.open(db, create=False) as store:
        if consolidated:
            from marsad.consolidate.export import INCIDENT_FIELDS, incident_row

            if (not store.conn.execute("SELECT 1 FROM incidents LIMIT 1").fetchone()
                    and store.stats()["events"]):
                raise MarsadError(f"{db} has no incidents: run marsad consolidate --db {db} first")
            tabular = Path(output).suffix.lower() in (".csv", ".parquet")  # the formats with columns
            with open_writer(output, **({"fields": INCIDENT_FIELDS} if tabular else {})) as writer:
                for rec in store.iter_incidents():
                    row = incident_row(rec)
                    if keep is None or keep(row):
                        writer.write(row)
        else:
            with open_writer(output) as writer:
                rows = store.iter_event_rows()
                writer.write_many(rows if keep is None else (r for r in rows if keep(r)))
    return writer.count
