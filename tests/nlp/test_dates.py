"""Tests for flows.nlp.dates: jionlp/Duckling cases, ANNOTATION.md rules, the seed, spaCy."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import opencc
import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from flows.nlp.dates import extract_dates

ROOT = Path(__file__).parents[1]
PUB = dt.datetime(2022, 3, 28, 10, 18, 3)
CASES = [json.loads(line) for line in (ROOT / "data" / "date_cases.jsonl").read_text().splitlines()]
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def seed_document() -> str:
    """Seed 000 cleaned the way the pipeline does: Simplified, no pinyin, title + body."""
    raw = (ROOT.parent / "seeds" / "000_09d1d3fb153f71d8.txt").read_text(encoding="utf-8")
    lines = _PINYIN.sub("", opencc.OpenCC("t2s").convert(raw)).splitlines()
    title = next(line for line in lines if line.startswith("原标题")).split(":", 1)[1]
    header = ("来源", "原标题", "2022-03-28")
    body = [ln for ln in lines if ln.strip() and not ln.startswith((*header, "想爆料"))]
    return title + "\n\n" + "\n".join(body)


def expected(name: str) -> list[dict]:
    """One list of the customer's annotation of seed 000."""
    path = Path("/work/shared/examples/000_09d1d3fb153f71d8.json")
    if not path.exists():
        pytest.skip("shared examples not available")
    return json.loads(path.read_text(encoding="utf-8"))[name]


def _one(text: str, published: dt.datetime | None = PUB, partial: str | None = None):
    mentions = extract_dates(text, published, partial)
    assert len(mentions) == 1, mentions
    return mentions[0]


def _param(case: dict) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=f"{case['source']}:{case['text']}", marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_converted_cases(case: dict) -> None:
    mentions = extract_dates(case["text"], dt.datetime.fromisoformat(case["published"]))
    placed = [m for m in mentions if m.date_start is not None]
    assert len(placed) == 1, mentions
    assert placed[0].date_start.isoformat() == case["date_start"]
    assert placed[0].date_end.isoformat() == case["date_end"]


@pytest.mark.parametrize(
    ("text", "value", "start", "end", "grain"),
    [
        ("2022年3月27日", "2022-03-27", "2022-03-27", "2022-03-27", "day"),
        ("二〇二二年三月二十七日", "2022-03-27", "2022-03-27", "2022-03-27", "day"),
        ("2022-03-28", "2022-03-28", "2022-03-28", "2022-03-28", "day"),
        ("2022.03.27", "2022-03-27", "2022-03-27", "2022-03-27", "day"),
        ("2022/3/26", "2022-03-26", "2022-03-26", "2022-03-26", "day"),
        ("3月27日下午", "2022-03-27", "2022-03-27", "2022-03-27", "day"),
        ("10日", "2022-03-10", "2022-03-10", "2022-03-10", "day"),
        ("2021年第四季度", "2021-Q4", "2021-10-01", "2021-12-31", "quarter"),
        ("2019年底", "2019-11-01/2019-12-31", "2019-11-01", "2019-12-31", "range"),
        ("今天上午", "2022-03-28", "2022-03-28", "2022-03-28", "day"),
        ("昨天", "2022-03-27", "2022-03-27", "2022-03-27", "day"),
        ("前天", "2022-03-26", "2022-03-26", "2022-03-26", "day"),
        ("明天", "2022-03-29", "2022-03-29", "2022-03-29", "day"),
        ("上周五", "2022-03-25", "2022-03-25", "2022-03-25", "day"),
        ("下周一", "2022-04-04", "2022-04-04", "2022-04-04", "day"),
        ("本月15日", "2022-03-15", "2022-03-15", "2022-03-15", "day"),
        ("去年12月", "2021-12", "2021-12-01", "2021-12-31", "month"),
        ("明年", "2023", "2023-01-01", "2023-12-31", "year"),
        ("前年", "2020", "2020-01-01", "2020-12-31", "year"),
        ("一季度", "2022-Q1", "2022-01-01", "2022-03-31", "quarter"),
        ("上半年", "2022-H1", "2022-01-01", "2022-06-30", "range"),
        ("3月下旬", "2022-03-21/2022-03-31", "2022-03-21", "2022-03-31", "range"),
        ("4月份", "2022-04", "2022-04-01", "2022-04-30", "month"),
        ("今年以来", "2022-01-01/2022-03-28", "2022-01-01", "2022-03-28", "range"),
        ("1月8日以来", "2022-01-08/2022-03-28", "2022-01-08", "2022-03-28", "range"),
        ("自1月27日开始", "2022-01-27/2022-03-28", "2022-01-27", "2022-03-28", "range"),
        ("3月28日至4月3日", "2022-03-28/2022-04-03", "2022-03-28", "2022-04-03", "range"),
        ("5月1日至5日", "2022-05-01/2022-05-05", "2022-05-01", "2022-05-05", "range"),
        ("“五一”期间", "2022-05-01/2022-05-05", "2022-05-01", "2022-05-05", "range"),
        ("春节期间", "2022-01-31/2022-02-06", "2022-01-31", "2022-02-06", "range"),
        ("春节", "2022-02-01", "2022-02-01", "2022-02-01", "day"),
        ("年内", "2022", "2022-01-01", "2022-12-31", "year"),
    ],
)
def test_brief_examples(text: str, value: str, start: str, end: str, grain: str) -> None:
    mention = _one(text)
    assert (mention.text, mention.value, mention.grain) == (text, value, grain)
    assert (mention.date_start.isoformat(), mention.date_end.isoformat()) == (start, end)


def test_month_day_takes_the_year_closest_to_publication() -> None:
    mention = _one("12月31日", dt.datetime(2022, 1, 3))
    assert mention.value == "2021-12-31"


def test_national_day_in_the_right_year() -> None:
    assert _one("国庆节期间", dt.datetime(2021, 9, 20)).value == "2021-10-01/2021-10-07"


def test_partial_publication_date_keeps_year_unknown() -> None:
    today = _one("今天", None, "XXXX-02-07")
    assert (today.value, today.date_start, today.date_end) == ("XXXX-02-07", None, None)
    assert _one("一季度", None, "XXXX-02-07").value == "XXXX-Q1"
    assert _one("2021年5月", None, "XXXX-02-07").date_start == dt.date(2021, 5, 1)


def test_parenthesised_day_and_clock_are_one_span() -> None:
    mention = _one("今天（1月8日）16时")
    assert (mention.text, mention.value) == ("今天（1月8日）16时", "2022-01-08")


@pytest.mark.parametrize(("text", "value"), [("每日", "P1D"), ("每天", "P1D"), ("每周", "P1W")])
def test_frequencies(text: str, value: str) -> None:
    mention = _one(text)
    assert (mention.grain, mention.value, mention.date_start) == ("duration", value, None)


@pytest.mark.parametrize("text", ["目前", "截至目前", "近日", "近期", "连日来", "当前，"])
def test_vague_references_are_unresolved(text: str) -> None:
    mention = _one(text)
    assert (mention.grain, mention.value) == ("relative-unresolved", None)


@pytest.mark.parametrize(
    "text",
    [
        "24小时", "半天", "一个工作日", "七天七检", "十天一调度", "日调度、日报告", "第一时间",
        "全天候", "自第十一场新闻发布会以来", "进驻以来", "疫情期间", "当前疫情", "当前工作",
        "一周一次", "60日内", "近3天以来",
    ],
)  # fmt: skip
def test_not_dates(text: str) -> None:
    assert extract_dates(text, PUB) == []


def test_reported_event_day_fixes_today() -> None:
    text = "3月27日下午，发布会召开。今日全市核酸检测结果全部为阴性。"
    assert [m.value for m in extract_dates(text, PUB)] == ["2022-03-27", "2022-03-27"]


def test_seed_000_matches_the_annotation() -> None:
    text = seed_document()
    got = [(m.text, m.value, m.grain) for m in extract_dates(text, PUB)]
    # The header date is metadata; 7×24小时 is a duration and durations are not date rows.
    want = [
        (d["text"], d["value"], d["grain"])
        for d in expected("dates")
        if d.get("note") != "header" and (d["grain"] != "duration" or d["text"] in ("每日", "每周"))
    ]
    assert got == want


def test_seed_offsets_are_exact() -> None:
    text = seed_document()
    for mention in extract_dates(text, PUB):
        assert text[mention.start_char : mention.end_char] == mention.text


@given(st.text(), st.one_of(st.none(), st.datetimes()))
def test_never_raises_and_offsets_are_valid(text: str, published: dt.datetime | None) -> None:
    for mention in extract_dates(text, published):
        assert 0 <= mention.start_char < mention.end_char <= len(text)
        assert text[mention.start_char : mention.end_char] == mention.text


@given(
    st.text(
        alphabet="0123456789年月日号至到以来起今去前明上下本周季度半旬底初期间春节五一自每目当，、（）"
    )
)
def test_never_raises_on_date_soup(text: str) -> None:
    for mention in extract_dates(text, PUB, None):
        assert text[mention.start_char : mention.end_char] == mention.text


def test_spacy_component_reads_publication_date() -> None:
    import flows.nlp.dates  # noqa: F401  (registers the factory)

    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_dates")
    doc = nlp.make_doc("今年以来，3月27日下午召开会议。")
    doc._.published = PUB
    doc = nlp.get_pipe("zhnews_dates")(doc)
    assert [(m.text, m.value) for m in doc._.dates] == [
        ("今年以来", "2022-01-01/2022-03-28"),
        ("3月27日下午", "2022-03-27"),
    ]
    undated = nlp.get_pipe("zhnews_dates")(nlp.make_doc("今天"))._.dates
    assert [(m.text, m.value, m.grain) for m in undated] == [("今天", None, "relative-unresolved")]


def test_spacy_pipeline_round_trips(tmp_path: Path) -> None:
    import flows.nlp.dates  # noqa: F401

    nlp = spacy.blank("zh")
    nlp.add_pipe("zhnews_dates")
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    assert loaded.pipe_names == ["zhnews_dates"]
    assert loaded("2022年3月27日")._.dates[0].value == "2022-03-27"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Seed 004 has no publication date: year-level expressions still get XXXX values.
        ("今年以来，街道营收下滑", [("今年以来", "XXXX-01-01/XXXX-XX-XX", "range")]),
        ("一季度实现固定资产投资", [("一季度", "XXXX-Q1", "quarter")]),
        ("确保实现全年各项发展目标任务", [("全年", "XXXX", "year")]),
        ("三要保首季开门红", [("首季", "XXXX-Q1", "quarter")]),
        # A quoted holiday keeps its quotes, alone or before 期间 (ANNOTATION.md).
        ("教育学生“五一”不外出", [("“五一”", "XXXX-05-01", "day")]),
        ("“五一”期间离盘必须报备", [("“五一”期间", "XXXX-05-01/XXXX-05-05", "range")]),
        # The short name then the full name of one holiday is one mention.
        ("在“五一”国际劳动节来临之际", [("“五一”国际劳动节", "XXXX-05-01", "day")]),
        ("“五一”劳动节期间", [("“五一”劳动节期间", "XXXX-05-01/XXXX-05-05", "range")]),
    ],
)
def test_year_level_dates_without_publication_date(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    found = extract_dates(text, None)
    assert [(m.text, m.value, m.grain) for m in found] == expected
    assert all(m.date_start is None and m.date_end is None for m in found)


def _day_span(text: str, published: dt.datetime) -> list[tuple[str, str, str]]:
    return [
        (d.text, d.date_start.isoformat(), d.date_end.isoformat())
        for d in extract_dates(text, published)
        if d.date_start is not None
    ]


@pytest.mark.parametrize(
    ("text", "published", "want"),
    [
        # The official holiday, from the State Council's schedule for that year.
        ("2020年春节期间", dt.datetime(2020, 3, 1), ("2020-01-24", "2020-02-02")),
        ("春节期间", dt.datetime(2022, 3, 28), ("2022-01-31", "2022-02-06")),
        ("春节期间", dt.datetime(2025, 2, 20), ("2025-01-28", "2025-02-04")),
        ("端午节期间", dt.datetime(2021, 6, 20), ("2021-06-12", "2021-06-14")),
        ("中秋节期间", dt.datetime(2022, 9, 20), ("2022-09-10", "2022-09-12")),
        # Beyond the schedule's years: the festival day alone.
        ("2031年春节期间", dt.datetime(2031, 3, 1), ("2031-01-23", "2031-01-23")),
        # Fixed by ANNOTATION.md whatever the schedule.
        ("“五一”期间", dt.datetime(2022, 5, 10), ("2022-05-01", "2022-05-05")),
        ("国庆期间", dt.datetime(2023, 10, 10), ("2023-10-01", "2023-10-07")),
    ],
)
def test_holiday_periods_for_any_year(text: str, published: dt.datetime, want: tuple) -> None:
    assert _day_span(text, published) == [(text, *want)]


@pytest.mark.parametrize(
    ("text", "published", "day"),
    [
        ("2030年中秋节", dt.datetime(2030, 1, 1), "2030-09-12"),
        ("重阳节", dt.datetime(2021, 10, 20), "2021-10-14"),
        ("除夕", dt.datetime(2024, 2, 1), "2024-02-09"),
        ("元宵节", dt.datetime(2023, 2, 1), "2023-02-05"),
        ("七夕", dt.datetime(2020, 8, 1), "2020-08-25"),
        ("腊八节", dt.datetime(2021, 1, 10), "2021-01-20"),
        ("清明节", dt.datetime(2024, 3, 1), "2024-04-04"),
        ("国际护士节", dt.datetime(2020, 5, 1), "2020-05-12"),
        ("建党节", dt.datetime(2021, 6, 1), "2021-07-01"),
        ("教师节", dt.datetime(2022, 9, 1), "2022-09-10"),
        ("农历八月十五", dt.datetime(2022, 8, 1), "2022-09-10"),
        ("今年农历八月十五", dt.datetime(2023, 1, 5), "2023-09-29"),
        ("2021年农历正月初一", dt.datetime(2022, 1, 1), "2021-02-12"),
        ("正月十五", dt.datetime(2022, 2, 1), "2022-02-15"),
        ("腊月二十三", dt.datetime(2022, 1, 10), "2022-01-25"),
        ("三月初三", dt.datetime(2022, 3, 28), "2022-04-03"),
    ],
)
def test_festivals_and_lunar_dates(text: str, published: dt.datetime, day: str) -> None:
    assert _day_span(text, published) == [(text, day, day)]


def test_month_start_is_not_a_lunar_date() -> None:
    [(text, start, end)] = _day_span("十月初，天气转凉", dt.datetime(2022, 11, 1))
    assert (text, start) == ("十月初", "2022-10-01") and end > start


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # ANNOTATION.md: N units ending the day before publication, or starting the day after.
        ("近三年", "2014-03-22", "2017-03-21"),
        ("过去10年", "2007-03-22", "2017-03-21"),
        ("近3日", "2017-03-19", "2017-03-21"),
        ("近5个月", "2016-10-22", "2017-03-21"),
        ("未来两天", "2017-03-23", "2017-03-24"),
        ("今明两日", "2017-03-22", "2017-03-23"),
        # Weeks run Monday to Sunday; 下下周 is the week after next.
        ("下下周", "2017-04-03", "2017-04-09"),
        ("上上周三", "2017-03-08", "2017-03-08"),
        # Decades: the most recent past one unless a century is written.
        ("八十年代", "1980-01-01", "1989-12-31"),
        ("上世纪九十年代", "1990-01-01", "1999-12-31"),
        ("本世纪10年代", "2010-01-01", "2019-12-31"),
        ("“十四五”时期", "2021-01-01", "2025-12-31"),
        ("十三五期间", "2016-01-01", "2020-12-31"),
        # Centuries, read like the decades; 初/末 are their first and last ten years.
        ("二十世纪", "1900-01-01", "1999-12-31"),
        ("上世纪", "1900-01-01", "1999-12-31"),
        ("21世纪初", "2000-01-01", "2009-12-31"),
        ("二十世纪末", "1990-01-01", "1999-12-31"),
        ("本世纪以来", "2000-01-01", "2017-03-22"),
        ("二十世纪九十年代", "1990-01-01", "1999-12-31"),
    ],
)
def test_relative_spans_decades_and_plans(text: str, start: str, end: str) -> None:
    assert _day_span(text, dt.datetime(2017, 3, 22, 9)) == [(text, start, end)]


@pytest.mark.parametrize(
    ("text", "published", "want"),
    [
        ("九八年", dt.datetime(2021, 3, 22), [("九八年", "1998-01-01", "1998-12-31")]),
        ("2月29日", dt.datetime(2021, 3, 22), [("2月29日", "2020-02-29", "2020-02-29")]),
        ("7.3.2021", dt.datetime(2021, 3, 22), [("7.3.2021", "2021-03-07", "2021-03-07")]),
        ("2019-2021年", dt.datetime(2021, 3, 22), [("2019-2021年", "2019-01-01", "2021-12-31")]),
        ("今年1-5月", dt.datetime(2022, 6, 10), [("今年1-5月", "2022-01-01", "2022-05-31")]),
        ("3月上半月", dt.datetime(2021, 3, 22), [("3月上半月", "2021-03-01", "2021-03-15")]),
        ("本周末", dt.datetime(2021, 3, 22), [("本周末", "2021-03-27", "2021-03-28")]),
        # ANNOTATION.md: 同期 takes the period it is compared with.
        (
            "5月份前三周，全市接待游客比去年同期增长",
            dt.datetime(2022, 6, 10),
            [("5月份前三周", "2022-05-01", "2022-05-21"), ("去年同期", "2021-05-01", "2021-05-21")],
        ),
    ],
)
def test_short_years_numeric_forms_and_same_period(
    text: str, published: dt.datetime, want: list
) -> None:
    assert _day_span(text, published) == want


def test_same_period_without_a_period_in_the_sentence_is_vague() -> None:
    [mention] = extract_dates("一季度增长。比去年同期", dt.datetime(2022, 6, 10))[1:]
    assert (mention.text, mention.date_start, mention.grain) == (
        "去年同期",
        None,
        "relative-unresolved",
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [("3 7 2021", "2021-07-03"), ("2021 8 3", "2021-08-03"), ("03/08/2021", "2021-08-03")],
)
def test_space_and_slash_separated_numeric_dates(text: str, day: str) -> None:
    mention = _one(text)
    assert (mention.text, mention.value) == (text, day)


def test_holiday_with_since_is_the_latest_one_up_to_publication() -> None:
    august = dt.datetime(2021, 8, 3)
    assert _one("国庆以来", august).value == "2020-10-01/2021-08-03"
    assert _one("元旦以来", august).value == "2021-01-01/2021-08-03"
    assert _one("国庆期间", august).value == "2021-10-01/2021-10-07"


def test_holiday_naming_an_event_is_not_a_date() -> None:
    assert extract_dates("联合举行国庆招待会", PUB) == []


def test_today_fixed_in_brackets_holds_for_the_whole_text() -> None:
    text = "26日新增4例。今天（1月27日），队伍抵达。26日累计36万人，今天建成。大兴区昨天开始检测。"
    rows = [(m.text, m.value) for m in extract_dates(text, dt.datetime(2021, 1, 27, 19))]
    assert rows == [
        ("26日", "2021-01-26"),
        ("今天（1月27日）", "2021-01-27"),
        ("26日", "2021-01-26"),
        ("今天", "2021-01-27"),
        ("昨天", "2021-01-26"),
    ]


def test_clock_range_belongs_to_its_day() -> None:
    mention = _one("8月2日0时—24时", dt.datetime(2021, 8, 3))
    assert (mention.text, mention.value) == ("8月2日0时—24时", "2021-08-02")


def test_since_without_a_suffix_is_an_open_range() -> None:
    mention = _one("自7月初再暴发的疫情", dt.datetime(2020, 7, 31))
    assert (mention.text, mention.value) == ("自7月初", "2020-07-01/2020-07-31")
    closed = _one("自3月1日至5日举行")
    assert (closed.text, closed.value) == ("3月1日至5日", "2022-03-01/2022-03-05")


def test_bare_month_part_is_in_the_publication_month() -> None:
    mention = _one("主体结构将在月底基本完工", dt.datetime(2020, 3, 23))
    assert (mention.text, mention.value) == ("月底", "2020-03-25/2020-03-31")


@pytest.mark.parametrize(("text", "value"), [("每年5月30日", "P1Y"), ("每月15日", "P1M")])
def test_recurring_days_are_frequencies(text: str, value: str) -> None:
    mention = _one(f"将{text}定为节日")
    assert (mention.text, mention.grain, mention.value) == (text, "duration", value)


def test_figurative_tomorrow_is_not_a_date() -> None:
    assert extract_dates("香港的美好明天在于发展", PUB) == []
    assert _one("明天将下雨").value == "2022-03-29"


def test_since_framing_an_event_is_the_day_itself() -> None:
    text = "自17日新增阳性病例达到一个高峰后，昨天下降"
    rows = [(m.text, m.value) for m in extract_dates(text, dt.datetime(2021, 12, 19))]
    assert rows == [("17日", "2021-12-17"), ("昨天", "2021-12-18")]


def test_commemorative_day_by_its_full_name() -> None:
    mention = _one("在第四个“全国科技工作者日”到来之际", dt.datetime(2020, 5, 29))
    assert (mention.text, mention.value) == ("“全国科技工作者日”", "2020-05-30")


@pytest.mark.parametrize(
    ("text", "value"),
    [("71年前", "1949"), ("十年前", "2010"), ("3天前", "2020-02-10")],
)
def test_years_and_days_ago(text: str, value: str) -> None:
    assert _one(text, dt.datetime(2020, 2, 13)).value == value


def test_first_n_months_in_digits() -> None:
    assert _one("今年前7个月", dt.datetime(2020, 9, 5)).value == "2020-01-01/2020-07-31"


def test_plan_document_is_not_a_period() -> None:
    assert extract_dates("编制“十四五”规划", PUB) == []
    assert _one("“十四五”时期").value == "2021-01-01/2025-12-31"


def test_festival_of_this_season_is_the_one_just_past() -> None:
    assert _one("春节期间", dt.datetime(2020, 9, 5)).value == "2020-01-24/2020-02-02"
    assert _one("春节期间", dt.datetime(2021, 12, 19)).value == "2022-01-31/2022-02-06"


def test_festival_in_a_product_name_is_not_a_date() -> None:
    assert extract_dates("收到了社区送来的中秋贺卡", PUB) == []


def test_locative_shang_is_not_last_year_or_month() -> None:
    # 网上 / 晚上 end a word: 网上年货节 holds no 上年, 晚上月色 no 上月.
    assert extract_dates("将举办全国网上年货节", PUB) == []
    assert [d.text for d in extract_dates("晚上月色很好", PUB)] == ["晚上"]
    assert [(d.text, d.value) for d in extract_dates("比上年增长5%", PUB)] == [("上年", "2021")]
    assert [(d.text, d.value) for d in extract_dates("上月底完成", PUB)] == [
        ("上月底", "2022-02-25/2022-02-28")
    ]
