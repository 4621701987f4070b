"""The array-level problem the optimisation layer sees: no files, no pandas, no ids.

A *package option* is a (firm, hub) pair a package may be built on: it carries the option's fixed
cost, the cost each candidate member adds, and which members and resources are allowed at all
(radius, street, service radius, locks). Everything the optimiser needs to price a package is
here, so the same column-generation machinery solves the street-office problem and the standard
facility-location benchmarks (where the hub is a facility site, not a member).

Costs follow the contract (``DESIGN.md``) for an option (f, h):

    cost(S)    = fixed_o + Σ_{i∈S} member_cost_o[i]
                 fixed_o = f.package_fixed_cost + f.travel_cost_per_km · d(f, h) / 1000
                 member_cost_o[i] = f.cost_per_household · households_i + f.travel_cost_per_km ·
                 d(i, h) / 1000
    revenue    = Σ_{i∈S} fee_revenue_i + Σ_{r∈R} income_r
    subsidy    = max(0, (1 + margin_f) · cost − revenue)
    objective  = w_pm · subsidy + w_tc · cost            (per package)
               + w_pm · uncovered_cost_i                 (per community in no package)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from sharedprop.data import Instance
from sharedprop.geo import distance_matrix
from sharedprop.graph import pairs_within, point_distances


@dataclass(frozen=True)
class PackageOption:
    """A (firm, hub) pair a package can be built on."""

    firm: int
    hub: int  # community index that must be a member; -1 = a site that is not a member
    fixed: float
    candidates: np.ndarray  # community indices allowed in the package (hub included)
    member_cost: np.ndarray  # cost each candidate adds, aligned with ``candidates``
    margin: float
    resources: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class Problem:
    """The optimisation view of one instance (or of a standard benchmark)."""

    weight: np.ndarray  # households per community (int)
    revenue: np.ndarray  # fee revenue per community, yuan/yr
    uncovered_cost: np.ndarray  # public money if the community is in no package (yuan/yr)
    must_cover: np.ndarray  # bool: the community must be in a package
    firm_capacity: np.ndarray  # int
    firm_max_packages: np.ndarray  # int
    options: tuple[PackageOption, ...]
    resource_income: np.ndarray = field(default_factory=lambda: np.zeros(0))
    package_max_weight: int | None = None
    package_min_weight: int = 0
    adjacency: tuple[np.ndarray, ...] | None = None  # None = no contiguity rule
    w_public_money: float = 1.0
    w_total_cost: float = 0.0
    street: np.ndarray | None = None  # int code per community, for decomposition and reports
    # Households the packages must hold together (the policy's min_coverage; 0: no floor).
    min_covered_weight: int = 0

    @property
    def n(self) -> int:
        return len(self.weight)

    @property
    def m(self) -> int:
        return len(self.firm_capacity)

    @property
    def k(self) -> int:
        return len(self.resource_income)

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to every worker of an executor: as a few flat arrays, since one small array per
        # option and per community pickles many times slower (docs/decisions.md).
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state["options"] = _pack_options(state["options"])
        state["adjacency"] = _pack_arrays(state["adjacency"])
        return (_restore_problem, (state,))

    def column_cost(self, o: int, members: tuple[int, ...]) -> float:
        opt = self.options[o]
        pos = np.searchsorted(opt.candidates, members)
        return float(opt.fixed + opt.member_cost[pos].sum())

    def column_value(
        self, o: int, members: tuple[int, ...], resources: tuple[int, ...] = ()
    ) -> tuple[float, float, float]:
        """(objective, cost, subsidy) of a package: the solver's own costing, in yuan."""
        opt = self.options[o]
        cost = self.column_cost(o, members)
        rev = float(self.revenue[list(members)].sum()) + float(
            self.resource_income[list(resources)].sum() if resources else 0.0
        )
        subsidy = max(0.0, (1.0 + opt.margin) * cost - rev)
        return self.w_public_money * subsidy + self.w_total_cost * cost, cost, subsidy


def _pack_arrays(arrays: tuple[np.ndarray, ...] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Equal-dtype arrays as (offsets, concatenation); ``None`` stays ``None``."""
    if arrays is None:
        return None
    ends = np.cumsum([len(a) for a in arrays], dtype=np.int64)
    flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], ends]).astype(np.int64), flat


def _unpack_arrays(packed: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, ...] | None:
    if packed is None:
        return None
    ptr, flat = packed
    bounds = ptr.tolist()
    return tuple(flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True))


def _pack_options(options: tuple[PackageOption, ...]) -> dict[str, Any]:
    return {
        "firm": np.array([o.firm for o in options], dtype=np.int64),
        "hub": np.array([o.hub for o in options], dtype=np.int64),
        "fixed": np.array([o.fixed for o in options], dtype=float),
        "margin": np.array([o.margin for o in options], dtype=float),
        "candidates": _pack_arrays(tuple(o.candidates for o in options)),
        "member_cost": _pack_arrays(tuple(o.member_cost for o in options)),
        "resources": _pack_arrays(tuple(o.resources for o in options)),
    }


def _unpack_options(packed: dict[str, Any]) -> tuple[PackageOption, ...]:
    cand = _unpack_arrays(packed["candidates"]) or ()
    cost = _unpack_arrays(packed["member_cost"]) or ()
    res = _unpack_arrays(packed["resources"]) or ()
    return tuple(
        PackageOption(firm=f, hub=h, fixed=fx, candidates=c, member_cost=mc, margin=mg, resources=r)
        for f, h, fx, mg, c, mc, r in zip(
            packed["firm"].tolist(),
            packed["hub"].tolist(),
            packed["fixed"].tolist(),
            packed["margin"].tolist(),
            cand,
            cost,
            res,
            strict=True,
        )
    )


def _restore_problem(state: dict[str, Any]) -> Problem:
    state = dict(state)
    state["options"] = _unpack_options(state["options"])
    state["adjacency"] = _unpack_arrays(state["adjacency"])
    return Problem(**state)


def is_connected(adjacency: tuple[np.ndarray, ...] | None, members) -> bool:
    """Do ``members`` induce a connected subgraph (always true without a contiguity rule)?"""
    members = set(int(i) for i in members)
    if adjacency is None or len(members) <= 1:
        return True
    start = next(iter(members))
    seen, stack = {start}, [start]
    while stack:
        # tolist() gives plain ints at once: converting numpy scalars one by one made this
        # check 3x slower (timed on the packages of a 120-community plan).
        for b in adjacency[stack.pop()].tolist():
            if b in members and b not in seen:
                seen.add(b)
                stack.append(b)
    return len(seen) == len(members)


@dataclass(frozen=True)
class InstanceMaps:
    """How the arrays map back to the instance's ids, with the firm and resource distances.

    There is no community × community matrix: at 10,000 communities it would take 800 MB.
    """

    community_ids: tuple[str, ...]
    firm_ids: tuple[str, ...]
    resource_ids: tuple[str, ...]
    d_fc: np.ndarray  # firm × community, metres
    d_rc: np.ndarray  # resource × community, metres


def _coords(items) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([it.lon for it in items], dtype=float),
        np.array([it.lat for it in items], dtype=float),
    )


@dataclass(frozen=True)
class _HubReach:
    """For each community as a hub: who may join it, how far each is, which resources reach it.

    Hub h's members are ``member[start[h]:start[h + 1]]``: the communities within
    ``package_max_radius_m`` of h (in h's street unless packages may cross streets), h included,
    in increasing index, with their distances to h in ``distance``. Neighbours come from a
    spatial index, so this grows with the communities times the members per hub, not with the
    square of the communities.
    """

    start: np.ndarray
    member: np.ndarray
    distance: np.ndarray
    resources: list[np.ndarray]

    def segments(self, hubs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``member`` of the members of ``hubs``, one block per hub, and the
        blocks' lengths."""
        lengths = self.start[hubs + 1] - self.start[hubs]
        ends = np.cumsum(lengths)
        shift = np.repeat(self.start[hubs] - (ends - lengths), lengths)
        return np.arange(int(ends[-1]) if len(ends) else 0) + shift, lengths


def _hub_groups(
    instance: Instance, clon: np.ndarray, clat: np.ndarray, street: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(hub, member) index pairs, sorted by hub then member, before the exact radius test."""
    pol, n = instance.policy, len(clon)
    max_r = pol.package_max_radius_m
    if max_r is not None:
        # A slightly wider search; the exact test in _hub_reach is the one the full matrix made.
        i, j, _ = pairs_within(instance.distance, clon, clat, max_r * (1 + 1e-9) + 1e-6)
        if not pol.cross_streets:
            keep = street[i] == street[j]
            i, j = i[keep], j[keep]
        hub = np.concatenate([j, i, np.arange(n)])
        member = np.concatenate([i, j, np.arange(n)])
    elif pol.cross_streets:
        hub, member = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    else:
        order = np.argsort(street, kind="stable")
        bounds = np.searchsorted(street[order], np.arange(int(street.max(initial=-1)) + 2))
        size = np.diff(bounds)[street]
        hub = np.repeat(np.arange(n), size)
        member = np.concatenate(
            [order[bounds[street[h]] : bounds[street[h] + 1]] for h in range(n)]
        )
    order = np.lexsort((member, hub))
    return hub[order], member[order]


def _hub_reach(
    instance: Instance, clon: np.ndarray, clat: np.ndarray, street: np.ndarray, d_rc: np.ndarray
) -> _HubReach:
    n, max_r = len(clon), instance.policy.package_max_radius_m
    hub, member = _hub_groups(instance, clon, clat, street)
    # Distances oriented as the full matrix d[member, hub] was, so costs are bit-identical.
    d = point_distances(instance.distance, clon[member], clat[member], clon[hub], clat[hub])
    if max_r is not None:
        ok = d <= max_r
        hub, member, d = hub[ok], member[ok], d[ok]
    start = np.searchsorted(hub, np.arange(n + 1)).astype(np.int64)
    # A candidate resource (available = false) reaches nothing: no package may bundle it.
    reach = np.array(
        [r.max_distance_m if r.available else -np.inf for r in instance.resources], dtype=float
    )
    resources = [
        np.flatnonzero(d_rc[:, h] <= reach).astype(np.int64)
        if len(reach)
        else np.zeros(0, dtype=np.int64)
        for h in range(n)
    ]
    return _HubReach(start, member.astype(np.int64), d, resources)


def _lock_masks(instance: Instance, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(allowed[f, i]: firm f may serve community i, must_firm[i] or -1) from the locks."""
    cidx, fidx = instance.community_index, instance.firm_index
    allowed = np.ones((m, n), dtype=bool)
    must_firm = np.full(n, -1, dtype=np.int64)
    for lk in instance.locks:
        i, f = cidx[lk.community_id], fidx[lk.firm_id]
        if lk.rule == "forbid":
            allowed[f, i] = False
        else:
            if must_firm[i] >= 0 and must_firm[i] != f:
                allowed[:, i] = False  # two different 'must' firms: nobody can satisfy both
            else:
                must_firm[i] = f
    for i in np.flatnonzero(must_firm >= 0):
        keep = allowed[must_firm[i], i]
        allowed[:, i] = False
        allowed[must_firm[i], i] = keep
    return allowed, must_firm


def _options(
    instance: Instance,
    reach: _HubReach,
    d_fc: np.ndarray,
    allowed: np.ndarray,
    hh: np.ndarray,
) -> list[PackageOption]:
    """Every (firm, hub) option, firm by firm and hub by hub; each firm's in a few array ops."""
    pmax = instance.policy.package_max_households
    fits = hh <= pmax if pmax is not None else np.ones(len(hh), dtype=bool)
    options: list[PackageOption] = []
    for f, firm in enumerate(instance.firms):
        if firm.max_packages <= 0 or firm.capacity_households <= 0:
            continue
        ok = allowed[f] & fits
        hubs = np.flatnonzero((d_fc[f] <= firm.service_radius_m) & ok)
        if not len(hubs):
            continue
        pos, lengths = reach.segments(hubs)
        keep = ok[reach.member[pos]]
        pos = pos[keep]
        cand = reach.member[pos]
        cost = (
            firm.cost_per_household * hh[cand]
            + firm.travel_cost_per_km * reach.distance[pos] / 1000.0
        )
        # Every hub's block holds at least the hub itself, so no block is empty for reduceat.
        kept = np.add.reduceat(keep.astype(np.int64), np.cumsum(lengths) - lengths)
        ends = np.cumsum(kept).tolist()
        fixed = firm.package_fixed_cost + firm.travel_cost_per_km * d_fc[f, hubs] / 1000.0
        begin = 0
        for h, end, fx in zip(hubs.tolist(), ends, fixed.tolist(), strict=True):
            options.append(
                PackageOption(
                    firm=f,
                    hub=h,
                    fixed=fx,
                    candidates=cand[begin:end],
                    member_cost=cost[begin:end],
                    margin=firm.min_margin,
                    resources=reach.resources[h],
                )
            )
            begin = end
    return options


def _adjacency(instance: Instance) -> tuple[np.ndarray, ...]:
    cidx = instance.community_index
    adj: list[list[int]] = [[] for _ in instance.communities]
    for a, b in instance.graph.edges():
        if a == b:
            continue
        ia, ib = cidx[a], cidx[b]
        adj[ia].append(ib)
        adj[ib].append(ia)
    return tuple(np.array(sorted(set(x)), dtype=np.int64) for x in adj)


def problem_from_instance(instance: Instance) -> tuple[Problem, InstanceMaps]:
    """Build the array view of ``instance``: options, candidates, costs, locks, graph.

    Parameters
    ----------
    instance
        A validated instance.

    Returns
    -------
    tuple[Problem, InstanceMaps]
        The problem, and how its indices map back to the instance's ids.
    """
    comms, firms, res = instance.communities, instance.firms, instance.resources
    pol, kind = instance.policy, instance.distance
    n, m, k = len(comms), len(firms), len(res)
    clon, clat = _coords(comms)
    flon, flat = _coords(firms)
    d_fc = distance_matrix(kind, flon, flat, clon, clat) if m else np.zeros((0, n))
    if k:
        rlon, rlat = _coords(res)
        d_rc = distance_matrix(kind, rlon, rlat, clon, clat)
    else:
        d_rc = np.zeros((0, n))

    hh = np.array([c.households for c in comms], dtype=np.int64)
    rev = np.array([c.annual_fee_income for c in comms], dtype=float)
    street_of = {s: code for code, s in enumerate(sorted({c.street for c in comms}))}
    street_code = np.array([street_of[c.street] for c in comms], dtype=np.int64)

    allowed, must_firm = _lock_masks(instance, m, n)
    reach = _hub_reach(instance, clon, clat, street_code, d_rc)
    options = _options(instance, reach, d_fc, allowed, hh)

    must_cover = np.zeros(n, dtype=bool)
    if not pol.allow_uncovered:
        must_cover[:] = True
    must_cover[must_firm >= 0] = True
    required = pol.required_households(int(hh.sum()))
    if required > 0:
        # A community larger than the households the floor lets go uncovered must be in a
        # package: fixing it is the same rule, and far easier for the masters than the row
        # alone (at a floor of 1 it is allow_uncovered = false).
        must_cover[hh > int(hh.sum()) - required] = True
        if int(hh[must_cover].sum()) >= required:
            required = 0  # the communities that must be covered already meet the floor

    problem = Problem(
        weight=hh,
        revenue=rev,
        uncovered_cost=pol.fallback_cost_per_household * hh.astype(float),
        must_cover=must_cover,
        firm_capacity=np.array([f.capacity_households for f in firms], dtype=np.int64),
        firm_max_packages=np.array([f.max_packages for f in firms], dtype=np.int64),
        options=tuple(options),
        resource_income=np.array([r.annual_income for r in res], dtype=float),
        package_max_weight=pol.package_max_households,
        package_min_weight=pol.package_min_households,
        adjacency=_adjacency(instance) if pol.require_contiguity else None,
        w_public_money=instance.objective.weight_public_money,
        w_total_cost=instance.objective.weight_total_cost,
        street=street_code,
        min_covered_weight=required,
    )
    maps = InstanceMaps(
        community_ids=tuple(c.id for c in comms),
        firm_ids=tuple(f.id for f in firms),
        resource_ids=tuple(r.id for r in res),
        d_fc=d_fc,
        d_rc=d_rc,
    )
    return problem, maps


def problem_from_facility_location(
    fixed: np.ndarray, capacity: np.ndarray, demand: np.ndarray, cost: np.ndarray
) -> Problem:
    """The single-source capacitated facility-location problem as a sharedprop problem.

    Facilities become firms that may run one package each, from a site that is not a member
    (hub = -1), with the facility's fixed cost and capacity; customers become communities that
    must be covered, weighted by demand; ``cost[j, i]`` (facility-major) is what customer i adds
    to facility j's package. No margin, no revenue, no contiguity: the joint model's objective is
    then exactly Σ fixed + Σ assignment cost.
    """
    fixed = np.asarray(fixed, dtype=float)
    capacity = np.asarray(capacity, dtype=np.int64)
    demand = np.asarray(demand, dtype=np.int64)
    cost = np.asarray(cost, dtype=float)
    m, n = cost.shape
    allc = np.arange(n, dtype=np.int64)
    options = tuple(
        PackageOption(
            firm=j,
            hub=-1,
            fixed=float(fixed[j]),
            candidates=allc,
            member_cost=cost[j].copy(),
            margin=0.0,
        )
        for j in range(m)
    )
    return Problem(
        weight=demand,
        revenue=np.zeros(n),
        uncovered_cost=np.zeros(n),
        must_cover=np.ones(n, dtype=bool),
        firm_capacity=capacity,
        firm_max_packages=np.ones(m, dtype=np.int64),
        options=options,
    )
