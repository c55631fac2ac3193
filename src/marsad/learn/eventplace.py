"""The learned choice of an event's place among the places its sentences name.

The rules (``Geocoder.event_place``) take the most specific place nearest the trigger; a sentence
often names more than one ("قصفت الطائرات بلدة حيس جنوب الحديدة", "40 كلم من دمشق", "قال محافظ
صعدة ... إن غارات على باقم"), and the wrong pick moves a real event to another town: the event
is then both missed and invented. This model reads each candidate beside the others and the
trigger — how specific it is, where it stands, the words before it, how often the article names
it, the rules' own ranking — and gives P(this is where the event happened); the geocoder takes the
most probable candidate.

A model trained with *context candidates* (``context`` in its metadata, issue #13's places round) also
weighs the places named around the event's sentences: the sentence before and after, the headline,
the article's first sentence and its main place, each with features saying where it comes from
(``src:``). Out of fold a third of the wrong places had the coder's place outside the sentences the
event was read from (docs/learning.md, "Places, third round").

Requires: the candidates the rules consider (resolved, undoubted PLACE mentions inside the
event's sentences, with attrs ``precision``, ``modifier``, ``norm_start``, ``norm_end``), their
rank under the rules' cost, the trigger's offset; for a context model, the context candidates after
them with their sources (:data:`SOURCES`). Provides: :func:`candidate_features` (one
builder, used by ``build/train_event_places.py`` and when serving) and :class:`EventPlaceRanker`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.learn.features import bucket
from marsad.learn.linear import MODELS, LinearModel, shipped
from marsad.learn.places import _side_words, _word_class
from marsad.model import Analysis, Mention, Place

EVENT_PLACE_MODEL = MODELS / "eventplace.npz"
#: the model of the choices where the event's sentences name no place (optional)
FALLBACK_MODEL = MODELS / "eventplace_fallback.npz"
#: the positive class: the candidate lies within 25 km of the coded event's place
EVENT_PLACE = "event_place"

#: where a context candidate is named: the sentence before / after the event's, the headline (the first
#: sentence where there is no title), the article's first sentence, the article's main place; the
#: rules' fallback where the event's sentences name no place ("main" or "statement")
SOURCES = ("prev", "next", "head", "lead", "main", "statement")
_NONE: frozenset[str] = frozenset()

_SEPARATORS = frozenset("،,؛;:.")
_FINE = frozenset({"village", "neighbourhood", "city", "admin3"})


def _key(p: Place) -> tuple[str, str]:
    return p.name, p.country


def candidate_features(analysis: Analysis, inside: Sequence[Mention], ranks: Sequence[int],
                       anchor: int, counts: Counter[tuple[str, str]], main: Place | None,
                       sources: Sequence[frozenset[str]] | None = None) -> list[list[str]]:
    """Features of each candidate in ``inside`` (``ranks[i]``: its rank under the rules' cost, 0 = the
    rules' choice); ``counts``: how often the article names each place; ``main``: its main place;
    ``sources[i]``: where a context candidate comes from (empty for one of the event's sentences; None:
    a model without context candidates, whose features stay as they were)."""
    if not inside:
        return []
    n_in = bucket(sum(not s for s in sources), (0, 1, 2, 3)) if sources is not None else ""
    text = analysis.doc.text
    norm = analysis.norm
    title_end = len(analysis.doc.title) if analysis.doc.title else 0
    anchor_sent = analysis.sentence_of(anchor)
    precs = [int(m.attr("precision") or 2) for m in inside]
    finest = min(precs)
    n = bucket(len(inside), (2, 3, 5))
    out = []
    for m, rank, prec in zip(inside, ranks, precs, strict=True):
        place: Place = m.value
        mod = m.attr("modifier") or "-"
        r = str(min(rank, 3))
        mid = (m.span.start + m.span.end) // 2
        side = "after" if m.span.start >= anchor else "before"
        dist = bucket(abs(mid - anchor), (15, 40, 80, 160, 320))
        lo, hi = sorted((m.span.end, anchor)) if side == "before" else sorted((anchor, m.span.start))
        sep = any(c in _SEPARATORS for c in text[lo:hi]) if hi - lo < 400 else True
        sent = analysis.sentence_of(m.span.start)
        feats = ["bias", f"rank:{r}", f"n:{n}", f"rank|n:{r}|{n}", f"prec:{prec}", f"finest:{prec == finest}",
                 f"feat:{place.feature}", f"mod:{mod}", f"prec|rank:{prec}|{r}", f"side:{side}",
                 f"dist:{dist}", f"side|dist:{side}|{dist}", f"sep:{sep}", f"side|sep:{side}|{sep}",
                 f"samesent:{sent == anchor_sent}", f"feat|side:{place.feature}|{side}",
                 f"cnt:{bucket(counts.get(_key(place), 0), (1, 2, 4, 8))}",
                 f"main:{main is not None and _key(main) == _key(place)}",
                 f"title:{m.span.start < title_end}"]
        # another candidate nearby that is finer (a town in this province) or coarser (its province)
        finer = coarser = False
        for o, op in zip(inside, precs, strict=True):
            if o is m or not isinstance(o.value, Place) or o.value.country != place.country:
                continue
            if op < prec:
                finer = True
            elif op > prec:
                coarser = True
        feats += [f"finer:{finer}", f"coarser:{coarser}", f"finer|coarser:{finer}|{coarser}"]
        if sources is not None:
            src = sources[len(out)]
            ctx = bool(src)
            # how many candidates the event's own sentences offer decides how far to look beyond them
            feats += [f"ctx:{ctx}", f"ctx|inside:{ctx}|{n_in}", f"ctx|prec:{ctx}|{prec}",
                      f"ctx|feat:{ctx}|{place.feature}"]
            feats += [f"src:{k}" for k in sorted(src)]
            feats += [f"src|inside:{k}|{n_in}" for k in sorted(src)]
        if main is not None and main.country != place.country:
            feats.append("foreign_to_main")
        ns, ne = m.attr("norm_start"), m.attr("norm_end")
        if ns is not None and ne is not None:
            prev, nxt = _side_words(norm, ns, ne)
            for i, w in enumerate(reversed(prev), 1):
                feats.append(f"w-{i}:{w}")
                feats.append(f"c-{i}:{_word_class(w)}")
            if prev:
                feats.append(f"w-1|side:{prev[-1]}|{side}")
            if nxt:
                feats.append(f"w+1:{nxt[0]}")
                feats.append(f"c+1:{_word_class(nxt[0])}")
        out.append(feats)
    return out


@dataclass(frozen=True)
class EventPlaceRanker:
    """P(event place) of each candidate; :meth:`choose` returns the index of the most probable."""

    model: LinearModel
    #: trained with context candidates: the geocoder offers them (and their ``sources``)
    context: bool = False
    #: when: "always", "coarse" (only where the event's sentences name nothing finer than a province) or
    #: "empty" (only where they name no place: instead of the rules' fallback alone)
    context_when: str = "always"
    #: a context place taken over the event's own candidates counts as named for the event (its frame's
    #: place is not ``place_inferred``, which lets merges join it with any place)
    context_named: bool = False
    #: a model of its own for the choices without a candidate of the event's sentences (the rules'
    #: fallback and the context places); ``model`` then keeps the features without sources
    fallback: LinearModel | None = None

    def offers_context(self, inside: Sequence[Mention]) -> bool:
        """Whether the places named around the event's sentences are weighed beside its own candidates
        ``inside`` (``context_when`` "always", or "coarse" where none is finer than a province; with
        "empty" only the rules' fallback is, where the sentences name no place)."""
        if not self.context:
            return False
        return self.context_when == "always" or (
            self.context_when == "coarse" and all((m.attr("precision") or 2) >= 3 for m in inside))

    def _model(self, sources: Sequence[frozenset[str]] | None
               ) -> tuple[LinearModel, Sequence[frozenset[str]] | None]:
        if self.fallback is not None:
            if sources is not None and all(sources):
                return self.fallback, sources
            return self.model, None
        return self.model, sources if self.context else None

    def probabilities(self, analysis: Analysis, inside: Sequence[Mention], ranks: Sequence[int], anchor: int,
                      counts: Counter[tuple[str, str]], main: Place | None,
                      sources: Sequence[frozenset[str]] | None = None) -> list[float]:
        model, srcs = self._model(sources)
        return [model.proba(f)[EVENT_PLACE]
                for f in candidate_features(analysis, inside, ranks, anchor, counts, main, srcs)]

    def choose(self, analysis: Analysis, inside: Sequence[Mention], ranks: Sequence[int], anchor: int,
               counts: Counter[tuple[str, str]], main: Place | None,
               sources: Sequence[frozenset[str]] | None = None) -> int:
        ps = self.probabilities(analysis, inside, ranks, anchor, counts, main, sources)
        # ties (rare) go to the rules' order
        return max(range(len(inside)), key=lambda i: (ps[i], -ranks[i]))


@lru_cache(maxsize=1)
def packaged() -> EventPlaceRanker | None:
    """The shipped ranker, or None (the rules' choice) where the package has none."""
    def load(path: Path) -> EventPlaceRanker:
        model = LinearModel.load(path)
        meta = model.meta
        if FALLBACK_MODEL.exists():  # the fallback's own model: context places where the sentences name none
            return EventPlaceRanker(model, True, "empty", fallback=LinearModel.load(FALLBACK_MODEL))
        if meta.get("separate"):  # trained beside a fallback model that is not shipped: no context
            return EventPlaceRanker(model)
        return EventPlaceRanker(model, bool(meta.get("context")), meta.get("context_when", "always"),
                                bool(meta.get("context_named")))

    return shipped(EVENT_PLACE_MODEL, load, "event places are the rules' choice")
