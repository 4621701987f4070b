"""Compiled 0-1 knapsack tables for the bound without contiguity (Numba).

The bound's pricing solves one knapsack per package option and objective weight λ, hundreds per
round (:mod:`sharedprop.models.relaxed_bound`). In numpy each item is a handful of whole-table
passes; compiled, it is one pass that skips what cannot improve. Measured on the generated
120-community streets (docs/formulation.md): the numpy tables took a third of the bound's time.

Both programmes take the minimum over item sets (values, integer weights, a capacity); the
table cell c holds the best value within c weight units, and only items of negative value can
enter a minimum that starts at 0 (the empty set).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_TIE = 1e-12  # a later item replaces an earlier one only when strictly better


@njit(cache=True, nogil=True)
def knapsack_rows_kernel(
    vals: np.ndarray, w: np.ndarray, cap: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    rows, n_items = vals.shape
    dp = np.zeros((rows, cap + 1))
    keep = np.zeros((n_items, rows, cap + 1), dtype=np.bool_)
    for k in range(n_items):
        wk = w[k]
        if wk > cap:
            continue
        for r in range(rows):
            v = vals[r, k]
            if v >= 0:
                continue
            # Downwards in place: cell c reads c − w_k before item k can have touched it (0-1).
            for c in range(cap, wk - 1, -1):
                cand = dp[r, c - wk] + v
                if cand < dp[r, c] - _TIE:
                    dp[r, c] = cand
                    keep[k, r, c] = True
    chosen = np.zeros((rows, n_items), dtype=np.bool_)
    for r in range(rows):
        c = cap
        for k in range(n_items - 1, -1, -1):
            if keep[k, r, c]:
                chosen[r, k] = True
                c -= w[k]
    best = np.empty(rows)
    for r in range(rows):
        best[r] = dp[r, cap]
    return best, chosen


@njit(cache=True, nogil=True)
def option_minima_kernel(
    vals: np.ndarray, weights: np.ndarray, mask: np.ndarray, caps: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    n_opt, n_items = vals.shape
    out = np.zeros(n_opt)
    width = 0
    for o in range(n_opt):
        width = max(width, caps[o] + 1)
    dp = np.zeros(max(width, 1))
    for o in range(n_opt):
        cap = caps[o]
        dp[: cap + 1] = 0.0
        for k in range(n_items):
            v = vals[o, k]
            if v >= 0 or not mask[o, k]:
                continue
            wk = weights[o, k]
            for c in range(cap, wk - 1, -1):
                cand = dp[c - wk] + v
                if cand < dp[c]:
                    dp[c] = cand
        out[o] = dp[cap]
    return out


def knapsack_rows(vals: np.ndarray, w: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """(min Σ vals, chosen items) of every row of ``vals`` (rows × items) within ``cap``."""
    vals = np.ascontiguousarray(vals, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.int64)
    if vals.ndim != 2 or vals.shape[1] != len(w):
        raise ValueError(f"values {vals.shape} do not match {len(w)} weights")
    if cap < 0:
        raise ValueError(f"capacity must be >= 0, got {cap}")
    if (w < 0).any():
        raise ValueError("weights must be >= 0")
    return knapsack_rows_kernel(vals, w, int(cap))


def option_minima(
    vals: np.ndarray, weights: np.ndarray, mask: np.ndarray, caps: np.ndarray
) -> np.ndarray:
    """Per row o: min Σ vals[o, S] over the masked items S with Σ weights[o, S] ≤ caps[o]."""
    caps = np.ascontiguousarray(caps, dtype=np.int64)
    weights = np.ascontiguousarray(weights, dtype=np.int64)
    if (caps < 0).any() or (weights[mask] < 0).any():
        raise ValueError("capacities and weights must be >= 0")
    return option_minima_kernel(
        np.ascontiguousarray(vals, dtype=np.float64),
        weights,
        np.ascontiguousarray(mask, dtype=np.bool_),
        caps,
    )
