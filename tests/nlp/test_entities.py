"""`zhnews_entity_rules` on hand-segmented sentences, with a small People's-Daily-style lexicon."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, Span

from flows import CHECKOUT_MODEL
from flows.nlp.entities import (
    EntityRules,
    Gazetteer,
    RuleTables,
    Step,
    WordClass,
    WordLexicon,
    rejoin_unknown_words,
)
from flows.nlp.entities.component import NAME, add_to_pipeline
from flows.nlp.entities.merge import join_bare_facilities
from flows.nlp.entities.tables import NotNameKind, read_jsonl

# (word, tag) as People's Daily tags them; 联系 is a verb that is also a noun a third of the time.
_TAGGED = [
    [("住房", "n"), ("城乡", "n"), ("党组", "n"), ("书记", "n"), ("要求", "v")],
    [("联系", "v"), ("联系", "v"), ("联系", "vn"), ("抓好", "v"), ("政务", "n")],
    [("服务", "vn"), ("中心", "n"), ("中国", "ns"), ("经济", "n"), ("高速", "b")],
    [("发展", "vn"), ("下道", "v"), ("不", "d"), ("出口", "n"), ("疫情", "n"), ("的", "u")],
    [("诸城", "ns"), ("一方面", "c"), ("开会", "v"), ("处置", "v"), ("处置", "vn"), ("工作", "vn")],
    [("纳入", "v"), ("入驻", "v"), ("人员", "n")],
]


# (adcode, name) rows as in cpca's table: a province, a city, a county of that city.
_ADCODES = [
    ("210000000000", "辽宁省"),
    ("211100000000", "盘锦市"),
    ("211103000000", "兴隆台区"),
    ("211101000000", "市辖区"),
    ("370000000000", "山东省"),
    ("370700000000", "潍坊市"),
    ("370782000000", "诸城市"),
]


# Words of the cases below: places, suffixes, verbs, titles, quotes, list marks.
_WORDS = [
    "诸城市",
    "诸城",
    "市",
    "区",
    "政务",
    "服务",
    "中心",
    "高速",
    "昌城口",
    "口",
    "离",
    "盘",
    "离盘",
    "返盘",
    "来盘",
    "韩",
    "先生",
    "主任",
    "的",
    "和",
    "、",
    "“",
    "”",
    "党组",
    "公司",
    "有限公司",
    "山东",
    "潍坊",
    "街道",
    "巨野河",
    "抓好",
    "联系",
    "领导小组",
    "日",
    "中",
    "方",
]
_RULES = EntityRules(WordLexicon.from_tagged(_TAGGED), Gazetteer.from_adcodes(_ADCODES))


@pytest.fixture(scope="module")
def rules() -> EntityRules:
    return EntityRules(WordLexicon.from_tagged(_TAGGED), Gazetteer.from_adcodes(_ADCODES))


def entities(rules: EntityRules, words: list[str], ents: list[tuple[int, int, str]] = ()) -> list:
    doc = Doc(spacy.blank("zh").vocab, words=words, spaces=[False] * len(words))
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return [(e.label_, e.text) for e in rules(doc).ents]


def test_lexicon_classes_from_tags() -> None:
    lexicon = WordLexicon.from_tagged(_TAGGED)
    assert lexicon["诸城"] is WordClass.NAME
    assert lexicon["联系"] is WordClass.DESCRIPTOR  # vn a third of the time
    assert lexicon["抓好"] is WordClass.BOUNDARY
    assert lexicon["巨野河"] is WordClass.NAME  # never seen: most likely a name


def test_lexicon_round_trips(tmp_path: Path) -> None:
    lexicon = WordLexicon.from_tagged(_TAGGED)
    lexicon.to_disk(tmp_path / "lexicon.jsonl")
    assert WordLexicon.from_disk(tmp_path / "lexicon.jsonl") == lexicon


def test_body_takes_the_place_that_starts_it_and_not_its_party_group(rules: EntityRules) -> None:
    words = ["临沂市", "住房", "和", "城乡", "建设局", "党组", "书记", "要求"]
    # The model found the city and a truncated body with its party group.
    found = entities(rules, words, [(0, 1, "LOC"), (3, 6, "ORG")])
    assert found == [("ORG", "临沂市住房和城乡建设局")]


def test_bare_level_prefix_starts_a_body_after_a_verb(rules: EntityRules) -> None:
    found = entities(rules, ["抓好", "市", "政务", "服务", "中心"])
    assert found == [("ORG", "市政务服务中心")]


def test_long_named_group_runs_through_descriptors_to_its_prefix(rules: EntityRules) -> None:
    words = ["开会", "市", "新型", "冠状", "病毒", "感染", "的", "肺炎", "疫情", "处置", "工作"]
    words += ["领导小组"]
    assert entities(rules, words) == [("ORG", "市新型冠状病毒感染的肺炎疫情处置工作领导小组")]


def test_without_a_prefix_a_name_starts_at_its_leftmost_unknown_word(rules: EntityRules) -> None:
    assert entities(rules, ["联系", "巨野河", "街道"]) == [("ORG", "巨野河街道")]
    assert entities(rules, ["、", "文旅局", "要求"]) == [("ORG", "文旅局")]


def test_generic_suffix_words_are_no_names(rules: EntityRules) -> None:
    assert entities(rules, ["市", "中心"]) == []
    assert entities(rules, ["诸城市", "中心"]) == [("LOC", "诸城市")]
    assert entities(rules, ["市委", "要求", "街道", "出口"]) == []


def test_a_government_is_a_body_only_when_a_place_names_it(rules: EntityRules) -> None:
    # ANNOTATION.md: bodies named with a place are ORG (MSRA would tag 诸城市 alone).
    assert entities(rules, ["诸城市", "政府", "要求"], [(0, 1, "LOC")]) == [("ORG", "诸城市政府")]
    assert entities(rules, ["市", "政府", "要求"]) == []
    assert entities(rules, ["联系", "中国", "经济", "政府"]) == []


def test_facility_needs_a_name_word_not_a_distant_place(rules: EntityRules) -> None:
    found = entities(rules, ["中国", "经济", "高速", "发展"], [(0, 1, "LOC")])
    assert found == [("LOC", "中国")]


def test_expressway_and_its_exits_are_places(rules: EntityRules) -> None:
    # The model may take an expressway and its exit for one place.
    words = ["检查", "了", "青", "兰", "高速", "昌", "城", "口", "等"]
    assert entities(rules, words, [(2, 8, "LOC")]) == [("LOC", "青兰高速"), ("LOC", "昌城口")]
    words = ["青兰", "高速", "昌城口", "、", "孟疃口", "下道"]
    # The model took one exit for a person.
    found = entities(rules, words, [(4, 5, "PERSON")])
    assert found == [("LOC", "青兰高速"), ("LOC", "昌城口"), ("LOC", "孟疃口")]
    # Without an expressway nearby a word ending in 口 is left alone.
    assert entities(rules, ["昌城口", "开会"]) == []


def test_divisions_need_a_name_before_the_level(rules: EntityRules) -> None:
    found = entities(rules, ["诸城市", "抓好市", "、", "联系区", "、", "一方面市"])
    assert found == [("LOC", "诸城市")]


def test_one_character_abbreviation_after_a_verb(rules: EntityRules) -> None:
    found = entities(rules, ["诸城市", "要求", "不", "离诸"])
    assert found == [("LOC", "诸城市"), ("LOC", "诸")]
    found = entities(rules, ["诸城市", "要求", "不", "离", "诸"])
    assert found == [("LOC", "诸城市"), ("LOC", "诸")]


def test_a_character_after_two_place_verbs_is_a_place(rules: EntityRules) -> None:
    words = ["要求", "返盘", "、", "来盘", "人员", "不", "离盘"]
    assert entities(rules, words) == [("LOC", "盘"), ("LOC", "盘"), ("LOC", "盘")]
    # One verb alone is not enough, nor an object that is no place (返岗, 返校).
    assert entities(rules, ["要求", "返盘", "人员"]) == []
    assert entities(rules, ["返岗", "、", "来岗"]) == []


def test_segmenter_cuts_around_a_level_are_mended(rules: EntityRules) -> None:
    # 纳入市: a verb glued to the 市 that starts the body's name; 诸/城市: a split place name.
    words = ["纳入市", "疫情", "处置", "工作", "领导小组", "，", "入驻", "诸", "城市"]
    assert entities(rules, words) == [("ORG", "市疫情处置工作领导小组"), ("LOC", "诸城市")]


def test_gazetteer_knows_each_division_and_the_one_above() -> None:
    gazetteer = Gazetteer.from_adcodes(_ADCODES)
    assert gazetteer.parents["兴隆台区"] == "盘锦市"
    assert gazetteer.parents["盘锦市"] == "辽宁省"
    assert gazetteer.parents["辽宁省"] == ""
    assert "市辖区" not in gazetteer.parents
    # The city above a county gives its one-character name; a province gives none (辽 ≠ 辽宁).
    assert gazetteer.initials(gazetteer.find("兴隆台区")) == {"兴", "盘"}
    assert gazetteer.initials(gazetteer.find("辽宁省")) == set()
    assert gazetteer.is_chinese_place("山东") and not gazetteer.is_chinese_place("美国")


def test_gazetteer_places_across_cut_tokens_and_their_short_names(rules: EntityRules) -> None:
    words = ["兴隆", "台区", "要求", "非必要", "不", "离盘", "；", "诸城市", "与", "诸城", "开会"]
    assert entities(rules, words) == [
        ("LOC", "兴隆台区"),
        ("LOC", "盘"),  # 盘锦, the city above 兴隆台区
        ("LOC", "诸城市"),
        ("LOC", "诸城"),
    ]


def test_named_place_before_a_group_is_part_of_its_name(rules: EntityRules) -> None:
    assert entities(rules, ["诸城", "督导组", "开会"]) == [("ORG", "诸城督导组")]


def test_department_listed_alone_is_a_body(rules: EntityRules) -> None:
    words = ["区", "执法局", "、", "公安分局", "、", "文旅局", "要求"]
    assert entities(rules, words) == [("ORG", "区执法局"), ("ORG", "公安分局"), ("ORG", "文旅局")]


def test_cut_character_goes_back_to_the_name(rules: EntityRules) -> None:
    words = ["青兰", "高速", "、", "昌", "城口", "下道"]
    assert entities(rules, words) == [("LOC", "青兰高速"), ("LOC", "昌城口")]


def test_company_keeps_its_chinese_place_and_products_are_cut(rules: EntityRules) -> None:
    words = ["山东", "胜邦", "化工", "有限公司", "和", "美国", "西南", "电力", "公司"]
    model = [(0, 1, "LOC"), (1, 4, "ORG"), (5, 6, "LOC"), (6, 9, "ORG")]
    assert entities(rules, words, model) == [
        ("ORG", "山东胜邦化工有限公司"),
        ("LOC", "美国"),
        ("ORG", "西南电力公司"),
    ]
    found = entities(rules, ["章丘区", "政务", "服务", "大厅", "微信公众号"], [(0, 5, "ORG")])
    assert found == [("ORG", "章丘区政务服务大厅")]


def test_chains_of_places_are_one_place_each(rules: EntityRules) -> None:
    words = ["山东", "潍坊", "诸城市", "谢家", "小湾村", "开会"]
    # The model read the whole chain as one organisation.
    assert entities(rules, words, [(0, 5, "ORG")]) == [
        ("LOC", "山东"),
        ("LOC", "潍坊"),
        ("LOC", "诸城市"),
        ("LOC", "谢家小湾村"),
    ]
    assert entities(rules, ["山东省", "开会"], [(0, 1, "ORG")]) == [("LOC", "山东省")]
    # A name that is not all places is left alone.
    assert entities(rules, ["山东", "大学"], [(0, 2, "ORG")]) == [("ORG", "山东大学")]


def test_daily_is_not_japan_and_bare_facilities_are_no_names(rules: EntityRules) -> None:
    words = ["实行", "日", "调度", "、", "日", "报告", "，", "中", "日", "关系", "，", "赴", "日"]
    model = [(1, 2, "LOC"), (4, 5, "LOC"), (7, 8, "LOC"), (8, 9, "LOC"), (12, 13, "LOC")]
    assert entities(rules, words, model) == [("LOC", "中"), ("LOC", "日"), ("LOC", "日")]
    assert entities(rules, ["检查站", "要求"], [(0, 1, "LOC")]) == []


def test_a_place_named_like_a_body_is_the_body(rules: EntityRules) -> None:
    words = [
        "到",
        "章丘区",
        "行政",
        "审批",
        "服务局",
        "和",
        "武汉",
        "博览",
        "中心",
        "、",
        "中建六局",
    ]
    model = [(1, 5, "LOC"), (6, 9, "LOC"), (10, 11, "LOC")]
    assert entities(rules, words, model) == [
        ("ORG", "章丘区行政审批服务局"),
        ("LOC", "武汉博览中心"),
        ("ORG", "中建六局"),
    ]


def test_a_subdistrict_standing_alone_is_its_office(rules: EntityRules) -> None:
    # ANNOTATION.md: 街道/片区 are ORG when they act, LOC when they name the area.
    acting = ["山大路", "街道", "协助", "企业"]
    assert entities(rules, acting, [(0, 2, "LOC")]) == [("ORG", "山大路街道")]
    area = ["天宫院", "街道", "的", "社区"]
    assert entities(rules, area, [(0, 2, "LOC")]) == [("LOC", "天宫院街道")]
    # In a chain of places it is the place below the district.
    chain = ["江岸区", "后湖", "街道", "发现"]
    assert entities(rules, chain, [(0, 1, "LOC"), (1, 3, "LOC")]) == [
        ("LOC", "江岸区"),
        ("LOC", "后湖街道"),
    ]


def test_an_unknown_word_the_model_took_for_a_name_starts_a_body(rules: EntityRules) -> None:
    # The model reads 漱玉 as a person and 东港 as a place; before a company suffix they are the
    # company's own names. 诸城, a place People's Daily knows, stays a place of its own.
    words = ["联系", "漱玉", "平民", "大药房", "和", "东港", "股份", "有限公司"]
    model = [(1, 2, "PERSON"), (5, 6, "LOC")]
    assert entities(rules, words, model) == [
        ("ORG", "漱玉平民大药房"),
        ("ORG", "东港股份有限公司"),
    ]
    assert entities(rules, ["诸城", "大药房"], [(0, 1, "LOC")]) == [("LOC", "诸城")]


def test_words_cut_into_characters_are_put_back_unless_an_entity_ends_inside(
    rules: EntityRules,
) -> None:
    # The tokenizer cut the unknown words 漱玉 and 挺及 into characters (doc._.unknown_words);
    # the model found 叶挺 across 挺|及, so that cut stays.
    words = ["漱", "玉", "平民", "大药房", "和", "叶", "挺", "及"]
    doc = Doc(spacy.blank("zh").vocab, words=words, spaces=[False] * len(words))
    doc._.unknown_words = [(0, 2), (6, 8)]
    doc.ents = [Span(doc, 5, 7, label="PERSON")]
    rejoin_unknown_words(doc)
    assert [t.text for t in doc] == ["漱玉", "平民", "大药房", "和", "叶", "挺", "及"]
    assert [(e.label_, e.text) for e in doc.ents] == [("PERSON", "叶挺")]
    assert doc._.unknown_words == ()


def test_verbs_are_no_names_but_one_character_places_stay(rules: EntityRules) -> None:
    # 抓好 is a verb in People's Daily; 中 is left to the model (a place as often as not).
    words = ["抓好", "，", "中", "日", "关系"]
    assert entities(rules, words, [(0, 1, "ORG"), (2, 3, "LOC"), (3, 4, "LOC")]) == [
        ("LOC", "中"),
        ("LOC", "日"),
    ]


def test_a_character_before_a_title_is_a_surname(rules: EntityRules) -> None:
    # ANNOTATION.md: 韩总/韩先生 -> 韩; the model took this 韩 for Korea.
    words = ["韩", "先生", "备感", "欣慰", "，", "访", "韩", "期间"]
    found = entities(rules, words, [(0, 1, "LOC"), (6, 7, "LOC")])
    assert found == [("PERSON", "韩"), ("LOC", "韩")]
    # A form of address is a title too: 刘爷爷 -> 刘.
    assert entities(rules, ["刘", "爷爷", "同意"], [(0, 2, "PERSON")]) == [("PERSON", "刘")]


def test_bare_departments_and_task_groups_are_no_names(rules: EntityRules) -> None:
    # A source credit （宣传部）, a task group named by no place or body.
    assert entities(rules, ["（", "宣传部", "）"], [(1, 2, "ORG")]) == []
    assert entities(rules, ["疫情", "防控", "领导小组", "作用"], [(0, 3, "ORG")]) == []
    assert entities(rules, ["诸城市委", "宣传部"], [(0, 2, "ORG")]) == [("ORG", "诸城市委宣传部")]


def test_a_company_named_by_a_common_word_is_no_name(rules: EntityRules) -> None:
    # 处置 is a known common word (verb and noun), 巨野河 an unknown one: a name.
    assert entities(rules, ["处置", "公司"], [(0, 2, "ORG")]) == []
    assert entities(rules, ["巨野河", "公司"], [(0, 2, "ORG")]) == [("ORG", "巨野河公司")]


def test_a_name_does_not_run_into_a_quotation(rules: EntityRules) -> None:
    words = ["“", "爱山东", "·", "容沂办", "”", "APP", "网"]
    assert entities(rules, words, [(1, 7, "ORG")]) == []
    # Quotes inside a name are fine.
    words = ["推进", "“", "一带一路", "”", "建设", "工作", "领导小组"]
    assert entities(rules, words, [(0, 7, "ORG")]) == [("ORG", "推进“一带一路”建设工作领导小组")]


def test_a_place_named_like_a_company_or_hospital_is_one(rules: EntityRules) -> None:
    words = ["服务", "锦丰", "科技", "、", "诸城", "人民", "医院"]
    found = entities(rules, words, [(1, 3, "LOC"), (4, 7, "LOC")])
    assert found == [("ORG", "锦丰科技"), ("ORG", "诸城人民医院")]


def test_the_chinese_side_the_olympics_and_a_fixed_term_hold_no_place(rules: EntityRules) -> None:
    words = ["中", "方", "支持", "北京", "冬", "奥", "会", "，", "中", "法", "关系"]
    model = [(0, 1, "LOC"), (3, 4, "LOC"), (5, 6, "LOC"), (8, 9, "LOC"), (9, 10, "LOC")]
    assert entities(rules, words, model) == [("LOC", "北京"), ("LOC", "中"), ("LOC", "法")]
    words = ["中国", "特色", "社会主义", "，", "中国", "经济"]
    assert entities(rules, words, [(0, 1, "LOC"), (4, 5, "LOC")]) == [("LOC", "中国")]


def test_a_person_is_named_alike_throughout_a_document(rules: EntityRules) -> None:
    # 傅明先 in one sentence, 傅明 + 先 ("first") in the next: one person, one name.
    words = ["傅明先", "主持", "会议", "。", "傅", "明", "先", "强调", "，", "傅", "明", "说"]
    found = entities(rules, words, [(0, 1, "PERSON"), (4, 6, "PERSON"), (9, 11, "PERSON")])
    assert found == [("PERSON", "傅明先"), ("PERSON", "傅明先"), ("PERSON", "傅明")]
    # Without the longer name in the document, and never into the next entity.
    assert entities(rules, words[4:8], [(0, 2, "PERSON")]) == [("PERSON", "傅明")]
    words = ["傅明先", "说", "。", "傅", "明", "先锋队"]
    found = entities(rules, words, [(0, 1, "PERSON"), (3, 5, "PERSON"), (5, 6, "ORG")])
    assert ("PERSON", "傅明") in found


def test_tables_are_sorted_jsonl_and_save_to_the_same_bytes(tmp_path: Path) -> None:
    tables = RuleTables.from_disk()
    tables.to_disk(tmp_path / "once")
    RuleTables.from_disk(tmp_path / "once").to_disk(tmp_path / "twice")
    for name in RuleTables.FILES:
        once = (tmp_path / "once" / f"{name}.jsonl").read_text(encoding="utf-8")
        assert once == (tmp_path / "twice" / f"{name}.jsonl").read_text(encoding="utf-8")
        assert once.splitlines() == sorted(once.splitlines())
    assert RuleTables.from_disk(tmp_path / "once").compile() is not None


def test_every_not_name_row_says_why() -> None:
    rows = RuleTables.from_disk().not_names
    assert {row["kind"] for row in rows} == set(NotNameKind)
    assert all(row["reason"].strip() for row in rows)


def test_rules_are_data_a_row_added_changes_the_entities() -> None:
    words = ["诸城市", "要求"]
    tables = RuleTables.from_disk()
    assert entities(EntityRules(tables=tables), words) == [("LOC", "诸城市")]
    row = {"kind": "entity", "match": "exact", "text": "诸城市", "reason": "a test"}
    edited = dataclasses.replace(tables, not_names=[*tables.not_names, row])
    assert entities(EntityRules(tables=edited), words) == []


def test_component_saves_its_data_and_settings_with_the_pipeline(
    rules: EntityRules, tmp_path: Path
) -> None:
    nlp = spacy.blank("zh")
    saved = nlp.add_pipe(NAME, config={"max_name_tokens": 5, "disabled": ["merge"]})
    saved.lexicon, saved.gazetteer = rules.lexicon, rules.gazetteer
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp").get_pipe(NAME)
    assert isinstance(loaded, EntityRules)
    assert loaded.lexicon == rules.lexicon
    assert loaded.gazetteer.parents == rules.gazetteer.parents
    assert loaded.tables == RuleTables.from_disk()
    assert (loaded.max_name_tokens, loaded.disabled) == (5, frozenset({Step.MERGE}))


def test_data_saved_as_json_loads_and_is_saved_as_jsonl(rules: EntityRules, tmp_path: Path) -> None:
    # The format of zh_news 0.7.0: {class: [words]} and {name: parent}.
    old = tmp_path / "old"
    old.mkdir()
    grouped = {
        c.value: sorted(w for w, k in rules.lexicon.classes.items() if k is c) for c in WordClass
    }
    (old / "words.json").write_text(json.dumps(grouped, ensure_ascii=False), encoding="utf-8")
    places = json.dumps(rules.gazetteer.parents, ensure_ascii=False)
    (old / "places.json").write_text(places, encoding="utf-8")
    nlp = spacy.blank("zh")
    nlp.add_pipe("ner")
    nlp.add_pipe(NAME).from_disk(old)
    add_to_pipeline(nlp)
    migrated = nlp.get_pipe(NAME)
    assert nlp.pipe_names == ["ner", NAME]
    assert migrated.lexicon == rules.lexicon
    assert migrated.gazetteer.parents == rules.gazetteer.parents
    migrated.to_disk(tmp_path / "new")
    assert not (tmp_path / "new" / "words.json").exists()
    assert EntityRules().from_disk(tmp_path / "new").lexicon == rules.lexicon


def test_steps_can_be_left_out(rules: EntityRules) -> None:
    words = ["抓好", "市", "政务", "服务", "中心"]
    without = EntityRules(
        rules.lexicon, rules.gazetteer, disabled=frozenset({Step.ADD_SUFFIX_NAMES})
    )
    assert entities(without, words) == []
    with pytest.raises(ValueError):
        spacy.blank("zh").add_pipe(NAME, config={"disabled": ["no_such_step"]})


def test_a_name_reaches_back_at_most_max_name_tokens(rules: EntityRules) -> None:
    words = ["开会", "市", "新型", "冠状", "病毒", "感染", "的", "肺炎", "疫情", "处置", "工作"]
    words += ["领导小组"]
    short = EntityRules(rules.lexicon, rules.gazetteer, max_name_tokens=4)
    assert ("ORG", "市新型冠状病毒感染的肺炎疫情处置工作领导小组") not in entities(short, words)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(_WORDS), max_size=25), st.data())
def test_entities_are_well_formed_whatever_the_text(words: list[str], data: st.DataObject) -> None:
    doc = Doc(spacy.blank("zh").vocab, words=words or ["。"], spaces=[False] * max(len(words), 1))
    start = data.draw(st.integers(0, len(doc) - 1))
    end = data.draw(st.integers(start + 1, len(doc)))
    label = data.draw(st.sampled_from(["PERSON", "ORG", "LOC"]))
    doc.ents = [Span(doc, start, end, label=label)]
    found = _RULES(doc).ents
    assert all(doc.text[e.start_char : e.end_char] == e.text and e.text for e in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def tagged_entities(
    rules: EntityRules, words: list[str], pos: list[str], ents: list[tuple[int, int, str]]
) -> list:
    doc = Doc(spacy.blank("zh").vocab, words=words, spaces=[False] * len(words), pos=pos)
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return [(e.label_, e.text) for e in rules(doc).ents]


def test_a_place_and_a_trade_word_name_a_company_where_it_acts(rules: EntityRules) -> None:
    words = ["受", "影响", "，", "金龙", "汽车", "接到", "订单"]
    pos = ["VERB", "NOUN", "PUNCT", "PROPN", "NOUN", "VERB", "NOUN"]
    assert tagged_entities(rules, words, pos, [(3, 4, "ORG")]) == [("ORG", "金龙汽车")]
    # Before a noun the words name an industry, not a company.
    words = ["金龙", "汽车", "产量", "上升"]
    pos = ["PROPN", "NOUN", "NOUN", "VERB"]
    assert tagged_entities(rules, words, pos, [(0, 1, "ORG")]) == [("ORG", "金龙")]


def test_a_trade_word_in_a_list_of_industries_is_no_company(rules: EntityRules) -> None:
    words = ["目前", "，", "金龙", "汽车", "、", "电子", "、", "石化"]
    pos = ["NOUN", "PUNCT", "PROPN", "NOUN", "PUNCT", "NOUN", "PUNCT", "NOUN"]
    assert tagged_entities(rules, words, pos, [(2, 3, "LOC")]) == [("LOC", "金龙")]


def test_a_foreign_country_is_split_from_a_university_not_from_an_agency(
    rules: EntityRules,
) -> None:
    words = ["美国", "约翰斯·霍普金斯", "大学", "统计"]
    found = entities(rules, words, [(0, 3, "ORG")])
    assert found == [("LOC", "美国"), ("ORG", "约翰斯·霍普金斯大学")]
    assert entities(rules, ["美国", "疾控", "中心", "统计"], [(0, 3, "ORG")]) == [
        ("ORG", "美国疾控中心")
    ]


def test_a_short_name_right_after_the_place_above_it_is_a_place(rules: EntityRules) -> None:
    found = entities(rules, ["在", "山东", "诸城", "，"], [(1, 2, "LOC")])
    assert found == [("LOC", "山东"), ("LOC", "诸城")]
    # Alone, or after a place it does not belong to, a short name stays ambiguous.
    assert entities(rules, ["在", "辽宁", "诸城", "，"], [(1, 2, "LOC")]) == [("LOC", "辽宁")]


def test_a_side_and_a_quoted_vessel_name_are_no_entities(rules: EntityRules) -> None:
    assert entities(rules, ["汤", "方", "坚持"], [(0, 1, "PERSON")]) == []
    words = ["“", "西奥多·罗斯福", "”", "号", "航母"]
    assert entities(rules, words, [(1, 2, "PERSON")]) == []


def test_a_quoted_formula_and_a_bare_group_are_no_organisations(rules: EntityRules) -> None:
    assert entities(rules, ["力推", "“", "特事特办", "”"], [(2, 3, "ORG")]) == []
    assert entities(rules, ["前方", "指导组", "将"], [(0, 2, "ORG")]) == []
    words = ["给", "“", "全球", "首席", "执行官", "委员会", "”", "回信"]
    assert entities(rules, words, [(2, 6, "ORG")]) == [("ORG", "全球首席执行官委员会")]


def test_a_listed_country_is_a_place_but_not_in_a_demonym(rules: EntityRules) -> None:
    # The model read the rarely seen 汤加 as a person.
    assert entities(rules, ["同", "汤加", "国王", "通电话"], [(1, 2, "PERSON")]) == [
        ("LOC", "汤加")
    ]
    assert entities(rules, ["汤加", "人", "表示"]) == []
    # Cut into characters, and read as two places.
    found = entities(rules, ["为", "汤", "加", "抗击"], [(1, 2, "LOC"), (2, 3, "LOC")])
    assert found == [("LOC", "汤加")]


def test_a_span_ending_with_a_joiner_is_no_name(rules: EntityRules) -> None:
    words = ["中央", "财政", "对", "企业", "贷款", "提供", "的", "贴息"]
    assert entities(rules, words, [(0, 7, "ORG")]) == []


def test_a_quoted_name_ending_like_a_body_is_the_body(rules: EntityRules) -> None:
    words = ["给", "“", "全球", "首席", "执行官", "委员会", "”", "回信"]
    # The model found only the suffix.
    assert entities(rules, words, [(5, 6, "ORG")]) == [("ORG", "全球首席执行官委员会")]
    # A quoted sentence is no name, even where its last word ends like a body (变局).
    assert entities(rules, ["“", "育", "新机", "，", "应对", "变局", "”"]) == []


def test_a_national_agency_starts_at_guojia_and_keeps_its_country(rules: EntityRules) -> None:
    words = ["近期", "国家", "林业", "和", "草原局", "会同"]
    assert entities(rules, words, [(4, 5, "ORG")]) == [("ORG", "国家林业和草原局")]
    words = ["美国", "国家", "过敏症", "和", "传染病", "研究所", "所长"]
    found = entities(rules, words, [(0, 1, "LOC"), (1, 6, "ORG")])
    assert found == [("ORG", "美国国家过敏症和传染病研究所")]


def test_guojia_does_not_start_a_centre(rules: EntityRules) -> None:
    # A venue or a role (国家高山滑雪中心, 国家金融管理中心), not a national body.
    found = entities(rules, ["抓好", "国家", "高山", "滑雪", "中心"])
    assert not any(text.startswith("国家") for _, text in found)
    found = entities(rules, ["抓好", "国家", "医疗", "保障局"])
    assert found == [("ORG", "国家医疗保障局")]


def test_a_quoted_kind_of_institution_or_long_name_is_kept_apart(rules: EntityRules) -> None:
    assert entities(rules, ["“", "方舱", "医院", "”", "转运"]) == []
    words = ["伊拉克", "“", "中央", "公共", "卫生", "实验室", "”", "出现"]
    found = entities(rules, words, [(0, 1, "LOC"), (2, 6, "ORG")])
    assert found == [("LOC", "伊拉克"), ("ORG", "中央公共卫生实验室")]


def test_a_listed_national_body_is_found_where_the_model_missed_it(rules: EntityRules) -> None:
    words = ["。", "工业", "和", "信息", "化部", "组织", "开发"]
    assert entities(rules, words) == [("ORG", "工业和信息化部")]
    # Not into 门 (any finance department), nor after a foreign country (its own ministry).
    assert entities(rules, ["财政部", "门", "要求"]) == []
    words = ["俄罗斯", "外交部", "表示"]
    assert entities(rules, words, [(0, 2, "ORG")]) == [("ORG", "俄罗斯外交部")]


def test_a_listed_company_is_an_organisation_apart_from_its_country(rules: EntityRules) -> None:
    # Read as a place or a person by the model, or cut by the tokenizer.
    assert entities(rules, ["，", "星巴克", "投资"], [(1, 2, "LOC")]) == [("ORG", "星巴克")]
    assert entities(rules, ["获得", "阿里巴巴", "贷款"], [(1, 2, "PERSON")]) == [
        ("ORG", "阿里巴巴")
    ]
    assert entities(rules, ["。", "阿斯利康", "公司", "的"]) == [("ORG", "阿斯利康公司")]
    # A country before it is a place of its own; a Chinese city before it names its branch.
    words = ["、", "德国", "西门子", "等"]
    assert entities(rules, words, [(1, 3, "ORG")]) == [("LOC", "德国"), ("ORG", "西门子")]
    words = ["。", "潍坊", "京", "东方", "从"]
    found = entities(rules, words, [(1, 2, "LOC"), (2, 4, "LOC")])
    assert found == [("ORG", "潍坊京东方")]


def test_a_venue_is_a_place_and_kinds_of_bodies_are_no_names(rules: EntityRules) -> None:
    words = ["、", "国家", "游泳", "中心", "“"]
    assert entities(rules, words, [(1, 4, "ORG")]) == [("LOC", "国家游泳中心")]
    # A named facility the model took for an organisation is the place too.
    words = ["的", "中白", "新材料", "产业园", "项目"]
    assert entities(rules, words, [(1, 4, "ORG")]) == [("LOC", "中白新材料产业园")]
    assert entities(rules, ["。", "中小银行", "加大"], [(1, 2, "ORG")]) == []
    assert entities(rules, ["。", "全国", "海关", "进一步"], [(1, 3, "ORG")]) == []
    # A project and its parts are not annotated; a place inside an idiom is none.
    assert entities(rules, ["。", "南水", "北调", "中线"], [(1, 4, "LOC")]) == []
    assert entities(rules, ["。", "中", "欧", "班列"], [(1, 2, "LOC")]) == []
    assert entities(rules, ["生命", "重于", "泰山", "。"], [(2, 3, "LOC")]) == []


def test_a_legal_form_joins_its_company_and_a_department_word_leaves_the_place(
    rules: EntityRules,
) -> None:
    words = ["。", "史丹利", "农业", "集团", "有限公司", "复工"]
    assert entities(rules, words, [(1, 4, "ORG")]) == [("ORG", "史丹利农业集团有限公司")]
    words = ["。", "盘锦", "人社", "部门", "上线"]
    assert entities(rules, words, [(1, 3, "ORG")]) == [("LOC", "盘锦")]
    words = ["；", "盘锦", "火车站", "改建"]
    assert entities(rules, words, [(1, 2, "LOC")]) == [("LOC", "盘锦火车站")]
    assert entities(rules, words, [(1, 3, "ORG")]) == [("LOC", "盘锦火车站")]


def test_foreign_states_and_their_cities_are_places(rules: EntityRules) -> None:
    words = ["当天", "，", "伊利诺伊", "、", "马萨诸塞", "州", "宣布"]
    found = entities(rules, words, [(2, 3, "PERSON"), (4, 5, "PERSON")])
    assert found == [("LOC", "伊利诺伊"), ("LOC", "马萨诸塞州")]
    words = ["，", "京畿道", "城南市", "一个", "教会"]
    assert entities(rules, words, [(1, 3, "LOC")]) == [("LOC", "京畿道"), ("LOC", "城南市")]
    # A bare kind of venue is no place.
    assert entities(rules, ["。", "会展中心", "改建"], [(1, 2, "LOC")]) == []


def test_a_listed_company_takes_its_registered_name(rules: EntityRules) -> None:
    words = ["，", "海康", "威", "视", "数字", "技术", "股份有限公司", "介绍"]
    found = entities(rules, words, [(1, 3, "LOC")])
    assert found == [("ORG", "海康威视数字技术股份有限公司")]
    # 公司 only right after the name: 腾讯要求公司员工… names no company 腾讯要求公司.
    assert entities(rules, ["。", "腾讯", "要求", "公司", "员工"]) == [("ORG", "腾讯")]


def test_a_region_is_one_place_and_a_bare_kind_leaves_its_places(rules: EntityRules) -> None:
    words = ["在", "京", "津", "冀", "、", "长三角", "地区", "和"]
    found = entities(rules, words, [(1, 2, "LOC"), (5, 6, "LOC")])
    assert found == [("LOC", "京津冀"), ("LOC", "长三角地区")]
    assert entities(rules, ["与", "拉美", "裔", "中"]) == []
    words = ["本周", "，", "辽宁", "盘锦市", "小学", "一"]
    found = entities(rules, words, [(2, 5, "ORG")])
    assert found == [("LOC", "辽宁"), ("LOC", "盘锦市")]


def test_a_place_in_a_fixed_term_or_a_demonym_is_no_entity(rules: EntityRules) -> None:
    assert entities(rules, ["新", "中国", "成立"], [(1, 2, "LOC")]) == []
    assert entities(rules, ["冬残", "奥", "会"], [(1, 2, "LOC")]) == []
    assert entities(rules, ["中国", "人", "要"], [(0, 1, "LOC")]) == []
    # The term starts with a word of its own: 刷新 is no 新.
    assert entities(rules, ["刷新", "中国", "纪录"], [(1, 2, "LOC")]) == [("LOC", "中国")]


def test_a_country_before_a_ministers_title_is_the_place(rules: EntityRules) -> None:
    words = ["南非", "卫生部", "长", "穆凯兹", "宣布"]
    found = entities(rules, words, [(0, 2, "ORG"), (3, 4, "PERSON")])
    assert found == [("LOC", "南非"), ("PERSON", "穆凯兹")]


def test_a_delegation_is_its_place_and_a_bare_presidium_no_one(rules: EntityRules) -> None:
    assert entities(rules, ["来到", "山东", "代表团", "，"], [(1, 3, "ORG")]) == [("LOC", "山东")]
    assert entities(rules, ["由", "大会", "主席团", "主持"], [(1, 3, "ORG")]) == []
    assert entities(rules, ["抓好", "研究院", "工作"], [(1, 2, "ORG")]) == []


def test_no_name_runs_over_a_clause_mark_or_is_one_lone_character(rules: EntityRules) -> None:
    words = ["带领", "中国", "人民", "有效", "抗击", "，", "展现"]
    assert entities(rules, words, [(1, 6, "ORG")]) == []
    assert entities(rules, ["联", "系", "企业"], [(0, 1, "ORG")]) == []
    words = ["工", "农", "中", "建", "等"]
    found = entities(rules, words, [(0, 1, "ORG"), (1, 2, "ORG"), (2, 3, "ORG"), (3, 4, "ORG")])
    assert found == [("ORG", "工"), ("ORG", "农"), ("ORG", "中"), ("ORG", "建")]


def test_a_quoted_common_word_or_a_rank_is_no_organisation(rules: EntityRules) -> None:
    assert entities(rules, ["把握", "“", "两", "个", "大局", "”", "之间"]) == []
    words = ["拉美", "第二", "大", "航空公司", "申请"]
    # The region stays a place (word set `region`); the rank is no organisation.
    assert entities(rules, words, [(1, 4, "ORG")]) == [("LOC", "拉美")]


def test_a_place_ending_like_a_school_is_the_school_and_a_hub_a_facility(
    rules: EntityRules,
) -> None:
    words = ["在", "布鲁日", "欧洲", "学院", "任教"]
    assert entities(rules, words, [(1, 4, "LOC")]) == [("ORG", "布鲁日欧洲学院")]
    assert entities(rules, ["——", "绰勒", "水利", "枢纽", "下游"]) == [("LOC", "绰勒水利枢纽")]
    words = ["据", "伊朗", "塔斯尼姆", "通讯社", "消息"]
    found = entities(rules, words, [(1, 2, "LOC"), (2, 4, "LOC")])
    assert found == [("LOC", "伊朗"), ("ORG", "塔斯尼姆通讯社")]


@given(st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=3)))
def test_jsonl_rows_read_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path = tmp_path_factory.mktemp("jsonl") / "rows.jsonl"
    path.write_text("\n".join(["", *lines, ""]) + "\n", encoding="utf-8")
    assert read_jsonl(path) == rows


def test_saved_lexicon_rows_read_as_line_by_line() -> None:
    path = CHECKOUT_MODEL / NAME / "lexicon.jsonl"
    with path.open(encoding="utf-8") as lines:
        expected = [json.loads(line) for line in lines if line.strip()]
    assert len(expected) > 50_000
    assert read_jsonl(path) == expected


# More of China's divisions and People's Daily words, for the chains, sites and teams below.
_MORE_ADCODES = [
    ("330000000000", "浙江省"),
    ("330100000000", "杭州市"),
    ("350000000000", "福建省"),
    ("350500000000", "泉州市"),
    ("420000000000", "湖北省"),
    ("420100000000", "武汉市"),
    ("510000000000", "四川省"),
    ("510300000000", "自贡市"),
    ("610000000000", "陕西省"),
    ("610100000000", "西安市"),
    ("610116000000", "长安区"),
    ("130000000000", "河北省"),
    ("360000000000", "江西省"),
    ("520000000000", "贵州省"),
    ("150000000000", "内蒙古自治区"),
    ("152500000000", "锡林郭勒盟"),
    ("152501000000", "二连浩特市"),
    ("450000000000", "广西壮族自治区"),
    ("640000000000", "宁夏回族自治区"),
]
_MORE_TAGGED = [[("铁路", "n"), ("国际", "n"), ("风景", "n"), ("所属", "v"), ("开放", "v")]]


@pytest.fixture(scope="module")
def more_rules() -> EntityRules:
    lexicon = WordLexicon.from_tagged(_TAGGED + _MORE_TAGGED)
    return EntityRules(lexicon, Gazetteer.from_adcodes(_ADCODES + _MORE_ADCODES))


def test_a_town_after_its_city_is_a_place_of_its_own(more_rules: EntityRules) -> None:
    words = ["眼下", "，", "在", "四川", "自贡", "永安镇", "，", "数万", "亩"]
    found = entities(more_rules, words, [(3, 6, "ORG")])
    assert found == [("LOC", "四川"), ("LOC", "自贡"), ("LOC", "永安镇")]
    gazetteer = Gazetteer.from_adcodes(_ADCODES + _MORE_ADCODES)
    # A town whose whole name is a division's (长安镇) is one town after its city.
    assert gazetteer.chain_parts("西安长安镇") == [(0, 2), (2, 5)]
    assert gazetteer.chain_parts("长安镇") is None


def test_a_place_before_descent_is_no_entity(more_rules: EntityRules) -> None:
    words = ["发生", "一", "起", "21", "岁", "非洲", "裔", "青年", "被", "射杀"]
    assert entities(more_rules, words, [(5, 6, "LOC")]) == []
    # 湖北人 says where one is from: the place stays.
    assert entities(more_rules, ["湖北", "人", "返岗"], [(0, 1, "LOC")]) == [("LOC", "湖北")]


def test_a_team_is_its_place_or_its_body(more_rules: EntityRules) -> None:
    words = ["江西", "两", "省", "支援", "河北", "流调队", "完成", "了"]
    found = entities(more_rules, words, [(0, 1, "LOC"), (4, 6, "ORG")])
    assert found == [("LOC", "江西"), ("LOC", "河北")]
    words = ["山东大学", "齐鲁", "医院", "医疗队", "抵达", "武汉"]
    found = entities(more_rules, words, [(0, 4, "ORG"), (5, 6, "LOC")])
    assert found == [("ORG", "山东大学齐鲁医院"), ("LOC", "武汉")]
    # A team named otherwise stays as the model read it.
    words = ["军队", "支援", "湖北", "医疗队", "队员"]
    assert entities(more_rules, words, [(0, 4, "ORG")]) == [("ORG", "军队支援湖北医疗队")]


def test_what_a_body_decided_is_no_part_of_its_name(more_rules: EntityRules) -> None:
    words = ["按照", "中央", "应", "对", "新冠", "肺炎", "疫情", "工作", "领导小组", "决策"]
    words += ["部署", "，", "各", "地区"]
    found = entities(more_rules, words, [(1, 10, "ORG")])
    assert found == [("ORG", "中央应对新冠肺炎疫情工作领导小组")]


def test_places_before_a_site_of_its_own_are_places_of_their_own(
    more_rules: EntityRules,
) -> None:
    words = ["对于", "福建", "泉州", "欣佳", "酒店", "坍塌", "事故"]
    found = entities(more_rules, words, [(1, 5, "ORG")])
    assert found == [("LOC", "福建"), ("LOC", "泉州"), ("LOC", "欣佳酒店")]
    # A common word after the place keeps it in the name; an airport's name holds its city.
    words = ["，", "二连浩特", "铁路", "口岸", "接运"]
    assert entities(more_rules, words, [(1, 4, "LOC")]) == [("LOC", "二连浩特铁路口岸")]
    words = ["从", "武汉", "天河", "机场", "出发"]
    assert entities(more_rules, words, [(1, 4, "LOC")]) == [("LOC", "武汉天河机场")]


def test_a_bare_facility_suffix_ends_the_name_before_it(more_rules: EntityRules) -> None:
    words = ["起", "，", "杭州", "西湖", "风景", "名胜区", "所属", "公园"]
    found = entities(more_rules, words, [(2, 3, "LOC"), (3, 4, "LOC"), (4, 6, "LOC")])
    assert found == [("LOC", "杭州"), ("LOC", "西湖风景名胜区")]
    # After a division it names all of a kind there (贵州景区) and joins nothing.
    doc = Doc(spacy.blank("zh").vocab, words=["，", "贵州", "景区", "将"], spaces=[False] * 4)
    apart = [Span(doc, 1, 2, label="LOC"), Span(doc, 2, 3, label="LOC")]
    assert join_bare_facilities(apart, more_rules.gazetteer, more_rules.rules) == apart


def test_a_quoted_nickname_after_a_venue_is_the_venue(more_rules: EntityRules) -> None:
    words = ["从", "国家", "速滑馆", "“", "冰丝带", "”", "、", "国家", "游泳", "中心", "“"]
    words += ["冰", "立方", "”", "，"]
    found = entities(more_rules, words, [(1, 3, "LOC"), (7, 10, "ORG")])
    assert found == [
        ("LOC", "国家速滑馆"),
        ("LOC", "冰丝带"),
        ("LOC", "国家游泳中心"),
        ("LOC", "冰立方"),
    ]
    # A quotation after a place that is no venue is no nickname.
    assert entities(more_rules, ["湖北", "“", "解封", "”"], [(0, 1, "LOC")]) == [("LOC", "湖北")]


def test_listed_companies_and_a_port_that_is_no_place(more_rules: EntityRules) -> None:
    words = ["。", "国美", "支援", "武汉", "“", "方舱", "医院", "”"]
    found = entities(more_rules, words, [(1, 2, "LOC"), (3, 4, "LOC")])
    assert found == [("ORG", "国美"), ("LOC", "武汉")]
    words = ["针对", "中高", "风险", "地区", "进", "港", "航班", "，"]
    assert entities(more_rules, words, [(5, 6, "LOC")]) == []


def test_an_autonomous_region_is_known_by_its_short_name(more_rules: EntityRules) -> None:
    gazetteer = Gazetteer.from_adcodes(_ADCODES + _MORE_ADCODES)
    assert gazetteer.full_name("广西") == "广西壮族自治区"
    assert gazetteer.full_name("宁夏") == "宁夏回族自治区"
    words = ["三次", "会议", "广西", "代表团", "，", "同"]
    assert entities(more_rules, words, [(2, 4, "ORG")]) == [("LOC", "广西")]
    words = ["在", "宁夏", "宁东", "能源", "化工", "基地", "，"]
    found = entities(more_rules, words, [(1, 6, "ORG")])
    assert found == [("LOC", "宁夏"), ("LOC", "宁东能源化工基地")]
