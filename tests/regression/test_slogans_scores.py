"""Slogan scores must not drop below what was measured when discovery was tuned (issue 23).

Dev split of data/annotated/slogans (62 articles, 176 slogans) and the five seeds; floors are the
figures measured on 2026-12-08 with `zhnews slogans evaluate --split dev --unseen`. The test split
is never a floor: it is reported, not tuned on.
"""

from __future__ import annotations

import pytest

from flows.nlp.slogans import SloganLexicon, SloganMatcher
from flows.ops.evaluate import (
    Score,
    annotated_news,
    annotated_seeds,
    score_slogans,
    without_formulas_only_in,
)

DEV_PRECISION, DEV_RECALL = 0.982, 0.977  # tp 172, predicted 175, expected 176
DEV_DISCOVERED_PRECISION = 0.8  # the bar DISCOVERY_THRESHOLD is set for (measured 25/26)
# Dev scored with a lexicon lacking the 46 formulas only dev annotates (`--unseen`): what
# discovery gives on formulas the lexicon has never met (measured tp 145, predicted 149; 52/53
# discovered right).
DEV_UNSEEN_PRECISION, DEV_UNSEEN_RECALL = 0.97, 0.82
SEEDS_PRECISION, SEEDS_RECALL = 0.85, 0.95  # issue 23's bar (measured 1.000, 0.957)


@pytest.fixture(scope="module")
def matcher() -> SloganMatcher:
    return SloganMatcher(SloganLexicon.load())


def test_dev_split_precision_and_recall_do_not_drop(matcher: SloganMatcher) -> None:
    scores = score_slogans(matcher, annotated_news(split="dev"))
    slogans: Score = scores["slogans"]
    assert slogans.precision >= DEV_PRECISION, slogans
    assert slogans.recall >= DEV_RECALL, slogans
    assert scores["discovered"].precision >= DEV_DISCOVERED_PRECISION, scores["discovered"]


def test_dev_split_with_formulas_unseen_does_not_drop() -> None:
    lexicon, dev = SloganLexicon.load(), annotated_news(split="dev")
    seen = [*annotated_news(split="test"), *annotated_seeds()]
    matcher = SloganMatcher(without_formulas_only_in(lexicon, dev, seen))
    scores = score_slogans(matcher, dev)
    slogans: Score = scores["slogans"]
    assert slogans.precision >= DEV_UNSEEN_PRECISION, slogans
    assert slogans.recall >= DEV_UNSEEN_RECALL, slogans
    assert scores["discovered"].precision >= DEV_DISCOVERED_PRECISION, scores["discovered"]


def test_seeds_meet_the_bar(matcher: SloganMatcher) -> None:
    slogans = score_slogans(matcher, annotated_seeds())["slogans"]
    assert slogans.precision >= SEEDS_PRECISION, slogans
    assert slogans.recall >= SEEDS_RECALL, slogans
