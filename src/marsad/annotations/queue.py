"""A coder's queue: which articles are theirs, in which order, and storing their codings.

Each coder's articles come from ``annotations/sample.tsv``: double-coded articles first (so
that agreement can be measured early), then the rest in a fixed shuffled order that mixes the
strata. A coding is compiled against the article's sheet and appended to
``annotations/coded/<coder>.jsonl`` (a second coding of the same article replaces the first).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from marsad.annotations.compile import compile_coding, to_compact
from marsad.annotations.corpus import ANNOTATIONS, SHARED, AnnotationError, load_articles, read_sample
from marsad.annotations.sheet import format_sheet, make_sheet


def _order_key(doc_id: str, double: bool) -> tuple[int, str]:
    return (0 if double else 1, hashlib.sha1(doc_id.encode()).hexdigest())


#: the adjudicator codes again, from both codings, the double-coded articles they disagree on
ADJUDICATOR = "adj"


def coder_queue(coder: str, folder: Path = ANNOTATIONS) -> list[str]:
    if coder == ADJUDICATOR:
        return sorted(r.doc_id for r in read_sample(folder).values() if len(r.coders) > 1)
    rows = [r for r in read_sample(folder).values() if coder in r.coders]
    if not rows:
        raise AnnotationError(f"coder {coder!r} has no articles in {folder / 'sample.tsv'}")
    return [r.doc_id for r in sorted(rows, key=lambda r: _order_key(r.doc_id, len(r.coders) > 1))]


def coded_path(coder: str, folder: Path = ANNOTATIONS) -> Path:
    return folder / "coded" / f"{coder}.jsonl"


def coded_ids(coder: str, folder: Path = ANNOTATIONS) -> list[str]:
    path = coded_path(coder, folder)
    if not path.exists():
        return []
    return [json.loads(line)["doc_id"]
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def next_sheets(coder: str, n: int, folder: Path = ANNOTATIONS, shared: Path = SHARED) -> str:
    done = set(coded_ids(coder, folder))
    todo = [i for i in coder_queue(coder, folder) if i not in done][:n]
    if not todo:
        return f"coder {coder}: every article in the queue is coded"
    docs = load_articles(todo, shared)
    left = len([i for i in coder_queue(coder, folder) if i not in done])
    head = f"# coder {coder}: {len(done)} coded, {left} left; next {len(todo)}"
    return "\n\n".join([head] + [format_sheet(make_sheet(docs[i])) for i in todo])


def add_codings(coder: str, codings: list[dict[str, Any]], folder: Path = ANNOTATIONS,
                shared: Path = SHARED) -> list[str]:
    """Compile and store ``codings``; all of them are checked before any is written."""
    queue = set(coder_queue(coder, folder))
    ids = [str(c.get("doc")) for c in codings]
    foreign = [i for i in ids if i not in queue]
    if foreign:
        raise AnnotationError(f"{foreign[0]} is not in coder {coder}'s queue")
    docs = load_articles(ids, shared)
    records = [compile_coding(c, make_sheet(docs[str(c["doc"])]), coder) for c in codings]
    path = coded_path(coder, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept: list[str] = []
    if path.exists():
        new = set(ids)
        kept = [line for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line)["doc_id"] not in new]
    lines = kept + [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return ids


def read_codings(path: Path) -> list[dict[str, Any]]:
    """Codings from a file: JSON Lines, or one JSON list."""
    raw = path.read_text(encoding="utf-8").strip()
    if raw.startswith("["):
        return list(json.loads(raw))
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise AnnotationError(f"{path}:{n}: not JSON ({exc})") from exc
    return out


def adjudication_sheets(n: int, folder: Path = ANNOTATIONS, shared: Path = SHARED) -> str:
    """The next ``n`` double-coded articles whose codings disagree and that have no adjudicated
    coding yet: the sheet, then what the two coders disagree on."""
    from marsad.annotations.agreement import disagreements
    from marsad.annotations.stats import double_coded_pairs

    done = set(coded_ids(ADJUDICATOR, folder))
    todo = [(a, b) for a, b in double_coded_pairs(folder) if a["doc_id"] not in done and disagreements(a, b)]
    if not todo:
        return "every disagreement is adjudicated"
    head = f"# {len(todo)} double-coded articles with disagreements left; next {min(n, len(todo))}"
    todo = todo[:n]
    docs = load_articles([a["doc_id"] for a, _ in todo], shared)
    parts = [head]
    for a, b in todo:
        sheet = make_sheet(docs[a["doc_id"]])
        parts.append(format_sheet(sheet) + "\nDISAGREEMENTS:\n" + "\n".join(disagreements(a, b))
                     + f"\nCODING {a['coder']}: " + json.dumps(to_compact(a, sheet), ensure_ascii=False)
                     + f"\nCODING {b['coder']}: " + json.dumps(to_compact(b, sheet), ensure_ascii=False))
    return "\n\n".join(parts)
