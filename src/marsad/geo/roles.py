"""The roles of place mentions that are not where an event happened: a distance reference, a dateline,
a place inside an actor's name or an actor's home ("الحوثيون في اليمن"), a government named by its
country or capital ("أعلنت مصر", metonymy), a speaker's or a meeting's whereabouts, where people came
from. Rules over the normalised text around each mention; :class:`PlaceRoles` gives each mention its
role or None (:mod:`marsad.geo.geocode` resolves the places and chooses among those without a role).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any, NamedTuple

from marsad.geo.gazetteer import GazetteerLike, distance_km
from marsad.geo.places import candidates
from marsad.model import Analysis, Mention, MentionKind, Place
from marsad.text.wordlists import parse_word_lists

#: entries of the capital cache (distinct places seen): bounds memory on a long run
CACHE_MAX = 50_000

#: the word lists of ``data/place_roles.tsv`` (what each is for: the file's header)
WORD_LISTS = ("speech", "meeting", "origin", "agent_verb", "nisba", "attacked")


@cache
def place_words() -> dict[str, dict[str, str]]:
    """The word lists of the shipped ``data/place_roles.tsv`` (:func:`parse_place_words`)."""
    path = resources.files("marsad") / "data" / "place_roles.tsv"
    return parse_place_words(path.read_text(encoding="utf-8"))


def parse_place_words(text: str, source: str = "place_roles.tsv") -> dict[str, dict[str, str]]:
    """Word lists as ``data/place_roles.tsv`` holds them: list -> {word: country}, in the file's order.

    Checked when loaded (a :class:`ValueError` names the line): a known list, a word written as the
    normaliser writes it (the patterns match normalised text: "مؤتمر" would never match "موتمر"), no
    word twice in a list, a two-letter country code or none.
    """
    return parse_word_lists(text, WORD_LISTS, source, header=True, value=_country)


def _country(code: str) -> str | None:
    ok = not code or (len(code) == 2 and code.isupper())
    return None if ok else f"{code!r} is no two-letter country code"


def _alternation(name: str) -> str:
    return "|".join(map(re.escape, place_words()[name]))


# A speaker's whereabouts ("قال وزير الخارجية السوري في دمشق"): only a national capital is taken for a
# statement place (a local "أفاد ناشطون في مدينة الرقة" still reports from the event's town) ...
_SPEECH = re.compile(r"(?<!\w)[وف]?(?:" + _alternation("speech")
                     + r")(?!\w)[^.،:\"!?؟\n]{0,60}?(?:\s|^)(?:في|من)\s+(?:العاصمه\s+)?$")
# ... while meetings, talks and visits are never events of political violence.
_MEETING = re.compile(r"(?<!\w)[وفب]?(?:" + _alternation("meeting") + r")(?!\w)[^.،:\"!?؟\n]{0,60}?(?:\s|^)"
                      r"(?:في|من|الي|حول)\s+(?:العاصمه\s+)?$")
_SPEECH_BREAK = re.compile(r"(?:^|\s)(?:ان|انه|انها|بان)(?:\s|$)")
# ... unless the meeting is what was attacked ("استهدف لقاء انتخابيا في بيشاور"): then it is the event's place
_TARGETED = re.compile(r"(?:^|\s)[وف]?(?:" + _alternation("attacked").replace(r"\ ", r"\s+") + r")"
                       r"(?:\s+\S+){0,4}\s*$")
# A country or national capital used for its government ("أعلنت مصر"، "وتتهم واشنطن"، "المدعومة من
# روسيا"، "نظام طهران"، "العراق يعلن"): an actor, not where something happened.
_AGENT_BEFORE = re.compile(
    r"(?:^|\s)(?:[وف]?(?:" + _alternation("agent_verb")
    + r")|ضد|نظام|النظام|حكومه|حكومتا|سلطات|جيش|قوات|طيران|"
    r"(?:ال)?مدعوم(?:ه|ين|ون)?\s+من|بدعم\s+من|بدعم|بدعمها|بقياده|بطلب\s+من|تقوده|تقودها|تدعمه|تدعمها|"
    r"(?:ال)?موالي(?:ه|ين|ون)?|(?:ال)?تابع(?:ه|ين)?)\s*$")
# What ``_CLAUSE_START`` can end with once its trailing spaces and quotes are stripped (or nothing).
_CLAUSE_LAST = ("،", "لكن", "بينما", "فيما", "حين", "ان", "انه")
_QUOTES = "\"«'“"
_AGENT_AFTER = re.compile(r"\s+(?!تشهد|يشهد|تعيش|يعيش|تقع|يقع)[يت][\u0621-\u064a]{2,}(?:\s|$)")
_CLAUSE_START = re.compile(r"(?:^|،|(?:^|\s)(?:لكن|ولكن|بينما|فيما|حين|ان|انه|بان))[\s\"«'“]*$")
_ACTOR_HOME = re.compile(r"\s+في\s+")
_BLANK = re.compile(r"\s*")
_LAST_WORD = re.compile(r"(?:^|\s)[وف]?([\u0621-\u064a]+)\s*$")
_NOT_VERBS = frozenset({"تحت", "وقت", "بيت", "بات", "ذات", "مرات", "لفتت"})
_AGENT_LIST = re.compile(r"^\s*و\s*$")
_ORIGIN = re.compile(
    r"(?:" + _alternation("origin") + r")[^.،:\n]{0,40}?(?:\s|^)من\s+(?:(?:مدينه|بلده|محافظه|مناطق)\s+)?$")
# The words each of the three patterns above must end with (before trailing whitespace).
_MEETING_LAST = ("في", "من", "الي", "حول", "العاصمه")
_SPEECH_LAST = ("في", "من", "العاصمه")
_ORIGIN_LAST = ("من", "مدينه", "بلده", "محافظه", "مناطق")
_DATELINE_AFTER = re.compile(r"^\s*(?:\(|-|–|—|:|/)")
# "دبي، الإمارات العربية المتحدة (CNN)--": a city, a comma, its country, then the agency
_DATELINE_LEAD = re.compile(r"^[^\n،(.]{1,30}،\s*$")
_DATELINE_COUNTRY = re.compile(r"^\s*،\s*[^\s(،.]+(?:\s+[^\s(،.]+){0,3}\s*\(")


class PlaceRoles:
    """Why a place mention is not an event location: the rules' roles, over the gazetteer ``gazetteer``
    (a national capital is told by its distance to its country's capital)."""

    def __init__(self, gazetteer: GazetteerLike) -> None:
        self.gazetteer = gazetteer
        # place -> whether it lies at its country's capital (asked for every candidate of many mentions)
        self._capital_cache: dict[Place, bool] = {}

    def roles(self, analysis: Analysis, mentions: Sequence[Mention],
               actors: Sequence[Mention] | None = None) -> list[str | None]:
        """The role of each mention; a government listed after another ("واشنطن ولندن وباريس") is one too.

        ``actors``: the analysis' ACTOR mentions, when the caller has them already.
        """
        if actors is None:
            actors = analysis.mentions_of(MentionKind.ACTOR)
        around = ActorSpans.of(actors)
        text = analysis.doc.text
        body_start = text.find("\n\n")
        body_start = body_start + 2 if body_start >= 0 and analysis.doc.title else 0
        roles = [self.role(analysis, m, around, body_start) for m in mentions]
        norm = analysis.norm
        for j in range(1, len(mentions)):
            prev, m = mentions[j - 1], mentions[j]
            pe, ns = prev.attr("norm_end"), m.attr("norm_start")
            if roles[j - 1] == "agent" and not roles[j] and pe is not None and ns is not None \
                    and _AGENT_LIST.match(norm[pe:ns]) \
                    and (candidates(m)[:1] and candidates(m)[0].feature == "country" or self.is_capital(m)):
                roles[j] = "agent"
        return roles

    def role(self, analysis: Analysis, m: Mention, actors: ActorSpans, body_start: int) -> str | None:
        """Why a mention is not an event location, or None (``actors``: what the ACTOR mentions tell;
        ``body_start``: where the body starts, after the title)."""
        modifier = m.attr("modifier")
        if modifier == "distance":
            return "distance"
        text = analysis.doc.text
        start = m.span.start
        line_start = text.rfind("\n", 0, start) + 1
        # (the tests read the text in place: slices of a long paragraph, per mention, add up)
        if start >= body_start and _BLANK.fullmatch(text, line_start, start) and \
                text.count("\n", body_start, line_start) <= 2 and (
                    _DATELINE_AFTER.match(text[m.span.end:m.span.end + 4])
                    or _DATELINE_COUNTRY.match(text[m.span.end:m.span.end + 50])):
            return "dateline"
        if start >= body_start and _DATELINE_LEAD.match(text[line_start:start]) and \
                _DATELINE_AFTER.match(text[m.span.end:m.span.end + 4]):
            return "dateline"  # the country of a dateline: "دبي، الإمارات العربية المتحدة (CNN)"
        end = m.span.end
        if actors.covered(start, end):
            # a place inside an actor's name: "تنظيم القاعدة في سوريا", "التحالف بقيادة السعودية"
            return "actor"
        cands = candidates(m)
        if cands and cands[0].feature == "country" and any(
                country == cands[0].country and _ACTOR_HOME.fullmatch(text, a_end, start)
                for a_end, country in actors.homes):
            return "actor"  # "الحوثيون في اليمن", "حزب الله في لبنان": who they are, not where it happened
        ns = to_norm(analysis, start)
        sent_start = max(analysis.norm.rfind(".", 0, ns), analysis.norm.rfind("\n", 0, ns)) + 1
        if self.is_agent(analysis, m, ns, sent_start, actors):
            return "agent"
        before = analysis.norm[max(sent_start, ns - 100):ns]
        # the clitic-glued "من" / "في" ("بدمشق") is part of the word: look at the word too
        word_pre = word_prefix(analysis.norm, ns)
        before_w = before + (" في " if word_pre.endswith("ب") else "")
        # each pattern ends in a preposition (and maybe a noun) right before the place: test the
        # last word first, since a search tries every position of the window
        last_w = before_w.rstrip()
        if last_w.endswith(_MEETING_LAST):
            mt = _MEETING.search(before_w)
            if mt and not _SPEECH_BREAK.search(mt.group(0)) \
                    and not _TARGETED.search(before_w, max(0, mt.start() - 50), mt.start()):
                return "statement"
        if last_w.endswith(_SPEECH_LAST):
            sp = _SPEECH.search(before_w)
            if sp and not _SPEECH_BREAK.search(sp.group(0)) and self.is_capital(m):
                return "statement"
        if before.rstrip().endswith(_ORIGIN_LAST) and _ORIGIN.search(before):
            return "origin"
        return None

    def is_agent(self, analysis: Analysis, m: Mention, ns: int, sent_start: int, actors: ActorSpans) -> bool:
        """Whether a country or national-capital mention names a government (metonymy), not a place."""
        cands = candidates(m)
        if not cands or not (cands[0].feature == "country" or self.is_capital(m)):
            return False
        if m.attr("modifier") is not None:
            return False  # "جنوب سوريا", "مدينة دمشق": a place
        norm = analysis.norm
        word_pre = word_prefix(norm, ns)
        if word_pre.rstrip("و").endswith(("ب", "ك")) or word_pre.endswith(("في", "الي")):
            return False  # "بدمشق": a place
        before = norm[max(sent_start, ns - len(word_pre) - 40):ns - len(word_pre)]
        if word_pre.endswith("ل") and re.search(r"(?:^|\s)(?:ال)?موالي(?:ه|ين|ون)?\s*$", before):
            return True  # "الموالية لإيران"
        if word_pre.endswith("ل"):
            return False
        if _AGENT_BEFORE.search(before):
            return True
        last = _LAST_WORD.search(before)
        if last and last.group(1).endswith(("ت", "ته", "تها", "تهما", "تهم")) \
                and not last.group(1).startswith("ال") \
                and last.group(1) not in _NOT_VERBS and len(last.group(1)) >= 3:
            return True  # right after a verb ("توسطت روسيا") or a noun it owns ("غارات روسيا")
        ne = m.attr("norm_end")
        if ne is None:
            return False
        # a government listed after another: "وتتهم واشنطن ولندن وباريس"
        if word_pre.endswith("و") and any(
                0 <= m.span.start - a_end <= 3 and not after_locative(norm, a_norm_start)
                for a_end, a_norm_start in actors.states):
            return True
        # a clause opening "العراق يعلن", "لكن موسكو تؤكد", "إسرائيل تقتل"
        opening = clause_opens(norm[sent_start:ns - len(word_pre)])
        return opening and _AGENT_AFTER.match(norm, ne) is not None

    def is_capital(self, m: Mention) -> bool:
        """Whether a mention can be read as a national capital (within 20 km of its country's capital)."""
        cache = self._capital_cache
        for p in candidates(m):
            if p.feature in ("city", "admin1", "country"):
                at = cache.get(p)
                if at is None:
                    c = self.gazetteer.country(p.country)
                    at = c is not None and distance_km(p, c) < 20
                    if len(cache) >= CACHE_MAX:
                        cache.clear()
                    cache[p] = at
                if at:
                    return True
        return False


class ActorSpans(NamedTuple):
    """What the roles read of a document's ACTOR mentions, gathered once per document (each
    place mention asks about every actor)."""

    spans: list[tuple[int, int]]  # by start
    homes: list[tuple[int, Any]]  # (end, country) of actors that may be named with their home country
    states: list[tuple[int, Any]]  # (end, norm start) of country names used as actors
    starts: list[int]  # of ``spans``
    reach: list[int]  # reach[k]: the furthest end among spans[:k + 1]

    @classmethod
    def of(cls, actors: Sequence[Mention]) -> ActorSpans:
        kinds = [a.attr("kind") for a in actors]
        spans = sorted((a.span.start, a.span.end) for a in actors)
        return cls(spans,
                   [(a.span.end, a.attr("country")) for a, k in zip(actors, kinds, strict=True)
                    if k not in ("state_name", "civilians", "people")],
                   [(a.span.end, a.attr("norm_start")) for a, k in zip(actors, kinds, strict=True)
                    if k == "state_name"],
                   [a for a, _ in spans], list(accumulate((b for _, b in spans), max)))

    def covered(self, start: int, end: int) -> bool:
        """Whether an actor's name strictly contains ``[start, end)`` ("تنظيم القاعدة في سوريا")."""
        k = bisect.bisect_right(self.starts, start)  # the spans starting at or before it
        if not k or self.reach[k - 1] < end:
            return False  # (most places: no actor's name reaches over them)
        return any(end <= b and b - a > end - start for a, b in self.spans[:k])


def to_norm(analysis: Analysis, orig: int) -> int:
    """Norm index of the first normalised character at or after original offset ``orig``."""
    if analysis.offsets is None:
        return orig
    return bisect.bisect_left(analysis.offsets, orig)


_LOCATIVE_BEFORE = re.compile(r"(?:^|\s)[وف]?(?:في|الي|علي|من|داخل|نحو|باتجاه|عبر|قرب)\s+$")


def after_locative(norm: str, ns: int | None) -> bool:
    """Whether the word at norm index ``ns`` is governed by a place preposition ("في العراق", "بسوريا")."""
    if ns is None:
        return False
    pre = word_prefix(norm, ns)
    return pre.rstrip("ال").endswith("ب") or _LOCATIVE_BEFORE.search(norm, max(0, ns - len(pre) - 12),
                                                                   ns - len(pre)) is not None


def clause_opens(before: str) -> bool:
    """``_CLAUSE_START.search(before)``, searched only when ``before`` ends as it must."""
    tail = before
    while True:  # strip [\s"«'“]* from the right
        stripped = tail.rstrip().rstrip(_QUOTES)
        if stripped == tail:
            break
        tail = stripped
    if tail and not tail.endswith(_CLAUSE_LAST):
        return False
    return _CLAUSE_START.search(before) is not None


def word_prefix(norm: str, i: int) -> str:
    """The letters of the word before norm index ``i`` (its clitics: "ب" of "بدمشق", "و" of "وواشنطن")."""
    j = i
    while j > 0 and norm[j - 1].isalnum():
        j -= 1
    return norm[j:i]
