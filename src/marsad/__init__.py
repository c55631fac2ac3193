"""marsad (مرصد): Arabic conflict news → geocoded, source-attributed event records.

The public API is small: :func:`extract` for one article, :class:`Pipeline` for many,
and the data model records.
"""

from marsad.model import Analysis, Document, Event, Failure, Mention, MentionKind, Place, Span
from marsad.pipeline import Pipeline, extract

__version__ = "0.1.0"

__all__ = [
    "Analysis", "Document", "Event", "Failure", "Mention", "MentionKind", "Pipeline", "Place", "Span",
    "__version__", "extract",
]
