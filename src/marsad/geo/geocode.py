"""Geocoding: choose one place per mention, mark non-event places, pick an event's place.

Requires: an Analysis with ``norm`` (and PLACE mentions from ``find_places``, else they are found here;
ACTOR mentions' ``country`` attrs are used as hints when present), a ``GazetteerLike``. Provides:
``Geocoder.resolve`` (mentions whose ``value`` is the chosen Place, attrs
``candidates``, ``precision``, ``score`` and, for places that are not event locations, ``role`` =
"distance" | "dateline" | "statement" | "origin" | "person" | "not_place" ..., the last with ``p_not_place``;
the rules' roles are :class:`marsad.geo.roles.PlaceRoles`), ``Geocoder.event_place`` and ``debug_report``.

Disambiguation is a transparent score: the article's country context (unambiguous places, country
names, nationality adjectives, optional actor hints), the feature class the wording asks for
("محافظة X" wants a province), population, and closeness to the article's other places.

With a :class:`~marsad.learn.places.PlaceDecision` (the packaged model by default; ``place_decision=None``
for the rules alone), a mention the model takes for a common word or a person's name ("حجر رخام",
"ميدان المعركة") gets the role "not_place": it is never an event place and casts no vote for a country.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from marsad.geo.gazetteer import Gazetteer, GazetteerLike, distance_km
from marsad.geo.places import candidates, find_places, modifier_before, precision_for
from marsad.geo.roles import PlaceRoles, place_words
from marsad.model import Analysis, Document, Mention, MentionKind, Place
from marsad.text.automaton import AnchoredScanner, Automaton, matches_at
from marsad.text.normalise import normalise

if TYPE_CHECKING:  # (imported lazily: marsad.learn.places reads this module's helpers)
    from marsad.learn.eventplace import EventPlaceRanker
    from marsad.learn.places import PlaceDecision

#: the NER as the geocoder asks it: (analysis, the place mentions in question) -> entity mentions
EntityFinder = Callable[[Analysis, list[Mention]], list[Mention]]

# Nationality adjectives and names of parties that point at a country (data/place_roles.tsv).
NISBA: dict[str, str] = place_words()["nisba"]
_NISBA_RE = re.compile(
    r"(?<![\w])[وفبلك]{0,2}(?:ال)?(" + "|".join(sorted((k for k in NISBA if NISBA[k]), key=len, reverse=True))
    + r")(?:ه|ين|ون|يه|يين|يون)?(?![\w])")

FEATURE_PRIOR = {"country": 1.2, "city": 1.0, "site": 0.8, "region": 0.7, "admin1": 0.6, "neighbourhood": 0.5,
                 "admin2": 0.3, "admin3": 0.2, "village": 0.2}
POINT_FEATURES = frozenset({"city", "village", "neighbourhood", "site"})
# what each modifier asks of the place's class
MODIFIER_FIT: dict[str | None, dict[str, float]] = {
    "province": {"admin1": 2.0, "region": 0.5},
    "district": {"admin2": 1.0, "admin3": 1.0, "region": 0.5, "village": 0.3},
    "rural": {"city": 1.0},  # "ريف X": the countryside of the town X
    "town": {"city": 1.0, "village": 1.0},
    "neighbourhood": {"city": 1.0},
    "container": {"city": 1.0},
    "site": {"site": 1.0, "city": 0.3},
}

_TOPIC_BEFORE = re.compile(r"\W*(?:و|ف)?(?:في|ب)\s*")
_TOPIC_AFTER = re.compile(r"\s*[،,]")
# context candidates of an event's place (a context event-place model): none, and at most this many
_NO_SOURCE: frozenset[str] = frozenset()
_MAX_CONTEXT = 8
_ANAPHOR = re.compile(r"(?<!\w)[وفب]?(?P<art>ال|لل)(?P<w>عاصمه|قطاع)(?:\s+(?P<adj>ال\w+))?(?!\w)")
_ANAPHORS = AnchoredScanner(_ANAPHOR, ("عاصمه", "قطاع"), back=3, digits=False)
_NISBA_AFTER = re.compile(r"\s+(ال[\u0621-\u064a]+)")


#: ``Geocoder(place_decision=PACKAGED)``: the shipped place model where the package has one
PACKAGED = "packaged"


class Geocoder:
    """Resolves place mentions against a gazetteer (the shipped one by default).

    ``place_decision``: the learned not-a-place decision; by default the packaged model with the shipped
    gazetteer (the rules alone where none is shipped, or with another gazetteer), None for the rules
    alone. ``learned`` tells which is in use.
    """

    def __init__(self, gazetteer: GazetteerLike | None = None,
                 place_decision: PlaceDecision | str | None = PACKAGED,
                 event_place_ranker: EventPlaceRanker | str | None = PACKAGED) -> None:
        self.gazetteer: GazetteerLike = gazetteer if gazetteer is not None else Gazetteer.load()
        if isinstance(place_decision, str):  # PACKAGED
            from marsad.learn.places import packaged

            # the model reads the shipped gazetteer's readings (classes, populations, names): with
            # another gazetteer its features would mean something else, so that one gets the rules
            place_decision = packaged() if isinstance(self.gazetteer, Gazetteer) else None
        self.place_decision: PlaceDecision | None = place_decision  # type: ignore[assignment]
        if isinstance(event_place_ranker, str):  # PACKAGED, under the same condition as the place model
            from marsad.learn.eventplace import packaged as packaged_ranker

            event_place_ranker = packaged_ranker() if isinstance(self.gazetteer, Gazetteer) else None
        self.event_place_ranker: EventPlaceRanker | None = event_place_ranker  # type: ignore[assignment]
        self._counts_memo: tuple[list[Mention], Counter[tuple[str, str]]] | None = None
        # the rules' roles of the mentions (distance, dateline, agent ...), over the same gazetteer
        self.place_roles = PlaceRoles(self.gazetteer)
        self._places_memo: tuple[tuple[Mention, ...], list[Mention], list[Mention]] | None = None
        self._main_memo: tuple[list[Mention], Mention | None] | None = None

    @property
    def learned(self) -> bool:
        """Whether a learned place decision is in use (False: the rules alone)."""
        return self.place_decision is not None

    # ---------------------------------------------------------------- resolution
    def resolve(self, analysis: Analysis,
                context_countries: Counter[str] | None = None) -> tuple[Mention, ...]:
        """Every place mention with its chosen Place as ``value`` (see the module docstring)."""
        return self.resolve_with_entities(analysis, context_countries)[0]

    def resolve_with_entities(self, analysis: Analysis, context_countries: Counter[str] | None = None,
                              entities: EntityFinder | None = None
                              ) -> tuple[tuple[Mention, ...], list[Mention]]:
        """:meth:`resolve`, asking ``entities`` (the NER) about the mentions a person's name could explain.

        A small place read as a bare name ("رزان", "أبو عمر") may be a given name: ``entities`` is
        called once, with those mentions only, and its PERS mentions overlapping one make it a
        "person". Without ``entities`` the analysis' NER mentions (if a stage added them) are read.
        Returns the resolved mentions and the entities found.
        """
        mentions = analysis.mentions_of(MentionKind.PLACE) or find_places(analysis, self.gazetteer)
        if not mentions:
            return (), []
        # the roles look at the actors around each place: collect them once, not once per place
        actors = analysis.mentions_of(MentionKind.ACTOR)
        roles = self.place_roles.roles(analysis, mentions, actors)
        ctx = self.country_context(analysis, mentions, roles, context_countries)
        not_place: dict[int, float] = {}  # id(mention) -> P(not a place), for those taken for no place
        if self.place_decision is not None:
            decision = self.place_decision
            for j, p in enumerate(decision.p_not_place(analysis, mentions, roles, actors, ctx)):
                # a role the rules gave stays the reason (and a dateline votes for no country anyway)
                if p >= decision.threshold and not roles[j]:
                    not_place[id(mentions[j])] = p
                    roles[j] = "not_place"
            if not_place:  # a common word must not vouch for a country ("رخام" for Yemen): take its vote
                # back (what ``country_context`` gave a mention without a role; rescanning costs more)
                ctx = ctx.copy()
                for m in mentions:
                    if id(m) in not_place:
                        for c, w in place_votes(m, None).items():
                            ctx[c] -= w
                            if ctx[c] <= 1e-9:
                                del ctx[c]
        extra = self._anaphors(analysis, mentions, ctx)
        if extra:
            mentions = sorted([*mentions, *extra], key=lambda m: m.span.start)
            roles = self.place_roles.roles(analysis, mentions, actors)
            if not_place:
                roles = ["not_place" if id(m) in not_place else r
                         for m, r in zip(mentions, roles, strict=True)]
        # distinct unambiguous places of the article (deduplicated: long articles repeat them)
        anchors = list(dict.fromkeys(
            a for m, r in zip(mentions, roles, strict=True) if r not in _NO_VOTE
            for a in (self._unambiguous(m),) if a is not None and a.feature != "country"))
        # each name's own votes: a place must not vouch for its own country
        key_votes: dict[str, Counter[str]] = {}
        for m, role in zip(mentions, roles, strict=True):
            if role not in _NO_VOTE:
                key_votes.setdefault(m.attr("key"), Counter()).update(place_votes(m, role))
        # a name repeated with the same wording scores the same: keyed by its readings (ids: they
        # live as long as this call), modifier and nationality adjective
        scores: dict[tuple[Any, ...], list[tuple[float, int, Place]]] = {}
        readings: list[tuple[tuple[Place, ...], Any, str | None, list[tuple[float, int, Place]]]] = []
        for m in mentions:
            cands = candidates(m)
            modifier = m.attr("modifier")
            # "مدينة صعدة اليمنية": a nationality adjective right after the name settles the country
            ne = m.attr("norm_end")
            after = _NISBA_AFTER.match(analysis.norm, ne) if ne is not None else None
            said = _nisba_country(after.group(1)) if after else None
            memo_key = (*map(id, cands), modifier, said)
            scored = scores.get(memo_key)
            if scored is None:
                # other mentions' places (a mention must not vouch for its own readings)
                others = [a for a in anchors if a not in cands]
                scored = scores[memo_key] = sorted(
                    ((self._score(p, modifier, ctx, others) + (3.0 if p.country == said else 0.0), i, p)
                     for i, p in enumerate(cands)), key=lambda t: (-t[0], t[1]))
            readings.append((cands, modifier, said, scored))
        # a small place inside a person's name is no place: ask the NER about those only
        # (the model's "not a place" too: the NER may tell it is a person, the more telling reason)
        maybe_person = [m for m, role, (_, modifier, _, scored) in zip(mentions, roles, readings, strict=True)
                        if (not role or role == "not_place") and scored and could_be_person(scored[0][2])
                        and modifier in (None, "town")]
        if entities is not None:
            found = entities(analysis, maybe_person) if maybe_person else []
        else:
            found = [m for m in analysis.mentions if m.kind is MentionKind.NER]
        persons = [(m.span.start, m.span.end) for m in found if m.value == "PERS"]
        person_ids = {id(m) for m in maybe_person
                      if any(a < m.span.end and m.span.start < b for a, b in persons)}
        top, top_w = ctx.most_common(1)[0] if ctx else (None, 0.0)  # the same for every mention
        out: list[Mention] = []
        for m, role, (cands, modifier, said, scored) in zip(mentions, roles, readings, strict=True):
            best = scored[0][2] if scored else None
            attrs: list[tuple[str, Any]] = [(k, v) for k, v in m.attrs if k not in ("precision", "role")]
            attrs += [("candidates", cands), ("precision", precision_for(modifier, best)),
                      ("score", round(scored[0][0], 3) if scored else 0.0)]
            # the model's "not a place" is the reason only where the rules have none ("foreign" below)
            p_not = not_place.get(id(m)) if role == "not_place" else None
            if p_not is not None:
                role = None
            if id(m) in person_ids:
                role = "person"  # "رزان", "أبو عمر": a given name that is also a village
            if role:
                attrs.append(("role", role))
            ambiguous = len({p.country for p in cands}) > 1
            small = best is not None and best.feature in ("village", "neighbourhood", "admin3", "site") \
                and best.population < 15_000
            own = key_votes.get(m.attr("key"), {}).get(best.country, 0.0) if best is not None else 0.0
            if not role and best is not None and ctx and best.feature != "country" and best.country != said \
                    and top != best.country and ctx.get(best.country, 0.0) - own < 0.01 \
                    and best.population < FOREIGN_EXEMPT_POPULATION and not self.place_roles.is_capital(m):
                # nothing else in the article points to this place's country: a misreading
                # ("تدمر" the verb in a Gaza report, "جبال البياض" read as the Algerian town)
                role = "foreign"
                attrs.append(("role", role))
            elif p_not is None and best is not None and ctx and best.feature != "country" \
                    and (ambiguous or small) and best.country != said and top != best.country \
                    and ctx.get(best.country, 0) < 0.2 * top_w:
                # an ambiguous name read in, or a small place of, a country the article otherwise
                # hardly mentions: likely a wrong reading
                attrs.append(("doubtful", True))
            if p_not is not None:
                if not role:
                    role = "not_place"
                    attrs.append(("role", role))
                attrs.append(("p_not_place", round(p_not, 3)))
            out.append(Mention(MentionKind.PLACE, m.span, best, m.sent, tuple(attrs)))
        # "حي X بY": if X resolved far from Y, X is a wrong reading and Y is the place (its neighbourhood)
        for j, m in enumerate(out):
            if m.attr("modifier") == "container" and j > 0 and m.value is not None \
                    and out[j - 1].value is not None and distance_km(m.value, out[j - 1].value) > 30:
                prev = out[j - 1]
                out[j - 1] = Mention(prev.kind, prev.span, prev.value, prev.sent,
                                     prev.attrs + (("doubtful", True),))
                attrs = tuple((k, "neighbourhood" if k == "modifier" else v) for k, v in m.attrs)
                out[j] = Mention(m.kind, m.span, m.value, m.sent, attrs)
        return tuple(out), found

    def country_context(self, analysis: Analysis, mentions: Sequence[Mention], roles: Sequence[str | None],
                        context_countries: Counter[str] | None = None) -> Counter[str]:
        """Evidence for the article's countries: unambiguous places, country names, nationalities, hints."""
        ctx: Counter[str] = Counter()
        for m, role in zip(mentions, roles, strict=True):
            if role in _NO_VOTE:
                continue  # the outlet's office (or a common word) says nothing about where things happen
            for c, w in place_votes(m, role).items():
                ctx[c] += w
        for mm in _nisba_matches(analysis.norm):
            ctx[NISBA[mm.group(1)]] += 0.5
        if context_countries:
            for c, k in context_countries.items():
                ctx[c] += float(k)
        else:
            # actor mentions know their country ("الجيش السوري" -> SY): a weak hint each
            for a in analysis.mentions_of(MentionKind.ACTOR):
                c = a.attr("country")
                if isinstance(c, str) and len(c) == 2:
                    ctx[c.upper()] += 0.5
        return ctx

    @staticmethod
    def _unambiguous(m: Mention) -> Place | None:
        cands = candidates(m)
        if cands and len({p.country for p in cands}) == 1:
            pts = [p for p in cands if p.feature in ("city", "village", "neighbourhood", "site")]
            return pts[0] if pts else cands[0]
        return None

    @staticmethod
    def _score(p: Place, modifier: str | None, ctx: Counter[str], anchors: Sequence[Place]) -> float:
        total = sum(ctx.values()) or 1.0
        s = 3.0 * ctx.get(p.country, 0.0) / total
        s += FEATURE_PRIOR.get(p.feature, 0.2)
        # an area's population is not a town's: count it at half weight
        s += (0.15 if p.feature in POINT_FEATURES else 0.075) * math.log10(p.population + 1)
        s += MODIFIER_FIT.get(modifier, {}).get(p.feature, 0.0)
        if p.source == "curated":
            s += 0.3
        best = min((distance_km(p, a) for a in anchors if a.country == p.country), default=1e9)
        s += 0.8 * math.exp(-best / 60.0)  # the article's places cluster
        return s


    def _anaphors(self, analysis: Analysis, mentions: Sequence[Mention], ctx: Counter[str]) -> list[Mention]:
        """Unnamed places the article's country makes clear: "العاصمة (اليمنية)" -> the national capital,
        "القطاع" in Palestinian news -> the Gaza Strip."""
        norm = analysis.norm
        taken = [(m.span.start, m.span.end) for m in mentions]
        top = ctx.most_common(1)[0][0] if ctx else None
        out: list[Mention] = []
        for mm in _ANAPHORS.finditer(norm):
            word, adj = mm.group("w"), mm.group("adj")
            cc = _nisba_country(adj) if adj else None
            cc = cc or top
            if cc is None:
                continue
            if word == "قطاع":
                if cc != "PS":
                    continue
                place = next((p for p in self.gazetteer.lookup("قطاع غزه") if p.feature == "region"), None)
            else:
                place = self.gazetteer.capital_city(cc)
            if place is None:
                continue
            s = mm.start("art")
            e = mm.end("adj") if adj and _nisba_country(adj) else mm.end("w")
            modifier, wide = modifier_before(norm, mm.start())
            span = analysis.span_from_norm(wide if wide is not None else s, e)
            if any(a < span.end and span.start < b for a, b in taken):
                continue
            out.append(Mention(MentionKind.PLACE, span, (place,), analysis.sentence_of(span.start),
                               (("modifier", modifier), ("precision", precision_for(modifier, place)),
                                ("key", word), ("anaphor", True))))
        return out


    # ---------------------------------------------------------------- event place
    def event_place(self, analysis: Analysis, mentions: Iterable[Mention],
                    sentence_spans: list[tuple[int, int]], anchor: int) -> tuple[Mention | None, Place | None,
                                                                                  int | None]:
        """The place of an event whose trigger is at ``anchor`` (original offset) in these sentences.

        Chooses among resolved mentions inside the sentences, skipping non-event roles, the most specific
        (lowest precision) and then the nearest to the trigger; falls back to the article's main place.
        Returns (mention, place for coordinates, geo_precision); for precision 3 the place is the
        provincial (or national) capital.
        """
        ms, usable = self._resolved_places(mentions)
        inside = [m for m in usable if any(s <= m.span.start < e for s, e in sentence_spans)]
        sure = [m for m in inside if not m.attr("doubtful")]
        inside = sure or inside
        # "حي القدم بدمشق": the container only counts when its neighbourhood is not a candidate too
        inside = [m for m in inside if m.attr("modifier") != "container" or not any(
            o is not m and o.span.end <= m.span.start and m.span.start - o.span.end < 40 for o in inside)]
        if inside:
            text = analysis.doc.text

            def cost(m: Mention) -> float:
                prec = m.attr("precision") or 2
                dist = abs((m.span.start + m.span.end) // 2 - anchor)
                # "وفي الحديدة، قصفت ... قرى مديرية التحيتا": a fronted topic frames the places after it
                topic = len(inside) > 1 and _TOPIC_AFTER.match(text, m.span.end) is not None and any(
                    s <= m.span.start < e and _TOPIC_BEFORE.fullmatch(text[s:m.span.start])
                    for s, e in sentence_spans)
                # the trigger's place mostly follows it ("قبل سقوط قاعدة العند" over "إلى صنعاء قبل")
                dist *= 1.0 if m.span.start >= anchor else 1.5
                # at equal precision a province beats a whole country ("البصرة" over "مع إيران")
                return (prec * 60 + dist / 2 + (40 if m.value.feature == "country" else 0)
                        + (90 if topic else 0))

            ranked = sorted(inside, key=cost)
            chosen = ranked[0]
            ranker = self.event_place_ranker
            extra = self._context_places(analysis, mentions, usable, sentence_spans, ranked) \
                if ranker is not None and ranker.offers_context(ranked) else []
            if ranker is not None and len(ranked) + len(extra) > 1:
                cands = ranked + [m for m, _ in extra]
                sources = [_NO_SOURCE] * len(ranked) + [src for _, src in extra]
                main = self._main_of_usable(mentions, usable)
                k = ranker.choose(analysis, cands, range(len(cands)), anchor, self._place_counts(usable),
                                  main.value if main is not None else None, sources)
                chosen = cands[k]
                if k >= len(ranked) and ranker.context_named:
                    chosen = chosen.with_attr("context", True)
        else:
            # the article's main place, else a statement place of these sentences (better than nothing)
            main = self._main_of_usable(mentions, usable)
            chosen = main or next(
                (m for m in ms if m.attr("role") == "statement" and any(s <= m.span.start < e
                                                                        for s, e in sentence_spans)), None)
            ranker = self.event_place_ranker
            # a whole country is left to the rules: such a frame joins the better-placed telling of its
            # event (``merging``'s "country" pass) or is refined to the main place at precision 3
            if ranker is not None and ranker.context and (chosen is None
                                                          or chosen.value.feature != "country"):
                # a context model weighs that fallback against the places named around the sentences
                fallback = [chosen] if chosen is not None else []
                extra = self._context_places(analysis, mentions, usable, sentence_spans, fallback)
                if extra:
                    cands = fallback + [m for m, _ in extra]
                    sources = [frozenset({"main" if chosen is main else "statement"})] * len(fallback) + [
                        src for _, src in extra]
                    chosen = cands[ranker.choose(analysis, cands, range(len(cands)), anchor,
                                                 self._place_counts(usable),
                                                 main.value if main is not None else None, sources)] \
                        if len(cands) > 1 else cands[0]
            if chosen is None:
                return None, None, None
        place: Place = chosen.value
        prec = int(chosen.attr("precision") or precision_for(chosen.attr("modifier"), place))
        # an area stands for its capital: at precision 3 (a province) and for "ريف X" read as the area X
        if place.feature in ("admin1", "admin2") and (prec == 3 or chosen.attr("modifier") == "rural"):
            cap = self.gazetteer.capital_of(place)
            if cap is not None:
                place = cap
        return chosen, place, prec

    def _context_places(self, analysis: Analysis, mentions: Iterable[Mention], usable: list[Mention],
                        sentence_spans: list[tuple[int, int]], taken: list[Mention]
                        ) -> list[tuple[Mention, frozenset[str]]]:
        """The places named around an event's sentences, for a context model to weigh
        (:data:`marsad.learn.eventplace.SOURCES`): undoubted usable mentions of the sentence before and
        after, the headline, the first sentence and the article's main place, one per place, in text
        order, none of the places already ``taken`` as candidates, at most ``_MAX_CONTEXT``."""
        if not sentence_spans or not analysis.sentences:
            return []
        first = analysis.sentence_of(min(s for s, _ in sentence_spans))
        last = analysis.sentence_of(max(e for _, e in sentence_spans) - 1)
        title_end = len(analysis.doc.title) if analysis.doc.title else 0
        lead = analysis.sentence_of(title_end + 2) if title_end else 0
        main = self._main_of_usable(mentions, usable)
        seen = {(m.value.name, m.value.country) for m in taken}
        found: dict[tuple[str, str], tuple[Mention, set[str]]] = {}
        for m in usable:
            if m.attr("doubtful") or any(s <= m.span.start < e for s, e in sentence_spans):
                continue
            si = analysis.sentence_of(m.span.start)
            src = set()
            if si == first - 1:
                src.add("prev")
            if si == last + 1:
                src.add("next")
            if m.span.start < title_end or (not title_end and si == 0):
                src.add("head")
            if si == lead:
                src.add("lead")
            if main is not None and m is main:
                src.add("main")
            key = (m.value.name, m.value.country)
            if not src or key in seen:
                continue
            if key in found:
                found[key][1].update(src)
            elif len(found) < _MAX_CONTEXT:
                found[key] = (m, src)
        return [(m, frozenset(src)) for m, src in found.values()]

    def _resolved_places(self, mentions: Iterable[Mention]) -> tuple[list[Mention], list[Mention]]:
        """The resolved place mentions and those without a role; remembered for the last tuple of
        mentions, since the event builder asks once per event with all of a document's mentions."""
        memo = self._places_memo
        if memo is not None and memo[0] is mentions:
            return memo[1], memo[2]
        ms = [m for m in mentions if m.kind is MentionKind.PLACE and isinstance(m.value, Place)]
        usable = [m for m in ms if not m.attr("role")]
        if isinstance(mentions, tuple):  # immutable: safe to reuse (the memo keeps it alive, so its id too)
            self._places_memo = (mentions, ms, usable)
        return ms, usable

    def _place_counts(self, usable: list[Mention]) -> Counter[tuple[str, str]]:
        """How often the article names each place (by name and country) among the usable mentions;
        remembered with the memo of :meth:`_resolved_places`."""
        memo = self._counts_memo
        if memo is not None and memo[0] is usable:
            return memo[1]
        counts = Counter((m.value.name, m.value.country) for m in usable)
        self._counts_memo = (usable, counts)
        return counts

    def _main_of_usable(self, mentions: Iterable[Mention], usable: list[Mention]) -> Mention | None:
        """:meth:`main_place` of the usable, undoubted mentions; remembered with the memo of
        :meth:`_resolved_places` (every event of a document without a place of its own asks)."""
        memo = self._main_memo
        if memo is not None and memo[0] is usable:
            return memo[1]
        main = self.main_place([m for m in usable if not m.attr("doubtful")])
        if isinstance(mentions, tuple):  # (``usable`` is then the memo's own list)
            self._main_memo = (usable, main)
        return main

    @staticmethod
    def main_place(mentions: Sequence[Mention]) -> Mention | None:
        """The article's main place: the most mentioned event-role place, towns before areas."""
        counts: Counter[Place] = Counter()
        first: dict[Place, Mention] = {}
        for m in mentions:
            if m.attr("role") or not isinstance(m.value, Place):
                continue
            counts[m.value] += 1
            first.setdefault(m.value, m)
        if not counts:
            return None
        best = max(counts, key=lambda p: (counts[p] - 0.5 * precision_for(None, p), -first[p].span.start))
        return first[best]


# -------------------------------------------------------------------- helpers
# Roles whose mentions say nothing of the article's countries.
_NO_VOTE = frozenset({"dateline", "not_place"})


def place_votes(m: Mention, role: str | None) -> dict[str, float]:
    """What one place mention says about the article's countries."""
    cands = candidates(m)
    countries = {p.country for p in cands}
    w = 0.5 if role else 1.0
    if len(countries) == 1:
        return {cands[0].country: w * (2.0 if cands[0].feature == "country" else 1.0)}
    if cands:
        # a weak vote for the most important reading (cities are listed first by population)
        return {cands[0].country: 0.25 * w}
    return {}


_NISBA_KEYS = Automaton(dict.fromkeys(k for k in NISBA if NISBA[k]))


def _nisba_matches(norm: str) -> list[re.Match[str]]:
    """``_NISBA_RE.finditer(norm)``'s matches, trying the pattern only at the word starts just before
    an occurrence of a key (a match is a whole word: clitics, article, key, suffix)."""
    starts: set[int] = set()
    for i, _, _ in _NISBA_KEYS.hits(norm):
        ws = i
        while ws > 0 and ws > i - 4 and norm[ws - 1].isalnum():  # at most two clitics and "ال"
            ws -= 1
        starts.add(ws)
    return list(matches_at(_NISBA_RE, norm, starts))


def _nisba_country(word: str) -> str | None:
    """ISO2 of a nationality adjective ("اليمنيه" -> YE), else None."""
    w = word[2:] if word.startswith("ال") else word
    for suffix in ("يه", "ه", "ين", "ون"):
        if w.endswith(suffix) and w[: -len(suffix)] + ("ي" if suffix == "يه" else "") in NISBA:
            w = w[: -len(suffix)] + ("ي" if suffix == "يه" else "")
            break
    return NISBA.get(w) or None


# A place in a country the article otherwise never mentions is taken for a misreading unless it is a
# capital or a city this big (an attack in Istanbul told in a Syria report stays an event place).
FOREIGN_EXEMPT_POPULATION = 1_000_000

# Big cities are never read as persons: the tagger sometimes tags a city PERS, and a city is
# rarely a given name.
PERSON_EXEMPT_POPULATION = 100_000


def could_be_person(place: Place) -> bool:
    """Whether a place's name could be a person's (a small place, not a country or province)."""
    return place.population < PERSON_EXEMPT_POPULATION and place.feature not in ("country", "admin1")


def analyse_text(text: str) -> Analysis:
    """A bare Analysis of a text (normalised, no sentences) for debugging and tests."""
    norm, offsets = normalise(text)
    return Analysis(Document("debug", text), norm, offsets)


def debug_report(text: str, geocoder: Geocoder | None = None) -> str:
    """Every place mention of ``text`` with its candidates and the choice (for ``marsad geocode``)."""
    geocoder = geocoder or Geocoder()
    analysis = analyse_text(text)
    resolved = geocoder.resolve(analysis)
    lines = []
    for m in resolved:
        p: Place | None = m.value
        head = (f"[{m.span.start}:{m.span.end}] {m.span.text!r} modifier={m.attr('modifier')} "
                f"precision={m.attr('precision')} role={m.attr('role')} score={m.attr('score')}"
                + (f" p_not_place={m.attr('p_not_place')}" if m.attr("p_not_place") is not None else ""))
        lines.append(head)
        if p is not None:
            lines.append(f"  -> {p.name} ({p.country}, {p.feature}, {p.latitude:.4f},{p.longitude:.4f}, "
                         f"pop {p.population}, {p.admin1}) [{p.source}]")
        for c in m.attr("candidates", ())[:8]:
            mark = "*" if c is p else " "
            lines.append(f"   {mark} {c.name} | {c.country} | {c.feature} | pop {c.population} | {c.source}")
    mention, place, prec = geocoder.event_place(analysis, resolved, [(0, len(text))], 0)
    if place is not None:
        lines.append(f"event place (whole text, anchor 0): {place.name} ({place.country}) "
                     f"{place.latitude:.4f},{place.longitude:.4f} precision {prec}"
                     f" from {mention.span.text!r}" if mention else "")
    else:
        lines.append("event place: none")
    return "\n".join(lines)
