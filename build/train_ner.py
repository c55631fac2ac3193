"""Train marsad's Arabic NER model (CRF, PERS/LOC/ORG/MISC) from the gold in ../shared/ner.

Data (all read from ``$MARSAD_SHARED`` or ``../shared`` beside the repository):

- ANERcorp, original single file (IOB2, B-PERS/B-LOC/B-ORG/B-MISC, no sentence breaks: we split
  after ``. ! ? ؟``). Its CAMeL Lab test split (``ANERCorp_CamelLab_test.txt``) is THE test set
  and is never trained on: every training sentence equal to a test sentence after normalisation,
  or sharing at least half of its 24-character shingles with the test set, is removed (and
  counted), with the sentences between two such hits and the whole leaking tail of ANERcorp.
- WikiFANE / NewsFANE (fine ACE-style classes → coarse, see ``FANE_MAP``). NewsFANE re-annotates
  the ANERcorp text, so it goes through the same leakage filter (off by default: it duplicates
  ANERcorp's training text with a different annotation convention).
- Wojood sample (nested, 21 types → coarse via ``WOJOOD_MAP``, outermost kept spans win).

A dev split (the last 10% of the ANERcorp training sentences, contiguous) is used for tuning
c1/c2 and choosing corpora (``--mode dev``); ``--mode final`` trains on everything allowed,
writes ``src/marsad/data/ner_crf.json.gz`` (and rebuilds ``ner_lexicon.tsv``), checks that the
pure-Python decoder gives CRFsuite's tags, then reports test-set scores (reporting only, never
used for choices). CRFsuite's L-BFGS training is deterministic; ``SEED`` is recorded.

    .venv/bin/python build/train_ner.py                      # the shipped model (aner, lexicon on)
    .venv/bin/python build/train_ner.py --mode dev --grid "0.05/0.01,0.01/0.01"
    .venv/bin/python build/train_ner.py --mode dev --corpora aner,wikifane,wojood --no-lexicon
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import random
import re
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.recognise.ner import DEFAULT_MODEL, NerModel, crfsuite_path  # noqa: E402
from marsad.recognise.ner_conll import read_conll  # noqa: E402
from marsad.recognise.ner_features import (  # noqa: E402
    DEFAULT_CLUSTERS,
    DEFAULT_LEXICON,
    Lexicon,
    featurize,
    load_lexicon,
    use_clusters,
)
from marsad.recognise.ner_scoring import format_scores, score_spans, spans_of, to_iob2  # noqa: E402
from marsad.text.normalise import normalise_key  # noqa: E402

log = logging.getLogger("train_ner")

Sentence = list[tuple[str, str]]  # (token, IOB2 tag)

SEED = 20261125
SHINGLE = 24  # characters, about four words
OVERLAP_THRESHOLD = 0.5
GAP = 10  # sentences between two leaks that are removed with them
SENT_END = {".", "!", "?", "؟"}

# FANE fine class → coarse (None = not an entity in ANERcorp's convention).
FANE_MAP: dict[str, str | None] = {
    **dict.fromkeys(
        ["Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist", "Businessperson",
         "Lawyer", "Engineer", "Police"], "PERS"),
    "Group": None,  # nationalities / peoples ("العرب", "الاكراد"): O in ANERcorp
    **dict.fromkeys(
        ["Government", "Non-Governmental", "Commercial", "Educational", "Media", "Religious_ORG", "Sports",
         "Entertainment", "Medical-Science"], "ORG"),
    **dict.fromkeys(
        ["Nation", "Population-Center", "State-or-Province", "County-or-District", "Continent", "GPE-Cluster",
         "Water-Body", "Land-Region-Natural", "Celestial", "Building-Grounds", "Airport", "Path",
         "Subarea-Facility", "Plant"], "LOC"),
    **dict.fromkeys(["Book", "Movie", "Sound", "Software", "Hardware", "Food", "Drug"], "MISC"),
    # vehicles (Air, Land, Water) and weapons (Projectile, Shooting, Blunt, Exploding, Nuclear,
    # Chemical, Sharp) are not ANERcorp entities
}

WOJOOD_MAP: dict[str, str | None] = {
    "PERS": "PERS", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "CURR": "MISC", "PRODUCT": "MISC", "LANGUAGE": "MISC",
    # OCC, DATE, TIME, CARDINAL, ORDINAL, PERCENT, QUANTITY, UNIT, MONEY, LAW, WEBSITE → O
}


def shared_dir() -> Path:
    """Where the shared data lives: ``$MARSAD_SHARED`` or ``../shared`` beside the repo."""
    return Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))


# ------------------------------------------------------------------------------------------------
# readers
# ------------------------------------------------------------------------------------------------


def read_anercorp_original(path: Path) -> list[Sentence]:
    """The original ANERcorp file ("token TAG" lines, no sentence breaks), split into sentences.

    Empty tokens are dropped; a token containing a space is split (the tag continues as I-).
    """
    sents: list[Sentence] = []
    cur: Sentence = []
    with open(path, encoding="utf-8-sig") as fh:
        for raw in fh:
            parts = raw.rstrip("\r\n").rsplit(None, 1)
            if len(parts) != 2:
                continue
            text, tag = parts
            words = text.split()
            for j, w in enumerate(words):
                t = tag if j == 0 or tag == "O" else "I-" + tag[2:]
                cur.append((w, t))
            if text.strip() in SENT_END and cur:
                sents.append(cur)
                cur = []
    if cur:
        sents.append(cur)
    return [_iob2(s) for s in sents]


def _iob2(sent: Sentence) -> Sentence:
    tags = to_iob2([t for _, t in sent])
    return [(w, t) for (w, _), t in zip(sent, tags, strict=True)]


def _rebuild(tokens: Sequence[str], spans: Iterable[tuple[int, int, str]]) -> Sentence:
    tags = ["O"] * len(tokens)
    for s, e, t in spans:
        tags[s] = "B-" + t
        for j in range(s + 1, e):
            tags[j] = "I-" + t
    return list(zip(tokens, tags, strict=True))


def read_test(path: Path | None = None) -> list[Sentence]:
    """The CAMeL Lab ANERcorp test split (IOB2 already)."""
    path = path or shared_dir() / "ner/anercorp/ANERCorp_CamelLab_test.txt"
    return [_iob2(s) for s in read_conll(path)]


def read_fane(path: Path) -> list[Sentence]:
    """NewsFANE/WikiFANE with fine classes mapped to PERS/LOC/ORG/MISC (unmapped → O)."""
    out: list[Sentence] = []
    for sent in read_conll(path):
        tokens = [t.strip() for t, _ in sent]
        spans = [(s, e, FANE_MAP.get(t)) for s, e, t in spans_of([g for _, g in sent])]
        out.append(_rebuild(tokens, [(s, e, t) for s, e, t in spans if t]))
    return out


def read_wojood(path: Path) -> list[Sentence]:
    """Wojood nested NER flattened: every layer's spans mapped, then longest non-overlapping kept."""
    out: list[Sentence] = []
    with open(path, encoding="utf-8") as fh:
        block: list[list[str]] = []
        for raw in [*fh, ""]:
            cols = raw.split()
            if cols:
                block.append(cols)
                continue
            if not block:
                continue
            tokens = [c[0] for c in block]
            # the column order of nested tags is not stable, so read each type separately:
            # B-X/I-X of the same type anywhere in the token's tag list
            cands: list[tuple[int, int, str]] = []
            types = {t[2:] for c in block for t in c[1:] if len(t) > 2}
            for typ in types:
                seq = []
                for c in block:
                    tags = c[1:]
                    if "B-" + typ in tags:
                        seq.append("B-" + typ)
                    elif "I-" + typ in tags:
                        seq.append("I-" + typ)
                    else:
                        seq.append("O")
                for s, e, t in spans_of(seq):
                    mapped = WOJOOD_MAP.get(t)
                    if mapped:
                        cands.append((s, e, mapped))
            cands.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
            used = [False] * len(tokens)
            kept = []
            for s, e, t in cands:
                if not any(used[s:e]):
                    kept.append((s, e, t))
                    for j in range(s, e):
                        used[j] = True
            out.append(_rebuild(tokens, kept))
            block = []
    # "$#$" is Wojood's paragraph marker, not text
    return [[(w, t) for w, t in s if w != "$#$"] for s in out if any(w != "$#$" for w, _ in s)]


# ------------------------------------------------------------------------------------------------
# leakage control
# ------------------------------------------------------------------------------------------------


def _loose(token: str) -> str:
    """A token key that ignores spelling variants and punctuation (for duplicate detection)."""
    return "".join(c for c in normalise_key(token).lower() if c.isalnum())


def sentence_key(tokens: Sequence[str]) -> str:
    """A sentence's normalised key: loose token keys, punctuation-only tokens dropped."""
    return " ".join(k for k in (_loose(t) for t in tokens) if k)


def shingles(tokens: Sequence[str], n: int = SHINGLE) -> set[str]:
    """Character n-grams of the sentence's letters with spaces and punctuation removed.

    Independent of tokenisation (NewsFANE splits pronoun clitics, ANERcorp does not) and of
    sentence segmentation.
    """
    chars = "".join(_loose(t) for t in tokens)
    return {chars[i:i + n] for i in range(len(chars) - n + 1)}


class LeakageFilter:
    """Detects training sentences that are (near) copies of test sentences."""

    def __init__(self, test: Sequence[Sentence], n: int = SHINGLE,
                 threshold: float = OVERLAP_THRESHOLD) -> None:
        self.n = n
        self.threshold = threshold
        self.keys = {sentence_key([w for w, _ in s]) for s in test}
        self.keys.discard("")
        self.grams: set[str] = set()
        for s in test:
            self.grams |= shingles([w for w, _ in s], n)

    def overlap(self, tokens: Sequence[str]) -> float:
        """Share of the sentence's character shingles found in the test set (0 for short sentences)."""
        g = shingles(tokens, self.n)
        return len(g & self.grams) / len(g) if g else 0.0

    def leaks(self, tokens: Sequence[str]) -> bool:
        key = sentence_key(tokens)
        return (bool(key) and key in self.keys) or self.overlap(tokens) >= self.threshold

    def split(self, sents: Sequence[Sentence], gap: int = GAP) -> tuple[list[Sentence], list[int]]:
        """Kept sentences and the indices of the removed ones.

        A sentence lying between two leaking sentences at most ``gap`` apart is removed too: it is
        test-region text that the test split segmented or cleaned differently.
        """
        hits = [i for i, s in enumerate(sents) if self.leaks([w for w, _ in s])]
        gone = set(hits)
        for a, b in zip(hits, hits[1:], strict=False):
            if b - a <= gap:
                gone.update(range(a + 1, b))
        removed = sorted(gone)
        return [s for i, s in enumerate(sents) if i not in gone], removed


def _leaking_tail(n: int, removed: Sequence[int], gap: int = GAP) -> int | None:
    """Start of the last run of removed sentences, when that run reaches the end of the file."""
    if not removed or removed[-1] < n - 1 - gap:
        return None
    start = removed[-1]
    for i in reversed(removed[:-1]):
        if i != start - 1:
            break
        start = i
    return start


def load_training(corpora: Sequence[str],
                  test: Sequence[Sentence] | None = None) -> dict[str, list[Sentence]]:
    """Training sentences per corpus, leakage-filtered against the test set (counts logged)."""
    root = shared_dir() / "ner"
    test = test if test is not None else read_test()
    filt = LeakageFilter(test)
    readers = {
        "aner": lambda: read_anercorp_original(root / "anercorp/ANERCorp_Benajiba_HassanAzzam.txt"),
        "newsfane": lambda: read_fane(root / "fane_gold/NewsFANE_Gold_2014_170K.txt"),
        "wikifane": lambda: read_fane(root / "fane_gold/WikiFANE_Gold_2014_500K.txt"),
        "wojood": lambda: [s for f in ("train", "val", "test")
                           for s in read_wojood(root / f"wojood_sample/{f}.txt")],
    }
    out: dict[str, list[Sentence]] = {}
    for name in corpora:
        sents = readers[name]()
        kept, removed = filt.split(sents)
        cut = _leaking_tail(len(sents), removed) if name == "aner" else None
        if cut is not None:
            # the CAMeL test split is the tail of the original file: drop the whole tail, so that
            # no sentence between two test sentences (e.g. split differently) survives there
            gone = set(removed)
            extra = [i for i in range(cut, len(sents)) if i not in gone]
            kept = [s for i, s in enumerate(sents) if i < cut and i not in gone]
            log.info("aner: tail from sentence %d of %d dropped (%d more non-matching sentences)",
                     cut, len(sents), len(extra))
            removed = sorted(gone | set(extra))
        log.info("%s: %d sentences, %d removed as test duplicates/near-duplicates, %d kept (%d tokens)",
                 name, len(sents), len(removed), len(kept), sum(len(s) for s in kept))
        out[name] = kept
    return out


def project_misc(aner: Sequence[Sentence], others: Sequence[Sentence], min_count: int = 3,
                 min_share: float = 0.5) -> tuple[list[Sentence], int]:
    """Tag ANERcorp-style MISC words (currencies, religions, prizes ...) in corpora that lack MISC.

    Words that ANERcorp's training part tags as a one-word MISC at least ``min_share`` of the time
    (and ``min_count`` times) become ``B-MISC`` where another corpus has them as ``O``.
    """
    counts: dict[str, list[int]] = {}
    for s in aner:
        tags = [t for _, t in s]
        single = {a for a, b, t in spans_of(tags) if t == "MISC" and b - a == 1}
        for i, (w, _) in enumerate(s):
            c = counts.setdefault(normalise_key(w), [0, 0])
            c[0] += i in single
            c[1] += 1
    misc = {k for k, (m, n) in counts.items() if m >= min_count and m >= min_share * n}
    out, changed = [], 0
    for s in others:
        new = []
        for i, (w, t) in enumerate(s):
            nxt = s[i + 1][1] if i + 1 < len(s) else "O"
            if t == "O" and normalise_key(w) in misc and not nxt.startswith("I-"):
                t = "B-MISC"
                changed += 1
            new.append((w, t))
        out.append(new)
    log.info("MISC projection: %d words from ANERcorp, %d tokens retagged in other corpora",
             len(misc), changed)
    return out, changed


def dev_split(sents: Sequence[Sentence], share: float = 0.1) -> tuple[list[Sentence], list[Sentence]]:
    """(train, dev): dev is the last ``share`` of the ANERcorp training sentences.

    Contiguous, so that dev articles (and most of their names) are unseen in training, as the
    test articles are: random sentence blocks gave dev scores 15 points above test.
    """
    cut = round(len(sents) * (1 - share))
    return list(sents[:cut]), list(sents[cut:])


# ------------------------------------------------------------------------------------------------
# place lexicon (external: GeoNames; never derived from the test set)
# ------------------------------------------------------------------------------------------------

# Arabic names of states and regions as news writes them (our own list; GeoNames' Arabic country
# names are sometimes archaic, e.g. Syria as "الشام")
STATES_AR = ["سوريا", "سورية", "العراق", "لبنان", "الأردن", "فلسطين", "إسرائيل", "مصر", "ليبيا", "تونس",
             "الجزائر", "المغرب", "موريتانيا", "السودان", "الصومال", "جيبوتي", "اليمن", "السعودية", "الكويت",
             "قطر", "البحرين", "الإمارات", "عمان", "إيران", "تركيا", "أفغانستان", "باكستان", "الهند", "الصين",
             "روسيا", "أوكرانيا", "فرنسا", "ألمانيا", "بريطانيا", "إيطاليا", "إسبانيا", "اليونان", "قبرص",
             "أمريكا", "أميركا", "واشنطن", "كندا", "المكسيك", "البرازيل", "الأرجنتين", "اليابان", "كوريا",
             "إثيوبيا", "إريتريا", "كينيا", "نيجيريا", "مالي", "النيجر", "تشاد", "أوروبا", "آسيا", "أفريقيا",
             "إفريقيا", "غزة", "الضفة", "سيناء", "كردستان", "دارفور"] + [
               "الولايات المتحدة", "المملكة المتحدة", "الضفة الغربية", "قطاع غزة", "جنوب السودان",
               "الشرق الأوسط", "شمال أفريقيا", "كوريا الشمالية", "كوريا الجنوبية"]

_ARABIC = re.compile("^[\u0621-\u064a ]+$")


def _place_names() -> set[str]:
    """Arabic names of countries and cities15000 places in GeoNames, plus ``STATES_AR``."""
    geo = shared_dir() / "geonames"
    names: set[str] = set(STATES_AR)
    for entry in json.loads((geo / "country_translations.json").read_text(encoding="utf-8")).values():
        if entry.get("ar"):
            names.add(entry["ar"])
    with zipfile.ZipFile(geo / "cities15000.zip") as zf, zf.open("cities15000.txt") as fh:
        for line in io.TextIOWrapper(fh, encoding="utf-8"):
            cols = line.rstrip("\n").split("\t")
            names.update(a for a in cols[3].split(",") if a)
    return names


def _wikifane_names(min_count: int = 2, min_share: float = 0.6) -> dict[str, str]:
    """Name words and two-word names from WikiFANE (Wikipedia text, independent of the test set).

    A word (or word pair that is a whole entity) gets the coarse type it most often has, when
    it is inside an entity at least ``min_share`` of the times it occurs and ``min_count`` times.
    """
    counts: dict[str, dict[str, int]] = {}
    for sent in read_fane(shared_dir() / "ner/fane_gold/WikiFANE_Gold_2014_500K.txt"):
        tags = [t for _, t in sent]
        keys = [normalise_key(w) for w, _ in sent]
        for k, t in zip(keys, tags, strict=True):
            c = counts.setdefault(k, {})
            typ = t[2:] if t != "O" else "O"
            c[typ] = c.get(typ, 0) + 1
        for s, e, t in spans_of(tags):
            if e - s == 2:
                c = counts.setdefault(keys[s] + " " + keys[s + 1], {})
                c[t] = c.get(t, 0) + 1
    out: dict[str, str] = {}
    for key, c in counts.items():
        if not _ARABIC.match(key) or len(key) < 2:
            continue
        typ, n = max(((t, n) for t, n in c.items() if t != "O"), key=lambda x: (x[1], x[0]), default=("", 0))
        if typ and n >= min_count and n >= min_share * sum(c.values()):
            out[key] = typ
    return out


_TOWN_FEATURES = {"country", "admin1", "admin2", "admin3", "city", "region"}
# actor-dictionary kinds → lexicon category (armed and state actors, state names, civilians)
_ACTOR_KINDS = {
    **dict.fromkeys(["state_military", "state_police", "militia", "militia_generic", "rebel", "rebel_generic",
                     "coalition", "external", "government", "unidentified"], "ACTOR"),
    "state_name": "PLACE",
    **dict.fromkeys(["civilians", "people", "protesters", "rioters"], "GROUP"),
}


def _gazetteer_names() -> dict[str, str]:
    """Towns, areas and states of the project's gazetteer (``src/marsad/data``) → ``PLACE``.

    Villages, neighbourhoods and sites are left out: their names are often personal names or
    common words (measured on dev: with them as ``VILLAGE``, micro F1 fell by 1.3 points).
    """
    from marsad.geo.gazetteer import Gazetteer

    gaz = Gazetteer.load()
    out: dict[str, str] = {}
    for key in gaz.keys():  # noqa: SIM118 (a gazetteer, not a dict)
        places = gaz.lookup(key)
        if any(p.feature in _TOWN_FEATURES for p in places):
            out[key] = "PLACE"
    return out


def _actor_names() -> dict[str, str]:
    """Keys of the project's actor dictionary (``actors.tsv``) → ``ACTOR`` / ``PLACE`` / ``GROUP``."""
    from marsad.recognise.actors import ActorLexicon

    lex = ActorLexicon.load()
    return {k: cat for k, eid in lex.keys.items() if (cat := _ACTOR_KINDS.get(lex.entries[eid].kind))}


def build_lexicon(out: Path = DEFAULT_LEXICON,
                  sources: Sequence[str] = ("gazetteer", "wikifane", "actors", "geonames")) -> int:
    """Write the shipped lexicon: place names (GeoNames, the project's gazetteer), actor-dictionary
    keys and WikiFANE name words.

    Keys are ``normalise_key``-ed words or word pairs (the feature hook looks words and word
    pairs up; longer keys are never looked up and are left out). Later sources win: WikiFANE
    names (``PERS``/``LOC``/``ORG``/``MISC``) < actors (``ACTOR``, ``GROUP``) < towns, areas and
    states (``PLACE``: the gazetteer, then GeoNames). Nothing comes from
    ANERcorp or its test split. Returns the number of keys.
    """
    table: dict[str, str] = {}

    def put(entries: dict[str, str]) -> None:
        for key, cat in entries.items():
            k = normalise_key(key)
            if _ARABIC.match(k) and len(k) >= 3 and len(k.split()) <= 2:
                table[k] = cat

    if "wikifane" in sources:
        table.update(_wikifane_names())
    if "actors" in sources:
        put(_actor_names())
    if "gazetteer" in sources:
        put(_gazetteer_names())
    if "geonames" in sources:
        put(dict.fromkeys(_place_names(), "PLACE"))
    out.write_text("".join(f"{k}\t{v}\n" for k, v in sorted(table.items())), encoding="utf-8")
    kinds: dict[str, int] = {}
    for v in table.values():
        kinds[v] = kinds.get(v, 0) + 1
    log.info("lexicon: %d keys %s written to %s", len(table), kinds, out)
    return len(table)


# ------------------------------------------------------------------------------------------------
# word clusters (distributional features learned from unlabelled text; never from the test split)
# ------------------------------------------------------------------------------------------------

CLUSTER_KS = (64, 256, 1024, 4096)
_RAW_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_RAW_SENT = re.compile(r"(?<=[.!?؟])\s+|\n+")


def raw_tokens(text: str) -> list[str]:
    """Normalised tokens of raw text as the features key them (punctuation split off, hashtags opened)."""
    return _RAW_TOKEN.findall(normalise_key(text.replace("_", " ").replace("#", " ")).lower())


def cluster_corpus(path: Path, test: Sequence[Sentence]) -> int:
    """Write the unlabelled text for the embeddings, one normalised sentence a line; returns tokens.

    The news corpora in ``../shared/corpus`` (title and text), then the token text of the NER
    training corpora as :func:`load_training` keeps them. Every sentence that the leakage filter
    matches with the test split is left out, so no test text shapes the clusters.
    """
    import gzip

    filt = LeakageFilter(test)
    n_tok = dropped = 0
    with open(path, "w", encoding="utf-8") as out:
        for name in ("ant-me-2018.jsonl.gz", "saudinewsnet-conflict-2015.jsonl.gz"):
            with gzip.open(shared_dir() / "corpus" / name, "rt", encoding="utf-8") as fh:
                for line in fh:
                    doc = json.loads(line)
                    for chunk in _RAW_SENT.split((doc.get("title") or "") + "\n" + doc.get("text", "")):
                        toks = raw_tokens(chunk)
                        if len(toks) < 3:
                            continue
                        if filt.leaks(toks):
                            dropped += 1
                            continue
                        out.write(" ".join(toks) + "\n")
                        n_tok += len(toks)
        for sents in load_training(["aner", "newsfane", "wikifane", "wojood"], test).values():
            for sent in sents:
                toks = [k for w, _ in sent for k in raw_tokens(w)]
                out.write(" ".join(toks) + "\n")
                n_tok += len(toks)
    log.info("cluster corpus: %d tokens (%d news sentences left out as test-like) in %s",
             n_tok, dropped, path)
    return n_tok


def _crc32(text: str) -> int:
    """A stable string hash for gensim's vector initialisation (Python's ``hash`` is salted)."""
    return zlib.crc32(text.encode("utf-8"))


def spherical_kmeans(vectors, k: int, iterations: int = 25):  # numpy arrays in and out
    """Cluster unit vectors by cosine; the first ``k`` rows (the most frequent words) seed it."""
    import numpy as np

    x = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)
    x = x.astype(np.float32)
    centres = x[:k].copy()
    assign = np.zeros(len(x), dtype=np.int32)
    for _ in range(iterations):
        for i in range(0, len(x), 20000):
            assign[i:i + 20000] = (x[i:i + 20000] @ centres.T).argmax(1)
        for j in range(k):
            members = x[assign == j]
            if len(members):
                c = members.sum(0)
                centres[j] = c / max(float(np.linalg.norm(c)), 1e-9)
    return assign


def build_clusters(out: Path = DEFAULT_CLUSTERS, ks: Sequence[int] = CLUSTER_KS, dim: int = 100,
                   window: int = 3, min_count: int = 3, epochs: int = 5) -> int:
    """Train skip-gram word vectors (gensim, one thread, seeded) on :func:`cluster_corpus`, cluster
    them with spherical k-means at several granularities, and write ``key<TAB>id...`` (gzipped).

    Needs gensim and numpy (``pip install -e .[ner-build]``); deterministic. Returns the number of words.
    """
    import gzip

    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        cluster_corpus(corpus, read_test())
        t0 = time.time()
        w2v = Word2Vec(LineSentence(str(corpus)), vector_size=dim, window=window, min_count=min_count, sg=1,
                       negative=5, epochs=epochs, workers=1, seed=SEED % 2**31, hashfxn=_crc32)
    log.info("word vectors: %d words in %.0fs", len(w2v.wv), time.time() - t0)
    words = list(w2v.wv.index_to_key)
    assigns = [spherical_kmeans(w2v.wv.vectors, k) for k in ks]
    lines = [f"# marsad NER word clusters: skip-gram dim={dim} window={window} min_count={min_count} "
             f"epochs={epochs} seed={SEED}; spherical k-means k={','.join(map(str, ks))}\n"]
    lines += [w + "\t" + "\t".join(str(int(a[i])) for a in assigns) + "\n" for i, w in enumerate(words)]
    with open(out, "wb") as fh, gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write("".join(lines).encode("utf-8"))
    log.info("clusters: %d words written to %s (%.1f MB)", len(words), out, out.stat().st_size / 1e6)
    return len(words)


# ------------------------------------------------------------------------------------------------
# training
# ------------------------------------------------------------------------------------------------


def train(sents: Sequence[Sentence], out: Path, c1: float, c2: float, iterations: int,
          min_freq: int = 1, lexicon: Lexicon | None = None, extra_meta: dict | None = None) -> Path:
    """Train a CRF (CRFsuite, L-BFGS) on IOB2 sentences; write both model files.

    ``out`` (``*.json.gz``, plus ``*.meta.json``) gets the exported weights for the plain-Python
    decoder, :func:`crfsuite_path` of it the CRFsuite model file that the fast path decodes.
    Returns the CRFsuite file.
    """
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for s in sents:
        trainer.append(featurize([w for w, _ in s], lexicon), [t for _, t in s])
    trainer.set_params({
        "c1": c1, "c2": c2, "max_iterations": iterations,
        "feature.possible_transitions": True, "feature.minfreq": min_freq,
    })
    t0 = time.time()
    crf_path = crfsuite_path(out)
    trainer.train(str(crf_path))
    meta = {"lexicon": lexicon is not None, "c1": c1, "c2": c2, "iterations": iterations,
            "min_freq": min_freq, "sentences": len(sents), "tokens": sum(len(s) for s in sents),
            "seed": SEED, "clusters": _clusters_digest(), **(extra_meta or {})}
    model = NerModel.from_crfsuite(crf_path, meta)
    model.save(out)
    log.info("trained on %d sentences in %.0fs (c1=%s c2=%s): %s (%.1f MB) and %s (%.1f MB), %d attributes",
             len(sents), time.time() - t0, c1, c2, out, out.stat().st_size / 1e6, crf_path.name,
             crf_path.stat().st_size / 1e6, len(model._state))
    return crf_path


def _clusters_digest() -> str:
    """A short digest of the cluster table the features use (recorded in the model's meta)."""
    from marsad.recognise.ner_features import cluster_table

    table = cluster_table()
    h = hashlib.sha256()
    for k in sorted(table):
        h.update((k + "\t" + "\t".join(table[k]) + "\n").encode("utf-8"))
    return f"{len(table)} words, sha256 {h.hexdigest()[:16]}"


def check_decoder(model_path: Path, sents: Sequence[Sentence]) -> float:
    """Share of sentences where the plain-Python decoder and CRFsuite's tagger give identical tags."""
    fast = NerModel.load(model_path, backend="crfsuite")
    slow = NerModel.load(model_path, backend="python")
    same = sum(fast.tag(toks) == slow.tag(toks) for toks in ([w for w, _ in s] for s in sents))
    share = same / max(1, len(sents))
    log.info("plain-Python decoder agrees with CRFsuite on %.4f of %d sentences", share, len(sents))
    return share


def evaluate(model_path: Path, sents: Sequence[Sentence], backend: str = "auto") -> dict:
    """Exact-span scores of a model on gold sentences (tagged in order as one document), with speed."""
    model = NerModel.load(model_path, backend=backend)
    t0, c0 = time.perf_counter(), time.process_time()
    pred = model.tag_sentences([[w for w, _ in s] for s in sents])
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    res: dict = dict(score_spans([[t for _, t in s] for s in sents], pred))
    n = sum(len(s) for s in sents)
    res.update(tokens=n, seconds=secs, tokens_per_s=n / secs, cpu_seconds=cpu, tokens_per_cpu_s=n / cpu,
               backend=model.backend)
    return res


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["dev", "final"], default="final")
    ap.add_argument("--corpora", default="aner",
                    help="comma list of aner,wikifane,newsfane,wojood (default: %(default)s)")
    ap.add_argument("--c1", type=float, default=0.05)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument("--min-freq", type=int, default=1)
    ap.add_argument("--grid", default="",
                    help='dev mode: several c1/c2 pairs to try, e.g. "0.1/0.01,0.2/0.05"')
    ap.add_argument("--no-lexicon", dest="lexicon", action="store_false",
                    help="train without lexicon features "
                         "(by default the shipped lexicon is rebuilt and used)")
    ap.add_argument("--no-project-misc", dest="project_misc", action="store_false",
                    help="do not tag ANERcorp's MISC words in the other corpora")
    ap.add_argument("--lexicon-sources", default="gazetteer,wikifane,actors,geonames",
                    help="what the lexicon holds (default: %(default)s)")
    ap.add_argument("--build-clusters", action="store_true",
                    help="rebuild the shipped word-cluster table first (gensim + numpy; ~10 CPU-minutes)")
    ap.add_argument("--clusters", default="",
                    help="train with this word-cluster table instead of the shipped one "
                         "('none': no clusters)")
    ap.add_argument("--output", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--keep", type=Path, help="dev mode: keep the dev models in this directory")
    ap.add_argument("--report", type=Path, help="write the scores as JSON here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    random.seed(SEED)

    if args.build_clusters:
        build_clusters()
    if args.clusters:
        use_clusters(None if args.clusters == "none" else Path(args.clusters))
    else:
        use_clusters(DEFAULT_CLUSTERS if DEFAULT_CLUSTERS.exists() else None)
    lexicon = None
    if args.lexicon:
        build_lexicon(sources=args.lexicon_sources.split(","))
        lexicon = load_lexicon(DEFAULT_LEXICON)
    test = read_test()
    corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
    data = load_training(corpora, test)
    aner = data.pop("aner", [])
    extra = [s for c in corpora if c != "aner" for s in data.get(c, [])]
    report: dict = {"corpora": corpora, "c1": args.c1, "c2": args.c2, "iterations": args.iterations,
                    "lexicon": args.lexicon}

    if extra and args.project_misc:
        extra, _ = project_misc(dev_split(aner)[0] if args.mode == "dev" else aner, extra)
    if args.mode == "dev":
        tr, dev = dev_split(aner)
        log.info("dev split: %d train / %d dev ANERcorp sentences (+%d other)", len(tr), len(dev), len(extra))
        pairs = [(args.c1, args.c2)]
        if args.grid:
            pairs = [(float(a), float(b)) for a, b in (p.split("/") for p in args.grid.split(","))]
        with tempfile.TemporaryDirectory() as tmp:
            for c1, c2 in pairs:
                path = Path(args.keep or tmp) / f"dev_{c1}_{c2}.json.gz"
                train(tr + extra, path, c1, c2, args.iterations, args.min_freq, lexicon)
                res = evaluate(path, dev)
                print(f"== dev  corpora={','.join(corpora)} c1={c1} c2={c2} lexicon={args.lexicon}")
                print(format_scores(res))
                report[f"dev c1={c1} c2={c2}"] = res
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        crf = train(aner + extra, args.output, args.c1, args.c2, args.iterations, args.min_freq, lexicon,
                    {"corpora": corpora})
        agree = check_decoder(args.output, test)
        digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
                   for p in (args.output, crf, DEFAULT_LEXICON, DEFAULT_CLUSTERS) if p.exists()}
        res = evaluate(args.output, test)
        print(f"== test (CAMeL ANERcorp) corpora={','.join(corpora)} c1={args.c1} c2={args.c2} "
              f"lexicon={args.lexicon} decoders agree={agree:.4f} sha256={digests}")
        print(format_scores(res))
        report.update(test=res, sha256=digests, decoders_agree=agree)
    if args.report:
        args.report.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
