"""The per-document time budget: a runaway document is stopped, reported and the run goes on.

Requires: nothing (the pipeline sets the deadline; long loops call :func:`check`).
Provides: :class:`TimeBudget` (seconds per 100,000 characters, with a floor), the error
:class:`TimeBudgetExceeded`, :func:`deadline` (the context the pipeline runs a stage of one
document in) and :func:`check` (raises once that document is over its budget).

How: cooperative. ``Pipeline.run_batch`` adds up the processor time each document spends in each
stage, sets the deadline that is left before it hands the document to a stage, and turns a document
over its budget into a failure carrying its id and the stage; the stages with loops over frames or
sentences call :func:`check` between them, so a stage stops mid-way too. Nothing is interrupted
from outside (no signal, no thread): a stage stops only between two of its steps, where its state is
its own, so a stopped document leaves nothing half-written and the next document starts clean. This
works the same in the worker processes of ``--workers N`` (each runs its own batches).

The clock is the thread's processor time (``time.thread_time``), not the wall clock: on a machine
shared with other work a document is not failed because the processor was busy elsewhere.
With the bounds of ``marsad.extract.bounds`` no document should reach the budget (the slowest
pathological 1 MB shape takes ~3 s; bench/pathological.py); it is the net under them.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from marsad.errors import MarsadError

clock = time.thread_time

# an article of a few KB takes milliseconds: the floor only keeps the budget of short ones far above
# the noise of a loaded machine
MINIMUM = 10.0

_DEADLINE: ContextVar[float | None] = ContextVar("marsad_deadline", default=None)


class TimeBudgetExceeded(MarsadError):
    """A document took more processor time than its budget (the run records it and goes on)."""


@dataclass(frozen=True, slots=True)
class TimeBudget:
    """``per_100k`` seconds per 100,000 characters of a document, and never less than ``minimum``."""

    per_100k: float = 3.0
    minimum: float = 10.0  # (MINIMUM)

    def seconds(self, chars: int) -> float:
        return max(self.minimum, self.per_100k * chars / 100_000)

    @classmethod
    def of(cls, per_100k: float | None) -> TimeBudget | None:
        """The budget ``--time-budget`` asks for: None (no budget) for 0 or None."""
        if per_100k is None or per_100k <= 0:
            return None
        return cls(per_100k, min(MINIMUM, per_100k * 10 / 3))


DEFAULT_BUDGET = TimeBudget()


class deadline:  # noqa: N801 — used as a function: ``with deadline(at):``
    """Run the block with :func:`check` raising after ``at`` (a :data:`clock` reading; None: never).

    A class, not a ``@contextmanager`` generator: a batch enters it once per document and stage
    (~30,000 times over 3,000 articles), and the generator's machinery cost 3.5 µs a time."""

    __slots__ = ("_at", "_token")

    def __init__(self, at: float | None) -> None:
        self._at = at

    def __enter__(self) -> None:
        self._token = _DEADLINE.set(self._at)

    def __exit__(self, *exc: object) -> None:
        _DEADLINE.reset(self._token)


def check() -> None:
    """Raise :class:`TimeBudgetExceeded` when the current document is past its deadline."""
    at = _DEADLINE.get()
    if at is not None and clock() > at:
        raise TimeBudgetExceeded("over its time budget")
