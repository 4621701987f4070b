"""A lower bound for any instance size: households shipped to firms as a transportation LP.

Column generation proves strong bounds when it converges; on a street of 120 communities it does
not within a minute, and beyond that not at all. This bound is weaker but takes a second at
city scale, so every result can say how far its plan can at most be from the best plan.

Why it is a lower bound (objective weights w_pm, w_tc ≥ 0). For a package p of firm f built on
option o = (f, h) with members S and resources R:

    w_pm · max(0, (1+m_f)·cost(p) − revenue(p)) + w_tc · cost(p)
        ≥ (w_pm·(1+m_f) + w_tc) · cost(p) − w_pm · fee(S) − w_pm · income(R)

and cost(p) = fixed_o + Σ_{i∈S} member_cost_o[i] with fixed_o ≥ fixed_o · Σ_{i∈S} w_i / Q_o,
where Q_o = min(package_max_households, capacity_f, Σ of o's candidates' households) bounds the
households of any package on o (Q_f below is the same without the candidates' term).
So each member i carries at least

    c_if = min over options o of f with i a candidate of
           (w_pm·(1+m_f) + w_tc) · (member_cost_o[i] + fixed_o · w_i / Q_o) − w_pm · fee_i,

the resources give back at most w_pm · Σ income (of resources some option may take), and an
uncovered community costs w_pm · uncovered_cost_i. Choosing, per community, a firm or nothing
— fractionally, with each firm's households at most min(capacity_f, max_packages_f · Q_f), and
must-cover communities covered — is a relaxation of every plan; its LP optimum (HiGHS through
SciPy) minus the resource income is therefore a lower bound on the objective. The value is taken
from HiGHS's duals by weak duality, so the solver's tolerances can only weaken it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem


@dataclass(frozen=True)
class CapacityRelaxation:
    """The LP's optimum: the bound and how much of each community each firm serves."""

    bound: float
    community: np.ndarray  # per (community, firm) pair with a positive share
    firm: np.ndarray
    share: np.ndarray  # fraction of the community's households, in (0, 1]
    # The LP's duals as duals of the set-partitioning master (:func:`_master_duals`); they start
    # the column generation without contiguity near this bound (relaxed_bound.py).
    duals: Duals | None = None
    # The dual value split by community (y_i and the negative reduced costs of its pairs and
    # of leaving it uncovered) and the rest (firm rows and resource income): the bound is
    # max(0, Σ_i community_value_i + constant). A part's communities' sum bounds the part's
    # problem priced at ``duals`` (models/decompose/prices.py).
    community_value: np.ndarray | None = None
    constant: float = 0.0

    def firm_households(self, weight: np.ndarray, members: np.ndarray, m: int) -> np.ndarray:
        """Households of ``members`` the LP gives to each firm (length m)."""
        inside = np.isin(self.community, members)
        out = np.zeros(m)
        np.add.at(out, self.firm[inside], self.share[inside] * weight[self.community[inside]])
        return out


def capacity_bound(problem: Problem) -> float | None:
    """The transportation-LP lower bound (module docstring), or None if the LP fails."""
    relaxed = capacity_relaxation(problem)
    return None if relaxed is None else relaxed.bound


def capacity_relaxation(problem: Problem) -> CapacityRelaxation | None:
    """The transportation LP (module docstring) solved, or None if it has no solution."""
    p = problem
    if not p.options:
        # No package is possible: the all-uncovered plan is the only plan (if it is one).
        if p.must_cover.any():
            return None
        none = np.zeros(0, dtype=np.int64)
        return CapacityRelaxation(
            p.w_public_money * float(p.uncovered_cost.sum()), none, none, np.zeros(0)
        )
    n, m = p.n, p.m
    q = np.minimum(
        p.firm_capacity.astype(float),
        float(p.package_max_weight) if p.package_max_weight is not None else np.inf,
    )
    q = np.maximum(q, 1.0)
    key, val, reachable = _member_costs(p, q)
    # The cheapest option per (community, firm) pair.
    order = np.lexsort((val, key))
    key, val = key[order], val[order]
    first = np.r_[True, key[1:] != key[:-1]]
    key, val = key[first], val[first]
    comm, firm = key // m, key % m
    n_pairs = len(key)
    unc = np.flatnonzero(~p.must_cover)
    cost = np.concatenate([val, p.w_public_money * p.uncovered_cost[unc]])
    # Σ_f x_if + u_i = 1 (no u_i for must-cover communities)
    rows = np.concatenate([comm, unc])
    cols = np.arange(n_pairs + len(unc))
    a_eq = coo_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(cols))).tocsr()
    # Σ_i w_i x_if ≤ min(capacity_f, max_packages_f · Q_f)
    a_ub = coo_matrix(
        (p.weight[comm].astype(float), (firm, np.arange(n_pairs))), shape=(m, len(cols))
    ).tocsr()
    b_ub = np.minimum(p.firm_capacity.astype(float), p.firm_max_packages * q)
    res = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs"
    )
    if res.status != 0:
        return None
    income = p.w_public_money * float(p.resource_income[reachable].sum())
    # Weak duality with HiGHS's duals (any duals give a valid bound, so the solver's tolerances
    # can only weaken it): y free for the equalities, λ ≥ 0 for the capacities, 0 ≤ x ≤ 1.
    y = np.asarray(res.eqlin.marginals, dtype=float)
    lam = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
    reduced = cost - a_eq.T @ y + a_ub.T @ lam
    dual_value = float(y.sum()) - float(b_ub @ lam) + float(np.minimum(reduced, 0.0).sum())
    by_community = y + np.bincount(rows, weights=np.minimum(reduced, 0.0), minlength=n)
    x = res.x[:n_pairs]
    used = x > 1e-9
    return CapacityRelaxation(
        bound=max(0.0, dual_value - income),
        community=comm[used],
        firm=firm[used],
        share=x[used],
        duals=_master_duals(p, y, lam, q, reachable),
        community_value=by_community,
        constant=-float(b_ub @ lam) - income,
    )


def _member_costs(p: Problem, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (option, candidate) pair's key community · m + firm and its cost c (module
    docstring), and which resources some option may take; all options at once, since a loop
    over 137,824 options took half the LP's time at 10,000 communities."""
    opts, m = p.options, p.m
    sizes = np.fromiter((len(o.candidates) for o in opts), dtype=np.int64, count=len(opts))
    firm = np.fromiter((o.firm for o in opts), dtype=np.int64, count=len(opts))
    fixed = np.fromiter((o.fixed for o in opts), dtype=float, count=len(opts))
    margin = np.fromiter((o.margin for o in opts), dtype=float, count=len(opts))
    cand = np.concatenate([o.candidates for o in opts]).astype(np.int64)
    member_cost = np.concatenate([o.member_cost for o in opts]).astype(float)
    opt_of = np.repeat(np.arange(len(opts)), sizes)
    w = p.weight[cand].astype(float)
    # A package on an option holds at most its candidates' households.
    held = np.bincount(opt_of, weights=w, minlength=len(opts))
    cap = np.maximum(1.0, np.minimum(q[firm], held))
    rate = p.w_public_money * (1.0 + margin) + p.w_total_cost
    val = rate[opt_of] * (member_cost + fixed[opt_of] * w / cap[opt_of])
    val -= p.w_public_money * p.revenue[cand]
    reachable = np.zeros(p.k, dtype=bool)
    resources = [o.resources for o in opts if len(o.resources)]
    if resources:
        reachable[np.concatenate(resources)] = True
    return cand * m + firm[opt_of], val, reachable


def _master_duals(
    p: Problem, y: np.ndarray, lam: np.ndarray, q: np.ndarray, reachable: np.ndarray
) -> Duals:
    """The LP's duals read as duals of the set-partitioning master.

    π_i = y_i; a firm's households row goes to the capacity dual α_f = −λ_f, or, where the LP's
    row was the package count K_f · Q_f, to the count dual β_f = −λ_f · Q_f (a package holds at
    most Q_f households, so β_f charges each package at least what λ_f charged its households);
    every resource some option may take is charged its whole income, ρ_r = −w_pm · income_r, as
    the LP subtracts every income once. At these duals every column's reduced cost is at least
    the sum of its members' LP reduced costs, so the Lagrangian bound there is near the LP's.
    """
    is_count = p.firm_max_packages * q < p.firm_capacity
    return Duals(
        community=y.copy(),
        capacity=np.where(is_count, 0.0, -lam),
        count=np.where(is_count, -lam * q, 0.0),
        resource=np.where(reachable, -p.w_public_money * p.resource_income, 0.0),
    )
