from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.inputs import ingest
from flows.inputs.clean import (
    MAX_HTML_DEPTH,
    MIN_CHINESE_SHARE,
    SHANGHAI,
    LineKind,
    body_part,
    chinese_share,
    classify_line,
    clean_document,
    clean_text,
    halfwidth_alnum,
    html_depth,
    html_to_text,
    normalize_lines,
    normalize_text,
    parse_datetime,
    remove_boilerplate,
    remove_pinyin,
    strip_html_fragments,
    to_simplified,
)
from flows.store.records import CleanDocument, InputFormat, RawDocument, Reject, RejectReason

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
EXAMPLE = REPO.parent / "shared" / "examples" / "000_09d1d3fb153f71d8.json"
COVID_NEWS = REPO.parent / "shared" / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"
TONE_MARKS = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")
# Traditional forms that occur in the seeds and differ from their Simplified forms.
TRADITIONAL = re.compile("[國網發會臨與區們東這應級書長為開關門時動經濟華導實議議處當項產體]")


def _raw(content: str, fmt: InputFormat = InputFormat.TEXT, **fields: str) -> RawDocument:
    return RawDocument(source="test.txt", record_id=None, content=content, format=fmt, **fields)


def _clean(content: str, fmt: InputFormat = InputFormat.TEXT, **fields: str) -> CleanDocument:
    doc = clean_document(_raw(content, fmt, **fields))
    assert isinstance(doc, CleanDocument), doc
    return doc


def _seed(prefix: str) -> tuple[str, CleanDocument]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    content = path.read_text(encoding="utf-8")
    doc = clean_document(RawDocument(str(path), None, content, InputFormat.TEXT))
    assert isinstance(doc, CleanDocument)
    return content, doc


SEED_IDS = ["000", "001", "002", "003", "004"]


# --- seeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "title", "published", "partial", "outlet", "author"),
    [
        (
            "000",
            "临沂市召开新闻发布会 通报疫情防控和经济运行保障等情况",
            dt.datetime(2022, 3, 28, 10, 18, 3, tzinfo=SHANGHAI),
            None,
            "中国山东网; 大众网",
            None,
        ),
        (
            "001",
            "市第九核查督导组入驻诸城市 细核查严督导 坚决打好疫情防控阻击战",
            dt.datetime(2020, 2, 27, 11, 2, 13, tzinfo=SHANGHAI),
            None,
            "潍坊日报",
            "纪哲",
        ),
        ("002", None, None, "XXXX-02-07", "济宁新闻网", None),
        ("003", "我区召开疫情防控暨安全生产工作会议", None, None, None, None),
        ("004", "疫情期间服务不断档", None, None, None, "韩霄鹏时晔然张敏"),
    ],
)
def test_seed_metadata(
    prefix: str,
    title: str | None,
    published: dt.datetime | None,
    partial: str | None,
    outlet: str | None,
    author: str | None,
) -> None:
    _, doc = _seed(prefix)
    assert doc.title == title
    assert doc.published_at == published
    if published is not None:
        assert doc.published_at.utcoffset() == dt.timedelta(hours=8)
    assert doc.published_partial == partial
    assert doc.outlet == outlet
    assert doc.author == author


def test_seed_000_matches_the_customer_annotation() -> None:
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    _, doc = _seed("000")
    for boilerplate in example["boilerplate"]:
        assert boilerplate not in doc.text
    for body in example["body_must_contain"]:
        assert body in doc.text
    meta = example["meta"]
    assert doc.title == meta["title"]
    assert doc.published_at == dt.datetime.fromisoformat(meta["published"]).replace(tzinfo=SHANGHAI)
    assert doc.outlet == "; ".join(meta["source"])
    assert doc.author == meta["author"]


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_text_layout_and_normalisation(prefix: str) -> None:
    _, doc = _seed(prefix)
    lines = doc.text.split("\n")
    if doc.title is None:
        assert "" not in lines
    else:
        assert lines[0] == doc.title
        assert lines[1] == ""
        assert "" not in lines[2:]
    assert all(line == line.strip() and "  " not in line for line in lines)
    assert not TONE_MARKS.search(doc.text)
    assert not TRADITIONAL.search(doc.text), TRADITIONAL.findall(doc.text)
    assert doc.doc_id == hashlib.sha256(doc.text.encode()).hexdigest()[:16]
    for metadata in ("来源", "原标题", "作者:", "当前位置", "Copyright", "版权所有", "<", "•"):
        assert metadata not in doc.text


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_cleaning_is_stable_on_its_own_output(prefix: str) -> None:
    _, doc = _seed(prefix)
    again = _clean(doc.text)
    assert again.text == doc.text
    assert again.title == doc.title
    assert clean_text(doc.text) == doc.text.replace("\n\n", "\n")


def test_seed_000_header_lines_are_not_body() -> None:
    _, doc = _seed("000")
    assert doc.text.split("\n")[2].startswith("3月27日下午,临沂市人民政府新闻办公室")
    assert "2022-03-28" not in doc.text


def test_seed_001_related_articles_are_gone() -> None:
    content, doc = _seed("001")
    assert "潍坊市14个重大重点项目集中开工" in content
    for gone in ("推荐阅读", "潍坊市14个重大重点项目集中开工", "[详细]", "02-25 11-24", "5.7万户"):
        assert gone not in doc.text
    assert doc.text.endswith("切实做好疫情防控与企业复工两手并抓。")
    assert "2020-02-27" not in doc.text


def test_seed_002_dateline_is_metadata() -> None:
    _, doc = _seed("002")
    assert doc.text.startswith("今天上午,市委书记、市人大常委会主任")
    assert "济宁新闻网" not in doc.text
    assert "相关阅读" not in doc.text
    assert doc.text.endswith("抓好教育领域等项工作。")


def test_seed_003_keeps_its_last_paragraph_and_drops_spam_and_navigation() -> None:
    _, doc = _seed("003")
    assert doc.text.endswith("各街道班子成员在分会场参会。(宣传部)")
    for gone in ("高清对白", "无码", "上一篇", "下一篇", "关闭 打印", "首页", "dfn"):
        assert gone not in doc.text
    assert "全区106 个社区、13 个村" in doc.text


def test_seed_004_byline_and_footer_are_gone() -> None:
    _, doc = _seed("004")
    for gone in ("本报记者", "韩霄鹏", "关键词", "关于我们", "广告服务", "qq.com", "爱好者日报网"):
        assert gone not in doc.text
    assert doc.text.endswith("实行一站式全链条并联审批、限时办结的“绿色通道”。")
    assert "“点对点”纾困确保安全生产持续稳定" in doc.text.split("\n")


# --- helpers --------------------------------------------------------------------------------


def test_html_to_text_drops_invisible_elements_and_breaks_blocks() -> None:
    html = (
        "<html><head><title>站名</title><style>p{color:red}</style></head><body>"
        "<nav>首页 &gt; 要闻</nav><h1>标题</h1><script>var a = '<p>x</p>';</script>"
        "<div>第一段<p>第二段\n  接续</p>尾巴<br>换行 &amp; 实体&nbsp;空格</div>"
        "<ul><li>甲</li><li>乙</li></ul><footer>版权</footer></body></html>"
    )
    lines = [line.strip() for line in html_to_text(html).split("\n") if line.strip()]
    assert lines == ["标题", "第一段", "第二段接续", "尾巴", "换行 & 实体 空格", "甲", "乙"]


def test_strip_html_fragments_removes_tags_but_not_comparisons() -> None:
    text = '• <dfn id="8iawn"></dfn>正文<br/>1<2 且 3>2 <!-- 注释 -->'
    assert strip_html_fragments(text) == "• 正文1<2 且 3>2 "
    assert strip_html_fragments("<<b>i>斜体") == "斜体"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中國(guó)山東網(wǎng)", "中國山東網"),
        ("關(guān)於", "關於"),
        ("新聞?dòng)記者", "新聞記者"),
        ("(宣传部)", "(宣传部)"),
        ("Copyright (C) 1999", "Copyright (C) 1999"),
        ("重点企业(项目)疫情防控", "重点企业(项目)疫情防控"),
        ("北京(Beijing)", "北京(Beijing)"),
        ("ATM机(ATM)", "ATM机(ATM)"),
        ("中((guó)guó)", "中"),
    ],
)
def test_remove_pinyin(text: str, expected: str) -> None:
    assert remove_pinyin(text) == expected


def test_to_simplified() -> None:
    assert to_simplified("臨沂市召開新聞發佈會") == "临沂市召开新闻发布会"
    assert to_simplified("临沂市") == "临沂市"


def test_halfwidth_alnum_keeps_chinese_punctuation() -> None:
    assert halfwidth_alnum("ＡＰＰ２４小时，（项目）：“好”％") == "APP24小时，（项目）：“好”％"


def test_normalize_lines_collapses_spaces_and_drops_empty_lines() -> None:
    text = "  全区106 个社区\u3000\u300013  个村 \n\n\t\n • 要点\n——\n"
    assert normalize_lines(text) == ["全区106 个社区 13 个村", "要点"]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("当前位置: 首页 >动态要闻 >兴隆要闻", LineKind.NAVIGATION),
        ("上一篇: 新工街道粮家村:志愿服务让十里花溪更美", LineKind.NAVIGATION),
        ("关闭 打印", LineKind.NAVIGATION),
        ("关键词:", LineKind.NAVIGATION),
        ("【字体：大 中 小】", LineKind.NAVIGATION),
        ("Copyright (C) 1999-2020 www.w4vfr.cn 爱好者日报网 版权所有", LineKind.FOOTER),
        ("关于我们 广告服务 手机版 投诉文章:435 226 40@qq.com", LineKind.FOOTER),
        ("想爆料?请登录《阳光连线》、拨打新闻热线0531-66661234", LineKind.FOOTER),
        ("联系电话：0531-12345678", LineKind.CONTACT),
        ("推荐阅读", LineKind.RELATED),
        ("【相关新闻】", LineKind.RELATED),
        ("高清对白精彩国产国语,亚洲国产99精品国自产,18精品久久久无码午夜福利", LineKind.SPAM),
        ("要优先前置做好民生服务,畅通重要生活物资物流通道。", LineKind.BODY),
        ("市民可在线观看直播。", LineKind.BODY),
        ("各街道班子成员在分会场参会。(宣传部)", LineKind.BODY),
        ("相关新闻报道引起关注。", LineKind.BODY),
    ],
)
def test_classify_line(line: str, kind: LineKind) -> None:
    assert classify_line(line) is kind


def test_remove_boilerplate_cuts_at_a_related_list() -> None:
    lines = ["正文一。", "关闭 打印", "正文二。", "相关阅读", "其他文章标题", "摘要。"]
    result = remove_boilerplate(lines)
    assert result.lines == ["正文一。", "正文二。"]
    assert result.chars_removed == sum(map(len, lines[1:2] + lines[3:]))


@pytest.mark.parametrize(
    ("line", "body"),
    [
        (
            "4月11日，济南市正式出台助企纾困25条新政。Copyright © 2022 济南日报 版权所有",
            "4月11日，济南市正式出台助企纾困25条新政。",
        ),
        (
            "会议要求各地压实责任，做好防控。本网原创稿件，未经授权不得转载。",
            "会议要求各地压实责任，做好防控。",
        ),
        ("全市新增确诊病例3例。济南日报 版权所有", "全市新增确诊病例3例。"),
        ("会议强调，要抓好复工复产。©2022 大众网", "会议强调，要抓好复工复产。"),
        ("Copyright (C) 1999-2020 www.w4vfr.cn 爱好者日报网 版权所有", ""),
        ("想爆料?请登录《阳光连线》、拨打新闻热线0531-66661234。齐鲁网广告热线,诚邀合作伙伴。", ""),
        ("关于我们 广告服务 手机版 投诉文章:435 226 40@qq.com", ""),
        ("本次活动由市科技局主办单位负责，华为公司提供技术支持。", None),
        ("当前位置: 首页 >动态要闻", ""),
    ],
)
def test_body_part_cuts_the_footer_not_the_sentences_before_it(line: str, body: str | None) -> None:
    assert body_part(line) == (line if body is None else body)


def test_one_paragraph_article_ending_with_a_copyright_notice_keeps_its_paragraph() -> None:
    paragraph = (
        "3月27日下午，临沂市召开新闻发布会，通报全市疫情防控和经济运行保障等情况。"
        "发布会介绍，全市已累计完成核酸检测1200万人次，重点企业复工率超过90%。"
    )
    for footer in ("Copyright © 2022 临沂日报社 版权所有", "（版权所有，未经授权不得转载）"):
        doc = _clean(f"临沂召开疫情防控新闻发布会\n{paragraph}{footer}")
        assert doc.text == f"临沂召开疫情防控新闻发布会\n\n{paragraph}"
        assert doc.chars_removed == len(footer)


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seed_cleaning_keeps_every_body_sentence(prefix: str) -> None:
    """Every long sentence-like line before a related list is kept whole, unless the seed's
    annotation names it boilerplate."""
    content, doc = _seed(prefix)
    annotation_path = next((REPO / "tests/data/seed_annotations").glob(f"{prefix}_*.json"))
    annotation = json.loads(annotation_path.read_text(encoding="utf-8"))
    assert all(body in doc.text for body in annotation["body_must_contain"])
    assert not any(boilerplate in doc.text for boilerplate in annotation["boilerplate"])
    for line in normalize_text(content):
        if classify_line(line) is LineKind.RELATED:
            break
        if len(line) < 40 or "。" not in line:
            continue
        if any(boilerplate in line for boilerplate in annotation["boilerplate"]):
            assert line not in doc.text
        else:
            assert line in doc.text or line.split(" ", 1)[-1] in doc.text  # after a dateline
    assert doc.chars_removed > 0


def test_news_feed_loses_no_text_to_boilerplate_removal() -> None:
    if not COVID_NEWS.exists():
        pytest.skip("shared corpus not available")
    with COVID_NEWS.open(encoding="utf-8") as lines:
        texts = [
            t for line in itertools.islice(lines, 0, None, 10) if (t := json.loads(line)["text"])
        ]
    assert len(texts) > 300
    for text in texts:
        assert remove_boilerplate(normalize_text(text)).chars_removed == 0


def test_mostly_boilerplate_long_input_is_a_reject_and_no_seed_is() -> None:
    page = "\n".join(["市政府召开常务会议。", *["关闭 打印 ©2022 某某网 版权所有"] * 100])
    result = clean_document(_raw(page))
    assert isinstance(result, Reject)
    assert result.reason is RejectReason.MOSTLY_REMOVED
    for prefix in SEED_IDS:
        _seed(prefix)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-01-21", dt.datetime(2020, 1, 21, tzinfo=SHANGHAI)),
        ("2020-01-21 19:00", dt.datetime(2020, 1, 21, 19, 0, tzinfo=SHANGHAI)),
        ("2020-01-21T11:00:00Z", dt.datetime(2020, 1, 21, 19, 0, tzinfo=SHANGHAI)),
        ("2020-01-21T19:00:00+08:00", dt.datetime(2020, 1, 21, 19, 0, tzinfo=SHANGHAI)),
        ("20200121", dt.datetime(2020, 1, 21, tzinfo=SHANGHAI)),
        ("2020/1/21", dt.datetime(2020, 1, 21, tzinfo=SHANGHAI)),
        ("2020年1月21日 19时05分", dt.datetime(2020, 1, 21, 19, 5, tzinfo=SHANGHAI)),
        ("2020-02-30", None),
        ("0001-01-01T00:00:00+14:00", None),
        ("昨天", None),
    ],
)
def test_parse_datetime(value: str, expected: dt.datetime | None) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is SHANGHAI


# --- documents ------------------------------------------------------------------------------


def test_jsonl_metadata_takes_precedence() -> None:
    doc = _clean(
        "臨沂召開會議\n2022-03-28 10:18:03 来源: 大众网\n会议召开。",
        title="臨沂召開會議",
        published_at="2020-01-21",
        outlet="央視網",
    )
    assert doc.title == "临沂召开会议"
    assert doc.text == "临沂召开会议\n\n会议召开。"
    assert doc.published_at == dt.datetime(2020, 1, 21, tzinfo=SHANGHAI)
    assert doc.outlet == "央视网; 大众网"


def test_unparseable_jsonl_date_falls_back_to_the_header() -> None:
    doc = _clean("2022-03-28 10:18:03\n会议召开。", published_at="not a date")
    assert doc.published_at == dt.datetime(2022, 3, 28, 10, 18, 3, tzinfo=SHANGHAI)


def test_interview_lines_are_not_metadata() -> None:
    doc = _clean("记者：你们是怎么做的？\n来源：大众网\n答：我们连夜开会。")
    assert doc.text == "记者：你们是怎么做的？\n答：我们连夜开会。"
    assert doc.author is None
    assert doc.outlet == "大众网"


def test_datelines_give_outlet_and_partial_date() -> None:
    doc = _clean("新华社北京3月5日电（记者 张三） 国务院召开会议,部署工作。")
    assert doc.text == "国务院召开会议,部署工作。"
    assert doc.outlet == "新华社"
    assert doc.published_partial == "XXXX-03-05"
    doc = _clean("央视网消息（新闻联播）：近期，各地加强防控。")
    assert doc.text == "近期，各地加强防控。"
    assert doc.outlet == "央视网"
    doc = _clean("央视网消息（新闻联播）：\n近期，各地加强防控。")
    assert doc.text == "近期，各地加强防控。"
    assert doc.outlet == "央视网"


def test_body_starting_like_an_outlet_is_not_a_dateline() -> None:
    doc = _clean("国家电网电力保障有力,全市用电平稳。")
    assert doc.text == "国家电网电力保障有力,全市用电平稳。"
    assert doc.outlet is None


def test_header_date_without_year_is_partial_only() -> None:
    doc = _clean("济宁新闻网2月7日讯 今天上午召开会议。", published_at="2020-02-07 09:00")
    assert doc.published_at == dt.datetime(2020, 2, 7, 9, 0, tzinfo=SHANGHAI)
    assert doc.published_partial is None


def test_html_document() -> None:
    html = (
        "<html><body><div class='nav'>当前位置：首页 &gt; 新闻</div>"
        "<h1>全市召开疫情防控会议</h1><p>發布時間：2022-04-01 08:30 來源：濟南日報</p>"
        "<p>４月１日，全市召开会议。</p><p>会议强调，要落实各项措施。</p>"
        "<div>Copyright © 2022 济南日报 版权所有</div></body></html>"
    )
    doc = _clean(html, InputFormat.HTML)
    assert doc.title == "全市召开疫情防控会议"
    assert doc.text == "全市召开疫情防控会议\n\n4月1日，全市召开会议。\n会议强调，要落实各项措施。"
    assert doc.published_at == dt.datetime(2022, 4, 1, 8, 30, tzinfo=SHANGHAI)
    assert doc.outlet == "济南日报"


def test_html_saved_as_text_is_parsed_as_html() -> None:
    page = "<!DOCTYPE html><html><body><p>今天，全市召开会议。</p><p>会议强调要落实。</p></body>"
    doc = _clean(page)
    assert doc.text == "今天，全市召开会议。\n会议强调要落实。"


def test_only_boilerplate_is_no_text() -> None:
    result = clean_document(_raw("关闭 打印\nCopyright 2020 版权所有\n<dfn></dfn>"))
    assert isinstance(result, Reject)
    assert result.reason is RejectReason.NO_TEXT
    assert result.source == "test.txt"


def test_single_heading_like_line_is_body_not_title() -> None:
    doc = _clean("疫情期间服务不断档。")
    assert doc.title is None
    assert doc.text == "疫情期间服务不断档。"


# --- properties -----------------------------------------------------------------------------

_CHINESE_NEWS_ALPHABET = st.sampled_from(
    [
        *"國國(guó)网發会议來源：:，,。 \u3000\n\t<>/ab１２ＡＢ()āé?•「」“”-1号·",
        *("推荐阅读", "关闭 打印", "Copyright", "<p>", "(本报记者张敏)", "2022-03-28 10:18"),
        *("©", "版权所有", "未经授权不得转载", "技术支持", "本网原创稿件"),
    ]
)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.lists(_CHINESE_NEWS_ALPHABET).map("".join)))
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=300)
@given(
    st.one_of(st.text(), st.lists(_CHINESE_NEWS_ALPHABET).map("".join)),
    st.sampled_from(InputFormat),
)
def test_clean_document_never_raises(text: str, fmt: InputFormat) -> None:
    result = clean_document(_raw(text, fmt, title=text[:5], published_at=text[:10]))
    assert isinstance(result, CleanDocument | Reject)
    if isinstance(result, CleanDocument):
        assert result.text
        assert not result.text.endswith("\n")


def test_dateline_line_before_a_repeated_title() -> None:
    doc = _clean("新华社北京1月24日电\n全会公报\n全会于1月22日至24日在北京举行。", title="全会公报")
    assert doc.text == "全会公报\n\n全会于1月22日至24日在北京举行。"
    assert doc.outlet == "新华社"
    assert doc.published_partial == "XXXX-01-24"


# --- bounded work ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        ("<div><p>甲<p>乙<br><img src=x></div>", 1),
        ("<div><span>甲</span><div/><!-- <div><div> --></div>", 2),
        ("<ul><li>甲<ul><li>乙</ul></ul>", 2),
        ("<div>" * 50, 50),
    ],
)
def test_html_depth_counts_nesting_elements(html: str, depth: int) -> None:
    assert html_depth(html) == depth


def test_deeply_nested_html_file_is_cleaned_in_seconds(tmp_path: Path) -> None:
    """A 750 KB page of lists nested 40k deep (the parser alone: a minute) becomes a document."""
    levels = 40_000
    paragraph = "4月11日，济南市正式出台助企纾困25条新政&amp;细则。"
    page = (
        "<html><head><script>var x = '<div>';</script></head><body>"
        + "<ul><li>" * levels
        + f"<nav>首页 &gt; 要闻</nav><!-- <p>注释</p> --><p>{paragraph}</p><p>第二段<br>第三段</p>"
        + "</li></ul>" * levels
        + "</body></html>"
    )
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    assert path.stat().st_size > 700_000
    started = time.perf_counter()
    [raw] = ingest.iter_inputs([path])
    assert isinstance(raw, RawDocument)
    doc = clean_document(raw)
    assert time.perf_counter() - started < 10
    assert isinstance(doc, CleanDocument)
    assert doc.text == "4月11日，济南市正式出台助企纾困25条新政&细则。\n第二段\n第三段"
    assert html_depth(page) > MAX_HTML_DEPTH


def test_flattened_html_reads_like_parsed_html() -> None:
    page = (
        "<html><head><title>标题</title><style>p {}</style></head><body>"
        "<div class=a><p>今天，全市召开会议。</p><nav><a>首页</a></nav>"
        "<p>会议强调&nbsp;要落实<br/>责任。</p><footer>版权</footer><span>附</span>件</div>"
        "</body></html>"
    )
    deep = "<div>" * (MAX_HTML_DEPTH + 1) + page + "</div>" * (MAX_HTML_DEPTH + 1)
    assert normalize_text(html_to_text(deep)) == normalize_text(html_to_text(page))


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Local officials met on Monday to discuss the epidemic response and economic recovery.",
        "東京都は7日、新型コロナウイルスの感染者が新たに500人確認されたと発表した。"
        "小池百合子知事は記者会見で、外出自粛を呼びかけた。",
        "서울시는 7일 코로나19 신규 확진자가 500명 발생했다고 밝혔다.",
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
    ],
)
def test_text_that_is_not_chinese_is_rejected_unless_accepted(text: str) -> None:
    result = clean_document(_raw(text))
    assert isinstance(result, Reject)
    assert result.reason is RejectReason.NOT_CHINESE
    assert "--accept-non-chinese" in result.detail
    assert isinstance(clean_document(_raw(text), accept_non_chinese=True), CleanDocument)


@pytest.mark.parametrize("prefix", SEED_IDS)
def test_seeds_are_chinese(prefix: str) -> None:
    _, doc = _seed(prefix)
    assert chinese_share(doc.text) >= MIN_CHINESE_SHARE


def test_news_feed_with_latin_words_is_chinese() -> None:
    if not COVID_NEWS.exists():
        pytest.skip("shared corpus not available")
    with COVID_NEWS.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in itertools.islice(lines, 0, None, 10)]
    documents = [clean_document(_raw(r["text"], title=r["title"])) for r in records if r["text"]]
    assert not [d for d in documents if isinstance(d, Reject)]
    assert any(re.search("[A-Za-z]{3}", d.text) for d in documents)
