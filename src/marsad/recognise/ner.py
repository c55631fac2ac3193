"""Statistical Arabic named-entity recogniser (PERS / LOC / ORG / MISC), a linear-chain CRF.

Requires: tokens (``Analysis.tokens`` from the pipeline, or plain strings).
Provides: IOB2 tags per token, and ``MentionKind.NER`` mentions whose ``value`` is the
entity type. The model ships in ``marsad/data/ner_crf.model`` (see ``ner_NOTE.md`` there)
and is built by ``build/train_ner.py``; training and tagging share :func:`featurize`.

Also here: CoNLL reading/writing and an exact-span scorer (CoNLL-2003 style), so that
``marsad ner`` can tag and evaluate CoNLL files without extra dependencies.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.model import Analysis, Mention, MentionKind, Span, Token
from marsad.text.normalise import normalise_key

try:  # pragma: no cover - exercised only where python-crfsuite is missing
    import pycrfsuite
except ImportError:  # pragma: no cover
    pycrfsuite = None

log = logging.getLogger(__name__)

ENTITY_TYPES: tuple[str, ...] = ("PERS", "LOC", "ORG", "MISC")
LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I"))
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "ner_crf.model"
DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "data" / "ner_lexicon.tsv"

Lexicon = Callable[[str], "str | None"]
"""Maps a normalised key (word, stem, or two words) to a category such as ``"PLACE"``, or None."""

# ---------------------------------------------------------------------------------------------
# features
# ---------------------------------------------------------------------------------------------

_CONJ = ("و", "ف")  # conjunctions, at most one
_PREP = ("ب", "ل", "ك")  # prepositions, at most one
_MIN_STEM = 2  # never strip a clitic that would leave fewer letters than this


def strip_clitics(norm: str) -> tuple[str, str]:
    """Split a normalised word into ``(clitics, stem)``: و/ف, then ب/ل/ك, then ال (or لل).

    ``"وبالمدينه"`` → ``("و+ب+ال", "مدينه")``. Conservative: keeps at least two letters.
    """
    clitics: list[str] = []
    w = norm
    if len(w) > _MIN_STEM + 1 and w[0] in _CONJ:
        clitics.append(w[0])
        w = w[1:]
    if w.startswith("لل") and len(w) > _MIN_STEM + 1:  # ل + ال with the alef elided
        clitics.append("لل")
        w = w[2:]
    else:
        if len(w) > _MIN_STEM + 1 and w[0] in _PREP and w[1:].startswith("ال"):
            clitics.append(w[0])
            w = w[1:]
        if w.startswith("ال") and len(w) > _MIN_STEM + 1:
            clitics.append("ال")
            w = w[2:]
    return "+".join(clitics), w


def word_shape(token: str) -> str:
    """A compact shape: Arabic letter ``a``, Latin ``X``/``x``, digit ``d``, others kept; runs collapsed."""
    out: list[str] = []
    for ch in token:
        if "\u0621" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06d3":
            c = "a"
        elif ch.isdigit():
            c = "d"
        elif ch.isalpha():
            c = "X" if ch.isupper() else "x"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


@lru_cache(maxsize=262144)
def _token_features(token: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                         tuple[str, ...], tuple[str, ...], str]:
    """Features of one token: (own, as -1, as +1, as -2, as +2, lexicon key)."""
    norm = normalise_key(token).lower() or token
    clitics, stem = strip_clitics(norm)
    shape = word_shape(norm)
    own = [
        "b",
        "w=" + norm,
        "s=" + stem,
        "cl=" + clitics,
        "sh=" + shape,
        "p2=" + stem[:2],
        "p3=" + stem[:3],
        "x1=" + norm[-1:],
        "x2=" + norm[-2:],
        "x3=" + norm[-3:],
        "sx2=" + stem[-2:],
        "len=" + str(min(len(stem), 8)),
    ]
    if any(c.isdigit() for c in norm):
        own.append("dig")
    if any("a" <= c <= "z" for c in norm):
        own.append("lat")
    if not any(c.isalnum() for c in norm):
        own.append("pun")
    near = ("w=" + norm, "s=" + stem, "sh=" + shape, "cl=" + clitics, "x2=" + norm[-2:])
    far = ("w=" + norm, "s=" + stem)
    return (
        tuple(own),
        tuple("-1" + f for f in near),
        tuple("+1" + f for f in near),
        tuple("-2" + f for f in far),
        tuple("+2" + f for f in far),
        stem,
    )


def featurize(tokens: Sequence[str], lexicon: Lexicon | None = None) -> list[list[str]]:
    """CRF features for one sentence: word, normalised form, stem, affixes, shape, ±2 context.

    ``lexicon``, when given, maps a normalised key (a word, its clitic-free stem, or two words
    joined by a space) to a category (e.g. ``"PLACE"``, ``"ACTOR"``) or None; its answers become
    features of the token and of its neighbours. A model only uses them if it was trained with a
    lexicon (see ``build/train_ner.py --lexicon``); otherwise they are ignored.
    """
    n = len(tokens)
    info = [_token_features(t) for t in tokens]
    lex: list[list[str]] = [[] for _ in range(n)]
    if lexicon is not None:
        keys = [normalise_key(t) for t in tokens]
        for i in range(n):
            for name, key in (("lw=", keys[i]), ("ls=", info[i][5])):
                cat = lexicon(key) if key else None
                if cat:
                    lex[i].append(name + cat)
            if i + 1 < n and keys[i] and keys[i + 1]:
                cat = lexicon(keys[i] + " " + keys[i + 1])
                if cat:
                    lex[i].append("lbB=" + cat)
                    lex[i + 1].append("lbI=" + cat)
    feats: list[list[str]] = []
    for i in range(n):
        f = list(info[i][0])
        f.extend(info[i - 1][1] if i >= 1 else ("BOS",))
        f.extend(info[i + 1][2] if i + 1 < n else ("EOS",))
        if i >= 2:
            f.extend(info[i - 2][3])
        if i + 2 < n:
            f.extend(info[i + 2][4])
        if i >= 1:
            f.append("w-1w0=" + info[i - 1][0][1][2:] + "|" + info[i][0][1][2:])
        if lex[i]:
            f.extend(lex[i])
        if lexicon is not None:
            if i >= 1:
                f.extend("-1" + x for x in lex[i - 1])
            if i + 1 < n:
                f.extend("+1" + x for x in lex[i + 1])
        feats.append(f)
    return feats


@lru_cache(maxsize=4)
def _lexicon_table(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, cat = line.rstrip("\n").partition("\t")
            if key and cat:
                table[key] = cat
    return table


def load_lexicon(path: Path | None = None) -> Lexicon | None:
    """The shipped place lexicon (GeoNames names → ``"PLACE"``) as a lookup, or None if absent."""
    target = path or DEFAULT_LEXICON
    if not target.exists():
        return None
    return _lexicon_table(target).get


def combine_lexicons(*lexicons: Lexicon | None) -> Lexicon | None:
    """A lookup that asks each lexicon in turn and returns the first answer."""
    found = [lx for lx in lexicons if lx is not None]
    if len(found) <= 1:
        return found[0] if found else None

    def lookup(key: str) -> str | None:
        for lx in found:
            cat = lx(key)
            if cat:
                return cat
        return None

    return lookup


# ---------------------------------------------------------------------------------------------
# spans and scoring
# ---------------------------------------------------------------------------------------------


def spans_of(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity chunks ``(start, end, type)`` (end exclusive) of an IOB/IOB2 tag sequence, conlleval-style.

    An ``I-X`` that does not continue an ``X`` chunk starts a new one.
    """
    out: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        continues = prefix == "I" and typ == kind and start >= 0
        if start >= 0 and not continues:
            out.append((start, i, kind))
            start, kind = -1, ""
        if prefix in ("B", "I") and not continues:
            start, kind = i, typ
    return out


def to_iob2(tags: Sequence[str]) -> list[str]:
    """Rewrite tags so every chunk starts with ``B-`` (IOB1 → IOB2); other tags become ``O``."""
    out = ["O"] * len(tags)
    for s, e, t in spans_of(tags):
        out[s] = "B-" + t
        for j in range(s + 1, e):
            out[j] = "I-" + t
    return out


def score_spans(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Exact-span precision/recall/F1 per type and micro-averaged (key ``"micro"``), CoNLL-2003 style."""
    tp: dict[str, int] = {}
    n_gold: dict[str, int] = {}
    n_pred: dict[str, int] = {}
    for g_tags, p_tags in zip(gold, pred, strict=True):
        if len(g_tags) != len(p_tags):
            raise ValueError(f"sentence lengths differ: {len(g_tags)} gold vs {len(p_tags)} predicted")
        g = set(spans_of(g_tags))
        p = set(spans_of(p_tags))
        for _, _, t in g:
            n_gold[t] = n_gold.get(t, 0) + 1
        for _, _, t in p:
            n_pred[t] = n_pred.get(t, 0) + 1
        for _, _, t in g & p:
            tp[t] = tp.get(t, 0) + 1

    def prf(t: int, ng: int, np_: int) -> dict[str, float]:
        p = t / np_ if np_ else 0.0
        r = t / ng if ng else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f, "support": ng, "predicted": np_, "correct": t}

    types = sorted(set(n_gold) | set(n_pred))
    res = {t: prf(tp.get(t, 0), n_gold.get(t, 0), n_pred.get(t, 0)) for t in types}
    res["micro"] = prf(sum(tp.values()), sum(n_gold.values()), sum(n_pred.values()))
    return res


def format_scores(scores: dict[str, Any]) -> str:
    """A plain-text table of :func:`score_spans` (or :func:`evaluate_conll`) results."""
    lines = [f"{'type':<8}{'prec':>8}{'rec':>8}{'F1':>8}{'gold':>8}{'pred':>8}"]
    keys = [k for k in scores if isinstance(scores[k], dict) and k != "micro"]
    for k in [*sorted(keys), "micro"]:
        if k not in scores:
            continue
        s = scores[k]
        lines.append(
            f"{k:<8}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}"
            f"{int(s['support']):>8}{int(s['predicted']):>8}"
        )
    if "tokens_per_s" in scores:
        lines.append(f"{scores['tokens']} tokens tagged at {scores['tokens_per_s']:,.0f} tokens/s wall-clock"
                     f" ({scores.get('tokens_per_cpu_s', 0):,.0f} tokens per CPU second, one core)")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# CoNLL files
# ---------------------------------------------------------------------------------------------


def read_conll(path: Path | str) -> Iterator[list[tuple[str, str]]]:
    """Sentences of a CoNLL-style file as ``[(token, last_column_or_empty), ...]``.

    One token per line; columns split by a tab, or else by whitespace; blank lines end sentences.
    A UTF-8 BOM and left-to-right marks are dropped.
    """
    sent: list[tuple[str, str]] = []
    with open(path, encoding="utf-8-sig") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n").replace("\u200e", "")
            if not line.strip():
                if sent:
                    yield sent
                    sent = []
                continue
            cols = line.split("\t") if "\t" in line else line.split()
            sent.append((_conll_token(line), cols[-1].strip() if len(cols) > 1 else ""))
    if sent:
        yield sent


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------

_DEFAULT: NerModel | None = None


class NerModel:
    """A trained CRF tagger. Use :meth:`load`; :meth:`tag` returns IOB2 tags."""

    def __init__(self, tagger: Any, path: Path | None, uses_lexicon: bool = False) -> None:
        self._tagger = tagger
        self.path = path
        self.uses_lexicon = uses_lexicon
        self.lexicon: Lexicon | None = None  # the shipped lexicon, when the model was trained with one

    @classmethod
    def load(cls, path: Path | None = None) -> NerModel:
        """Open a model file; without ``path`` the packaged model, loaded once and cached.

        Without python-crfsuite (or without the model file) returns a model that tags
        everything ``O`` and logs a warning once.
        """
        global _DEFAULT
        if path is None and _DEFAULT is not None:
            return _DEFAULT
        target = Path(path) if path is not None else DEFAULT_MODEL
        if pycrfsuite is None:
            log.warning("python-crfsuite is not installed: statistical NER is disabled")
            model = cls(None, None)
        elif not target.exists():
            if path is not None:
                raise FileNotFoundError(target)
            log.warning("NER model %s is missing: statistical NER is disabled", target)
            model = cls(None, None)
        else:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(target))
            meta_path = target.with_suffix(".json")
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
            model = cls(tagger, target, bool(meta.get("lexicon", False)))
            if model.uses_lexicon:
                model.lexicon = load_lexicon()
        if path is None:
            _DEFAULT = model
        return model

    @property
    def available(self) -> bool:
        """True when a real model is loaded (not the all-``O`` fallback)."""
        return self._tagger is not None

    def tag(self, tokens: Sequence[str], lexicon: Lexicon | None = None) -> list[str]:
        """IOB2 tags (``B-PERS``, ``I-LOC``, ``O`` ...) for one sentence of tokens.

        ``lexicon`` (e.g. the pipeline's gazetteer membership) is consulted before the shipped
        one; both are ignored by a model trained without lexicon features.
        """
        if not tokens:
            return []
        if self._tagger is None:
            return ["O"] * len(tokens)
        lex = combine_lexicons(lexicon, self.lexicon) if self.uses_lexicon else None
        tags = self._tagger.tag(featurize(tokens, lex))
        return to_iob2(tags)

    def tag_sentences(self, sentences: Iterable[Sequence[str]],
                      lexicon: Lexicon | None = None) -> list[list[str]]:
        """:meth:`tag` over many sentences."""
        return [self.tag(s, lexicon) for s in sentences]


def find_entities(analysis: Analysis, model: NerModel | None = None,
                  lexicon: Lexicon | None = None) -> list[Mention]:
    """Pipeline stage: NER mentions over ``analysis.tokens``, tagged sentence by sentence.

    Each mention spans its first to last token in the original text; ``value`` is the type.
    """
    model = model or NerModel.load()
    if not analysis.tokens or not model.available:
        return []
    text = analysis.doc.text
    groups: list[list[Token]] = []
    for tok in analysis.tokens:
        if groups and groups[-1][-1].sent == tok.sent:
            groups[-1].append(tok)
        else:
            groups.append([tok])
    mentions: list[Mention] = []
    for toks in groups:
        tags = model.tag([t.text for t in toks], lexicon)
        for s, e, typ in spans_of(tags):
            first, last = toks[s], toks[e - 1]
            mentions.append(Mention(MentionKind.NER, Span.of(text, first.start, last.end), typ, sent=first.sent))
    return mentions


def _conll_token(line: str) -> str:
    """The token of a CoNLL line: its first tab-separated column, else its first field."""
    if "\t" in line:
        return line.split("\t")[0] or line.strip()
    return line.split()[0]


def run_conll(input_path: Path | str, output_path: Path | str, model: NerModel | None = None) -> int:
    """Tag a CoNLL-style file; writes ``token<TAB>tag`` lines and keeps every blank line where it was.

    Input: one token per line (further columns ignored), blank lines between sentences.
    Returns the number of tokens tagged.
    """
    model = model or NerModel.load()
    n = 0
    with open(input_path, encoding="utf-8-sig") as src, open(output_path, "w", encoding="utf-8") as out:
        tokens: list[str] = []

        def flush() -> None:
            for tok, tag in zip(tokens, model.tag(tokens), strict=True):
                out.write(f"{tok}\t{tag}\n")
            tokens.clear()

        for raw in src:
            line = raw.rstrip("\r\n").replace("\u200e", "")
            if line.strip():
                tokens.append(_conll_token(line))
                n += 1
            else:
                flush()
                out.write("\n")
        flush()
    log.info("tagged %d tokens into %s", n, output_path)
    return n


def evaluate_conll(gold_path: Path | str, model: NerModel | None = None) -> dict[str, Any]:
    """Tag the tokens of a gold CoNLL file and score them against its last column.

    Returns :func:`score_spans` results plus ``tokens``, ``seconds`` and ``tokens_per_s``.
    """
    model = model or NerModel.load()
    sents = list(read_conll(gold_path))
    tokens = [[t for t, _ in s] for s in sents]
    gold = [to_iob2([g or "O" for _, g in s]) for s in sents]
    t0, c0 = time.perf_counter(), time.process_time()
    pred = model.tag_sentences(tokens)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    res: dict[str, Any] = dict(score_spans(gold, pred))
    n = sum(len(s) for s in tokens)
    res.update(tokens=n, seconds=secs, tokens_per_s=n / secs if secs > 0 else 0.0,
               cpu_seconds=cpu, tokens_per_cpu_s=n / cpu if cpu > 0 else 0.0)
    return res
