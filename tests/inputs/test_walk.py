"""One walk of the inputs per run (flows/inputs/walk.py)."""

from __future__ import annotations

from pathlib import Path

from flows.inputs import walk


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_walk_made_before_the_flow_is_used_for_the_same_inputs_only(tmp_path: Path) -> None:
    first = _write(tmp_path / "in" / "a.txt", "甲")
    walked = walk.FoundInputs.walk([tmp_path / "in"])
    _write(tmp_path / "in" / "b.txt", "乙")  # not in the earlier walk
    other = _write(tmp_path / "other.txt", "丙")
    with walk.walked_before(walked):
        assert walk.found_inputs([tmp_path / "in"]) is walked
        assert walk.found_inputs([tmp_path / "in"], follow_symlinks=True).files == [
            first,
            tmp_path / "in" / "b.txt",
        ]
        assert walk.found_inputs([tmp_path / "in", other]).files[-1] == other
    assert len(walk.found_inputs([tmp_path / "in"]).files) == 2
