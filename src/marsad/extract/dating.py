"""The day of an event: its own date phrase, the day of the telling before it, or the days a toll
spans.

Requires: DATE mentions (``value`` an ISO day, ``precision``, ``norm_end``), the publication day,
and for ``split_by_days`` the frames' tolls and the article's text.
Provides: ``date_for`` (a sentence's event day), ``told_before`` (the day the telling before a frame
passes on), ``inherit_dates`` (undated frames take the day of the dated one before them),
``split_by_days`` (a toll over two or three days: one event a day), ``recent`` and ``days_apart``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from marsad.extract.fatalities import as_told, combine
from marsad.extract.settings import DEFAULT
from marsad.model import Analysis, Mention
from marsad.text.normalise import normalise_key

if TYPE_CHECKING:
    from marsad.extract.frames import Frame

_THAT_AFTER = re.compile(r"[،,]?\s*(?:ان|بان|انه|انها)\s")


def date_for(dates: list[Mention], published: date | None, anchor: int,
             norm: str) -> tuple[str | None, int, Mention | None]:
    """The day, its precision and its phrase of an event whose main trigger is at ``anchor``:
    the nearest of ``dates``, else the publication day (precision 2)."""
    if dates:
        # "أعلنت طهران الثلاثاء أن الضربة التي استهدفت فجر الاثنين ...": the day before "أن" dates
        # the statement; the event's own day follows its trigger
        told = {id(m) for m in dates if m.span.start < anchor and m.attr("norm_end") is not None
                and _THAT_AFTER.match(norm, m.attr("norm_end"))}
        dates = [m for m in dates if id(m) not in told] or dates
        best = min(dates, key=lambda m: abs(m.span.start - anchor))
        return best.value, int(best.attr("precision") or 1), best
    if published:
        return published.isoformat(), 2, None
    return None, 3, None


def days_apart(a: str | None, b: str | None) -> int:
    if not a or not b:
        return 0
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def recent(day: str | None, published: date | None) -> bool:
    """Whether an event's day is recent enough for the next sentences to be about it too."""
    return day is not None and (published is None
                                or (published - date.fromisoformat(day)).days <= DEFAULT.inherit_days)


#: a day as a frame holds it: (ISO day, precision, the date phrase)
Day = tuple[str, int, Mention | None]


def told_before(frames: list[Frame], published: date | None) -> Iterator[tuple[Frame, Day | None]]:
    """Each frame in the order told, with the day of the last frame before it dated by a phrase of its
    own, where that day is recent (what an undated frame inherits). A frame's own phrase is read before
    the caller handles it, so a day the caller gives it is not passed on."""
    last: Day | None = None
    for f in sorted(frames, key=lambda g: min(g.sents)):
        own: Day | None = (f.date, f.date_precision, f.date_mention) if (
            f.date is not None and f.date_mention is not None and not f.date_inherited) else None
        yield f, last if last is not None and recent(last[0], published) else None
        if own is not None:
            last = own


def inherit_dates(frames: list[Frame], published: date | None) -> None:
    """A frame whose sentences name no day happened when the last dated frame before it did
    ("شهدت تركيا، أمس، 4 هجمات ... وفي إسطنبول، أصيب 10 أشخاص"): articles date the lead and tell on.
    An older day ("قبل أسبوعين") is a look back, not the day the rest of the report is about."""
    for f, before in told_before(frames, published):
        if f.date_mention is None and before is not None:
            f.date, f.date_precision, f.date_mention = before
            f.date_inherited = True


# "250 شخصا قتلوا خلال يومين": a toll over two or three days, one event per day (spec §1, §4)
_DAYS_SPAN = re.compile(r"(?:خلال|في|علي\s+مدي|علي\s+مدار|طيله)\s+"
                        r"(?:ال)?(?:(يومين)|(?:ثلاثه|3)\s+ايام)(?:\s|$|[،.])")


def split_by_days(frames: list[Frame], analysis: Analysis) -> list[Frame]:
    """One frame per day when the toll an event counts was told over two or three days: the days
    end on the event's date, and the toll is shared evenly (the remainder to the first)."""
    out: list[Frame] = []
    for f in frames:
        killed = combine(as_told(f.tolls))[0]  # (the rules' reading: a veto changes no day)
        n = 0
        if killed and f.split[1] == 1 and f.date:
            for st in f.tolls:
                sent = analysis.sentences[st.sent]
                text = normalise_key(analysis.doc.text[sent.start:sent.end])
                m = st.killed == killed and _DAYS_SPAN.search(text)
                if m:
                    n = 2 if m.group(1) else 3
                    break
        if n < 2 or date.fromisoformat(f.date).toordinal() <= n:  # (no day before the calendar's first)
            out.append(f)
            continue
        last = date.fromisoformat(f.date)
        for k in range(n):
            out.append(f.copy(date=(last - timedelta(days=n - 1 - k)).isoformat(), split=(k, n),
                              date_inherited=f.date_inherited or k < n - 1))
    return out
