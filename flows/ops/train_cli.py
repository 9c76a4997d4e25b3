"""`zhnews train …`: retrain and score zhnews' own models from the public corpora."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows import ModelMissingError, model_path
from flows.ops.errors import ExitCode, fail
from flows.ops.options import (
    Corpora,
    DevSplitOption,
    EntityAwareDocs,
    LearnRate,
    MaxSteps,
    NewsArticlesWeight,
    Resume,
    Segmenter,
    SmokeLimit,
    SplitSegmenter,
    TaggerPipeline,
    TrainConfig,
    Vectors,
    WorkDir,
)
from flows.train.splits import DevSplit

# The dev sets `zhnews train ner` writes to OUT_DIR/corpus, in the order they are scored.
DEV_SETS = ("dev", "news-dev", "cluener-dev")

train_app = typer.Typer(
    help="Train zhnews' own models from the public corpora.", no_args_is_help=True
)


# The checks below run before the training modules are imported (they load slowly), so a
# mistyped path is one line and exit 2 at once rather than a traceback minutes into a run.


def corpora_dir(given: Path | None, *, read: bool = True) -> Path:
    """--corpora, else the default; it must be a directory when the command will `read` it."""
    from flows.train.corpora import DEFAULT_CORPORA

    corpora = given or DEFAULT_CORPORA
    if read and not corpora.is_dir():
        source = "" if given else " (the default: set $ZHNEWS_CORPORA or pass --corpora)"
        fail(ExitCode.USAGE, f"--corpora {corpora} is not a directory{source}")
    return corpora


def _require_file(option: str, path: Path) -> None:
    if not path.is_file():
        fail(ExitCode.USAGE, f"{option} {path} is not a file")


def _require_segmenter(option: str, path: Path) -> None:
    """A pkuseg model directory, as `zhnews train segmenter` writes to OUT_DIR/model."""
    if not (path / "weights.npz").is_file():
        fail(
            ExitCode.USAGE,
            f"{option} {path} is not a pkuseg model (no weights.npz): zhnews train segmenter "
            "writes one to OUT_DIR/model; models/README.md says how the shipped one is made",
        )


def _require_pipeline(option: str, path: Path) -> None:
    """A saved spaCy pipeline (a directory with its config.cfg)."""
    if not (path / "config.cfg").is_file():
        fail(ExitCode.USAGE, f"{option} {path} is not a spaCy pipeline (no config.cfg)")


def _require_resumable(out_dir: Path) -> None:
    """--resume continues from OUT_DIR/model-last, which an earlier training saved."""
    if not (out_dir / "model-last" / "config.cfg").is_file():
        fail(
            ExitCode.USAGE,
            f"--resume: nothing to resume from, {out_dir / 'model-last'} is not a spaCy "
            "pipeline (train without --resume first)",
        )


@train_app.command("segmenter")
def train_segmenter(
    out_dir: WorkDir = Path("training/segmenter"),
    corpora: Corpora = None,
    iterations: Annotated[int, typer.Option(min=1, help="Training passes over the corpus.")] = 3,
    resume: Resume = False,
    limit: SmokeLimit = None,
    entity_aware: EntityAwareDocs = None,
) -> None:
    """Train the pkuseg segmenter on People's Daily 1998."""
    corpora = corpora_dir(corpora)
    if entity_aware is not None:
        _require_file("--entity-aware", entity_aware)
    from flows.train.segmenter import train_segmenter as train

    train(out_dir, corpora, iterations, resume, limit, entity_aware)


@train_app.command("prune-segmenter")
def prune_segmenter(
    model: Annotated[Path, typer.Option(help="The pkuseg model to shrink.")] = Path(
        "training/segmenter-ea/model"
    ),
    out_dir: Annotated[Path, typer.Option(help="Where the pruned pkuseg model is saved.")] = Path(
        "training/segmenter-ea/pruned"
    ),
    threshold: Annotated[float, typer.Option(help="Drop features with all |w| <= this.")] = 0.02,
) -> None:
    """Shrink a pkuseg model by dropping features whose weights are all near zero."""
    _require_segmenter("--model", model)
    from flows.train.segmenter import prune_segmenter as prune

    prune(model, out_dir, threshold=threshold)


@train_app.command("ner")
def train_ner(
    out_dir: WorkDir = Path("training/ner"),
    config: TrainConfig = Path("configs/ner.cfg"),
    pkuseg_model: Segmenter = Path("training/segmenter/model"),
    vectors: Vectors = Path("training/vectors/pipeline"),
    corpora: Corpora = None,
    limit: SmokeLimit = None,
    max_steps: MaxSteps = None,
    learn_rate: LearnRate = None,
    resume: Resume = False,
    cluener_weight: Annotated[
        int, typer.Option(help="Times each annotated CLUENER train sentence is repeated.")
    ] = 3,
    news_articles_weight: NewsArticlesWeight = 0,
    init_tok2vec: Annotated[
        Path | None, typer.Option(help="Pretrained tok2vec weights (zhnews train pretrain).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Override system.seed (default 0).")] = None,
    dev_split: DevSplitOption = DevSplit.BLOCKS,
) -> None:
    """Convert the NER corpora and train tok2vec + ner (spacy train with configs/ner.cfg)."""
    corpora = corpora_dir(corpora)
    _require_file("--config", config)
    _require_segmenter("--pkuseg-model", pkuseg_model)
    if vectors is not None:
        _require_pipeline("--vectors", vectors)
    if init_tok2vec is not None:
        _require_file("--init-tok2vec", init_tok2vec)
    if resume:
        _require_resumable(out_dir)
    from flows.train.ner import convert_corpora, run_training

    convert_corpora(
        pkuseg_model,
        out_dir / "corpus",
        corpora=corpora,
        limit=limit,
        cluener_weight=cluener_weight,
        news_articles_weight=news_articles_weight,
        split=dev_split,
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


@train_app.command("distill")
def train_distill(
    out_dir: WorkDir = Path("training/student"),
    teacher: Annotated[
        Path, typer.Option(help="The pipeline whose tok2vec + ner label the silver corpus.")
    ] = Path("models/zh_news"),
    depth: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Encoder layers the student keeps (the teacher's first; default: all). "
            "Give --depth, --rank or both.",
        ),
    ] = None,
    rank: Annotated[
        int | None,
        typer.Option(min=1, help="Rank of the student's encoder Maxout layers (truncated SVD)."),
    ] = None,
    embed_rank: Annotated[
        int | None,
        typer.Option(min=1, help="Rank of the embedding's mixing Maxout (default: --rank)."),
    ] = None,
    config: TrainConfig = Path("configs/ner.cfg"),
    pkuseg_model: Segmenter = Path("training/segmenter-shipped"),
    corpora: Corpora = None,
    limit: SmokeLimit = None,
    silver_limit: Annotated[
        int | None, typer.Option(help="COVID news items the teacher labels (default: all).")
    ] = None,
    max_steps: MaxSteps = None,
    learn_rate: LearnRate = None,
    eval_frequency: Annotated[
        int | None, typer.Option(help="Steps between dev scores (checkpoints).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Override system.seed (default 0).")] = None,
    resume: Resume = False,
    dev_split: DevSplitOption = DevSplit.BLOCKS,
    news_articles_weight: NewsArticlesWeight = 0,
    match_features: Annotated[
        bool,
        typer.Option(
            help="Train tok2vec alone to give the teacher's vectors (ner kept as is; 5,000 "
            "steps, dev scored every 500, learn rate 0.001 unless given)."
        ),
    ] = False,
) -> None:
    """Distil a student with a shallower (--depth) or low-rank (--rank) tok2vec from TEACHER: the
    teacher labels the COVID news (less the dev items), the student starts from its weights
    and trains on gold + silver (--match-features: its tok2vec alone, towards the teacher's
    vectors on the same texts)."""
    _require_pipeline("--teacher", teacher)
    _require_file("--config", config)
    _require_segmenter("--pkuseg-model", pkuseg_model)
    # --resume trains on from OUT_DIR/model-last and does not read the corpora again.
    corpora = corpora_dir(corpora, read=not resume)
    if resume:
        _require_resumable(out_dir)
    if depth is None and rank is None and not resume:
        fail(ExitCode.USAGE, "give --depth, --rank or both: the student must be smaller")
    from flows.train.distill import distill

    distill(
        teacher,
        out_dir,
        config_path=config,
        pkuseg_model=pkuseg_model,
        depth=depth,
        rank=rank,
        embed_rank=embed_rank,
        corpora=corpora,
        limit=limit,
        silver_limit=silver_limit,
        split=dev_split,
        news_articles_weight=news_articles_weight,
        max_steps=max_steps,
        learn_rate=learn_rate,
        eval_frequency=eval_frequency,
        seed=seed,
        resume=resume,
        match_features=match_features,
    )


@train_app.command("tagger")
def train_tagger(
    out_dir: WorkDir = Path("training/tagger"),
    config: TrainConfig = Path("configs/tagger.cfg"),
    base: Annotated[
        Path, typer.Option(help="Pipeline whose tokenizer and frozen tok2vec the tagger uses.")
    ] = Path("models/zh_news"),
    corpora: Corpora = None,
    limit: SmokeLimit = None,
    max_steps: MaxSteps = None,
    resume: Resume = False,
) -> None:
    """Train a People's Daily POS tagger on the frozen tok2vec of BASE (configs/tagger.cfg)."""
    corpora = corpora_dir(corpora)
    _require_file("--config", config)
    _require_pipeline("--base", base)
    if resume:
        _require_resumable(out_dir)
    from flows.train.tagger import convert_corpus, evaluate_tagger, run_training

    train_size, dev_size = convert_corpus(out_dir / "corpus", corpora=corpora, limit=limit)
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
    out_dir: WorkDir = Path("training/pretrain"),
    # In the order the two steps use them: segment the raw text, then pretrain on it.
    corpora: Corpora = None,
    pkuseg_model: Segmenter = Path("training/segmenter/model"),
    limit: SmokeLimit = None,
    config: TrainConfig = Path("configs/ner.cfg"),
    vectors: Vectors = Path("training/vectors/pipeline"),
    max_epochs: Annotated[int | None, typer.Option(help="Override pretraining.max_epochs.")] = None,
    dev_split: DevSplitOption = DevSplit.BLOCKS,
) -> None:
    """Pretrain tok2vec on the raw text of all corpora less the NER dev sets of --dev-split;
    weights for `train ner --init-tok2vec`."""
    corpora = corpora_dir(corpora)
    _require_segmenter("--pkuseg-model", pkuseg_model)
    _require_file("--config", config)
    if vectors is not None:
        _require_pipeline("--vectors", vectors)
    from flows.train.pretrain import run_pretraining, write_pretraining_corpus

    raw_text = out_dir / "raw_text.spacy"
    write_pretraining_corpus(raw_text, pkuseg_model, corpora=corpora, limit=limit, split=dev_split)
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
    out_dir: WorkDir = Path("training/vectors"),
    pkuseg_model: Segmenter = Path("training/segmenter/model"),
    corpora: Corpora = None,
    dev_split: DevSplitOption = DevSplit.BLOCKS,
) -> None:
    """Train static word vectors on the raw text of all corpora less the NER dev sets."""
    corpora = corpora_dir(corpora)
    _require_segmenter("--pkuseg-model", pkuseg_model)
    from flows.train.vectors import train_vectors as train

    train(out_dir, pkuseg_model, corpora=corpora, split=dev_split)


@train_app.command("average")
def average_models(
    trained: Annotated[
        list[Path], typer.Argument(help="Trained pipelines: runs that differ only by --seed.")
    ],
    out_dir: Annotated[Path, typer.Option(help="Where the averaged pipeline is saved.")] = Path(
        "training/ner-average/model-best"
    ),
) -> None:
    """Average the tok2vec and ner weights of several training runs into one pipeline."""
    if len(trained) < 2:
        fail(ExitCode.USAGE, "averaging needs at least two TRAINED pipelines")
    for pipeline in trained:
        _require_pipeline("TRAINED", pipeline)
    from flows.train.ner import average_pipelines

    typer.echo(f"averaged pipeline: {average_pipelines(trained, out_dir)}")


@train_app.command("package")
def package_model(
    trained: Annotated[
        Path, typer.Option(help="A trained pipeline, e.g. training/ner/model-best.")
    ] = Path("training/ner/model-best"),
    out_dir: Annotated[Path, typer.Option(help="Where the packaged pipeline is saved.")] = Path(
        "models/zh_news"
    ),
    pkuseg_model: Annotated[Path | None, typer.Option(help="Segmenter to ship instead.")] = None,
    split_segmenter: SplitSegmenter = None,
    corpora: Corpora = None,
    tagger: TaggerPipeline = None,
    dev_split: DevSplitOption = DevSplit.BLOCKS,
) -> None:
    """Add the zhnews components and their data to a trained pipeline, save it as models/zh_news.

    The token splits and the rules' common words are learnt from --dev-split's train part: the
    split the weights were trained on (interleaved for zh_news 0.7.0 and before)."""
    corpora = corpora_dir(corpora)
    _require_pipeline("--trained", trained)
    if pkuseg_model is not None:
        _require_segmenter("--pkuseg-model", pkuseg_model)
    if split_segmenter is not None:
        _require_segmenter("--split-segmenter", split_segmenter)
    if tagger is not None:
        _require_pipeline("--tagger", tagger)
    from flows.train.package import package

    package(
        trained,
        out_dir,
        pkuseg_model=pkuseg_model,
        split_segmenter=split_segmenter,
        corpora=corpora,
        tagger=tagger,
        split=dev_split,
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
    if not corpus.is_dir():
        fail(ExitCode.USAGE, f"--corpus {corpus} is not a directory")
    dev_sets = [name for name in DEV_SETS if (corpus / f"{name}.spacy").is_file()]
    if not dev_sets:
        fail(
            ExitCode.USAGE,
            f"--corpus {corpus} holds none of {', '.join(f'{n}.spacy' for n in DEV_SETS)}: "
            "zhnews train ner writes them to OUT_DIR/corpus",
        )
    try:
        pipeline = model_path(model)
    except ModelMissingError as error:
        fail(ExitCode.USAGE, error)
    import spacy

    from flows.nlp.model import NER_COMPONENTS
    from flows.train.ner import evaluate_ner

    components = [*NER_COMPONENTS, *(["zhnews_entity_rules"] if rules else [])]
    nlp = spacy.load(pipeline, enable=components)
    for name in dev_sets:
        for label, score in evaluate_ner(nlp, corpus / f"{name}.spacy").items():
            typer.echo(f"{name:9s} {label:7s} {score}")
