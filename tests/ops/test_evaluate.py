"""Tests for flows.ops.evaluate's slogan scorer and `zhnews slogans evaluate`."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from flows.nlp.slogans import SloganLexicon, SloganMatcher
from flows.ops.cli import app
from flows.ops.evaluate import SloganDocument, annotated_news, score_slogans


def test_each_occurrence_counts_and_canonical_is_checked_apart() -> None:
    text = "坚持外防输入、内防反弹，外防输入、内防反弹。推行“拿号即办”。"
    gold = (("外防输入、内防反弹", "外防输入、内防反弹"), ("“拿号即办”", "拿号即办X"))
    scores = score_slogans(SloganMatcher(SloganLexicon.load()), [SloganDocument(text, 0, gold)])
    slogans, canonical = scores["slogans"], scores["slogans:canonical"]
    assert (slogans.true_positives, slogans.predicted, slogans.expected) == (2, 3, 2)
    assert canonical.true_positives == 1


def test_splits_are_whole_articles() -> None:
    dev, test = annotated_news(split="dev"), annotated_news(split="test")
    assert len(dev) == len(test) == 30
    assert not {d.text for d in dev} & {d.text for d in test}


def test_cli_prints_both_sets_and_rejects_an_unknown_split() -> None:
    result = CliRunner().invoke(app, ["slogans", "evaluate", "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert re.search(r"news:dev\s+slogans\s+P \d\.\d{3} R", result.output)
    assert re.search(r"seeds\s+slogans\s+P", result.output)
    assert CliRunner().invoke(app, ["slogans", "evaluate", "--split", "train"]).exit_code == 2
