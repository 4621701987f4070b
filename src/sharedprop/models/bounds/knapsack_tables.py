"""Compiled 0-1 knapsack tables for the bound without contiguity (Numba).

The bound's pricing solves one knapsack per package option and objective weight λ, hundreds per
round (:mod:`sharedprop.models.bounds.without_contiguity`). In numpy each item is a handful of
whole-table
passes; compiled, it is one pass that skips what cannot improve. Measured on the generated
120-community streets (docs/formulation.md): the numpy tables took a third of the bound's time.

Both programmes take the minimum over item sets (values, integer weights, a capacity); the
table cell c holds the best value within c weight units, and only items of negative value can
enter a minimum that starts at 0 (the empty set). An optional penalty P(c), non-decreasing in
the weight c of the set (the firm capacity cuts of
:class:`sharedprop.models.colgen.master.WeightCut`),
is added: min_S v(S) + P(w(S)) = min_c table[c] + P(c), since the set behind table[c] weighs at
most c and so pays at most P(c).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_TIE = 1e-12  # a later item replaces an earlier one only when strictly better


@njit(cache=True, nogil=True)
def knapsack_rows_kernel(
    vals: np.ndarray, w: np.ndarray, cap: int, pen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    rows, n_items = vals.shape
    dp = np.zeros((rows, cap + 1))
    keep = np.zeros((n_items, rows, cap + 1), dtype=np.bool_)
    # A cell above the heaviest set so far (reach) holds the value at reach: the pass for an
    # item stops at reach + w_k, and the cells above are filled in only as reach grows. The
    # same values and choices as the full pass (checked on 4,108 calls), 18–27 % faster on
    # 1,108 calls captured from the 120-community streets' bound (about 50 items of 69
    # households, 788 of room: reach passes the room after a dozen items).
    reach = np.zeros(rows, dtype=np.int64)
    reach_after = np.zeros((n_items, rows), dtype=np.int64)
    for k in range(n_items):
        wk = w[k]
        for r in range(rows):
            v = vals[r, k]
            if wk <= cap and v < 0:
                hi = min(cap, reach[r] + wk)
                top = dp[r, reach[r]]
                for c in range(reach[r] + 1, hi + 1):
                    dp[r, c] = top
                # Downwards in place: cell c reads c − w_k before item k can have touched it
                # (0-1).
                for c in range(hi, wk - 1, -1):
                    cand = dp[r, c - wk] + v
                    if cand < dp[r, c] - _TIE:
                        dp[r, c] = cand
                        keep[k, r, c] = True
                reach[r] = hi
            reach_after[k, r] = reach[r]
    chosen = np.zeros((rows, n_items), dtype=np.bool_)
    best = np.empty(rows)
    for r in range(rows):
        top = dp[r, reach[r]]
        for c in range(reach[r] + 1, cap + 1):
            dp[r, c] = top
        at = cap
        best[r] = dp[r, cap] + pen[cap]
        for c in range(cap - 1, -1, -1):  # a lighter set only when strictly better
            if dp[r, c] + pen[c] < best[r] - _TIE:
                best[r] = dp[r, c] + pen[c]
                at = c
        c = at
        for k in range(n_items - 1, -1, -1):
            # Above reach_after[k] the table after item k is the table at reach_after[k].
            c = min(c, reach_after[k, r])
            if keep[k, r, c]:
                chosen[r, k] = True
                c -= w[k]
    return best, chosen


@njit(cache=True, nogil=True)
def option_minima_kernel(
    vals: np.ndarray, weights: np.ndarray, mask: np.ndarray, caps: np.ndarray, pen: np.ndarray
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
        best = dp[cap]
        if pen.shape[0]:
            best += pen[o, cap]
            for c in range(cap):
                best = min(best, dp[c] + pen[o, c])
        out[o] = best
    return out


def knapsack_rows(
    vals: np.ndarray, w: np.ndarray, cap: int, penalty: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(min Σ vals + penalty[Σ w], chosen items) of every row of ``vals`` (rows × items)
    within ``cap``; ``penalty`` (cap + 1 values, non-decreasing) defaults to none."""
    vals = np.ascontiguousarray(vals, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.int64)
    if vals.ndim != 2 or vals.shape[1] != len(w):
        raise ValueError(f"values {vals.shape} do not match {len(w)} weights")
    if cap < 0:
        raise ValueError(f"capacity must be >= 0, got {cap}")
    if (w < 0).any():
        raise ValueError("weights must be >= 0")
    pen = np.zeros(int(cap) + 1) if penalty is None else np.asarray(penalty, dtype=np.float64)
    if pen.shape != (int(cap) + 1,):
        raise ValueError(f"penalty needs {int(cap) + 1} values, got {pen.shape}")
    return knapsack_rows_kernel(vals, w, int(cap), np.ascontiguousarray(pen))


def option_minima(
    vals: np.ndarray,
    weights: np.ndarray,
    mask: np.ndarray,
    caps: np.ndarray,
    penalty: np.ndarray | None = None,
) -> np.ndarray:
    """Per row o: min Σ vals[o, S] + penalty[o, Σ weights[o, S]] over the masked items S with
    Σ weights[o, S] ≤ caps[o]; ``penalty`` (options × (max cap + 1), non-decreasing along a
    row) defaults to none."""
    caps = np.ascontiguousarray(caps, dtype=np.int64)
    weights = np.ascontiguousarray(weights, dtype=np.int64)
    if (caps < 0).any() or (weights[mask] < 0).any():
        raise ValueError("capacities and weights must be >= 0")
    if penalty is None:
        pen = np.zeros((0, 0))
    else:
        pen = np.ascontiguousarray(penalty, dtype=np.float64)
        width = int(caps.max(initial=0)) + 1
        if pen.shape != (len(caps), width):
            raise ValueError(f"penalty needs shape {(len(caps), width)}, got {pen.shape}")
    return option_minima_kernel(
        np.ascontiguousarray(vals, dtype=np.float64),
        weights,
        np.ascontiguousarray(mask, dtype=np.bool_),
        caps,
        pen,
    )
