"""Errors a person can act on at once: one line, the documented exit code, no traceback."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.ops.cli import app
from flows.ops.errors import ExitCode
from flows.store import tables
from flows.store.check import check_output
from flows.store.ledger import LEDGER_NAME
from flows.store.tables import Table
from tests.conftest import REPO_ROOT, SEEDS, document_row

# Usage errors are found before Prefect starts (which takes 10-40 s); on a loaded CI machine
# starting Python and reading the options still takes about a second.
FAST_SECONDS = 5


def _zhnews(*args: str | Path) -> tuple[int, str, str, float]:
    """Run the command in a fresh process: exit status, stdout, stderr, seconds."""
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.perf_counter()
    command = [*map(str, args)] if args[0] == "-c" else ["-m", "flows.ops.cli", *map(str, args)]
    process = subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    return process.returncode, process.stdout, process.stderr, time.perf_counter() - started


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("as_output", ["file", "file/below"])
def test_a_file_as_output_is_a_usage_error_at_once(tmp_path: Path, as_output: str) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, stderr, seconds = _zhnews("run", SEEDS, "--output", tmp_path / as_output)
    assert code == ExitCode.USAGE
    assert "is not a directory" in _one_error_line(stderr)
    assert seconds < FAST_SECONDS


def test_a_missing_input_is_a_usage_error_at_once(tmp_path: Path) -> None:
    code, _, stderr, seconds = _zhnews("run", tmp_path / "absent", "--output", tmp_path / "out")
    assert code == ExitCode.USAGE
    assert "no such input" in _one_error_line(stderr)
    assert seconds < FAST_SECONDS
    assert not (tmp_path / "out").exists()


def test_a_held_lock_exits_3_at_once(tmp_path: Path) -> None:
    output = tmp_path / "out"
    with tables.output_lock(output):
        code, _, stderr, seconds = _zhnews("run", SEEDS, "--output", output)
    assert code == ExitCode.LOCKED
    assert "another zhnews run" in _one_error_line(stderr)
    assert seconds < FAST_SECONDS


def test_an_empty_input_directory_says_so_and_exits_0(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    code, stdout, stderr, seconds = _zhnews("run", tmp_path / "in", "--output", tmp_path / "out")
    assert (code, stderr) == (0, "")
    assert stdout.startswith("nothing to do: no input files in")
    assert len(stdout.strip().splitlines()) == 1
    assert seconds < FAST_SECONDS


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "--max-chars", "0"], "'--max-chars'"),
        (["run", "--runner", "threads"], "'--runner'"),
        (["check", "--bogus"], "--bogus"),
        (["compile"], "'compile'"),
    ],
)
def test_a_bad_flag_value_or_command_is_one_line_and_exit_2(args: list[str], named: str) -> None:
    code, stdout, stderr, _ = _zhnews(*args)
    assert (code, stdout) == (ExitCode.USAGE, "")
    line = _one_error_line(stderr)
    assert named in line and line.endswith("--help)")


def test_an_unexpected_error_is_one_line_and_its_traceback_needs_debug(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / LEDGER_NAME).write_text("{not json", encoding="utf-8")
    code, _, stderr, _ = _zhnews("run", SEEDS, "--output", output)
    assert code == ExitCode.FAILED
    assert "JSONDecodeError" in _one_error_line(stderr)
    assert "--debug" in stderr
    code, _, stderr, _ = _zhnews("--debug", "run", SEEDS, "--output", output)
    assert code == ExitCode.FAILED
    assert "Traceback (most recent call last)" in stderr


@pytest.mark.parametrize(
    "option",
    [["--max-chars", "-1"], ["--max-chars", "0"], ["--workers", "0"], ["--batch-size", "0"]],
)
def test_bad_option_values_are_usage_errors(tmp_path: Path, option: list[str]) -> None:
    result = CliRunner().invoke(app, ["run", str(SEEDS), "--output", str(tmp_path), *option])
    assert result.exit_code == ExitCode.USAGE
    assert not list(tmp_path.iterdir())


def _output_of_one_document(output: Path, source: str) -> Path:
    """An output holding one committed `documents` row read from `source`."""
    with tables.transaction(output, "r1-00000") as tx:
        tx.write(
            Table.DOCUMENTS,
            dt.date(2026, 12, 7),
            tables.to_table(Table.DOCUMENTS, [document_row(source=source)]),
        )
    return output


@pytest.mark.parametrize(
    "command",
    [["check"], ["compact"], ["catalog"], ["report"], ["evaluate"], ["slogans", "rank"]],
)
def test_a_directory_zhnews_never_wrote_is_a_usage_error_and_stays_empty(
    tmp_path: Path, command: list[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, [*command, str(empty)])
    assert result.exit_code == ExitCode.USAGE
    assert result.output == f"error: {empty} is not a zhnews output (no tables, no " + (
        ".zhnews/manifest.json): give the --output directory of a zhnews run\n"
    )
    assert not list(empty.iterdir())


def test_evaluate_of_an_output_without_annotated_documents_is_a_usage_error(
    tmp_path: Path,
) -> None:
    output = _output_of_one_document(tmp_path / "out", "feeds/other.txt")
    result = CliRunner().invoke(app, ["evaluate", str(output)])
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(f"error: no document of {output} is annotated in ")
    assert result.output.count("\n") == 1
    missing = tmp_path / "none"
    result = CliRunner().invoke(app, ["evaluate", str(output), "--annotations", str(missing)])
    assert (result.exit_code, result.output) == (
        ExitCode.USAGE,
        f"error: --annotations {missing} is not a directory\n",
    )


def test_slogans_rank_of_an_output_without_slogans_says_so(tmp_path: Path) -> None:
    output = _output_of_one_document(tmp_path / "out", "a.txt")
    result = CliRunner().invoke(app, ["slogans", "rank", str(output)])
    assert (result.exit_code, result.output) == (0, f"no slogans in {output}\n")


# Runs the command with the disk "full" at the third batch's commit; argv[1] "stays" keeps
# it full from then on (the failed run's `runs` row cannot be written either).
FULL_DISK = """
import errno, os, sys
from flows.ops.cli import entry
from flows.store import tables

write, tables_written = tables.Transaction.write, []
stays_full = sys.argv.pop(1) == "stays"

def fill_the_disk(self, table, day, data):
    tables_written.append(table)
    full = tables_written.count(tables.Table.DOCUMENTS) >= 3 if stays_full else (
        table is tables.Table.DOCUMENTS and tables_written.count(table) == 3
    )
    if full:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(table.value))
    return write(self, table, day, data)

tables.Transaction.write = fill_the_disk
sys.argv[0] = "zhnews"
entry()
"""


@pytest.mark.slow
def test_a_full_disk_mid_run_exits_5_and_keeps_committed_batches(tmp_path: Path) -> None:
    output = tmp_path / "out"
    args = ["run", SEEDS, "--output", output, "--batch-size", "1", "--no-progress"]
    code, _, stderr, _ = _zhnews("-c", FULL_DISK, "frees", *args)
    assert code == ExitCode.STORAGE, stderr
    # Prefect's progress lines surround it (and its server may log its own troubles): one
    # error line, and no traceback through zhnews' code.
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "No space left on device" in errors[0] and "committed" in errors[0]
    assert not re.search(r'^\s+File ".*/flows/', stderr, re.MULTILINE), stderr
    assert tables.read_table(output, Table.DOCUMENTS, ["source"]).num_rows == 2
    [failed] = tables.read_table(output, Table.RUNS).to_pylist()
    assert (failed["status"], failed["documents"]) == ("failed", 2)
    assert failed["error"].startswith("OSError:") and "No space left" in failed["error"]
    assert check_output(output) == []

    code, _, stderr, _ = _zhnews(*args)
    assert code == 0, stderr
    documents = tables.read_table(output, Table.DOCUMENTS, ["source"]).num_rows
    assert documents == len(list(SEEDS.glob("*.txt")))
    statuses = tables.read_table(output, Table.RUNS, ["status"])["status"].to_pylist()
    assert sorted(statuses) == ["completed", "failed"]
    assert check_output(output) == []
    code, stdout, _, seconds = _zhnews(*args)
    assert code == 0
    assert stdout.startswith("nothing new") and len(stdout.strip().splitlines()) == 1
    assert seconds < FAST_SECONDS


@pytest.mark.slow
def test_a_disk_that_stays_full_exits_5_and_says_the_failed_run_was_not_recorded(
    tmp_path: Path,
) -> None:
    output = tmp_path / "out"
    args = ["run", SEEDS, "--output", output, "--batch-size", "1", "--no-progress"]
    code, _, stderr, _ = _zhnews("-c", FULL_DISK, "stays", *args)
    assert code == ExitCode.STORAGE, stderr
    [error] = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert error.index("No space left on device") < error.index("runs row was not written")
    assert tables.read_table(output, Table.RUNS).num_rows == 0
    assert tables.read_table(output, Table.DOCUMENTS, ["source"]).num_rows == 2
    assert check_output(output) == []


# Runs the command counting the directory walks of its inputs (printed last, on stderr).
COUNT_WALKS = """
import atexit, sys
from flows.inputs import ingest
from flows.ops.cli import entry

find, walks = ingest.find_input_files, []

def counted(paths, **options):
    walks.extend(p for p in paths if p.is_dir())
    return find(paths, **options)

ingest.find_input_files = counted
atexit.register(lambda: print(f"walks: {len(walks)}", file=sys.stderr))
sys.argv[0] = "zhnews"
entry()
"""


@pytest.mark.slow
def test_a_run_walks_its_inputs_once(tmp_path: Path) -> None:
    args = ["run", SEEDS, "--output", tmp_path / "out", "--no-progress"]
    code, _, stderr, _ = _zhnews("-c", COUNT_WALKS, *args)
    assert code == 0, stderr
    assert stderr.strip().splitlines()[-1] == "walks: 1"
    assert tables.read_table(tmp_path / "out", Table.DOCUMENTS, ["source"]).num_rows == len(
        list(SEEDS.glob("*.txt"))
    )


@pytest.mark.parametrize("command", ["evaluate-entities", "evaluate-linking"])
def test_a_split_the_annotations_lack_is_a_usage_error(tmp_path: Path, command: str) -> None:
    """Before, a misspelt split scored no article: every figure 1.000, exit 0."""
    annotations = tmp_path / "annotated.jsonl"
    annotations.write_text(
        '{"id": "a:0", "split": "dev"}\n{"id": "b:0", "split": "test"}\n', encoding="utf-8"
    )
    result = CliRunner().invoke(app, [command, str(annotations), "--split", "dev,tset"])
    assert (result.exit_code, result.output) == (
        ExitCode.USAGE,
        f"error: --split tset: {annotations} has the splits dev, test\n",
    )


MALFORMED_LINES = {
    # Before, each was exit 1 with Python's own error (JSONDecodeError, AttributeError,
    # TypeError), naming neither file nor line.
    "not JSON": ('{"id": "b:0", "split": "dev", "text": "y", "entities": [}', "not JSON"),
    "not an object": ('["b:0", "dev"]', "not a JSON object"),
}


@pytest.mark.parametrize("malformed", MALFORMED_LINES)
@pytest.mark.parametrize(
    "command", ["evaluate-entities", "evaluate-linking", "evaluate-dates-numbers"]
)
def test_a_malformed_annotation_line_is_a_usage_error_naming_file_and_line(
    tmp_path: Path, command: str, malformed: str
) -> None:
    line, problem = MALFORMED_LINES[malformed]
    annotations = tmp_path / "annotated.jsonl"
    annotations.write_text(f"\n\n{line}\n", encoding="utf-8")  # blank lines are counted
    result = CliRunner().invoke(app, [command, str(annotations), "--split", "dev"])
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(f"error: {annotations}:3: {problem}")
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("evaluate-entities", "text, entities"),
        ("evaluate-linking", "text, mentions, officials"),
        ("evaluate-dates-numbers", "text, dates, numbers"),
    ],
)
def test_an_annotation_without_the_fields_scored_is_a_usage_error(
    tmp_path: Path, command: str, missing: str
) -> None:
    """Found before the pipeline loads; before, a KeyError after it (exit 1)."""
    annotations = tmp_path / "annotated.jsonl"
    annotations.write_text('{"id": "a:0", "split": "dev"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, [command, str(annotations), "--split", "dev"])
    assert (result.exit_code, result.output) == (
        ExitCode.USAGE,
        f"error: {annotations}:1: missing {missing}\n",
    )


def test_a_malformed_seed_annotation_is_a_usage_error_naming_file_and_line(
    tmp_path: Path,
) -> None:
    output = _output_of_one_document(tmp_path / "out", "000_09d1d3fb153f71d8.txt")
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    (annotations / "000.json").write_text(
        '{\n  "doc": "000_09d1d3fb153f71d8.txt",\n  "entities": [\n}\n'
    )
    result = CliRunner().invoke(app, ["evaluate", str(output), "--annotations", str(annotations)])
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(f"error: {annotations / '000.json'}:4: not JSON")
    assert result.output.count("\n") == 1


def test_a_report_onto_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    """Before, the page's write failed as an unexpected error (IsADirectoryError, exit 1)."""
    output = _output_of_one_document(tmp_path / "out", "a.txt")
    result = CliRunner().invoke(app, ["report", str(output), "--out", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        ExitCode.USAGE,
        f"error: --out {tmp_path} is a directory: name the HTML file to write\n",
    )


def _training_inputs(root: Path) -> dict[str, Path]:
    """Stand-ins that pass the `zhnews train` checks (nothing here could be trained on) and
    paths that do not exist."""
    corpora, segmenter, pipeline = root / "corpora", root / "segmenter", root / "pipeline"
    for directory in (corpora, segmenter, pipeline):
        directory.mkdir()
    (segmenter / "weights.npz").touch()
    (pipeline / "config.cfg").touch()
    return {
        "corpora": corpora,
        "segmenter": segmenter,
        "pipeline": pipeline,
        "config": REPO_ROOT / "configs" / "ner.cfg",
        "missing": root / "missing",
        "shipped": root / "training" / "segmenter-shipped",
    }


# Each `zhnews train` command with one input wrong, and what its error line says.
TRAIN_USAGE_ERRORS = [
    ("segmenter --corpora {missing}", "--corpora {missing} is not a directory"),
    ("segmenter --corpora {corpora} --entity-aware {missing}", "--entity-aware {missing} is not"),
    ("prune-segmenter --model {missing}", "--model {missing} is not a pkuseg model"),
    ("ner --corpora {missing}", "--corpora {missing} is not a directory"),
    ("ner --corpora {corpora} --config {missing}", "--config {missing} is not a file"),
    ("ner --corpora {corpora} --pkuseg-model {missing}", "--pkuseg-model {missing} is not a"),
    (
        "ner --corpora {corpora} --pkuseg-model {segmenter} --vectors {missing}",
        "--vectors {missing} is not a spaCy pipeline",
    ),
    (
        "ner --corpora {corpora} --pkuseg-model {segmenter} --vectors {pipeline} "
        "--init-tok2vec {missing}",
        "--init-tok2vec {missing} is not a file",
    ),
    (
        "ner --corpora {corpora} --pkuseg-model {segmenter} --vectors {pipeline} "
        "--resume --out-dir {missing}",
        "--resume: nothing to resume from",
    ),
    ("distill --teacher {missing}", "--teacher {missing} is not a spaCy pipeline"),
    (
        "distill --teacher {pipeline} --pkuseg-model {shipped}",
        "--pkuseg-model {shipped} is not a pkuseg model",
    ),
    (
        "distill --teacher {pipeline} --pkuseg-model {segmenter} --corpora {missing}",
        "--corpora {missing} is not a directory",
    ),
    (
        "distill --teacher {pipeline} --pkuseg-model {segmenter} --resume --out-dir {missing}",
        "--resume: nothing to resume from",
    ),
    (
        "distill --teacher {pipeline} --pkuseg-model {segmenter} --corpora {corpora}",
        "give --depth, --rank or both",
    ),
    ("tagger --corpora {missing}", "--corpora {missing} is not a directory"),
    ("tagger --corpora {corpora} --base {missing}", "--base {missing} is not a spaCy pipeline"),
    ("pretrain --corpora {missing}", "--corpora {missing} is not a directory"),
    ("pretrain --corpora {corpora} --pkuseg-model {missing}", "--pkuseg-model {missing} is not"),
    ("vectors --corpora {missing}", "--corpora {missing} is not a directory"),
    ("vectors --corpora {corpora} --pkuseg-model {missing}", "--pkuseg-model {missing} is not"),
    ("average {pipeline}", "averaging needs at least two TRAINED pipelines"),
    ("average {pipeline} {missing}", "TRAINED {missing} is not a spaCy pipeline"),
    ("package --corpora {missing}", "--corpora {missing} is not a directory"),
    ("package --corpora {corpora} --trained {missing}", "--trained {missing} is not a spaCy"),
    (
        "package --corpora {corpora} --trained {pipeline} --split-segmenter {missing}",
        "--split-segmenter {missing} is not a pkuseg model",
    ),
    (
        "package --corpora {corpora} --trained {pipeline} --tagger {missing}",
        "--tagger {missing} is not a spaCy pipeline",
    ),
    ("evaluate --corpus {missing}", "--corpus {missing} is not a directory"),
    ("evaluate --corpus {corpora}", "--corpus {corpora} holds none of dev.spacy"),
]


def _train_args(command: str, inputs: dict[str, Path]) -> list[str]:
    return ["train", *(word.format(**inputs) for word in command.split())]


@pytest.mark.parametrize(("command", "says"), TRAIN_USAGE_ERRORS)
def test_a_wrong_training_input_is_one_line_and_exit_2(
    tmp_path: Path, command: str, says: str
) -> None:
    """Before, a missing corpora directory failed minutes in (FileNotFoundError, exit 1) and
    `train evaluate` of a missing corpus printed nothing and exited 0."""
    inputs = _training_inputs(tmp_path)
    result = CliRunner().invoke(app, _train_args(command, inputs))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {says.format(**inputs)}")


def test_train_evaluate_of_a_missing_model_is_a_usage_error(tmp_path: Path) -> None:
    inputs = _training_inputs(tmp_path)
    (inputs["corpora"] / "dev.spacy").touch()
    args = ["train", "evaluate", "--corpus", str(inputs["corpora"])]
    result = CliRunner().invoke(app, [*args, "--model", str(inputs["missing"])])
    assert result.exit_code == ExitCode.USAGE
    assert result.output.startswith(f"error: no spaCy pipeline at {inputs['missing']} (--model)")


# Runs each wrong `zhnews train` command of argv[1:] (Python literals) in one process, then
# prints which of the modules that training loads were imported.
TRAIN_WITHOUT_IMPORTS = """
import ast, sys
from typer.testing import CliRunner
from flows.ops.cli import app

runner = CliRunner()
codes = {int(runner.invoke(app, ast.literal_eval(args)).exit_code) for args in sys.argv[1:]}
loaded = sorted({"spacy", "thinc", "spacy_pkuseg", "gensim", "prefect"} & set(sys.modules))
print(sorted(codes), loaded)
"""


def test_wrong_training_inputs_are_found_before_the_training_modules_load(
    tmp_path: Path,
) -> None:
    inputs = _training_inputs(tmp_path)
    commands = [repr(_train_args(command, inputs)) for command, _ in TRAIN_USAGE_ERRORS]
    code, stdout, stderr, seconds = _zhnews("-c", TRAIN_WITHOUT_IMPORTS, *commands)
    assert (code, stdout) == (0, f"[{int(ExitCode.USAGE)}] []\n"), stderr
    assert seconds < FAST_SECONDS


def test_every_training_option_has_help() -> None:
    train = typer.main.get_command(app).commands["train"]
    undocumented = [
        f"{name} {param.name}"
        for name, command in train.commands.items()
        for param in command.params
        if not getattr(param, "help", None)
    ]
    assert undocumented == []
