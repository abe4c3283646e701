"""Garbage collection tuned for a node: long-lived objects frozen, young collections rarer.

A node builds its long-lived objects once (configuration, targets, pacer state, connections,
imported modules: hundreds of thousands of objects at 10,000 targets), then every cycle makes
short-lived ones that reference counting frees. With CPython's defaults each full collection
walks every long-lived object again: 250-500 ms pauses and dozens of collections a minute
were seen on the demo. `settle_after_start_up` collects once, then `gc.freeze()` moves every
survivor to the permanent generation (never scanned again), and raises the thresholds so
young collections run per ~10,000 net allocations instead of 700. Done once per process:
freezing again would pin whatever garbage the process holds by then.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)

# (generation 0 allocations, generation 0 runs per generation 1, generation 1 runs per full)
NODE_GC_THRESHOLDS = (10_000, 20, 20)

_lock = threading.Lock()
_settled = False


def settle_after_start_up() -> bool:
    """Collect, freeze the survivors and set `NODE_GC_THRESHOLDS`; False if already done."""
    global _settled
    with _lock:
        if _settled:
            return False
        _settled = True
        started = time.perf_counter()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*NODE_GC_THRESHOLDS)
        log.info(
            "garbage collector: %d long-lived objects frozen in %.0f ms, thresholds %s",
            gc.get_freeze_count(),
            (time.perf_counter() - started) * 1000,
            NODE_GC_THRESHOLDS,
        )
        return True
