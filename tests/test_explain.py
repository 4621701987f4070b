"""explain_community: cost share, subsidy with and without it, alternatives and binding rules.

Fixture: ``tests/data/tiny-street`` with the better plan: P1 = C1–C2–C3 (a path in the
proximity graph, so C2 is an articulation point; hub C2; F1), P2 = C4–C5 (hub C4; F1),
P3 = C6–C8 (F2); C9 uncovered; F1 serves 465 of its 500 households.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.errors import InstanceError
from sharedprop.evaluate import evaluate
from sharedprop.explain import ALONE, FIRM, MOVE, UNCOVER, explain_community
from sharedprop.plan import Plan

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def better(street):
    return read_plan(DATA / "tiny-street-better.csv", street)


def test_the_cost_share_is_its_household_cost_plus_travel_to_the_hub(street, better):
    ex = explain_community(street, better, "C1")
    c1, hub = street.community("C1"), street.community("C2")
    d = street.distance_m(c1, hub)
    assert ex.package.package_id == "P1" and ex.firm_name == "员当新市区物业"
    assert ex.household_cost == pytest.approx(300 * 120)
    assert ex.travel_cost == pytest.approx(5000 * d / 1000)
    assert ex.fee_revenue == pytest.approx(12 * 0.5 * 7800 * 0.6)


def test_the_package_subsidy_without_it_is_the_evaluators(street, better):
    ex = explain_community(street, better, "C4")
    p2 = next(p for p in better.packages if p.id == "P2")
    alone = Plan(tuple(replace(p, members=("C5",), hub_id=None) if p is p2 else p
                       for p in better.packages))  # fmt: skip
    expected = next(p.subsidy for p in evaluate(street, alone).packages if p.package_id == "P2")
    assert ex.subsidy_without == pytest.approx(expected)
    assert ex.package.subsidy == pytest.approx(115_508, abs=1)


def test_every_single_change_is_tried_and_scored_against_the_current_objective(street, better):
    ex = explain_community(street, better, "C4")
    kinds = sorted((a.kind, a.package_id or "", a.firm_id or "") for a in ex.alternatives)
    assert kinds == sorted([
        (MOVE, "P1", "F1"), (MOVE, "P3", "F2"),
        (FIRM, "P2", "F2"), (FIRM, "P2", "F3"),
        (ALONE, "C4-alone", "F1"), (ALONE, "C4-alone", "F2"), (ALONE, "C4-alone", "F3"),
        (UNCOVER, "", ""),
    ])  # fmt: skip
    current = evaluate(street, better).objective
    for a in ex.alternatives:
        assert a.delta == pytest.approx(a.objective - current)


def test_the_next_best_is_the_cheapest_alternative_that_breaks_no_new_rule(street, better):
    ex = explain_community(street, better, "C4")
    best = ex.best_alternative
    assert best.kind == UNCOVER and best.delta == pytest.approx(18_575, abs=1)
    allowed = [a.delta for a in ex.alternatives if a.feasible]
    assert best.delta == min(allowed)
    into_p1 = next(a for a in ex.alternatives if a.kind == MOVE and a.package_id == "P1")
    assert [v.rule for v in into_p1.new_broken] == ["package_max_households"]
    f2 = next(a for a in ex.alternatives if a.kind == FIRM and a.firm_id == "F2")
    assert f2.delta < 0 and [v.rule for v in f2.new_broken] == ["firm_capacity"]


def test_an_articulation_point_cannot_leave_and_contiguity_binds(street, better):
    ex = explain_community(street, better, "C2")
    assert ex.best_alternative is None  # every way out splits P1 or overfills a firm
    leave = next(a for a in ex.alternatives if a.kind == UNCOVER)
    assert "contiguity" in {v.rule for v in leave.new_broken}
    limits = {lim.rule: lim for lim in ex.limits}
    assert limits["contiguity"].binds and "articulation point" in limits["contiguity"].text
    assert limits["firm_capacity"].binds  # 35 households free, C2 has 90
    assert not limits["package_max_households"].binds  # 40 free


def test_an_uncovered_community_is_offered_packages_to_join_or_its_own(street, better):
    ex = explain_community(street, better, "C9")
    assert ex.package is None and ex.limits == ()
    assert {a.kind for a in ex.alternatives} == {MOVE, ALONE}
    assert ex.best_alternative.kind == ALONE and ex.best_alternative.firm_id == "F2"
    assert "It is in no package" in ex.to_text()


def test_the_text_says_it_in_plain_words(street, better):
    text = explain_community(street, better, "C4").to_text()
    assert text.splitlines()[0] == "C4 =1+2小区 — 筼筜街道 / 金榜社区, 60 households"
    assert "Package P2, run by 员当新市区物业 (F1), it is the service point" in text
    assert "Next best: leave it uncovered (the street office carries it) — 18,575 yuan" in text
    assert "breaks package_max_households: package P1 holds 420 households" in text


def test_an_unknown_community_is_bad_input_with_a_suggestion(street, better):
    with pytest.raises(InstanceError, match=r"community 'C44' is not in instance tiny-street.*C4"):
        explain_community(street, better, "C44")
