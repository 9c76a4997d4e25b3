"""Option types and defaults shared by the `zhnews` commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flows.ops.runners import Runner
from flows.train.splits import DevSplit


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("output")
Inputs = Annotated[
    list[Path] | None,
    typer.Argument(help="Files or directories of .txt, .html/.htm or .jsonl (default: seeds/)."),
]
ExistingOutput = Annotated[Path, typer.Argument(help="Output directory of earlier runs.")]
Output = Annotated[
    Path, typer.Option("--output", "-o", help="Output directory of the Parquet tables.")
]
RunnerOption = Annotated[
    Runner,
    typer.Option(
        help="Where clean/nlp/slogans run: in the flow's process, local processes, or Dask."
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Worker processes for --runner processes or a local Dask cluster, threads for "
        "in-process (default: a process per core; a thread per core, at most 2).",
        show_default=False,
    ),
]
RunRunnerOption = Annotated[
    Runner | None,
    typer.Option(
        "--runner",
        help="Where clean/nlp/slogans run: in the flow's process, local processes, or Dask "
        "(default: a worker process per 512 KiB of input up to the cores but one, else "
        "in-process).",
        show_default=False,
    ),
]
RunWorkers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Worker processes, or threads with --runner in-process (alone it implies --runner "
        "processes; default: see --runner).",
        min=1,
        show_default=False,
    ),
]
DaskAddress = Annotated[
    str | None,
    typer.Option(
        help="Scheduler of an existing Dask cluster (tcp://host:8786); implies --runner dask."
    ),
]
MaxChars = Annotated[
    int, typer.Option(min=1, help="Inputs longer than this are rejected as too_large.")
]
FollowSymlinks = Annotated[
    bool, typer.Option(help="Read symbolic links that lead outside the INPUTS given.")
]
AcceptNonChinese = Annotated[
    bool, typer.Option(help="Keep documents whose letters are not mostly Chinese characters.")
]

BatchSize = Annotated[
    int | None,
    typer.Option(
        help="Documents per task run (default 64 in-process, 256 with worker processes or Dask).",
        min=1,
    ),
]

# Options of the `zhnews train` commands.
WorkDir = Annotated[Path, typer.Option("--out-dir", help="Working directory of the training.")]
TrainConfig = Annotated[Path, typer.Option(help="spaCy training config.")]
Segmenter = Annotated[Path, typer.Option(help="pkuseg model (zhnews train segmenter).")]
Vectors = Annotated[Path | None, typer.Option(help="Vectors pipeline (zhnews train vectors).")]
Corpora = Annotated[
    Path | None,
    typer.Option(
        help="Corpora directory, for the training data, the rules' word lexicon and the "
        "token splits (default ../shared/corpora)."
    ),
]
SmokeLimit = Annotated[
    int | None,
    typer.Option(help="Read only the first N lines, sentences or paragraphs (smoke runs)."),
]
Resume = Annotated[bool, typer.Option(help="Continue from the model last saved in OUT_DIR.")]
MaxSteps = Annotated[int | None, typer.Option(help="Override training.max_steps.")]
LearnRate = Annotated[
    float | None, typer.Option(help="Override the learning rate (lower it to fine-tune).")
]
EntityAwareDocs = Annotated[
    Path | None,
    typer.Option(help="Also train on this DocBin of entity-aware segmented NER docs."),
]
TaggerPipeline = Annotated[
    Path | None,
    typer.Option(help="Pipeline with a POS tagger trained on this tok2vec (train tagger)."),
]
DevSplitOption = Annotated[
    DevSplit,
    typer.Option(
        "--dev-split",
        help="Held-out lines: blocks (MSRA blocks and whole news articles) or interleaved "
        "(every 20th MSRA line, one news sentence in three; zh_news 0.7.0 and before).",
    ),
]
NewsArticlesWeight = Annotated[
    int,
    typer.Option(
        min=0,
        help="Times each sentence of the train items of data/annotated/ner_news_articles.jsonl "
        "is repeated, the conventions where ANNOTATION.md and MSRA differ left unannotated "
        "(models/README.md); its other splits are held out. 0, the default: not used, the "
        "recipe of zh_news 0.7.0 and of the block-split baseline.",
    ),
]
SplitSegmenter = Annotated[
    Path | None,
    typer.Option(help="People's-Daily-only segmenter, for learning the token splits."),
]
