"""Python's cyclic garbage collector in a `zhnews run` process.

A run first imports Prefect, spaCy and the pipeline and loads the model: 4-5 CPU-s making
objects (modules, classes, pydantic models, the pipeline's tables) that live as long as the
process. Collections during that find nothing to free (none left after the load), and every
full collection afterwards walks them all again. Their reference counts free the batches'
Docs and rows; the collector only finds cycles, which a run makes few of.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Iterator

# Allocations between two collections of the youngest generation (Python's default: 700), and
# young collections between two of the next (default 10 and 10): a run's annotate threads
# allocate millions of short-lived objects, which reference counting already frees.
RUN_THRESHOLDS = (10_000, 10, 10)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block (a run's imports and model load) without the cyclic garbage collector;
    then exempt every object alive from later collections (`gc.freeze`) and collect the young
    generation less often (`RUN_THRESHOLDS`). At exit they are handed back to the collector,
    so that the interpreter's last collection finalises them (extension modules such as
    DuckDB's report objects left alive then as leaks)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        atexit.register(gc.unfreeze)
        gc.set_threshold(*RUN_THRESHOLDS)
        if was_enabled:
            gc.enable()
