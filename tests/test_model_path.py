"""One rule for where the pipeline is (flows.model_path) and the `--model` option."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import CHECKOUT_MODEL, MODEL_ENV, ModelMissingError, model_path
from flows.ops.cli import app


def pipeline_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    return path


def no_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """$ZHNEWS_MODEL unset now and restored after the test, whoever sets it meanwhile."""
    monkeypatch.setenv(MODEL_ENV, "")
    monkeypatch.delenv(MODEL_ENV)


def test_explicit_path_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked, from_env = pipeline_dir(tmp_path / "asked"), pipeline_dir(tmp_path / "env")
    monkeypatch.setenv(MODEL_ENV, str(from_env))
    assert model_path(asked) == asked
    assert model_path() == from_env


def test_default_is_the_checkout_model(monkeypatch: pytest.MonkeyPatch) -> None:
    no_model_env(monkeypatch)
    assert model_path() == CHECKOUT_MODEL


def test_missing_pipeline_names_the_option_the_variable_and_the_default(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError) as error:
        model_path(tmp_path / "nowhere")
    message = str(error.value)
    assert str(tmp_path / "nowhere") in message
    assert "--model" in message and MODEL_ENV in message and str(CHECKOUT_MODEL) in message


def test_cli_model_option_is_checked_before_any_work(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(app, ["--model", str(missing), "run", "seeds", "-o", "x"])
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_cli_model_option_reaches_every_later_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_model_env(monkeypatch)
    given = pipeline_dir(tmp_path / "pipeline")
    # `check` needs no model; the option still decides what the rest of the process loads.
    result = CliRunner().invoke(app, ["--model", str(given), "check", str(tmp_path / "none")])
    assert result.exit_code == 2  # no such output directory
    assert model_path() == given
