"""The array problem: every package option as the full community × community distance matrix
would give it, on random instances drawn with every policy switch, in both distance kinds."""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedprop.data import Community, Firm, Instance, Policy, Resource
from sharedprop.geo import distance_matrix
from sharedprop.io.instances import load_instance
from sharedprop.models.core.problem import Problem, problem_from_instance
from tests.models.tiny_instances import instances


def _dense_options(inst: Instance) -> list[tuple]:
    """(firm, hub, fixed, candidates, member costs, resources) from full distance matrices."""
    c, f, r = inst.communities, inst.firms, inst.resources
    pol, kind = inst.policy, inst.distance

    def xy(items):
        return np.array([x.lon for x in items]), np.array([x.lat for x in items])

    d_cc = distance_matrix(kind, *xy(c), *xy(c))
    d_fc = distance_matrix(kind, *xy(f), *xy(c))
    d_rc = distance_matrix(kind, *xy(r), *xy(c)) if r else np.zeros((0, len(c)))
    forbid = {(lk.community_id, lk.firm_id) for lk in inst.locks if lk.rule == "forbid"}
    must: dict[str, set[str]] = {}
    for lk in inst.locks:
        if lk.rule == "must":
            must.setdefault(lk.community_id, set()).add(lk.firm_id)

    def allowed(fi: int, ci: int) -> bool:
        cid, fid = c[ci].id, f[fi].id
        firms = must.get(cid)
        return (cid, fid) not in forbid and (firms is None or firms == {fid})

    def fits(ci: int) -> bool:
        return pol.package_max_households is None or c[ci].households <= pol.package_max_households

    out = []
    for fi, firm in enumerate(f):
        if firm.max_packages <= 0 or firm.capacity_households <= 0:
            continue
        for h in range(len(c)):
            if d_fc[fi, h] > firm.service_radius_m or not allowed(fi, h) or not fits(h):
                continue
            cand = [
                i
                for i in range(len(c))
                if (pol.package_max_radius_m is None or d_cc[i, h] <= pol.package_max_radius_m)
                and (pol.cross_streets or c[i].street == c[h].street)
                and allowed(fi, i)
                and fits(i)
            ]
            cost = [
                firm.cost_per_household * c[i].households
                + firm.travel_cost_per_km * d_cc[i, h] / 1000.0
                for i in cand
            ]
            fixed = firm.package_fixed_cost + firm.travel_cost_per_km * d_fc[fi, h] / 1000.0
            res = [k for k in range(len(r)) if d_rc[k, h] <= r[k].max_distance_m]
            out.append((fi, h, fixed, cand, cost, res))
    return out


def _options(inst: Instance) -> list[tuple]:
    problem, _ = problem_from_instance(inst)
    return [
        (
            o.firm,
            o.hub,
            o.fixed,
            o.candidates.tolist(),
            o.member_cost.tolist(),
            o.resources.tolist(),
        )
        for o in problem.options
    ]


@settings(max_examples=30, deadline=None)
@given(inst=instances(), radius=st.sampled_from(["drawn", "none", "zero"]))
def test_options_are_those_of_the_full_distance_matrix(inst: Instance, radius: str) -> None:
    if radius != "drawn":
        limit = None if radius == "none" else 0.0
        inst = replace(inst, policy=replace(inst.policy, package_max_radius_m=limit))
    assert _options(inst) == _dense_options(inst)


def test_options_are_those_of_the_full_distance_matrix_on_the_sphere() -> None:
    """Haversine distances on a Xiamen-sized cloud, with radii that cut through it."""
    rng = np.random.default_rng(7)
    inst = _spherical(rng)
    for radius in (150.0, 400.0, None):
        for cross in (False, True):
            policy = replace(inst.policy, package_max_radius_m=radius, cross_streets=cross)
            v = replace(inst, policy=policy)
            assert _options(v) == _dense_options(v)


def _spherical(rng: np.random.Generator) -> Instance:
    comms = tuple(
        Community(
            f"C{i:02d}", "", f"S{i % 3}", "N", 118.1 + rng.normal(0, 0.004),
            24.48 + rng.normal(0, 0.004), int(rng.integers(12, 300)), 3000.0, 0.5, 0.6,
        )
        for i in range(40)
    )  # fmt: skip
    firms = tuple(
        Firm(f"F{k}", "", 118.1 + rng.normal(0, 0.004), 24.48 + rng.normal(0, 0.004),
             5000, 5, float(rng.uniform(300, 900)), 100_000, 300, 3000, 0.05)
        for k in range(4)
    )  # fmt: skip
    res = tuple(
        Resource(f"R{k}", "", "parking", 118.1 + rng.normal(0, 0.004),
                 24.48 + rng.normal(0, 0.004), 50_000, float(rng.uniform(100, 600)))
        for k in range(5)
    )  # fmt: skip
    return Instance("sphere", comms, firms, res, policy=Policy(package_max_households=400))


@settings(max_examples=15, deadline=None)
@given(inst=instances())
def test_a_problem_comes_back_from_pickle_with_every_option_and_array(inst: Instance) -> None:
    problem, _ = problem_from_instance(inst)
    back = pickle.loads(pickle.dumps(problem))
    assert _as_lists(back) == _as_lists(problem)
    assert [o.candidates.dtype for o in back.options] == [
        o.candidates.dtype for o in problem.options
    ]


def _as_lists(problem: Problem) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in fields(problem):
        value = getattr(problem, f.name)
        if f.name == "options":
            value = [
                (o.firm, o.hub, o.fixed, o.candidates.tolist(), o.member_cost.tolist(), o.margin,
                 o.resources.tolist())
                for o in value
            ]  # fmt: skip
        elif f.name == "adjacency" and value is not None:
            value = [a.tolist() for a in value]
        elif isinstance(value, np.ndarray):
            value = (value.dtype.str, value.tolist())
        out[f.name] = value
    return out


def _pilot_with_floor(floor: float) -> Instance:
    inst = load_instance(Path(__file__).parents[3] / "instances" / "xiamen-pilot")
    return replace(inst, policy=replace(inst.policy, min_coverage=floor))


def test_a_community_larger_than_what_the_floor_leaves_uncovered_must_be_covered() -> None:
    inst = _pilot_with_floor(0.95)
    p = problem_from_instance(inst)[0]
    slack = int(p.weight.sum()) - p.min_covered_weight
    assert p.min_covered_weight == inst.policy.required_households(inst.total_households)
    assert np.array_equal(p.must_cover, p.weight > slack)
    assert p.must_cover.any() and not p.must_cover.all()


def test_a_floor_of_every_household_becomes_must_cover_without_its_row() -> None:
    p = problem_from_instance(_pilot_with_floor(1.0))[0]
    assert p.must_cover.all() and p.min_covered_weight == 0
