"""The event candidates of the training split with a given event-place model (never the held-out split).

    python build/event_place_candidates.py                  # the shipped event-place model(s)
    python build/event_place_candidates.py --models DIR     # DIR's eventplace.npz (and _fallback.npz)
    python build/event_place_candidates.py --rules          # the rules' choice of places

Runs ``build/train_models.py``'s candidate stages (the rules with every separately trained model, no
confidence cut, no sentence or event model) on the training split and prints the scorer's recall, F1
and place recall against our coding and against ``../shared/gold/train.jsonl``'s: what an event-place
model gives the sentence and event models to choose from, before they are retrained. The models are
served as they were trained (on these articles), as in the candidate stages.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "build"))

KEYS = ("event_precision", "event_recall", "event_f1", "place_recall_25km", "location_acc")


def ranker(models: Path):  # type: ignore[no-untyped-def]
    from marsad.learn.eventplace import EventPlaceRanker
    from marsad.learn.linear import LinearModel

    main = LinearModel.load(models / "eventplace.npz")
    fallback = models / "eventplace_fallback.npz"
    if fallback.exists():
        return EventPlaceRanker(main, True, "empty", fallback=LinearModel.load(fallback))
    return EventPlaceRanker(main, bool(main.meta.get("context")), main.meta.get("context_when", "always"),
                            bool(main.meta.get("context_named")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, help="a folder with eventplace.npz (default: the shipped models)")
    ap.add_argument("--rules", action="store_true", help="the rules' choice of places")
    ap.add_argument("--out", type=Path, help="write the candidates here (JSONL)")
    args = ap.parse_args(argv)
    import train_models

    from marsad.eval.scorer import score
    from marsad.learn import training
    from marsad.pipeline import Pipeline
    from marsad.run.extract import gold_documents

    gold = training.training_gold()
    other = training.other_coding({g["doc_id"] for g in gold})
    stages = train_models._candidate_stages()
    stages[-1].min_confidence = 0.0
    if args.rules:
        stages[-1].geocoder.event_place_ranker = None
    elif args.models:
        stages[-1].geocoder.event_place_ranker = ranker(args.models)
    preds = [e.to_record() for a in Pipeline(stages).pipe(gold_documents(gold)) for e in a.events]
    if args.out:
        lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in preds)
        args.out.write_text("".join(lines), encoding="utf-8")
    ours = score(gold, preds)[0]
    wanted = {g["doc_id"] for g in other}
    theirs = score(other, [p for p in preds if p["doc_id"] in wanted])[0]
    print(json.dumps({"ours": {k: ours[k] for k in KEYS}, "other_coding": {k: theirs[k] for k in KEYS}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
