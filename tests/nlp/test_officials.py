"""Officials: posts in apposition with a name (ANNOTATION.md, "Officials")."""

from __future__ import annotations

import pytest

from tests.conftest import data_cases
from tests.nlp.test_divisions import annotated

# {"text", "entities" (as `annotated` takes them), "officials": [person, title, organisation,
# adcode]}: ANNOTATION.md's examples and constructed sentences of the same forms.
CASES = data_cases("officials_cases.jsonl")


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:12] for case in CASES])
def test_officials_by_the_annotation_rules(case: dict) -> None:
    text = case["text"]
    doc = annotated(text, case["entities"])
    found = [[o.person, o.title, o.organisation, o.adcode] for o in doc._.officials]
    assert found == case["officials"]
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
