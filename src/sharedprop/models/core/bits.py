"""Sets of up to 64 positions as one ``uint64`` (the compiled pricing and package scans)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def popcount(x: np.uint64) -> int:  # pragma: no cover - compiled
    """How many positions the set ``x`` holds."""
    c = 0
    one = np.uint64(1)
    while x:
        x &= x - one
        c += 1
    return c
