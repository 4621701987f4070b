"""Scoring the single changes an explanation weighs, against the plan they change.

An explanation (:mod:`sharedprop.explain`) tries every single change around one community —
hundreds of alternative plans at city scale — and needs, for each, its objective, its public
money and the rules it breaks that the current plan keeps. Two ways give those figures:

- :class:`FullScoring` evaluates every alternative plan whole with :func:`sharedprop.evaluate`:
  the definition, and the reference the tests hold the other against;
- :class:`IncrementalScoring` scores only what a change touches: the packages it adds (each
  package scored once, :class:`sharedprop.evaluate.Scorer`), the firms, members and locks of
  the packages it adds or removes. Sums are taken again over the whole plan in its order, never
  by difference, so every figure is the one :func:`evaluate` gives, to the last bit.

An alternative plan is the current plan with some packages replaced, added or removed; the
packages it keeps are the current plan's own objects (that is how a change is recognised).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from sharedprop.data import Community, Instance
from sharedprop.evaluate import (
    Evaluation,
    Scorer,
    Violation,
    community_packages,
    evaluate,
    fallback_cost,
    firm_load,
    firm_violations,
    lock_violations,
    membership_violations,
    objective_value,
    resource_sharing_violations,
)
from sharedprop.plan import Package, Plan


@dataclass(frozen=True, slots=True)
class ChangeScore:
    """What one alternative plan costs, and the rules it breaks that the current plan keeps."""

    objective: float
    public_money: float
    new_broken: tuple[Violation, ...]


class AlternativeScoring(Protocol):
    """How an explanation scores the current plan and its alternatives."""

    instance: Instance
    evaluation: Evaluation  # the current plan's

    def best_hub(self, package: Package) -> Package: ...

    def subsidy_without(self, plan: Plan, package_id: str) -> float: ...

    def change(self, plan: Plan) -> ChangeScore: ...


def new_broken(current: Evaluation, broken: Iterable[Violation]) -> tuple[Violation, ...]:
    """The violations of ``broken`` whose rule and subject the current plan does not break."""
    seen = {(v.rule, v.subject) for v in current.broken}
    return tuple(v for v in broken if (v.rule, v.subject) not in seen)


class FullScoring:
    """Every alternative evaluated whole: the definition."""

    def __init__(self, instance: Instance, plan: Plan) -> None:
        self.instance = instance
        self.evaluation = evaluate(instance, plan)

    def best_hub(self, package: Package) -> Package:
        """``package`` with the member as hub that breaks the fewest rules, then costs the least
        (each member tried on the package alone)."""
        best: tuple[tuple[int, float], Package] | None = None
        for hub in package.members:
            candidate = replace(package, hub_id=hub)
            ev = evaluate(self.instance, Plan((candidate,)))
            key = (len(ev.broken), ev.objective)
            if best is None or key < best[0]:
                best = (key, candidate)
        assert best is not None
        return best[1]

    def subsidy_without(self, plan: Plan, package_id: str) -> float:
        ev = evaluate(self.instance, plan)
        rest = next((p for p in ev.packages if p.package_id == package_id), None)
        return rest.subsidy if rest is not None else 0.0

    def change(self, plan: Plan) -> ChangeScore:
        ev = evaluate(self.instance, plan)
        return ChangeScore(ev.objective, ev.public_money, new_broken(self.evaluation, ev.broken))


class IncrementalScoring:
    """The figures of :class:`FullScoring`, from the packages and subjects a change touches."""

    def __init__(self, instance: Instance, plan: Plan, scorer: Scorer | None = None) -> None:
        self.instance = instance
        self.scorer = scorer or Scorer(instance)
        self.plan = plan
        self.evaluation = self.scorer.evaluate(plan)
        self._metrics = {
            id(p): m for p, m in zip(plan.packages, self.evaluation.packages, strict=True)
        }
        self._seen = {(v.rule, v.subject) for v in self.evaluation.broken}
        self._holding: dict[str, list[Package]] = defaultdict(list)  # community → its packages
        for p in plan.packages:
            for m in p.members:
                self._holding[m].append(p)
        self._firm_rows = {f.firm_id: f for f in self.evaluation.firms}
        self._firm_position = {f.id: k for k, f in enumerate(instance.firms)}
        self._position = {c.id: k for k, c in enumerate(instance.communities)}
        self._covered = frozenset(self.evaluation.covered)
        self._fallbacks: dict[tuple[frozenset[str], frozenset[str]], float] = {}
        self._alone: dict[tuple[str, ...], float] = {}  # members → fallback of the rest

    # -- the hub of a package that lost its own, or changed firm ------------------------------
    def best_hub(self, package: Package) -> Package:
        """:meth:`FullScoring.best_hub`: the plan of one package differs between hubs only in
        its package's own rules and figures (its members, firm and resources stay), so those
        decide, with the objective the one-package plan would have."""
        rest = self._alone.get(package.members)
        if rest is None:
            inside = set(package.members)
            outside = [c for c in self.instance.communities if c.id not in inside]
            rest = self._alone[package.members] = fallback_cost(self.instance, outside)
        best: tuple[tuple[int, float], Package] | None = None
        for hub in package.members:
            candidate = replace(package, hub_id=hub)
            score = self.scorer.package(candidate)
            m = score.metrics
            # sum() of one subsidy and of one cost, as evaluate() sums a one-package plan.
            public_money = sum((m.subsidy,)) + rest
            key = (len(score.broken), objective_value(self.instance, public_money, sum((m.cost,))))
            if best is None or key < best[0]:
                best = (key, candidate)
        assert best is not None
        return best[1]

    def subsidy_without(self, plan: Plan, package_id: str) -> float:
        rest = next((p for p in plan.packages if p.id == package_id), None)
        return self.scorer.package(rest).metrics.subsidy if rest is not None else 0.0

    # -- one alternative ----------------------------------------------------------------------
    def change(self, plan: Plan) -> ChangeScore:
        kept = {id(p) for p in plan.packages}
        added = [p for p in plan.packages if id(p) not in self._metrics]
        removed = [p for p in self.plan.packages if id(p) not in kept]
        metrics = [self._metrics.get(id(p)) or self.scorer.package(p).metrics
                   for p in plan.packages]  # fmt: skip
        touched = {m for p in (*added, *removed) for m in p.members}
        holding = {c: self._still_holding(c, kept, added) for c in touched}
        public_money = sum(m.subsidy for m in metrics) + self._fallback(holding)
        total_cost = sum(m.cost for m in metrics)
        broken = [
            *self._membership(plan, holding),
            *(v for p in added for v in self.scorer.package(p).broken),
            # Only a resource of an added package can be shared anew (removing shares nothing).
            *(resource_sharing_violations(plan) if any(p.resources for p in added) else ()),
            *self._firms(added, removed),
            *lock_violations(
                [lk for lk in self.instance.locks if lk.community_id in holding],
                {c: {p.firm_id for p in held} for c, held in holding.items()},
            ),
        ]
        return ChangeScore(
            objective_value(self.instance, public_money, total_cost),
            public_money,
            tuple(v for v in broken if (v.rule, v.subject) not in self._seen),
        )

    def _still_holding(self, cid: str, kept: set[int], added: Sequence[Package]) -> list[Package]:
        """The packages of the alternative that hold ``cid``."""
        held = [p for p in self._holding.get(cid, ()) if id(p) in kept]
        return held + [p for p in added if cid in p.members]

    def _fallback(self, holding: dict[str, list[Package]]) -> float:
        """evaluate()'s fallback: summed over every uncovered community, in instance order."""
        lost = frozenset(c for c, held in holding.items() if not held and c in self._covered)
        won = frozenset(c for c, held in holding.items() if held and c not in self._covered)
        if not lost and not won:
            return self.evaluation.fallback_cost
        key = (lost, won)
        if key not in self._fallbacks:
            ids = (set(self.evaluation.uncovered) | lost) - won
            uncovered: list[Community] = [
                self.instance.communities[k] for k in sorted(self._position[c] for c in ids)
            ]
            self._fallbacks[key] = fallback_cost(self.instance, uncovered)
        return self._fallbacks[key]

    def _membership(self, plan: Plan, holding: dict[str, list[Package]]) -> list[Violation]:
        """one_package and coverage for the alternative: only a touched community can break
        them anew; where one does, the rules run over the whole plan (their order is the plan's)."""
        shared = any(len(held) > 1 for held in holding.values())
        lost = not self.instance.policy.allow_uncovered and any(
            not held for held in holding.values()
        )
        if not shared and not lost:
            return []
        return list(membership_violations(self.instance, community_packages(plan)))

    def _firms(self, added: list[Package], removed: list[Package]) -> list[Violation]:
        """firm_capacity and firm_max_packages of the firms whose packages changed."""
        load: dict[str, list[int]] = {}
        for m in (self._metrics[id(p)] for p in removed):
            row = load.setdefault(m.firm_id, [0, 0])
            row[0] -= 1
            row[1] -= m.households
        for m in (self.scorer.package(p).metrics for p in added):
            row = load.setdefault(m.firm_id, [0, 0])
            row[0] += 1
            row[1] += m.households
        rows = []
        for fid in sorted(load, key=self._firm_position.__getitem__):  # evaluate()'s order
            was, (packages, households) = self._firm_rows[fid], load[fid]
            firm = self.instance.firm(fid)
            rows.append(firm_load(firm, was.packages + packages, was.households + households))
        return list(firm_violations(rows))
