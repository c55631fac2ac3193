"""Entity spans of IOB tag sequences and an exact-span scorer (CoNLL-2003 style) for the NER."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


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
                     f" ({scores.get('tokens_per_cpu_s', 0):,.0f} tokens per CPU second, one core;"
                     f" decoder: {scores.get('backend', '?')})")
    return "\n".join(lines)
