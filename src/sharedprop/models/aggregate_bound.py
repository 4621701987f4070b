"""A quick lower bound from households, capacities and fixed costs alone (no packages).

Every plan pays, for each package p of firm f, at least w_pm · ((1 + m_f) · cost(p) − revenue(p))
+ w_tc · cost(p) (the subsidy is max(0, deficit) ≥ deficit), and

* cost(p) ≥ Σ_{i∈p} min_o member_cost_o[i] + fixed_f^min, with the minimum over f's options
  (travel only adds);
* firm f runs at least (its households) / W_f packages, W_f = min(package limit, capacity), so
  its fixed costs are at least fixed_f^min · households_f / W_f: each household of i carries
  fixed_f^min · w_i / W_f;
* the resources add at most the income of every resource some option may bundle.

So the plan's objective is at least the value of a transportation LP: community i is served by
firm f in fractions z_if (only where some option of f may hold i) at

    c_if = (w_pm (1 + m_f) + w_tc) · (min member cost + fixed_f^min · w_i / W_f) − w_pm · r_i

or left out at its fallback money (not allowed for must-cover communities), with Σ_i w_i z_if ≤
min(capacity_f, max_packages_f · W_f), minus w_pm · Σ (reachable resource income). Contiguity, radius and the max(0, ·) are
dropped, so the bound is weak where packages run a surplus, but it needs no pricing at all: on
the 120-community streets column generation does not converge within a minute and its
Lagrangian bound is still negative, while this one is known in milliseconds.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from sharedprop.models.problem import Problem


def aggregate_bound(p: Problem) -> float | None:
    """A valid lower bound on every plan's objective, or None if the LP fails."""
    n, m = p.n, p.m
    wpm, wtc = p.w_public_money, p.w_total_cost
    member = np.full((m, n), np.inf)
    fixed = np.full(m, np.inf)
    margin = np.zeros(m)
    res_ok = np.zeros(p.k, dtype=bool)
    for o in p.options:
        f = o.firm
        member[f, o.candidates] = np.minimum(member[f, o.candidates], o.member_cost)
        fixed[f] = min(fixed[f], o.fixed)
        margin[f] = o.margin
        res_ok[o.resources] = True
    cap = np.asarray(p.firm_capacity, dtype=float)
    wmax = cap.copy()
    if p.package_max_weight is not None:
        wmax = np.minimum(wmax, float(p.package_max_weight))
    # At most max_packages packages of at most W_f households each.
    cap = np.minimum(cap, np.asarray(p.firm_max_packages, dtype=float) * wmax)
    w = np.asarray(p.weight, dtype=float)
    ff, ii = np.nonzero(np.isfinite(member) & (wmax[:, None] > 0))
    share = np.where(np.isfinite(fixed[ff]), fixed[ff], 0.0) * w[ii] / np.maximum(wmax[ff], 1.0)
    coef = (wpm * (1 + margin[ff]) + wtc) * (member[ff, ii] + share) - wpm * p.revenue[ii]
    # z_if for each allowed pair, then u_i (uncovered) for every community.
    n_z = len(ff)
    unc = wpm * np.asarray(p.uncovered_cost, dtype=float)
    c = np.concatenate([coef, unc])
    rows = np.concatenate([ii, np.arange(n)])
    cols = np.arange(n_z + n)
    a_eq = coo_matrix((np.ones(n_z + n), (rows, cols)), shape=(n, n_z + n)).tocsr()
    a_ub = coo_matrix((w[ii], (ff, np.arange(n_z))), shape=(m, n_z + n)).tocsr()
    upper = np.concatenate([np.ones(n_z), np.where(p.must_cover, 0.0, 1.0)])
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=cap,
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=np.column_stack([np.zeros(n_z + n), upper]),
        method="highs",
    )
    if res.status != 0:
        return None
    # Weak duality with HiGHS's own duals (any duals give a valid bound): solver tolerances can
    # only weaken it. y free for the equalities, λ ≥ 0 for the capacities.
    y = np.asarray(res.eqlin.marginals, dtype=float)
    lam = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
    red = c - a_eq.T @ y + a_ub.T @ lam
    value = float(y.sum()) - float(cap @ lam) + float(np.minimum(red, 0.0) @ upper)
    return value - wpm * float(p.resource_income[res_ok].sum())
