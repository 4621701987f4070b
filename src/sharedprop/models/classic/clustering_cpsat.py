"""The clustering problem as a CP-SAT model (:mod:`sharedprop.models.classic.clustering_input`).

One boolean per allowed pair; the hub's own boolean is "h is open":

* Σ_h x[i, h] = 1 (≤ 1 when uncovered points are allowed);  x[i, h] ≤ x[h, h] disaggregated;
* min_weight · x[h, h] ≤ Σ_i w_i x[i, h] ≤ max_weight · x[h, h];  Σ_h x[h, h] = n_clusters.

**Contiguity** (when ``adjacency`` is given): every cluster induces a connected subgraph. Exact
single-commodity flow toward the hub, after Shirabe (2005, "A model of contiguity for spatial
unit allocation", Geographical Analysis 37(1):2–16; 2009, "Districting modeling with exact
contiguity constraints", Environment and Planning B 36(6):1053–1066), with the hub as the
cluster's fixed sink: for hub h and member i ≠ h, Σ_j f^h[i, j] − Σ_j f^h[j, i] = x[i, h]; an
arc carries flow only if both ends are in h's cluster (f^h[i, j] ≤ M_h · x[i, h] and
≤ M_h · x[j, h], M_h = number of candidate members of h). A unit that cannot reach h through
its own cluster has nowhere to send its flow, so the constraints are exact. Arcs exist only
between points allowed to h (``candidate_pairs`` drops pairs that cannot reach h inside h's
candidate set), and a member needs at least one neighbour in its cluster (a redundant cut that
helps propagation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from sharedprop.models.classic.clustering_input import ClusteringInput
from sharedprop.models.core.cpsat import Run

Variables = dict[tuple[int, int], cp_model.IntVar]


def build_model(
    inp: ClusteringInput,
    pair: np.ndarray,
    lower: int | None,
    hint: np.ndarray | None,
    at_most: int | None = None,
) -> tuple[cp_model.CpModel, Variables]:
    """The model over the pairs in ``pair``; ``lower`` / ``at_most`` bound the objective and
    ``hint`` (a ``hub_of`` vector) becomes CP-SAT's solution hint."""
    n = inp.n
    cost = np.asarray(inp.cost, dtype=np.int64)
    weight = np.asarray(inp.weight, dtype=np.int64)
    model = cp_model.CpModel()
    x: Variables = {}
    for i, h in zip(*np.nonzero(pair), strict=True):
        x[int(i), int(h)] = model.new_bool_var(f"x[{i},{h}]")
    by_point: list[list[int]] = [[] for _ in range(n)]
    by_hub: list[list[int]] = [[] for _ in range(n)]
    for i, h in x:
        by_point[i].append(h)
        by_hub[h].append(i)
    objective: list[Any] = []
    for i in range(n):
        lits = [x[i, h] for h in by_point[i]]
        if inp.uncovered_cost is None:
            model.add_exactly_one(lits)
        else:
            model.add_at_most_one(lits)
            penalty = int(inp.uncovered_cost[i])
            objective.append(penalty)
            objective.extend(-penalty * v for v in lits)
    hubs = [h for h in range(n) if (h, h) in x]
    for h in hubs:
        y = x[h, h]
        members = by_hub[h]
        for i in members:
            if i != h:
                model.add(x[i, h] <= y)
        load = sum(int(weight[i]) * x[i, h] for i in members)
        if inp.max_weight is not None and int(weight[members].sum()) > inp.max_weight:
            model.add(load <= int(inp.max_weight) * y)
        if inp.min_weight > 0:
            model.add(load >= int(inp.min_weight) * y)
    if inp.n_clusters is not None:
        model.add(sum(x[h, h] for h in hubs) == int(inp.n_clusters))
    if inp.adjacency is not None:
        add_contiguity(model, inp.adjacency, x, by_hub)
    for a, b in inp.together:
        for h in set(by_point[a]) | set(by_point[b]):
            if (a, h) in x and (b, h) in x:
                model.add(x[a, h] == x[b, h])
            else:
                model.add(x.get((a, h), x.get((b, h))) == 0)
    for a, b in inp.apart:
        for h in set(by_point[a]) & set(by_point[b]):
            model.add_at_most_one([x[a, h], x[b, h]])
    objective.extend(int(cost[i, h]) * v for (i, h), v in x.items() if cost[i, h])
    if inp.hub_cost is not None:
        objective.extend(int(inp.hub_cost[h]) * x[h, h] for h in hubs if inp.hub_cost[h])
    total = sum(objective)
    if lower is not None:
        model.add(total >= lower)
    if at_most is not None:
        model.add(total <= at_most)
    model.minimize(total)
    if hint is not None:
        for (i, h), v in x.items():
            model.add_hint(v, bool(hint[i] == h))
    return model, x


def add_contiguity(
    model: cp_model.CpModel,
    adjacency: Sequence[Sequence[int]],
    x: Variables,
    by_hub: list[list[int]],
) -> None:
    """Flow toward each hub inside its own cluster (Shirabe); see the module docstring."""
    for h, members in enumerate(by_hub):
        if (h, h) not in x or len(members) <= 1:
            continue
        inside = set(members)
        big = len(members) - 1
        outflow: dict[int, list[Any]] = {i: [] for i in members}
        inflow: dict[int, list[Any]] = {i: [] for i in members}
        for i in members:
            if i == h:
                continue
            neighbours = [int(j) for j in adjacency[i] if int(j) in inside]
            model.add(sum(x[j, h] for j in neighbours) >= x[i, h])
            for j in neighbours:
                f = model.new_int_var(0, big, f"f[{h}:{i}->{j}]")
                model.add(f <= big * x[i, h])
                if j != h:
                    model.add(f <= big * x[j, h])
                outflow[i].append(f)
                inflow[j].append(f)
        for i in members:
            if i != h:
                model.add(sum(outflow[i]) - sum(inflow[i]) == x[i, h])


def base_parameters(inp: ClusteringInput) -> dict[str, Any]:
    """CP-SAT parameters every clustering search starts from."""
    parameters: dict[str, Any] = {"linearization_level": 2}
    if inp.adjacency is None:
        # Presolve rewrites x ≤ y into enforced clauses that CP-SAT's LP relaxes weakly
        # (measured: LP bound 530 instead of 960 on pmedcap14); the flows need presolve on.
        parameters["cp_model_presolve"] = False
    return parameters


def hub_of_run(n: int, x: Variables, run: Run) -> np.ndarray:
    """The ``hub_of`` vector of a CP-SAT run's final solution."""
    hub_of = np.full(n, -1, dtype=np.int64)
    for (i, h), v in x.items():
        if run.solver.boolean_value(v):
            hub_of[i] = h
    return hub_of
