"""The Dask executor: the same stage list over partitions of a corpus, on a Dask cluster.

Requires: input paths (``.jsonl``/``.jsonl.gz``, ``.parquet``, ``.warc``/``.warc.gz`` and
every other format :mod:`marsad.io.readers` reads, or directories of them) and an output
path. Provides: the events file (any format ``open_writer`` writes), with the same records
in the same order as the local executor (partition order, then position), and a
:class:`~marsad.run.local.RunSummary`.

How the work is cut (:mod:`marsad.run.partitions`): files are split into partitions of
about ``partition_size`` bytes (default 64 MB) at record boundaries - JSONL at line ends,
WARC at record starts, ``.warc.gz`` at gzip members, Parquet at row groups, and runs of
one-document files together - by a planning pass that decodes no document. The plan is
deterministic and saved with the parts, so a resumed run cuts the same way.

Each worker builds the pipeline once per process (:func:`worker_pipeline`) and writes its
partition to ``OUTPUT.parts/part-NNNNN.jsonl`` plus a ``part-NNNNN.done.json`` manifest
(counts, accepted ids, failures), both by atomic rename. A restart with the same inputs
and settings skips every partition that has a manifest. When all partitions are done the
client concatenates the part files in order into ``OUTPUT`` (via ``OUTPUT.tmp``) and
removes the parts directory unless ``keep_parts=True``. The output directory must be
visible to the workers (a shared filesystem on a real cluster).

Duplicate ``doc_id`` values across partitions are resolved at the merge exactly as the
reader does within one stream: the first document wins, later ones count as failures and
their events are dropped.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from marsad.consolidate.duplicates import DuplicateIndex, signature
from marsad.errors import OutputError
from marsad.io.readers import DEFAULT_MAX_CHARS, IdIndex
from marsad.io.writers import document_record, open_writer
from marsad.pipeline import Pipeline
from marsad.run.local import RunSummary, run
from marsad.run.partitions import (
    DEFAULT_PARTITION_SIZE,
    PLAN_VERSION,
    Partition,
    input_files,
    parse_size,
    partition_items,
    plan_partitions,
)
from marsad.store.sqlite import content_hash

log = logging.getLogger(__name__)

PLAN_NAME = "_plan.json"

PipelineFactory = Callable[[], Pipeline]


# --------------------------------------------------------------------------- worker side

_PIPELINES: dict[str, Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def worker_pipeline(factory: PipelineFactory | None = None,
                    kwargs: Mapping[str, Any] | None = None) -> Pipeline:
    """The pipeline of this worker process, built on first use and then reused.

    ``factory`` defaults to ``Pipeline.default``; ``kwargs`` are passed to it.
    """
    kwargs = dict(kwargs or {})
    key = f"{factory!r}|{sorted(kwargs.items())!r}"
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        with _PIPELINES_LOCK:
            pipeline = _PIPELINES.get(key)
            if pipeline is None:
                t0 = time.perf_counter()
                pipeline = (factory or Pipeline.default)(**kwargs)
                _PIPELINES[key] = pipeline
                log.info("pipeline built in %.1f s (pid %d)", time.perf_counter() - t0, os.getpid())
    return pipeline


def _done_path(parts_dir: Path, part: Partition) -> Path:
    return parts_dir / f"{part.name}.done.json"


def _part_path(parts_dir: Path, part: Partition) -> Path:
    return parts_dir / f"{part.name}.jsonl"


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def process_partition(
    part: Partition,
    parts_dir: str,
    factory: PipelineFactory | None = None,
    pipeline_kwargs: Mapping[str, Any] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    strict: bool = False,
) -> dict[str, Any]:
    """Run one partition (on a worker): write its part file and manifest; return the manifest.

    The manifest holds the counts of a :class:`RunSummary`, the ids of the documents the
    reader accepted (in order, for duplicate checks at the merge) and the failures.
    """
    pipeline = worker_pipeline(factory, pipeline_kwargs)
    out_dir = Path(parts_dir)
    final = _part_path(out_dir, part)
    tmp = out_dir / f"{part.name}.tmp.jsonl"
    summary = RunSummary()
    t0 = time.perf_counter()
    accepted: list[str] = []
    accepted_chars: list[int] = []
    failures: list[list[str]] = []
    signatures: list[list[str]] = []  # [doc_id, content hash, MinHash hex]: the client's duplicate check
    with open_writer(tmp) as writer:
        for doc, events, failure, drops in run(partition_items(part, max_chars), lambda: pipeline,
                                               strict=strict):
            summary.add(doc, events, failure, drops)
            if doc is not None:
                accepted.append(doc.doc_id)
                accepted_chars.append(len(doc.text) if failure is None else 0)
            if failure is not None:
                failures.append([failure.doc_id, failure.reason, failure.source])
            else:
                assert doc is not None
                signatures.append([doc.doc_id, content_hash(doc.text), signature(doc.text)[1].hex()])
            writer.write_many(document_record(e, doc) for e in events if doc is not None)
        writer.flush(fsync=True)
    os.replace(tmp, final)
    manifest = {
        "partition": asdict(part),
        "documents": summary.documents,
        "failures": summary.failures,
        "empty": summary.empty,
        "events": summary.events,
        "by_type": dict(summary.by_type),
        "dropped": dict(summary.dropped),
        "chars": summary.chars,
        "seconds": time.perf_counter() - t0,
        "accepted": accepted,
        "accepted_chars": accepted_chars,
        "failed": failures,
        "signatures": signatures,
        "worker_pid": os.getpid(),
    }
    _write_json_atomic(_done_path(out_dir, part), manifest)
    return _slim(manifest)  # the id lists stay on disk: the client reads them at the merge


# --------------------------------------------------------------------------- client side


def _fingerprint(
    inputs: list[str], partition_size: int, max_chars: int, factory: PipelineFactory | None,
    pipeline_kwargs: Mapping[str, Any],
) -> str:
    """What a resumed run must share with the run that wrote the parts."""
    files = []
    for f in input_files(inputs):
        try:
            st = f.stat()
            files.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
        except OSError:
            files.append([str(f), None, None])
    factory_name = _factory_name(factory)
    blob = json.dumps(
        [PLAN_VERSION, files, partition_size, max_chars, factory_name,
         sorted((k, repr(v)) for k, v in pipeline_kwargs.items())]
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _factory_name(factory: Any) -> str:
    """A name of the pipeline factory that is stable across runs (no memory addresses)."""
    if factory is None:
        return "Pipeline.default"
    if isinstance(factory, functools.partial):
        return f"partial({_factory_name(factory.func)}, {len(factory.args)} args, {sorted(factory.keywords)})"
    return f"{getattr(factory, '__module__', '')}.{getattr(factory, '__qualname__', type(factory).__name__)}"


def _load_plan(parts_dir: Path, fingerprint: str) -> list[Partition] | None:
    path = parts_dir / PLAN_NAME
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        log.warning("%s is corrupt; starting afresh", path)
        return None
    if data.get("fingerprint") != fingerprint:
        log.warning("%s was made for other inputs or settings; starting afresh", parts_dir)
        return None
    return [Partition(**{**p, "paths": tuple(p.get("paths", ()))}) for p in data["partitions"]]


def _prepare(
    parts_dir: Path, inputs: list[str], partition_size: int, fingerprint: str
) -> list[Partition]:
    plan = _load_plan(parts_dir, fingerprint)
    if plan is not None:
        return plan
    if parts_dir.exists():
        shutil.rmtree(parts_dir)
    parts_dir.mkdir(parents=True)
    plan = plan_partitions(inputs, partition_size)
    _write_json_atomic(
        parts_dir / PLAN_NAME,
        {"fingerprint": fingerprint, "inputs": inputs, "partitions": [asdict(p) for p in plan]},
    )
    return plan


_ID_LISTS = ("accepted", "accepted_chars", "failed", "signatures")


def _slim(manifest: dict[str, Any]) -> dict[str, Any]:
    """A manifest without its per-document lists (the client keeps only counts in memory)."""
    return {k: v for k, v in manifest.items() if k not in _ID_LISTS}


def _read_manifest(parts_dir: Path, part: Partition) -> dict[str, Any] | None:
    done = _done_path(parts_dir, part)
    if not (done.exists() and _part_path(parts_dir, part).exists()):
        return None
    try:
        return json.loads(done.read_text(encoding="utf-8"))
    except ValueError:
        log.warning("%s is corrupt; the partition is run again", done)
        return None


def _merge(parts_dir: Path, plan: list[Partition], output: Path, summary: RunSummary, ran: set[int]) -> None:
    """Concatenate the part files in order into ``output``, dropping duplicate documents.

    A ``.jsonl`` output is a byte copy of the part files (lines of duplicates left out);
    other formats are rewritten record by record with ``open_writer``.
    """
    seen = IdIndex()  # every accepted doc_id so far (spills to a temporary file beyond 20,000)
    copies = DuplicateIndex()  # documents repeating an earlier one's text: one source, as in a local run
    fast = output.suffix.lower() == ".jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    with open(tmp, "wb") if fast else open_writer(output) as sink:
        for part in plan:
            manifest = _read_manifest(parts_dir, part)
            if manifest is None:
                raise OutputError(
                    f"{parts_dir}: {part.name} is missing; the output directory must be on storage that "
                    "the workers and this client share"
                )
            dups: set[str] = set()
            for doc_id in manifest["accepted"]:  # (unique within a partition: its reader checked)
                if doc_id in seen:
                    dups.add(doc_id)
                else:
                    seen[doc_id] = ""
            repeats = {d for d, h, sig in manifest.get("signatures", ())
                       if d not in dups and copies.check_signature(d, h, bytes.fromhex(sig)) is not None}
            summary.duplicates += len(repeats)
            dups |= repeats
            src = _part_path(parts_dir, part)
            if fast and not dups:
                with open(src, "rb") as fh:
                    shutil.copyfileobj(fh, sink, 1 << 20)
                continue
            if dups - repeats:
                log.warning("%s: %d duplicate doc_id(s) of earlier partitions dropped", part.name,
                            len(dups - repeats))
                _discount_duplicates(summary, manifest, dups - repeats, part.index in ran)
            with open(src, "rb") as fh:
                for raw in fh:
                    rec = json.loads(raw)
                    if rec.get("doc_id") in dups:
                        summary.events -= 1
                        summary.by_type[rec.get("event_type")] -= 1
                    elif fast:
                        sink.write(raw)
                    else:
                        sink.write(rec)
    seen.close()
    if fast:
        os.replace(tmp, output)
    summary.by_type = +summary.by_type  # drop zero counts


def _discount_duplicates(summary: RunSummary, manifest: dict[str, Any], dups: set[str], ran: bool) -> None:
    """Move duplicate documents from 'processed' to 'failed' (their events are already out)."""
    summary.failures += len(dups)
    failed_ids = {f[0] for f in manifest["failed"] if f[2] in ("pipeline", "budget")}
    for doc_id in dups:
        if doc_id in failed_ids:  # a pipeline failure: already counted as failed
            summary.failures -= 1
        elif ran:
            summary.documents -= 1
        else:
            summary.skipped -= 1
    summary.chars -= sum(c for d, c in zip(manifest["accepted"], manifest["accepted_chars"], strict=True)
                         if d in dups)


def run_dask(
    inputs: Iterable[str | Path] | str | Path,
    output: str | Path,
    *,
    scheduler: str | None = None,
    partition_size: int | str = DEFAULT_PARTITION_SIZE,
    pipeline_kwargs: Mapping[str, Any] | None = None,
    pipeline_factory: PipelineFactory | None = None,
    n_workers: int | None = None,
    processes: bool = True,
    max_chars: int = DEFAULT_MAX_CHARS,
    strict: bool = False,
    keep_parts: bool = False,
    progress: bool = False,
    retries: int = 1,
) -> RunSummary:
    """Extract events from ``inputs`` into ``output`` on a Dask cluster; resumable.

    ``scheduler`` is a scheduler address (``tcp://host:8786``); without one a LocalCluster
    on 127.0.0.1 is started with ``n_workers`` single-threaded workers (default: CPU count),
    as processes unless ``processes=False``. ``pipeline_factory`` (picklable, called with
    ``pipeline_kwargs`` once per worker process) defaults to ``Pipeline.default``.
    ``partition_size`` is the bytes of input per partition (``"64MB"``, ``"512KB"`` or an int).
    Partitions done by an earlier, interrupted run with the same inputs and settings are
    skipped (their documents are counted in ``summary.skipped``).
    """
    t0 = time.perf_counter()
    input_list = [str(inputs)] if isinstance(inputs, (str, Path)) else [str(p) for p in inputs]
    output = Path(output)
    parts_dir = output.with_name(output.name + ".parts")
    kwargs = dict(pipeline_kwargs or {})
    size = parse_size(partition_size)
    fingerprint = _fingerprint(input_list, size, max_chars, pipeline_factory, kwargs)
    plan = _prepare(parts_dir, input_list, size, fingerprint)
    log.info("%d partitions of about %d bytes", len(plan), size)

    summary = RunSummary()
    manifests: dict[int, dict[str, Any]] = {}
    pending: list[Partition] = []
    for part in plan:
        manifest = _read_manifest(parts_dir, part)
        if manifest is None:
            pending.append(part)
        else:
            manifests[part.index] = _slim(manifest)
    if manifests:
        log.info("resuming: %d of %d partitions already done", len(manifests), len(plan))
    log.info("%d partitions to run (%d done earlier)", len(pending), len(manifests))

    if pending:
        with _quiet_dask():
            _run_pending(pending, parts_dir, manifests, scheduler, n_workers, processes, progress, retries,
                         pipeline_factory, kwargs, max_chars, strict)

    ran = {p.index for p in pending}
    for part in plan:
        m = manifests[part.index]
        if part.index in ran:
            summary.documents += m["documents"]
        else:
            summary.skipped += m["documents"]
        summary.failures += m["failures"]
        summary.empty += m.get("empty", 0)
        summary.events += m["events"]
        summary.by_type.update(m["by_type"])
        summary.dropped.update(m.get("dropped", {}))
        summary.chars += m["chars"]
    _merge(parts_dir, plan, output, summary, ran)
    if not keep_parts:
        shutil.rmtree(parts_dir, ignore_errors=True)
    summary.seconds = time.perf_counter() - t0
    return summary


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's INFO chatter (scheduler start, connections) only when marsad logs at INFO (-v)."""
    import distributed  # noqa: F401 — importing it configures its loggers: do that first

    dist = logging.getLogger("distributed")
    level = dist.level
    if not log.isEnabledFor(logging.INFO):
        dist.setLevel(logging.WARNING)
    try:
        yield
    finally:
        dist.setLevel(level)


def _run_pending(
    pending: list[Partition], parts_dir: Path, manifests: dict[int, dict[str, Any]], scheduler: str | None,
    n_workers: int | None, processes: bool, progress: bool, retries: int,
    pipeline_factory: PipelineFactory | None, kwargs: dict[str, Any], max_chars: int, strict: bool,
) -> None:
    """Run the pending partitions on the given scheduler, or on a LocalCluster on 127.0.0.1."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=processes,
            host="127.0.0.1", protocol="tcp", dashboard_address=":0",  # any free port: no clash
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            _submit_all(client, as_completed, pending, parts_dir, manifests, progress, retries,
                        pipeline_factory, kwargs, max_chars, strict)
    finally:
        if cluster is not None:
            cluster.close()


def _submit_all(
    client: Any, as_completed: Any, pending: list[Partition], parts_dir: Path,
    manifests: dict[int, dict[str, Any]], progress: bool, retries: int,
    factory: PipelineFactory | None, kwargs: dict[str, Any], max_chars: int, strict: bool,
) -> None:
    """Keep a bounded number of partitions in flight; collect manifests as they finish."""
    window = max(2 * sum(client.nthreads().values()), 2)
    token = uuid.uuid4().hex[:8]
    todo = iter(pending)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(pending), unit="part", desc="partitions")

    def submit(part: Partition) -> Any:
        return client.submit(
            process_partition, part, str(parts_dir), factory, kwargs, max_chars, strict,
            key=f"marsad-{token}-{part.name}", retries=retries, pure=False,
        )

    queue = as_completed([submit(p) for p in itertools.islice(todo, window)])
    for future in queue:
        manifest = future.result()
        manifests[manifest["partition"]["index"]] = manifest  # (slim already: see process_partition)
        future.release()
        if bar is not None:
            bar.update(1)
        nxt = next(todo, None)
        if nxt is not None:
            queue.add(submit(nxt))
    if bar is not None:
        bar.close()


__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "Partition",
    "partition_items",
    "plan_partitions",
    "process_partition",
    "run_dask",
    "worker_pipeline",
]
