"""CoNLL files for ``marsad ner``: reading them, tagging them with the NER model, and scoring a gold
file's last column (:mod:`marsad.recognise.ner_scoring`), without extra dependencies."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marsad.recognise.ner import NerModel
from marsad.recognise.ner_scoring import score_spans, to_iob2

log = logging.getLogger(__name__)


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
            sent.append((conll_token(line), cols[-1].strip() if len(cols) > 1 else ""))
    if sent:
        yield sent


def conll_token(line: str) -> str:
    """The token of a CoNLL line: its first tab-separated column, else its first field."""
    if "\t" in line:
        return line.split("\t")[0] or line.strip()
    return line.split()[0]


def run_conll(input_path: Path | str, output_path: Path | str, model: NerModel | None = None) -> int:
    """Tag a CoNLL-style file; writes ``token<TAB>tag`` lines and keeps every blank line where it was.

    Input: one token per line (further columns ignored), blank lines between sentences. The
    file is tagged as one document (names carry over between nearby sentences).
    Returns the number of tokens tagged.
    """
    model = model or NerModel.load()
    sents: list[list[str]] = [[]]
    blanks: list[int] = [0]  # blank lines after each sentence
    with open(input_path, encoding="utf-8-sig") as src:
        for raw in src:
            line = raw.rstrip("\r\n").replace("\u200e", "")
            if line.strip():
                if blanks[-1]:
                    sents.append([])
                    blanks.append(0)
                sents[-1].append(conll_token(line))
            else:
                blanks[-1] += 1
    tags = model.tag_sentences(sents)
    n = 0
    with open(output_path, "w", encoding="utf-8") as out:
        for toks, tg, nb in zip(sents, tags, blanks, strict=True):
            out.writelines(f"{tok}\t{tag}\n" for tok, tag in zip(toks, tg, strict=True))
            out.write("\n" * nb)
            n += len(toks)
    log.info("tagged %d tokens into %s", n, output_path)
    return n


def evaluate_conll(gold_path: Path | str, model: NerModel | None = None) -> dict[str, Any]:
    """Tag the tokens of a gold CoNLL file and score them against its last column.

    The file is tagged as one document, in order (see :meth:`NerModel.tag_sentences`).
    Returns :func:`score_spans` results plus ``tokens``, ``seconds``, ``tokens_per_s``,
    ``cpu_seconds``, ``tokens_per_cpu_s`` and ``backend``.
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
               cpu_seconds=cpu, tokens_per_cpu_s=n / cpu if cpu > 0 else 0.0, backend=model.backend)
    return res
