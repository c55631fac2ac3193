"""The watch loop: poll every source, extract what is new, store it, update incidents, alert.

Requires: SOURCE strings, a store path, settings. Provides :class:`Watcher` (``poll()`` once,
``run()`` until stopped) and a :class:`PollReport` per poll, which the CLI prints as one line.

One poll: for each source (in the order given), list its items; skip those whose key and version
are known (``state``); load the others (a page fetch for a feed entry without full text); skip a
document whose text is already stored (content hash); run the pipeline on the rest and store each
document with its events in one transaction (the same ``Store.add_result`` as ``marsad extract
--db``, in one store run per watch session). Then the incidents of the poll's documents are
updated (``incidents.update_incidents``) and the alerts written.

Failure policy: a source that is down, slow or malformed is logged (WARNING) and counted in the
poll's line, and the poll goes on with the next source; its items are tried again next poll. A
page that cannot be fetched is tried again at the next polls, ``max_attempts`` times in all
(then stored as a failure and not tried again; an HTTP 404 gives up at once). A document the
pipeline fails on is stored as a failure. Nothing of this stops the loop.

Stopping: :meth:`Watcher.stop` (the CLI calls it on SIGINT/SIGTERM) lets the document in hand
finish (a pipeline run takes milliseconds) or abandons the download in progress, and ends the poll
after the documents stored so far have had their incidents and alerts; a store transaction is
never cut in half.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.errors import MarsadError, StoreError
from marsad.model import Document, Failure
from marsad.store.sqlite import Store, content_hash
from marsad.watch.alerts import AlertFile, SurgeRule, incident_alerts, surge_alerts
from marsad.watch.fetch import FetchError, FetchSettings, Stopped, downloading
from marsad.watch.incidents import EventChange, update_incidents
from marsad.watch.interval import parse_interval
from marsad.watch.sources import Candidate, Source, SourceError, open_source
from marsad.watch.state import DONE, FAILED, RETRY, WatchState

if TYPE_CHECKING:
    from marsad.pipeline import Pipeline

log = logging.getLogger(__name__)

__all__ = ["PollReport", "WatchSettings", "Watcher", "parse_interval", "stop_on_signals"]

@dataclass
class PollReport:
    """What one poll did."""

    number: int
    started: str
    sources: int = 0
    sources_failed: int = 0
    new_items: int = 0
    documents: int = 0  # extracted and stored
    duplicates: int = 0  # text already stored (another URL, a copied file)
    failures: int = 0
    events: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: bool = False

    def format(self) -> str:
        alerts = ", ".join(f"{n} {k}" for k, n in sorted(self.alerts.items())) or "no alerts"
        failed = f" ({self.sources_failed} failed)" if self.sources_failed else ""
        end = ", stopped" if self.stopped else ""
        plural = "" if self.sources == 1 else "s"
        return (f"[{self.started}] poll {self.number}: {self.sources} source{plural}{failed},"
                f" {self.new_items} new items, {self.documents} documents stored"
                f" ({self.duplicates} already stored, {self.failures} failed),"
                f" {self.events} events, {alerts} in {self.seconds:.1f} s{end}")


@dataclass(frozen=True)
class WatchSettings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    surge: SurgeRule = field(default_factory=SurgeRule)
    max_chars: int = 2_000_000
    ner: bool = True
    max_attempts: int = 3  # polls at which a page is tried before it is given up
    settle: float = 2.0  # seconds a watched file must be left alone before it is read

    def __post_init__(self) -> None:
        if self.max_chars < 1 or self.max_attempts < 1 or self.settle < 0:
            raise MarsadError("max_chars and max_attempts must be at least 1, settle at least 0")


class Watcher:
    """Polls ``sources`` into the store at ``db``; alerts also go to ``alerts`` (JSONL) when given."""

    def __init__(self, sources: Sequence[str], db: str | Path, *, alerts: str | Path | None = None,
                 settings: WatchSettings | None = None, pipeline: Pipeline | None = None) -> None:
        if not sources:
            raise MarsadError("marsad watch: give at least one SOURCE")
        self.settings = settings or WatchSettings()
        self._stop = threading.Event()
        s = self.settings
        self.sources: list[Source] = [open_source(x, s.fetch, s.max_chars, self._stop, s.settle)
                                      for x in sources]
        self.alert_file = AlertFile(alerts) if alerts else None
        try:
            self.store = Store.open(db)
        except MarsadError:
            if self.alert_file is not None:
                self.alert_file.close()
            raise
        self.state = WatchState(self.store)
        self._pipeline = pipeline
        self.run_id = self.store.start_run({"watch": [str(x) for x in sources]})
        self.polls = 0
        self.totals: dict[str, int] = {"documents": 0, "failures": 0, "events": 0, "alerts": 0}

    # ------------------------------------------------------------------ control

    def stop(self) -> None:
        """Ask the loop to stop after the document in hand (callable from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        try:
            self.store.finish_run(self.run_id, {**self.totals, "polls": self.polls})
        finally:
            self.store.close()
            if self.alert_file is not None:
                self.alert_file.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, interval: float, *, once: bool = False,
            on_poll: Callable[[PollReport], None] | None = None) -> int:
        """Poll every ``interval`` seconds (from the start of one poll to the next) until stopped;
        with ``once``, poll once. Returns the number of polls."""
        while not self.stopping:
            began = time.monotonic()
            report = self.poll()
            if on_poll is not None:
                on_poll(report)
            if once:
                break
            self._stop.wait(max(0.0, interval - (time.monotonic() - began)))
        return self.polls

    # ------------------------------------------------------------------ one poll

    @property
    def pipeline(self) -> Pipeline:
        """Built at the first new document (loading the resources takes a second or two)."""
        if self._pipeline is None:
            from marsad.pipeline import Pipeline

            self._pipeline = Pipeline.default(ner=self.settings.ner, events_only=True)
        return self._pipeline

    def poll(self) -> PollReport:
        self.polls += 1
        began = time.monotonic()
        report = PollReport(self.polls, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"))
        changes: list[EventChange] = []
        doc_ids: list[str] = []
        touched: dict[tuple[str, str], date] = {}
        for source in self.sources:
            if self.stopping:
                break
            report.sources += 1
            try:
                candidates = source.poll()
            except (SourceError, Stopped) as exc:
                if not self.stopping:
                    report.sources_failed += 1
                    log.warning("source %s failed: %s (tried again next poll)", source, exc)
                continue
            except Exception:  # a bug in a source must not end the watch; the next poll tries again
                report.sources_failed += 1
                log.exception("source %s failed unexpectedly", source)
                continue
            for cand in candidates:
                if self.stopping:
                    break
                try:
                    self._item(cand, report, changes, doc_ids, touched)
                except StoreError:  # the store cannot be written: nothing more can be kept
                    raise
                except Exception:  # a bug on one item must not end the watch; it is tried again next poll
                    report.failures += 1
                    log.exception("%r [%s] failed unexpectedly", cand.doc_id, cand.source)
        self._alerts(report, changes, doc_ids, touched)
        report.seconds = time.monotonic() - began
        report.stopped = self.stopping
        for k in ("documents", "failures", "events"):
            self.totals[k] += getattr(report, k)
        self.totals["alerts"] += sum(report.alerts.values())
        return report

    def _item(self, cand: Candidate, report: PollReport, changes: list[EventChange], doc_ids: list[str],
              touched: dict[tuple[str, str], date]) -> None:
        seen = self.state.get(cand.key)
        if seen is not None and seen.status != RETRY and seen.version == cand.version:
            return
        report.new_items += 1
        revision = seen is not None and seen.stored
        try:
            items = cand.load()
        except Stopped:
            return
        except FetchError as exc:
            attempts = (seen.attempts if seen is not None and seen.status == RETRY else 0) + 1
            if exc.retryable and attempts < self.settings.max_attempts:
                log.warning("%r: %s (attempt %d of %d; tried again next poll)", cand.doc_id, exc, attempts,
                            self.settings.max_attempts)
                self.state.mark(cand.key, cand.version, RETRY, attempts=attempts, source=cand.source,
                                reason=exc.reason)
                return
            self._failure(Failure(cand.doc_id, f"page not fetched: {exc.reason}", cand.source), report)
            self.state.mark(cand.key, cand.version, FAILED, attempts=attempts, source=cand.source,
                            reason=exc.reason)
            return
        hashes: list[str] = []
        for item in items:
            if isinstance(item, Failure):
                self._failure(item, report)
                continue
            if self.stopping:  # the rest of a multi-document file waits for the next run
                return
            hashes.append(self._document(item, revision, report, changes, doc_ids, touched))
        self.state.mark(cand.key, cand.version, DONE, hashes=hashes, source=cand.source)

    def _failure(self, failure: Failure, report: PollReport) -> None:
        log.warning("skipping %r: %s [%s]", failure.doc_id, failure.reason, failure.source)
        self.store.add_failure(failure, self.run_id)
        report.failures += 1

    def _document(self, doc: Document, revision: bool, report: PollReport, changes: list[EventChange],
                  doc_ids: list[str], touched: dict[tuple[str, str], date]) -> str:
        h = content_hash(doc.text)
        if self.store.is_done(h):
            report.duplicates += 1
            return h
        [analysis] = self.pipeline.run_batch([doc])
        if isinstance(analysis, Exception):
            log.error("document %r failed", doc.doc_id, exc_info=analysis)
            self._failure(Failure(doc.doc_id, f"{type(analysis).__name__}: {analysis}", "pipeline"), report)
            return h
        before = dict(self.store.conn.execute("SELECT event_id, fatalities FROM events WHERE doc_id = ?",
                                              (doc.doc_id,)).fetchall())
        # a revised item (an updated entry, a rewritten file) replaces its earlier text and events
        self.store.add_result(doc, analysis.events, self.run_id, replace_doc_id=revision)
        report.documents += 1
        report.events += len(analysis.events)
        doc_ids.append(doc.doc_id)
        for e in analysis.events:
            changes.append(EventChange(e.event_id, before.get(e.event_id), e.fatalities))
            try:
                day = date.fromisoformat(e.event_date or "")
            except ValueError:  # no day: the event cannot count towards a week
                continue
            if e.country and e.admin1:
                key = (e.country, e.admin1)
                touched[key] = max(touched.get(key, day), day)
        return h

    def _alerts(self, report: PollReport, changes: list[EventChange], doc_ids: list[str],
                touched: dict[tuple[str, str], date]) -> None:
        if not doc_ids:
            return
        update = update_incidents(self.store, doc_ids, changes)
        alerts = incident_alerts(self.store, update)
        alerts += surge_alerts(self.store, self.state, touched, self.settings.surge,
                               consolidated=update.consolidated)
        if not alerts:
            return
        self.state.add_alerts(alerts)
        if self.alert_file is not None:
            self.alert_file.write(alerts)
        for kind, _key, _rec in alerts:
            report.alerts[kind] = report.alerts.get(kind, 0) + 1


@contextlib.contextmanager
def stop_on_signals(watcher: Watcher) -> Iterator[None]:
    """SIGINT and SIGTERM stop ``watcher`` cleanly (see :meth:`Watcher.stop`): a download in progress
    is abandoned at once (nothing is written during one; waiting could take the socket's timeout),
    else the document in hand is finished. A second signal, for the impatient, raises
    KeyboardInterrupt (a store transaction in flight is rolled back)."""
    def handler(signum: int, _frame: Any) -> None:
        if watcher.stopping:
            raise KeyboardInterrupt
        log.warning("%s: stopping after the current document", signal.Signals(signum).name)
        watcher.stop()
        if downloading():
            raise Stopped("stopped during a download")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
