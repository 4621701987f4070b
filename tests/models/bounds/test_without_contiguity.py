"""The bound without contiguity: an exact knapsack, and a bound no plan can beat.

Fixtures: random small knapsacks checked against every subset; random tiny instances
(``tests/models/tiny_instances.py``) checked against exhaustive search
(``tests/models/brute_force.py``, which knows nothing of the models); the shipped
xiamen-pilot instance (proven optimum 563,820 yuan, docs/formulation.md).
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from sharedprop import Instance, load_instance
from sharedprop.generate import generate_instance
from sharedprop.models.bounds import without_contiguity as relaxed_bound
from sharedprop.models.bounds.transport import capacity_bound, capacity_relaxation
from sharedprop.models.bounds.without_contiguity import _Knapsacks, _Pricer, relaxed_lp_bound
from sharedprop.models.colgen.hub_matching import HubMatching
from sharedprop.models.colgen.master import LPMaster
from sharedprop.models.colgen.pricing import exact_price
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.duals import WeightCut
from sharedprop.models.core.problem import problem_from_instance
from tests.models.brute_force import brute_force
from tests.models.tiny_instances import instances

PILOT = Path(__file__).resolve().parents[3] / "instances" / "xiamen-pilot"
PILOT_OPTIMUM = 563_820.0


def test_on_the_pilot_the_bound_converges_between_the_capacity_bound_and_the_optimum() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    bound, stats = relaxed_lp_bound(problem, time_limit=20, branch=False)
    assert stats["converged"]
    assert bound is not None
    assert capacity_bound(problem) <= bound <= PILOT_OPTIMUM


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_no_plan_of_a_tiny_instance_beats_the_bound_from_a_cold_or_a_transport_start(
    instance: Instance,
) -> None:
    best = brute_force(instance).objective
    problem, _ = problem_from_instance(instance)
    relax = capacity_relaxation(problem)
    for start in (None, None if relax is None else relax.duals):
        # the cold start without the firm capacity cuts, the transport start with them
        bound, _ = relaxed_lp_bound(problem, time_limit=5, start=start, weight_cuts=bool(start))
        if best is not None and bound is not None:
            assert bound <= best + 0.01


def test_on_the_pilot_a_start_at_the_transport_duals_converges_to_the_same_lp_optimum() -> None:
    """The start only changes the path: the converged LP value is the LP's optimum."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    _, cold = relaxed_lp_bound(problem, time_limit=20, branch=False)
    start = capacity_relaxation(problem).duals
    _, warm = relaxed_lp_bound(problem, time_limit=20, start=start, branch=False)
    assert cold["converged"] and warm["converged"]
    assert warm["root_bound"] == pytest.approx(cold["root_bound"], abs=1.0)


def test_at_the_transport_duals_the_lagrangian_bound_is_close_to_the_transport_bound() -> None:
    """Pilot: every package's reduced cost at those duals is at least the sum of its members'
    transport reduced costs, so the bound there cannot fall far below the transport LP's
    (it may differ by the per-package rounding of fixed costs, never exceed the optimum)."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    relax = capacity_relaxation(problem)
    start = relax.duals
    q = replace(problem, adjacency=None)
    ks = _Knapsacks(q)
    lb, _ = _Pricer(q, ks, Clock(deterministic=True), per_round=len(q.options)).price(start)
    at_start = HubMatching(q).bound_at(start, np.where(np.isfinite(lb), lb, 0.0))
    assert relax.bound * 0.9 <= at_start <= PILOT_OPTIMUM


def test_on_the_pilot_branching_lifts_the_bound_but_not_past_the_optimum() -> None:
    """The pilot's LP runs a fractional number of packages; fixing the counts (and then the
    options) branch by branch raises the bound on every plan (measured: 498,056 → 509,631
    yuan)."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    bound, stats = relaxed_lp_bound(problem, time_limit=10)
    assert stats["converged"] and stats["nodes"] > 0
    assert bound is not None
    assert stats["root_bound"] + 1_000 < bound <= PILOT_OPTIMUM


def test_on_the_pilot_capacity_cuts_lift_the_converged_lp_but_not_past_the_optimum() -> None:
    """The pilot's LP without contiguity fills its firms with fractions of packages too big
    for their capacity; the cuts of :class:`WeightCut` forbid that (measured: 498,056 →
    506,805 yuan, four cuts)."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    plain, without = relaxed_lp_bound(problem, time_limit=20, branch=False, weight_cuts=False)
    cut, with_cuts = relaxed_lp_bound(problem, time_limit=20, branch=False, weight_cuts=True)
    assert without["converged"] and with_cuts["converged"] and with_cuts["weight_cuts"] > 0
    assert with_cuts["lp_bound"] == pytest.approx(without["root_bound"], abs=1.0)
    assert plain is not None and cut is not None
    assert plain + 1_000 < cut <= PILOT_OPTIMUM


def test_a_stalled_pricing_adds_the_cuts_the_lp_breaks_before_any_exact_pricing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated 30-community street (1 street, 4 firms, 3 resources, seed 4), whose
    λ-pricing stalls on the way to its optimum: when it does, the capacity cuts the LP point
    breaks join the LP first, and CP-SAT's exact pricing starts only once none is broken."""
    folder = generate_instance(
        tmp_path / "street30", communities=30, streets=1, firms=4, resources=3, seed=4
    )
    problem, _ = problem_from_instance(load_instance(folder))
    last: list[tuple[LPMaster, np.ndarray]] = []
    broken_at_exact: list[int] = []
    solve_lp, exact_round = LPMaster.solve, relaxed_bound.exact_round

    def remember(self: LPMaster):
        out = solve_lp(self)
        last[:] = [(self, out[2])]
        return out

    def check(*args, **kwargs):
        lp, values = last[0]
        broken_at_exact.append(len(lp.violated_weight_cuts(values)))
        return exact_round(*args, **kwargs)

    monkeypatch.setattr(LPMaster, "solve", remember)
    monkeypatch.setattr(relaxed_bound, "exact_round", check)
    relax = capacity_relaxation(problem)
    # Counted in work units, so a busy machine cannot cut the convergence short.
    bound, stats = relaxed_lp_bound(
        problem,
        time_limit=20,
        clock=Clock(deterministic=True),
        start=relax.duals,
        branch=False,
        weight_cuts=True,
    )
    assert stats["converged"] and stats["weight_cuts"] > 0
    assert broken_at_exact and not any(broken_at_exact)
    assert bound is not None and bound >= relax.bound - 1.0


def test_without_branching_the_bound_is_the_converged_lp() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    bound, stats = relaxed_lp_bound(problem, time_limit=20, branch=False)
    assert stats["converged"] and stats["nodes"] == 0
    assert bound == stats["root_bound"]


def _singleton_lp() -> tuple[LPMaster, int]:
    """The pilot's master LP over every one-community package (a hub alone, any firm)."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    q = replace(problem, adjacency=None)
    lp = LPMaster(q)
    for o, opt in enumerate(q.options):
        lp.add(make_column(q, o, (opt.hub,)))
    return lp, q.n


def test_count_limits_hold_in_the_lp_and_its_duals_price_every_used_package_at_zero() -> None:
    lp, _ = _singleton_lp()
    free, _, _ = lp.solve()
    for total, firm in (((2, 2), {}), (None, {0: (1, 1)}), ((1, 3), {1: (1, 2)})):
        lp.set_branch(total, firm)
        z, duals, x = lp.solve()
        owner = np.array([lp.problem.options[c.option].firm for c in lp.cols])
        if total is not None:
            assert total[0] - 1e-9 <= x.sum() <= total[1] + 1e-9
        for f, (lo, hi) in firm.items():
            assert lo - 1e-9 <= x[owner == f].sum() <= hi + 1e-9
        assert z >= free - 1e-6  # a limit can only cost
        for j in np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6)):  # basic: strictly inside
            assert duals.reduced_cost(lp.problem, lp.cols[j]) == pytest.approx(0.0, abs=1e-4)


def test_an_option_branch_leaves_the_option_out_or_uses_it_and_prices_it_in_the_duals() -> None:
    lp, _ = _singleton_lp()
    _, _, x = lp.solve()
    option = np.array([c.option for c in lp.cols])
    used = int(option[np.argmax(x)])  # an option the free LP uses
    unused = int(option[np.argmin(x)])  # and one it does not
    lp.set_branch(None, {}, {used: 0, unused: 1})
    _, duals, x = lp.solve()
    assert x[option == used].sum() == pytest.approx(0.0, abs=1e-9)
    assert x[option == unused].sum() >= 1.0 - 1e-9
    assert duals.option is not None and duals.option[unused] >= 0.0
    for j in np.flatnonzero((x > 1e-6) & (x < 1 - 1e-6)):  # basic: strictly inside
        assert duals.reduced_cost(lp.problem, lp.cols[j]) == pytest.approx(0.0, abs=1e-4)
    lp.set_branch(None, {}, {})  # leaving the branch frees both again
    _, duals, x = lp.solve()
    assert duals.option is None or not duals.option.any()


def test_a_member_branch_keeps_a_community_out_of_an_option_or_makes_it_covered() -> None:
    lp, _ = _singleton_lp()
    _, _, x = lp.solve()
    option = np.array([c.option for c in lp.cols])
    j = int(np.argmax(x))  # a used one-community package: (option o, community i)
    o, i = int(option[j]), lp.cols[j].members[0]
    lp.set_branch(None, {}, excluded=frozenset({(o, i)}))
    _, _, x = lp.solve()
    assert x[j] == pytest.approx(0.0, abs=1e-9)
    free = [i for i in range(lp.problem.n) if not lp.problem.must_cover[i]]
    if free:  # a community the office may leave uncovered must be covered in this branch
        k = free[0]
        lp.set_branch(None, {}, covered=frozenset({k}))
        _, _, x = lp.solve()
        holds = [j for j, c in enumerate(lp.cols) if k in c.members]
        assert x[holds].sum() == pytest.approx(1.0, abs=1e-6)


def test_a_count_no_pool_can_meet_costs_the_artificial_price_instead_of_failing() -> None:
    lp, n = _singleton_lp()
    lp.set_branch((n + 5, n + 5), {})  # singletons cover each community once: ≤ n
    z, _, x = lp.solve()
    assert x.sum() <= n + 1e-9
    assert z >= lp.artificial_cost


def test_the_fine_lambda_pricing_never_claims_more_than_cpsat_proves() -> None:
    """Pilot without contiguity, duals of its one-community LP raised at random (so packages
    price out), at a third of that (so some do not) and raised with capacity cuts: per
    option, the fine grid's lb is at most the exact optimum, and the package it offers really
    has a negative reduced cost."""
    lp, _ = _singleton_lp()
    q = lp.problem
    _, duals, _ = lp.solve()
    rng = np.random.default_rng(3)
    high = replace(duals, community=duals.community * rng.uniform(0.9, 1.6, q.n))
    low = replace(high, community=high.community / 3)
    # and with capacity cuts that charge packages of more than 800 / 600 households
    cuts = tuple(WeightCut(f, 2_400, slots) for f in range(q.m) for slots in (3, 4))
    weighed = replace(high, weight_cuts=cuts, weight_cut=np.full(len(cuts), -1e5))
    ks = _Knapsacks(q)
    pricer = _Pricer(q, ks, Clock(deterministic=True), per_round=len(q.options))
    cache = PricingCache(q)
    offered = proven_clear = 0
    for d in (high, low, weighed):
        refine = pricer.refine(d)
        coarse, _ = pricer.price(d)  # every option's lb on coarsened households
        for o in range(0, len(q.options), 3):
            lb, col = refine(o)
            exact = exact_price(q, d, o, cache, time_limit=10, search_nodes=0)
            assert exact.proven and exact.reduced_cost is not None
            # CP-SAT's own bound gives up a yuan or so to rounding; its package is exact.
            assert lb <= exact.reduced_cost + 1e-6
            assert coarse[o] <= exact.reduced_cost + 1e-6
            if col is not None:
                offered += 1
                assert d.reduced_cost(q, col) < -1e-6
            proven_clear += lb >= -1e-6
    assert offered and proven_clear


def test_building_columns_charges_the_clock_for_each_set_it_builds() -> None:
    """Pilot, duals of the LP over one-community packages raised by half, so many sets price
    out. The columns priced at the start of a bound go straight to the pool, so ``columns``
    itself must charge them."""
    from sharedprop.models.bounds.without_contiguity import COLUMN_SECONDS

    lp, _ = _singleton_lp()
    q = lp.problem
    _, duals, _ = lp.solve()
    high = replace(duals, community=duals.community * 1.5)
    clock = Clock(deterministic=True)
    pricer = _Pricer(q, _Knapsacks(q), clock, per_round=len(q.options))
    _, found = pricer.price(high)
    assert len(found) > 3
    before = clock.now()
    cols = pricer.columns(found, high, 3)
    assert 0 < len(cols) <= 3
    assert clock.now() - before == pytest.approx(3 * COLUMN_SECONDS)


def test_the_last_report_of_a_run_without_branching_says_how_the_root_ended() -> None:
    """Pilot, no branching: the bound stops rising inside the root, so without one more
    report after it a reader of the statistics (the second process's parent) never learns
    that the root converged."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    so_far: dict = {}
    heard: list[tuple[float, dict]] = []
    bound, stats = relaxed_lp_bound(
        problem,
        time_limit=20,
        branch=False,
        stats=so_far,
        on_bound=lambda b: heard.append((b, dict(so_far))),
    )
    assert stats is so_far and stats["converged"]
    last_bound, last_stats = heard[-1]
    assert last_bound == bound
    assert last_stats["converged"] and last_stats["root_bound"] == stats["root_bound"]
