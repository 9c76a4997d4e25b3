"""The garbage collector of a `zhnews run` process: paused while it loads, then tuned."""

from __future__ import annotations

import gc

from flows.ops.collector import RUN_THRESHOLDS, collector_paused


def test_collector_paused_collects_nothing_inside_and_freezes_what_was_made() -> None:
    thresholds, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    try:
        with collector_paused():
            assert not gc.isenabled()
            kept = [[index] for index in range(1_000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(kept)
        assert gc.get_threshold() == RUN_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_collector_paused_leaves_a_disabled_collector_disabled() -> None:
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
        gc.set_threshold(*thresholds)
