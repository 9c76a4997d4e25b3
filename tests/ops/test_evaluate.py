"""Tests for flows.ops.evaluate's slogan, date and number scorers and `zhnews slogans evaluate`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.nlp.slogans import SloganLexicon, SloganMatcher
from flows.ops.cli import app
from flows.ops.evaluate import (
    DATES_NUMBERS,
    SloganDocument,
    annotated_news,
    recurring_formulas,
    score_dates,
    score_numbers,
    score_slogans,
    without_formulas_only_in,
)
from flows.store.records import DateMention, NumberMention


def test_each_occurrence_counts_and_canonical_is_checked_apart() -> None:
    text = "坚持外防输入、内防反弹，外防输入、内防反弹。推行“拿号即办”。"
    gold = (("外防输入、内防反弹", "外防输入、内防反弹"), ("“拿号即办”", "拿号即办X"))
    scores = score_slogans(SloganMatcher(SloganLexicon.load()), [SloganDocument(text, 0, gold)])
    slogans, canonical = scores["slogans"], scores["slogans:canonical"]
    assert (slogans.true_positives, slogans.predicted, slogans.expected) == (2, 3, 2)
    assert canonical.true_positives == 1


def test_splits_are_whole_articles() -> None:
    dev, test = annotated_news(split="dev"), annotated_news(split="test")
    assert (len(dev), len(test)) == (62, 54)  # round 2 added 8 dev items, rounds 3 and 4 12 + 12
    assert not {d.text for d in dev} & {d.text for d in test}
    fourth = annotated_news(split="test", annotation_round=4)
    assert len(fourth) == 12 and {d.text for d in fourth} <= {d.text for d in test}


def test_cli_scores_one_round() -> None:
    arguments = ["slogans", "evaluate", "--split", "dev", "--round", "4", "--unseen"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert re.search(r"news:dev:unseen\s+slogans\s+P \d\.\d{3} R", result.output)
    assert CliRunner().invoke(app, [*arguments[:5], "9"]).exit_code == 2


def test_cli_prints_both_sets_and_rejects_an_unknown_split() -> None:
    result = CliRunner().invoke(app, ["slogans", "evaluate", "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert re.search(r"news:dev\s+slogans\s+P \d\.\d{3} R", result.output)
    assert re.search(r"seeds\s+slogans\s+P", result.output)
    assert CliRunner().invoke(app, ["slogans", "evaluate", "--split", "train"]).exit_code == 2


def test_the_unseen_lexicon_lacks_the_formulas_only_the_held_out_split_annotates() -> None:
    lexicon = SloganLexicon.load()
    held_out = [
        SloganDocument(
            "要两手抓、两不误，坚持联防联控。", 0, (("两手抓、两不误", ""), ("联防联控", ""))
        )
    ]
    seen = [SloganDocument("加强联防联控。", 0, (("联防联控", ""),))]
    ablated = without_formulas_only_in(lexicon, held_out, seen)
    removed = {e.canonical for e in lexicon.entries} - {e.canonical for e in ablated.entries}
    assert removed == {"两手抓、两不误"}  # its parts are not annotated slogans, so they stay
    found = SloganMatcher(ablated).find(held_out[0].text)
    assert [m.text for m in found] == ["两手抓", "两不误", "联防联控"]


def test_recurring_formulas_are_counted_outside_the_annotated_items(tmp_path: Path) -> None:
    lexicon = SloganLexicon.load()
    corpus, annotated = tmp_path / "corpus.jsonl", tmp_path / "annotated.jsonl"
    items = [("a", "坚持联防联控。"), ("b", "加强联防联控、两手抓。"), ("c", "两手抓。")]
    corpus.write_text(
        "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in items),
        encoding="utf-8",
    )
    annotated.write_text(json.dumps({"id": "c"}) + "\n", encoding="utf-8")
    kept = recurring_formulas(lexicon, corpus, 2, annotated)
    assert {e.canonical for e in lexicon.entries if e.slogan_id in kept} == {"联防联控"}
    held_out = [SloganDocument("坚持联防联控。", 0, (("联防联控", ""),))]
    assert len(without_formulas_only_in(lexicon, held_out, [], kept).entries) == len(
        lexicon.entries
    )


def test_cli_scores_the_unseen_lexicon() -> None:
    result = CliRunner().invoke(app, ["slogans", "evaluate", "--split", "dev", "--unseen"])
    assert result.exit_code == 0, result.output
    assert re.search(r"unseen: \d+ formulas annotated only in dev left out", result.output)
    assert re.search(r"news:dev:unseen\s+slogans\s+P \d\.\d{3} R", result.output)
    all_splits = ["slogans", "evaluate", "--split", "all", "--unseen"]
    assert CliRunner().invoke(app, all_splits).exit_code == 2


def _date(text: str, start: str | None, end: str | None, grain: str = "day") -> DateMention:
    first = dt.date.fromisoformat(start) if start else None
    last = dt.date.fromisoformat(end) if end else None
    return DateMention(text, 0, len(text), None, first, last, grain)


def _number(text: str, value: float, kind: str = "cardinal") -> NumberMention:
    return NumberMention(text, 0, len(text), value, None, kind, False)


def test_dates_match_by_text_then_bounds_with_markers_either_side() -> None:
    gold = [
        {"text": "截至1月30日24时", "grain": "day", "date_start": "2020-01-30",
         "date_end": "2020-01-30"},
        {"text": "当日", "grain": "day", "date_start": "2020-01-30", "date_end": "2020-01-30"},
        {"text": "当日", "grain": "day", "date_start": "2020-01-30", "date_end": "2020-01-30"},
        {"text": "目前", "grain": "relative-unresolved"},
        {"text": "近2周", "grain": "range", "date_start": "2020-02-17",
         "date_end": "2020-03-01", "optional": True},
    ]  # fmt: skip
    found = [
        _date("1月30日24时", "2020-01-30", "2020-01-30"),
        _date("当日", "2020-01-29", "2020-01-29"),
        _date("目前", "2020-01-31", "2020-01-31"),  # vague in the annotation: not scored
        _date("近2周", None, None, "duration"),  # a duration is allowed for a relative span
        _date("明天", "2020-02-01", "2020-02-01"),
    ]
    score = score_dates(found, gold)
    assert (score.mentions.true_positives, score.mentions.predicted) == (2, 3)
    assert score.mentions.expected == 3
    assert score.values_right == 1


def test_numbers_match_by_kind_and_text_then_value() -> None:
    gold = [
        {"text": "近400万名", "value": 4000000.0, "kind": "cardinal"},
        {"text": "三分之一", "value": 0.3333, "kind": "cardinal"},
        {"text": "3.88亿", "value": 388000000.0, "kind": "money"},
    ]
    found = [
        _number("400万名", 4000000.0),
        _number("三分之一", 1 / 3),
        _number("3.88亿", 388000000.0),  # kind differs: no match
    ]
    score = score_numbers(found, gold)
    assert (score.mentions.true_positives, score.mentions.predicted) == (2, 3)
    assert (score.values_right, score.value_accuracy) == (2, 1.0)


def test_dates_numbers_set_is_split_by_whole_article() -> None:
    items = [json.loads(line) for line in DATES_NUMBERS.read_text(encoding="utf-8").splitlines()]
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids)  # each article is on one side only
    # Rounds 1-3 (73 items) alternate dev/test; round 4 joined dev (README.md).
    assert [item["split"] for item in items[:73]] == ["dev", "test"] * 36 + ["dev"]
    assert {item["split"] for item in items[73:]} == {"dev"}


@pytest.mark.slow
def test_cli_scores_one_split(tmp_path: Path) -> None:
    lines = DATES_NUMBERS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")  # one dev, one test article
    result = CliRunner().invoke(app, ["evaluate-dates-numbers", str(path), "--split", "test"])
    assert result.exit_code == 0, result.output
    expected = sum(d["grain"] in ("day", "month", "quarter", "year", "range")
                   for d in json.loads(lines[1])["dates"])  # fmt: skip
    assert re.search(rf"dates\s+P \d\.\d{{3}} .*expected {expected}\); values right", result.output)
    assert re.search(rf"numbers .*expected {len(json.loads(lines[1])['numbers'])}\)", result.output)
    bad = CliRunner().invoke(app, ["evaluate-dates-numbers", str(path), "--split", "train"])
    assert bad.exit_code == 2
