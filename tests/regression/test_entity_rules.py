"""The shipped pipeline's entity rules (models/zh_news): local names and the saved data."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from flows import CHECKOUT_MODEL
from flows.nlp.entities import EntityRules, RuleTables
from flows.nlp.entities.component import NAME

pytestmark = pytest.mark.slow

SAVED = CHECKOUT_MODEL / NAME


@pytest.fixture(scope="module")
def shipped() -> spacy.language.Language:
    from flows.nlp.model import load_pipeline

    return load_pipeline(CHECKOUT_MODEL)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Seed 003: a district cut by the segmenter, a district body, 盘 for 盘锦 (its city).
        (
            "4月27日下午，兴隆台区疫情防控工作会议在区智慧城市运行管理中心召开，非必要不离盘。",
            {("LOC", "兴隆台区"), ("ORG", "区智慧城市运行管理中心"), ("LOC", "盘")},
        ),
        # Seed 002: a long named group with a bare 市.
        (
            "市委副书记、市新型冠状病毒感染的肺炎疫情处置工作领导小组副组长闫剑波出席。",
            {("ORG", "市新型冠状病毒感染的肺炎疫情处置工作领导小组"), ("PERSON", "闫剑波")},
        ),
        # Seed 001: an expressway and its exits.
        (
            "检查了青兰高速昌城口、辛兴口、贾悦口、孟疃口等重点防控点。",
            {
                ("LOC", "青兰高速"),
                ("LOC", "昌城口"),
                ("LOC", "辛兴口"),
                ("LOC", "贾悦口"),
                ("LOC", "孟疃口"),
            },
        ),
    ],
)
def test_shipped_pipeline_reads_local_names(
    shipped: spacy.language.Language, sentence: str, expected: set[tuple[str, str]]
) -> None:
    assert {(e.label_, e.text) for e in shipped(sentence).ents} == expected


def test_saved_data_is_what_saving_writes(tmp_path: Path) -> None:
    # Sorted JSONL: loading and saving again gives the same bytes, file by file.
    EntityRules().from_disk(SAVED).to_disk(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in SAVED.iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (SAVED / name).read_bytes(), name


def test_shipped_tables_are_the_repository_tables() -> None:
    # A table edited in flows/nlp/entities/tables/ reaches the tables only once the pipeline
    # is saved again (flows.nlp.entities.add_to_pipeline).
    assert RuleTables.from_disk(SAVED) == RuleTables.from_disk()


def test_shipped_settings_are_the_defaults(shipped: spacy.language.Language) -> None:
    rules = shipped.get_pipe(NAME)
    assert isinstance(rules, EntityRules)
    assert (rules.max_name_tokens, rules.expressway_window, rules.min_place_verbs) == (14, 40, 2)
    assert rules.disabled == frozenset()
    assert len(rules.lexicon.classes) > 50_000 and len(rules.gazetteer.parents) > 3_000
