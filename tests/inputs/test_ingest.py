from __future__ import annotations

import codecs
import gzip
import json
import os
import random
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.inputs import ingest
from flows.inputs.clean import remove_pinyin
from flows.inputs.ingest import DecodeError, InputOptions, decode_bytes, iter_inputs
from flows.store.records import InputFormat, RawDocument, Reject, RejectReason

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Real Chinese news text: Simplified for GBK, Traditional (seed 002, pinyin removed) for Big5.
SIMPLIFIED = (
    "4月11日，济南市正式出台助企纾困25条新政，条条“真金白银”，进一步减轻市场主体负担，"
    "帮助市场主体渡过难关。实际上，本轮疫情形势出现反复的同时，全市各区县结合疫情防控工作实际，"
    "在抓实抓细各项防控措施的前提下，全力帮助企业及时解决生产经营中遇到的困难和问题。"
)


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


TRADITIONAL = remove_pinyin(_seed("002")).splitlines()[0]


def _read(*paths: Path, max_chars: int = ingest.DEFAULT_MAX_CHARS) -> list[RawDocument | Reject]:
    return list(iter_inputs(list(paths), InputOptions(max_chars=max_chars)))


def _one(path: Path, **kwargs: int) -> RawDocument | Reject:
    [item] = _read(path, **kwargs)
    return item


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _reason(item: RawDocument | Reject) -> RejectReason:
    assert isinstance(item, Reject), item
    return item.reason


# --- files and directories ------------------------------------------------------------------


def test_seeds_are_read_as_utf8_text_in_sorted_order() -> None:
    items = _read(SEEDS)
    assert [Path(item.source).name[:3] for item in items] == ["000", "001", "002", "003", "004"]
    assert all(isinstance(item, RawDocument) for item in items)
    first = items[0]
    assert isinstance(first, RawDocument)
    assert first.format is InputFormat.TEXT
    assert first.encoding == "utf-8"
    assert first.record_id is None
    assert first.source == str(SEEDS / "000_09d1d3fb153f71d8.txt")
    assert first.content.startswith("來源:中國(guó)山東網(wǎng)")


def test_directory_walk_is_recursive_sorted_and_rejects_unknown_extensions(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "b.txt", "乙")
    _write(tmp_path / "a" / "z.HTML", "<p>甲</p>")
    _write(tmp_path / "a" / "notes.md", "skipped")
    _write(tmp_path / "c.jpg", b"\xff\xd8\xff")
    _write(tmp_path / "a.htm", "<p>丙</p>")
    _write(tmp_path / "d.jsonl.gz", gzip.compress('{"text": "丁"}\n'.encode()))
    _write(tmp_path / "e.tar.gz", gzip.compress(b"tar"))
    _write(tmp_path / ".hidden" / "x.txt", "隐")
    _write(tmp_path / ".DS_Store", b"\x00")
    items = _read(tmp_path)
    assert [Path(item.source).relative_to(tmp_path).as_posix() for item in items] == [
        "a/notes.md",
        "a/z.HTML",
        "a.htm",
        "b.txt",
        "c.jpg",
        "d.jsonl.gz",
        "e.tar.gz",
    ]
    assert [item.format for item in items if isinstance(item, RawDocument)] == [
        InputFormat.HTML,
        InputFormat.HTML,
        InputFormat.TEXT,
        InputFormat.TEXT,
    ]
    rejects = [item for item in items if isinstance(item, Reject)]
    assert {item.reason for item in rejects} == {RejectReason.UNSUPPORTED}
    assert "archives are not read" in rejects[-1].detail
    assert _read(tmp_path) == items


def test_symlink_out_of_the_input_directory_is_not_read(tmp_path: Path) -> None:
    secret = _write(tmp_path / "outside" / "passwd.txt", "root:x:0:0:root:/root:/bin/bash")
    inbox = tmp_path / "inbox"
    _write(inbox / "a.txt", "甲")
    (inbox / "passwd.txt").symlink_to(secret)
    (inbox / "etc").symlink_to(secret.parent, target_is_directory=True)
    (inbox / "again.txt").symlink_to(inbox / "a.txt")  # inside the inputs: read
    items = _read(inbox)
    by_name = {Path(item.source).name: item for item in items}
    assert set(by_name) == {"a.txt", "again.txt", "passwd.txt", "etc"}
    for name in ("passwd.txt", "etc"):
        assert _reason(by_name[name]) is RejectReason.SYMLINK_OUTSIDE
        assert "--follow-symlinks" in by_name[name].detail
    assert not any("root:x" in getattr(item, "content", "") for item in items)
    assert isinstance(by_name["again.txt"], RawDocument)
    followed = list(iter_inputs([inbox], InputOptions(follow_symlinks=True)))
    contents = [item.content for item in followed if isinstance(item, RawDocument)]
    assert contents.count("root:x:0:0:root:/root:/bin/bash") == 2  # the file and the directory
    # A link named on the command line is the operator's choice.
    assert isinstance(_one(inbox / "passwd.txt"), RawDocument)


def test_input_options_key_names_every_setting() -> None:
    keys = {
        InputOptions().key(),
        InputOptions(max_chars=5).key(),
        InputOptions(follow_symlinks=True).key(),
        InputOptions(accept_non_chinese=True).key(),
    }
    assert len(keys) == 4


@pytest.mark.parametrize("name", ["feed.jsonl.gz", "page.HTML.GZ", "article.txt.gz"])
def test_gzipped_inputs_are_read_as_the_file_inside(tmp_path: Path, name: str) -> None:
    # JSONL is UTF-8; a single page may be in a legacy encoding, detected after unpacking.
    plain, encoding = {
        "feed.jsonl.gz": ('{"id": 7, "text": "济南市召开会议"}\n\n{"text": "第二条"}\n', "utf-8"),
        "page.HTML.GZ": ("<html><body><p>济南市召开会议，部署工作。</p></body></html>", "gb18030"),
        "article.txt.gz": ("济南市召开会议，部署下一阶段工作。", "gb18030"),
    }[name]
    data = plain.encode(encoding)
    compressed = _read(_write(tmp_path / name, gzip.compress(data)))
    expected = _read(_write(tmp_path / "plain" / name[: -len(".gz")], data))
    assert compressed and all(isinstance(item, RawDocument) for item in compressed)
    assert [(item.record_id, item.content, item.format, item.encoding) for item in compressed] == [
        (item.record_id, item.content, item.format, item.encoding) for item in expected
    ]


def test_gzip_bomb_is_too_large_and_damaged_gzip_is_unreadable(tmp_path: Path) -> None:
    bomb = _write(tmp_path / "bomb.txt.gz", gzip.compress(("甲" * 1_000).encode()))
    (item,) = list(iter_inputs([bomb], InputOptions(max_chars=100)))
    assert _reason(item) is RejectReason.TOO_LARGE
    damaged = _write(
        tmp_path / "cut.jsonl.gz", gzip.compress('{"text": "甲"}\n'.encode() * 50)[:40]
    )
    items = list(iter_inputs([damaged]))
    assert _reason(items[-1]) is RejectReason.UNREADABLE
    assert "gzip" in items[-1].detail
    not_gzip = _one(_write(tmp_path / "fake.txt.gz", "甲乙丙"))
    assert _reason(not_gzip) is RejectReason.UNREADABLE


def test_explicit_file_with_unknown_extension_is_unsupported(tmp_path: Path) -> None:
    item = _one(_write(tmp_path / "article.md", "正文"))
    assert _reason(item) is RejectReason.UNSUPPORTED
    assert "'.md'" in item.detail


def test_source_is_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "in" / "x.txt", "正文")
    monkeypatch.chdir(tmp_path)
    item = _one(Path("in/x.txt"))
    assert item.source == "in/x.txt"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    item = _one(tmp_path / "gone.txt")
    assert _reason(item) is RejectReason.UNREADABLE
    assert "No such file" in item.detail


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission_is_unreadable(tmp_path: Path) -> None:
    path = _write(tmp_path / "secret.txt", "正文")
    path.chmod(0)
    try:
        item = _one(path)
    finally:
        path.chmod(0o644)
    assert _reason(item) is RejectReason.UNREADABLE
    assert "Permission denied" in item.detail


def test_read_error_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "x.txt", "正文")

    def refuse(self: Path, *args: object, **kwargs: object) -> BinaryIO:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    item = _one(path)
    assert _reason(item) is RejectReason.UNREADABLE
    assert item.detail == "cannot read file: Permission denied"


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [(SIMPLIFIED, "gbk", "gb18030"), (TRADITIONAL, "big5", "big5")],
    ids=["gbk-simplified", "big5-traditional"],
)
def test_undeclared_chinese_encodings_decode_right(
    tmp_path: Path, text: str, codec: str, expected: str
) -> None:
    item = _one(_write(tmp_path / "a.txt", text.encode(codec)))
    assert isinstance(item, RawDocument)
    assert item.content == text
    assert item.encoding == expected


def test_traditional_text_in_gbk_is_not_taken_for_big5(tmp_path: Path) -> None:
    text = remove_pinyin(_seed("004")).splitlines()[1]
    item = _one(_write(tmp_path / "a.txt", text.encode("gbk")))
    assert isinstance(item, RawDocument)
    assert item.content == text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_mark_is_honoured_and_removed(tmp_path: Path, bom: bytes, codec: str) -> None:
    item = _one(_write(tmp_path / "a.txt", bom + SIMPLIFIED.encode(codec)))
    assert isinstance(item, RawDocument)
    assert item.content == SIMPLIFIED


def test_truncated_utf8_is_still_utf8(tmp_path: Path) -> None:
    data = SIMPLIFIED.encode("utf-8")
    cut = data[: len(data) - 2]  # ends inside the 3-byte `。`
    item = _one(_write(tmp_path / "a.txt", cut))
    assert isinstance(item, RawDocument)
    assert item.encoding == "utf-8"
    assert item.content == SIMPLIFIED[:-1]


def test_utf8_with_one_corrupt_byte_is_not_redetected(tmp_path: Path) -> None:
    data = SIMPLIFIED.encode("utf-8")
    middle = len(data) // 2
    while data[middle] & 0xC0 == 0x80:  # land on the first byte of a character
        middle += 1
    item = _one(_write(tmp_path / "a.txt", data[:middle] + b"\xff" + data[middle:]))
    assert isinstance(item, RawDocument)
    assert item.encoding == "utf-8"
    assert item.content.replace("\ufffd", "") == SIMPLIFIED


def test_html_meta_charset_is_used_when_not_utf8(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="gbk"></head><body><p>{SIMPLIFIED}</p></body></html>'
    item = _one(_write(tmp_path / "a.html", html.encode("gbk")))
    assert isinstance(item, RawDocument)
    assert item.encoding == "gbk"
    assert SIMPLIFIED in item.content


def test_random_bytes_are_binary(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(20_000)
    item = _one(_write(tmp_path / "a.txt", data))
    assert _reason(item) is RejectReason.BINARY
    assert "NUL" in item.detail


def test_control_character_noise_is_binary(tmp_path: Path) -> None:
    item = _one(_write(tmp_path / "a.txt", bytes(range(1, 32)) * 20 + "正文".encode()))
    assert _reason(item) is RejectReason.BINARY


def test_bytes_no_candidate_decodes_are_undecodable(tmp_path: Path) -> None:
    item = _one(_write(tmp_path / "a.txt", b"\xff\x80abc" * 30))
    assert _reason(item) is RejectReason.UNDECODABLE


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n  ", "\u3000\n".encode()])
def test_empty_or_whitespace_file_is_empty(tmp_path: Path, data: bytes) -> None:
    assert _reason(_one(_write(tmp_path / "a.txt", data))) is RejectReason.EMPTY


@given(st.binary(max_size=300))
def test_decode_bytes_returns_text_or_a_reject_reason(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except DecodeError as error:
        assert error.reason in {RejectReason.BINARY, RejectReason.UNDECODABLE}
    else:
        assert isinstance(decoded.text, str)


# --- size limit -----------------------------------------------------------------------------


def test_more_characters_than_the_limit_is_too_large(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", "字" * 11)
    assert isinstance(_one(path, max_chars=11), RawDocument)
    item = _one(path, max_chars=10)
    assert _reason(item) is RejectReason.TOO_LARGE
    assert "11 characters" in item.detail


def test_oversized_file_is_rejected_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "a.txt", "x" * 401)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized file must not be decoded")

    monkeypatch.setattr(ingest, "decode_bytes", fail)
    item = _one(path, max_chars=100)
    assert _reason(item) is RejectReason.TOO_LARGE
    assert "401 bytes" in item.detail


def test_two_byte_encoding_under_the_limit_is_accepted(tmp_path: Path) -> None:
    text = SIMPLIFIED[:90]
    path = _write(tmp_path / "a.txt", text.encode("gbk"))
    assert path.stat().st_size > 100
    item = _one(path, max_chars=100)
    assert isinstance(item, RawDocument)
    assert item.content == text


# --- JSONL ----------------------------------------------------------------------------------


def _jsonl(tmp_path: Path, *lines: object) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return _write(tmp_path / "docs.jsonl", text + "\n")


def test_jsonl_fields_become_a_raw_document(tmp_path: Path) -> None:
    record = {
        "id": "a1",
        "text": "正文",
        "title": "标题",
        "url": "https://example.cn/a1",
        "pub_date": "2020-01-20 19:21:02",
        "date": "20200120",
        "source": "央视网",
    }
    [item] = _read(_jsonl(tmp_path, record))
    assert item == RawDocument(
        source=str(tmp_path / "docs.jsonl"),
        record_id="a1",
        content="正文",
        format=InputFormat.TEXT,
        title="标题",
        published_at="2020-01-20 19:21:02",
        outlet="央视网",
        url="https://example.cn/a1",
        encoding="utf-8",
    )


@pytest.mark.parametrize("key", ["published_at", "pub_date", "publish_time", "date"])
def test_jsonl_accepts_every_date_field_name(tmp_path: Path, key: str) -> None:
    [item] = _read(_jsonl(tmp_path, {"id": 1, "text": "正文", key: "2020-01-21"}))
    assert isinstance(item, RawDocument)
    assert item.published_at == "2020-01-21"


def test_jsonl_html_field_gives_an_html_document(tmp_path: Path) -> None:
    [item] = _read(_jsonl(tmp_path, {"id": "h", "html": "<p>正文</p>"}))
    assert isinstance(item, RawDocument)
    assert item.format is InputFormat.HTML
    assert item.content == "<p>正文</p>"


def test_jsonl_ids_integer_and_missing(tmp_path: Path) -> None:
    items = _read(_jsonl(tmp_path, {"id": 7, "text": "甲"}, "", {"text": "乙"}))
    assert [item.record_id for item in items] == ["7", "line:3"]


def test_jsonl_rejects_name_the_line_and_the_problem(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path,
        {"id": "ok", "text": "正文"},
        '{"id": "broken", "text": ',
        "[1, 2]",
        {"id": "typed", "text": ["不是", "字符串"]},
        {"id": "ok", "text": "又一篇"},
        {"id": "empty", "text": "  ", "title": "只有标题"},
        {"id": True, "text": "正文"},
    )
    items = _read(path)
    assert isinstance(items[0], RawDocument)
    rejects = [(item.reason, item.record_id, item.detail) for item in items[1:]]
    assert [(reason, record_id) for reason, record_id, _ in rejects] == [
        (RejectReason.MALFORMED_JSON, "line:2"),
        (RejectReason.MALFORMED_JSON, "line:3"),
        (RejectReason.BAD_FIELD, "typed"),
        (RejectReason.DUPLICATE_ID, "line:5"),
        (RejectReason.NO_TEXT, "empty"),
        (RejectReason.BAD_FIELD, "line:7"),
    ]
    details = [detail for _, _, detail in rejects]
    assert details[0].startswith("line 2: ")
    assert details[1] == "line 3: expected a JSON object, got array"
    assert details[2] == "line 4: field 'text' must be a string, got array"
    assert details[3] == "line 5: id 'ok' already used on line 1"
    assert details[4] == "line 6: no non-blank 'text' or 'html' field"
    assert details[5] == "line 7: field 'id' must be a string or integer, got boolean"


def test_jsonl_code_is_data(tmp_path: Path) -> None:
    payload = "__import__('os').system('false')"
    [item] = _read(_jsonl(tmp_path, {"id": payload, "text": payload}))
    assert isinstance(item, RawDocument)
    assert item.content == payload


def test_jsonl_invalid_utf8_line_is_undecodable_and_others_survive(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": "正文"}, ensure_ascii=False).encode()
    bad = json.dumps({"id": "b", "text": "正文"}, ensure_ascii=False).encode("gbk")
    items = _read(_write(tmp_path / "d.jsonl", codecs.BOM_UTF8 + good + b"\n" + bad + b"\n"))
    assert isinstance(items[0], RawDocument)
    assert _reason(items[1]) is RejectReason.UNDECODABLE
    assert items[1].detail.startswith("line 2: ")


def test_jsonl_size_limit_is_per_document(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, {"id": "a", "text": "字" * 8}, {"id": "b", "text": "字" * 11})
    items = _read(path, max_chars=10)
    assert isinstance(items[0], RawDocument)
    assert _reason(items[1]) is RejectReason.TOO_LARGE
    assert items[1].record_id == "b"


def test_jsonl_overlong_line_is_skipped_without_parsing(tmp_path: Path) -> None:
    huge = {"id": "huge", "text": "x" * (10 * ingest._JSON_ESCAPE_BYTES + 70_000)}
    path = _jsonl(tmp_path, huge, {"id": "next", "text": "正文"})
    items = _read(path, max_chars=10)
    assert _reason(items[0]) is RejectReason.TOO_LARGE
    assert items[0].detail.startswith("line 1 is longer than")
    assert isinstance(items[1], RawDocument)
    assert items[1].record_id == "next"


def test_blank_jsonl_file_is_empty(tmp_path: Path) -> None:
    assert _reason(_one(_write(tmp_path / "d.jsonl", "\n \n"))) is RejectReason.EMPTY


def test_covid_corpus_lines_read_as_documents_or_no_text() -> None:
    corpus = Path(__file__).resolve().parents[3] / "shared/corpora/covid_news"
    path = corpus / "xwlb_covid_2020_2021.jsonl"
    if not path.exists():
        pytest.skip("shared corpus not available")
    items = _read(path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(items) == len(records)
    for item, record in zip(items, records, strict=True):
        assert item.record_id == record["id"]
        if record["text"].strip():
            assert isinstance(item, RawDocument)
            assert item.published_at == record["pub_date"]
            assert item.title == record["title"]
        else:
            assert _reason(item) is RejectReason.NO_TEXT


def test_the_output_inside_an_input_is_not_walked_and_no_file_is_read_twice(
    tmp_path: Path,
) -> None:
    article = _write(tmp_path / "a.txt", "甲")
    _write(tmp_path / "out" / "documents" / "part-1.parquet", b"PAR1")
    files, rejects = ingest.find_input_files([tmp_path, article], skip=[tmp_path / "out"])
    assert (files, rejects) == ([article], [])
