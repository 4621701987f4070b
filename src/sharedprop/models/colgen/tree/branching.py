"""Where a node branches: the first kind of decision its LP point leaves fractional.

The kinds, in order (``docs/formulation.md``, "Branch and price"): the total package count, a
firm's count, an option used, a community covered, a pair of communities together (Ryan &
Foster 1981), a community served by an option, a community with a resource. Within a kind the
most fractional value is taken. The order is complete: when every community's cover, pairs,
option and resources are whole, the packages holding a community are all one package, so the
point is a plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sharedprop.models.colgen.tree.rules import NodeRules, pair
from sharedprop.models.core.columns import Column
from sharedprop.models.core.problem import Problem

TOLERANCE = 1e-6

BranchKind = Literal["total", "firm", "option", "cover", "pair", "served", "resource"]


@dataclass(frozen=True)
class Branch:
    """A decision and the two nodes it makes (``children[0]`` takes the up side: more
    packages, used, covered, together, served, bundled)."""

    kind: BranchKind
    what: tuple[int, ...]
    value: float
    children: tuple[NodeRules, NodeRules]


def _fractional(value: float) -> bool:
    return TOLERANCE < value - math.floor(value) < 1 - TOLERANCE


def _most_fractional(values: dict) -> tuple[object, float] | None:
    """The key whose value is nearest to the middle of two whole numbers (None: all whole)."""
    best, best_key = 1.0, None
    for key, v in sorted(values.items()):
        if _fractional(v):
            dist = abs(v - math.floor(v) - 0.5)
            if dist < best:
                best, best_key = dist, key
    return None if best_key is None else (best_key, values[best_key])


class _Point:
    """The sums the branching looks at, over the LP's used columns."""

    def __init__(self, p: Problem, cols: list[Column], x: np.ndarray) -> None:
        self.total = 0.0
        self.firm: dict[int, float] = {}
        self.option: dict[int, float] = {}
        self.cover: dict[int, float] = {}
        self.pairs: dict[tuple[int, int], float] = {}
        self.served: dict[tuple[int, int], float] = {}
        self.resource: dict[tuple[int, int], float] = {}
        for j in np.flatnonzero(x > 1e-9):
            col, v = cols[int(j)], float(x[int(j)])
            f = p.options[col.option].firm
            self.total += v
            self.firm[f] = self.firm.get(f, 0.0) + v
            self.option[col.option] = self.option.get(col.option, 0.0) + v
            mem = col.members
            for a, i in enumerate(mem):
                self.cover[i] = self.cover.get(i, 0.0) + v
                key = (i, col.option)
                self.served[key] = self.served.get(key, 0.0) + v
                for r in col.resources:
                    self.resource[(i, r)] = self.resource.get((i, r), 0.0) + v
                for k in mem[a + 1 :]:
                    pk = pair(i, k)
                    self.pairs[pk] = self.pairs.get(pk, 0.0) + v


def choose_branch(
    problem: Problem, rules: NodeRules, cols: list[Column], x: np.ndarray
) -> Branch | None:
    """The branch for the LP point ``x`` over ``cols`` at a node with ``rules`` (None: the
    point is whole in every kind, so it is a plan)."""
    p = problem
    pt = _Point(p, cols, x)
    if _fractional(pt.total):
        lo, hi = rules.total if rules.total is not None else (0, int(p.firm_max_packages.sum()))
        v = pt.total
        return Branch(
            "total",
            (),
            v,
            (
                rules.child(total=(math.ceil(v), hi)),
                rules.child(total=(lo, math.floor(v))),
            ),
        )
    limits = rules.firm_limits()
    hit = _most_fractional(pt.firm)
    if hit is not None:
        f, v = hit
        lo, hi = limits.get(f, (0, int(p.firm_max_packages[f])))  # type: ignore[arg-type]
        return Branch(
            "firm",
            (f,),  # type: ignore[arg-type]
            v,
            (
                rules.child(firm=(f, math.ceil(v), hi)),
                rules.child(firm=(f, lo, math.floor(v))),
            ),
        )
    return _decision_branch(p, rules, pt)


def _decision_branch(p: Problem, rules: NodeRules, pt: _Point) -> Branch | None:
    """The yes/no kinds: option, cover, pair, served, resource."""
    hit = _most_fractional(pt.option)
    if hit is not None:
        o, v = hit
        return Branch(
            "option",
            (o,),  # type: ignore[arg-type]
            v,
            (rules.child(used={o}), rules.child(unused={o})),
        )
    free = {i: v for i, v in pt.cover.items() if not p.must_cover[i]}
    hit = _most_fractional(free)
    if hit is not None:
        i, v = hit
        return Branch(
            "cover",
            (i,),  # type: ignore[arg-type]
            v,
            (rules.child(covered={i}), rules.child(uncovered={i})),
        )
    for kind, values, yes, no in (
        ("pair", pt.pairs, "together", "apart"),
        ("served", pt.served, "served", "not_served"),
        ("resource", pt.resource, "with_resource", "without_resource"),
    ):
        hit = _most_fractional(values)
        if hit is not None:
            key, v = hit
            return Branch(
                kind,  # type: ignore[arg-type]
                key,  # type: ignore[arg-type]
                v,
                (rules.child(**{yes: {key}}), rules.child(**{no: {key}})),
            )
    return None
