"""A bound on the whole city from bounds on its parts: Lagrangian decomposition by street.

The parts of a city (:mod:`sharedprop.models.decompose.parts`) are tied only by the rows of
every firm — capacity (3), package count (4) — and of every resource (5) of the model
(docs/formulation.md). Give those rows prices α_f ≤ 0, β_f ≤ 0, ρ_r ≤ 0 and drop them: every
plan P then costs at least

    L(α, β, ρ) = Σ_parts v_s + Σ_f (α_f · capacity_f + β_f · max_packages_f) + Σ_r ρ_r,

where v_s is the least *priced* cost of part s alone — each of its packages paying
−α_f per household, −β_f, and −ρ_r per resource on top of its objective — with every firm's
whole capacity and every resource available to it (Lagrangian relaxation; each part of P is
one such plan of its part). The parts are then independent problems, so v_s can be bounded
part by part, in parallel, by any method that proves a lower bound.

**The priced part as an ordinary problem** (:func:`priced_part`). The prices are paid outside
the subsidy's max(0, ·), which no :class:`Problem` can express. Moved inside it they can only
lower a package's value, since max(0, x + a) ≤ max(0, x) + a for a ≥ 0. So the part's problem
with each member's cost raised by −α_f · w_i / r_o, each option's fixed cost by −β_f / r_o
(r_o = w_pm · (1 + m_f) + w_tc, so the raise costs exactly the price where the package is
subsidised) and each resource's income cut by −ρ_r / w_pm (a resource whose income that
leaves at 0 is dropped) values every package at most its priced cost, and its optimum is at
most v_s. Any lower bound of it — the transportation LP, the bound without contiguity, the
joint model's — is therefore a lower bound of v_s, and their sum plus the prices' constant a
lower bound of the whole city. A part whose own bound did not finish counts its
transportation LP (a second for all parts at once), never a guess.

The coverage floor (row (6), Σ households covered ≥ L) ties the parts too; the priced parts
leave it out, which can only lower their optimum, so the bound stays valid with it.

**Regions** (``cross_streets = true``). A package of a region may hold communities of its
*halo* that another region's packages may hold too. In every priced region problem those
shared communities need no package and cost no fallback when left out (each region then
counts a plan's packages hubbed in it, and no fallback twice), which is again a relaxation.

With the transportation LP's own duals as the prices, the parts' transportation LPs sum to
the city's transportation LP exactly (its duals decompose by community), so the city bound
starts there and each part's stronger bound raises it by what it adds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem
from sharedprop.models.decompose.parts import Part
from sharedprop.models.decompose.subproblem import SubProblem, sub_problem


@dataclass(frozen=True)
class CouplingPrices:
    """Prices of the rows that tie the parts: α ≤ 0 per firm household, β ≤ 0 per firm
    package, ρ ≤ 0 per resource (the master's dual signs)."""

    capacity: np.ndarray
    count: np.ndarray
    resource: np.ndarray

    def __post_init__(self) -> None:
        for name in ("capacity", "count", "resource"):
            value = np.asarray(getattr(self, name), dtype=float)
            if np.any(value > 0) or not np.all(np.isfinite(value)):
                raise ValueError(f"CouplingPrices.{name} must be finite and ≤ 0")
            object.__setattr__(self, name, value)

    @classmethod
    def zero(cls, problem: Problem) -> CouplingPrices:
        return cls(np.zeros(problem.m), np.zeros(problem.m), np.zeros(problem.k))

    @classmethod
    def from_duals(cls, duals: Duals) -> CouplingPrices:
        """The coupling rows' duals of a master LP (or the transportation LP's), clipped to
        their signs."""
        return cls(
            np.minimum(duals.capacity, 0.0),
            np.minimum(duals.count, 0.0),
            np.minimum(duals.resource, 0.0),
        )

    def constant(self, problem: Problem) -> float:
        """Σ_f (α_f · capacity_f + β_f · max_packages_f) + Σ_r ρ_r (≤ 0)."""
        p = problem
        return float(
            self.capacity @ p.firm_capacity.astype(float)
            + self.count @ p.firm_max_packages.astype(float)
            + self.resource.sum()
        )


def shared_communities(parts: list[Part], n: int) -> np.ndarray:
    """Communities that packages of two parts may hold (every halo), as a mask."""
    shared = np.zeros(n, dtype=bool)
    for part in parts:
        shared[part.halo] = True
    return shared


def priced_part(
    problem: Problem, part: Part, prices: CouplingPrices, shared: np.ndarray
) -> SubProblem:
    """Part ``part`` as a problem whose optimum is at most its priced cost v_s (module
    docstring): every firm's whole capacity and packages, resource incomes cut by their price,
    prices folded into the costs, ``shared`` communities (a mask) free to leave out."""
    p = problem
    wpm, wtc = p.w_public_money, p.w_total_cost
    alpha, beta = -prices.capacity, -prices.count  # ≥ 0: what a household, a package pays
    if wpm > 0:
        income = np.maximum(0.0, p.resource_income + prices.resource / wpm)
    else:
        income = np.zeros(p.k)  # income only lowers the subsidy, which then weighs nothing
    useful = income > 0
    options = []
    for j in part.options.tolist():
        o = p.options[j]
        rate = wpm * (1.0 + o.margin) + wtc
        if rate <= 0:
            options.append(o)  # the objective weighs nothing: no price to fold
            continue
        options.append(
            replace(
                o,
                fixed=o.fixed + beta[o.firm] / rate,
                member_cost=o.member_cost + alpha[o.firm] * p.weight[o.candidates] / rate,
                resources=o.resources[useful[o.resources]],
            )
        )
    priced = replace(
        p,
        options=tuple(options),
        resource_income=income,
        uncovered_cost=np.where(shared, 0.0, p.uncovered_cost),
        must_cover=p.must_cover & ~shared,
    )
    sub = sub_problem(
        priced,
        part.communities,
        range(len(options)),
        p.firm_capacity,
        p.firm_max_packages,
        useful,
    )
    # The sub-problem's options map back to the part's options of the whole problem.
    return replace(sub, option=part.options.astype(np.int64))
