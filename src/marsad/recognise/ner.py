"""Statistical Arabic named-entity recogniser (PERS / LOC / ORG / MISC), a linear-chain CRF.

Requires: tokens (``Analysis.tokens`` from the pipeline, or plain strings).
Provides: IOB2 tags per token, and ``MentionKind.NER`` mentions whose ``value`` is the
entity type. The model ships in ``marsad/data/`` (see ``ner_NOTE.md`` there): the CRFsuite
model file ``ner_crf.crfsuite``, decoded by python-crfsuite's compiled tagger (the fast path),
and the same weights as gzipped JSON, ``ner_crf.json.gz``, decoded by a plain-Python Viterbi
when python-crfsuite is missing (identical tags). Features include word clusters learned
offline from unlabelled Arabic news (``ner_clusters.tsv.gz``) and lexicon hits (GeoNames,
the project's gazetteer and actor dictionary, WikiFANE names: ``ner_lexicon.tsv``). It is
built by ``build/train_ner.py``; training and tagging share :func:`featurize`. A document's
sentences are tagged together: a name tagged in one sentence is tagged where it recurs
untagged nearby (:func:`propagate`).

The features are in :mod:`marsad.recognise.ner_features`; CoNLL files
(:mod:`marsad.recognise.ner_conll`) and the exact-span scorer (:mod:`marsad.recognise.ner_scoring`,
CoNLL-2003 style) let ``marsad ner`` tag and evaluate CoNLL files without extra dependencies.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from operator import add
from pathlib import Path
from typing import Any

from marsad.model import Analysis, Mention, MentionKind, Span, Token
from marsad.recognise.ner_features import (
    BOS_FEATURES,
    CACHE_MAX,
    EOS_FEATURES,
    Lexicon,
    assemble,
    cluster_table,
    combine_lexicons,
    featurize,
    lexicon_features,
    lexicon_unary,
    load_lexicon,
    token_features,
)
from marsad.recognise.ner_scoring import spans_of, to_iob2
from marsad.text.normalise import normalise_key

log = logging.getLogger(__name__)

ENTITY_TYPES: tuple[str, ...] = ("PERS", "LOC", "ORG", "MISC")
LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I"))
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "ner_crf.json.gz"
CONSISTENCY_WINDOW = 50
"""Sentences before and after a sentence whose predicted names :func:`propagate` carries over."""


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------

MODEL_FORMAT = "marsad-ner-crf/1"
_DEFAULT: dict[str, NerModel] = {}


def crfsuite_path(model_path: Path | str) -> Path:
    """The CRFsuite model file that goes with a ``*.json.gz`` model: ``*.crfsuite`` beside it."""
    p = Path(model_path)
    return p.with_name(p.name.removesuffix(".gz").removesuffix(".json") + ".crfsuite")


def meta_path(model_path: Path | str) -> Path:
    """The small metadata file that goes with a ``*.json.gz`` model: ``*.meta.json`` beside it."""
    p = Path(model_path)
    return p.with_name(p.name.removesuffix(".gz").removesuffix(".json") + ".meta.json")


class NerModel:
    """A trained linear-chain CRF: CRFsuite's compiled tagger, or the same weights in plain Python.

    Use :meth:`load`; :meth:`tag` returns IOB2 tags for a sentence, :meth:`tag_sentences` for a
    document. With python-crfsuite installed and the ``.crfsuite`` file present, decoding is
    CRFsuite's (``backend == "crfsuite"``); otherwise the JSON weights are decoded here: the
    score of a token is the sum of the weights of its features, cached per token string and
    neighbour slot, and Viterbi runs over the label set (``backend == "python"``). Both give
    the same tags.
    """

    def __init__(self, labels: Sequence[str], transitions: Sequence[Sequence[float]],
                 state: dict[str, Sequence[Sequence[float]]], meta: dict[str, Any] | None = None,
                 path: Path | None = None, tagger: Any = None) -> None:
        self.labels = list(labels)
        self.meta = dict(meta or {})
        self.path = path
        self.uses_lexicon = bool(self.meta.get("lexicon", False))
        self.lexicon: Lexicon | None = load_lexicon() if self.uses_lexicon else None
        self._tagger = tagger  # pycrfsuite.Tagger (not thread-safe: used under the lock)
        self._feat_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        # attribute -> its UTF-8 bytes, for the attributes the CRFsuite model has weights for (None:
        # unknown). The tagger ignores any other attribute, and converting and looking up the
        # ignored ~30% and encoding the rest was most of its time: see _crfsuite_features.
        self._known: dict[str, bytes] | None = None
        self._known_cache: dict[str, tuple[Any, ...]] = {}
        self._known_edges: tuple[tuple[bytes, ...], tuple[bytes, ...]] | None = None
        self._lock = threading.Lock()
        n = len(self.labels)
        # columns: _tcol[j][k] = weight of the transition k -> j
        self._tcol = [[float(transitions[k][j]) for k in range(n)] for j in range(n)]
        self._state = {a: tuple((int(j), float(w)) for j, w in sp) for a, sp in state.items()}
        self._zero = [0.0] * n
        self._bos = self._sum(("BOS",))
        self._eos = self._sum(("EOS",))
        self._cache: dict[str, tuple[Any, ...]] = {}
        self._lex_cache: dict[str, tuple[Any, ...]] = {}

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str | None = None, backend: str = "auto") -> NerModel:
        """Read a model (``*.json.gz``, with ``*.crfsuite`` beside it); without ``path`` the packaged one.

        ``backend``: ``"auto"`` (CRFsuite's tagger when python-crfsuite and the ``.crfsuite``
        file are there, else plain Python), ``"crfsuite"`` or ``"python"``. The packaged model
        is loaded once per backend. If it is missing, returns a model that tags everything
        ``O`` and logs a warning (the pipeline keeps working without statistical NER).
        """
        if backend not in ("auto", "crfsuite", "python"):
            raise ValueError(f"unknown NER backend {backend!r}")
        if path is None and backend in _DEFAULT:
            return _DEFAULT[backend]
        target = Path(path) if path is not None else DEFAULT_MODEL
        model = cls._open_crfsuite(target, backend) if backend != "python" else None
        if model is None and not target.exists():
            if path is not None:
                raise FileNotFoundError(target)
            log.warning("NER model %s is missing: statistical NER is disabled", target)
            model = cls(LABELS, [[0.0] * len(LABELS)] * len(LABELS), {}, {"empty": True})
        elif model is None:
            with gzip.open(target, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("format") != MODEL_FORMAT:
                raise ValueError(f"{target}: not a {MODEL_FORMAT} model")
            model = cls(data["labels"], data["transitions"], data["state"], data.get("meta"), target)
            log.debug("NER model %s: %d attributes, plain-Python decoder", target, len(model._state))
        if model.available:
            cluster_table()  # the features' resources are loaded with the model, not on the first token
        if path is None:
            _DEFAULT[backend] = model
        return model

    @classmethod
    def _open_crfsuite(cls, target: Path, backend: str) -> NerModel | None:
        """The model decoded by CRFsuite's tagger, or None (``auto``) when that is not possible."""
        crf, meta_file = crfsuite_path(target), meta_path(target)
        try:
            import pycrfsuite
        except ImportError:
            if backend == "crfsuite":
                raise
            log.info("python-crfsuite is not installed: NER uses the plain-Python decoder")
            return None
        if not (crf.exists() and meta_file.exists()):
            if backend == "crfsuite":
                raise FileNotFoundError(crf if not crf.exists() else meta_file)
            return None
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        tagger = pycrfsuite.Tagger()
        tagger.open(str(crf))
        labels = sorted(tagger.labels(), key=lambda x: (x != "O", x))
        model = cls(labels, [[0.0] * len(labels)] * len(labels), {}, meta.get("meta"), target, tagger=tagger)
        if target.exists():
            # the JSON twin holds the same weights: its attributes are the ones the tagger knows
            with gzip.open(target, "rt", encoding="utf-8") as fh:
                # (featurize never makes an empty attribute: leaving it out lets filter(None) drop misses)
                model._known = {a: a.encode("utf-8") for a in json.load(fh)["state"] if a}
        log.debug("NER model %s: CRFsuite tagger", crf)
        return model

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_tagger"] = None if self._tagger is None else True  # reopened from the file
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        reopen = state.pop("_tagger")
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._tagger = None
        if reopen:
            import pycrfsuite

            self._tagger = pycrfsuite.Tagger()
            assert self.path is not None
            self._tagger.open(str(crfsuite_path(self.path)))

    @property
    def backend(self) -> str:
        """``"crfsuite"`` (compiled tagger), ``"python"`` (plain-Python Viterbi) or ``"none"`` (no model)."""
        return "crfsuite" if self._tagger is not None else ("python" if self._state else "none")

    @classmethod
    def from_crfsuite(cls, crf_path: Path | str, meta: dict[str, Any] | None = None) -> NerModel:
        """Build from a CRFsuite model file (needs python-crfsuite; used by the build)."""
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(crf_path))
        info = tagger.info()
        labels = sorted(info.labels, key=lambda x: (x != "O", x))
        idx = {lab: i for i, lab in enumerate(labels)}
        trans = [[0.0] * len(labels) for _ in labels]
        for (a, b), w in info.transitions.items():
            trans[idx[a]][idx[b]] = w
        state: dict[str, list[list[float]]] = {}
        for (attr, lab), w in info.state_features.items():
            state.setdefault(attr, []).append([idx[lab], w])
        tagger.close()
        return cls(labels, trans, state, meta)

    def save(self, path: Path | str) -> None:
        """Write the weights as gzipped JSON and the metadata beside it (``*.meta.json``).

        Deterministic: sorted attributes, fixed precision, no timestamps.
        """
        state = {a: [[j, round(w, 6)] for j, w in sp] for a, sp in sorted(self._state.items())}
        trans = [[round(self._tcol[j][k], 6) for j in range(len(self.labels))]
                 for k in range(len(self.labels))]
        data = {"format": MODEL_FORMAT, "labels": self.labels, "transitions": trans, "state": state,
                "meta": self.meta}
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with open(path, "wb") as fh, gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:
            gz.write(raw)
        meta_path(path).write_text(json.dumps({"format": MODEL_FORMAT, "labels": self.labels,
                                               "meta": self.meta},
                                              ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")

    # -- tagging --------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """True when real weights are loaded (not the all-``O`` fallback)."""
        return bool(self._state) or self._tagger is not None

    def _sum(self, attrs: Iterable[str]) -> list[float]:
        acc = list(self._zero)
        get = self._state.get
        for a in attrs:
            sp = get(a)
            if sp:
                for j, w in sp:
                    acc[j] += w
        return acc

    def _vectors(self, token: str) -> tuple[Any, ...]:
        """Weight sums of the token's feature groups (own, as -1, +1, -2, +2) and its normalised form."""
        v = self._cache.get(token)
        if v is None:
            info = token_features(token)
            v = (*(self._sum(info[k]) for k in range(5)), info[6])
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[token] = v
        return v

    def _lexicon_rows(self, tokens: Sequence[str], lexicon: Lexicon) -> list[list[float] | None] | None:
        """Score contributions of the lexicon features per position (None where there are none).

        Sums the same features as :func:`lexicon_features`: single-token hits as cached weight
        vectors (own, as -1, as +1; cached for the shipped lexicon), word-pair hits directly.
        """
        cache = self._lex_cache if lexicon is self.lexicon else None
        n = len(tokens)
        unary: list[tuple[Any, ...]] = []
        for t in tokens:
            e = cache.get(t) if cache is not None else None
            if e is None:
                key = normalise_key(t)
                attrs = lexicon_unary(key, token_features(t)[5], lexicon)
                vecs = (self._sum(attrs), self._sum("-1" + a for a in attrs),
                        self._sum("+1" + a for a in attrs)) if attrs else None
                e = (vecs, key)
                if cache is not None:
                    if len(cache) >= CACHE_MAX:
                        cache.clear()
                    cache[t] = e
            unary.append(e)
        pairs: list[list[str]] = [[] for _ in range(n)]
        any_pair = False
        for i in range(n - 1):
            k1, k2 = unary[i][1], unary[i + 1][1]
            if k1 and k2:
                cat = lexicon(k1 + " " + k2)
                if cat:
                    pairs[i].append("lbB=" + cat)
                    pairs[i + 1].append("lbI=" + cat)
                    any_pair = True
        if not any_pair and all(u[0] is None for u in unary):
            return None
        rows: list[list[float] | None] = []
        for i in range(n):
            parts = []
            if unary[i][0] is not None:
                parts.append(unary[i][0][0])
            if i >= 1 and unary[i - 1][0] is not None:
                parts.append(unary[i - 1][0][1])
            if i + 1 < n and unary[i + 1][0] is not None:
                parts.append(unary[i + 1][0][2])
            if any_pair:
                attrs = list(pairs[i])
                if i >= 1:
                    attrs.extend("-1" + x for x in pairs[i - 1])
                if i + 1 < n:
                    attrs.extend("+1" + x for x in pairs[i + 1])
                if attrs:
                    parts.append(self._sum(attrs))
            rows.append([sum(c) for c in zip(*parts, strict=True)] if parts else None)
        return rows

    def scores(self, tokens: Sequence[str], lexicon: Lexicon | None = None) -> list[list[float]]:
        """Per-token label scores (sum of state-feature weights), the same as CRFsuite's."""
        n = len(tokens)
        vecs = [self._vectors(t) for t in tokens]
        zero, bos, eos = self._zero, self._bos, self._eos
        get = self._state.get
        norms = [v[5] for v in vecs]
        lex = self._lexicon_rows(tokens, lexicon) if lexicon is not None else None
        out: list[list[float]] = []
        for i in range(n):
            row = [a + b + c + d + e for a, b, c, d, e in zip(
                vecs[i][0],
                vecs[i - 1][1] if i >= 1 else bos,
                vecs[i + 1][2] if i + 1 < n else eos,
                vecs[i - 2][3] if i >= 2 else zero,
                vecs[i + 2][4] if i + 2 < n else zero,
                strict=True,
            )]
            if i >= 1:
                sp = get("w-1w0=" + norms[i - 1] + "|" + norms[i])
                if sp:
                    for j, w in sp:
                        row[j] += w
            if lex is not None and lex[i] is not None:
                row = list(map(add, row, lex[i]))
            out.append(row)
        return out

    def tag(self, tokens: Sequence[str], lexicon: Lexicon | None = None) -> list[str]:
        """IOB2 tags (``B-PERS``, ``I-LOC``, ``O`` ...) for one sentence of tokens.

        ``lexicon`` (e.g. the pipeline's gazetteer membership) is consulted before the shipped
        one; both are ignored by a model trained without lexicon features.
        """
        if not tokens:
            return []
        lex = combine_lexicons(lexicon, self.lexicon) if self.uses_lexicon else None
        if self._tagger is not None:
            # single-token lexicon hits are cached per token when only the shipped lexicon is asked
            cache = self._feat_cache if lexicon is None else None
            xseq = featurize(tokens, lex, cache) if self._known is None else \
                self._crfsuite_features(tokens, lex, cache)
            with self._lock:
                return to_iob2(self._tagger.tag(xseq))
        if not self._state:
            return ["O"] * len(tokens)
        emis = self.scores(tokens, lex)
        # forward pass keeps only the scores; back-pointers are recomputed along the best path
        tcol = self._tcol
        labs = range(len(self.labels))
        deltas = [emis[0]]
        delta = emis[0]
        for e in emis[1:]:
            delta = [max(map(add, delta, tcol[j])) + e[j] for j in labs]
            deltas.append(delta)
        j = delta.index(max(delta))
        path = [j]
        for i in range(len(emis) - 1, 0, -1):
            cand = list(map(add, deltas[i - 1], tcol[j]))
            j = cand.index(max(cand))
            path.append(j)
        path.reverse()
        return to_iob2([self.labels[j] for j in path])

    def _crfsuite_features(self, tokens: Sequence[str], lexicon: Lexicon | None,
                           lexicon_cache: dict | None) -> list[tuple[bytes, ...]]:
        """:func:`featurize`'s features, in its order, keeping only the attributes the model knows,
        as UTF-8 bytes: CRFsuite ignores unknown attributes, so its tags are the same."""
        known = self._known
        assert known is not None
        lookup = known.get
        cache = self._known_cache
        info = []
        for t in tokens:
            v = cache.get(t)
            if v is None:
                groups = token_features(t)
                v = (*(tuple(filter(None, map(lookup, g))) for g in groups[:5]), groups[5], groups[6])
                if len(cache) >= CACHE_MAX:
                    cache.clear()
                cache[t] = v
            info.append(v)
        lex = None
        if lexicon is not None:
            lex = [list(filter(None, map(lookup, f)))
                   for f in lexicon_features(tokens, [x[5] for x in info], lexicon, lexicon_cache)]

        def bigram(pair: str) -> tuple[bytes, ...]:
            b = lookup("w-1w0=" + pair)
            return () if b is None else (b,)

        edges = self._known_edges
        if edges is None:  # the sentence-edge attributes the model knows, once per model
            edges = self._known_edges = (tuple(filter(None, map(lookup, BOS_FEATURES))),
                                         tuple(filter(None, map(lookup, EOS_FEATURES))))
        return assemble(info, lex, bigram, *edges)

    def tag_sentences(self, sentences: Iterable[Sequence[str]], lexicon: Lexicon | None = None,
                      consistency: bool = True) -> list[list[str]]:
        """:meth:`tag` over the sentences of a document (or of a CoNLL file, in order).

        With ``consistency`` (the default), names tagged in one sentence are also tagged where
        they recur untagged within :data:`CONSISTENCY_WINDOW` sentences (:func:`propagate`).
        """
        sents = [list(s) for s in sentences]
        tags = [self.tag(s, lexicon) for s in sents]
        return propagate(sents, tags) if consistency and self.available else tags


def _name_key(token: str) -> str:
    return token_features(token)[6]


def propagate(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
              window: int = CONSISTENCY_WINDOW) -> list[list[str]]:
    """Label consistency across a document: tag untagged recurrences of the names found nearby.

    Every entity tagged in the sentences within ``window`` of a sentence (its normalised words,
    glued punctuation ignored; single words of fewer than 3 letters excepted) is looked for in
    it; where all its tokens are ``O`` it is tagged with the type it was given most often
    there. Longer names first. Returns new IOB2 tag lists.
    """
    n = len(sentences)
    keys = [[_name_key(t) for t in s] for s in sentences]
    ents: list[list[tuple[tuple[str, ...], str]]] = []
    for k, tg in zip(keys, tags, strict=True):
        found = []
        for a, b, typ in spans_of(tg):
            key = tuple(k[a:b])
            if all(key) and (b - a > 1 or len(key[0]) >= 3):
                found.append((key, typ))
        ents.append(found)
    pool: dict[tuple[str, ...], dict[str, int]] = {}
    by_first: dict[str, set[tuple[str, ...]]] = {}

    def add(i: int, step: int) -> None:
        for key, typ in ents[i]:
            c = pool.setdefault(key, {})
            c[typ] = c.get(typ, 0) + step
            if c[typ] <= 0:
                del c[typ]
            if c:
                by_first.setdefault(key[0], set()).add(key)
            else:
                del pool[key]
                by_first[key[0]].discard(key)

    for i in range(min(n, window + 1)):
        add(i, 1)
    out: list[list[str]] = []
    for i in range(n):
        if i - window - 1 >= 0:
            add(i - window - 1, -1)
        if i > 0 and i + window < n:
            add(i + window, 1)
        cur = list(tags[i])
        k = keys[i]
        for a in range(len(k)):
            if cur[a] != "O" or not by_first.get(k[a]):
                continue
            for key in sorted(by_first[k[a]], key=lambda x: (-len(x), x)):
                b = a + len(key)
                if tuple(k[a:b]) == key and all(t == "O" for t in cur[a:b]):
                    counts = pool[key]
                    typ = max(sorted(counts), key=counts.__getitem__)
                    cur[a] = "B-" + typ
                    for j in range(a + 1, b):
                        cur[j] = "I-" + typ
                    break
        out.append(cur)
    return out


def find_entities(analysis: Analysis, model: NerModel | None = None,
                  lexicon: Lexicon | None = None) -> list[Mention]:
    """Pipeline stage: NER mentions over ``analysis.tokens``, tagged sentence by sentence.

    The document's sentences are tagged together (:meth:`NerModel.tag_sentences`: names carry
    over between sentences). ``lexicon`` (e.g. the pipeline's gazetteer or actor membership)
    is consulted before the shipped one. Each mention spans its first to last token in the
    original text; ``value`` is the type.
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
    all_tags = model.tag_sentences([[t.text for t in toks] for toks in groups], lexicon)
    for toks, tags in zip(groups, all_tags, strict=True):
        for s, e, typ in spans_of(tags):
            first, last = toks[s], toks[e - 1]
            mentions.append(Mention(MentionKind.NER, Span.of(text, first.start, last.end), typ,
                                    sent=first.sent))
    return mentions
