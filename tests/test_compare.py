"""Comparing plans: the metric table agrees with evaluate, and moves survive renamed packages.

Fixture: ``tests/data/tiny-street``: the manual plan (M1 = C1–C3 with F1, M2 = C4–C5 with F3,
M3 = C6–C8 with F2) and the better plan (the same groups as P1–P3, but C4–C5 go to F1).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.compare import compare_plans, moved_communities
from sharedprop.errors import PlanError
from sharedprop.evaluate import evaluate
from sharedprop.plan import Package, Plan

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def manual(street):
    return read_plan(DATA / "tiny-street" / "plans" / "manual.csv", street)


@pytest.fixture(scope="module")
def better(street):
    return read_plan(DATA / "tiny-street-better.csv", street)


def test_the_table_holds_each_plans_evaluation(street, manual, better):
    frame = compare_plans(street, {"manual": manual, "better": better}).to_frame()
    for name, plan in (("manual", manual), ("better", better)):
        ev = evaluate(street, plan)
        assert frame.loc["public_money", name] == pytest.approx(ev.public_money)
        assert frame.loc["total_cost", name] == pytest.approx(ev.total_cost)
        assert frame.loc["coverage_households", name] == ev.coverage_households
        assert frame.loc["firms_used", name] == ev.firms_used
    assert list(frame.columns) == ["manual", "better"]


def test_communities_that_change_firm_are_listed_and_unchanged_ones_are_not(street, manual, better):
    moves = compare_plans(street, {"manual": manual, "better": better}).moves["better"]
    assert [(m.community_id, m.change, m.from_package, m.to_package) for m in moves] == [
        ("C4", "changed firm", "M2", "P2"),
        ("C5", "changed firm", "M2", "P2"),
    ]


def test_renaming_packages_moves_nobody(street, better):
    renamed = Plan(tuple(replace(p, id=f"X{p.id}") for p in better.packages))
    assert moved_communities(street, better, renamed) == ()


def test_coverage_changes_and_package_changes_are_told_apart(street, better):
    p1, p2, p3 = better.packages
    other = Plan(
        (
            replace(p1, members=("C1", "C2")),  # C3 leaves P1 ...
            replace(p2, members=("C3", "C4", "C5"), hub_id="C4"),  # ... for P2, same firm
            replace(p3, firm_id="F3"),  # C6–C8 change firm
            Package("P4", "F2", ("C9",)),  # C9 newly covered
        )
    )
    changes = {m.community_id: m.change for m in moved_communities(street, better, other)}
    assert changes == {
        "C3": "changed package",
        "C6": "changed firm",
        "C7": "changed firm",
        "C8": "changed firm",
        "C9": "newly covered",
    }
    back = {m.community_id: m.change for m in moved_communities(street, other, better)}
    assert back["C9"] == "newly uncovered"


def test_the_text_table_shows_the_change_against_the_first_plan(street, manual, better):
    text = compare_plans(street, {"manual": manual, "better": better}).to_text()
    assert "public money (yuan/yr)    403,539  239,940 (−40.5 %)" in text
    assert "2 communities move from manual to better:" in text
    assert "C4 =1+2小区 (60 households): M2 / F3 -> P2 / F1 (changed firm)" in text


def test_a_plan_with_unknown_ids_is_bad_input(street, manual):
    with pytest.raises(PlanError, match="unknown firm 'F99'"):
        compare_plans(street, {"manual": manual, "bad": Plan((Package("X", "F99", ("C1",)),))})
    with pytest.raises(PlanError, match="at least one plan"):
        compare_plans(street, {})
