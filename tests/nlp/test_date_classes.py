"""The date classes of issue 22, one table row per phrase (tests/data/date_classes.jsonl):
each phrase, read on its publication day, gives the expected days, and its mention ends where
ANNOTATION.md says (the whole phrase, or the `span` named in the row)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from flows.nlp.dates import extract_dates
from flows.store.records import DateMention

CASES = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "data" / "date_classes.jsonl").read_text().splitlines()
]


def _param(case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=f"{case['class']}:{case['text']}@{case['published'][:10]}",
                        marks=marks)  # fmt: skip


def _days(mention: DateMention) -> tuple[str | None, str | None]:
    start, end = mention.date_start, mention.date_end
    return (start and start.isoformat(), end and end.isoformat())


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_date_class_case(case: dict) -> None:
    mentions = extract_dates(case["text"], dt.datetime.fromisoformat(case["published"]))
    expected = (case["date_start"], case["date_end"])
    if "span" in case:
        chosen = [m for m in mentions if m.text == case["span"]]
        if expected == (None, None):
            assert all(_days(m) == expected for m in chosen), mentions
            return
    else:
        chosen = [m for m in mentions if m.date_start is not None]
        if expected == (None, None):
            assert chosen == [], mentions
            return
        assert [m.text for m in chosen] == [case["text"]], mentions
    assert [_days(m) for m in chosen] == [expected], mentions


def test_every_class_has_cases() -> None:
    classes = {case["class"] for case in CASES}
    assert len(classes) == 21
    assert all(sum(c["class"] == name for c in CASES) >= 6 for name in classes)
