"""Runs over hostile and rejected inputs: what is read again, what never is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.pipeline import zhnews_flow
from flows.store import tables
from flows.store.tables import Table
from tests.conftest import SEEDS


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_rejected_input_is_read_again_once_its_cause_is_fixed(tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    seed = shutil.copy(next(SEEDS.glob("002_*.txt")), inbox)
    (inbox / "passwd.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("秘密文件内容，不应读取。" * 10, encoding="utf-8")
    first = zhnews_flow([inbox], out, max_chars=100)
    assert first.reject_reasons == {"too_large": 1, "symlink_outside": 1}
    again = zhnews_flow([inbox], out, max_chars=100)
    assert (again.skipped_files, again.rejects) == (2, 0)
    fixed = zhnews_flow([inbox], out)
    assert fixed.rows[Table.DOCUMENTS.value] == 1
    assert fixed.reject_reasons == {"symlink_outside": 1}
    documents = tables.read_table(out, Table.DOCUMENTS, ["source"]).column("source").to_pylist()
    assert documents == [str(seed)]
