"""The ``marsad`` command line: argument parsing, calls into the library, error mapping.

Exit codes: 0 success (documents reported as empty do not count); 1 the run finished but some
documents could not be read or processed (with ``--strict``, also empty ones); 2 usage or input
error (a ``MarsadError``); 3 a store or output fault (a read-only database, a full disk: a
``StoreError`` or ``OutputError``, or an ``OSError``), after which the same command resumes.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from marsad import __version__
from marsad.budget import DEFAULT_BUDGET, TimeBudget
from marsad.errors import MarsadError, OutputError, StoreError
from marsad.report.tables import EventFilter
from marsad.run.partitions import DEFAULT_PARTITION_SIZE

log = logging.getLogger("marsad")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _cmd_extract(args: argparse.Namespace) -> int:
    from marsad.run.extract import extract_files

    summary = extract_files(
        args.inputs, args.output, db=args.db, workers=args.workers, executor=args.executor,
        scheduler=args.scheduler, partition_size=args.partition_size, ner=not args.no_ner,
        max_chars=args.max_chars, strict=args.strict,
        progress=not args.quiet, fresh=args.fresh, consolidate=not args.no_consolidate,
        time_budget=TimeBudget.of(args.time_budget),
    )
    if not args.quiet:
        sys.stderr.write(summary.format() + "\n")
    return 1 if summary.failures or (args.strict and summary.empty) else 0


def _cmd_eval(args: argparse.Namespace) -> int:
    if args.consolidation:
        from marsad.consolidate.evaluate import evaluate_consolidation

        _out(evaluate_consolidation(args.consolidation, split=args.split, ner=not args.no_ner,
                                    oracle=args.oracle_events).format())
        return 0
    if args.sentences:
        from marsad.eval.sentences import format_detection, split_detection

        n, figures = split_detection(args.sentences, ner=not args.no_ner, learned=not args.rules_only)
        _out(json.dumps({k: d.as_dict() for k, d in figures.items()}) if args.json
             else format_detection(n, figures, args.sentences))
        return 0
    from marsad.eval.report import evaluate, side_by_side
    from marsad.run.extract import analyse_gold

    sets: list[tuple[str, list[dict]]] = []
    for g in args.gold or []:
        sets.append((Path(g).stem, [json.loads(line)
                                    for line in Path(g).read_text(encoding="utf-8").splitlines()
                                    if line.strip()]))
    if not args.gold or args.heldout:
        from marsad.annotations.corpus import SHARED
        from marsad.annotations.stats import gold_documents

        if not args.gold:
            dev = SHARED / "gold" / "dev.jsonl"
            if not dev.exists():
                raise MarsadError(f"{dev} not found: give a gold file")
            sets.append(("dev", [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()
                                 if line.strip()]))
        sets.append(("held-out", gold_documents("heldout")))
    reports = []
    for name, gold in sets:
        if args.pred:
            preds = [json.loads(line) for line in Path(args.pred).read_text(encoding="utf-8").splitlines()
                     if line.strip()]
            drops = None
        else:
            analyses = analyse_gold(gold, ner=not args.no_ner, learned=not args.rules_only)
            preds = [e.to_record() for a in analyses for e in a.events]
            drops = {a.doc.doc_id: list(a.drops) for a in analyses}
        reports.append((name, evaluate(gold, preds, drops)))
    if args.json:
        out = {name: r.summary for name, r in reports}
        _out(json.dumps(out if len(out) > 1 else reports[0][1].summary, ensure_ascii=False))
    elif len(reports) == 1:
        _out(reports[0][1].format(errors=args.errors))
    else:
        _out(side_by_side([(name, r.summary) for name, r in reports]))
        if not args.rules_only and not args.pred:
            from marsad.learn.linear import cross_validated

            _out("\nlearned decisions, cross-validated on the training split (5 folds by article):")
            for name, line in cross_validated():
                _out(f"  {name:10s} {line}")
        if args.errors:
            for name, r in reports:
                _out(f"\n== {name} ==\n" + r.format(errors=True))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from marsad.run.extract import export_db

    flt = EventFilter.from_args(args)
    n = export_db(args.db, args.output, keep=None if flt.empty else flt.matches,
                  consolidated=args.consolidated)
    sys.stderr.write(f"exported {n} {'incidents' if args.consolidated else 'events'} to {args.output}\n")
    return 0


def _cmd_consolidate(args: argparse.Namespace) -> int:
    import time

    from marsad.consolidate import consolidate
    from marsad.store.sqlite import Store

    if not Path(args.db).exists():
        raise MarsadError(f"{args.db} not found: extract into it first (marsad extract ... --db {args.db})")
    t0 = time.perf_counter()
    with Store.open(args.db) as store:
        result = consolidate(store)
    sys.stderr.write(f"{result.format()} in {time.perf_counter() - t0:.1f} s\n")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from marsad.report.html import write_report
    from marsad.report.tables import stats_text

    flt = EventFilter.from_args(args)
    if args.command == "stats":
        _out(stats_text(args.db, flt, max_cols=args.max_months))
        return 0
    n = write_report(args.db, args.output, flt, top=args.top)
    sys.stderr.write(f"report of {n} items ({flt.describe()}) written to {args.output}\n")
    return 0


def _cmd_geocode(args: argparse.Namespace) -> int:
    from marsad.geo.geocode import debug_report

    _out(debug_report(args.text))
    return 0


def _cmd_ner(args: argparse.Namespace) -> int:
    from marsad.recognise import ner_conll
    from marsad.recognise.ner_scoring import format_scores

    if args.eval:
        _out(format_scores(ner_conll.evaluate_conll(Path(args.eval))))
        return 0
    if not (args.input and args.output):
        raise MarsadError("marsad ner: give INPUT OUTPUT, or --eval GOLD")
    ner_conll.run_conll(Path(args.input), Path(args.output))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from marsad.bench import run_benchmark

    _out(run_benchmark(args.inputs, limit=args.limit, json_path=args.json, workers=args.workers,
                       repeat=args.repeat))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise MarsadError("marsad serve needs the web extra: pip install 'marsad[web]'") from exc
    if args.db:  # the review desk (marsad.review), with the extraction API under /api
        from marsad.review.app import create_desk_app

        app = create_desk_app(args.db, import_store=args.import_store)
        _out(f"marsad review desk on http://{args.host}:{args.port}/ (database {args.db})")
        sys.stdout.flush()
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    else:
        from marsad.web import serve

        _out(f"marsad extraction API on http://{args.host}:{args.port}/ (POST /extract, GET /health)")
        sys.stdout.flush()
        serve(args.host, args.port, workers=args.workers)
    return 0


def _cmd_users(args: argparse.Namespace) -> int:
    import getpass
    import os

    from marsad.review.auth import add_user
    from marsad.review.db import Desk

    password = os.environ.get("MARSAD_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise MarsadError("no terminal to ask the password: set MARSAD_PASSWORD")
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise MarsadError("the passwords differ")
    desk = Desk.open(args.db)
    try:
        add_user(desk, args.name, password, args.role)
    except ValueError as exc:
        raise MarsadError(str(exc)) from exc
    finally:
        desk.close()
    _out(f"user {args.name} ({args.role}) saved in {args.db}")
    return 0


def _cmd_learn(args: argparse.Namespace) -> int:
    from marsad.annotations.validate import validate_record
    from marsad.io.writers import json_text
    from marsad.review.db import Desk
    from marsad.review.learn import reviewed_annotations, reviewer_agreement

    desk = Desk.open(args.db)
    try:
        records = list(reviewed_annotations(desk))
        texts = {r["doc_id"]: desk.document(r["doc_id"])["text"] for r in records}
    finally:
        desk.close()
    problems = [p for r in records for p in validate_record(r, texts[r["doc_id"]], None, None)]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json_text(r) + "\n" for r in records), encoding="utf-8")
    n_events = sum(len(r["events"]) for r in records)
    _out(f"{len(records)} annotations ({len({r['doc_id'] for r in records})} articles, "
         f"{n_events} kept events)"
         f" by {len({r['coder'] for r in records})} reviewers written to {out}")
    agreement = reviewer_agreement(records, texts)
    if agreement is not None:
        ev = agreement["events"]
        _out(f"reviewer agreement on {agreement['articles']} articles coded by two reviewers: sentence kappa"
             f" {agreement['sentence_kappa']}, event F1 {ev.get('event_f1')}")
    for p in problems:
        _out(p)
    return 1 if problems else 0


def _cmd_annotations(args: argparse.Namespace) -> int:
    from marsad.annotations import queue

    if args.action == "sheet":
        _out(queue.next_sheets(args.coder, args.next))
    elif args.action == "adjudicate":
        _out(queue.adjudication_sheets(args.next))
    elif args.action == "add":
        for f in args.files:
            ids = queue.add_codings(args.coder, queue.read_codings(Path(f)))
            _out(f"stored {len(ids)} codings from {f} for coder {args.coder}")
    elif args.action == "validate":
        from marsad.annotations.validate import validate_all

        problems, n = validate_all()
        for p in problems:
            _out(p)
        _out(f"{n} annotations checked, {len(problems)} problems")
        return 1 if problems else 0
    elif args.action == "stats":
        from marsad.annotations.stats import corpus_stats, format_stats

        stats = corpus_stats()
        _out(json.dumps(stats, ensure_ascii=False, sort_keys=True) if args.json else format_stats(stats))
    return 0


def _cmd_watch(args: argparse.Namespace) -> int:
    from marsad.watch import FetchSettings, SurgeRule, Watcher, WatchSettings, stop_on_signals

    settings = WatchSettings(
        fetch=FetchSettings(timeout=args.timeout, deadline=args.timeout * 3, retries=args.retries,
                            max_bytes=args.max_bytes),
        surge=SurgeRule(factor=args.surge_factor, min_fatalities=args.surge_min),
        max_chars=args.max_chars, ner=not args.no_ner, settle=args.settle,
    )
    try:
        with Watcher(args.sources, args.db, alerts=args.alerts, settings=settings) as watcher, \
                stop_on_signals(watcher):
            watcher.run(args.interval, once=args.once,
                        on_poll=None if args.quiet else lambda r: sys.stderr.write(r.format() + "\n"))
    except KeyboardInterrupt:  # a second signal: stopped at once (no store transaction is left half done)
        sys.stderr.write("marsad watch: interrupted\n")
        return 130
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="marsad", description="Arabic conflict-news event extraction")
    p.add_argument("--version", action="version", version=f"marsad {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)

    x = sub.add_parser("extract", help="extract events from article files")
    x.add_argument("inputs", nargs="+", help=".jsonl[.gz] .csv .txt dir .html .rss/.atom/.xml .warc[.gz]")
    x.add_argument("-o", "--output", help="events file: .jsonl .csv .geojson .parquet")
    x.add_argument("--db", help="also store documents, events and spans in this SQLite file")
    x.add_argument("--workers", type=int, default=1, help="processes (local executor)")
    x.add_argument("--executor", choices=["local", "dask"], default="local")
    x.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    x.add_argument("--partition-size", default=DEFAULT_PARTITION_SIZE, metavar="SIZE",
                   help="Dask executor: input bytes per partition, e.g. 64MB "
                        "(files are cut at record boundaries)")
    x.add_argument("--no-ner", action="store_true", help="skip the statistical NER stage")
    x.add_argument("--max-chars", type=int, default=2_000_000,
                   help="longer documents are reported and skipped")
    x.add_argument("--strict", action="store_true",
                   help="stop at the first failing document; empty documents also fail the run (exit 1)")
    x.add_argument("--time-budget", type=float, default=DEFAULT_BUDGET.per_100k, metavar="SECONDS",
                   help="processor seconds per 100,000 characters a document may take (at least 10/3 "
                        "times that); a document over it is reported as failed and the run goes on; 0: none")
    x.add_argument("--fresh", action="store_true",
                   help="start the output afresh instead of resuming after the documents it already holds")
    x.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    x.add_argument("--no-consolidate", action="store_true",
                   help="with --db: do not group events into incidents")
    x.set_defaults(func=_cmd_extract)

    e = sub.add_parser("eval", help="score the pipeline on dev and the held-out split (or on gold files)")
    e.add_argument("gold", nargs="*",
                   help="gold files (default: ../shared/gold/dev.jsonl and the held-out split)")
    e.add_argument("--heldout", action="store_true", help="also the training corpus's frozen held-out split")
    e.add_argument("--rules-only", action="store_true", help="without the learned decisions (the baseline)")
    e.add_argument("--pred", help="score these predictions instead of running the pipeline")
    e.add_argument("--errors", action="store_true", help="list missed and spurious events")
    e.add_argument("--json", action="store_true", help="print the summary as JSON")
    e.add_argument("--no-ner", action="store_true")
    e.add_argument("--consolidation", metavar="GOLD", help="score incidents against a consolidation gold "
                   "(a file or folder of annotations/incidents/*.jsonl)")
    e.add_argument("--split", choices=["test", "train", "all"], default="test", help="with --consolidation")
    e.add_argument("--oracle-events", nargs="?", const="all", choices=["all", "matched"],
                   help="with --consolidation: consolidate the gold members' own coded events (all; or "
                   "matched: those the extraction finds) instead of the extracted ones")
    e.add_argument("--sentences", nargs="?", const="heldout", choices=["heldout", "train"],
                   help="sentence-level detection of attacks and protests, each coded sentence read alone "
                   "(default: the held-out split)")
    e.set_defaults(func=_cmd_eval)

    xp = sub.add_parser("export", help="write the events of a SQLite store to a file")
    xp.add_argument("--db", required=True)
    xp.add_argument("-o", "--output", required=True)
    EventFilter.add_arguments(xp)
    xp.add_argument("--consolidated", action="store_true", help="one row per incident (marsad consolidate)")
    xp.set_defaults(func=_cmd_export)

    rp = sub.add_parser("report", help="one offline HTML report of a store: tables, charts, map, evidence")
    rp.add_argument("--db", required=True)
    rp.add_argument("-o", "--output", required=True, help="the .html file to write")
    rp.add_argument("--top", type=int, default=10,
                    help="how many of the deadliest items to show with evidence")
    EventFilter.add_arguments(rp)
    rp.set_defaults(func=_cmd_report)
    st = sub.add_parser("stats", help="fatalities and events by admin-1 and month, in the terminal")
    st.add_argument("--db", required=True)
    st.add_argument("--max-months", type=int, help="show only the latest N months")
    EventFilter.add_arguments(st)
    st.set_defaults(func=_cmd_report)

    c = sub.add_parser("consolidate", help="group a store's events of different documents into incidents")
    c.add_argument("--db", required=True)
    c.set_defaults(func=_cmd_consolidate)

    g = sub.add_parser("geocode", help="show place mentions, their candidates and the choice")
    g.add_argument("text")
    g.set_defaults(func=_cmd_geocode)

    n = sub.add_parser("ner", help="tag a CoNLL file with the NER model, or evaluate it")
    n.add_argument("input", nargs="?")
    n.add_argument("output", nargs="?")
    n.add_argument("--eval", metavar="GOLD", help="print P/R/F1 per type on a CoNLL gold file")
    n.set_defaults(func=_cmd_ner)

    b = sub.add_parser("bench", help="throughput benchmark (docs/s, per stage, peak RSS)")
    b.add_argument("inputs", nargs="+")
    b.add_argument("--limit", type=int, default=2000)
    b.add_argument("--workers", type=int, default=1)
    b.add_argument("--json", help="also write the results here")
    b.add_argument("--repeat", type=int, default=3, help="1-worker passes (the median is reported)")
    b.set_defaults(func=_cmd_bench)

    an = sub.add_parser("annotations",
                        help="the training corpus: coders' sheets, storing codings, checks, counts")
    an_sub = an.add_subparsers(dest="action", required=True)
    a_sheet = an_sub.add_parser("sheet", help="a coder's next articles: sentences and dictionary candidates")
    a_sheet.add_argument("--coder", required=True, help="the coder's id (c1 ... in annotations/sample.tsv)")
    a_sheet.add_argument("--next", type=int, default=5, help="how many of the coder's next articles")
    a_add = an_sub.add_parser("add", help="compile compact codings into spans and store them")
    a_add.add_argument("files", nargs="+", help="files of compact codings (JSON Lines or a JSON list)")
    a_add.add_argument("--coder", required=True)
    a_adj = an_sub.add_parser("adjudicate", help="the next double-coded articles the coders disagree on")
    a_adj.add_argument("--next", type=int, default=5)
    an_sub.add_parser("validate", help="check every annotation against the text, the taxonomy and the pool")
    a_stats = an_sub.add_parser("stats", help="counts, the held-out split and inter-coder agreement")
    a_stats.add_argument("--json", action="store_true", help="one JSON object")
    an.set_defaults(func=_cmd_annotations)

    w = sub.add_parser("serve", help="serve POST /extract over HTTP, or the review desk with --db")
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", type=int, default=8000)
    w.add_argument("--workers", type=int, default=1, help="processes (each loads the pipeline: ~250 MB)")
    w.add_argument("--db", help="serve the review desk over this database (SQLite path or postgresql:// URL)")
    w.add_argument("--import", dest="import_store", metavar="STORE",
                   help="with --db: first import the new documents and events of this extraction store")
    w.set_defaults(func=_cmd_serve)

    wt = sub.add_parser("watch", help="poll feeds and folders, extract new articles, update incidents, alert")
    from marsad.watch.interval import parse_interval

    def interval(text: str) -> float:
        try:
            return parse_interval(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    wt.add_argument("sources", nargs="+", metavar="SOURCE",
                    help="an RSS/Atom feed (http(s) URL or file), or a folder (or file) of articles")
    wt.add_argument("--db", required=True, help="the SQLite store (events, incidents, what was seen)")
    wt.add_argument("--interval", type=interval, default="10m", help="between polls: 30s, 10m, 1h")
    wt.add_argument("--alerts", help="append alerts to this JSONL file")
    wt.add_argument("--once", action="store_true", help="poll once and exit")
    wt.add_argument("--timeout", type=float, default=20.0, help="seconds per network operation")
    wt.add_argument("--retries", type=int, default=2, help="retries of a failed fetch (backoff 2, 4 ... s)")
    wt.add_argument("--max-bytes", type=int, default=16 << 20, help="larger feeds and pages are refused")
    wt.add_argument("--max-chars", type=int, default=2_000_000, help="longer documents are skipped")
    wt.add_argument("--settle", type=float, default=2.0, help="seconds a new file must be left alone")
    wt.add_argument("--surge-factor", type=float, default=2.0, help="admin1 surge: 7-day sum > factor x mean")
    wt.add_argument("--surge-min", type=int, default=10, help="admin1 surge: at least this many fatalities")
    wt.add_argument("--no-ner", action="store_true")
    wt.add_argument("-q", "--quiet", action="store_true", help="no progress line per poll")
    wt.set_defaults(func=_cmd_watch)
    le = sub.add_parser("learn", help="reviewed events of the review desk as training-corpus annotations")
    le.add_argument("--db", required=True, help="the review database (SQLite path or postgresql:// URL)")
    le.add_argument("-o", "--output", required=True,
                    help="JSON Lines file, e.g. annotations/coded/review.jsonl")
    le.set_defaults(func=_cmd_learn)

    us = sub.add_parser("users", help="review desk users (password from a prompt or $MARSAD_PASSWORD)")
    us_sub = us.add_subparsers(dest="action", required=True)
    us_add = us_sub.add_parser("add", help="add a user, or reset their password and role")
    us_add.add_argument("name")
    us_add.add_argument("--role", choices=["viewer", "reviewer", "admin"], default="reviewer")
    us_add.add_argument("--db", required=True, help="the review database (SQLite path or postgresql:// URL)")
    us.set_defaults(func=_cmd_users)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (StoreError, OutputError) as exc:
        sys.stderr.write(f"marsad: {exc}\n")
        return 3
    except MarsadError as exc:
        sys.stderr.write(f"marsad: {exc}\n")
        return 2
    except OSError as exc:  # a fault no layer named (it names its file, when it has one)
        if isinstance(exc, BrokenPipeError):
            return 0
        sys.stderr.write(f"marsad: {exc}\n")
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
