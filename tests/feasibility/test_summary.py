"""describe(): sizes, components, reachability and capacity of an instance."""

from __future__ import annotations

from pathlib import Path

from sharedprop.feasibility import describe
from sharedprop.io.instances import load_instance


def test_the_tiny_instance_is_summarised(tiny_instance: Path) -> None:
    s = describe(load_instance(tiny_instance))
    assert (s.communities, s.firms, s.resources, s.locks) == (6, 2, 1, 1)
    assert s.households == 470 and s.capacity_households == 700
    assert s.streets == ("嘉莲街道", "筼筜街道") and s.neighbourhoods == 3
    assert (s.components, s.largest_component, s.isolated) == (2, 3, ())
    assert s.unreachable_communities == () and s.unreachable_resources == ()
    assert s.idle_firms == () and s.oversized_communities == ()


def test_a_far_community_and_a_far_resource_are_flagged(tiny_files, write_instance) -> None:
    """C06 moved ~5 km east: outside both firms' 3 km radius and alone in its component."""
    tiny_files.set("communities", 5, "lon", 118.17)
    tiny_files.set("resources", 0, "lon", 118.30)
    s = describe(load_instance(write_instance(tiny_files)))
    assert s.isolated == ("C06",)
    assert s.unreachable_communities == ("C06",)
    assert s.unreachable_resources == ("R1",)


def test_a_community_is_reachable_through_a_nearby_hub(tiny_files, write_instance) -> None:
    """F2's radius shrinks to cover C04 only; C05 and C06 can still be served from hub C04."""
    tiny_files.set("firms", 1, "service_radius_m", 150)
    tiny_files.set("firms", 1, "lon", 118.1200)
    tiny_files.set("firms", 1, "lat", 24.4865)
    tiny_files.set("firms", 0, "service_radius_m", 500)
    tiny_files.toml = tiny_files.toml.replace("[policy]", "[policy]\npackage_max_radius_m = 300")
    s = describe(load_instance(write_instance(tiny_files)))
    assert s.unreachable_communities == ()
    tiny_files.toml = tiny_files.toml.replace(
        "package_max_radius_m = 300", "package_max_radius_m = 100"
    )
    s = describe(load_instance(write_instance(tiny_files)))
    assert s.unreachable_communities == ("C05", "C06")


def test_a_hub_in_another_street_does_not_count_unless_streets_may_be_crossed(
    tiny_files, write_instance
) -> None:
    """Only F1 remains, with a radius covering street 筼筜 only; links join the two streets."""
    tiny_files.tables["firms"] = tiny_files.tables["firms"][:1]
    tiny_files.tables["locks"] = []
    tiny_files.set("firms", 0, "service_radius_m", 600)
    tiny_files.toml = tiny_files.toml.replace("link_max_m = 800", "link_max_m = 2000")
    s = describe(load_instance(write_instance(tiny_files)))
    assert s.unreachable_communities == ("C04", "C05", "C06") and s.idle_firms == ()
    tiny_files.toml = tiny_files.toml.replace("[policy]", "[policy]\ncross_streets = true")
    assert describe(load_instance(write_instance(tiny_files))).unreachable_communities == ()


def test_oversized_communities_and_idle_firms_are_listed(tiny_files, write_instance) -> None:
    tiny_files.set("communities", 0, "households", 350)
    tiny_files.set("firms", 1, "lon", 119.5)
    s = describe(load_instance(write_instance(tiny_files)))
    assert s.oversized_communities == ("C01",) and s.idle_firms == ("F2",)


def test_the_printed_summary_names_the_numbers_a_planner_needs(tiny_instance: Path) -> None:
    lines = describe(load_instance(tiny_instance)).to_lines()
    assert lines[0] == (
        "instance tiny: 6 communities (470 households) in 2 streets, 2 firms, 1 resource, "
        "1 lock; distance haversine"
    )
    assert "firm capacity: 700 households for 470 households (149%)" in lines
    assert "communities no firm can reach: none" in lines


def test_a_coverage_floor_above_what_firms_hold_is_named_with_its_numbers(
    tiny_files, write_instance
) -> None:
    """470 households; a 0.9 floor asks for 423 while the firms hold 300 + 100 = 400."""
    tiny_files.set("firms", 0, "capacity_households", 300)
    tiny_files.set("firms", 1, "capacity_households", 100)
    tiny_files.toml = tiny_files.toml.replace("[policy]", "[policy]\nmin_coverage = 0.9")
    s = describe(load_instance(write_instance(tiny_files)))
    assert (s.required_households, s.reachable_households) == (423, 470)
    assert s.floor_out_of_reach
    assert s.to_lines()[-1].startswith("coverage floor: min_coverage = 0.9 asks for 423 of 470")
    assert s.to_lines()[-1].endswith("firms hold 400 — no plan can meet it")


def test_a_floor_the_firms_can_meet_is_reported_without_a_warning(tiny_instance: Path) -> None:
    s = describe(load_instance(tiny_instance))
    assert s.required_households == 0 and not s.floor_out_of_reach
    assert not any(line.startswith("coverage floor") for line in s.to_lines())


def test_candidate_resources_are_listed(tiny_files, write_instance) -> None:
    tiny_files.set("resources", 0, "available", "false")
    s = describe(load_instance(write_instance(tiny_files)))
    assert s.candidate_resources == ("R1",)
    assert "candidate resources (available = false): 1 (R1)" in s.to_lines()
