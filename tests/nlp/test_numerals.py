"""Tests for flows.nlp.numerals: converted cn2an/Duckling cases, round trips, robustness."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.nlp.numerals import parse_numeral

# Converted cn2an/Duckling/jionlp cases; test_numbers.py reads the extract_numbers ones.
CASES_FILE = Path(__file__).parents[1] / "data" / "numeral_cases.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text().splitlines()]


def _param(case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=f"{case['source']}:{case['text']}", marks=marks)


@pytest.mark.parametrize(
    "case", [_param(c) for c in CASES if c.get("via", "parse_numeral") == "parse_numeral"]
)
def test_converted_cases(case: dict) -> None:
    got = parse_numeral(case["text"])
    if case["value"] is None:
        assert got is None
    else:
        assert got is not None and math.isclose(got, case["value"], rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两万", 20000), ("一百零八", 108), ("三千五百万", 35_000_000), ("5.7万", 57000),
        ("70.91亿", 7_091_000_000), ("1,234", 1234), ("百分之五十", 50), ("二〇二二", 2022),
        ("十二", 12), ("廿", 20), ("廿二", 22), ("三万五", 35000), ("两千零五万", 20_050_000),
        ("一千零五", 1005), ("1万600", 10600), ("三点五", 3.5), ("二分之一", 0.5),
    ],
)  # fmt: skip
def test_brief_examples(text: str, value: float) -> None:
    assert parse_numeral(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text", ["", "元整", "负", "零点", "点零", "一些", "统一", "零分之一", "abc"]
)
def test_non_numerals_give_none(text: str) -> None:
    assert parse_numeral(text) is None


@given(st.integers(min_value=0, max_value=2**53))  # exact in a float
def test_round_trip_lowercase(n: int) -> None:
    assert parse_numeral(cn2an.an2cn(n)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip_capital(n: int) -> None:
    assert parse_numeral(cn2an.an2cn(n, "up")) == n


@given(st.integers(min_value=0, max_value=10**9))
def test_round_trip_arabic_with_separators(n: int) -> None:
    assert parse_numeral(f"{n:,}") == n


@given(st.text())
def test_never_raises(text: str) -> None:
    value = parse_numeral(text)
    assert value is None or math.isfinite(value)


@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿点负0123456789.,分之廿半"))
def test_never_raises_on_numeral_soup(text: str) -> None:
    value = parse_numeral(text)
    assert value is None or math.isfinite(value)
