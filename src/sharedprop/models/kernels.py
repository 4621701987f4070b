"""Load (or compile) every Numba kernel once per process, before a search starts.

Numba compiles a kernel on its first call, or loads it from its on-disk cache when one was
written for the same signature. That first call costs seconds after an install (or wherever
the package's folder is read-only, so no cache can be written) and a fraction of a second from
the cache. Inside a search it lands in whichever step called the kernel first — a region solve
of a one-worker run, say — and can trip that step's wall-clock safety net
(:mod:`sharedprop.models.core.clock`), after which the run no longer repeats exactly. ``solve``
therefore calls :func:`warm_up` first.

The calls below use the argument types of the real call sites (``knapsack_dp``'s wrappers fix
them; ``package_table`` passes C-contiguous uint64 masks, int64 weights and float64 values), so
that no later call compiles a new specialisation; tests/models/test_kernels.py checks that a
solve after the warm-up adds no signature.
"""

from __future__ import annotations

import time

import numpy as np

from sharedprop.models.bounds import knapsack_tables as knapsack_dp
from sharedprop.models.classic import clustering_lagrangian
from sharedprop.models.colgen import package_table

_done = False


def warm_up() -> float:
    """Make every kernel ready in this process; the seconds it took (0 after the first call)."""
    global _done
    if _done:
        return 0.0
    t = time.monotonic()

    vals = np.array([[-1.0, 2.0], [0.5, -3.0]])
    w = np.array([1, 2], dtype=np.int64)
    knapsack_dp.knapsack_rows(vals, w, 2)
    mask = np.ones((2, 2), dtype=bool)
    caps = np.array([2, 3], dtype=np.int64)
    knapsack_dp.option_minima(vals, np.tile(w, (2, 1)), mask, caps)
    knapsack_dp.option_minima(vals, np.tile(w, (2, 1)), mask, caps, np.zeros((2, 4)))

    nbr = np.array([2, 1], dtype=np.uint64)  # two neighbours
    sets = package_table.connected_sets(nbr, w, 0, 3, 10)
    package_table.mask_sums(sets, np.array([1.0, 2.0]))
    package_table.scan_kernel(
        sets,
        np.ones(len(sets)),
        np.zeros(len(sets)),
        np.array([1.0, 2.0]),
        np.zeros(1),
        np.zeros(1),
        np.array([3], dtype=np.uint64),  # one subset-row cut
        np.array([1.0]),
        1.0,
        np.empty(len(sets)),
    )
    clustering_lagrangian.warm_up()
    _done = True
    return time.monotonic() - t
