"""Side-by-side comparison of plans for one instance, and the communities that move between them.

The first plan is the reference. Every plan is scored by :func:`sharedprop.evaluate`; the table
holds the figures a planner weighs (public money, total cost, coverage, packages, firms used,
broken rules). Package ids are arbitrary labels (a manual plan's ``M2`` may be the solver's
``P7``), so packages are first matched across the two plans by the households they share — a
maximum-weight bipartite matching (networkx) — and a community *moves* when its package has no
such counterpart in the other plan or its firm changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from sharedprop.data import Instance
from sharedprop.errors import PlanError
from sharedprop.evaluate import Evaluation, evaluate
from sharedprop.formatting import count, pct, yuan
from sharedprop.plan import Plan

CHANGE_PACKAGE = "changed package"
CHANGE_FIRM = "changed firm"
CHANGE_BOTH = "changed package and firm"
NEWLY_COVERED = "newly covered"
NEWLY_UNCOVERED = "newly uncovered"


@dataclass(frozen=True, slots=True)
class Metric:
    """One row of the table: how to read it from an evaluation and how to show it."""

    key: str
    label: str
    value: Callable[[Evaluation], float]
    show: Callable[[float], str]
    lower_is_better: bool | None  # None: neither (e.g. the number of packages)


METRICS: tuple[Metric, ...] = (
    Metric("public_money", "public money (yuan/yr)", lambda e: e.public_money, yuan, True),
    Metric("subsidy", "  package subsidies", lambda e: e.subsidy, yuan, True),
    Metric("fallback_cost", "  fallback for uncovered", lambda e: e.fallback_cost, yuan, True),
    Metric("total_cost", "total cost (yuan/yr)", lambda e: e.total_cost, yuan, True),
    Metric("revenue", "revenue (yuan/yr)", lambda e: e.revenue, yuan, None),
    Metric("objective", "objective", lambda e: e.objective, yuan, True),
    Metric("coverage_households", "households covered", lambda e: e.coverage_households,
           lambda v: count(int(v)), False),
    Metric("coverage", "coverage (households)", lambda e: e.coverage, pct, False),
    Metric("communities_covered", "communities covered", lambda e: len(e.covered),
           lambda v: count(int(v)), False),
    Metric("packages", "packages", lambda e: len(e.packages), lambda v: count(int(v)), None),
    Metric("firms_used", "firms used", lambda e: e.firms_used, lambda v: count(int(v)), None),
    Metric("broken_rules", "broken rules", lambda e: len(e.broken), lambda v: count(int(v)), True),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Move:
    """A community whose package or firm differs between the reference plan and another one."""

    community_id: str
    name: str
    households: int
    change: str
    from_package: str | None
    from_firm: str | None
    to_package: str | None
    to_firm: str | None

    def describe(self) -> str:
        def side(pkg: str | None, firm: str | None) -> str:
            return f"{pkg} / {firm}" if pkg else "uncovered"

        return (
            f"{self.community_id} {self.name} ({self.households} households): "
            f"{side(self.from_package, self.from_firm)} -> {side(self.to_package, self.to_firm)}"
            f" ({self.change})"
        )


def match_packages(a: Plan, b: Plan, households: Mapping[str, int]) -> dict[str, str]:
    """Package of ``a`` → its counterpart in ``b``: the matching that shares the most households."""
    graph = nx.Graph()
    where_b = b.package_of()
    shared: dict[tuple[str, str], int] = {}
    for p in a.packages:
        for m in p.members:
            q = where_b.get(m)
            if q is not None:
                shared[(p.id, q)] = shared.get((p.id, q), 0) + households.get(m, 1)
    for (pa, pb), w in shared.items():
        graph.add_edge(("a", pa), ("b", pb), weight=w)
    pairs = nx.max_weight_matching(graph)
    out: dict[str, str] = {}
    for u, v in pairs:
        (side_u, id_u), (_, id_v) = u, v
        if side_u == "a":
            out[id_u] = id_v
        else:
            out[id_v] = id_u
    return out


def moved_communities(instance: Instance, a: Plan, b: Plan) -> tuple[Move, ...]:
    """Communities whose package or firm changes from plan ``a`` to plan ``b`` (instance order)."""
    households = {c.id: c.households for c in instance.communities}
    match = match_packages(a, b, households)
    pkg_a, pkg_b = a.package_of(), b.package_of()
    firm_a = {p.id: p.firm_id for p in a.packages}
    firm_b = {p.id: p.firm_id for p in b.packages}
    moves = []
    for c in instance.communities:
        pa, pb = pkg_a.get(c.id), pkg_b.get(c.id)
        if pa is None and pb is None:
            continue
        fa = firm_a[pa] if pa else None
        fb = firm_b[pb] if pb else None
        if pa is None:
            change = NEWLY_COVERED
        elif pb is None:
            change = NEWLY_UNCOVERED
        else:
            same_pkg, same_firm = match.get(pa) == pb, fa == fb
            if same_pkg and same_firm:
                continue
            change = CHANGE_FIRM if same_pkg else CHANGE_PACKAGE if same_firm else CHANGE_BOTH
        moves.append(Move(c.id, c.name, c.households, change, pa, fa, pb, fb))
    return tuple(moves)


@dataclass(frozen=True)
class Comparison:
    """Plans scored side by side; ``moves[name]`` lists what changes from the first plan to it."""

    instance_name: str
    names: tuple[str, ...]
    evaluations: Mapping[str, Evaluation]
    moves: Mapping[str, tuple[Move, ...]]

    @property
    def reference(self) -> str:
        return self.names[0]

    def to_frame(self) -> pd.DataFrame:
        """One row per metric (index = metric key), one column per plan, numbers as numbers."""
        data = {n: [m.value(self.evaluations[n]) for m in METRICS] for n in self.names}
        frame = pd.DataFrame(data, index=[m.key for m in METRICS])
        frame.index.name = "metric"
        return frame

    def change(self, metric: Metric, name: str) -> float | None:
        """Relative change of ``metric`` from the reference plan to ``name`` (None if ref is 0)."""
        ref = metric.value(self.evaluations[self.reference])
        val = metric.value(self.evaluations[name])
        return (val - ref) / abs(ref) if ref else None

    def cells(self, metric: Metric) -> list[str]:
        """The shown values of one metric row; other plans carry their change against the first."""
        out = []
        for i, name in enumerate(self.names):
            text = metric.show(metric.value(self.evaluations[name]))
            if i and metric.show is yuan:
                ch = self.change(metric, name)
                if ch is not None and abs(ch) >= 0.0005:
                    text += f" ({'+' if ch > 0 else '−'}{pct(abs(ch))})"
            out.append(text)
        return out

    def rows(self) -> list[tuple[str, list[str]]]:
        return [(m.label, self.cells(m)) for m in METRICS]

    def to_text(self) -> str:
        """A plain-text table, then the broken rules and the moved communities of each plan."""
        header = ["", *self.names]
        body = [[label, *cells] for label, cells in self.rows()]
        widths = [max(len(r[j]) for r in [header, *body]) for j in range(len(header))]
        lines = [
            "  ".join(
                cell.ljust(w) if j == 0 else cell.rjust(w)
                for j, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in [header, *body]
        ]
        for name in self.names:
            broken = self.evaluations[name].broken
            if broken:
                lines += ["", f"{name} breaks {len(broken)} rule(s):"]
                lines += [f"  - {v}" for v in broken]
        for name in self.names[1:]:
            moves = self.moves[name]
            lines.append("")
            if not moves:
                lines.append(f"No community moves from {self.reference} to {name}.")
                continue
            lines.append(f"{len(moves)} communities move from {self.reference} to {name}:")
            lines += [f"  {m.describe()}" for m in moves]
        return "\n".join(lines)


def compare_plans(instance: Instance, plans: Mapping[str, Plan]) -> Comparison:
    """Score every plan and list the moves from the first one to each other one.

    Parameters
    ----------
    instance
        The instance all the plans are for.
    plans
        Plan name → plan, in the order the table shows them; the first is the reference that
        changes and moves are measured from.

    Returns
    -------
    Comparison
        Each plan's :class:`~sharedprop.evaluate.Evaluation` and the communities that move;
        ``to_text()`` and ``to_frame()`` lay it out.

    Raises
    ------
    PlanError
        When ``plans`` is empty, or a plan names a community, firm or resource the instance
        does not have.
    """
    if not plans:
        raise PlanError("compare: give at least one plan")
    names = tuple(plans)
    evaluations = {n: evaluate(instance, plans[n]) for n in names}
    first = plans[names[0]]
    moves = {n: moved_communities(instance, first, plans[n]) for n in names[1:]}
    return Comparison(instance.name, names, evaluations, moves)
