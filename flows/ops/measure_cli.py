"""`zhnews evaluate …`, `bench` and `slogans …`: measure the pipeline and curate the lexicon."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from flows import model_path
from flows.ops.errors import ExitCode, fail, require_output
from flows.ops.options import DEFAULT_OUTPUT

slogans_app = typer.Typer(help="Slogan lexicon tools.", no_args_is_help=True)


def evaluate(
    output: Annotated[Path, typer.Argument(help="Output directory of a run.")] = DEFAULT_OUTPUT,
    annotations: Annotated[Path, typer.Option(help="Directory of annotation JSON files.")] = Path(
        "tests/data/seed_annotations"
    ),
) -> None:
    """Score OUTPUT against hand annotations (entities, dates, numbers, slogans)."""
    from flows.ops.evaluate import evaluate as score

    require_output(output)
    if not annotations.is_dir():
        fail(ExitCode.USAGE, f"--annotations {annotations} is not a directory")
    with _malformed_annotations_exit_2():
        results = score(output, annotations)
    if not results:
        fail(
            ExitCode.USAGE,
            f"no document of {output} is annotated in {annotations} (a run of seeds/ is)",
        )
    for aspect, result in results.items():
        typer.echo(f"{aspect:18s} {result}")


def evaluate_linking(
    annotations: Annotated[
        Path, typer.Argument(help="JSONL of articles annotated with mentions and officials.")
    ] = Path("data/annotated/linking/linking.jsonl"),
    split: Annotated[
        str | None, typer.Option(help="Only articles of this split: dev or test (default: all).")
    ] = None,
) -> None:
    """Score division codes and officials: (text, adcode) and (person, title) P/R/F, with
    --model's pipeline."""
    from flows.ops.evaluate import evaluate_linking as score

    if not annotations.exists():
        raise typer.BadParameter(f"{annotations} does not exist", param_hint="ANNOTATIONS")
    with _malformed_annotations_exit_2():
        _require_splits(annotations, split)
        result = score(annotations, split=split)
    typer.echo(f"documents          {result.documents}")
    typer.echo(f"mentions (text, adcode) {result.mentions}")
    typer.echo(f"officials (person, title) {result.officials}")
    typer.echo(
        f"officials adcode right {result.adcode_accuracy:.3f} "
        f"({result.adcode_right} of {result.officials.true_positives} matched)"
    )


def evaluate_entities(
    annotations: Annotated[
        Path, typer.Argument(help="JSONL of annotated sentences of whole articles.")
    ] = Path("data/annotated/ner_news_articles.jsonl"),
    split: Annotated[
        str | None,
        typer.Option(
            help="Only articles of this split: dev, dev2, dev3, dev4 or train; several joined by "
            "commas (dev,dev2,dev3,dev4)."
        ),
    ] = "dev",
) -> None:
    """Score entities per label over whole articles with --model's pipeline."""
    from flows.ops.evaluate import evaluate_entity_articles

    if not annotations.exists():
        raise typer.BadParameter(f"{annotations} does not exist", param_hint="ANNOTATIONS")
    with _malformed_annotations_exit_2():
        _require_splits(annotations, split)
        scores = evaluate_entity_articles(annotations, split=split)
    for label, score in scores.items():
        typer.echo(f"entities:{label:7} {score}")


@contextmanager
def _malformed_annotations_exit_2() -> Iterator[None]:
    """A malformed annotation file is exit 2 with one line naming the file and line."""
    from flows.ops.evaluate import AnnotationError

    try:
        yield
    except AnnotationError as error:
        fail(ExitCode.USAGE, error)


def _require_splits(annotations: Path, split: str | None) -> None:
    """Exit 2 when `split` (comma-separated names) names a split the file lacks, which would
    score nothing."""
    from flows.ops.evaluate import read_annotations

    if split is None:
        return
    known = {item.get("split") for item in read_annotations(annotations)} - {None}
    unknown = sorted(set(split.split(",")) - known)
    if unknown:
        fail(
            ExitCode.USAGE,
            f"--split {','.join(unknown)}: {annotations} has the splits {', '.join(sorted(known))}",
        )


def evaluate_dates_numbers(
    annotations: Annotated[
        Path, typer.Argument(help="JSONL of whole articles annotated with dates and numbers.")
    ] = Path("data/annotated/dates_numbers/dates_numbers.jsonl"),
    split: Annotated[str, typer.Option(help="Split to score: dev, test or all.")] = "dev",
) -> None:
    """Score dates (by text, then start/end) and numbers (by kind and text, then value) over
    whole articles with --model's pipeline."""
    from flows.ops.evaluate import evaluate_dates_numbers as score

    if split not in ("dev", "test", "all"):
        raise typer.BadParameter("must be dev, test or all", param_hint="--split")
    if not annotations.exists():
        raise typer.BadParameter(f"{annotations} does not exist", param_hint="ANNOTATIONS")
    with _malformed_annotations_exit_2():
        results = score(annotations, split=None if split == "all" else split)
    for aspect, result in results.items():
        typer.echo(f"{aspect:8s} {result}")


def bench(
    model: Annotated[
        Path | None, typer.Option(help="spaCy pipeline to measure (default: --model's).")
    ] = None,
    max_chars: Annotated[int, typer.Option(help="Characters of COVID news to run.")] = 300_000,
    rounds: Annotated[
        int, typer.Option(min=1, help="Times each stage runs; the median is reported.")
    ] = 5,
) -> None:
    """Measure throughput (chars/s, one core) of the tokenizer, NER and the whole pipeline on
    COVID news paragraphs."""
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
    unseen: Annotated[
        bool,
        typer.Option(
            "--unseen",
            help="Also score the split with a lexicon lacking every formula annotated only "
            "in it (not in the other split or the seeds): what unseen text gets.",
        ),
    ] = False,
    keep_recurring: Annotated[
        int,
        typer.Option(
            min=0,
            help="With --unseen, keep the formulas found in at least this many covid_news "
            "items outside the annotated set (0: keep none).",
        ),
    ] = 0,
    annotation_round: Annotated[
        int | None,
        typer.Option(
            "--round",
            min=1,
            help="Score only the items of this annotation round; --unseen still leaves out "
            "the formulas annotated only in the whole split.",
        ),
    ] = None,
) -> None:
    """Slogan P/R/F on the annotated news (data/annotated/slogans) and on the seeds.

    `discovered` scores the discovered mentions alone: the threshold is set where its
    precision on the dev split stays >= 0.8.
    """
    from flows.nlp.slogans import DISCOVERY_THRESHOLD, SloganLexicon, SloganMatcher
    from flows.ops.evaluate import (
        annotated_news,
        annotated_seeds,
        recurring_formulas,
        score_slogans,
        without_formulas_only_in,
    )
    from flows.train.corpora import COVID_NEWS, DEFAULT_CORPORA

    if split not in ("dev", "test", "all"):
        raise typer.BadParameter("must be dev, test or all", param_hint="--split")
    if unseen and split == "all":
        raise typer.BadParameter("needs --split dev or test", param_hint="--unseen")
    threshold = DISCOVERY_THRESHOLD if discovery_threshold is None else discovery_threshold
    lexicon = SloganLexicon.load()
    news = annotated_news(split=None if split == "all" else split)
    scored_news = annotated_news(
        split=None if split == "all" else split, annotation_round=annotation_round
    )
    if not scored_news:
        raise typer.BadParameter(
            f"no {split} items of round {annotation_round}", param_hint="--round"
        )
    seeds = annotated_seeds()
    scored = [(f"news:{split}", lexicon, scored_news), ("seeds", lexicon, seeds)]
    if unseen:
        other = annotated_news(split="test" if split == "dev" else "dev")
        keep = frozenset()
        if keep_recurring:
            corpus = DEFAULT_CORPORA / COVID_NEWS
            keep = recurring_formulas(lexicon, corpus, keep_recurring)
        ablated = without_formulas_only_in(lexicon, news, [*other, *seeds], keep)
        removed = len(lexicon.entries) - len(ablated.entries)
        typer.echo(f"unseen: {removed} formulas annotated only in {split} left out of the lexicon")
        scored.append((f"news:{split}:unseen", ablated, scored_news))
    for name, used, documents in scored:
        matcher = SloganMatcher(used, discovery_threshold=threshold)
        for aspect, result in score_slogans(matcher, documents).items():
            typer.echo(f"{name:16s} {aspect:18s} {result}")


@slogans_app.command("rank")
def rank_slogans(
    output: Annotated[
        Path, typer.Argument(help="Output directory of earlier runs.")
    ] = DEFAULT_OUTPUT,
    limit: Annotated[int, typer.Option(min=1, help="Candidates to list.")] = 30,
) -> None:
    """Rank discovered slogan candidates by frequency, spread and dates, for curators."""
    from flows.nlp.slogans import rank_candidates
    from flows.store.tables import Table, part_files

    require_output(output)
    if not part_files(output, Table.SLOGANS):
        typer.echo(f"no slogans in {output}")
        return
    typer.echo("rank  score  mentions  docs  sources  first       last        candidate")
    for rank, row in enumerate(rank_candidates(output, limit=limit), start=1):
        typer.echo(
            f"{rank:4d}  {row.score:5.2f}  {row.n_mentions:8d}  {row.n_docs:4d}  "
            f"{row.n_sources:7d}  {row.first_date}  {row.last_date}  {row.canonical}"
        )
