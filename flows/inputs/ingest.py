"""Read input files into `RawDocument`s, or `Reject`s saying why they could not be read.

Inputs are files or directories of `.txt`, `.html`/`.htm` and `.jsonl`, each also gzipped
(`.jsonl.gz`: scrapers and feeds commonly ship them so). Directories are walked recursively in
sorted order, so a run always sees the same documents in the same order; every file found is
read or rejected (`unsupported` for `.zip`, `.tar.gz`, `.md`…), except hidden ones (`.name`).
Input is treated as data only: it is decoded and parsed as JSON, never evaluated. A symbolic
link found in a directory is read only when its target lies inside the inputs given (else the
reject `symlink_outside`), unless `follow_symlinks` is set: a link in an upload directory must
not make a document of `/etc/passwd`.

JSONL record ids: a line's `id` (string or integer) as a string; a line without one gets
`line:N` (1-based line number), so every document has a stable key. A rejected line whose id
is unknown or not its own (invalid JSON, an overlong line, an id already used) is rejected
with `record_id=line:N`, so every reject row keeps a unique (source, record_id, reason) key.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from charset_normalizer import from_bytes

from flows import DEFAULT_MAX_CHARS
from flows.store.records import InputFormat, RawDocument, Reject, RejectReason

# No supported encoding spends more than 4 bytes on a character, so a file larger than this
# many bytes per allowed character is too large without decoding it.
_MAX_BYTES_PER_CHAR = 4
# A JSONL line may spell every character as a 6-byte `\uXXXX` escape, plus other fields.
_JSON_ESCAPE_BYTES = 6
_JSONL_FIELD_SLACK = 65_536

# Encodings tried, after strict UTF-8 and any declared charset, for undeclared Chinese text.
_DETECT_CANDIDATES = ("gb18030", "big5", "cp950")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I
)
_HTML_SNIFF_BYTES = 4096
_BINARY_SAMPLE_BYTES = 8192
# A file whose UTF-8 decoding fails on at most this share of its non-ASCII characters is
# UTF-8 with a few corrupted bytes; other encodings fail on nearly every non-ASCII byte.
_MAX_UTF8_ERROR_RATIO = 0.01
# Above this share of control or replacement characters, decoded "text" is binary noise.
_MAX_NOISE_RATIO = 0.05

_DATE_FIELDS = ("published_at", "pub_date", "publish_time", "date")
_STRING_FIELDS = ("text", "html", "title", "url", "source")


class FileKind(StrEnum):
    """Input file kinds, by extension."""

    TEXT = "text"
    HTML = "html"
    JSONL = "jsonl"


_KINDS = {
    ".txt": FileKind.TEXT,
    ".html": FileKind.HTML,
    ".htm": FileKind.HTML,
    ".jsonl": FileKind.JSONL,
}


_GZIP = ".gz"
_ARCHIVES = frozenset([".zip", ".bz2", ".xz", ".7z", ".rar", ".tar", ".tgz", ".zst"])
# What a damaged gzip stream raises besides OSError (BadGzipFile): a cut-off stream, bad data.
_GZIP_ERRORS = (EOFError, zlib.error)


@dataclass(frozen=True, slots=True)
class InputOptions:
    """Settings that decide whether an input is read or rejected."""

    max_chars: int = DEFAULT_MAX_CHARS  # longer documents are rejected as too_large
    follow_symlinks: bool = False  # read links leading outside the inputs given
    accept_non_chinese: bool = False  # keep documents that are not Chinese text

    def key(self) -> str:
        """A stable description of the settings, stored with inputs they rejected."""
        return (
            f"max_chars={self.max_chars};follow_symlinks={self.follow_symlinks};"
            f"accept_non_chinese={self.accept_non_chinese}"
        )


DEFAULT_OPTIONS = InputOptions()


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes, with the codec that decoded it."""

    text: str
    encoding: str


class DecodeError(Exception):
    """Bytes that are not text; carries the reject reason and detail."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def iter_inputs(
    paths: Sequence[Path],
    options: InputOptions = DEFAULT_OPTIONS,
    *,
    roots: Sequence[Path] | None = None,
) -> Iterator[RawDocument | Reject]:
    """Yield a document or a reject for every input file (or JSONL line) under `paths`.

    Args:
        paths: files or directories; directories are walked recursively in sorted order.
        options: the size limit and whether links leading outside `roots` are followed.
        roots: the inputs as given, when `paths` are files already found under them.
    """
    files, rejects = find_input_files(paths, follow_symlinks=options.follow_symlinks)
    yield from rejects
    inside = _Roots(paths if roots is None else roots)
    for path in files:
        if not options.follow_symlinks and path.is_symlink() and not inside.holds(path):
            yield _outside_reject(path)
        else:
            yield from _read_file(path, options.max_chars)


def find_input_files(
    paths: Sequence[Path], *, follow_symlinks: bool = False, skip: Sequence[Path] = ()
) -> tuple[list[Path], list[Reject]]:
    """The files to read under `paths`, and rejects for directories that cannot be walked.

    Files given explicitly are kept whatever their extension (reading rejects unsupported
    ones); directories contribute every file but hidden ones, sorted by relative path. A
    linked directory is walked only with `follow_symlinks`; one leading outside `paths` is
    rejected without it. Directories in `skip` (the output, when it lies inside an input) are
    not walked, and a file found twice is read once.
    """
    files: list[Path] = []
    rejects: list[Reject] = []
    inside = _Roots(paths)
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        errors: list[OSError] = []
        found: list[Path] = []
        # Real paths, so a link cycle is walked once; the skipped ones count as walked.
        walked = {os.path.realpath(directory) for directory in skip}
        for dirpath, dirnames, filenames in os.walk(
            path, onerror=errors.append, followlinks=follow_symlinks
        ):
            base = Path(dirpath)
            walked.add(os.path.realpath(base))
            dirnames[:] = [
                name
                for name in sorted(dirnames)
                if not name.startswith(".") and os.path.realpath(base / name) not in walked
            ]
            rejects.extend(
                _outside_reject(base / name)
                for name in dirnames
                if not follow_symlinks
                and (base / name).is_symlink()
                and not inside.holds(base / name)
            )
            found.extend(base / name for name in filenames if not name.startswith("."))
        rejects.extend(
            Reject(str(e.filename), None, RejectReason.UNREADABLE, _os_detail(e)) for e in errors
        )
        files.extend(sorted(found, key=lambda p: p.relative_to(path).parts))
    return list(dict.fromkeys(files)), rejects


class _Roots:
    """The real paths of the inputs given, to tell where a symbolic link leads."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._roots = [Path(os.path.realpath(path)) for path in paths]

    def holds(self, path: Path) -> bool:
        target = Path(os.path.realpath(path))
        return any(target.is_relative_to(root) for root in self._roots)


def _outside_reject(path: Path) -> Reject:
    detail = (
        f"symbolic link to {os.path.realpath(path)}, outside the inputs given; "
        "not read (--follow-symlinks reads it)"
    )
    return Reject(str(path), None, RejectReason.SYMLINK_OUTSIDE, detail)


def _kind(path: Path) -> FileKind | None:
    """The file kind for a path's extension (the one before `.gz` for a gzipped file), or None
    if unsupported."""
    suffixes = [suffix.lower() for suffix in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == _GZIP:
        return _KINDS.get(suffixes[0]) if len(suffixes) == 2 else None
    return _KINDS.get(suffixes[-1]) if suffixes else None


def _is_gzipped(path: Path) -> bool:
    return path.suffix.lower() == _GZIP


def _open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed on the fly when it is gzipped."""
    return gzip.open(path, "rb") if _is_gzipped(path) else path.open("rb")


def _read_file(path: Path, max_chars: int) -> Iterator[RawDocument | Reject]:
    """Read one file given explicitly or found in a directory."""
    source = str(path)
    kind = _kind(path)
    if kind is None:
        detail = (
            f"unsupported file extension {''.join(path.suffixes[-2:]) or path.name!r}; "
            "expected .txt, .html, .htm or .jsonl, or one of them gzipped (.jsonl.gz)"
        )
        if path.suffix.lower() in _ARCHIVES or path.suffix.lower() == _GZIP:
            detail += " (archives are not read: unpack it)"
        yield Reject(source, None, RejectReason.UNSUPPORTED, detail)
        return
    try:
        if kind is FileKind.JSONL:
            yield from _read_jsonl(path, max_chars)
        else:
            yield _read_document(path, kind, max_chars)
    except OSError as error:
        yield Reject(source, None, RejectReason.UNREADABLE, _os_detail(error))
    except _GZIP_ERRORS as error:
        detail = f"damaged gzip file: {error}"
        yield Reject(source, None, RejectReason.UNREADABLE, detail)


def _os_detail(error: OSError) -> str:
    """A readable message for a failed file operation."""
    return f"cannot read file: {error.strerror or error}"


def _read_document(path: Path, kind: FileKind, max_chars: int) -> RawDocument | Reject:
    """Read a whole .txt or .html file as one document."""
    source = str(path)
    byte_limit = max_chars * _MAX_BYTES_PER_CHAR
    if not _is_gzipped(path) and (size := path.stat().st_size) > byte_limit:
        detail = f"file is {size:,} bytes, more than {max_chars:,} characters can take"
        return Reject(source, None, RejectReason.TOO_LARGE, detail)
    # One byte past the limit at most: a gzipped file's size says nothing of what it unpacks to.
    with _open_binary(path) as handle:
        data = handle.read(byte_limit + 1)
    if len(data) > byte_limit:
        detail = (
            f"unpacks to over {byte_limit:,} bytes, more than {max_chars:,} characters can take"
        )
        return Reject(source, None, RejectReason.TOO_LARGE, detail)
    try:
        decoded = decode_bytes(data, html=kind is FileKind.HTML)
    except DecodeError as error:
        return Reject(source, None, error.reason, error.detail)
    if not decoded.text.strip():
        return Reject(source, None, RejectReason.EMPTY, "file has no text (only whitespace)")
    if len(decoded.text) > max_chars:
        detail = f"{len(decoded.text):,} characters, more than the limit of {max_chars:,}"
        return Reject(source, None, RejectReason.TOO_LARGE, detail)
    return RawDocument(
        source=source,
        record_id=None,
        content=decoded.text,
        format=InputFormat.HTML if kind is FileKind.HTML else InputFormat.TEXT,
        encoding=decoded.encoding,
    )


def decode_bytes(data: bytes, *, html: bool = False) -> DecodedText:
    """Decode file bytes: BOM, then strict UTF-8, then a declared HTML charset, then detection.

    Raises:
        DecodeError: the bytes are binary (BINARY) or no candidate decodes them (UNDECODABLE).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), codec)
            except UnicodeDecodeError as error:
                raise DecodeError(
                    RejectReason.UNDECODABLE,
                    f"not valid {codec} after its byte-order mark: {error}",
                ) from None
    if b"\x00" in data[:_BINARY_SAMPLE_BYTES]:
        raise DecodeError(RejectReason.BINARY, "file contains NUL bytes: binary, not text")
    utf8 = _decode_utf8(data)
    if utf8 is not None:
        return _checked(utf8, "utf-8")
    declared = _declared_charset(data) if html else None
    if declared is not None:
        try:
            return _checked(data.decode(declared), declared)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; fall back to detection
    best = from_bytes(data, cp_isolation=list(_DETECT_CANDIDATES)).best()
    if best is None or best.encoding is None:
        detail = "not UTF-8 and not decodable as " + ", ".join(_DETECT_CANDIDATES)
        raise DecodeError(RejectReason.UNDECODABLE, detail)
    return _checked(str(best), best.encoding)


def _decode_utf8(data: bytes) -> str | None:
    """UTF-8, tolerating a character cut off at the end and rare corrupted bytes elsewhere.

    Text that is UTF-8 but for a truncated last character or a stray bad byte must not go to
    detection, which would "explain" the bytes as another encoding and return mojibake.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.end == len(data):
            return data[: error.start].decode("utf-8")
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return text if bad <= (non_ascii - bad) * _MAX_UTF8_ERROR_RATIO else None


def _declared_charset(data: bytes) -> str | None:
    """The Python codec named by an HTML `<meta charset>`, if any and known."""
    match = _HTML_CHARSET.search(data[:_HTML_SNIFF_BYTES])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


def _checked(text: str, encoding: str) -> DecodedText:
    """Reject decoded text that is mostly control or replacement characters."""
    sample = text[:_BINARY_SAMPLE_BYTES]
    noise = sum(1 for ch in sample if _is_noise(ch))
    if sample and noise / len(sample) > _MAX_NOISE_RATIO:
        detail = f"{noise} of the first {len(sample)} characters are control characters"
        raise DecodeError(RejectReason.BINARY, detail + ": binary, not text")
    return DecodedText(text.removeprefix("\ufeff"), encoding)


def _is_noise(ch: str) -> bool:
    """True for characters that do not occur in text files."""
    if ch in "\t\n\r\f":
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co")


def _read_jsonl(path: Path, max_chars: int) -> Iterator[RawDocument | Reject]:
    """Yield one document or reject per non-blank line of a JSONL file."""
    source = str(path)
    line_limit = max_chars * _JSON_ESCAPE_BYTES + _JSONL_FIELD_SLACK
    seen: dict[str, int] = {}
    any_line = False
    with _open_binary(path) as handle:
        for number, raw in enumerate(_bounded_lines(handle, line_limit), start=1):
            if raw is None:
                detail = f"line {number} is longer than {line_limit:,} bytes"
                yield Reject(source, f"line:{number}", RejectReason.TOO_LARGE, detail)
                any_line = True
                continue
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            any_line = True
            yield _parse_jsonl_line(source, number, raw, seen, max_chars)
    if not any_line:
        yield Reject(source, None, RejectReason.EMPTY, "JSONL file has no non-blank lines")


def _bounded_lines(handle: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """Lines of a binary file; None (after skipping it) for a line longer than `limit`."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit:
            yield line
            continue
        while not line.endswith(b"\n"):
            line = handle.readline(limit)
            if not line:
                break
        yield None


def _parse_jsonl_line(
    source: str, number: int, raw: bytes, seen: dict[str, int], max_chars: int
) -> RawDocument | Reject:
    """Turn one JSONL line into a document, or a reject naming the problem."""
    line_id = f"line:{number}"
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        detail = f"line {number}: not valid UTF-8 at byte {error.start}"
        return Reject(source, line_id, RejectReason.UNDECODABLE, detail)
    except (ValueError, RecursionError) as error:
        return Reject(source, line_id, RejectReason.MALFORMED_JSON, f"line {number}: {error}")
    if not isinstance(record, dict):
        detail = f"line {number}: expected a JSON object, got {_type(record)}"
        return Reject(source, line_id, RejectReason.MALFORMED_JSON, detail)
    raw_id = record.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        detail = f"line {number}: field 'id' must be a string or integer, got {_type(raw_id)}"
        return Reject(source, line_id, RejectReason.BAD_FIELD, detail)
    record_id = line_id if raw_id is None else str(raw_id)
    # The id is checked first and claimed even by a line rejected below, so no two rejects
    # of one file share a record_id: a repeated id is only named in the detail.
    if record_id in seen:
        detail = f"line {number}: id {record_id!r} already used on line {seen[record_id]}"
        return Reject(source, line_id, RejectReason.DUPLICATE_ID, detail)
    seen[record_id] = number
    problem = _field_problem(record)
    if problem is not None:
        return Reject(source, record_id, RejectReason.BAD_FIELD, f"line {number}: {problem}")
    return _jsonl_document(source, number, record_id, record, max_chars)


def _field_problem(record: dict[str, Any]) -> str | None:
    """Describe the first field with the wrong type, or None if all are usable."""
    for name in _STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return f"field {name!r} must be a string, got {_type(value)}"
    for name in _DATE_FIELDS:
        value = record.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            return f"field {name!r} must be a date string, got {_type(value)}"
    return None


def _type(value: object) -> str:
    """The JSON type name of a parsed value."""
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    names |= {list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _jsonl_document(
    source: str, number: int, record_id: str, record: dict[str, Any], max_chars: int
) -> RawDocument | Reject:
    """Build the document of a well-typed JSONL record; `text` is preferred over `html`."""
    text, html = record.get("text"), record.get("html")
    if text and text.strip():
        content, fmt = text, InputFormat.TEXT
    elif html and html.strip():
        content, fmt = html, InputFormat.HTML
    else:
        detail = f"line {number}: no non-blank 'text' or 'html' field"
        return Reject(source, record_id, RejectReason.NO_TEXT, detail)
    if len(content) > max_chars:
        detail = f"line {number}: {len(content):,} characters, more than the limit of {max_chars:,}"
        return Reject(source, record_id, RejectReason.TOO_LARGE, detail)
    published = next((record[k] for k in _DATE_FIELDS if record.get(k) not in (None, "")), None)
    return RawDocument(
        source=source,
        record_id=record_id,
        content=content,
        format=fmt,
        title=record.get("title"),
        published_at=None if published is None else str(published),
        outlet=record.get("source"),
        url=record.get("url"),
        encoding="utf-8",
    )
