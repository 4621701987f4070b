"""Region search: a region cut out of a plan is a faithful problem of its own, and re-solving
regions never loses a rule or money.

Fixture: the shipped xiamen-pilot instance (29 communities, 8 firms, resources) with its manual
plan (``sharedprop.manual.manual_plan``) mapped onto the solver's options (the ``pilot`` fixture
of tests/models/conftest.py).
"""

import numpy as np
import pytest

from sharedprop import evaluate
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import make_column, plan_objective
from sharedprop.models.core.run import RunContext
from sharedprop.models.decompose.regions import grow_region, improve_by_regions, restrict
from sharedprop.solver import columns_to_plan

# A wall-clock limit that the repeatable (work-limited) searches here never reach.
WALL = 120.0


def test_a_region_keeps_only_what_the_packages_outside_it_leave_free(pilot) -> None:
    _, p, _, cols = pilot
    region = set(cols[0].members) | set(cols[1].members)
    outside = cols[2:]
    sub = restrict(p, region, outside)
    for f in range(p.m):
        used = [c for c in outside if p.options[c.option].firm == f]
        assert sub.problem.firm_capacity[f] == max(
            0, p.firm_capacity[f] - sum(c.weight for c in used)
        )
        assert sub.problem.firm_max_packages[f] == max(0, p.firm_max_packages[f] - len(used))
    taken = {r for c in outside for r in c.resources}
    for so, o in zip(sub.problem.options, sub.option, strict=True):
        assert int(sub.community[so.hub]) == p.options[o].hub
        assert set(sub.community[so.candidates]) <= region
        assert not taken & set(int(r) for r in so.resources)


def test_a_package_of_the_region_maps_back_with_the_same_money(pilot) -> None:
    _, p, _, cols = pilot
    region = grow_region(p, cols, cols[0].members[0], 8)
    inside = [c for c in cols if set(c.members) <= region]
    sub = restrict(p, region, [c for c in cols if c not in inside])
    local = np.full(p.n, -1)
    local[sub.community] = np.arange(len(sub.community))
    back = {int(o): j for j, o in enumerate(sub.option)}
    for c in inside:
        sc = make_column(sub.problem, back[c.option], local[list(c.members)], c.resources)
        assert abs(sc.objective - c.objective) < 1e-6
        assert sub.to_full(p, sc) == c


def test_regions_hold_whole_packages_and_at_least_the_size_asked(pilot) -> None:
    _, p, _, cols = pilot
    region = grow_region(p, cols, 0, 10)
    assert len(region) >= 10
    for c in cols:
        assert set(c.members) <= region or not set(c.members) & region


def test_region_search_never_loses_money_or_breaks_a_rule_and_repeats_with_one_worker(
    pilot,
) -> None:
    instance, p, maps, cols = pilot
    start = plan_objective(p, cols)
    repeatable = RunContext(time_limit=WALL, work_limit=1.5, workers=1, seed=3)
    runs = [improve_by_regions(p, cols, repeatable, size=10, region_time=0.7) for _ in range(2)]
    assert runs[0].objective <= start + 1e-6
    assert runs[0].columns == runs[1].columns
    ev = evaluate(instance, columns_to_plan(p, maps, instance, runs[0].columns))
    assert not ev.broken
    assert abs(ev.objective - runs[0].objective) < 0.5


def test_a_region_proven_early_is_charged_only_the_work_it_did(pilot) -> None:
    """Small regions of the pilot are solved (and mostly proven) well inside their second, so
    a one-worker region search charges less than a full second per region."""
    _, p, _, cols = pilot
    clock = Clock(deterministic=True)
    repeatable = RunContext(time_limit=WALL, work_limit=4.0, workers=1, seed=1)
    out = improve_by_regions(p, cols, repeatable, size=4, region_time=1.0, clock=clock)
    assert out.regions >= 2
    assert clock.now() < 0.9 * out.regions * 1.0


@pytest.mark.parametrize("centre", [0, 11, 23])
def test_a_region_solved_without_the_hub_matching_bound_reaches_the_same_proven_optimum(
    pilot, centre: int
) -> None:
    """Region search solves its regions without the hub-matching bound (faster, see
    docs/formulation.md); the bound is only ever a help to the proof, so both solves of a small
    region must prove the same optimum, and neither may claim a bound above it."""
    from sharedprop.models.colgen.joint import solve_joint
    from sharedprop.models.decompose.regions import cut_out

    _, p, _, cols = pilot
    sub, warm, _ = cut_out(p, cols, grow_region(p, cols, centre, 8))
    runs = [
        solve_joint(
            sub.problem,
            time_limit=10.0,
            workers=1,
            seed=0,
            initial=[warm],
            exact_pricing=False,
            table_pool=0,
            hub_matching=matching,
        )
        for matching in (True, False)
    ]
    assert [r.status for r in runs] == ["optimal", "optimal"]
    assert runs[1].objective == pytest.approx(runs[0].objective, abs=1e-6)
    for r in runs:
        assert r.bound <= r.objective + 1e-6


def test_a_short_region_solve_enumerates_no_more_packages_than_its_time_can_use(pilot) -> None:
    """The ten-community region around community 0 of the pilot's manual plan has more than a
    thousand packages within its gap. A 0.7-s one-worker solve must cap its enumeration at what
    0.7 s can cost (it once made 60,000 packages and spent 5 s of wall on them) and end within
    its work budget, the same way twice."""
    import re

    from sharedprop.models.colgen.joint import ENUMERATED_SECONDS_PER_PACKAGE, solve_joint
    from sharedprop.models.decompose.regions import cut_out

    _, p, _, cols = pilot
    sub, warm, _ = cut_out(p, cols, grow_region(p, cols, 0, 10))
    runs = [
        solve_joint(sub.problem, time_limit=0.7, workers=1, seed=0, initial=[warm])
        for _ in range(2)
    ]
    capped = re.fullmatch(r"more than (\d+) packages within the gap", runs[0].stats["enumeration"])
    assert capped is not None
    assert 0 < int(capped.group(1)) <= 0.7 / ENUMERATED_SECONDS_PER_PACKAGE
    assert runs[0].stats["work"] <= 0.7 + 0.05
    assert runs[1].stats["work"] == runs[0].stats["work"]
    assert runs[1].columns == runs[0].columns
