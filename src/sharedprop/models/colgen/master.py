"""The set-partitioning master over a pool of columns: its LP (for duals and bounds) and its
integer version (for plans).

Rows (one per community, firm and resource):

    (1) Σ_{c ∋ i} x_c + u_i = 1            every community i, u_i = "i is uncovered"
                                            (u_i fixed to 0 when i must be covered)
    (2) Σ_{c of f} households_c x_c ≤ capacity_households_f
    (3) Σ_{c of f} x_c ≤ max_packages_f
    (4) Σ_{c ∋ r} x_c ≤ 1                  every resource r
    (5) L ≤ Σ_c x_c ≤ U, L_f ≤ Σ_{c of f} x_c ≤ U_f, Σ_{c of o} x_c ≥ 1 or x_c = 0 for
        the packages of option o                     only in a branch of the bound
                                            (:meth:`LPMaster.set_branch`)
    (6) Σ_{c ∋ 2 of i, j, k} x_c ≤ 1         subset-row cuts (:meth:`LPMaster.add_cut`)
    (7) Σ_{c of f} a(households_c) x_c ≤ t  firm capacity cuts (:class:`WeightCut`)
    (8) Σ_i households_i u_i ≤ H − L        the coverage floor (``min_coverage``), when L > 0;
                                            in the integer masters Σ_c households_c x_c ≥ L
    objective  Σ_c objective_c x_c + Σ_i w_pm · uncovered_cost_i u_i

The LP is solved with GLOP; a community that must be covered gets an artificial u_i with a large
cost instead of a hard 0, so the LP stays feasible while the pool is still thin (the bound stays
valid: it is a relaxation). The integer master is solved with CP-SAT, money in fen (0.01 yuan).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from sharedprop.models.core.clock import (
    BUILD_SECONDS_PER_VARIABLE,
    MASTER_COLUMNS_DOUBLING,
    MASTER_SECONDS_PER_DTIME,
    RANKED_MASTER_SECONDS_PER_DTIME,
    Clock,
    safety_limit,
)
from sharedprop.models.core.columns import Column, ColumnPool, plan_objective
from sharedprop.models.core.duals import FEN, Duals, WeightCut
from sharedprop.models.core.problem import Problem

ARTIFICIAL_FACTOR = 100.0  # artificial cost per uncovered must-cover community, × the
# A large pool's integer master does better on the columns its LP prices cheapest than on all of
# them (measured on the 1,414-community recombination: docs/decisions.md, 2026-11-27).
LP_RANKED_COLUMNS = 15_000
# What ranking costs a one-worker run's deterministic clock, a column (building the matrix and
# HiGHS, on the same recombination).
LP_SECONDS_PER_COLUMN = 3e-5


class LPFailure(RuntimeError):
    """GLOP did not return an optimal basis (numerical trouble); the caller falls back."""


def _artificial_cost(p: Problem) -> float:
    big = float(np.max(p.w_public_money * p.uncovered_cost, initial=0.0))
    for o in p.options:
        # the dearest single-member package of the option
        cost = o.fixed + float(np.max(o.member_cost, initial=0.0))
        big = max(big, (p.w_public_money * (1 + o.margin) + p.w_total_cost) * cost)
    return ARTIFICIAL_FACTOR * max(1.0, big)


class LPMaster:
    """The LP relaxation of the master; columns are added incrementally."""

    def __init__(self, problem: Problem) -> None:
        # set_branch's arguments, kept so that a rebuild restores the branch
        self.branch: tuple = (None, {}, {}, frozenset(), frozenset())
        self._build(problem)

    def _build(self, problem: Problem) -> None:
        self.problem = problem
        self.artificial_cost = _artificial_cost(problem)
        s = pywraplp.Solver.CreateSolver("GLOP")
        if s is None:  # pragma: no cover - GLOP ships with OR-Tools
            raise RuntimeError("OR-Tools GLOP is not available")
        self.solver = s
        inf = s.infinity()
        p = problem
        self.cover = [s.Constraint(1.0, 1.0, f"cover_{i}") for i in range(p.n)]
        self.cap = [s.Constraint(-inf, float(p.firm_capacity[f]), f"cap_{f}") for f in range(p.m)]
        self.cnt = [
            s.Constraint(-inf, float(p.firm_max_packages[f]), f"cnt_{f}") for f in range(p.m)
        ]
        self.res = [s.Constraint(-inf, 1.0, f"res_{r}") for r in range(p.k)]
        self.obj = s.Objective()
        self.obj.SetMinimization()
        self.u = []
        self._slacked: set[int] = set()
        for i in range(p.n):  # their costs: set_branch
            u = s.NumVar(0.0, 1.0, f"u_{i}")
            self.cover[i].SetCoefficient(u, 1.0)
            self.u.append(u)
        self.coverage = self._coverage_row(p)
        self.x: list[pywraplp.Variable] = []
        self.cols: list[Column] = []
        self.cut_sets: list[tuple[int, int, int]] = []
        self.cut_rows: list[pywraplp.Constraint] = []
        self.weight_cuts: list[WeightCut] = []
        self.weight_rows: list[pywraplp.Constraint] = []
        self.total: pywraplp.Constraint | None = None
        self.unused: set[int] = set()  # options the branch leaves unused
        self.banned: dict[int, set[int]] = {}  # option → communities the branch keeps out
        self.option_rows: dict[int, pywraplp.Constraint] = {}
        self.set_branch(*self.branch)

    def _coverage_row(self, p: Problem) -> pywraplp.Constraint | None:
        """(8) Σ_i households_i · u_i ≤ H − L: the uncovered households leave at least L
        covered. On the u's, not the packages, so pricing is unchanged; a slack at the
        artificial cost per household keeps the LP feasible before the pool can meet it."""
        if p.min_covered_weight <= 0:
            return None
        s = self.solver
        room = float(p.weight.sum() - p.min_covered_weight)
        row = s.Constraint(-s.infinity(), room, "coverage")
        for i, u in enumerate(self.u):
            row.SetCoefficient(u, float(p.weight[i]))
        self.coverage_slack = s.NumVar(0.0, s.infinity(), "coverage_slack")
        row.SetCoefficient(self.coverage_slack, -1.0)
        self.obj.SetCoefficient(self.coverage_slack, self.artificial_cost)
        return row

    def set_branch(
        self,
        total: tuple[int, int] | None,
        firm: dict[int, tuple[int, int]],
        fixed: dict[int, int] | None = None,
        excluded: frozenset[tuple[int, int]] = frozenset(),
        covered: frozenset[int] = frozenset(),
    ) -> None:
        """A branch: L ≤ Σ x ≤ U (``total``), L_f ≤ Σ_{c of f} x ≤ U_f (``firm``), option o
        used (1) or not (0) for each o in ``fixed``, no package of option o holds community i
        for each (o, i) in ``excluded``, and every community in ``covered`` is covered.

        Every plan has whole counts and uses an option (firm, hub) once or not at all, so a
        fractional LP count splits the plans in two (≤ ⌊·⌋ and ≥ ⌈·⌉, or 0 and 1), and the
        lower of the two LP values is a bound for all of them. A lower limit gets a slack at
        the artificial cost, and so does leaving a ``covered`` community uncovered: the LP
        stays feasible (a relaxation still) before the pool has the packages to meet it. The
        total row's dual is added to every firm's count dual, so pricing sees one constant
        per option (:meth:`Duals.fixed_price`) as before.
        """
        s, p = self.solver, self.problem
        fixed = dict(fixed or {})
        self.branch = (total, dict(firm), fixed, excluded, covered)
        self.unused = {o for o, v in fixed.items() if v == 0}
        self.banned = {}
        for o, i in excluded:
            self.banned.setdefault(o, set()).add(i)
        for i in range(p.n):
            must = p.must_cover[i] or i in covered
            cost = self.artificial_cost if must else p.w_public_money * float(p.uncovered_cost[i])
            self.obj.SetCoefficient(self.u[i], cost)
        if total is not None and self.total is None:
            self.total = s.Constraint(-s.infinity(), s.infinity(), "total")
            for x in self.x:
                self.total.SetCoefficient(x, 1.0)
            self._slack(self.total)
        # A lower limit of 0 stays −∞: x ≥ 0 keeps it anyway, and a row bounded on both sides
        # may get a dual of either sign, which HubMatching.bound_at (it prices each row at
        # its upper limit) must not see.
        if self.total is not None:
            lo, hi = total if total is not None else (0, p.n)
            self.total.SetBounds(float(lo) if lo > 0 else -s.infinity(), float(hi))
        for f in range(p.m):
            lo, hi = firm.get(f, (0, int(p.firm_max_packages[f])))
            if lo > 0 and f not in self._slacked:
                self._slack(self.cnt[f])
                self._slacked.add(f)
            self.cnt[f].SetBounds(
                float(lo) if lo > 0 else -s.infinity(), float(min(hi, p.firm_max_packages[f]))
            )
        for o, row in self.option_rows.items():
            row.SetBounds(1.0 if fixed.get(o) == 1 else -s.infinity(), s.infinity())
        for o, v in fixed.items():
            if v == 1 and o not in self.option_rows:
                row = s.Constraint(1.0, s.infinity(), f"option_{o}")
                for x, col in zip(self.x, self.cols, strict=True):
                    if col.option == o:
                        row.SetCoefficient(x, 1.0)
                self._slack(row)
                self.option_rows[o] = row
        for x, col in zip(self.x, self.cols, strict=True):
            x.SetUb(0.0 if self._off(col) else 1.0)

    def _off(self, col: Column) -> bool:
        """The branch rules the package out (its option unused, or a member excluded)."""
        if col.option in self.unused:
            return True
        banned = self.banned.get(col.option)
        return banned is not None and not banned.isdisjoint(col.members)

    def _slack(self, row: pywraplp.Constraint) -> None:
        v = self.solver.NumVar(0.0, self.solver.infinity(), f"slack_{row.name()}")
        row.SetCoefficient(v, 1.0)
        self.obj.SetCoefficient(v, self.artificial_cost)

    def add_cut(self, triple: tuple[int, int, int]) -> None:
        """Subset-row cut (Jepsen, Petersen, Spoorendonk & Pisinger 2008) on three rows:
        at most one package may cover two or more of them."""
        ct = self.solver.Constraint(-self.solver.infinity(), 1.0, f"sr_{len(self.cut_rows)}")
        S = set(triple)
        for x, col in zip(self.x, self.cols, strict=True):
            if len(S.intersection(col.members)) >= 2:
                ct.SetCoefficient(x, 1.0)
        self.cut_sets.append(tuple(triple))
        self.cut_rows.append(ct)

    def add_weight_cut(self, cut: WeightCut) -> None:
        """Row (7): the firm's packages fill at most ``cut.limit`` slots."""
        ct = self.solver.Constraint(
            -self.solver.infinity(), float(cut.limit), f"wc_{len(self.weight_rows)}"
        )
        for x, col in zip(self.x, self.cols, strict=True):
            self._weigh(ct, cut, x, col)
        self.weight_cuts.append(cut)
        self.weight_rows.append(ct)

    def _weigh(
        self, row: pywraplp.Constraint, cut: WeightCut, x: pywraplp.Variable, col: Column
    ) -> None:
        """Column ``col``'s coefficient in the capacity cut's row: the slots it fills there."""
        if self.problem.options[col.option].firm == cut.firm:
            a = int(cut.coefficient(col.weight))
            if a:
                row.SetCoefficient(x, float(a))

    def separate_weight_cuts(self, values: np.ndarray, limit: int = 100) -> int:
        """Add the firm capacity cuts (:class:`WeightCut`) the LP point ``values`` violates,
        up to ``limit``, most violated first; how many were added."""
        found = self.violated_weight_cuts(values)[:limit]
        for cut in found:
            self.add_weight_cut(cut)
        return len(found)

    def violated_weight_cuts(self, values: np.ndarray) -> list[WeightCut]:
        """The firm capacity cuts not yet in the LP that the point ``values`` violates, most
        violated first. Per firm, slots = 2 … max_packages (more slots than packages is
        implied by row (3))."""
        p = self.problem
        have = set(self.weight_cuts)
        by_firm: dict[int, list[tuple[int, float]]] = {}
        for j in np.flatnonzero(values > 1e-9):
            col = self.cols[int(j)]
            f = p.options[col.option].firm
            by_firm.setdefault(f, []).append((col.weight, float(values[j])))
        found: list[tuple[float, WeightCut]] = []
        for f, used in by_firm.items():
            cap = int(p.firm_capacity[f])
            if cap <= 0:
                continue
            w = np.array([u[0] for u in used], dtype=np.int64)
            v = np.array([u[1] for u in used])
            for slots in range(2, int(p.firm_max_packages[f]) + 1):
                cut = WeightCut(f, cap, slots)
                lhs = float(v @ cut.coefficient(w))
                if lhs > cut.limit + 1e-4 and cut not in have:
                    found.append((lhs - cut.limit, cut))
        found.sort(key=lambda t: -t[0])
        return [cut for _, cut in found]

    def add(self, col: Column) -> None:
        s, p = self.solver, self.problem
        # The bound of 1 is implied by the cover rows, but it changes which optimal duals GLOP
        # returns (a used package may then have a negative reduced cost, a bound dual): on
        # the 120-community streets those duals gave the better bounds (docs/decisions.md,
        # 2026-11-27).
        x = s.NumVar(0.0, 1.0, f"x_{len(self.x)}")
        f = p.options[col.option].firm
        for i in col.members:
            self.cover[i].SetCoefficient(x, 1.0)
        self.cap[f].SetCoefficient(x, float(col.weight))
        self.cnt[f].SetCoefficient(x, 1.0)
        if self.total is not None:
            self.total.SetCoefficient(x, 1.0)
        if col.option in self.option_rows:
            self.option_rows[col.option].SetCoefficient(x, 1.0)
        if self._off(col):
            x.SetUb(0.0)
        for r in col.resources:
            self.res[r].SetCoefficient(x, 1.0)
        self.obj.SetCoefficient(x, col.objective)
        if self.cut_sets:
            mem = set(col.members)
            for S, ct in zip(self.cut_sets, self.cut_rows, strict=True):
                if (S[0] in mem) + (S[1] in mem) + (S[2] in mem) >= 2:
                    ct.SetCoefficient(x, 1.0)
        for cut, ct in zip(self.weight_cuts, self.weight_rows, strict=True):
            self._weigh(ct, cut, x, col)
        self.x.append(x)
        self.cols.append(col)

    def solve(self) -> tuple[float, Duals, np.ndarray]:
        """(the LP's value, its duals, its column values); LPFailure if GLOP fails even after
        a rebuild and without its presolve."""
        status = self.solver.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            # GLOP's incremental basis can go numerically wrong; rebuild from scratch once.
            self._rebuild()
            status = self.solver.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            # Seen in a branch of the bound without contiguity (120-community street, seed 3):
            # ABNORMAL after the rebuild too, optimal without GLOP's presolve.
            self.solver.SetSolverSpecificParametersAsString("use_preprocessing: false")
            status = self.solver.Solve()
            self.solver.SetSolverSpecificParametersAsString("")
        if status != pywraplp.Solver.OPTIMAL:
            raise LPFailure(f"master LP ended with status {status}")
        duals = self._duals()
        values = np.array([x.solution_value() for x in self.x])
        return self.obj.Value(), duals, values

    def _rebuild(self) -> None:
        """The same LP (columns, cuts and branch) built anew."""
        cols, cuts, wcuts = list(self.cols), list(self.cut_sets), list(self.weight_cuts)
        self._build(self.problem)
        for c in cols:
            self.add(c)
        for t in cuts:
            self.add_cut(t)
        for wc in wcuts:
            self.add_weight_cut(wc)

    def _duals(self) -> Duals:
        return Duals(
            community=np.array([c.dual_value() for c in self.cover]),
            capacity=np.array([c.dual_value() for c in self.cap]),
            count=np.array([c.dual_value() for c in self.cnt])
            + (self.total.dual_value() if self.total is not None else 0.0),
            option=self._option_duals(),
            resource=np.array([c.dual_value() for c in self.res]),
            cuts=tuple(self.cut_sets),
            cut=np.array([c.dual_value() for c in self.cut_rows]),
            weight_cuts=tuple(self.weight_cuts),
            weight_cut=np.array([c.dual_value() for c in self.weight_rows]),
            coverage=self.coverage.dual_value() if self.coverage is not None else 0.0,
        )

    def _option_duals(self) -> np.ndarray | None:
        if not self.option_rows:
            return None
        out = np.zeros(len(self.problem.options))
        for o, row in self.option_rows.items():
            out[o] = row.dual_value()
        return out

    def separate_subset_rows(self, values: np.ndarray, limit: int = 60) -> int:
        """Add the most violated 3-row subset-row cuts for the LP point ``values``, up to
        ``limit``; how many were added."""
        # Prefer disjoint triples so one round's cuts do not all fight over the same rows.
        used: dict[int, int] = {}
        n_added = 0
        for _, t in self._violated_triples(values):
            if any(used.get(i, 0) >= 2 for i in t):
                continue
            self.add_cut(t)
            for i in t:
                used[i] = used.get(i, 0) + 1
            n_added += 1
            if n_added >= limit:
                break
        return n_added

    def _violated_triples(self, values: np.ndarray) -> list[tuple[float, tuple[int, int, int]]]:
        """(left-hand side, triple) of the subset-row cuts not yet in the LP that ``values``
        violates, most violated first; only triples whose pairs share used packages."""
        active = [j for j in range(len(values)) if values[j] > 1e-6]
        if not active:
            return []
        pair: dict[tuple[int, int], float] = {}
        for j in active:
            mem = self.cols[j].members
            v = float(values[j])
            for a_i in range(len(mem)):
                for b_i in range(a_i + 1, len(mem)):
                    key = (mem[a_i], mem[b_i])
                    pair[key] = pair.get(key, 0.0) + v
        nbr: dict[int, set[int]] = {}
        for a, b in pair:
            nbr.setdefault(a, set()).add(b)
            nbr.setdefault(b, set()).add(a)
        have = set(self.cut_sets)
        found: list[tuple[float, tuple[int, int, int]]] = []
        seen: set[tuple[int, int, int]] = set()
        for (a, b), wab in pair.items():
            if wab <= 1e-6:
                continue
            for c in nbr[a] & nbr[b]:
                t = tuple(sorted((a, b, c)))
                if t in seen or t in have:
                    continue
                seen.add(t)
                S = set(t)
                lhs = sum(
                    float(values[j])
                    for j in active
                    if len(S.intersection(self.cols[j].members)) >= 2
                )
                if lhs > 1.0 + 1e-4:
                    found.append((lhs, t))  # type: ignore[arg-type]
        found.sort(key=lambda z: -z[0])
        return found

    def artificial_in_use(self) -> bool:
        p = self.problem
        if self.coverage is not None and self.coverage_slack.solution_value() > 1e-6:
            return True
        return any(p.must_cover[i] and self.u[i].solution_value() > 1e-6 for i in range(p.n))


@dataclass
class MasterSolution:
    status: str  # optimal (over the pool) / feasible / infeasible / unknown
    chosen: list[int]  # column indices
    objective: float | None  # exact yuan objective of the chosen plan
    pool_bound: float | None  # CP-SAT's bound over this pool only (not a global bound)
    # How many columns the master ran on when ``rank`` cut the pool (None: not cut).
    ranked_columns: int | None = None


def _incidence(p: Problem, cols: list[Column]) -> tuple[list[list[int]], ...]:
    """Column indices by community, by firm and by resource: the master's rows."""
    by_comm: list[list[int]] = [[] for _ in range(p.n)]
    by_firm: list[list[int]] = [[] for _ in range(p.m)]
    by_res: list[list[int]] = [[] for _ in range(p.k)]
    for j, c in enumerate(cols):
        for i in c.members:
            by_comm[i].append(j)
        by_firm[p.options[c.option].firm].append(j)
        for r in c.resources:
            by_res[r].append(j)
    return by_comm, by_firm, by_res


def lp_ranked_columns(pool: ColumnPool, keep: int, always: list[int] | None = None) -> list[int]:
    """The ``keep`` columns of the pool's master LP (rows (1)–(4)) of least reduced cost,
    with ``always`` (a hint plan's columns) added; the whole pool when it is no larger or the LP
    fails (HiGHS through SciPy).

    Why: on a pool of tens of thousands of columns CP-SAT's own search spends its time on
    columns no good plan uses (``LP_RANKED_COLUMNS``); a column of small reduced cost is one the
    LP nearly takes.
    """
    p = pool.problem
    cols = pool.columns
    everything = list(range(len(cols)))
    if len(cols) <= keep:
        return everything
    unc = p.w_public_money * p.uncovered_cost
    cost = np.array([c.objective - float(unc[list(c.members)].sum()) for c in cols])
    # One sparse matrix: community rows, then firm capacity and package count, then resources.
    indptr = [0]
    rows: list[int] = []
    vals: list[float] = []
    for c in cols:
        f = p.options[c.option].firm
        rows += (
            list(c.members) + [p.n + f, p.n + p.m + f] + [p.n + 2 * p.m + r for r in c.resources]
        )
        vals += [1.0] * len(c.members) + [float(c.weight), 1.0] + [1.0] * len(c.resources)
        indptr.append(len(rows))
    n_rows = p.n + 2 * p.m + p.k
    a = csr_matrix((vals, rows, indptr), shape=(len(cols), n_rows)).T.tocsr()
    rhs = np.concatenate(
        [
            np.ones(p.n),
            p.firm_capacity.astype(float),
            p.firm_max_packages.astype(float),
            np.ones(p.k),
        ]
    )
    # A community that must be covered is an equality row; a ≤ row for the others.
    eq = np.zeros(n_rows, dtype=bool)
    eq[: p.n] = p.must_cover
    a_ub, b_ub = a[~eq], rhs[~eq]
    a_eq, b_eq = (a[eq], rhs[eq]) if eq.any() else (None, None)
    # No x ≤ 1: the community rows imply it, and with it the duals of a column at its bound
    # could move onto the bound and leave that column's rival a reduced cost of 0.
    res = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs"
    )
    if res.status != 0:
        return everything
    rc = cost - a_ub.T @ res.ineqlin.marginals
    if a_eq is not None:
        rc -= a_eq.T @ res.eqlin.marginals
    ranked = np.argsort(rc, kind="stable")[:keep]
    return sorted(set(map(int, ranked)) | set(always or ()))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, fn: Callable[[float, float, float], None], scale: float, offset: float):
        super().__init__()
        self.fn, self.scale, self.offset = fn, scale, offset

    def on_solution_callback(self) -> None:
        self.fn(
            self.WallTime(),
            self.ObjectiveValue() / self.scale + self.offset,
            self.BestObjectiveBound() / self.scale + self.offset,
        )


def solve_integer_master(
    pool: ColumnPool,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: list[int] | None = None,
    on_solution: Callable[[float, float, float], None] | None = None,
    stop: Callable[[], bool] | None = None,
    lower_bound: float | None = None,
    columns: list[int] | None = None,
    clock: Clock | None = None,
    rank: int | None = None,
) -> MasterSolution:
    """Choose the best plan from the pool's columns (CP-SAT, money in fen).

    ``rank``: with no ``columns`` and a pool larger than this, the master runs on the ``rank``
    columns of least LP reduced cost and the hint's (:func:`lp_ranked_columns`); the ranking's
    time comes out of ``time_limit`` (on a deterministic clock, estimated and charged)."""
    p = pool.problem
    ranked = None
    if rank is not None and columns is None and len(pool.columns) > rank:
        columns, time_limit = _ranked_columns(pool, rank, hint, clock, time_limit)
        ranked = len(columns)
    # ``columns`` restricts the master to a subset of the pool (indices stay the pool's).
    keep = list(range(len(pool.columns))) if columns is None else list(columns)
    cols = [pool.columns[j] for j in keep]
    model = _CpsatMaster(p, cols)
    if model.infeasible:
        return MasterSolution("infeasible", [], None, None, ranked)
    model.minimise(lower_bound)
    if hint is not None:
        model.hint(_positions(keep, hint))
    # Larger masters take longer per unit of deterministic time (sharedprop.models.core.clock).
    per_dtime = (
        RANKED_MASTER_SECONDS_PER_DTIME
        if ranked is not None
        else MASTER_SECONDS_PER_DTIME * (1.0 + len(cols) / MASTER_COLUMNS_DOUBLING)
    )
    solver = _cpsat_solver(clock, time_limit, per_dtime, workers, seed)
    cb = _Progress(on_solution, FEN, model.offset) if on_solution else None
    with stop_watch(solver, stop):
        status = solver.Solve(model.model, cb) if cb else solver.Solve(model.model)
    if clock is not None:
        # Building the model and the call cost what CP-SAT's deterministic time does not
        # count (measured on the pilot, halved as mip_work is: docs/decisions.md, 2026-11-28).
        clock.charge(MASTER_CALL_SECONDS + BUILD_SECONDS_PER_VARIABLE * len(cols))
        clock.charge_cpsat(solver, per_dtime)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [keep[j] for j in range(len(cols)) if solver.Value(model.x[j])]
        obj = plan_objective(p, [pool.columns[j] for j in chosen])
        return MasterSolution(
            "optimal" if status == cp_model.OPTIMAL else "feasible",
            chosen,
            obj,
            solver.BestObjectiveBound() / FEN + model.offset,
            ranked,
        )
    if status == cp_model.INFEASIBLE:
        return MasterSolution("infeasible", [], None, None, ranked)
    return MasterSolution("unknown", [], None, None, ranked)


def _ranked_columns(
    pool: ColumnPool,
    rank: int,
    hint: list[int] | None,
    clock: Clock | None,
    time_limit: float,
) -> tuple[list[int], float]:
    """The pool's ``rank`` LP-cheapest columns and the hint's (:func:`lp_ranked_columns`), and
    the time left for the master once the ranking is paid for."""
    began = time.monotonic()
    columns = lp_ranked_columns(pool, rank, hint)
    if clock is not None and clock.deterministic:
        ranking = LP_SECONDS_PER_COLUMN * len(pool.columns)
        clock.charge(ranking)
    else:
        ranking = time.monotonic() - began
    return columns, max(0.05, time_limit - ranking)


def _positions(keep: list[int], hint: list[int]) -> list[int]:
    """The hint's pool indices as positions in ``keep`` (those it holds)."""
    where = {j: k for k, j in enumerate(keep)}
    return [where[j] for j in hint if j in where]


class _CpsatMaster:
    """The integer master over ``cols`` as a CP-SAT model: a boolean per column, rows (1)–(4),
    and the objective in fen (uncovered communities' money as an offset)."""

    def __init__(self, p: Problem, cols: list[Column]) -> None:
        self.p, self.cols = p, cols
        self.model = cp_model.CpModel()
        self.x = [self.model.NewBoolVar(f"x{j}") for j in range(len(cols))]
        self.infeasible = not self._rows()
        unc = p.w_public_money * p.uncovered_cost
        self.offset = float(unc.sum())
        # objective = Σ_c (obj_c − w_pm Σ_{i∈c} uncovered_i) x_c + w_pm Σ_i uncovered_i
        self.coefs = [round(FEN * (c.objective - float(unc[list(c.members)].sum()))) for c in cols]

    def _rows(self) -> bool:
        """Rows (1)–(4); False when a community that must be covered has no column."""
        p, model, x, cols = self.p, self.model, self.x, self.cols
        by_comm, by_firm, by_res = _incidence(p, cols)
        for i in range(p.n):
            terms = [x[j] for j in by_comm[i]]
            if p.must_cover[i]:
                if not terms:
                    return False
                model.AddExactlyOne(terms)
            elif len(terms) > 1:
                model.AddAtMostOne(terms)
        for f in range(p.m):
            if by_firm[f]:
                model.Add(sum(cols[j].weight * x[j] for j in by_firm[f]) <= int(p.firm_capacity[f]))
                model.Add(sum(x[j] for j in by_firm[f]) <= int(p.firm_max_packages[f]))
        for r in range(p.k):
            if len(by_res[r]) > 1:
                model.AddAtMostOne([x[j] for j in by_res[r]])
        if p.min_covered_weight > 0:
            model.Add(
                sum(c.weight * xj for c, xj in zip(cols, x, strict=True)) >= p.min_covered_weight
            )
        return True

    def minimise(self, lower_bound: float | None) -> None:
        """The objective; a proven bound (the LP value) lets CP-SAT stop as soon as it meets
        it. Each chosen column's coefficient is rounded by at most half a fen, hence the
        n-fen margin."""
        obj_expr = sum(cf * xv for cf, xv in zip(self.coefs, self.x, strict=True))
        self.model.Minimize(obj_expr)
        if lower_bound is not None and np.isfinite(lower_bound):
            limit = math.floor((lower_bound - self.offset) * FEN) - self.p.n - 1
            self.model.Add(obj_expr >= limit)

    def hint(self, positions: list[int]) -> None:
        if not positions:
            return
        hs = set(positions)
        for j in range(len(self.cols)):
            self.model.AddHint(self.x[j], 1 if j in hs else 0)


def _cpsat_solver(
    clock: Clock | None, time_limit: float, per_dtime: float, workers: int, seed: int
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    # OR-Tools would install its own SIGINT handler and reset ours after each solve;
    # the CLI's handler must survive so Ctrl-C keeps the best plan.
    solver.parameters.catch_sigint_signal = False
    if clock is not None:
        clock.set_limit(solver.parameters, time_limit, per_dtime)
    else:
        solver.parameters.max_time_in_seconds = max(0.05, float(time_limit))
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    if workers == 1:
        solver.parameters.interleave_search = False
    return solver


@contextmanager
def stop_watch(solver: cp_model.CpSolver, stop: Callable[[], bool] | None) -> Iterator[None]:
    """While inside, a caller's stop flag (set on SIGINT) ends the CP-SAT search early; CP-SAT
    then returns the best solution it has, which is what an interrupted run must keep."""
    with _interrupted_on(stop, solver.StopSearch):
        yield


@contextmanager
def _interrupted_on(
    stop: Callable[[], bool] | None, interrupt: Callable[[], object]
) -> Iterator[None]:
    """While inside, a thread polls ``stop`` every 50 ms and calls ``interrupt`` once it is
    true."""
    if stop is None:
        yield
        return
    done = threading.Event()
    t = threading.Thread(target=_watch, args=(done, stop, interrupt), daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join(timeout=1.0)


def _watch(
    done: threading.Event, stop: Callable[[], bool], interrupt: Callable[[], object]
) -> None:
    while not done.wait(0.05):
        if stop():
            interrupt()
            return


# SCIP's work for a repeatable run's clock, per package and per LP iteration and package, fitted
# on the pilot's enumerated masters and scaled to the CP-SAT masters' calibration, so that every
# step of one clock is charged in the same seconds (docs/formulation.md, "Repeatable runs").
MIP_ROOT_CUT_ROUNDS = 2
MASTER_CALL_SECONDS = 5e-4
MIP_SECONDS_PER_COLUMN = 6.5e-5
MIP_SECONDS_PER_ITERATION_AND_COLUMN = 3.3e-8


def mip_work(columns: int, iterations: int) -> float:
    """Seconds (work units) a SCIP master over ``columns`` packages that ran ``iterations`` LP
    iterations is charged on a deterministic clock."""
    return 0.01 + columns * (
        MIP_SECONDS_PER_COLUMN + MIP_SECONDS_PER_ITERATION_AND_COLUMN * iterations
    )


def solve_integer_master_mip(
    pool: ColumnPool,
    *,
    columns: list[int],
    time_limit: float,
    hint: list[int] | None = None,
    stop: Callable[[], bool] | None = None,
    solver_name: str = "SCIP",
    clock: Clock | None = None,
) -> MasterSolution:
    """The same master as :func:`solve_integer_master`, solved by a MIP solver bundled with
    OR-Tools (SCIP by default).

    Used to prove optimality over many thousands of enumerated packages: on the shipped
    instance CP-SAT had not closed the bound where SCIP and HiGHS proved the optimum in a few
    seconds (the LP-based cuts and branching of a MIP solver suit pure set partitioning;
    docs/decisions.md, 2026-11-26). The objective stays in exact yuan (no fen rounding).
    """
    p = pool.problem
    keep = list(columns)
    cols = [pool.columns[j] for j in keep]
    s = pywraplp.Solver.CreateSolver(solver_name)
    if s is None:  # pragma: no cover - bundled with OR-Tools
        return MasterSolution("unknown", [], None, None)
    x = [s.BoolVar(f"x{j}") for j in range(len(cols))]
    if not _mip_rows(s, x, p, cols):
        return MasterSolution("infeasible", [], None, None)
    unc = p.w_public_money * p.uncovered_cost
    offset = float(unc.sum())
    objective = s.Objective()
    for j, c in enumerate(cols):
        objective.SetCoefficient(x[j], c.objective - float(unc[list(c.members)].sum()))
    objective.SetMinimization()
    if hint:
        hs = set(_positions(keep, hint))
        s.SetHint(x, [1.0 if j in hs else 0.0 for j in range(len(cols))])
    _scip_limits(s, clock, time_limit, len(cols))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 1e-9)
    with _interrupted_on(stop, s.InterruptSolve):
        status = s.Solve(params)
    if clock is not None:
        clock.charge(mip_work(len(cols), int(s.iterations())))
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return MasterSolution(
            "infeasible" if status == pywraplp.Solver.INFEASIBLE else "unknown", [], None, None
        )
    chosen = [keep[j] for j in range(len(cols)) if x[j].solution_value() > 0.5]
    obj = plan_objective(p, [pool.columns[j] for j in chosen])
    bound = s.Objective().BestBound() + offset
    proven = status == pywraplp.Solver.OPTIMAL and bound >= obj - max(0.01, 1e-9 * abs(obj))
    return MasterSolution("optimal" if proven else "feasible", chosen, obj, bound)


def _mip_rows(s: pywraplp.Solver, x: list, p: Problem, cols: list[Column]) -> bool:
    """Rows (1)–(4) of the MIP master; False when a community that must be covered has no
    column."""
    by_comm, by_firm, by_res = _incidence(p, cols)
    inf = s.infinity()
    for i in range(p.n):
        if p.must_cover[i]:
            if not by_comm[i]:
                return False
            _mip_row(s, x, 1, 1, by_comm[i], None)
        elif len(by_comm[i]) > 1:
            _mip_row(s, x, -inf, 1, by_comm[i], None)
    for f in range(p.m):
        if by_firm[f]:
            weights = [float(cols[j].weight) for j in by_firm[f]]
            _mip_row(s, x, -inf, int(p.firm_capacity[f]), by_firm[f], weights)
            _mip_row(s, x, -inf, int(p.firm_max_packages[f]), by_firm[f], None)
    for r in range(p.k):
        if len(by_res[r]) > 1:
            _mip_row(s, x, -inf, 1, by_res[r], None)
    if p.min_covered_weight > 0:
        weights = [float(c.weight) for c in cols]
        _mip_row(s, x, p.min_covered_weight, inf, list(range(len(cols))), weights)
    return True


def _mip_row(
    s: pywraplp.Solver,
    x: list,
    lb: float,
    ub: float,
    terms: list[int],
    coefs: list[float] | None,
) -> None:
    """lb ≤ Σ coef·x_j ≤ ub over ``terms`` (coefficients 1 without ``coefs``), set coefficient
    by coefficient: summing Python expressions took four times as long."""
    ct = s.Constraint(lb, ub)
    for k, j in enumerate(terms):
        ct.SetCoefficient(x[j], 1.0 if coefs is None else coefs[k])


def _scip_limits(s: pywraplp.Solver, clock: Clock | None, time_limit: float, columns: int) -> None:
    """SCIP's root cuts and its limits. Few rounds of root cuts: with unlimited rounds the
    enumerated masters took longer for the same optimum (docs/formulation.md, "Proof over the
    packages within the gap")."""
    scip = f"separating/maxroundsroot = {MIP_ROOT_CUT_ROUNDS}\n"
    deterministic = clock is not None and clock.deterministic
    if deterministic:
        # A work limit SCIP counts itself, so the run stops at the same node every time:
        # nodes (across restarts) at about a hundred LP iterations each.
        per_node = 100 * MIP_SECONDS_PER_ITERATION_AND_COLUMN * max(1, columns)
        scip += f"limits/totalnodes = {max(3, int(time_limit / per_node))}\n"
    s.SetSolverSpecificParametersAsString(scip)
    # SCIP's limit is wall-clock only. In a repeatable run it gets the safety margin instead
    # and is charged the work it did (from its LP iterations), so the same run takes the
    # same path unless the machine is far slower than the calibration.
    wall_limit = safety_limit(time_limit) if deterministic else time_limit
    s.SetTimeLimit(int(max(0.1, wall_limit) * 1000))
