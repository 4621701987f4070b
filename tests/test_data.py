"""The data classes refuse invalid values on construction, whoever builds them."""

from __future__ import annotations

import pytest

from sharedprop.data import Policy, Resource
from sharedprop.errors import InstanceError

PARKING = dict(id="R1", name="停车场", kind="parking", lon=118.11, lat=24.49,
               annual_income=60000.0, max_distance_m=800.0)  # fmt: skip


def test_policy_defaults_change_nothing_for_older_instances() -> None:
    assert Policy().min_coverage == 0.0
    assert Resource(**PARKING).available is True


@pytest.mark.parametrize("share", [-0.1, 1.01, float("nan")])
def test_a_coverage_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(InstanceError, match=r"policy: min_coverage must be between 0 and 1"):
        Policy(min_coverage=share)


def test_availability_must_be_a_boolean() -> None:
    with pytest.raises(
        InstanceError, match=r"resource R1: available must be true or false, got 'no'"
    ):
        Resource(**PARKING, available="no")


def test_policy_reports_every_range_problem_at_once() -> None:
    with pytest.raises(InstanceError) as err:
        Policy(package_min_households=500, package_max_households=300, link_max_m=-1)
    assert err.value.problems == (
        "policy: link_max_m must be >= 0, got -1",
        "policy: package_min_households must be <= package_max_households, got 500 > 300",
    )
