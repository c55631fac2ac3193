"""Features of a sentence for the learned event decision, shared by training and serving.

A sentence's features are strings: its normalised words and word pairs, the character
n-grams inside its words (Arabic morphology: clitics, verb forms), and what marsad's
recognisers found in it — trigger types and roles, cue classes, date kinds (relative, older
than 30 days, future), actor kinds, numbers, sources — plus its place in the article. The
training script (``build/train_models.py``) and the pipeline call :func:`sentence_features`
on the same ``Analysis`` stages, so the two never drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

from marsad.learn.linear import FeatureBlock, TextPart, flat
from marsad.model import Analysis, Mention, MentionKind
from marsad.text.normalise import normalise, normalised_slice

#: the mentions a sentence's features read: those the event frames see before the frame gate
FRAME_KINDS = frozenset({MentionKind.TRIGGER, MentionKind.CUE, MentionKind.DATE, MentionKind.ACTOR})
#: character n-gram sizes inside a word (with its boundaries marked)
NGRAMS = (3, 4)
OLD_DAYS = 30
#: distinct words whose features :func:`text_features` keeps (~10 MB at most)
WORD_CACHE = 1 << 14


def _words(norm: str) -> list[str]:
    out = []
    for w in norm.split():
        w = w.strip(".,،؛;:!?؟\"'«»()[]{}-–—…")
        if w:
            out.append("0" if w.isdigit() else w)
    return out


def bucket(n: float, edges: Sequence[float]) -> str:
    """A number as the first of ``edges`` it does not exceed, else ">last": a feature value that a
    linear model can weigh (the learned decisions' counts and distances)."""
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


@lru_cache(maxsize=WORD_CACHE)
def _word_features(w: str, prefix: str) -> FeatureBlock:
    """A word's ``w:`` feature and its character n-grams (``c:``), each after ``prefix``, as one
    block, built once per distinct word.

    Why cached: news repeats its words, and the n-grams are most of a sentence's features; a
    model keeps the indices of a block (:class:`FeatureBlock`), which it then finds by the
    block's key without looking its features up one by one.
    """
    grams: list[str] = []
    if len(w) >= 3:
        marked = f"<{w}>"
        for n in NGRAMS:
            grams += [f"{prefix}c:{marked[i:i + n]}" for i in range(len(marked) - n + 1)]
    # the key: a word holds no space, so prefix and word are told apart
    return FeatureBlock(f"{prefix} {w}", tuple(grams), f"{prefix}w:{w}")


def text_parts(text: str, prefix: str = "", norm: str | None = None) -> list[str | FeatureBlock | TextPart]:
    """:func:`text_features` as a model reads them fastest: one :class:`TextPart` of the words'
    blocks and the word pairs (``norm``: ``normalise(text)[0]`` where the caller has it)."""
    words = _words(normalise(text)[0] if norm is None else norm)
    blocks = tuple(_word_features(w, prefix) for w in words)
    pairs = tuple(f"{prefix}b:{a}_{b}" for a, b in zip(words, words[1:], strict=False))
    return [TextPart(blocks, pairs)]


def text_features(text: str, prefix: str = "") -> list[str]:
    """Lexical features of one sentence's text (normalised first): its words, word pairs, then
    each word's character n-grams, in that order (a model sums its weights in feature order),
    each after ``prefix`` (a model that reads several texts tells them apart by it)."""
    return flat(text_parts(text, prefix))


def _date_kind(m: Mention, published: date | None) -> Iterable[str]:
    yield "date:any"
    if m.attr("relative"):
        yield "date:relative"
    if m.attr("future"):
        yield "date:future"
    if published and isinstance(m.value, str):
        try:
            day = date.fromisoformat(m.value[:10])
        except ValueError:
            return
        if (published - day).days > OLD_DAYS:  # (no date arithmetic that can leave the calendar)
            yield "date:old"
        elif day > published:
            yield "date:after"
        else:
            yield "date:recent"


def mention_features(ms: Iterable[Mention], published: date | None) -> list[str]:
    feats: list[str] = []
    for m in ms:
        k = m.kind
        if k is MentionKind.TRIGGER:
            et, sub = m.value if isinstance(m.value, tuple) else ("", "")
            feats.append(f"t:{et}|{sub}" if et else "t:untyped")
            feats.append(f"tr:{m.attr('role')}")
            feats.append(f"tw:{round(float(m.attr('weight') or 0.5), 1)}")
        elif k is MentionKind.CUE:
            feats.append(f"q:{m.value}")
        elif k is MentionKind.DATE:
            feats.extend(_date_kind(m, published))
        elif k is MentionKind.ACTOR:
            feats.append(f"a:{m.attr('kind')}")
        elif k is MentionKind.NUMBER:
            feats.append("n:year" if m.attr("year") else ("n:vague" if m.attr("vague") else "n:count"))
        elif k is MentionKind.SOURCE:
            feats.append(f"s:{m.attr('source_kind')}")
        elif k is MentionKind.PLACE:
            feats.append("p:place")
    return feats


def sentence_features(analysis: Analysis, si: int, by_sent: dict[int, list[Mention]]) -> list[str]:
    """Every feature of sentence ``si`` of ``analysis``, given the mentions of each sentence
    (:func:`sentence_parts`, spelt out)."""
    return flat(sentence_parts(analysis, si, by_sent))


def sentence_parts(analysis: Analysis, si: int,
                   by_sent: dict[int, list[Mention]]) -> list[str | FeatureBlock | TextPart]:
    """Every feature of sentence ``si`` of ``analysis``, given the mentions of each sentence, with
    its words' n-grams as blocks (what the pipeline gives the sentence model).

    Besides the sentence's own words and mentions: the mentions of the sentences before and
    after it and of the title (a detail sentence of an event told just before; a headline
    that names the incident), each with its own prefix.
    """
    sent = analysis.sentences[si]
    title = analysis.doc.title
    published = analysis.doc.published
    feats: list[str | FeatureBlock | TextPart] = ["bias"]
    in_title = title is not None and sent.end <= len(title)
    if in_title:
        feats.append("pos:title")
    elif si <= 3:
        feats.append("pos:lead")
    # (the sentence's normalised text, sliced from the document's where it is the same)
    feats += text_parts(sent.text, norm=normalised_slice(analysis.doc.text, analysis.norm, analysis.offsets,
                                                         sent.start, sent.end))
    feats += mention_features([m for m in by_sent.get(si, ()) if m.kind in FRAME_KINDS], published)
    for prefix, sj in (("prev", si - 1), ("next", si + 1)):
        ms = [m for m in by_sent.get(sj, ()) if m.kind in FRAME_KINDS]
        # sorted: the weights are summed in feature order, and a set's order changes per process
        feats += [f"{prefix}:{f}" for f in sorted(set(mention_features(ms, published)))]
    if title is not None and not in_title:
        heads = [m for j in range(si) if analysis.sentences[j].end <= len(title) for m in by_sent.get(j, ())
                 if m.kind is MentionKind.TRIGGER]
        feats += [f"head:{f}" for f in sorted(set(mention_features(heads, published))) if f.startswith("t:")]
    return feats
