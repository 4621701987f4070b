"""A Lagrangian bound that knows each firm runs at most ``max_packages`` packages.

At the master LP's duals every plan's objective is at least z_LP + Σ_{p in the plan} rc(p)
(Lasdon 1970; the complementary terms are non-negative at LP-optimal duals). The packages of a
plan have distinct hubs (a hub is a member of its own package) and firm f runs at most K_f =
``max_packages`` of them, so with lb(o) ≤ every reduced cost of option o = (f, h)

    Σ_p rc(p) ≥ min { Σ_o min(0, lb(o)) · y_o : Σ_{o with hub h} y_o ≤ 1 for every hub h,
                                                Σ_{o of f} y_o ≤ K_f for every firm f, y ≥ 0 }.

The per-hub bound of :func:`sharedprop.models.colgen.joint.lagrangian_bound` is this minimum without
the firm rows; on the 120-community streets Σ_f K_f is about half the number of hubs, so the
firm rows roughly halve the negative term while column generation is far from converged. The
constraint matrix is that of a bipartite b-matching (every variable in one hub row and one
firm row), so the LP optimum is the integer one; options without a member hub (facility
location) sit only in their firm's row, up to K_f times.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from sharedprop.models.core.clock import Clock
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

# What one worker's deterministic clock charges a bound, per option: HiGHS's LP and the
# weak-duality check took 4.4 ms a call at 745 options (120-community street; the machine of
# relaxed_bound.LP_SECONDS_PER_CELL).
SECONDS_PER_OPTION = 6e-6


class HubMatching:
    def __init__(self, problem: Problem, clock: Clock | None = None) -> None:
        p = problem
        self.problem = p
        self.clock = clock
        opts = p.options
        self.n_opt = len(opts)
        hubs = sorted({o.hub for o in opts if o.hub >= 0})
        hub_row = {h: k for k, h in enumerate(hubs)}
        rows, cols = [], []
        for j, o in enumerate(opts):
            if o.hub >= 0:
                rows.append(hub_row[o.hub])
                cols.append(j)
            rows.append(len(hubs) + o.firm)
            cols.append(j)
        self.a = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(hubs) + p.m, self.n_opt))
        kf = np.minimum(p.firm_max_packages, p.n).astype(float)
        self.b = np.concatenate([np.ones(len(hubs)), kf])
        self.upper = np.array([1.0 if o.hub >= 0 else kf[o.firm] for o in opts])

    def bound(self, lp_value: float, option_lb: np.ndarray) -> float:
        """z_LP plus the cheapest matching of negative option bounds (−inf if it fails)."""
        if self.n_opt == 0:
            return lp_value
        if self.clock is not None:
            self.clock.charge(SECONDS_PER_OPTION * self.n_opt)
        c = np.minimum(np.asarray(option_lb, dtype=float), 0.0)
        if not np.all(np.isfinite(c)):
            return -np.inf
        use = c < 0
        if not use.any():
            return lp_value
        res = linprog(
            c[use],
            A_ub=self.a[:, np.flatnonzero(use)],
            b_ub=self.b,
            bounds=np.column_stack([np.zeros(int(use.sum())), self.upper[use]]),
            method="highs",
        )
        if res.status != 0:
            return -np.inf
        # The value is re-derived from HiGHS's row duals λ ≥ 0 by weak duality, which holds for
        # any λ: a solver tolerance can then only weaken the bound, never make it invalid.
        lam = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
        a = self.a[:, np.flatnonzero(use)]
        red = c[use] + a.T @ lam
        value = float(np.minimum(red, 0.0) @ self.upper[use]) - float(self.b @ lam)
        return lp_value + value

    def bound_at(self, duals: Duals, option_lb: np.ndarray) -> float:
        """The same bound at any duals of the master's signs, not only LP-optimal ones.

        The dual objective Σπ + Σα·capacity + Σβ·max_packages + Σρ + Σσ + Σ t·τ (the capacity
        cuts' limits t) stands in for z_LP, and
        a community the street office may leave uncovered adds min(0, its fallback money − π_i)
        (Lagrangian relaxation of the cover rows). Used at the smoothed duals of column
        generation, which move less than the LP's own.
        """
        p = self.problem
        pi = duals.community
        value = (
            float(pi.sum())
            + float(duals.capacity @ p.firm_capacity)
            + float(duals.count @ p.firm_max_packages)
            + float(duals.resource.sum())
            + float(duals.cut.sum())
            + sum(
                c.limit * float(t) for c, t in zip(duals.weight_cuts, duals.weight_cut, strict=True)
            )
        )
        # The coverage row's dual μ ≤ 0 adds μ·(H − L) and prices each uncovered household.
        mu = duals.coverage if p.min_covered_weight > 0 else 0.0
        value += mu * float(p.weight.sum() - p.min_covered_weight)
        free = ~p.must_cover
        uncovered_rc = p.w_public_money * p.uncovered_cost[free] - pi[free] - mu * p.weight[free]
        value += float(np.minimum(0.0, uncovered_rc).sum())
        return self.bound(value, option_lb)
