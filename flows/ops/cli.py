"""The `zhnews` command line."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flows import MODEL_ENV, ModelMissingError, model_path
from flows.ops.errors import (
    ExitCode,
    fail,
    hide_logged_tracebacks,
    is_storage_error,
    output_problem,
    run_app,
    set_debug,
    storage_message,
)
from flows.ops.runners import DEFAULT_WORKERS, Runner, default_runner, prefect_api_starting

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The temporary Prefect API starts in ~10 s on an idle machine; a loaded one needs longer.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# zhnews' own loggers (`logging.getLogger(__name__)`) log through Prefect: console and run logs.
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "flows")
# Outside a flow run (cleaning called by another command) their lines stay on the console only.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

app = typer.Typer(
    help="Chinese local-government news to analysis-ready Parquet tables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(
    help="Train zhnews' own models from the public corpora.", no_args_is_help=True
)
slogans_app = typer.Typer(help="Slogan lexicon tools.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(slogans_app, name="slogans")


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
    int,
    typer.Option(min=1, help="Worker processes for --runner processes or a local Dask cluster."),
]
RunRunnerOption = Annotated[
    Runner | None,
    typer.Option(
        "--runner",
        help="Where clean/nlp/slogans run: in the flow's process, local processes, or Dask "
        "(default: a worker process per 512 KiB of input up to the cores, else in-process).",
        show_default=False,
    ),
]
RunWorkers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Worker processes (alone it implies --runner processes; default: see --runner).",
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

BatchSize = Annotated[
    int | None,
    typer.Option(
        help="Documents per task run (default 64 in-process, 256 with worker processes or Dask).",
        min=1,
    ),
]


@app.callback()
def main(
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            envvar=MODEL_ENV,
            help="spaCy pipeline directory (default: the checkout's models/zh_news).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show the traceback of an unexpected error.")] = False,
    log_level: Annotated[
        LogLevel | None, typer.Option(help="Level of the Prefect and zhnews log lines.")
    ] = None,
) -> None:
    """Chinese local-government news to analysis-ready Parquet tables."""
    set_debug(debug)
    if log_level is not None:
        # Read by Prefect when it is imported, which the commands do after this.
        os.environ["PREFECT_LOGGING_LEVEL"] = log_level.value
    if model is None:
        return
    try:
        from_env = os.environ.get(MODEL_ENV) == str(model)
        # Worker processes inherit the variable, and so load the same pipeline.
        os.environ[MODEL_ENV] = str(model_path(None if from_env else model))
    except ModelMissingError as error:
        fail(ExitCode.USAGE, error)


def _require_model() -> None:
    """Exit 2 with one line when no pipeline is found (before any work starts)."""
    try:
        model_path()
    except ModelMissingError as error:
        fail(ExitCode.USAGE, error)


@app.command()
def run(
    inputs: Inputs = None,
    output: Output = DEFAULT_OUTPUT,
    batch_size: BatchSize = None,
    max_chars: Annotated[
        int, typer.Option(min=1, help="Inputs longer than this are rejected as too_large.")
    ] = 1_000_000,
    reprocess: Annotated[
        bool, typer.Option(help="Replace the rows of documents already processed.")
    ] = False,
    runner: RunRunnerOption = None,
    workers: RunWorkers = None,
    dask_address: DaskAddress = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal)."),
    ] = None,
    follow_symlinks: Annotated[
        bool,
        typer.Option(help="Read symbolic links that lead outside the INPUTS given."),
    ] = False,
    accept_non_chinese: Annotated[
        bool,
        typer.Option(help="Keep documents whose letters are not mostly Chinese characters."),
    ] = False,
) -> None:
    """Run the pipeline on INPUTS and write the tables under OUTPUT."""
    # Usage, output and lock problems are found here, in a second, before Prefect starts.
    paths = inputs or [DEFAULT_INPUT]
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        fail(ExitCode.USAGE, f"no such input: {', '.join(map(str, missing))}")
    problem = output_problem(output)
    if problem is not None:
        fail(ExitCode.USAGE, problem)
    _require_model()

    from flows.inputs.ingest import InputOptions, find_input_files
    from flows.store.ledger import Fingerprint, InputLedger
    from flows.store.tables import OutputLockedError, output_lock

    files, walk_rejects = find_input_files(paths, follow_symlinks=follow_symlinks, skip=[output])
    if not files and not walk_rejects:
        typer.echo(f"nothing to do: no input files in {', '.join(map(str, paths))}")
        return
    settings = InputOptions(max_chars, follow_symlinks, accept_non_chinese).key()
    ledger = InputLedger.load(output)
    unchanged = all(ledger.seen(Fingerprint.of(f), settings) is not None for f in files)
    if unchanged and not walk_rejects and not reprocess:
        typer.echo(f"nothing new: the {len(files)} input file(s) were all read by earlier runs")
        return
    try:
        with output_lock(output):
            pass  # the flow takes it again; a run holding it now fails at once
    except OutputLockedError as error:
        fail(ExitCode.LOCKED, error)
    except OSError as error:
        fail(ExitCode.USAGE, f"--output {output}: {error.strerror or error}")

    if dask_address:
        runner = Runner.DASK
    if runner is None and workers is None:
        runner, workers = default_runner(files)
    runner = runner or (Runner.PROCESSES if workers else Runner.IN_PROCESS)
    hide_logged_tracebacks()
    # The server boots on another core while this process imports and loads the model.
    with prefect_api_starting() as wait_for_api:
        from flows.nlp.model import load_pipeline
        from flows.pipeline import zhnews_flow

        if runner is Runner.IN_PROCESS:
            load_pipeline()
        wait_for_api()
        try:
            summary = zhnews_flow(
                paths,
                output,
                batch_size=batch_size,
                max_chars=max_chars,
                reprocess=reprocess,
                runner=runner,
                workers=workers or DEFAULT_WORKERS,
                dask_address=dask_address,
                progress=sys.stderr.isatty() if progress is None else progress,
                follow_symlinks=follow_symlinks,
                accept_non_chinese=accept_non_chinese,
            )
        except OutputLockedError as error:
            fail(ExitCode.LOCKED, error)
        except OSError as error:
            if not is_storage_error(error, output):
                raise
            fail(ExitCode.STORAGE, storage_message(error, output))
    if not summary.rejects and not any(summary.rows.values()):
        typer.echo(
            f"nothing new: the {summary.input_documents} document(s) in "
            f"{', '.join(map(str, paths))} were already processed"
        )
        return
    typer.echo(summary.markdown())
    if summary.rejects:
        # Not 1: a script must tell "done, some inputs rejected" from a crash.
        typer.echo(f"{summary.rejects} input(s) rejected: see {output / 'rejects'}", err=True)
        raise typer.Exit(ExitCode.REJECTS)


@app.command()
def serve(
    inputs: Inputs = None,
    output: Output = DEFAULT_OUTPUT,
    cron: Annotated[str | None, typer.Option(help='Cron schedule, e.g. "0 * * * *".')] = None,
    interval: Annotated[float | None, typer.Option(help="Seconds between runs.")] = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "scheduled",
    batch_size: BatchSize = None,
    runner: RunnerOption = Runner.IN_PROCESS,
    workers: Workers = DEFAULT_WORKERS,
    dask_address: DaskAddress = None,
) -> None:
    """Serve the flow as a Prefect deployment that processes new INPUTS on a schedule.

    Needs a Prefect server (`prefect server start`) and PREFECT_API_URL pointing at it.
    """
    from flows.ops.serve import ServeError, serve_flow

    if (cron is None) == (interval is None):
        typer.echo("error: give exactly one of --cron and --interval", err=True)
        raise typer.Exit(2)
    try:
        serve_flow(
            inputs or [DEFAULT_INPUT],
            output,
            cron=cron,
            interval=interval,
            name=name,
            batch_size=batch_size,
            runner=Runner.DASK if dask_address else runner,
            workers=workers,
            dask_address=dask_address,
        )
    except ServeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def check(
    output: Annotated[Path, typer.Argument(help="Output directory to validate.")] = DEFAULT_OUTPUT,
) -> None:
    """Validate every table: schema, doc_id references, span texts, unique keys."""
    from flows.store.check import check_output

    if not output.is_dir():
        typer.echo(f"error: {output} is not a directory", err=True)
        raise typer.Exit(2)
    violations = check_output(output)
    for violation in violations:
        typer.echo(str(violation))
    typer.echo(f"{len(violations)} violation(s) in {output}")
    if violations:
        raise typer.Exit(ExitCode.VIOLATIONS)


@app.command()
def compact(
    output: Annotated[Path, typer.Argument(help="Output directory to compact.")] = DEFAULT_OUTPUT,
) -> None:
    """Rewrite each table partition's parts as a few large files (atomically, under the lock)."""
    from flows.store.compact import compact_output
    from flows.store.tables import OutputLockedError

    if not output.is_dir():
        typer.echo(f"error: {output} is not a directory", err=True)
        raise typer.Exit(2)
    try:
        report = compact_output(output)
    except OutputLockedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None
    for line in report.lines():
        typer.echo(line)


@app.command()
def catalog(
    output: Annotated[
        Path, typer.Argument(help="Output directory of earlier runs.")
    ] = DEFAULT_OUTPUT,
) -> None:
    """Write OUTPUT/zhnews.duckdb: commented views over the tables, for DuckDB and BI tools."""
    from flows.bi.catalog import write_catalog

    _require_output(output)
    _require_writable(output)
    typer.echo(f"catalogue: {write_catalog(output)}")


@app.command()
def report(
    output: Annotated[
        Path, typer.Argument(help="Output directory of earlier runs.")
    ] = DEFAULT_OUTPUT,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Write one self-contained HTML page of charts over OUTPUT (opens offline)."""
    from flows.bi.report import write_report

    _require_output(output)
    _require_writable(out.parent)
    charts = write_report(output, out)
    typer.echo(f"report: {out} ({len(charts)} charts)")


def _require_output(output: Path) -> None:
    if not output.is_dir():
        typer.echo(f"error: {output} is not a directory", err=True)
        raise typer.Exit(2)


def _require_writable(directory: Path) -> None:
    if not (directory.is_dir() and os.access(directory, os.W_OK)):
        typer.echo(f"error: {directory} is not a writable directory", err=True)
        raise typer.Exit(2)


# Options shared by the training commands.
ConfigOption = Annotated[Path, typer.Option(help="spaCy training config.")]
SegmenterOption = Annotated[Path, typer.Option(help="pkuseg model (zhnews train segmenter).")]
VectorsOption = Annotated[
    Path | None, typer.Option(help="Vectors pipeline (zhnews train vectors).")
]
CorporaOption = Annotated[
    Path | None, typer.Option(help="Corpora directory (default ../shared/corpora).")
]


@train_app.command("segmenter")
def train_segmenter(
    out_dir: Annotated[Path, typer.Option(help="Working directory of the segmenter.")] = Path(
        "training/segmenter"
    ),
    corpora: CorporaOption = None,
    iterations: int = 3,
    resume: Annotated[bool, typer.Option(help="Continue from the model in OUT_DIR.")] = False,
    limit: Annotated[
        int | None, typer.Option(help="Use only the first N lines (smoke runs).")
    ] = None,
    entity_aware: Annotated[
        Path | None,
        typer.Option(help="Also train on this DocBin of entity-aware segmented NER docs."),
    ] = None,
) -> None:
    """Train the pkuseg segmenter on People's Daily 1998."""
    from flows.train.corpora import DEFAULT_CORPORA
    from flows.train.segmenter import train_segmenter as train

    train(
        out_dir,
        corpora=corpora or DEFAULT_CORPORA,
        iterations=iterations,
        resume=resume,
        limit=limit,
        entity_aware=entity_aware,
    )


@train_app.command("prune-segmenter")
def prune_segmenter(
    model: Path = Path("training/segmenter-ea/model"),
    out_dir: Path = Path("training/segmenter-ea/pruned"),
    threshold: Annotated[float, typer.Option(help="Drop features with all |w| <= this.")] = 0.02,
) -> None:
    """Shrink a pkuseg model by dropping features whose weights are all near zero."""
    from flows.train.segmenter import prune_segmenter as prune

    prune(model, out_dir, threshold=threshold)


@train_app.command("ner")
def train_ner(
    out_dir: Annotated[Path, typer.Option(help="Working directory of the NER training.")] = Path(
        "training/ner"
    ),
    config: ConfigOption = Path("configs/ner.cfg"),
    pkuseg_model: SegmenterOption = Path("training/segmenter/model"),
    vectors: VectorsOption = Path("training/vectors/pipeline"),
    corpora: CorporaOption = None,
    limit: Annotated[int | None, typer.Option(help="Sentences per corpus (smoke runs).")] = None,
    max_steps: Annotated[int | None, typer.Option(help="Override training.max_steps.")] = None,
    learn_rate: Annotated[
        float | None, typer.Option(help="Override the learning rate (lower it to fine-tune).")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Start from OUT_DIR/model-last.")] = False,
    cluener_weight: Annotated[
        int, typer.Option(help="Times each annotated CLUENER train sentence is repeated.")
    ] = 3,
    init_tok2vec: Annotated[
        Path | None, typer.Option(help="Pretrained tok2vec weights (zhnews train pretrain).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Override system.seed (default 0).")] = None,
) -> None:
    """Convert the NER corpora and train tok2vec + ner (spacy train with configs/ner.cfg)."""
    from flows.train.corpora import DEFAULT_CORPORA
    from flows.train.ner import convert_corpora, run_training

    convert_corpora(
        pkuseg_model,
        out_dir / "corpus",
        corpora=corpora or DEFAULT_CORPORA,
        limit=limit,
        cluener_weight=cluener_weight,
    )
    run_training(
        config,
        out_dir,
        pkuseg_model=pkuseg_model,
        vectors=vectors,
        max_steps=max_steps,
        learn_rate=learn_rate,
        resume=resume,
        init_tok2vec=init_tok2vec,
        seed=seed,
    )


@train_app.command("tagger")
def train_tagger(
    out_dir: Annotated[Path, typer.Option(help="Working directory of the tagger training.")] = Path(
        "training/tagger"
    ),
    config: ConfigOption = Path("configs/tagger.cfg"),
    base: Annotated[
        Path, typer.Option(help="Pipeline whose tokenizer and frozen tok2vec the tagger uses.")
    ] = Path("models/zh_news"),
    corpora: CorporaOption = None,
    limit: Annotated[int | None, typer.Option(help="Paragraphs to read (smoke runs).")] = None,
    max_steps: Annotated[int | None, typer.Option(help="Override training.max_steps.")] = None,
    resume: Annotated[bool, typer.Option(help="Start the tagger from OUT_DIR/model-last.")] = False,
) -> None:
    """Train a People's Daily POS tagger on the frozen tok2vec of BASE (configs/tagger.cfg)."""
    from flows.train.corpora import DEFAULT_CORPORA
    from flows.train.tagger import convert_corpus, evaluate_tagger, run_training

    train_size, dev_size = convert_corpus(
        out_dir / "corpus", corpora=corpora or DEFAULT_CORPORA, limit=limit
    )
    typer.echo(f"People's Daily paragraphs: {train_size} train, {dev_size} dev (the last ones)")
    run_training(config, out_dir, base=base, max_steps=max_steps, resume=resume)
    import spacy

    score = evaluate_tagger(spacy.load(out_dir / "model-best"), out_dir / "corpus" / "dev.spacy")
    typer.echo(
        f"dev tag accuracy {score.accuracy:.4f} on {score.aligned} aligned words "
        f"({score.coverage:.1%} of {score.gold_words})"
    )


@train_app.command("pretrain")
def train_pretrain(
    out_dir: Annotated[Path, typer.Option(help="Working directory of the pretraining.")] = Path(
        "training/pretrain"
    ),
    config: ConfigOption = Path("configs/ner.cfg"),
    pkuseg_model: SegmenterOption = Path("training/segmenter/model"),
    vectors: VectorsOption = Path("training/vectors/pipeline"),
    corpora: CorporaOption = None,
    limit: Annotated[int | None, typer.Option(help="Sentences of raw text (smoke runs).")] = None,
    max_epochs: Annotated[int | None, typer.Option(help="Override pretraining.max_epochs.")] = None,
) -> None:
    """Pretrain tok2vec on the raw text of all corpora; weights for `train ner --init-tok2vec`."""
    from flows.train.corpora import DEFAULT_CORPORA
    from flows.train.pretrain import run_pretraining, write_pretraining_corpus

    raw_text = out_dir / "raw_text.spacy"
    write_pretraining_corpus(
        raw_text, pkuseg_model, corpora=corpora or DEFAULT_CORPORA, limit=limit
    )
    weights = run_pretraining(
        config,
        out_dir,
        raw_text=raw_text,
        pkuseg_model=pkuseg_model,
        vectors=vectors,
        max_epochs=max_epochs,
    )
    typer.echo(f"pretrained tok2vec weights: {weights}")


@train_app.command("vectors")
def train_vectors(
    out_dir: Path = Path("training/vectors"),
    pkuseg_model: SegmenterOption = Path("training/segmenter/model"),
    corpora: CorporaOption = None,
) -> None:
    """Train static word vectors on the raw text of all corpora."""
    from flows.train.corpora import DEFAULT_CORPORA
    from flows.train.vectors import train_vectors as train

    train(out_dir, pkuseg_model, corpora=corpora or DEFAULT_CORPORA)


@train_app.command("average")
def average_models(
    trained: Annotated[
        list[Path], typer.Argument(help="Trained pipelines: runs that differ only by --seed.")
    ],
    out_dir: Path = Path("training/ner-average/model-best"),
) -> None:
    """Average the tok2vec and ner weights of several training runs into one pipeline."""
    from flows.train.ner import average_pipelines

    typer.echo(f"averaged pipeline: {average_pipelines(trained, out_dir)}")


@train_app.command("package")
def package_model(
    trained: Annotated[
        Path, typer.Option(help="A trained pipeline, e.g. training/ner/model-best.")
    ] = Path("training/ner/model-best"),
    out_dir: Path = Path("models/zh_news"),
    pkuseg_model: Annotated[Path | None, typer.Option(help="Segmenter to ship instead.")] = None,
    split_segmenter: Annotated[
        Path | None,
        typer.Option(help="People's-Daily-only segmenter, for learning the token splits."),
    ] = None,
    corpora: Annotated[
        Path | None,
        typer.Option(
            help="Corpora directory for the rules' word lexicon and the token splits "
            "(default ../shared/corpora)."
        ),
    ] = None,
    tagger: Annotated[
        Path | None,
        typer.Option(help="Pipeline with a POS tagger trained on this tok2vec (train tagger)."),
    ] = None,
) -> None:
    """Add the zhnews components and their data to a trained pipeline, save it as models/zh_news."""
    from flows.train.corpora import DEFAULT_CORPORA
    from flows.train.package import package

    package(
        trained,
        out_dir,
        pkuseg_model=pkuseg_model,
        split_segmenter=split_segmenter,
        corpora=corpora or DEFAULT_CORPORA,
        tagger=tagger,
    )


@train_app.command("evaluate")
def evaluate_ner_model(
    model: Annotated[Path | None, typer.Option(help="Default: --model's pipeline.")] = None,
    corpus: Annotated[Path, typer.Option(help="Directory of the *dev.spacy files.")] = Path(
        "training/ner/corpus"
    ),
    rules: Annotated[
        bool, typer.Option(help="Score after zhnews_entity_rules (what the tables get).")
    ] = False,
) -> None:
    """Exact-span NER scores per label on our MSRA dev split and our annotated dev splits."""
    import spacy

    from flows.nlp.model import NER_COMPONENTS
    from flows.train.ner import evaluate_ner

    components = [*NER_COMPONENTS, *(["zhnews_entity_rules"] if rules else [])]
    nlp = spacy.load(model_path(model), enable=components)
    for name in ("dev", "news-dev", "cluener-dev"):
        if not (corpus / f"{name}.spacy").exists():
            continue
        for label, score in evaluate_ner(nlp, corpus / f"{name}.spacy").items():
            typer.echo(f"{name:9s} {label:7s} {score}")


@app.command()
def evaluate(
    output: Annotated[Path, typer.Argument(help="Output directory of a run.")] = DEFAULT_OUTPUT,
    annotations: Annotated[Path, typer.Option(help="Directory of annotation JSON files.")] = Path(
        "tests/data/seed_annotations"
    ),
) -> None:
    """Score OUTPUT against hand annotations (entities, dates, numbers, slogans)."""
    from flows.ops.evaluate import evaluate as score

    for aspect, result in score(output, annotations).items():
        typer.echo(f"{aspect:18s} {result}")


@app.command("evaluate-linking")
def evaluate_linking(
    annotations: Annotated[
        Path, typer.Argument(help="JSONL of articles annotated with mentions and officials.")
    ] = Path("data/annotated/linking/linking.jsonl"),
    split: Annotated[str | None, typer.Option(help="Only articles of this split.")] = None,
) -> None:
    """Score division codes and officials: (text, adcode) and (person, title) P/R/F, with
    --model's pipeline."""
    from flows.ops.evaluate import evaluate_linking as score

    if not annotations.exists():
        raise typer.BadParameter(f"{annotations} does not exist", param_hint="ANNOTATIONS")
    result = score(annotations, split=split)
    typer.echo(f"documents          {result.documents}")
    typer.echo(f"mentions (text, adcode) {result.mentions}")
    typer.echo(f"officials (person, title) {result.officials}")
    typer.echo(
        f"officials adcode right {result.adcode_accuracy:.3f} "
        f"({result.adcode_right} of {result.officials.true_positives} matched)"
    )


@app.command("evaluate-entities")
def evaluate_entities(
    annotations: Annotated[
        Path, typer.Argument(help="JSONL of annotated sentences of whole articles.")
    ] = Path("data/annotated/ner_news_articles.jsonl"),
    split: Annotated[str | None, typer.Option(help="Only articles of this split.")] = "dev",
) -> None:
    """Score entities per label over whole articles with --model's pipeline."""
    from flows.ops.evaluate import evaluate_entity_articles

    if not annotations.exists():
        raise typer.BadParameter(f"{annotations} does not exist", param_hint="ANNOTATIONS")
    for label, score in evaluate_entity_articles(annotations, split=split).items():
        typer.echo(f"entities:{label:7} {score}")


@app.command()
def bench(
    model: Annotated[
        Path | None, typer.Option(help="spaCy pipeline to measure (default: --model's).")
    ] = None,
    max_chars: Annotated[int, typer.Option(help="Characters of COVID news to run.")] = 300_000,
    rounds: Annotated[
        int, typer.Option(min=1, help="Times each stage runs; the median is reported.")
    ] = 5,
) -> None:
    """Measure NER throughput (chars/s, one core) on COVID news paragraphs."""
    from flows.ops.bench import machine_description, measure_ner, news_paragraphs

    typer.echo(machine_description())
    paragraphs = list(news_paragraphs(max_chars=max_chars))
    for result in measure_ner(model_path(model), paragraphs, rounds):
        typer.echo(str(result))


@slogans_app.command("evaluate")
def evaluate_slogans(
    split: Annotated[
        str, typer.Option(help="Split of the annotated news to score: dev, test or all.")
    ] = "dev",
    discovery_threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Score from which discovered mentions count (default: the "
            "matcher's DISCOVERY_THRESHOLD).",
        ),
    ] = None,
) -> None:
    """Slogan P/R/F on the annotated news (data/annotated/slogans) and on the seeds.

    `discovered` scores the discovered mentions alone: the threshold is set where its
    precision on the dev split stays >= 0.8.
    """
    from flows.nlp.slogans import DISCOVERY_THRESHOLD, SloganLexicon, SloganMatcher
    from flows.ops.evaluate import annotated_news, annotated_seeds, score_slogans

    if split not in ("dev", "test", "all"):
        raise typer.BadParameter("must be dev, test or all", param_hint="--split")
    threshold = DISCOVERY_THRESHOLD if discovery_threshold is None else discovery_threshold
    matcher = SloganMatcher(SloganLexicon.load(), discovery_threshold=threshold)
    sets = {
        f"news:{split}": annotated_news(split=None if split == "all" else split),
        "seeds": annotated_seeds(),
    }
    for name, documents in sets.items():
        for aspect, result in score_slogans(matcher, documents).items():
            typer.echo(f"{name:10s} {aspect:18s} {result}")


@slogans_app.command("rank")
def rank_slogans(
    output: Annotated[
        Path, typer.Argument(help="Output directory of earlier runs.")
    ] = DEFAULT_OUTPUT,
    limit: int = 30,
) -> None:
    """Rank discovered slogan candidates by frequency, spread and dates, for curators."""
    from flows.nlp.slogans import rank_candidates

    typer.echo("rank  score  mentions  docs  sources  first       last        candidate")
    for rank, row in enumerate(rank_candidates(output, limit=limit), start=1):
        typer.echo(
            f"{rank:4d}  {row.score:5.2f}  {row.n_mentions:8d}  {row.n_docs:4d}  "
            f"{row.n_sources:7d}  {row.first_date}  {row.last_date}  {row.canonical}"
        )


def entry() -> None:
    """The `zhnews` console script: every error one line with its exit code (README)."""
    run_app(app)


if __name__ == "__main__":
    entry()
