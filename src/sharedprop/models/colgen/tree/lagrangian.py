"""A node's Lagrangian bound: valid whether or not its pricing was complete.

At a node's LP duals every plan of the node costs at least z_LP + Σ_{p in the plan} rc(p)
(Lasdon 1970; Farley 1990): the node's rows hold for its plans, so the dual terms only add.
The packages of a plan have distinct hubs, firm f runs at most U_f of them and the plan at most
U (the node's count limits, or max_packages), and each rc(p) ≥ lb(o) for its option o, so

    Σ_p rc(p) ≥ min { Σ_o min(0, lb(o)) · y_o : Σ_{o of hub h} y_o ≤ 1, Σ_{o of f} y_o ≤ U_f,
                                                Σ_o y_o ≤ U, 0 ≤ y ≤ 1 }

(:class:`sharedprop.models.colgen.hub_matching.HubMatching` with the total row and the node's
limits). Its value is taken by weak duality at HiGHS's duals, so a solver tolerance can only
weaken it. lb(o) is whatever the pricing proved: the exact minimum, a search's least open
bound, or the knapsack relaxation of an option it never reached.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from sharedprop.models.colgen.tree.rules import NodeRules
from sharedprop.models.core.problem import Problem


class NodeBound:
    """The bound of the module docstring for the nodes of one problem.

    Parameters
    ----------
    problem
        The array-level problem.
    """

    def __init__(self, problem: Problem) -> None:
        p = problem
        self.problem = p
        hubs = sorted({o.hub for o in p.options if o.hub >= 0})
        hub_row = {h: k for k, h in enumerate(hubs)}
        rows, cols = [], []
        total_row = len(hubs) + p.m
        for j, o in enumerate(p.options):
            if o.hub >= 0:
                rows.append(hub_row[o.hub])
                cols.append(j)
            rows += [len(hubs) + o.firm, total_row]
            cols += [j, j]
        self.a = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(total_row + 1, len(p.options))
        )
        self.n_hubs = len(hubs)
        self.max_f = np.minimum(p.firm_max_packages, p.n).astype(float)
        self.upper = np.array([1.0 if o.hub >= 0 else self.max_f[o.firm] for o in p.options])

    def limits(self, rules: NodeRules) -> np.ndarray:
        """The right-hand sides: 1 per hub, U_f per firm, U for the total."""
        u_f = self.max_f.copy()
        for f, _, hi in rules.firm:
            u_f[f] = min(u_f[f], float(hi))
        total = float(u_f.sum())
        if rules.total is not None:
            total = min(total, float(rules.total[1]))
        return np.concatenate([np.ones(self.n_hubs), u_f, [total]])

    def bound(self, lp_value: float, option_lb: np.ndarray, rules: NodeRules) -> float:
        """z_LP plus the least sum of negative option bounds a plan of the node can hold."""
        c = np.minimum(np.asarray(option_lb, dtype=float), 0.0)
        if not np.all(np.isfinite(c)):
            return -np.inf
        use = np.flatnonzero(c < 0)
        if len(use) == 0:
            return lp_value
        b = self.limits(rules)
        a = self.a[:, use]
        res = linprog(
            c[use],
            A_ub=a,
            b_ub=b,
            bounds=np.column_stack([np.zeros(len(use)), self.upper[use]]),
            method="highs",
        )
        if res.status != 0:
            return lp_value + float(b[-1]) * float(c.min())
        lam = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0)
        red = c[use] + a.T @ lam
        return lp_value + float(np.minimum(red, 0.0) @ self.upper[use]) - float(b @ lam)
