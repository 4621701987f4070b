"""The clustering problem without contiguity as a MIP for HiGHS (``highspy``).

The rows are those of the CP-SAT model (:mod:`sharedprop.models.classic.clustering_cpsat`),
with the strong linking rows x[i, h] ≤ x[h, h] that make the LP relaxation tight for the
capacitated p-median (Ceselli & Righini 2005; Boccia, Sforza, Sterle & Vasilyev 2008):

* Σ_h x[i, h] = 1 (≤ 1 when uncovered points are allowed);  x[i, h] − x[h, h] ≤ 0;
* Σ_i w_i x[i, h] − max_weight · x[h, h] ≤ 0 (and ≥ min_weight · x[h, h]);  Σ_h x[h, h] = p;
* together: x[a, h] = x[b, h]; apart: x[a, h] + x[b, h] ≤ 1.

The objective is Σ c[i, h] x[i, h] + Σ_h hub_cost[h] x[h, h] + Σ_i uncovered_cost[i]
(1 − Σ_h x[i, h]). ``at_most`` is passed to HiGHS as the objective bound (a cut-off: it prunes
every node whose bound exceeds it) and ``start`` as a first solution. The matrix is built with
numpy and scipy (no per-row Python), because the model is rebuilt for every reduction.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from sharedprop.models.classic.clustering_input import ClusteringInput, clustering_objective
from sharedprop.models.core.cpsat import Status

_HEURISTICS = (
    "mip_heuristic_run_feasibility_jump",
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
)


@dataclass(frozen=True)
class MipOutcome:
    """What one HiGHS solve produced. ``status`` reads like CP-SAT's: ``infeasible`` (nothing
    costs at most the cut-off), ``optimal`` / ``feasible`` with ``hub_of`` and ``objective``, or
    ``unknown``; ``bound`` is HiGHS's proven bound (None when it has none)."""

    status: Status
    hub_of: np.ndarray | None
    objective: int | None
    bound: int | None
    nodes: int
    seconds: float


@dataclass(frozen=True)
class _Rows:
    """A block of rows in coordinate form."""

    row: np.ndarray
    col: np.ndarray
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class ClusteringMip:
    """The model over the pairs in ``pair``, ready to solve once, blocking or in a thread.

    ``stop`` (from any thread) ends a running solve; OR-Tools' CP-SAT and HiGHS both release
    the GIL, so the two can search side by side.
    """

    def __init__(
        self,
        inp: ClusteringInput,
        pair: np.ndarray,
        *,
        at_most: int | None,
        lower: int | None = None,
        start: np.ndarray | None = None,
        time_limit: float,
        seed: int = 0,
        heuristics: bool = True,
    ):
        if inp.adjacency is not None:
            raise ValueError("the MIP has no contiguity rows; use the CP-SAT model")
        self.inp = inp
        self.at_most = at_most
        i, h = np.nonzero(pair)
        self._point, self._hub = i.astype(np.int64), h.astype(np.int64)
        self._highs = _new_highs()
        self._highs.HandleUserInterrupt = True
        for name, value in (
            ("output_flag", False),
            ("threads", 1),
            ("random_seed", int(seed)),
            ("time_limit", max(0.01, float(time_limit))),
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", 0.999),  # integer objective: a gap below 1 is a proof
        ):
            self._highs.setOptionValue(name, value)
        if not heuristics:  # the root's sub-MIPs took 16-32 s of pmedcap08's proof at U - 1
            for name in _HEURISTICS:
                self._highs.setOptionValue(name, False)
            self._highs.setOptionValue("mip_heuristic_effort", 0.0)
        if at_most is not None:
            self._highs.setOptionValue("objective_bound", float(at_most) + 0.5)
        self._feasible_model = self._pass_model(lower)
        if start is not None and self._feasible_model:
            self._set_start(np.asarray(start, dtype=np.int64))
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._began = 0.0
        self.outcome: MipOutcome | None = None

    # -- building ---------------------------------------------------------------------------------
    def _pass_model(self, lower: int | None) -> bool:
        inp = self.inp
        n, point, hub = inp.n, self._point, self._hub
        m = len(point)
        if m == 0 or (inp.uncovered_cost is None and np.bincount(point, minlength=n).min() == 0):
            return False
        cost = np.asarray(inp.cost, dtype=np.float64)[point, hub]
        own = point == hub
        if inp.hub_cost is not None:
            cost = cost + np.where(own, np.asarray(inp.hub_cost, dtype=np.float64)[hub], 0.0)
        offset = 0.0
        if inp.uncovered_cost is not None:
            uncovered = np.asarray(inp.uncovered_cost, dtype=np.float64)
            cost = cost - uncovered[point]
            offset = float(uncovered.sum())
        blocks = self._rows(own)
        if lower is not None:  # the Lagrangian bound as a row: objective ≥ ⌈L⌉
            blocks.append(_block(np.zeros(m, int), np.arange(m), cost, lower - offset, np.inf))
        matrix, row_lower, row_upper = _stack(blocks, m)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = m, len(row_lower)
        lp.col_cost_ = cost
        lp.offset_ = offset
        lp.col_lower_ = np.zeros(m)
        lp.col_upper_ = np.ones(m)
        lp.row_lower_, lp.row_upper_ = row_lower, row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.integrality_ = [highspy.HighsVarType.kInteger] * m
        self._highs.passModel(lp)
        return True

    def _rows(self, own: np.ndarray) -> list[_Rows]:
        inp = self.inp
        n, point, hub = inp.n, self._point, self._hub
        m = len(point)
        columns = np.arange(m)
        hub_column = np.full(n, -1, dtype=np.int64)
        hub_column[hub[own]] = columns[own]
        blocks = []
        cover_low = 1.0 if inp.uncovered_cost is None else -np.inf
        blocks.append(_block(point, columns, np.ones(m), cover_low, 1.0, rows=n))
        member = columns[~own & (hub_column[hub] >= 0)]
        k = len(member)
        links = np.arange(k)
        blocks.append(
            _rows_of(
                np.concatenate([links, links]),
                np.concatenate([member, hub_column[hub[member]]]),
                np.concatenate([np.ones(k), -np.ones(k)]),
                np.full(k, -np.inf),
                np.zeros(k),
            )
        )
        hubs = hub[own]
        slot = np.full(n, -1, dtype=np.int64)
        slot[hubs] = np.arange(len(hubs))
        weight = np.asarray(inp.weight, dtype=np.float64)
        has_hub = slot[hub] >= 0
        load_row, load_col = slot[hub[has_hub]], columns[has_hub]
        load = weight[point[has_hub]]
        for limit, sign in ((inp.max_weight, 1.0), (inp.min_weight or None, -1.0)):
            if limit is None:
                continue
            value = sign * np.where(own[has_hub], load - limit, load)
            count = len(hubs)
            blocks.append(
                _rows_of(load_row, load_col, value, np.full(count, -np.inf), np.zeros(count))
            )
        if inp.n_clusters is not None:
            count = float(inp.n_clusters)
            blocks.append(
                _block(np.zeros(len(hubs), int), columns[own], np.ones(len(hubs)), count, count)
            )
        blocks.extend(self._pair_rows())
        return blocks

    def _pair_rows(self) -> list[_Rows]:
        """together: x[a, h] = x[b, h] (x[a, h] = 0 when b may not join h); apart: ≤ 1."""
        column = {
            (int(i), int(h)): k for k, (i, h) in enumerate(zip(self._point, self._hub, strict=True))
        }
        row, col, value, lower, upper = [], [], [], [], []
        for a, b in self.inp.together:
            for h in {h for (i, h) in column if i in (a, b)}:
                r = len(lower)
                for i, sign in ((a, 1.0), (b, -1.0)):
                    if (i, h) in column:
                        row.append(r), col.append(column[i, h]), value.append(sign)
                lower.append(0.0), upper.append(0.0)
        for a, b in self.inp.apart:
            for h in {h for (i, h) in column if i == a} & {h for (i, h) in column if i == b}:
                r = len(lower)
                row += [r, r]
                col += [column[a, h], column[b, h]]
                value += [1.0, 1.0]
                lower.append(-np.inf), upper.append(1.0)
        if not lower:
            return []
        return [_rows_of(*(np.asarray(v) for v in (row, col, value, lower, upper)))]

    def _set_start(self, start: np.ndarray) -> None:
        if start.shape != (self.inp.n,):
            return
        chosen = start[self._point] == self._hub
        if int(chosen.sum()) != int((start >= 0).sum()):
            return  # the start uses a pair outside the model
        solution = highspy.HighsSolution()
        solution.col_value = chosen.astype(np.float64)
        solution.value_valid = True
        self._highs.setSolution(solution)

    # -- solving ----------------------------------------------------------------------------------
    def solve(self) -> MipOutcome:
        """Solve and wait for the outcome."""
        self.start()
        return self.join()

    def start(self) -> None:
        """Solve in a thread; :meth:`join` waits for it, :meth:`stop` ends it early."""
        self._began = time.perf_counter()
        if not self._feasible_model:  # no pair at all: only "every point uncovered" is left
            nobody = np.full(self.inp.n, -1, dtype=np.int64)
            value = clustering_objective(self.inp, nobody)
            if value is not None and (self.at_most is None or value <= self.at_most):
                self.outcome = MipOutcome("optimal", nobody, value, value, 0, 0.0)
            else:
                self.outcome = MipOutcome("infeasible", None, None, None, 0, 0.0)
            return
        self._thread = self._highs.startSolve()

    def stop(self) -> None:
        if self._thread is not None:
            self._highs.cancelSolve()

    def join(self) -> MipOutcome:
        """Wait for the solve (from any thread) and read its outcome once."""
        with self._lock:
            if self.outcome is None:
                assert self._thread is not None, "join() before start()"
                self._thread.join()
                self.outcome = self._read()
            return self.outcome

    def _read(self) -> MipOutcome:
        highs = self._highs
        status = highs.getModelStatus()
        info = highs.getInfo()
        seconds = time.perf_counter() - self._began
        nodes = int(info.mip_node_count)
        ms = highspy.HighsModelStatus
        if status in (ms.kInfeasible, ms.kObjectiveBound):
            return MipOutcome("infeasible", None, None, None, nodes, seconds)
        hub_of, objective = self._solution()
        bound = info.mip_dual_bound
        proven = None if not np.isfinite(bound) else int(np.ceil(bound - 1e-6))
        cut_off = self.at_most is not None and proven is not None and proven > self.at_most
        if hub_of is None and cut_off:  # the cut-off pruned every node
            return MipOutcome("infeasible", None, None, None, nodes, seconds)
        if hub_of is None:
            return MipOutcome("unknown", None, None, proven, nodes, seconds)
        if status == ms.kOptimal:
            return MipOutcome("optimal", hub_of, objective, objective, nodes, seconds)
        return MipOutcome("feasible", hub_of, objective, proven, nodes, seconds)

    def _solution(self) -> tuple[np.ndarray | None, int | None]:
        if self._highs.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None, None
        value = np.asarray(self._highs.getSolution().col_value)
        hub_of = np.full(self.inp.n, -1, dtype=np.int64)
        chosen = value > 0.5
        hub_of[self._point[chosen]] = self._hub[chosen]
        objective = clustering_objective(self.inp, hub_of)  # None: numerical noise broke a rule
        if objective is None or (self.at_most is not None and objective > self.at_most):
            return None, None
        return hub_of, objective


_banner = threading.Lock()
_banner_shown = threading.Event()


def _new_highs() -> highspy.Highs:
    """A HiGHS instance. The first one in a process prints HiGHS's banner on the C-level
    standard output (the CLI's, where a plan may be written), so that one is made with file
    descriptor 1 pointed at the null device."""
    with _banner:
        if _banner_shown.is_set():
            return highspy.Highs()
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown.set()
        return highs


def _block(
    row: np.ndarray, col: np.ndarray, value: np.ndarray, lower: float, upper: float, rows: int = 1
) -> _Rows:
    """Rows with the same bounds on each."""
    return _rows_of(row, col, value, np.full(rows, lower), np.full(rows, upper))


def _rows_of(
    row: np.ndarray, col: np.ndarray, value: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> _Rows:
    return _Rows(
        np.asarray(row, dtype=np.int64),
        np.asarray(col, dtype=np.int64),
        np.asarray(value, dtype=np.float64),
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
    )


def _stack(blocks: list[_Rows], columns: int) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray]:
    """One column-wise matrix and its row bounds, each block's rows after the previous ones."""
    rows, cols, values, offset = [], [], [], 0
    for block in blocks:
        rows.append(block.row + offset)
        cols.append(block.col)
        values.append(block.value)
        offset += len(block.lower)
    matrix = sparse.csc_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(offset, columns),
    )
    matrix.sum_duplicates()
    lower = np.concatenate([b.lower for b in blocks])
    upper = np.concatenate([b.upper for b in blocks])
    return matrix, lower, upper
