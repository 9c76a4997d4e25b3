"""zhnews: Chinese local-government news to analysis-ready Parquet tables."""

import os
from pathlib import Path

# The directory flows/ sits in: in a checkout it holds models/, configs/ and data/ (training
# reads the last two from it); after a non-editable `pip install .` it is site-packages.
REPO_ROOT = Path(__file__).resolve().parents[1]
# Where the shipped pipeline is when nothing else is given: a checkout's models/zh_news.
CHECKOUT_MODEL = REPO_ROOT / "models" / "zh_news"
MODEL_ENV = "ZHNEWS_MODEL"
# Inputs longer than this many characters of text are rejected as too_large (`--max-chars`).
DEFAULT_MAX_CHARS = 1_000_000


class ModelMissingError(FileNotFoundError):
    """No spaCy pipeline where `model_path` looked."""


def model_path(explicit: Path | str | None = None) -> Path:
    """The spaCy pipeline to load: `explicit` (the `--model` option), else the directory named
    by $ZHNEWS_MODEL, else the checkout's models/zh_news. Every command and worker resolves it
    here, so they all load the same pipeline."""
    chosen = explicit or os.environ.get(MODEL_ENV)
    path = Path(chosen) if chosen else CHECKOUT_MODEL
    if not (path / "config.cfg").is_file():
        source = "--model" if explicit else f"${MODEL_ENV}" if chosen else "the default"
        raise ModelMissingError(
            f"no spaCy pipeline at {path} ({source}): pass --model DIR or set {MODEL_ENV} to "
            f"a pipeline directory (the default is a checkout's models/zh_news: {CHECKOUT_MODEL})"
        )
    return path
