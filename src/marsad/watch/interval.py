"""``--interval`` values: a number of seconds, minutes or hours (kept apart from the watch loop so
that building the command line parser imports nothing else of ``marsad.watch``)."""

from __future__ import annotations

_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_interval(text: str) -> float:
    """``"90"``, ``"30s"``, ``"10m"``, ``"1.5h"`` -> seconds (> 0); ValueError otherwise."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in _UNITS else "s"
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        seconds = float(number) * _UNITS[unit]
    except ValueError:
        raise ValueError(f"not an interval: {text!r} (a number with s, m or h: 30s, 10m, 1h)") from None
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"not an interval: {text!r} (must be more than 0)")
    return seconds
