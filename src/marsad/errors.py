"""Exceptions raised by marsad.

Everything marsad raises on purpose derives from :class:`MarsadError`, so a caller (the CLI)
can catch one type, print a clean message and exit non-zero, while real bugs still surface
as ordinary tracebacks.

Readers do not raise for a bad *document*: they yield a :class:`marsad.model.Failure` and
continue. The exceptions below are for problems that stop an operation as a whole (an
unsupported output format, a corrupt checkpoint, a database that cannot be opened) and for
library callers that want to turn a single failure into an exception.
"""

from __future__ import annotations


class MarsadError(Exception):
    """Base class of every error marsad raises deliberately."""


class InputError(MarsadError):
    """An input path or file cannot be read as documents."""


class UnsupportedFormatError(InputError):
    """A file extension that no reader or writer handles."""


class EncodingError(InputError):
    """Bytes that cannot be decoded as text (or decode only to binary junk)."""


class RecordError(InputError):
    """One record of an input file is malformed (bad JSON, missing or empty text, ...)."""


class OutputError(MarsadError):
    """An output file cannot be written."""


class DependencyError(MarsadError):
    """An optional dependency needed for the requested feature is not installed."""


class StoreError(MarsadError):
    """The SQLite store cannot be opened, or holds data that contradicts the request."""


class CheckpointError(StoreError):
    """A resumable output and its ``.done`` sidecar disagree and cannot be reconciled."""


__all__ = [
    "CheckpointError",
    "DependencyError",
    "EncodingError",
    "InputError",
    "MarsadError",
    "OutputError",
    "RecordError",
    "StoreError",
    "UnsupportedFormatError",
]
