"""marsad (مرصد): Arabic conflict news → geocoded, source-attributed event records.

The public API is small: :func:`extract` for one article, :class:`Pipeline` for many,
and the data model records.
"""

import sys
import types

from marsad.model import Analysis, Document, Event, Failure, Mention, MentionKind, Place, Span
from marsad.pipeline import Pipeline, extract

__version__ = "0.1.0"

__all__ = [
    "Analysis", "Document", "Event", "Failure", "Mention", "MentionKind", "Pipeline", "Place", "Span",
    "__version__", "extract",
]


class _Package(types.ModuleType):
    """The ``marsad`` package, whose public names no submodule import can shadow.

    Importing a submodule binds it on its package (``import marsad.extract.frames`` sets
    ``marsad.extract`` to the subpackage), which would replace the function :func:`extract`
    the first time a pipeline is built. The subpackage stays reachable through ``sys.modules``
    and ``from marsad.extract.frames import ...``; the attribute stays the function.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in __all__ and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
