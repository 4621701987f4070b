"""The obvious reasons no plan can exist, found before any search: here, a coverage floor.

Fixture: the tests' tiny instance (``tests/conftest.py``): six communities, 470 households,
two firms that take 300 and 600 households (changed per test), packages up to 300 households.
"""

import math

from sharedprop import load_instance
from sharedprop.feasibility import diagnose
from sharedprop.models.core.problem import problem_from_instance


def _reasons(tiny_files, write_instance) -> list[str]:
    instance = load_instance(write_instance(tiny_files))
    problem, maps = problem_from_instance(instance)
    return diagnose(instance, problem, maps)


def test_a_floor_above_the_firms_capacity_names_both_numbers(tiny_files, write_instance) -> None:
    tiny_files.toml = tiny_files.toml.replace("[policy]\n", "[policy]\nmin_coverage = 0.9\n")
    tiny_files.set("firms", 0, "capacity_households", 100)
    tiny_files.set("firms", 1, "capacity_households", 200)

    reasons = _reasons(tiny_files, write_instance)

    need = math.ceil(0.9 * 470)
    assert (
        f"min_coverage = 0.9 asks for {need} of 470 households in packages, but all firms "
        "together can take only 300 (sum of capacity_households)"
    ) in reasons


def test_a_floor_above_what_firms_can_reach_says_how_many_households_they_reach(
    tiny_files, write_instance
) -> None:
    """C06 (玉亭里) moves 20 km east, out of every firm's service radius; packages reach only
    1 km from their hub."""
    tiny_files.toml = tiny_files.toml.replace(
        "[policy]\n", "[policy]\nmin_coverage = 1.0\npackage_max_radius_m = 1000\n"
    )
    tiny_files.set("communities", 5, "lon", 118.32)
    households = {row["id"]: int(row["households"]) for row in tiny_files.tables["communities"]}

    reasons = _reasons(tiny_files, write_instance)

    reach = sum(households.values()) - households["C06"]
    assert any(
        r.startswith("min_coverage = 1 asks for 470 of 470 households in packages, but only ")
        and f"only {reach} households live where some firm can serve a package" in r
        for r in reasons
    ), reasons


def test_a_floor_within_reach_and_capacity_gives_no_reason(tiny_files, write_instance) -> None:
    tiny_files.toml = tiny_files.toml.replace("[policy]\n", "[policy]\nmin_coverage = 0.5\n")
    assert _reasons(tiny_files, write_instance) == []
