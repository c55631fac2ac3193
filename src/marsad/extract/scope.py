"""What is out of scope: acts that did not happen (or not yet), happened long ago, happen every
day, or are no political violence.

Requires: a sentence's TRIGGER, CUE and DATE mentions, the original text (cue scope) and the
normalised one (the ``norm_start``/``norm_end`` attrs of the mentions).
Provides:
- ``unblocked`` (the triggers no cue blocks) and ``could_have_events``, the exact frame gate
  built on it; ``blocked``, one trigger's test;
- the named reasons a sentence opens no frame: ``no_trigger_reason`` ("rules:court_or_accident",
  "rules:blocked_by_cue") and ``out_of_time`` ("rules:background_date", "rules:future_date",
  "rules:ongoing_or_past_year");
- tests that drop one trigger, not the sentence: ``relative_state``, ``answered``;
- ``seized_goods``: a territory or bomb word read again (goods seized, a control only attempted,
  mines cleared, a bomb defused);
- ``opens_period``: a date that starts a running total, not an event's day.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from marsad.extract.settings import DEFAULT
from marsad.extract.subtypes import BATTLES, STRATEGIC
from marsad.model import Analysis, Mention, MentionKind, Sentence

# cue classes that cancel a trigger in the same clause before it
_CLAUSE_BREAK = re.compile(r"[،,؛;:]|(?:^|\s)(?:رد[اً]*|بسبب|[إا]ثر|عقب|جر[ّ]?اء|على\s+خلفية)\s")
# (a cause opens a new clause: "تهديدات بشن ضربة ردا على هجوم كيماوي": the threat is not the attack's)
_BLOCKING_CUES = {"negation", "denial", "threat", "plan", "future", "conditional", "hypothetical", "habitual"}
# cues that, followed by "أن" (that), govern the rest of their clause (see EventSettings.clause_window)
_CLAUSE_CUES = {"hypothetical", "threat", "plan", "conditional"}
_THAT_CLAUSE = re.compile(r"\s+(?:من\s+)?[اأ]ن\s")
# roles that mark a sentence as outside political violence (court executions, road accidents)
NON_CONFLICT_ROLES = frozenset({"judicial", "nonconflict"})


def could_have_events(analysis: Analysis) -> bool:
    """Whether any sentence holds a trigger that no cue blocks, in a sentence with no court or
    accident word: without one no frame opens (see ``frames.frame_for_sentence``), so an extraction
    run may stop the document here (a second, exact gate after the cues)."""
    by_sent: dict[int, list[Mention]] = {}
    for m in analysis.mentions:
        if m.kind is MentionKind.TRIGGER or m.kind is MentionKind.CUE:
            by_sent.setdefault(m.sent, []).append(m)
    return any(unblocked(ms, analysis.doc.text)[0] for ms in by_sent.values())


def unblocked(ms: list[Mention], text: str) -> tuple[list[Mention], list[Mention]]:
    """A sentence's triggers that no cue blocks, and its cues; no triggers at all in a court or
    accident sentence. The first test a sentence passes to open a frame."""
    triggers = [m for m in ms if m.kind is MentionKind.TRIGGER]
    cues = [m for m in ms if m.kind is MentionKind.CUE]
    if not triggers or any(t.attr("role") in NON_CONFLICT_ROLES for t in triggers):
        return [], cues
    return [t for t in triggers if not blocked(t, cues, text)], cues


def no_trigger_reason(ms: list[Mention]) -> str | None:
    """Why a sentence of which ``unblocked`` kept no trigger opens no frame; None for a sentence
    with no trigger at all (no candidate, so no drop)."""
    triggers = [m for m in ms if m.kind is MentionKind.TRIGGER]
    if not triggers:
        return None
    if any(t.attr("role") in NON_CONFLICT_ROLES for t in triggers):
        return "rules:court_or_accident"
    return "rules:blocked_by_cue"


def blocked(trigger: Mention, cues: list[Mention], text: str = "") -> bool:
    for c in cues:
        # a cue before the trigger, or one that starts before it and takes it in ("أي هجوم"),
        # within its clause ("طائرة حربية، يعتقد أنها روسية، قصفت": the doubt stops at the comma)
        if c.value in _BLOCKING_CUES and c.span.start < trigger.span.start \
                and (trigger.span.start - c.span.end <= DEFAULT.cue_window
                     # "يخشى أن يؤدي ذلك إلى عودة التفجيرات": a fear, a threat or a plan governs
                     # the whole clause that follows it
                     or (c.value in _CLAUSE_CUES and trigger.span.start - c.span.end <= DEFAULT.clause_window
                         and _THAT_CLAUSE.match(text, c.span.end) is not None)) \
                and not _CLAUSE_BREAK.search(text, c.span.end, max(c.span.end, trigger.span.start)):
            return True
    return False


def out_of_time(ms: list[Mention], dates: list[Mention], cues: list[Mention], event_date: str | None,
                published: date | None, sentence: Sentence) -> str | None:
    """Why a sentence's event is not one of the days the article reports, else None. ``dates``: the
    sentence's dates that may be an event's day; ``event_date``: the day its frame would have."""
    # days apart, not a date minus days: a publication date near the calendar's edge must not overflow
    if published and event_date and \
            (published - date.fromisoformat(event_date)).days > DEFAULT.background_days:
        return "rules:background_date"  # background reference to an old incident
    if any(m.kind is MentionKind.DATE and m.attr("future") for m in ms) and not dates:
        return "rules:future_date"
    if not dates and (any(c.value in ("background", "running_total") for c in cues)
                      or names_past_year(sentence.text, published)):
        # "تشهد المدينة اشتباكات منذ الأسبوع الماضي": an ongoing situation, no day to code;
        # "تفجيرات في بوينس آيرس عام ١٩٩٤": a look back at an older year
        return "rules:ongoing_or_past_year"
    return None


_YEAR = re.compile(r"(?:^|\s)(?:عام|العام|سنة|سنه|في)\s+([12][0-9]{3}|[١٢][٠-٩]{3})(?![0-9٠-٩])")


def names_past_year(text: str, published: date | None) -> bool:
    """Whether a sentence names a year before publication ("عام ١٩٩٤", "في 2013")."""
    if published is None:
        return False
    return any(int(m.group(1)) < published.year for m in _YEAR.finditer(text))  # (int reads "١٩٩٤" too)


_SINCE_BEFORE = re.compile(r"(?:^|\s)(?:منذ|حتي|لغايه)\s+$")


def opens_period(norm: str, m: Mention) -> bool:
    """"منذ 18 فبراير": the start of a running total, not the day of an event."""
    ns = m.attr("norm_start")
    return ns is not None and _SINCE_BEFORE.search(norm, max(0, ns - 8), ns) is not None


# "جاءت الضربات ردا على الهجوم الكيماوي": the attack answered is an earlier one, not today's
_ANSWERED_BEFORE = re.compile(r"(?:ردا|رد|انتقاما|ثارا)\s+(?:علي\s+|ل)?(?:\S+\s+){0,2}?$")


def answered(norm: str, t: Mention) -> bool:
    """Whether a trigger names the act something answers ("ردا على الهجوم"), in an undated sentence."""
    ns = t.attr("norm_start")
    return ns is not None and _ANSWERED_BEFORE.search(norm, max(0, ns - 30), ns) is not None


# "المناطق التي حررها التحالف"، "التي سيطر عليها التنظيم": a relative clause describes who holds
# ground, it does not report the change of control
_RELATIVE_BEFORE = re.compile(r"(?:^|\s)(?:التي|الذي|الذين|اللتين|اللذين|اللتان|اللذان)"
                              r"\s+(?:(?:كان|كانت|قد|لا|لم)\s+)?$")


_AFTER_BEFORE = re.compile(r"(?:^|\s)[وف]?(?:بعد|منذ|عقب|قبل|اثر|إثر)\s+$")


def relative_state(norm: str, t: Mention) -> bool:
    """A trigger that only describes an actor or an area: "التي سيطر عليها"، "التحالف الذي يقصف";
    or a change of control told as a known past ("بعد تحريرها من المتمردين")."""
    ns = t.attr("norm_start")
    if ns is None:
        return False
    if t.attr("role") == "territory_gain" and t.attr("pos") == "noun" \
            and t.span.text.endswith(("ها", "ه", "هم")) and _AFTER_BEFORE.search(norm, max(0, ns - 10), ns):
        return True
    present = t.attr("pos") == "verb" and norm[ns:ns + 1] in ("ي", "ت")
    if t.attr("role") not in ("territory_gain", "advance", "execute") and not present:
        return False
    return _RELATIVE_BEFORE.search(norm[max(0, ns - 30):ns]) is not None


# "الاستيلاء على أكثر من 15 آلية": what was seized is goods, not ground
_GOODS_AFTER = re.compile(r"\s*(?:علي\s+)?(?:(?:اكثر|اقل)\s+من\s+|نحو\s+|عدد\s+من\s+|"
                          r"كميات?\s+(?:كبيره\s+)?من\s+)?(?:\d+\s+)?"
                          r"(?:ال)?(?:اليه|اليات|دبابه|دبابات|اسلحه|سلاح|ذخيره|ذخاير|مركبه|مركبات|عربه|عربات|اموال|"
                          r"مستودع|مستودعات|شحنه|شحنات|معدات|صواريخ)(?:\s|$|[،.])")
# "تحاول/تسعى القوات السيطرة على": the attempt, not the change of control (a fight, when fought)
_ATTEMPT_BEFORE = re.compile(r"(?<!\S)[وف]?(?:تحاول|يحاول|تحاولان|يحاولان|يحاولون|حاولت|حاول|حاولوا|"
                             r"تسعي|يسعي|يسعون|سعت|سعي)"
                             # ("تحاول المقاومة السيطرة عليها وتحريرها")
                             r"\s+(?:\S+\s+){0,3}?و?(?:ال|ل|لل)?$")
_DEFUSED_BEFORE = re.compile(r"(?:تفكيك|ابطال|تطهير|ازاله|نزع|العثور\s+علي|عثر\s+علي|ضبط|زرع)"
                             r"\S*\s+(?:\S+\s+){0,3}(?:من\s+)?(?:ال)?$")
_MINES_AFTER = re.compile(r"(?:^|\s)من\s+(?:ال)?(?:عبوات|الغام|متفجرات|مخلفات|ذخاير)")


def seized_goods(norm: str, t: Mention) -> Mention:
    """A territory verb whose object is vehicles, arms or money: looting, not a change of control;
    a control a side only tries to take ("تحاول المقاومة السيطرة عليها") is a fight; clearing
    roads of mines ("تطهير الطرق من العبوات الناسفة") is no advance at all."""
    ne = t.attr("norm_end")
    if ne is None:
        return t
    if t.attr("role") == "territory_gain":
        ns = t.attr("norm_start")
        if ns is not None and _ATTEMPT_BEFORE.search(norm, max(0, ns - 40), ns):
            return replace(t.with_attr("role", "clash"), value=(BATTLES, "Armed clash"))
    if t.attr("role") == "advance" and _MINES_AFTER.search(norm[ne:ne + 50]):
        return replace(t.with_attr("role", "demining"), value=("", ""))
    ns = t.attr("norm_start")
    if t.attr("role") == "explode" and ns is not None and _DEFUSED_BEFORE.search(norm[max(0, ns - 30):ns]):
        # "تفكيك عبوة ناسفة"، "تطهير الطرق من عبوات": a bomb that did not go off
        return replace(t.with_attr("weight", DEFAULT.foiled_weight).with_attr("role", "foil"),
                       value=(STRATEGIC, "Disrupted weapons use"))
    if t.attr("role") != "territory_gain" or not _GOODS_AFTER.match(norm, ne):
        return t
    return replace(t, value=(STRATEGIC, "Looting/property destruction"))
