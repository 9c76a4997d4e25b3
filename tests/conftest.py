from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

# The property tests check behaviour, not speed: on a loaded CI host one example can take
# longer than hypothesis' 200 ms default deadline and fail a correct test.
settings.register_profile("zhnews", deadline=None)
settings.load_profile("zhnews")

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT / "seeds"
SHARED = REPO_ROOT.parent / "shared"
TEST_DATA = REPO_ROOT / "tests" / "data"


def data_cases(name: str) -> list[dict]:
    """The test cases of tests/data/NAME, one JSON object a line."""
    with (TEST_DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for the whole test session (starting one takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def document_row(doc_id: str = "d1", text: str = "临沂市召开会议", **columns: object) -> dict:
    """A valid `documents` row for table-level tests; `columns` override any column."""
    return {
        "doc_id": doc_id,
        "source": "a.txt",
        "record_id": None,
        "title": None,
        "published_at": None,
        "published_partial": None,
        "outlet": None,
        "author": None,
        "url": None,
        "text": text,
        "n_chars": len(text),
        "is_first_occurrence": True,
        "run_id": "r1",
        **columns,
    }
