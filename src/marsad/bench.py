"""Throughput benchmark: docs/s, chars/s, time per stage, peak RSS, cold start, baseline.

Requires: input files that :func:`marsad.io.readers.iter_documents` reads, and (by default)
a buildable ``Pipeline.default()``. Provides: :func:`run_benchmark`, which returns a
printable table and optionally writes the same numbers as JSON.

What is measured, on the first ``limit`` documents of the inputs:

- **read only**: ``iter_documents`` alone (decompression, JSON, document checks);
- **baseline**: the same reading plus one pass of ONE Aho–Corasick automaton (the kind the
  pipeline uses, :mod:`marsad.text.automaton`) over each text, built from the keys of
  every dictionary the loaded pipeline exposes (automata and lexicons reachable from the
  stages or cached in marsad modules, the gazetteer's keys), with the normaliser's 1:1
  character fold applied first so that the keys can match; marsad's end-to-end time is
  reported as a multiple of it;
- **marsad**: reading + the full pipeline through the local executor (``run.local.run``),
  with per-stage seconds from ``Pipeline.timings``; with ``workers > 1`` the same again with
  N worker processes, and the speed-up over one;
- **cold start**: in a fresh interpreter, ``import marsad`` and ``Pipeline.default()``;
- **peak RSS**: ``ru_maxrss`` of this process (and of the worker processes when N > 1).
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from marsad.io.readers import iter_documents
from marsad.model import Document, Failure
from marsad.pipeline import Pipeline
from marsad.run.local import run

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"

_COLD_START_CODE = """
import json, resource, sys, time
t0 = time.perf_counter()
import marsad
from marsad.pipeline import Pipeline
t1 = time.perf_counter()
pipeline = Pipeline.default(ner={ner})
t2 = time.perf_counter()
pipeline(marsad.Document("cold", "قصفت طائرات حربية بلدة قرب حلب أمس وقتل 3 مدنيين."))
t3 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
json.dump({{"import_s": t1 - t0, "build_s": t2 - t1, "first_doc_s": t3 - t2, "rss_kb": rss}}, sys.stdout)
"""


# --------------------------------------------------------------------------- helpers


def _take(items: Iterable[Document | Failure], limit: int) -> Iterator[Document | Failure]:
    """Items until ``limit`` documents have passed (failures pass through uncounted)."""
    n = 0
    for item in items:
        if n >= limit:
            return
        if isinstance(item, Document):
            n += 1
        yield item


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process and its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _current_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cold_start(ner: bool = True, python: str = sys.executable) -> dict[str, float]:
    """Seconds to import marsad and build ``Pipeline.default()`` in a fresh interpreter.

    ``first_doc_s`` is the first (short) document, which pays for resources the stages
    load lazily; ``process_s`` is the wall time of the whole subprocess (interpreter start
    included); ``rss_mb`` the peak RSS of that process, i.e. the memory of a loaded pipeline.
    """
    t0 = time.perf_counter()
    proc = subprocess.run(
        [python, "-c", _COLD_START_CODE.format(ner=ner)], capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"cold-start subprocess failed: {proc.stderr.strip()[-2000:]}")
    data = json.loads(proc.stdout)
    rss_kb = data["rss_kb"] / 1024 if sys.platform == "darwin" else data["rss_kb"]
    return {"import_s": data["import_s"], "build_s": data["build_s"], "first_doc_s": data["first_doc_s"],
            "process_s": wall, "rss_mb": rss_kb / 1024}


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def parallel_ceiling(workers: int, n: int = 10_000_000) -> float:
    """Speed-up of ``workers`` processes on a pure-Python CPU loop: what this machine allows.

    On a machine whose "CPUs" are hyperthreads of one core, or with a CPU quota, this is
    well below ``workers`` and bounds any executor's speed-up.
    """
    import multiprocessing as mp

    t0 = time.perf_counter()
    _spin(n)
    one = time.perf_counter() - t0
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(_spin, [1] * workers)  # start the workers before timing
        t0 = time.perf_counter()
        pool.map(_spin, [n] * workers, chunksize=1)
        many = time.perf_counter() - t0
    return workers * one / many if many > 0 else 0.0


# --------------------------------------------------------------------------- baseline keys


def _automaton_keys(obj: Any) -> list[str] | None:
    from marsad.text.automaton import Automaton

    if isinstance(obj, Automaton):
        return obj.keys()
    inner = getattr(obj, "_auto", None) or getattr(obj, "automaton", None)  # marsad Lexicon, ActorLexicon
    if isinstance(inner, Automaton):
        return inner.keys()
    return None


def _gazetteer_keys(obj: Any) -> list[str] | None:
    if type(obj).__name__.endswith("Gazetteer") and callable(getattr(obj, "keys", None)):
        try:
            return [k for k in obj.keys() if isinstance(k, str)]  # noqa: SIM118 — not a dict
        except TypeError:
            return None
    return None


def _walk(obj: Any, found: dict[int, tuple[str, list[str]]], path: str, depth: int, seen: set[int]) -> None:
    """Collect dictionaries (automata, lexicons, gazetteers) reachable from ``obj``."""
    if depth > 4 or id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
        return
    seen.add(id(obj))
    keys = _automaton_keys(obj) or _gazetteer_keys(obj)
    if keys:
        found[id(obj)] = (path, keys)
        return
    if isinstance(obj, functools.partial):
        children: Iterable[tuple[str, Any]] = [(k, v) for k, v in obj.keywords.items()]
    elif isinstance(obj, dict):
        children = [(str(k), v) for k, v in itertools.islice(obj.items(), 64)]
    elif isinstance(obj, (list, tuple)):
        children = [(str(i), v) for i, v in enumerate(obj[:64])]
    else:
        attrs = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
        for slot in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, slot):
                attrs[slot] = getattr(obj, slot)
        children = [(k, v) for k, v in attrs.items() if not callable(v) or isinstance(v, functools.partial)]
        finder = attrs.get("finder")
        if isinstance(finder, functools.partial):
            children.append(("finder", finder))
    for name, child in children:
        _walk(child, found, f"{path}.{name}", depth + 1, seen)


def _cached_dictionaries(found: dict[int, tuple[str, list[str]]]) -> None:
    """Dictionaries held by already-filled zero-argument caches of loaded marsad modules."""
    for modname, mod in list(sys.modules.items()):
        if not modname.startswith("marsad.") or mod is None:
            continue
        for name, fn in list(vars(mod).items()):
            info = getattr(fn, "cache_info", None)
            if info is None or getattr(fn, "__module__", None) != modname or info().currsize == 0:
                continue
            try:
                value = fn()  # cached: returns the object the pipeline already built
            except TypeError:
                continue  # takes arguments: not a dictionary loader
            keys = _automaton_keys(value) or _gazetteer_keys(value)
            if keys and id(value) not in found:
                found[id(value)] = (f"{modname}.{name}()", keys)


def _tsv_keys() -> list[str]:
    """Fallback: the first column of the project's ``data/*.tsv`` files."""
    keys: list[str] = []
    for path in sorted(DATA_DIR.glob("*.tsv")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
        keys.extend(ln.split("\t", 1)[0] for ln in lines[1:])
    return keys


def dictionary_keys(pipeline: Pipeline | None) -> tuple[list[str], list[str]]:
    """All dictionary keys the pipeline uses, and where they came from.

    Falls back to the first column of ``data/*.tsv`` when the stages expose fewer than
    100 keys (a stand-in pipeline, for instance).
    """
    from marsad.text.normalise import normalise_key

    found: dict[int, tuple[str, list[str]]] = {}
    if pipeline is not None:
        seen: set[int] = set()
        for stage in pipeline.stages:
            _walk(stage, found, stage.name, 0, seen)
        _cached_dictionaries(found)
    sources = [f"{path} ({len(keys)})" for path, keys in found.values()]
    keys = {k for _, ks in found.values() for k in ks}
    if len(keys) < 100:
        tsv = _tsv_keys()
        sources.append(f"data/*.tsv first column ({len(tsv)})")
        keys.update(normalise_key(k) for k in tsv)
    keys.discard("")
    return sorted(keys), sources


def build_baseline(keys: Iterable[str]) -> Any:
    """One automaton (the pipeline's kind, :class:`~marsad.text.automaton.Automaton`) over all ``keys``."""
    from marsad.text.automaton import Automaton

    return Automaton((key, len(key)) for key in dict.fromkeys(keys))


# --------------------------------------------------------------------------- passes


def _read_pass(inputs: list[str], limit: int, max_chars: int) -> dict[str, float]:
    c0, t0 = _cpu_seconds(), time.perf_counter()
    docs = chars = failures = 0
    for item in _take(iter_documents(inputs, max_chars=max_chars), limit):
        if isinstance(item, Document):
            docs += 1
            chars += len(item.text)
        else:
            failures += 1
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": _cpu_seconds() - c0, "documents": docs,
            "chars": chars, "failures": failures}


def _baseline_pass(inputs: list[str], limit: int, max_chars: int, auto: Any) -> dict[str, float]:
    from marsad.text.normalise import CHAR_MAP

    table = str.maketrans(CHAR_MAP)
    c0, t0 = _cpu_seconds(), time.perf_counter()
    docs = hits = 0
    for item in _take(iter_documents(inputs, max_chars=max_chars), limit):
        if isinstance(item, Document):
            docs += 1
            hits += len(auto.hits(item.text.translate(table)))
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": _cpu_seconds() - c0, "documents": docs,
            "matches": hits}


def _marsad_pass(
    inputs: list[str], limit: int, max_chars: int, factory: Callable[[], Pipeline], workers: int
) -> dict[str, Any]:
    c0, t0 = _cpu_seconds(), time.perf_counter()
    docs = chars = events = failures = 0
    items = _take(iter_documents(inputs, max_chars=max_chars), limit)
    for doc, evs, failure, _drops in run(items, factory, workers=workers):
        if failure is not None:
            failures += 1
        elif doc is not None:
            docs += 1
            chars += len(doc.text)
            events += len(evs)
    # with workers, the children's CPU time is counted once the pool has reaped them
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": _cpu_seconds() - c0, "documents": docs,
            "chars": chars, "events": events, "failures": failures}


# --------------------------------------------------------------------------- report


def _rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else 0.0


def measure(
    inputs: Iterable[str | Path] | str | Path,
    *,
    limit: int = 2000,
    workers: int = 1,
    pipeline_factory: Callable[[], Pipeline] | None = None,
    ner: bool = True,
    with_cold_start: bool = True,
    max_chars: int = 2_000_000,
    repeat: int = 3,
) -> dict[str, Any]:
    """Run every measurement and return the numbers (see the module docstring).

    ``pipeline_factory`` must return a pipeline built with ``timings=True`` for the stage
    breakdown; by default ``Pipeline.default(ner=ner, timings=True)``. The baseline and the
    1-worker pass run ``repeat`` times, each marsad pass with a pipeline built afresh (cold
    caches); the median pass is reported (a shared machine's speed drifts by 10-20% between
    runs), and every pass is kept in the JSON.
    """
    input_list = [str(inputs)] if isinstance(inputs, (str, Path)) else [str(p) for p in inputs]
    factory = pipeline_factory or functools.partial(Pipeline.default, ner=ner, timings=True, events_only=True)
    result: dict[str, Any] = {
        "inputs": input_list, "limit": limit, "workers": workers,
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_before": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    if with_cold_start:
        log.info("cold start ...")
        result["cold_start"] = cold_start(ner=ner)

    rss_before = _current_rss_mb()
    t0 = time.perf_counter()
    pipeline = factory()
    result["build_s"] = time.perf_counter() - t0
    result["rss_after_build_mb"] = _current_rss_mb()
    result["rss_before_build_mb"] = rss_before
    result["stages"] = pipeline.names

    log.info("read-only pass ...")
    result["read"] = _read_pass(input_list, limit, max_chars)

    keys, sources = dictionary_keys(pipeline)
    t0 = time.perf_counter()
    auto = build_baseline(keys)
    result["baseline_build_s"] = time.perf_counter() - t0
    result["baseline_keys"] = len(keys)
    result["baseline_key_sources"] = sources
    log.info("baseline pass (%d keys) ...", len(keys))
    result["baseline_passes"] = [_baseline_pass(input_list, limit, max_chars, auto)
                                 for _ in range(max(1, repeat))]
    result["baseline"] = _median_pass(result["baseline_passes"])
    del auto

    passes = []
    for i in range(max(1, repeat)):
        log.info("marsad pass %d, 1 worker ...", i + 1)
        if i:
            pipeline = factory()
        one = _marsad_pass(input_list, limit, max_chars, lambda p=pipeline: p, 1)
        if pipeline.timings is not None:
            one["stage_seconds"] = dict(pipeline.timings.seconds)
            one["stage_documents"] = pipeline.timings.documents
        passes.append(one)
    one = _median_pass(passes)
    one["peak_rss_mb"] = _rss_mb()
    result["marsad_passes"] = [{k: v for k, v in p.items() if k != "stage_seconds"} for p in passes]
    result["marsad"] = one
    if "stage_seconds" in one:
        result["stage_seconds"] = one.pop("stage_seconds")
        result["stage_documents"] = one.pop("stage_documents")

    if workers > 1:
        log.info("marsad pass, %d workers ...", workers)
        fresh = factory()  # cold caches, as in a real run (the first pass warmed ``pipeline``)
        many = _marsad_pass(input_list, limit, max_chars, lambda: fresh, workers)
        many["children_peak_rss_mb"] = _rss_mb(resource.RUSAGE_CHILDREN)
        many["speedup"] = _rate(one["seconds"], many["seconds"])
        many["same_events"] = many["events"] == one["events"]
        many["machine_ceiling"] = parallel_ceiling(workers)
        result[f"marsad_{workers}_workers"] = many
    result["peak_rss_mb"] = _rss_mb()
    result["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return result


def _median_pass(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """The pass of median wall time (the lower middle one of an even number)."""
    return dict(sorted(passes, key=lambda p: p["seconds"])[(len(passes) - 1) // 2])


def _load(values: list[float] | None) -> str:
    return "n/a" if not values else f"{values[0]:.2f}"


def format_table(r: dict[str, Any]) -> str:
    """The numbers of :func:`measure` as a plain-text table."""
    m, rd, b = r["marsad"], r["read"], r["baseline"]
    names = ", ".join(Path(p).name for p in r["inputs"])
    lines = [
        f"marsad benchmark: {m['documents']} documents ({m['chars'] / 1e6:.2f} M chars) of {names}",
        f"python {r['python']}, {r['cpus']} CPUs, {r['platform']}",
        f"load average before/after: {_load(r.get('load_average_before'))} / "
        f"{_load(r.get('load_average_after'))}"
        " (wall-clock rates are only comparable on an idle machine; docs/cpu-s is less sensitive)",
        "",
        f"{'pass':34s} {'seconds':>9s} {'docs/s':>9s} {'chars/s':>11s} {'x base':>7s} {'cpu s':>8s} "
        f"{'docs/cpu-s':>10s}",
    ]

    def row(label: str, p: dict[str, Any]) -> str:
        secs = p["seconds"]
        ratio = secs / b["seconds"] if b["seconds"] else 0.0
        cpu = p.get("cpu_seconds", 0.0)
        return (f"{label:34s} {secs:9.2f} {_rate(p['documents'], secs):9.1f} "
                f"{_rate(m['chars'], secs):11,.0f} {ratio:7.1f} {cpu:8.2f} "
                f"{_rate(p['documents'], cpu):10.1f}")

    passes = r.get("marsad_passes") or [m]
    lines.append(row("read only", rd))
    lines.append(row(f"baseline (1 automaton, {r['baseline_keys']:,} keys)", b))
    lines.append(row("marsad, 1 worker" + (f" (median of {len(passes)})" if len(passes) > 1 else ""), m))
    many = r.get(f"marsad_{r['workers']}_workers")
    if many:
        lines.append(row(f"marsad, {r['workers']} workers", many))
    lines.append("")
    if len(passes) > 1:
        rates = ", ".join(f"{_rate(p['documents'], p['seconds']):.0f}" for p in passes)
        lines.append(f"1-worker passes (docs/s, each with a freshly built pipeline): {rates}")
    ratio = m["seconds"] / b["seconds"] if b["seconds"] else 0.0
    lines.append(f"marsad end-to-end = {ratio:.1f} x the baseline "
                 f"({b['matches']:,} baseline matches; {m['events']:,} marsad events, "
                 f"{m['failures']} failures)")
    if many:
        lines.append(f"speed-up with {r['workers']} workers: x{many['speedup']:.2f} "
                     f"(machine ceiling for a pure CPU loop: x{many['machine_ceiling']:.2f}; "
                     f"same event count: {many['same_events']}; "
                     f"worker peak RSS {many['children_peak_rss_mb']:.0f} MB)")
    cs = r.get("cold_start")
    if cs:
        lines.append(f"cold start: import {cs['import_s']:.2f} s + Pipeline.default() {cs['build_s']:.2f} s "
                     f"+ first document {cs['first_doc_s']:.2f} s (lazy loads); "
                     f"fresh process {cs['process_s']:.2f} s wall, {cs['rss_mb']:.0f} MB RSS")
    lines.append(f"peak RSS (this process, 1 worker run): {m['peak_rss_mb']:.0f} MB "
                 f"(after pipeline build: {r['rss_after_build_mb'] or 0:.0f} MB)")
    stage = r.get("stage_seconds")
    if stage:
        total = sum(stage.values()) or 1.0
        n = r.get("stage_documents") or 1
        lines += ["", f"{'stage':14s} {'seconds':>9s} {'share':>7s} {'ms/doc':>8s}"]
        for name in r["stages"]:
            s = stage.get(name, 0.0)
            lines.append(f"{name:14s} {s:9.2f} {s / total:7.1%} {1000 * s / n:8.2f}")
        other = m["seconds"] - total
        lines.append(f"{'(all stages)':14s} {total:9.2f} {'':7s} {1000 * total / n:8.2f}")
        lines.append(f"{'(read+run)':14s} {other:9.2f}   "
                     "reading, executor and bookkeeping outside the stages")
    return "\n".join(lines)


def run_benchmark(
    inputs: Iterable[str | Path] | str | Path,
    limit: int = 2000,
    json_path: str | Path | None = None,
    workers: int = 1,
    **options: Any,
) -> str:
    """Measure (see the module docstring), write JSON to ``json_path`` if given, return the table.

    ``options`` go to :func:`measure` (``pipeline_factory``, ``ner``, ``with_cold_start``).
    """
    result = measure(inputs, limit=limit, workers=workers, **options)
    if json_path:
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return format_table(result)


def profile_pipeline(
    inputs: Iterable[str | Path] | str | Path,
    *,
    limit: int = 1000,
    ner: bool = True,
    html_path: str | Path | None = None,
    pipeline_factory: Callable[[], Pipeline] | None = None,
) -> str:
    """Profile the pipeline over the first ``limit`` documents with pyinstrument.

    Documents are read before profiling starts and the pipeline is warmed on the first one,
    so the profile shows steady-state stage cost. Returns the text report; writes the
    interactive HTML report to ``html_path`` when given. Needs ``pip install pyinstrument``.
    """
    from pyinstrument import Profiler

    input_list = [str(inputs)] if isinstance(inputs, (str, Path)) else [str(p) for p in inputs]
    pipeline = (pipeline_factory or functools.partial(Pipeline.default, ner=ner, events_only=True))()
    docs = [d for d in _take(iter_documents(input_list), limit) if isinstance(d, Document)]
    if docs:
        pipeline(docs[0])  # lazy loads happen here, outside the profile
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for doc in docs:
        pipeline(doc)
    profiler.stop()
    if html_path:
        Path(html_path).parent.mkdir(parents=True, exist_ok=True)
        Path(html_path).write_text(profiler.output_html(), encoding="utf-8")
    return profiler.output_text(unicode=False, color=False)


# --------------------------------------------------------------------------- memory of a command


def sample_rss(command: list[str], interval: float = 0.5) -> dict[str, Any]:
    """Run ``command`` and sample the resident memory of its process tree every ``interval`` s.

    Returns the exit code, wall time, the peak RSS of the main process, of the largest
    child (worker) and of the whole tree (sum at one instant), and a series of
    ``[seconds, main MB, tree MB]`` samples, from which flatness can be read. Needs psutil
    (installed with ``marsad[dask]``).
    """
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(command)  # noqa: S603 — the caller's own command
    main = psutil.Process(proc.pid)
    peak_main = peak_child = peak_tree = 0.0
    series: list[list[float]] = []
    while proc.poll() is None:
        try:
            tree = [main, *main.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        sizes = []
        for p in tree:
            try:
                sizes.append(p.memory_info().rss / 2**20)
            except psutil.NoSuchProcess:
                sizes.append(0.0)
        peak_main = max(peak_main, sizes[0])
        peak_child = max([peak_child, *sizes[1:]])
        peak_tree = max(peak_tree, sum(sizes))
        series.append([round(time.perf_counter() - t0, 1), round(sizes[0], 1), round(sum(sizes), 1)])
        time.sleep(interval)
    code = proc.wait()
    return {"command": command, "returncode": code, "seconds": time.perf_counter() - t0,
            "peak_main_mb": peak_main, "peak_child_mb": peak_child, "peak_tree_mb": peak_tree,
            "children_maxrss_mb": _rss_mb(resource.RUSAGE_CHILDREN), "series": series}


def format_rss(r: dict[str, Any], points: int = 10) -> str:
    """A few lines: peaks, and the tree's RSS at ``points`` evenly spaced moments of the run."""
    series = r["series"]
    lines = [f"{' '.join(r['command'])}",
             f"exit {r['returncode']}, {r['seconds']:.0f} s; "
             f"peak RSS: main process {r['peak_main_mb']:.0f} MB, "
             f"largest child {r['peak_child_mb']:.0f} MB, whole tree {r['peak_tree_mb']:.0f} MB "
             f"(ru_maxrss of the largest child: {r['children_maxrss_mb']:.0f} MB)"]
    if series:
        picks = [series[min(len(series) - 1, round(k * (len(series) - 1) / (points - 1)))]
                 for k in range(points)]
        lines.append("RSS over the run (s: main / tree MB): "
                     + ", ".join(f"{t:.0f}: {m:.0f}/{tr:.0f}" for t, m, tr in picks))
    return "\n".join(lines)


__all__ = [
    "build_baseline", "cold_start", "dictionary_keys", "format_table", "measure", "profile_pipeline",
    "run_benchmark", "sample_rss", "format_rss",
]
