"""Scenario variations as written on the command line, crossed into a grid and applied."""

from pathlib import Path

import pytest

from sharedprop import load_instance
from sharedprop.analysis.scenario import (
    apply_settings,
    parse_variation,
    scenario_grid,
    scenario_label,
)
from sharedprop.errors import InstanceError

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"


def test_a_variation_reads_its_table_key_and_typed_values() -> None:
    v = parse_variation("policy.package_max_households=900, 1200,none")
    assert (v.table, v.key, v.values) == ("policy", "package_max_households", (900, 1200, None))
    w = parse_variation("objective.weight_total_cost=0,0.05")
    assert w.values == (0.0, 0.05)
    assert parse_variation("policy.allow_uncovered=yes,false").values == (True, False)


def test_the_grid_crosses_every_value_in_the_order_given() -> None:
    grid = scenario_grid(
        [
            parse_variation("policy.package_max_households=900,1200"),
            parse_variation("objective.weight_total_cost=0,0.05"),
        ]
    )
    assert [tuple(s.values()) for s in grid] == [(900, 0.0), (900, 0.05), (1200, 0.0), (1200, 0.05)]
    assert scenario_label(grid[1]) == "package_max_households=900, weight_total_cost=0.05"


def test_applying_settings_changes_only_those_settings() -> None:
    instance = load_instance(PILOT)
    changed = apply_settings(
        instance, {"policy.package_max_households": 900, "objective.weight_total_cost": 0.05}
    )
    assert changed.policy.package_max_households == 900
    assert changed.objective.weight_total_cost == 0.05
    assert changed.policy.package_max_radius_m == instance.policy.package_max_radius_m
    assert changed.communities == instance.communities and changed.graph is instance.graph


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("package_max_households=900", r"write TABLE.KEY=V1,V2,\.\.\."),
        ("firms.capacity=1", r"the table must be one of policy, objective, got 'firms'"),
        ("policy.max_households=1", r"policy has no key 'max_households'; its keys are"),
        ("policy.package_max_households=nine", r"'nine' is not a number"),
        ("policy.package_max_households=9.5", r"'9.5' is not a whole number"),
        ("policy.allow_uncovered=maybe", r"'maybe' is not true or false"),
        ("policy.package_max_households=900,900", r"a value is listed twice"),
        ("policy.link_max_m=500,800", r"link_max_m shapes the proximity graph"),
    ],
)
def test_a_wrong_variation_says_which_part_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InstanceError, match=message):
        parse_variation(text)


def test_a_value_the_contract_refuses_fails_with_the_loaders_sentence() -> None:
    instance = load_instance(PILOT)
    with pytest.raises(InstanceError, match=r"policy: package_min_households must be >= 0, got -1"):
        apply_settings(instance, {"policy.package_min_households": -1})


def test_varying_the_same_setting_twice_is_refused() -> None:
    v = parse_variation("policy.package_max_households=900")
    with pytest.raises(InstanceError, match="the same setting is varied twice"):
        scenario_grid([v, v])
