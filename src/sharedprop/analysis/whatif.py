"""Which changes are worth the bureau's effort: candidate resources, a firm leaving, a firm
growing.

Each question compares the instance as it is (the base) with one changed instance. A cheap
estimate ranks every change first, and the most promising are solved in full:

* **a candidate resource made available** (``available = false`` in resources.csv): the
  estimate is what the resource saves when added to the one package of the base plan that
  gains most from it, w_pm · min(income, that package's subsidy), among the packages whose hub
  it reaches. Adding it that way gives a valid plan, so the estimate is a proven *lower bound*
  on what the resource saves against the base plan;
* **a firm leaving** (its locks go with it): the estimate is what the base plan would cost with
  that firm's packages left uncovered, an *upper bound* on the loss when that plan breaks no
  rule (a coverage floor can forbid it: then it is only an estimate);
* **a firm's capacity times k**: ranked by how full the firm is in the base plan (a firm with
  room to spare gains nothing from more), no money estimate.

A full solve gives each chosen change its figure: the base's objective minus the changed
instance's, both from :func:`sharedprop.solve` with the same settings. The changed instance's
solve starts from the base plan changed the way the estimate assumed (:meth:`Change.hint`),
so a resource never shows a saving below its estimate. A figure is *proven* when both solves
are proven optimal; otherwise the true difference lies in the interval the two bounds give,
which is reported with it. With a ``work_limit`` and a seed both solves repeat exactly, so
anyone can check a figure by solving the two instances again (the changed one from the same
hint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from sharedprop.analysis.sweep import (
    Progress,
    ScenarioOutcome,
    ScenarioTask,
    SolveSettings,
    _executor,
    run_scenario,
)
from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, evaluate
from sharedprop.execute import Executor
from sharedprop.plan import Plan

ChangeKind = Literal["resource", "firm_leaves", "firm_capacity"]
EstimateKind = Literal["saving at least", "loss at most", "loss estimate", "capacity used"]


@dataclass(frozen=True)
class Change:
    """One change to the instance, with its cheap estimate."""

    kind: ChangeKind
    subject: str  # the resource or firm id
    label: str
    estimate: float
    estimate_kind: EstimateKind

    def hint(self, instance: Instance, plan: Plan | None) -> Plan | None:
        """The base ``plan`` changed as the estimate assumed: the resource added to the
        package that gains most, the firm's packages dropped; unchanged for more capacity."""
        if plan is None:
            return None
        if self.kind == "firm_leaves":
            return Plan(tuple(p for p in plan.packages if p.firm_id != self.subject), name="hint")
        if self.kind == "resource":
            target = _best_package_for(instance, evaluate(instance, plan), self.subject)
            if target is None:
                return plan
            return Plan(
                tuple(
                    replace(p, resources=(*p.resources, self.subject)) if p.id == target else p
                    for p in plan.packages
                ),
                name="hint",
            )
        return plan

    def apply(self, instance: Instance, capacity_factor: float) -> Instance:
        if self.kind == "resource":
            resources = tuple(
                replace(r, available=True) if r.id == self.subject else r
                for r in instance.resources
            )
            return replace(instance, resources=resources)
        if self.kind == "firm_leaves":
            return replace(
                instance,
                firms=tuple(f for f in instance.firms if f.id != self.subject),
                locks=tuple(lk for lk in instance.locks if lk.firm_id != self.subject),
            )
        firms = tuple(
            replace(f, capacity_households=round(f.capacity_households * capacity_factor))
            if f.id == self.subject
            else f
            for f in instance.firms
        )
        return replace(instance, firms=firms)


@dataclass(frozen=True)
class WhatIf:
    """A change and, when it was solved in full, what it does to the objective."""

    change: Change
    # base objective − changed objective (positive: the change saves money); None: not solved.
    saving: float | None = None
    low: float | None = None  # the true saving lies in [low, high]
    high: float | None = None
    proven: bool = False
    status: str | None = None  # the changed instance's solve

    def row(self) -> dict:
        c = self.change
        return {
            "kind": c.kind,
            "subject": c.subject,
            "change": c.label,
            "estimate": c.estimate,
            "estimate_kind": c.estimate_kind,
            "saving": self.saving,
            "saving_low": self.low,
            "saving_high": self.high,
            "proven": self.proven,
            "status": self.status,
        }


@dataclass(frozen=True)
class WhatIfResult:
    base: Evaluation | None
    base_objective: float | None
    base_bound: float | None
    base_status: str
    items: tuple[WhatIf, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([w.row() for w in self.items])


def _gains(instance: Instance, base: Evaluation, rid: str) -> list[tuple[float, str]]:
    """(what the resource would save there, package id) for every package whose hub it
    reaches."""
    r, w_pm = instance.resource(rid), instance.objective.weight_public_money
    return [
        (w_pm * min(r.annual_income, p.subsidy), p.package_id)
        for p in base.packages
        if instance.distance_m(r, instance.community(p.hub_id)) <= r.max_distance_m
    ]


def _best_package_for(instance: Instance, base: Evaluation, rid: str) -> str | None:
    gains = [g for g in _gains(instance, base, rid) if g[0] > 0]
    return max(gains, key=lambda g: (g[0], g[1]))[1] if gains else None


def _resource_changes(instance: Instance, base: Evaluation | None) -> list[Change]:
    out = []
    for r in instance.resources:
        if r.available:
            continue
        gains = _gains(instance, base, r.id) if base is not None else []
        best = max((g for g, _ in gains), default=0.0)
        label = f"bring in {r.id} ({r.name}, {r.annual_income:,.0f} yuan/yr)"
        out.append(Change("resource", r.id, label, best, "saving at least"))
    return out


def _firm_leave_changes(instance: Instance, base: Evaluation | None, plan: Plan | None) -> list:
    out = []
    for f in instance.firms:
        loss, kind = 0.0, "loss at most"
        if base is not None and plan is not None:
            kept = Plan(tuple(p for p in plan.packages if p.firm_id != f.id), name="without")
            without = evaluate(instance, kept)
            loss = without.objective - base.objective
            if without.broken:
                kind = "loss estimate"
        out.append(Change("firm_leaves", f.id, f"firm {f.id} ({f.name}) leaves", loss, kind))
    return out


def _capacity_changes(instance: Instance, base: Evaluation | None, factor: float) -> list:
    used = {f.firm_id: f.capacity_used for f in base.firms} if base is not None else {}
    return [
        Change(
            "firm_capacity",
            f.id,
            f"firm {f.id} ({f.name}) capacity x{factor:g}",
            float(used.get(f.id, 0.0)),
            "capacity used",
        )
        for f in instance.firms
    ]


def _ranked(changes: list[Change]) -> list[Change]:
    """Most promising first: largest saving or loss or fullest firm; ties by id."""
    return sorted(changes, key=lambda c: (-abs(c.estimate), c.subject))


def whatif(
    instance: Instance,
    *,
    kinds: Sequence[ChangeKind] = ("resource", "firm_leaves", "firm_capacity"),
    exact: int = 3,
    capacity_factor: float = 1.5,
    time_limit: float = 60.0,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int = 2,
    executor: Executor | str | None = None,
    on_progress: Progress | None = None,
) -> WhatIfResult:
    """Rank the changes a bureau could make and solve the most promising of each kind.

    Parameters
    ----------
    instance
        The base instance.
    kinds
        Which questions to ask (module docstring).
    exact
        How many changes of each kind, most promising first, are solved in full.
    capacity_factor
        The capacity multiplier of the "firm capacity" question.
    time_limit, work_limit, seed
        Per solve, as :func:`sharedprop.solve` takes them (each solve runs on one worker).
    workers, executor
        Solves run at once on the local pool, or a Dask scheduler address / an executor.
    on_progress
        Called as each solve ends with (done, total, its outcome).

    Returns
    -------
    WhatIfResult
        The base solve and every change, ranked, with its estimate and (for those solved in
        full) the saving, its proven interval and whether it is proven.
    """
    if not capacity_factor > 0:
        raise ValueError(f"capacity_factor must be > 0, got {capacity_factor!r}")
    unknown = set(kinds) - {"resource", "firm_leaves", "firm_capacity"}
    if unknown:
        raise ValueError(f"unknown what-if kinds: {', '.join(sorted(unknown))}")
    how = SolveSettings(time_limit, work_limit, seed)
    base = run_scenario(instance, ScenarioTask("base", {}, how))
    ranked = {kind: _ranked(_changes(kind, instance, base, capacity_factor)) for kind in kinds}
    chosen = [c for kind in kinds for c in ranked[kind][: max(0, exact)]]
    with _executor(executor, workers) as ex:
        shared = ex.share(instance)
        tasks = [
            ex.submit(run_change, shared, c, capacity_factor, how, c.hint(instance, base.plan))
            for c in chosen
        ]
        solved = {}
        for done, task in enumerate(ex.as_completed(tasks, ordered=ex.workers == 1)):
            change, outcome = task.result()
            solved[(change.kind, change.subject)] = _compare(change, base, outcome)
            if on_progress is not None:
                on_progress(done + 1, len(tasks), outcome)
    items = [solved.get((c.kind, c.subject), WhatIf(c)) for kind in kinds for c in ranked[kind]]
    res = base.result
    return WhatIfResult(base.evaluation, res.objective, res.best_bound, res.status, tuple(items))


def _changes(
    kind: ChangeKind, instance: Instance, base: ScenarioOutcome, factor: float
) -> list[Change]:
    if kind == "resource":
        return _resource_changes(instance, base.evaluation)
    if kind == "firm_leaves":
        return _firm_leave_changes(instance, base.evaluation, base.plan)
    return _capacity_changes(instance, base.evaluation, factor)


def run_change(
    instance: Instance, change: Change, factor: float, how: SolveSettings, hint: Plan | None
) -> tuple[Change, ScenarioOutcome]:
    """Solve the instance with one change from ``hint`` (the task an executor runs)."""
    changed = change.apply(instance, factor)
    return change, run_scenario(changed, ScenarioTask(change.label, {}, how, hint))


def _compare(change: Change, base: ScenarioOutcome, changed: ScenarioOutcome) -> WhatIf:
    """The saving (base − changed) and the interval the two proven bounds leave for it."""
    b, c = base.result, changed.result
    if b.objective is None or c.objective is None:
        return WhatIf(change, status=c.status)
    saving = b.objective - c.objective
    low = None if b.best_bound is None else b.best_bound - c.objective
    high = None if c.best_bound is None else b.objective - c.best_bound
    # A resource or more capacity only relaxes the problem (it saves at least 0); a firm that
    # leaves only restricts it (it saves at most 0).
    if change.kind == "firm_leaves":
        high = 0.0 if high is None else min(high, 0.0)
    else:
        low = 0.0 if low is None else max(low, 0.0)
    proven = b.status == "optimal" and c.status == "optimal"
    return WhatIf(change, saving, low, high, proven, c.status)
