"""Event frames: from triggers, actors, places, dates, tolls and sources to event records.

Requires: sentences and the TRIGGER, CUE, ACTOR, PLACE (resolved), DATE, NUMBER and
SOURCE mentions of an analysis. Provides: ``Analysis.events`` and ``Analysis.drops``.

How (the ACLED rules of spec/events.md §1 in code), each step in its module:
1. every sentence with a typed trigger that is not negated, threatened, planned,
   conditional or background gives a *frame* (type, actors, place, date, sentence)
   (``frames``, with the exclusions of ``scope``); the learned sentence decision, when
   given, may drop or re-type it;
2. frames are placed (``placing``), take the actors and day of the telling before them
   (``sides``, ``dating``; a shipped ranker then chooses among an event's candidate days,
   ``learn/dating``) and merge: one event per place × day × actor pair × type; a
   sentence that only repeats a type without a place joins the frame of that type before
   it; remote violence at the place and day of a battle is part of the battle, its
   modality kept in ``tags`` (``merging``); around the merge, the spec's types that a trigger
   word cannot give are set, each with its named reason: a protest's victims, a handover under
   an agreement (``retyping``);
3. tolls are assigned to the frame of their sentence (or the nearest frame before it) and
   combined per event (``tolls``, ``fatalities.combine``);
4. each frame becomes a record (``record``); records under the confidence cut or not
   political are dropped with their reason.
The tuned numbers are in ``settings``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from marsad.budget import check
from marsad.extract.bounds import FRAMES, frame_cut, truncate
from marsad.extract.dating import inherit_dates, split_by_days
from marsad.extract.fatalities import toll_statements
from marsad.extract.frames import HARM_ROLES, OVERRULABLE, Frame, frame_for_sentence
from marsad.extract.merging import join_fragments, merge
from marsad.extract.placing import doc_country, fill_place, refine_country_places, split_by_place
from marsad.extract.record import OutletSource, as_recorded, end_of_lead, political, to_event
from marsad.extract.retyping import forces_attacked, handovers, protest_victims
from marsad.extract.scope import could_have_events
from marsad.extract.settings import DEFAULT
from marsad.extract.sides import carry_actors
from marsad.extract.tolls import assign_tolls, hand_over_tolls, named_places
from marsad.geo.geocode import Geocoder
from marsad.learn.dating import choose_days
from marsad.learn.opener import ASKED, OPENED, OpenerDecision, evidence, open_frame
from marsad.model import DOC_CACHE, Analysis, Document, Drop, Event, Mention, MentionKind
from marsad.recognise.actors import ActorNaming

if TYPE_CHECKING:
    from marsad.extract.merging import MergeVeto
    from marsad.learn.dating import DayChooser
    from marsad.learn.roles import RoleDecision
    from marsad.learn.sentences import SentenceDecision
    from marsad.learn.splits import SplitDecision
    from marsad.learn.tolls import TollDecision

__all__ = ["HARM_ROLES", "MIN_CONFIDENCE", "MIN_WEIGHT", "EventExtractor", "Frame", "could_have_events"]

log = logging.getLogger(__name__)

# (names other modules import from here; the values are the settings')
MIN_WEIGHT = DEFAULT.min_weight
MIN_CONFIDENCE = DEFAULT.min_confidence


class EventExtractor:
    """Builds events from an analysis whose place mentions are already resolved."""

    name = "events"
    requires = ("sentences", "trigger", "actor", "number", "date", "places")
    provides = ("events",)

    def __init__(self, geocoder: Geocoder, naming: ActorNaming, outlet_source: OutletSource | None = None,
                 min_confidence: float = MIN_CONFIDENCE, *,
                 sentence_decision: SentenceDecision | None = None, toll_decision: TollDecision | None = None,
                 merge_decision: MergeVeto | None = None, role_decision: RoleDecision | None = None,
                 opener_decision: OpenerDecision | None = None, opener_in_articles: bool = True,
                 date_decision: DayChooser | None = None,
                 split_decision: SplitDecision | None = None) -> None:
        """The learned decisions are optional (None: the rules alone): the sentence model judges
        frames; the toll model judges numbers (a running total, background, injured or other is
        no death toll of the event); the merge veto (learn/merging) keeps apart two frames a merge
        rule would join where the model doubts they tell one event."""
        self.geocoder = geocoder
        self.sentence_decision = sentence_decision
        self.toll_decision = toll_decision
        self.merge_decision = merge_decision
        self.role_decision = role_decision  # actor 1 and 2 (learn/roles); None: the rules' actor_pair
        # opens a frame where the rules open none for want of a typed trigger (learn/opener)
        self.opener_decision = opener_decision
        # ... in articles too (where the rules open a frame); False: in short documents only
        # (DEFAULT.opener_short_doc sentences), where nothing around a sentence tells of the event
        self.opener_in_articles = opener_in_articles
        # chooses each event's day among its candidates after the rules' (learn/dating); None: the rules'
        self.date_decision = date_decision
        # one event at each other place of a sentence that tells one at several (learn/splits); None: the
        # list rule alone
        self.split_decision = split_decision
        self.naming = naming
        self.min_confidence = min_confidence
        self.outlet_source = outlet_source
        # the frames (and drops) has_frames found, by document, for extract (a batch run gates all
        # of a batch's documents before it extracts any)
        self._pending: dict[int, tuple[Document, list[Frame], list[Drop]]] = {}

    # -- public ---------------------------------------------------------------------------
    def __call__(self, analysis: Analysis) -> Analysis:
        a = analysis  # (direct construction: dataclasses.replace costs several microseconds)
        drops: list[Drop] = []
        events = self.extract(a, drops)
        return Analysis(a.doc, a.norm, a.offsets, a.sentences, a.tokens, a.mentions, tuple(events),
                        a.drops + tuple(drops))

    def frames(self, analysis: Analysis) -> list[Frame]:
        """One frame per sentence that tells an event. Reads triggers, cues, actors and dates only,
        so it can run before places are found (see :meth:`has_frames`)."""
        return self.frames_and_drops(analysis)[0]

    def frames_and_drops(self, analysis: Analysis) -> tuple[list[Frame], list[Drop]]:
        """The frames, and the candidates dropped on the way with their reasons: the rules'
        exclusions (a blocking cue, an old or future date ...) and the sentence model's."""
        by_sent = analysis.by_sentence()
        published = analysis.doc.published
        frames: list[Frame] = []
        drops: list[Drop] = []
        decision = self.sentence_decision
        # the sentences the opener may open a frame on: (frames, drops before it; sentence, mentions, reason)
        asked: list[tuple[int, int, int, list[Mention], str]] = []
        for si in range(len(analysis.sentences)):
            check()  # the document's time budget (marsad.budget), between sentences
            ms = by_sent.get(si, [])
            if len(frames) >= DEFAULT.max_frames:
                # bounded work (extract/bounds): the sentences after the cap that hold an event word
                # are named, not analysed
                if any(m.kind is MentionKind.TRIGGER for m in ms):
                    sent = analysis.sentences[si]
                    drops.append(Drop(FRAMES, (sent.start, sent.end)))
                continue
            frame = frame_for_sentence(analysis, si, ms, published)
            if frame is None:
                continue
            sent = analysis.sentences[si]
            if isinstance(frame, str):
                rescued = self._rescue(analysis, si, ms, by_sent, frame) if frame in OVERRULABLE else None
                if rescued is None:
                    if self._asked(frame, ms):  # (the opener's turn comes after the rules', below)
                        asked.append((len(frames), len(drops), si, ms, frame))
                    drops.append(Drop(frame, (sent.start, sent.end)))
                    continue
                # a change, not a drop: the rules' reason, overruled by the sentence model
                drops.append(Drop(f"overruled:{frame}", (sent.start, sent.end), rescued.event_type,
                                  rescued.sub_event_type))
                frames.append(rescued)
                continue
            if decision is not None:
                judged = decision.judge(analysis, si, by_sent)
                if not judged.keep:
                    drops.append(Drop(judged.reason, (sent.start, sent.end), frame.event_type,
                                      frame.sub_event_type, round(judged.p_event, 3)))
                    continue
            frames.append(frame)
        if asked and self.opener_decision is not None and self.opener_asked_in(len(analysis.sentences),
                                                                                bool(frames)):
            self._open_asked(analysis, by_sent, frames, drops, asked)
        return frames, drops

    def _rescue(self, analysis: Analysis, si: int, ms: list[Mention], by_sent: dict[int, list[Mention]],
                reason: str) -> Frame | None:
        """The frame a scope exclusion stopped, where the sentence model is confident (at least its
        ``rescue_threshold``, set out of fold on the training corpus) that the sentence reports a
        current event."""
        decision = self.sentence_decision
        if decision is None or decision.rescue_threshold > 1.0:
            return None
        frame = frame_for_sentence(analysis, si, ms, analysis.doc.published, scope=False)
        if not isinstance(frame, Frame):
            return None
        judged = decision.judge(analysis, si, by_sent)
        return frame if judged.p_event >= decision.rescue_threshold else None

    def opener_asked_in(self, n_sentences: int, framed: bool) -> bool:
        """Whether the opener is asked in a document of ``n_sentences`` where the rules opened a frame
        (``framed``) or none."""
        return DEFAULT.short_document(n_sentences) or (framed and self.opener_in_articles)

    def _asked(self, reason: str, ms: list[Mention]) -> bool:
        """Whether the opener is asked about a sentence the rules left for ``reason`` (learn/opener)."""
        return self.opener_decision is not None and reason in ASKED and evidence(ms)

    def _open_asked(self, analysis: Analysis, by_sent: dict[int, list[Mention]], frames: list[Frame],
                    drops: list[Drop], asked: list[tuple[int, int, int, list[Mention], str]]) -> None:
        """Open a frame, in sentence order among the rules' frames, on each asked sentence where the
        opener's P(event) is at least its threshold (set out of fold); the rules' drop of the sentence
        becomes the change ``opened:model``. Asked only in a document where a frame stands or in a
        short one (a feed item, a sentence read alone): elsewhere a lone detail sentence is rarely an
        event, and opening it would take the whole document through the later stages (speed)."""
        opener = self.opener_decision
        assert opener is not None
        room = DEFAULT.max_frames - len(frames)  # (bounded work: the frame cap holds)
        opened = []
        for fi, di, si, ms, reason in asked:
            if len(opened) >= room:
                break
            check()
            o = opener.judge(analysis, si, by_sent, reason)
            if o.p_event >= opener.threshold and o.event_type:
                opened.append((fi, di, open_frame(analysis, si, ms, analysis.doc.published, o), o.p_event))
        for fi, di, frame, p in reversed(opened):  # (from the last: the earlier positions hold)
            frames.insert(fi, frame)
            drops[di] = Drop(OPENED, drops[di].span, frame.event_type, frame.sub_event_type, round(p, 3))

    def has_frames(self, analysis: Analysis) -> bool:
        """An exact gate for extraction runs, after the actors: a document with no frame has no
        event, so its sources, places, NER, geocoding and event building can be skipped. The
        frames found are kept for :meth:`extract` of the same document (they read nothing the
        later stages add); the drops of a document stopped here are given by :meth:`stopped`."""
        frames, drops = self.frames_and_drops(analysis)
        if len(self._pending) >= DOC_CACHE:  # documents that failed after the gate
            self._pending.clear()
        self._pending[id(analysis.doc)] = (analysis.doc, frames, drops)  # (the entry keeps the id taken)
        return bool(frames)

    def cut(self, analysis: Analysis) -> int | None:
        """The number of leading sentences the frames of a document stopped by ``max_frames`` come
        from (None when no cap cut): what :class:`~marsad.extract.bounds.FrameCut` keeps."""
        pending = self._pending.get(id(analysis.doc))
        return None if pending is None else frame_cut(analysis, pending[2])

    def stopped(self, analysis: Analysis) -> Analysis:
        """The analysis of a document the frame gate stopped, with the drops that stopped it."""
        pending = self._pending.pop(id(analysis.doc), None)
        drops = tuple(pending[2]) if pending is not None and pending[1] == [] else ()
        a = analysis
        return Analysis(a.doc, a.norm, a.offsets, a.sentences, a.tokens, a.mentions, a.events,
                        a.drops + drops)

    def extract(self, analysis: Analysis, drops: list[Drop] | None = None) -> list[Event]:
        """The events of ``analysis``; what was dropped on the way goes to ``drops`` with its reason."""
        drops = [] if drops is None else drops
        pending = self._pending.pop(id(analysis.doc), None)
        if pending is not None and pending[0] is analysis.doc:
            frames, found = pending[1], pending[2]
        else:
            frames, found = self.frames_and_drops(analysis)
        drops.extend(found)
        if not frames:
            return []
        cut = frame_cut(analysis, found)
        if cut is not None:  # (already done by the FrameCut stage of an extraction run)
            analysis = truncate(analysis, cut)
        published = analysis.doc.published
        country = doc_country(analysis)
        title_end = len(analysis.doc.title) if analysis.doc.title else -1
        statements = toll_statements(analysis, self.toll_decision)
        # a toll the model overruled is a change of the event, with its named reason
        drops.extend(Drop(st.reason, (st.start, st.end)) for st in statements if st.reason)
        placed: list[Frame] = []
        for f in frames:
            check()  # (between frames)
            f.in_title = analysis.sentences[f.sents[0]].end <= title_end
            fill_place(self.geocoder, analysis, f)
            placed.extend(split_by_place(analysis, f, statements, self.split_decision))
        placed = join_fragments(analysis, placed)
        carry_actors(placed, published)
        told = {st.sent: st.killed for st in statements if st.killed and st.told}
        for f in placed:
            f.told = {told[i] for i in f.sents if i in told}
        # (the spec's types that a trigger word cannot give: before merging, so that a protest's victims
        # join the protest; after it, with an event's sentences together)
        placed = protest_victims(analysis, forces_attacked(analysis, placed, drops), drops)
        frames = handovers(analysis, merge(placed, self.merge_decision), drops)
        refine_country_places(self.geocoder, analysis, frames)
        inherit_dates(frames, published)
        if self.date_decision is not None:
            choose_days(frames, analysis, self.date_decision)
        assign_tolls(frames, statements, named_places(analysis))
        frames = split_by_days(frames, analysis)
        lead_end = end_of_lead(analysis)
        events = [self._record(analysis, f, country, lead_end) for f in frames]
        kept = [e.confidence >= self.min_confidence and political(e) for e in events]
        for e, k in zip(events, kept, strict=True):
            if not k:
                drops.append(Drop("low_confidence" if e.confidence < self.min_confidence else "not_political",
                                  e.evidence_bounds, e.event_type, e.sub_event_type))
        if hand_over_tolls(frames, kept):
            events = [self._record(analysis, as_recorded(f, e), country, lead_end) if k else e
                      for f, e, k in zip(frames, events, kept, strict=True)]
        return [e for e, k in zip(events, kept, strict=True) if k]

    def _record(self, analysis: Analysis, f: Frame, country: str | None, lead_end: int) -> Event:
        return to_event(analysis, f, doc_country=country, lead_end=lead_end, naming=self.naming,
                        outlet_source=self.outlet_source, roles=self.role_decision)
