"""Resumable file outputs: an append-only ``.done`` sidecar beside a .jsonl/.csv output.

For an output ``OUT`` the sidecar ``OUT.done`` holds one JSON line per finished document::

    {"doc_id": "...", "hash": "<sha256 of the text>", "events": 3, "status": "ok", "offset": 18234}

where ``offset`` is the size of ``OUT`` in bytes once that document's events were written.

Ordering, per document (:meth:`Checkpoint.commit`):

1. the document's events are written to ``OUT``;
2. ``OUT`` is flushed (and fsync'd);
3. the ``.done`` line is appended, flushed (and fsync'd).

Recovery (opening with ``resume=True``): a partial last line of ``OUT.done`` (a crash in
step 3) is dropped; ``OUT`` is truncated to the ``offset`` of the last complete ``.done``
line (0 when there is none). That removes exactly the bytes of documents that were written
but not marked done - including any partial last line - so those documents are processed
again and appear once.

**Guarantee**: when a run over the same inputs is killed at any point (SIGKILL included)
and restarted with ``resume=True`` any number of times, the final ``OUT`` holds the events
of every document exactly once, in processing order, and documents marked done are not
processed again. With ``fsync=True`` (the default) this also holds after a power cut, as far
as the disk honours fsync; with ``fsync=False`` it holds for process crashes only.

A resumed run skips the documents of :meth:`Checkpoint.finished_ids` by position (its
first items are those, in that order), or by id with :meth:`Checkpoint.is_done`.
Documents are identified by ``doc_id`` (the readers guarantee unique ids within a run);
the content hash is recorded for information and to warn when an input changed between
runs. Committing the same ``doc_id`` twice in one run is the caller's bug and is not checked.

Opening with ``resume=False`` starts afresh (``OUT`` and ``OUT.done`` are emptied). Opening
with ``resume=True`` an ``OUT`` that has content but no ``OUT.done`` raises
:class:`CheckpointError` rather than truncating a file this class did not write.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from marsad.errors import CheckpointError, OutputError
from marsad.io.readers import IdIndex
from marsad.io.writers import WRITERS, EventWriter, open_writer
from marsad.model import Event

log = logging.getLogger(__name__)


def done_path_for(output: str | Path) -> Path:
    """The sidecar of ``output``: ``OUT.done``."""
    output = Path(output)
    return output.with_name(output.name + ".done")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Checkpoint:
    """A streaming event writer plus the ``.done`` sidecar that makes it resumable.

    Typical use::

        with Checkpoint(out, resume=True) as ck:
            for doc in docs:
                h = content_hash(doc.text)
                if ck.is_done(doc.doc_id, h):
                    continue
                ck.write_document(doc.doc_id, extract(doc), h)

    ``ck.writer`` is the underlying :class:`EventWriter`; events may also be written to it
    directly, followed by :meth:`commit`. Documents that failed can be committed with no
    events (``status="failed"``) so that a resumed run skips them too.
    """

    def __init__(
        self, output: str | Path, *, resume: bool = True, fsync: bool = True, **writer_options: Any
    ) -> None:
        self.output = Path(output)
        cls = WRITERS.get(self.output.suffix.lower())
        if cls is None or not cls.streaming:
            raise CheckpointError(f"{self.output}: resumable output must be .jsonl or .csv")
        self.done_path = done_path_for(self.output)
        self.fsync = fsync
        self.done = IdIndex()  # doc_id -> content hash ("" if not given); bounded memory
        self.resumed = 0  # documents found done when opening
        self.output.parent.mkdir(parents=True, exist_ok=True)
        if resume:
            self._recover()
        else:
            self._reset()
        self._done: BinaryIO = open(self.done_path, "ab")  # noqa: SIM115
        self._done_size = self._done.tell()  # bytes of complete .done lines
        self._failed = False  # a write failed: close() cuts both files back to the last commit
        _fsync_dir(self.output.parent)
        self.writer: EventWriter = open_writer(self.output, append=True, **writer_options)
        self._committed = self.writer.tell()
        self._closed = False

    # ------------------------------------------------------------------ recovery

    def _reset(self) -> None:
        for p in (self.output, self.done_path):
            if p.exists():
                p.unlink()

    def _recover(self) -> None:
        offset = 0
        if self.done_path.exists():
            good = 0
            with open(self.done_path, "rb") as fh:
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        log.warning("%s: dropping a partial last line", self.done_path)
                        break
                    try:
                        entry = json.loads(raw)
                        new_offset = int(entry["offset"])
                    except (ValueError, KeyError, TypeError) as exc:
                        raise CheckpointError(f"{self.done_path}: corrupt line {raw[:80]!r}") from exc
                    if new_offset < offset:
                        raise CheckpointError(f"{self.done_path}: offsets go backwards at {raw[:80]!r}")
                    offset = new_offset
                    self.done[entry["doc_id"]] = entry.get("hash") or ""
                    self.resumed += 1
                    good += len(raw)
            if good < self.done_path.stat().st_size:
                os.truncate(self.done_path, good)
        elif self.output.exists() and self.output.stat().st_size > 0:
            raise CheckpointError(
                f"{self.output} exists but {self.done_path.name} does not: not resuming a file "
                "this run did not write (start afresh to overwrite it)"
            )
        size = self.output.stat().st_size if self.output.exists() else 0
        if size < offset:
            raise CheckpointError(
                f"{self.output} is {size} bytes but {self.done_path.name} says {offset} were "
                "written: was the output modified?"
            )
        if size > offset:
            log.info("%s: dropping %d bytes written after the last finished document", self.output,
                     size - offset)
            os.truncate(self.output, offset)
        if self.resumed:
            log.info("%s: resuming after %d finished documents", self.output, self.resumed)

    # ------------------------------------------------------------------ progress

    def is_done(self, doc_id: str, content_hash: str | None = None) -> bool:
        """Whether the document ``doc_id`` was committed.

        Documents are keyed by id, not by text: two inputs with the same text under
        different ids are both written. When ``content_hash`` is given and differs from the
        one committed for that id (the input changed between the runs), a warning is logged;
        the document still counts as done, so its events are never written twice.
        """
        committed = self.done.get(doc_id)
        if committed is None:
            return False
        if content_hash and committed and committed != content_hash:
            log.warning("%s: text of %s changed since it was written; keeping the earlier events",
                        self.output, doc_id)
        return True

    @property
    def done_count(self) -> int:
        return len(self.done)

    def finished_ids(self) -> Iterator[str]:
        """Ids of the documents found done when opening, in commit order, streamed from the sidecar.

        A run over the same inputs meets them again as its first items, in this order, so it
        can skip them by position: exact even when an id recurs (a failed record and a later
        good one with the same id), and with no id held in memory.
        """
        if not self.resumed:
            return
        with open(self.done_path, "rb") as fh:
            for raw in itertools.islice(fh, self.resumed):
                yield json.loads(raw)["doc_id"]

    def commit(self, doc_id: str, content_hash: str = "", *, events: int = 0, status: str = "ok") -> None:
        """Mark a document finished; call after ALL its events went to :attr:`writer`."""
        if self._closed:
            raise CheckpointError(f"{self.output}: checkpoint is closed")
        try:
            self.writer.flush(fsync=self.fsync)
        except OSError as exc:  # a full disk: the document is not done; close() cuts its bytes off
            self._failed = True
            raise OutputError(f"cannot write {self.output}: {exc}") from exc
        offset = self.writer.tell()
        entry = {"doc_id": doc_id, "hash": content_hash, "events": events, "status": status,
                 "offset": offset}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self._done.write(line)
            self._done.flush()
            if self.fsync:
                os.fsync(self._done.fileno())
        except OSError as exc:
            self._failed = True
            raise OutputError(f"cannot write {self.done_path}: {exc}") from exc
        self._done_size += len(line)
        self._committed = offset
        self.done[doc_id] = content_hash

    def write_document(
        self, doc_id: str, events: Iterable[Event | dict[str, Any]], content_hash: str = "",
        *, status: str = "ok",
    ) -> int:
        """Write the events of one document, then commit it; returns the number written."""
        n = 0
        try:
            for ev in events:
                self.writer.write(ev)
                n += 1
        except OSError as exc:
            self._failed = True
            raise OutputError(f"cannot write {self.output}: {exc}") from exc
        self.commit(doc_id, content_hash, events=n, status=status)
        return n

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the output; bytes written after the last commit are discarded."""
        if self._closed:
            return
        self._closed = True
        if self._failed:
            # after a write error (a full disk) the buffers may hold part of a document: both files
            # are cut back to the last committed document, so a re-run resumes exactly there
            for fh in (self.writer, self._done):
                with contextlib.suppress(OSError):
                    fh.close()
            self.done.close()
            for path, size in ((self.output, self._committed), (self.done_path, self._done_size)):
                if path.stat().st_size > size:
                    os.truncate(path, size)
            return
        self.writer.flush()
        if self.writer.tell() > self._committed:
            log.warning("%s: discarding events of an unfinished document", self.output)
            self.writer.close()
            os.truncate(self.output, self._committed)
        else:
            self.writer.close()
        self._done.close()
        self.done.close()

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


__all__ = ["Checkpoint", "done_path_for"]
