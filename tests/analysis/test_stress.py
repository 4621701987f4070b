"""Stress of a plan: the same plan scored on shocked data, and each package's headroom.

Fixture: the shipped pilot and its manual plan (three packages), and the tests' tiny instance.
The expected figures come from the cost model written out by hand, not from the code under
test: a package's fee revenue is linear in the collection rates, its cost is not.
"""

from dataclasses import replace
from pathlib import Path

import pytest

from sharedprop import evaluate, load_instance, read_plan
from sharedprop.analysis.shock import Shock, parse_share, shocked
from sharedprop.analysis.stress import collection_headroom, headroom_frame, stress
from sharedprop.plan import Package, Plan

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"


@pytest.fixture(scope="module")
def pilot():
    instance = load_instance(PILOT)
    return instance, read_plan(PILOT / "plans" / "manual.csv", instance)


def test_a_collection_shock_scales_every_rate_and_caps_a_rise_at_one(pilot) -> None:
    instance, _ = pilot
    down = shocked(instance, Shock(collection=-0.1))
    up = shocked(instance, Shock(collection=+0.9))
    for before, after, high in zip(
        instance.communities, down.communities, up.communities, strict=True
    ):
        assert after.collection_rate == pytest.approx(0.9 * before.collection_rate)
        assert high.collection_rate == pytest.approx(min(1.0, 1.9 * before.collection_rate))
        assert after.households == before.households and after.fee_rate == before.fee_rate


def test_a_household_shock_rounds_and_keeps_at_least_one_household(pilot) -> None:
    instance, _ = pilot
    grown = shocked(instance, Shock(households=0.034))
    gone = shocked(instance, Shock(households=-1.0))
    for before, after in zip(instance.communities, grown.communities, strict=True):
        assert after.households == max(1, round(before.households * 1.034))
    assert all(c.households == 1 for c in gone.communities)


def test_under_lower_collection_each_package_needs_exactly_the_lost_fees_it_cannot_cover(
    pilot,
) -> None:
    instance, plan = pilot
    before = {p.package_id: p for p in evaluate(instance, plan).packages}

    result = stress(instance, plan, Shock(collection=-0.2))

    for p in result.packages:
        b = before[p.package_id]
        firm = instance.firm(b.firm_id)
        need = (1 + firm.min_margin) * b.cost - b.resource_income - 0.8 * b.fee_revenue
        assert p.subsidy_after == pytest.approx(max(0.0, need), abs=0.01)
        assert p.cost_after == pytest.approx(b.cost)
    uncovered_fallback = result.after.fallback_cost - result.before.fallback_cost
    assert uncovered_fallback == pytest.approx(0.0)
    assert result.extra_public_money == pytest.approx(sum(p.extra_subsidy for p in result.packages))
    assert [p.package_id for p in result.packages_needing_more()] == [
        p.package_id
        for p in sorted(result.packages, key=lambda p: -p.extra_subsidy)
        if p.extra_subsidy > 0.005
    ]


def test_a_shock_that_pushes_a_package_past_its_household_limit_names_the_new_broken_rule(
    pilot,
) -> None:
    instance, plan = pilot
    largest = max(evaluate(instance, plan).packages, key=lambda p: p.households)
    tight = replace(
        instance, policy=replace(instance.policy, package_max_households=largest.households)
    )
    assert not [v for v in evaluate(tight, plan).broken if v.rule == "package_max_households"]

    result = stress(tight, plan, Shock(households=0.05))

    assert any(
        v.rule == "package_max_households" and largest.package_id in v.subject
        for v in result.newly_broken
    )
    assert not [v for v in stress(tight, plan, Shock()).newly_broken]


def test_a_subsidised_package_has_no_headroom(pilot) -> None:
    instance, plan = pilot
    subsidised = [p for p in evaluate(instance, plan).packages if p.subsidy > 0.005]
    assert subsidised
    headroom = {h.package_id: h for h in collection_headroom(instance, plan)}
    assert all(headroom[p.package_id].collection_fall == 0.0 for p in subsidised)


def test_a_profitable_package_breaks_even_where_its_fees_no_longer_cover_cost_and_margin(
    pilot,
) -> None:
    """Fees four times the pilot's make the manual plan's packages profitable."""
    instance, plan = pilot
    rich = shocked(instance, Shock(fee_rate=3.0))
    profitable = [p for p in evaluate(rich, plan).packages if p.subsidy == 0.0]
    assert profitable
    headroom = {h.package_id: h for h in collection_headroom(rich, plan)}
    for p in profitable:
        firm = rich.firm(p.firm_id)
        need = (1 + firm.min_margin) * p.cost - p.resource_income
        fall = headroom[p.package_id].collection_fall
        assert fall == pytest.approx(1 - need / p.fee_revenue)
        # Just short of the break-even fall the package needs no money; just past it, it does.
        short = stress(rich, plan, Shock(collection=-(fall - 0.001)))
        past = stress(rich, plan, Shock(collection=-(fall + 0.001)))
        assert next(q for q in short.packages if q.package_id == p.package_id).subsidy_after == 0
        assert next(q for q in past.packages if q.package_id == p.package_id).needs_more
    frame = headroom_frame(tuple(headroom.values()))
    assert list(frame["collection_fall"]) == sorted(frame["collection_fall"])


def test_headroom_of_a_package_that_needs_no_fees_is_the_whole_collection(
    tiny_instance: Path,
) -> None:
    instance = load_instance(tiny_instance)
    rich = replace(
        instance,
        resources=tuple(replace(r, annual_income=10_000_000.0) for r in instance.resources),
        locks=(),
    )
    first = instance.communities[0]
    plan = Plan(
        packages=(
            Package("P1", instance.firms[0].id, (first.id,), first.id, (rich.resources[0].id,)),
        )
    )
    assert not evaluate(rich, plan).broken
    (h,) = collection_headroom(rich, plan)
    assert h.collection_fall == 1.0 and h.subsidy == 0.0


@pytest.mark.parametrize(
    ("text", "share"), [("-10%", -0.1), ("-10 %", -0.1), ("-0.1", -0.1), ("+3%", 0.03)]
)
def test_shares_are_read_as_percentages_or_numbers(text: str, share: float) -> None:
    assert parse_share(text) == pytest.approx(share)


def test_a_share_that_is_not_a_number_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"'ten' is not a share: write a percentage such as -10%"):
        parse_share("ten")


def test_a_shock_below_minus_one_hundred_percent_is_refused() -> None:
    with pytest.raises(ValueError, match=r"collection must be a share of at least -1"):
        Shock(collection=-1.5)
