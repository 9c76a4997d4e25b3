"""The annotated sets' JSONL files, line by line (stdlib only; every validate script reads so)."""

import json
from collections.abc import Iterator
from pathlib import Path


def parsed_lines(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, record, "") for each line of `path`; (line number, None, the error) for a
    line that is not JSON. Lines end at "\\n" only: a text may hold U+2028."""
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield lineno, None, str(error)
            else:
                yield lineno, record, ""
