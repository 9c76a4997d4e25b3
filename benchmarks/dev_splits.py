"""Old and new dev splits side by side: one fast NER recipe trained on each split's train part
and scored on that split's dev sets (issue 23, models/README.md "Dev splits").

    PYTHONPATH=. python benchmarks/dev_splits.py --pkuseg-model training/segmenter-pd/model

The recipe is configs/ner.cfg made small and quick (no static vectors, no pretraining, a
narrower tok2vec, `--max-steps` steps), the same for both splits, so the difference between
the two scores is the split's. The last model is scored (`model-last`), not the one that scored
best on the dev set being reported. Each split's run lives in OUT/<split>/ and is skipped once
its scores are written (`scores.json`), so a killed run resumes by starting the command again
(the unfinished split starts over); another `--seed` needs another `--out-dir`. `--model` also
scores a trained pipeline (e.g. models/zh_news) on both splits' dev sets, its `tok2vec` + `ner`
alone.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

from flows.nlp.model import NER_COMPONENTS
from flows.train.ner import convert_corpora, evaluate_ner, run_training
from flows.train.splits import DevSplit

# configs/ner.cfg less its slow parts; the session-3 narrow pipeline (models/README.md) was
# width 96, maxout 2, no vectors.
FAST_RECIPE = {
    "components.tok2vec.model.encode.width": 96,
    "components.tok2vec.model.encode.maxout_pieces": 2,
    "components.tok2vec.model.embed.include_static_vectors": False,
    "training.eval_frequency": 1000,
    "training.patience": 0,
}
DEV_SETS = ("dev", "news-dev", "cluener-dev")


def fast_config(base: Path, out_path: Path) -> Path:
    config = spacy.util.load_config(base, overrides=FAST_RECIPE, interpolate=False)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    config.to_disk(out_path)
    return out_path


def scores_of(model: Path, corpus: Path) -> dict[str, dict[str, dict[str, float]]]:
    """{dev set: {label: P/R/F1}} of `model`'s tok2vec + ner on every dev set in `corpus`."""
    nlp = spacy.load(model, enable=list(NER_COMPONENTS))
    return {
        name: {
            label: {"p": s.precision, "r": s.recall, "f": s.f1, "gold": s.expected}
            for label, s in evaluate_ner(nlp, corpus / f"{name}.spacy").items()
        }
        for name in DEV_SETS
        if (corpus / f"{name}.spacy").exists()
    }


def train_split(split: DevSplit, args: argparse.Namespace) -> dict[str, object]:
    out_dir: Path = args.out_dir / split.value
    done = out_dir / "scores.json"
    if done.exists():
        return json.loads(done.read_text(encoding="utf-8"))
    started = time.time()
    convert_corpora(
        args.pkuseg_model, out_dir / "corpus", cluener_weight=args.cluener_weight, split=split
    )
    converted = time.time()
    config = fast_config(args.config, args.out_dir / "fast.cfg")
    run_training(
        config,
        out_dir,
        pkuseg_model=args.pkuseg_model,
        vectors=None,
        max_steps=args.max_steps,
        seed=args.seed,
    )
    trained = time.time()
    result = {
        "split": split.value,
        "max_steps": args.max_steps,
        "seed": args.seed,
        "minutes": {
            "convert": round((converted - started) / 60, 1),
            "train": round((trained - converted) / 60, 1),
        },
        "scores": scores_of(out_dir / "model-last", out_dir / "corpus"),
    }
    done.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pkuseg-model", type=Path, default=Path("training/segmenter-pd/model"))
    parser.add_argument("--config", type=Path, default=Path("configs/ner.cfg"))
    parser.add_argument("--out-dir", type=Path, default=Path("training/dev-splits"))
    parser.add_argument("--max-steps", type=int, default=3000)
    parser.add_argument("--cluener-weight", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--splits", nargs="+", type=DevSplit, default=list(DevSplit))
    parser.add_argument("--model", type=Path, help="Also score this pipeline on each dev set.")
    args = parser.parse_args()
    for split in args.splits:
        result = train_split(split, args)
        print(json.dumps(result), flush=True)
        if args.model:
            scores = scores_of(args.model, args.out_dir / split.value / "corpus")
            print(json.dumps({"model": str(args.model), "split": split.value, "scores": scores}))


if __name__ == "__main__":
    main()
