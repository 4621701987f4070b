"""Which rules cannot hold together: a minimal conflicting set of rule groups.

A compact CP-SAT feasibility model (no costs) of the whole rule set, in which every rule group
is switched on by its own assumption literal. When CP-SAT proves the model infeasible,
``SufficientAssumptionsForInfeasibility`` names a subset of the groups that is already
infeasible; deletion filtering (drop a group, re-solve, keep it dropped if still infeasible)
shrinks that to a minimal set. The groups are the contract's rules, so the answer reads like
"coverage (allow_uncovered = false) + firm F1's max_packages = 1 + one street per package".

Variables: ``a[i,h]`` community i is served from hub h; ``y[h,f]`` hub h is run by firm f;
``z[i,h,f]`` = a[i,h] ∧ y[h,f]. Contiguity is the single-commodity flow toward each hub.
The model grows as n², so it is built only for instances up to ``MAX_COMMUNITIES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from sharedprop.data import Instance
from sharedprop.geo import point_distance

MAX_COMMUNITIES = 60


@dataclass(frozen=True)
class RuleGroup:
    key: str
    words: str


def _groups(instance: Instance) -> list[RuleGroup]:
    pol = instance.policy
    g = []
    if not pol.allow_uncovered:
        g.append(RuleGroup("coverage", "every community must be covered (allow_uncovered = false)"))
    total = instance.total_households
    if pol.required_households(total) > 0:
        g.append(
            RuleGroup(
                "min_coverage",
                f"packages hold at least {pol.required_households(total):,} of {total:,} "
                f"households (min_coverage = {pol.min_coverage:g})",
            )
        )
    if pol.package_max_households is not None:
        g.append(
            RuleGroup(
                "package_max_households",
                f"a package holds at most {pol.package_max_households} households",
            )
        )
    if pol.package_min_households > 0:
        g.append(
            RuleGroup(
                "package_min_households",
                f"a package holds at least {pol.package_min_households} households",
            )
        )
    if pol.package_max_radius_m is not None:
        g.append(
            RuleGroup(
                "package_radius",
                f"members lie within {pol.package_max_radius_m:,.0f} m of their hub",
            )
        )
    if pol.require_contiguity:
        g.append(RuleGroup("contiguity", "a package is connected in the proximity graph"))
    if not pol.cross_streets:
        g.append(RuleGroup("one_street", "a package stays in one street (cross_streets = false)"))
    for f in instance.firms:
        g.append(
            RuleGroup(
                f"capacity:{f.id}",
                f"firm {f.id} ({f.name}) takes at most {f.capacity_households} households",
            )
        )
        g.append(
            RuleGroup(
                f"max_packages:{f.id}",
                f"firm {f.id} ({f.name}) runs at most {f.max_packages} packages",
            )
        )
        g.append(
            RuleGroup(
                f"service_radius:{f.id}",
                f"firm {f.id}'s hubs lie within its service radius of {f.service_radius_m:,.0f} m",
            )
        )
    for lk in instance.locks:
        g.append(
            RuleGroup(
                f"lock:{lk.community_id}:{lk.firm_id}:{lk.rule}",
                f"lock: community {lk.community_id} {'must' if lk.rule == 'must' else 'must not'} "
                f"be served by firm {lk.firm_id}",
            )
        )
    return g


def minimal_conflict(instance: Instance, *, time_limit: float = 30.0) -> list[str]:
    """Sentences naming a minimal set of rules that no plan can satisfy together.

    Returns an empty list when the model finds the rules satisfiable (the solver then simply
    ran out of time) and a one-line explanation when the instance is too large to analyse.
    """
    n = len(instance.communities)
    if n > MAX_COMMUNITIES:
        return [
            f"no plan was found; the instance has {n} communities, more than the "
            f"{MAX_COMMUNITIES} the rule-conflict analysis handles — try solving street by street"
        ]
    groups = _groups(instance)
    if not groups:
        return []
    model, lits = _build(instance, groups)
    keys = list(lits)

    def infeasible(active: list[str], limit: float) -> tuple[bool, list[str]]:
        m = model.clone()
        m.ClearAssumptions()
        m.AddAssumptions([lits[k] for k in active])
        s = cp_model.CpSolver()
        # OR-Tools would install its own SIGINT handler and reset ours after each solve;
        # the CLI's handler must survive so Ctrl-C keeps the best plan.
        s.parameters.catch_sigint_signal = False
        s.parameters.max_time_in_seconds = max(0.2, limit)
        s.parameters.num_workers = 1
        st = s.Solve(m)
        if st != cp_model.INFEASIBLE:
            return False, []
        core_idx = set(s.SufficientAssumptionsForInfeasibility())
        core = [k for k in active if lits[k].Index() in core_idx]
        return True, core or active

    ok, core = infeasible(keys, time_limit / 2)
    if not ok:
        return []
    # deletion filter: a group stays only if the rest is satisfiable without it
    per = max(0.2, time_limit / 2 / max(1, len(core)))
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1 :]
        still, smaller = infeasible(trial, per) if trial else (False, [])
        if still:
            core = [k for k in trial if k in smaller] if smaller else trial
        else:
            i += 1
    words = {g.key: g.words for g in groups}
    return [
        "no plan can satisfy these rules together (a minimal conflicting set):",
        *[f"  {words[k]}" for k in core],
    ]


def _build(instance: Instance, groups: list[RuleGroup]) -> tuple[cp_model.CpModel, dict]:
    comms, firms = instance.communities, instance.firms
    pol = instance.policy
    n, m = len(comms), len(firms)
    kind = instance.distance
    model = cp_model.CpModel()
    lits = {g.key: model.NewBoolVar(g.key) for g in groups}
    hh = [c.households for c in comms]
    a = [[model.NewBoolVar("") for _ in range(n)] for _ in range(n)]
    y = [[model.NewBoolVar("") for _ in range(m)] for _ in range(n)]
    z = [[[model.NewBoolVar("") for _ in range(m)] for _ in range(n)] for _ in range(n)]
    open_h = [model.NewBoolVar("") for _ in range(n)]
    for h in range(n):
        model.Add(sum(y[h]) == open_h[h])
        model.Add(a[h][h] == open_h[h])  # the hub is a member of its own package
        for i in range(n):
            model.AddImplication(a[i][h], open_h[h])
            for f in range(m):
                model.AddBoolAnd([a[i][h], y[h][f]]).OnlyEnforceIf(z[i][h][f])
                model.AddBoolOr([a[i][h].Not(), y[h][f].Not(), z[i][h][f]])
    for i in range(n):
        model.Add(sum(a[i][h] for h in range(n)) <= 1)
        if "coverage" in lits:
            model.Add(sum(a[i][h] for h in range(n)) == 1).OnlyEnforceIf(lits["coverage"])
    if "min_coverage" in lits:
        covered = sum(hh[i] * a[i][h] for i in range(n) for h in range(n))
        need = pol.required_households(sum(hh))
        model.Add(covered >= need).OnlyEnforceIf(lits["min_coverage"])
    d = [[point_distance(kind, ci.lon, ci.lat, cj.lon, cj.lat) for cj in comms] for ci in comms]
    for h in range(n):
        load = sum(hh[i] * a[i][h] for i in range(n))
        if "package_max_households" in lits:
            model.Add(load <= int(pol.package_max_households)).OnlyEnforceIf(
                lits["package_max_households"]
            )
        if "package_min_households" in lits:
            model.Add(load >= int(pol.package_min_households)).OnlyEnforceIf(
                [lits["package_min_households"], open_h[h]]
            )
        for i in range(n):
            if "package_radius" in lits and d[i][h] > pol.package_max_radius_m:
                model.AddImplication(lits["package_radius"], a[i][h].Not())
            if "one_street" in lits and comms[i].street != comms[h].street:
                model.AddImplication(lits["one_street"], a[i][h].Not())
    for f, firm in enumerate(firms):
        model.Add(
            sum(hh[i] * z[i][h][f] for i in range(n) for h in range(n)) <= firm.capacity_households
        ).OnlyEnforceIf(lits[f"capacity:{firm.id}"])
        model.Add(sum(y[h][f] for h in range(n)) <= firm.max_packages).OnlyEnforceIf(
            lits[f"max_packages:{firm.id}"]
        )
        for h, c in enumerate(comms):
            if point_distance(kind, firm.lon, firm.lat, c.lon, c.lat) > firm.service_radius_m:
                model.AddImplication(lits[f"service_radius:{firm.id}"], y[h][f].Not())
    cidx, fidx = instance.community_index, instance.firm_index
    for lk in instance.locks:
        i, f = cidx[lk.community_id], fidx[lk.firm_id]
        served = sum(z[i][h][f] for h in range(n))
        lit = lits[f"lock:{lk.community_id}:{lk.firm_id}:{lk.rule}"]
        model.Add(served == (1 if lk.rule == "must" else 0)).OnlyEnforceIf(lit)
    if "contiguity" in lits:
        edges = [(cidx[u], cidx[v]) for u, v in instance.graph.edges() if u != v]
        arcs = edges + [(v, u) for u, v in edges]
        for h in range(n):
            flow = {(u, v): model.NewIntVar(0, n, "") for u, v in arcs if u != h}
            for (u, v), g in flow.items():
                model.Add(g <= n * a[u][h])
                model.Add(g <= n * a[v][h])
            for u in range(n):
                if u == h:
                    continue
                out_f = [g for (s_, _), g in flow.items() if s_ == u]
                in_f = [g for (_, t), g in flow.items() if t == u]
                model.Add(sum(out_f) - sum(in_f) == a[u][h]).OnlyEnforceIf(lits["contiguity"])
    return model, lits


def explain_infeasible(instance: Instance, *, time_limit: float = 30.0) -> list[str]:
    """Name a minimal set of rule groups that cannot all hold (CP-SAT assumptions)."""
    return minimal_conflict(instance, time_limit=time_limit)
