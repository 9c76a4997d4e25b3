"""A torture corpus of bad and awkward inputs, generated at test time (no committed blobs).

`write_torture_corpus(directory)` writes every case under `directory` and returns what a run
must make of each: a document (with a phrase its cleaned text must contain, and one it must
not) or a reject with its exact reason. Articles are short so a run over them stays fast.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from flows.store.records import RejectReason

HUGE_LINE_BYTES = 50 * 1024 * 1024

# Short Simplified and Traditional articles; both mention numbers, dates and a slogan.
ARTICLE = (
    "临沂市召开疫情防控工作会议\n\n"
    "3月27日，临沂市召开全市疫情防控工作会议，部署落实“外防输入、内防反弹”要求。"
    "会议指出，全市新增核酸检测点106个，累计检测22.5万人次。"
)
TRADITIONAL_ARTICLE = (
    "濟寧市召開疫情防控視頻會議\n\n"
    "2月7日，濟寧市召開全市疫情防控工作視頻會議，貫徹落實全省相關會議精神。"
    "會議要求各級幹部堅守崗位，確保人民群眾生命安全和身體健康。"
)
# The simplified phrase each of the above must yield after cleaning.
ARTICLE_PHRASE = "新增核酸检测点106个"
TRADITIONAL_PHRASE = "济宁市召开全市疫情防控工作视频会议"


@dataclass(frozen=True, slots=True)
class Case:
    """One input (a file, or one line of a JSONL file) and what a run must make of it."""

    name: str  # path relative to the corpus directory
    record_id: str | None  # JSONL record id of a document or reject; None for whole files
    reason: RejectReason | None  # None: the input must become a document
    contains: str | None = None  # a phrase the document's text must contain
    excludes: str | None = None  # a phrase the document's text must not contain


def write_torture_corpus(directory: Path, *, seed: int = 7) -> list[Case]:
    """Write every torture case under `directory` and return the expected outcomes."""
    directory.mkdir(parents=True, exist_ok=True)
    cases = [
        *_text_files(directory, random.Random(seed)),
        *_html_files(directory),
        *_jsonl_file(directory),
    ]
    return cases


def _write(directory: Path, name: str, data: bytes) -> None:
    (directory / name).write_bytes(data)


def _text_files(directory: Path, rng: random.Random) -> list[Case]:
    """Plain-text cases: encodings, emptiness, noise, size and tiny documents."""
    utf8 = ARTICLE.encode("utf-8")
    files = {
        "plain.txt": utf8,
        "empty.txt": b"",
        "whitespace.txt": " \n\t\u3000\n".encode(),
        "noise.txt": bytes(rng.randrange(256) for _ in range(4096)),
        "noise_without_nul.txt": bytes(rng.randrange(1, 256) for _ in range(4096)),
        # A multi-byte character cut in the middle, as a truncated download leaves it.
        "truncated_utf8.txt": utf8 + "尾".encode()[:2],
        "gbk_undeclared.txt": ARTICLE.replace("临沂", "济南").encode("gbk"),
        "big5_undeclared.txt": TRADITIONAL_ARTICLE.encode("big5"),
        "english.txt": b"The city held a press conference on epidemic prevention today.\n",
        "one_char.txt": "疫".encode(),
        "only_boilerplate.txt": "推荐阅读\n关闭 打印\n".encode(),
    }
    for name, data in files.items():
        _write(directory, name, data)
    with (directory / "huge_line.txt").open("wb") as sink:
        sink.truncate(HUGE_LINE_BYTES)  # sparse: 50 MB of NUL without writing them
        sink.write("疫情".encode())
    return [
        Case("plain.txt", None, None, contains=ARTICLE_PHRASE),
        Case("empty.txt", None, RejectReason.EMPTY),
        Case("whitespace.txt", None, RejectReason.EMPTY),
        Case("noise.txt", None, RejectReason.BINARY),
        Case("noise_without_nul.txt", None, RejectReason.UNDECODABLE),
        Case("truncated_utf8.txt", None, None, contains=ARTICLE_PHRASE, excludes="\ufffd"),
        Case("gbk_undeclared.txt", None, None, contains="济南市召开全市疫情防控工作会议"),
        Case("big5_undeclared.txt", None, None, contains=TRADITIONAL_PHRASE),
        Case("english.txt", None, RejectReason.NOT_CHINESE),
        Case("one_char.txt", None, None, contains="疫"),
        Case("only_boilerplate.txt", None, RejectReason.NO_TEXT),
        Case("huge_line.txt", None, RejectReason.TOO_LARGE),
    ]


def _html_files(directory: Path) -> list[Case]:
    """HTML cases: deep and unclosed nesting, script and style payloads, broken markup."""
    paragraph = f"<p>{ARTICLE.splitlines()[-1]}</p>"
    nested = "<div><span>" * 20_000 + paragraph  # never closed
    scripts = (
        "<html><head><style>body { content: '样式载荷'; }</style>"
        "<script>document.write('脚本载荷'); eval('1+1');</script></head>"
        f"<body>{paragraph}<script>alert('脚本载荷')</script>"
        "<noscript>无脚本载荷</noscript></body></html>"
    )
    unclosed = f"<html><body><h1>临沂市召开疫情防控工作会议<p>{ARTICLE.splitlines()[-1]}<div <b"
    _write(directory, "deeply_nested.html", nested.encode())
    _write(directory, "script_style.html", scripts.encode())
    _write(directory, "unclosed.htm", unclosed.encode())
    _write(directory, "markup_only.html", b"<html><body><div><span></span></div></body></html>")
    return [
        Case("deeply_nested.html", None, None, contains=ARTICLE_PHRASE),
        Case("script_style.html", None, None, contains=ARTICLE_PHRASE, excludes="载荷"),
        Case("unclosed.htm", None, None, contains=ARTICLE_PHRASE, excludes="<"),
        Case("markup_only.html", None, RejectReason.NO_TEXT),
    ]


def _jsonl_file(directory: Path) -> list[Case]:
    """One JSONL feed mixing good records with every kind of bad line."""
    good = {"id": "a1", "title": "临沂市召开疫情防控工作会议", "text": ARTICLE.splitlines()[-1]}
    feed = "feed.jsonl"
    lines: list[tuple[bytes, Case | None]] = [
        (_json(good), Case(feed, "a1", None, contains=ARTICLE_PHRASE)),
        (b"", None),  # blank lines are skipped, not rejected
        (b'{"id": "b1", "text": "unterminated', Case(feed, "line:3", RejectReason.MALFORMED_JSON)),
        (b"[1, 2, 3]", Case(feed, "line:4", RejectReason.MALFORMED_JSON)),
        (b"[" * 100_000, Case(feed, "line:5", RejectReason.MALFORMED_JSON)),
        (_json({"id": "c1", "text": 42}), Case(feed, "c1", RejectReason.BAD_FIELD)),
        (_json({"id": ["c2"], "text": "文本"}), Case(feed, "line:7", RejectReason.BAD_FIELD)),
        (
            _json({"id": "c3", "text": "文本", "date": {"y": 2022}}),
            Case(feed, "c3", RejectReason.BAD_FIELD),
        ),
        (
            _json({**good, "text": "另一篇" + good["text"]}),
            Case(feed, "line:9", RejectReason.DUPLICATE_ID),
        ),
        (_json({"id": "d1", "title": "无正文"}), Case(feed, "d1", RejectReason.NO_TEXT)),
        (
            '{"id": "e1", "text": "坏字节'.encode() + b'\xff\xfe"}',
            Case(feed, "line:11", RejectReason.UNDECODABLE),
        ),
        (
            _json({"id": 7, "html": "<p>" + TRADITIONAL_ARTICLE.splitlines()[-1] + "</p>"}),
            Case(feed, "7", None, contains=TRADITIONAL_PHRASE),
        ),
        # Path-like ids and sources are data: they must not steer where anything is written.
        (
            _json({"id": "../../escape", "source": "../../../etc/passwd", "text": "路径" * 5}),
            Case(feed, "../../escape", None, contains="路径"),
        ),
        (_json({"id": "f1", "text": "x" * 10}), Case(feed, "f1", RejectReason.NOT_CHINESE)),
        # A third use of an id, with a bad field too: still one reject per line.
        (_json({"id": "a1", "text": 5}), Case(feed, "line:15", RejectReason.DUPLICATE_ID)),
    ]
    data = b"\n".join(line for line, _ in lines) + b"\n"
    _write(directory, "feed.jsonl", data)
    with (directory / "huge_line.jsonl").open("wb") as sink:
        sink.write(b'{"id": "big", "text": "')
        sink.write(b"a" * HUGE_LINE_BYTES)
        sink.write(b'"}\n')
        sink.write(_json({"id": "after", "text": "大文件之后的正常记录"}) + b"\n")
    return [
        *(case for _, case in lines if case is not None),
        Case("huge_line.jsonl", "line:1", RejectReason.TOO_LARGE),
        Case("huge_line.jsonl", "after", None, contains="大文件之后的正常记录"),
    ]


def _json(record: dict[str, object]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")
