"""One walk of the inputs for a whole run: `zhnews run` walks them for its checks, and the flow
reads the files that walk found (`walked_before`, `found_inputs`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from flows.inputs import ingest
from flows.store.records import Reject


@dataclass(frozen=True, slots=True)
class FoundInputs:
    """One walk of the inputs given: the files to read, and rejects for the directories that
    could not be walked. `zhnews run` walks once, for its checks and for the flow."""

    inputs: list[Path]
    follow_symlinks: bool
    files: list[Path]
    rejects: list[Reject]

    @classmethod
    def walk(
        cls, inputs: Sequence[Path], *, follow_symlinks: bool = False, skip: Sequence[Path] = ()
    ) -> FoundInputs:
        files, rejects = ingest.find_input_files(inputs, follow_symlinks=follow_symlinks, skip=skip)
        return cls(list(inputs), follow_symlinks, files, rejects)

    def walked(self, inputs: Sequence[Path], follow_symlinks: bool) -> bool:
        """Whether this is the walk of `inputs` with these settings."""
        return self.inputs == list(inputs) and self.follow_symlinks == follow_symlinks


# The walk a caller made before starting the flow (`zhnews run`, for its checks). A context
# variable rather than a flow parameter: Prefect stores parameters with the flow run, and caps
# them at 512 KiB, which the file list of a large directory exceeds.
_WALKED: ContextVar[FoundInputs | None] = ContextVar("zhnews_walked_inputs", default=None)


@contextlib.contextmanager
def walked_before(found: FoundInputs) -> Iterator[None]:
    """Within the block, `found_inputs` gives `found` for its inputs instead of walking again."""
    token = _WALKED.set(found)
    try:
        yield
    finally:
        _WALKED.reset(token)


def found_inputs(
    inputs: Sequence[Path], *, follow_symlinks: bool = False, skip: Sequence[Path] = ()
) -> FoundInputs:
    """The walk of `inputs`: the caller's (`walked_before`) when it walked these, else a new one
    (an interrupted `--reprocess` adds its inputs to the run's)."""
    walked = _WALKED.get()
    if walked is not None and walked.walked(inputs, follow_symlinks):
        return walked
    return FoundInputs.walk(inputs, follow_symlinks=follow_symlinks, skip=skip)
