"""The learned actor roles: for each event and each actor its sentences name, is it actor 1 (the
side that acts), actor 2 (the side acted on), an associate of one of them, or not a party?

The rules (``sides.actor_pair``) rank the actors (named armed actors first, the side struck or
driven out second, the nearest to the trigger within a rank) and take the first two that differ.
They go wrong where the rank misleads: a press conference's "السعودية" as the perpetrator of a
killing elsewhere, the police who reported a bombing as the bomber, the group an attacker is
"linked to" as a side. This model reads each candidate beside the trigger — the words and the
preposition before it ("على"، "ضد"، "من قبل"، "في صفوف" …), which side of the trigger it stands on
and how far, whether a clause boundary or an agent marker ("على يد"، "برصاص") lies between, the
trigger's verb form, the actor's kind and rank, the event type, the rules' struck / target /
driven-out markers, how often the article names it, and the rules' own choice — and gives
P(actor1), P(actor2), P(assoc), P(none) per candidate. :class:`RoleDecision` names the two most
probable parties and orders them by those probabilities; generic words for the attackers
("انتحاري"، "المهاجمين") beside a named side that is not the one hit are that side's fighters.

Requires: a placed frame (its actors, ``anchor``, triggers, sentences, type), the analysis (ACTOR
mentions with ``norm_start`` / ``norm_end``, the normalised text), the event's country.
Provides: :func:`candidates` and :func:`candidate_features` (one builder for
``build/train_actor_roles.py`` and serving), :class:`RoleDecision` and :func:`packaged`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from marsad.extract.sides import VICTIM_KINDS, actor_pair, actor_rank, is_struck, is_target, ousted, same_side
from marsad.learn.features import bucket
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.model import Analysis, Mention, MentionKind

if TYPE_CHECKING:
    from marsad.extract.frames import Frame

ROLE_MODEL = MODELS / "roles.npz"
ACTOR1, ACTOR2, ASSOC, NONE = "actor1", "actor2", "assoc", "none"
#: the annotation roles (labels.ActorRole values) folded to the model's classes
CLASS_OF = {"actor1": ACTOR1, "actor2": ACTOR2, "assoc1": ASSOC, "assoc2": ASSOC, "none": NONE}

_STRIP = ".,،؛;:!?؟\"'«»()[]{}-–—…"
# what stands just before a mention (normalised text: ى→ي, ة→ه, no hamza on alif), longest first
_PREPOSITIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"(?:^|\s)[وف]?(?:{pattern})\s*$")) for name, pattern in (
        ("by", r"من\s+قبل|علي\s+يد|علي\s+ايدي|بايدي|بيد"),
        ("in_ranks", r"في\s+صفوف|من\s+صفوف|بين\s+صفوف|عناصر\s+من|مقاتلين\s+من|مسلحين\s+من"),
        ("backed", r"المدعوم[هة]?\s+من|بدعم\s+من|بمساند[هة]\s+من|بمشارك[هة]|باسناد\s+من|بغطاء\s+من"),
        ("linked", r"التابع[هة]?\s+(?:ل|الي)|المرتبط[هة]?\s+(?:ب|مع)|الموالي[هة]?\s+(?:ل|الي)"
                   r"|الموالين\s+(?:ل|الي)"),
        ("led_by", r"بقياد[هة]"),
        ("against", r"ضد"),
        ("on", r"علي"),
        ("between", r"بين"),
        ("with", r"مع"),
        ("from", r"من"),
        ("about", r"عن"),
        ("in", r"في"),
        ("to", r"الي"),
        ("and", r"و"),
        ("gunfire", r"برصاص|بنيران|بقصف|بغار[هة]|بغارات|بصاروخ|بهجوم|جراء|نتيج[هة]"),
    ))
_PROCLITICS = (("لل", "of"), ("بال", "with_bi"), ("وال", "and"), ("فال", "and"))
# an agent marker between the trigger and a mention after it ("قتل ... برصاص قوات ...")
_AGENT = re.compile(r"من\s+قبل|علي\s+يد|علي\s+ايدي|برصاص|بنيران|بقصف|بغار[هة]|بغارات|جراء|نفذ[هت]?|شن[هت]?")
# verbs whose subject is the side that suffered ("اصيب"، "لقي مصرعه"، "سقط قتيلا"، "تعرض")
_SUFFERED = re.compile(r"^[وف]?(?:اصيب|اصيبوا|استشهد|لقي|لقوا|قضي|سقط|تعرض|تعرضت|نجا|نجت|اعدم|جرح)")
# words that name the men who carried an attack out ("انتحاري"، "المهاجمين"، "منفذي الهجوم"،
# "انغماسيين"): by their meaning the acting side, so beside a named side that the text does not mark
# as hit they are its own fighters ("هجمات انتحارية" of the Islamic State), not a side of their own
_ATTACKER = re.compile(r"^[وفب]?(?:ال|لل)?(?:انتحاري|مهاجم|منفذ|انغماسي)")
_CLAUSE = re.compile(r"[،,؛;:.!?؟\n]|\s(?:فيما|بينما|في\s+حين|وذلك|حيث|بعد\s+ان|كما)\s")
_SIDE_WINDOW = 60


def _words(text: str, last: bool) -> list[str]:
    """The three normalised words at the end (``last``) or start of ``text`` within its sentence."""
    if last:
        cut = max(text.rfind("."), text.rfind("\n"), text.rfind("؟"), text.rfind("!"))
        parts = text[cut + 1:].split()[-3:]
        words = ["<s>"] * (3 - len(parts)) * (cut >= 0) + parts
    else:
        stops = [i for i in (text.find("."), text.find("\n"), text.find("؟"), text.find("!")) if i >= 0]
        parts = text[:min(stops)].split()[:3] if stops else text.split()[:3]
        words = parts + ["</s>"] * (3 - len(parts)) * bool(stops)
    return ["0" if any(c.isdigit() for c in w) else w.strip(_STRIP) or "_" for w in words]


def _verb_form(w: str) -> str:
    """A coarse form of the trigger word: its voice and aspect survive normalisation only in the
    pattern (diacritics are gone: "قُتل" and "قتلت" differ by the feminine ending, not the vowels)."""
    bare = w[1:] if len(w) > 3 and w[0] in "وفل" else w
    if _SUFFERED.match(w):
        return "suffered"
    if bare.startswith(("ال", "لل")):
        return "noun"
    if len(bare) >= 4 and bare[0] in "يت":
        return "imperf"
    if bare.endswith(("ت", "وا")):
        return "perf_agent"  # "قتلت القوات"، "شنوا": a subject of its own, usually the agent
    if bare.startswith(("م", "ا")) and len(bare) >= 4:
        return "noun_or_viii"
    return "short"


def _anchor_trigger(f: Frame) -> Mention:
    return min(f.triggers, key=lambda t: abs(t.span.start - f.anchor))


def attacker_word(norm: str, m: Mention) -> bool:
    """Whether ``m`` is a generic word for the men who carried the attack out (``_ATTACKER``)."""
    ns, ne = m.attr("norm_start"), m.attr("norm_end")
    return (m.attr("kind") == "unidentified" and ns is not None and ne is not None
            and _ATTACKER.match(norm[ns:ne]) is not None)


def free_named_side(norm: str, m: Mention, f: Frame) -> bool:
    """A named armed actor (not victims, not a generic word) that the text does not mark as the
    side hit (``sides.is_struck``, ``is_target``, ``ousted``): the side attackers belong to."""
    return (actor_rank(m) == 0 and m.attr("kind") not in VICTIM_KINDS and not is_struck(norm, m)
            and not is_target(norm, m) and not ousted(norm, m, f))


def candidates(f: Frame) -> list[Mention]:
    """One mention per actor the frame names (its nearest to the trigger), nearest first: the
    candidates ``actor_pair`` chooses from."""
    best: dict[str, Mention] = {}
    for m in sorted(f.actors, key=lambda m: abs(m.span.start - f.anchor)):
        best.setdefault(str(m.value), m)
    return list(best.values())


def candidate_features(analysis: Analysis, f: Frame, cands: list[Mention],
                       rules: tuple[Mention | None, Mention | None], country: str | None) -> list[list[str]]:
    """The features of each candidate (``rules``: the pair ``actor_pair`` chose)."""
    norm = analysis.norm
    trig = _anchor_trigger(f)
    ts, te = trig.attr("norm_start"), trig.attr("norm_end")
    tword = norm[ts:te].split()[0] if ts is not None and te is not None and te > ts else ""
    form = _verb_form(tword)
    trig_sent = analysis.sentence_of(f.anchor)
    etype, sub = f.event_type, f.sub_event_type
    in_frame = Counter(str(m.value) for m in f.actors)
    in_doc = Counter(str(m.value) for m in analysis.mentions if m.kind is MentionKind.ACTOR)
    title_end = len(analysis.doc.title) if analysis.doc.title else 0
    n = bucket(len(cands), (1, 2, 3, 5))
    by_position = sorted(cands, key=lambda m: m.span.start)
    a1, a2 = rules
    attackers = [attacker_word(norm, m) for m in cands]
    named = [free_named_side(norm, m, f) for m in cands]
    out: list[list[str]] = []
    for order, m in enumerate(cands):
        kind = str(m.attr("kind") or "?")
        # (an attacker word beside a named side is usually that side's fighters)
        named_other = any(n for o, n in zip(cands, named, strict=True) if o is not m)
        party = (f"attacker:{attackers[order]}", f"attacker|named_other:{attackers[order]}|{named_other}",
                 f"named|attackers:{named[order]}|{any(attackers)}")
        rank = actor_rank(m)
        side = "after" if m.span.start >= f.anchor else "before"
        dist = bucket(abs(m.span.start - f.anchor), (10, 25, 50, 100, 200))
        rule = "a1" if m is a1 else "a2" if m is a2 else "no"
        feats = ["bias", f"kind:{kind}", f"rank:{rank}", f"kind|rank:{kind}|{rank}",
                 f"weak:{bool(m.attr('weak'))}",
                 f"supporter:{bool(m.attr('supporter'))}", f"government:{bool(m.attr('government'))}",
                 f"victim:{kind in VICTIM_KINDS}", f"type:{etype}", f"sub:{sub}", f"type|kind:{etype}|{kind}",
                 f"side:{side}", f"dist:{dist}", f"side|dist:{side}|{dist}", f"type|side:{etype}|{side}",
                 f"kind|side:{kind}|{side}", f"n:{n}", f"order:{min(order, 3)}",
                 f"order|n:{min(order, 3)}|{n}",
                 f"pos:{min(by_position.index(m), 3)}", f"rule:{rule}", f"rule|type:{rule}|{etype}",
                 f"rule|n:{rule}|{n}", f"rule|kind:{rule}|{kind}", f"form:{form}", f"form|side:{form}|{side}",
                 f"trigger:{tword}", f"trigger|side:{tword}|{side}", f"trole:{trig.attr('role')}",
                 f"trole|side:{trig.attr('role')}|{side}",
                 f"samesent:{m.sent == trig_sent}", f"infirst:{m.sent == min(f.sents)}",
                 f"in_frame:{bucket(in_frame[str(m.value)], (1, 2, 4))}",
                 f"in_doc:{bucket(in_doc[str(m.value)], (1, 2, 4, 8))}", f"title:{m.span.start < title_end}",
                 f"home:{m.attr('country') == country if m.attr('country') else None}",
                 f"ally_of_rules_a1:{a1 is not None and m is not a1 and same_side(m, a1)}", *party]
        ns, ne = m.attr("norm_start"), m.attr("norm_end")
        if ns is not None and ne is not None:
            before = norm[max(0, ns - _SIDE_WINDOW):ns]
            struck, target, driven = is_struck(norm, m), is_target(norm, m), ousted(norm, m, f)
            feats += [f"struck:{struck}", f"target:{target}", f"ousted:{driven}",
                      f"struck|type:{struck}|{etype}"]
            prep = next((name for name, p in _PREPOSITIONS if p.search(before)), "-")
            if prep == "-":  # a proclitic of the name itself ("مواقع للحوثيين")
                prep = next((name for head, name in _PROCLITICS if norm.startswith(head, ns)), "-")
            feats += [f"prep:{prep}", f"prep|side:{prep}|{side}", f"prep|type:{prep}|{etype}",
                      f"prep|form:{prep}|{form}", f"head:{norm[ns:ns + 1]}"]
            for i, w in enumerate(reversed(_words(before, last=True)), 1):
                feats.append(f"w-{i}:{w}")
            for i, w in enumerate(_words(norm[ne:ne + _SIDE_WINDOW], last=False), 1):
                feats.append(f"w+{i}:{w}")
            if ts is not None and te is not None:
                lo, hi = (ne, ts) if side == "before" else (te, ns)
                between = norm[lo:hi] if 0 <= hi - lo < 400 else "."
                clause = not _CLAUSE.search(between)
                agent = bool(_AGENT.search(between)) if side == "after" else False
                feats += [f"clause:{clause}", f"side|clause:{side}|{clause}", f"agent:{agent}",
                          f"agent|form:{agent}|{form}", f"number_between:{any(c.isdigit() for c in between)}"]
        out.append(feats)
    return out


def _choose(cands: list[Mention], probs: list[dict[str, float]], threshold: float,
            attackers: Sequence[bool] = (),
            named: Sequence[bool] = ()) -> tuple[Mention | None, Mention | None]:
    """The most probable party, and the most probable party of another side that reaches
    ``threshold``; ordered so that P(actor1) of the first and P(actor2) of the second are highest.

    ``attackers`` / ``named``: which candidates are generic words for the attackers
    (:func:`attacker_word`) and which are named armed actors not marked as the side hit
    (:func:`free_named_side`). Where such a named side is a party (reaches ``threshold``) at least
    as probable as the attackers, they are its own fighters — the same party — and no candidate of
    their own: the "هجمات انتحارية" of the Islamic State are not a second side against the forces
    it attacked, while the gunmen who attacked "دورية للجيش" (a side marked as hit) stay a side,
    and so do attackers that the model rates above the police who only report them."""
    if not cands:
        return None, None
    party = [p[ACTOR1] + p[ACTOR2] for p in probs]
    folded = {i for i in range(len(attackers)) if attackers[i] and any(
        named[j] and party[j] >= max(threshold, party[i]) for j in range(len(named)))}
    order = sorted((i for i in range(len(cands)) if i not in folded), key=lambda i: -party[i])
    x = order[0]
    y = next((i for i in order[1:] if party[i] >= threshold and str(cands[i].value) != str(cands[x].value)
              and not same_side(cands[i], cands[x])), None)
    if y is None:
        return cands[x], None  # (one side: actor 1, as the rules name it; the record decides the rest)
    if probs[x][ACTOR1] + probs[y][ACTOR2] >= probs[y][ACTOR1] + probs[x][ACTOR2]:
        return cands[x], cands[y]
    return cands[y], cands[x]


@dataclass(frozen=True)
class RoleDecision:
    """The event's actor 1 and actor 2 from the model's probabilities (``threshold``: the least
    P(actor1) + P(actor2) of a second side, chosen out of fold on the training split)."""

    model: LinearModel
    threshold: float
    attacker_rule: bool = True  # attackers beside a named side not hit are its fighters (``_choose``)

    def probabilities(self, analysis: Analysis, f: Frame,
                      country: str | None) -> list[tuple[Mention, dict[str, float]]]:
        cands = candidates(f)
        feats = candidate_features(analysis, f, cands, actor_pair(f, country, analysis.norm), country)
        return [(m, _complete(self.model.proba(x))) for m, x in zip(cands, feats, strict=True)]

    def pair(self, analysis: Analysis, f: Frame,
             country: str | None) -> tuple[Mention | None, Mention | None]:
        scored = self.probabilities(analysis, f, country)
        cands = [m for m, _ in scored]
        if not self.attacker_rule:
            return _choose(cands, [p for _, p in scored], self.threshold)
        return _choose(cands, [p for _, p in scored], self.threshold,
                       [attacker_word(analysis.norm, m) for m in cands],
                       [free_named_side(analysis.norm, m, f) for m in cands])

    @classmethod
    def load(cls, path: Path = ROLE_MODEL) -> RoleDecision:
        model = LinearModel.load(path)
        meta = model.meta
        return cls(model, float(meta.get("threshold", 0.5)), bool(meta.get("attacker_rule", False)))


def _complete(p: dict[str, float]) -> dict[str, float]:
    """Every class present (a hand-built or binary model may lack some)."""
    return {c: p.get(c, 0.0) for c in (ACTOR1, ACTOR2, ASSOC, NONE)}


@lru_cache(maxsize=1)
def packaged() -> RoleDecision | None:
    """The shipped role model, or None (the rules' pair) where the package has none."""
    return shipped(ROLE_MODEL, RoleDecision.load, "actor roles are the rules' choice")
