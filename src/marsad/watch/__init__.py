"""``marsad watch``: poll feeds and folders, extract only new articles, update incidents, alert.

Modules, in the order a poll uses them: ``sources`` (feeds and folders -> candidate items),
``fetch`` (HTTP with a size cap, timeouts, retries and backoff), ``state`` (seen keys and alerts,
kept in the store), ``incidents`` (the adapter to consolidation), ``alerts`` (the alert kinds, the
surge rule, the JSONL file) and ``loop`` (the :class:`Watcher`).
"""

from marsad.watch.alerts import SurgeRule
from marsad.watch.fetch import FetchSettings
from marsad.watch.loop import PollReport, Watcher, WatchSettings, parse_interval, stop_on_signals

__all__ = ["FetchSettings", "PollReport", "SurgeRule", "WatchSettings", "Watcher", "parse_interval",
           "stop_on_signals"]
