"""Plain-language findings: each sentence carries the right numbers from the cost model.

Fixture: ``tests/data/tiny-street`` with the manual plan (M1–M3, no resources) and the hand-made
better plan (P1, P2 share F1; R1 in P1 saves its full 84,000 yuan; P3 holds 390 of the 400
households a package may hold) — see ``test_workbook.py``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.evaluate import evaluate
from sharedprop.report import sentences as S
from sharedprop.result import Result

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def better(street):
    return read_plan(DATA / "tiny-street-better.csv", street)


@pytest.fixture(scope="module")
def manual(street):
    return read_plan(DATA / "tiny-street" / "plans" / "manual.csv", street)


def test_public_money_is_compared_with_the_manual_plan_in_yuan_and_percent(street, better, manual):
    ev, ev_manual = evaluate(street, better), evaluate(street, manual)
    text = " ".join(S.money_sentences(street, ev, {"manual": ev_manual}))
    saved = ev_manual.public_money - ev.public_money
    assert f"The plan needs {round(ev.public_money):,} yuan of public money a year" in text
    assert f"{saved / ev_manual.public_money * 100:.1f} % less than the plan “manual”" in text
    assert f"{round(saved):,} yuan a year saved" in text
    assert "12,000 yuan of fallback for 1 uncovered community" in text


def test_packages_sharing_a_firm_are_named_with_its_capacity(street, better):
    text = S.sharing_sentences(street, evaluate(street, better))
    assert text[0] == "Packages P1 and P2 share 员当新市区物业's capacity (465 of 500 households)."
    assert text[1] == "-盛泰和物业 takes no package."


def test_a_bundled_resource_saves_the_subsidy_it_replaces(street, better):
    text = S.resource_sentences(street, evaluate(street, better))
    assert (
        text[0] == "Bundling parking R1 (槟榔停车场) into P1 saves 84,000 yuan of subsidy a year."
    )
    assert "Together the 2 bundled resources save 144,000 yuan a year." in text
    assert text[-1].startswith("R3 (莲花绿化合同) cannot be bundled")


def test_a_resource_larger_than_the_deficit_saves_only_the_deficit_and_the_package_breaks_even(
    street, better
):
    rich = tuple(
        replace(r, annual_income=500_000.0) if r.id == "R1" else r for r in street.resources
    )
    inst = replace(street, resources=rich, graph=street.graph.copy())
    ev = evaluate(inst, better)
    p1 = next(p for p in ev.packages if p.package_id == "P1")
    deficit = (1 + 0.05) * p1.cost - p1.fee_revenue
    text = S.resource_sentences(inst, ev)[0]
    assert f"saves {round(deficit):,} yuan of subsidy a year" in text
    assert f"the other {round(500_000 - deficit):,} yuan lift the firm above its margin" in text
    assert S.break_even_sentences(inst, ev)[0].startswith("P1 breaks even without subsidy")


def test_limits_that_bind_name_the_package_and_the_numbers(street, better):
    assert S.limit_sentences(street, evaluate(street, better)) == [
        "P3 is at the package size limit (390 of 400 households)."
    ]


def test_the_proof_sentence_follows_the_status_and_the_bound(street, better):
    ev = evaluate(street, better)
    optimal = Result("optimal", better, ev.objective, ev.objective, 1.0, "joint")
    assert "proved this plan optimal" in S.proof_sentences(optimal, street)[0]
    gap = Result("feasible", better, ev.objective, 0.9 * ev.objective, 1.0, "joint")
    assert "within 10.0 % of the best possible" in S.proof_sentences(gap, street)[0]
    none = Result("infeasible", None, None, None, 1.0, "joint", reasons=("C9 is out of reach",))
    assert S.proof_sentences(none, street) == [
        "The solver found no plan (infeasible): C9 is out of reach."
    ]


def test_a_bound_of_zero_or_below_is_not_presented_as_a_proof(street, better):
    ev = evaluate(street, better)
    useless = Result("feasible", better, ev.objective, -1e8, 22.0, "joint")
    assert S.useful_gap(useless) is None
    assert "without proving a useful bound" in S.proof_sentences(useless, street)[0]
