"""``marsad watch``: poll feeds and folders, extract only new articles, update incidents, alert.

Modules, in the order a poll uses them: ``sources`` (feeds and folders -> candidate items),
``fetch`` (HTTP with a size cap, timeouts, retries and backoff), ``state`` (seen keys and alerts,
kept in the store), ``incidents`` (the adapter to consolidation), ``alerts`` (the alert kinds, the
surge rule, the JSONL file) and ``loop`` (the :class:`Watcher`); ``interval`` parses ``10m``.
The names below are imported when first used, so that ``marsad`` starts no slower for them.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "FetchSettings": "fetch", "SurgeRule": "alerts", "PollReport": "loop", "WatchSettings": "loop",
    "Watcher": "loop", "parse_interval": "interval", "stop_on_signals": "loop",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module 'marsad.watch' has no attribute {name!r}")
    return getattr(importlib.import_module(f"marsad.watch.{_NAMES[name]}"), name)
