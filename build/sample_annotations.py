"""Draw the training corpus's article sample, its frozen held-out split and its coders.

Run once, before any rule or model reads the corpus's annotations (it refuses to overwrite
``annotations/sample.tsv``; ``--force`` is for a deliberate redraw, which changes the held-out
split and so must never happen after training has begun):

    python build/sample_annotations.py --shared ../shared

Strata (every id comes from ``../shared/train/pool_ids.txt.gz``; dev and the seed are left out,
they stay checks):

- ``train-gold``: the 480 pool articles of ``gold/train.jsonl`` (half conflict, half random 2018),
  coded at document level by others; coded again here, blind, with spans and sentence labels;
- ``random-2018``: drawn uniformly from the 2018 pool (the natural mix, mostly without events);
- ``conflict-2018``: drawn from the 2018 pool articles that ``conflict_hint`` marks;
- ``conflict-2015``: drawn from the 2015 Saudi conflict articles.

A second wave (``--wave 2``, seed ``SEED + 2``) adds ``WAVE2`` articles of the same three drawn
strata to the training split, each for one coder, once the first wave's sentences fell short of
15,000; it never touches the held-out split. A third wave (``--wave 3``, seed ``SEED + 3``) adds
``WAVE3`` more for six new coders (``c9``…``c14``), ``DOUBLE3`` of them coded twice so that the
wave's agreement is measured too; drawn when the event model's learning curve was still rising
(docs/learning.md); a fourth (``--wave 4``, seed ``SEED + 4``) adds ``WAVE4`` for eight more
(``c15``…``c22``), ``DOUBLE4`` of them coded twice; a fifth (``--wave 5``, seed ``SEED + 5``)
``WAVE5`` for ``c23``…``c30``. Each coder's queue is in a hashed order, so
a wave coded in part is a random part of it.

Then, with the same seed: the held-out split (``HELDOUT`` articles, uniformly over the sample),
the double-coded articles (``DOUBLE``), and a coder order for each of ``CODERS`` coders.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from pathlib import Path

SEED = 20261207
NEW = {"random-2018": 300, "conflict-2018": 200, "conflict-2015": 120}
HELDOUT = 275
DOUBLE = 120
CODERS = 8
WAVE2 = {"random-2018": 110, "conflict-2018": 70, "conflict-2015": 40}
WAVE3 = {"random-2018": 150, "conflict-2018": 200, "conflict-2015": 100}
CODERS3 = [f"c{k}" for k in range(9, 15)]
DOUBLE3 = 24
WAVE4 = {"random-2018": 320, "conflict-2018": 400, "conflict-2015": 240}
CODERS4 = [f"c{k}" for k in range(15, 23)]
DOUBLE4 = 32
WAVE5 = {"random-2018": 320, "conflict-2018": 400, "conflict-2015": 240}
CODERS5 = [f"c{k}" for k in range(23, 31)]
DOUBLE5 = 32
#: the later waves with their own coders, some articles coded twice: sizes, coders, how many twice
CODED_TWICE = {3: (WAVE3, CODERS3, DOUBLE3), 4: (WAVE4, CODERS4, DOUBLE4), 5: (WAVE5, CODERS5, DOUBLE5)}

ROOT = Path(__file__).resolve().parent.parent


def _corpus(shared: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted((shared / "corpus").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                out[d["doc_id"]] = {"year": d["published"][:4], "outlet": d.get("outlet"),
                                    "hint": bool(d.get("conflict_hint")), "chars": len(d.get("text") or "")}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "annotations")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--wave", type=int, default=1, choices=[1, 2, 3, 4, 5])
    args = ap.parse_args(argv)
    target = args.out / "sample.tsv"
    if args.wave == 2:
        return _wave2(args.shared, target)
    if args.wave in CODED_TWICE:
        return _coded_twice_wave(args.shared, target, args.wave, *CODED_TWICE[args.wave])
    if target.exists() and not args.force:
        print(f"{target} exists: the sample and its held-out split are frozen", file=sys.stderr)
        return 1
    with gzip.open(args.shared / "train" / "pool_ids.txt.gz", "rt") as f:
        pool = {line.strip() for line in f if line.strip()}
    corpus = _corpus(args.shared)
    checks = set()
    for name in ("dev.jsonl", "seed.jsonl"):
        with open(args.shared / "gold" / name, encoding="utf-8") as f:
            checks |= {json.loads(line)["doc_id"] for line in f if line.strip()}
    with open(args.shared / "gold" / "train.jsonl", encoding="utf-8") as f:
        train = sorted(json.loads(line)["doc_id"] for line in f if line.strip())
    assert all(t in pool for t in train)
    rng = random.Random(SEED)
    taken = set(train) | checks
    # candidates: pool only, a non-empty text (an empty article has nothing to code)
    eligible = sorted(i for i in pool if i in corpus and i not in taken and corpus[i]["chars"] > 0)
    strata: dict[str, list[str]] = {"train-gold": train}
    pools = {
        "random-2018": [i for i in eligible if corpus[i]["year"] == "2018"],
        "conflict-2018": [i for i in eligible if corpus[i]["year"] == "2018" and corpus[i]["hint"]],
        "conflict-2015": [i for i in eligible if corpus[i]["year"] == "2015"],
    }
    for name, n in NEW.items():
        cands = [i for i in pools[name] if i not in taken]
        strata[name] = sorted(rng.sample(cands, n))
        taken |= set(strata[name])
    ids = [i for name in strata for i in strata[name]]
    stratum = {i: name for name in strata for i in strata[name]}
    heldout = set(rng.sample(sorted(ids), HELDOUT))
    double = set(rng.sample(sorted(ids), DOUBLE))
    # coders: each article one coder (round robin over a shuffle); a double-coded article a
    # second, different one; each coder codes its double-coded articles first
    order = sorted(ids)
    rng.shuffle(order)
    coders: dict[str, list[str]] = {i: [f"c{k % CODERS + 1}"] for k, i in enumerate(order)}
    for k, i in enumerate(sorted(double)):
        first = int(coders[i][0][1:]) - 1
        coders[i].append(f"c{(first + 1 + k % (CODERS - 1)) % CODERS + 1}")
    args.out.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        f.write("doc_id\tstratum\tsplit\tcoders\n")
        for i in sorted(ids):
            f.write(f"{i}\t{stratum[i]}\t{'heldout' if i in heldout else 'train'}\t{','.join(coders[i])}\n")
    held = "".join(f"{i}\n" for i in sorted(heldout))
    (args.out / "heldout.txt").write_text(held, encoding="utf-8")
    print(f"{len(ids)} articles ({', '.join(f'{k} {len(v)}' for k, v in strata.items())}); "
          f"held-out {len(heldout)} sha256 {hashlib.sha256(held.encode()).hexdigest()}; "
          f"double-coded {len(double)}")
    return 0


def _later_wave(shared: Path, target: Path, wave: int) -> tuple[list[str], dict[str, list[str]]] | None:
    """The sample's rows and the pools a later wave draws from (None: the wave is there already)."""
    with open(target, encoding="utf-8") as f:
        rows = f.read().splitlines()
    if any(f"\twave{wave}-" in r for r in rows):
        print(f"{target} holds wave {wave} already", file=sys.stderr)
        return None
    taken = {r.split("\t")[0] for r in rows[1:]}
    with gzip.open(shared / "train" / "pool_ids.txt.gz", "rt") as f:
        pool = {line.strip() for line in f if line.strip()}
    corpus = _corpus(shared)
    for name in ("dev.jsonl", "seed.jsonl"):
        with open(shared / "gold" / name, encoding="utf-8") as f:
            taken |= {json.loads(line)["doc_id"] for line in f if line.strip()}
    eligible = sorted(i for i in pool if i in corpus and i not in taken and corpus[i]["chars"] > 0)
    pools = {
        "random-2018": [i for i in eligible if corpus[i]["year"] == "2018"],
        "conflict-2018": [i for i in eligible if corpus[i]["year"] == "2018" and corpus[i]["hint"]],
        "conflict-2015": [i for i in eligible if corpus[i]["year"] == "2015"],
    }
    return rows, pools


def _draw(pools: dict[str, list[str]], sizes: dict[str, int],
          wave: int) -> tuple[list[tuple[str, str]], random.Random]:
    """(doc id, stratum) of a later wave's articles, drawn with seed ``SEED + wave`` and shuffled, and
    the generator (which goes on to draw the wave's double-coded articles)."""
    rng = random.Random(SEED + wave)
    taken: set[str] = set()
    new: list[tuple[str, str]] = []
    for name, n in sizes.items():
        cands = [i for i in pools[name] if i not in taken]
        for i in sorted(rng.sample(cands, n)):
            new.append((i, f"wave{wave}-{name}"))
            taken.add(i)
    rng.shuffle(new)
    return new, rng


def _wave2(shared: Path, target: Path) -> int:
    drawn = _later_wave(shared, target, 2)
    if drawn is None:
        return 1
    rows, pools = drawn
    new, _ = _draw(pools, WAVE2, 2)
    lines = [f"{i}\t{stratum}\ttrain\tc{k % CODERS + 1}" for k, (i, stratum) in enumerate(new)]
    all_rows = sorted(rows[1:] + lines)
    target.write_text("\n".join([rows[0], *all_rows]) + "\n", encoding="utf-8")
    print(f"second wave: {len(new)} articles added to the training split")
    return 0


def _coded_twice_wave(shared: Path, target: Path, wave: int, sizes: dict[str, int], coder_ids: list[str],
                      double: int) -> int:
    """A later wave for its own coders, ``double`` of its articles coded twice (seed ``SEED + wave``)."""
    drawn = _later_wave(shared, target, wave)
    if drawn is None:
        return 1
    rows, pools = drawn
    new, rng = _draw(pools, sizes, wave)
    coders = {i: [coder_ids[k % len(coder_ids)]] for k, (i, _) in enumerate(new)}
    # the second coder of a double-coded article is another of the wave's coders, in turn
    for k, i in enumerate(sorted(rng.sample(sorted(coders), double))):
        first = coder_ids.index(coders[i][0])
        coders[i].append(coder_ids[(first + 1 + k % (len(coder_ids) - 1)) % len(coder_ids)])
    lines = [f"{i}\t{stratum}\ttrain\t{','.join(coders[i])}" for i, stratum in new]
    all_rows = sorted(rows[1:] + lines)
    target.write_text("\n".join([rows[0], *all_rows]) + "\n", encoding="utf-8")
    print(f"wave {wave}: {len(new)} articles added to the training split, {double} coded twice")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
