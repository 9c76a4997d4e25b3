"""Officials: posts in apposition with a name (ANNOTATION.md, "Officials")."""

from __future__ import annotations

import pytest

from tests.nlp.test_divisions import annotated


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        (
            "发布会上，临沂市委常委、副市长隽新阳介绍情况。",
            "临沂市委/ORG 隽新阳/PERSON",
            [("隽新阳", "市委常委", None, "371300"), ("隽新阳", "副市长", None, "371300")],
        ),
        (
            "临沂市住房和城乡建设局党组书记、局长赵明通报情况。",
            "临沂市住房和城乡建设局/ORG 赵明/PERSON",
            [
                ("赵明", "党组书记", "临沂市住房和城乡建设局", "371300"),
                ("赵明", "局长", "临沂市住房和城乡建设局", "371300"),
            ],
        ),
        (
            "兴隆台区召开会议。区政协党组书记、主席王春出席。",
            "兴隆台区/LOC 王春/PERSON",
            [("王春", "区政协党组书记", None, "211103"), ("王春", "区政协主席", None, "211103")],
        ),
        (
            "中共中央政治局常委、国务院总理李克强主持会议。",
            "中共中央政治局/ORG 国务院/ORG 李克强/PERSON",
            [("李克强", "政治局常委", "中共中央", None), ("李克强", "总理", "国务院", None)],
        ),
        (
            "潍坊市委副书记张三和刘运市长出席，新疆维吾尔自治区党委书记陈全国讲话。",
            "潍坊市委/ORG 张三/PERSON 刘运/PERSON 新疆维吾尔自治区/LOC 陈全国/PERSON",
            [
                ("张三", "市委副书记", None, "370700"),
                ("刘运", "市长", None, "370700"),
                ("陈全国", "自治区党委书记", None, "650000"),
            ],
        ),
        (
            "定南县工业和信息化局原党组书记、局长曾世明履职不力。",
            "定南县工业和信息化局/ORG 曾世明/PERSON",
            [
                ("曾世明", "原党组书记", "定南县工业和信息化局", "360728"),
                ("曾世明", "原局长", "定南县工业和信息化局", "360728"),
            ],
        ),
        (
            "镇党委书记赵六、镇长钱七，村党支部书记孙八参加，香港特区行政长官林郑月娥致辞。",
            "赵六/PERSON 钱七/PERSON 村党支部/ORG 孙八/PERSON 香港特区/LOC 林郑月娥/PERSON",
            [
                ("赵六", "镇党委书记", None, None),
                ("钱七", "镇长", None, None),
                ("孙八", "村党支部书记", None, None),
                ("林郑月娥", "行政长官", None, "810000"),
            ],
        ),
        (
            "副市长张三、李四，记者王五，该企业负责人韩先生，李主任。",
            "张三/PERSON 李四/PERSON 王五/PERSON 韩/PERSON 李/PERSON",
            [
                ("张三", "副市长", None, None),
                ("李四", "副市长", None, None),
                ("李", "主任", None, None),
            ],
        ),
    ],
)
def test_officials_by_the_annotation_rules(
    text: str, entities: str, expected: list[tuple[str, str, str | None, str | None]]
) -> None:
    doc = annotated(text, entities)
    found = [(o.person, o.title, o.organisation, o.adcode) for o in doc._.officials]
    assert found == expected
    for official in doc._.officials:
        assert text[official.start_char : official.end_char] == official.person


def test_the_same_person_and_post_twice_is_one_official() -> None:
    doc = annotated(
        "市长张三讲话。市长张三强调。",
        "张三/PERSON 张三/PERSON",
        outlet="济宁新闻网",
    )
    assert [(o.person, o.title, o.adcode, o.start_char) for o in doc._.officials] == [
        ("张三", "市长", "370800", 2)
    ]
