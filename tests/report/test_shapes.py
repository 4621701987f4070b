"""Package areas: padded convex hulls that hold every member; a lone member gets a disc.

Fixture: ``tests/data/tiny-street`` with ``tiny-street-better.csv`` (see ``test_workbook.py``),
plus a one-member package made here.
"""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import Point

from sharedprop import load_instance, read_plan
from sharedprop.plan import Package, Plan
from sharedprop.report.shapes import plan_shapes

DATA = Path(__file__).resolve().parents[1] / "data"


def test_every_member_lies_inside_its_package_area_and_outside_the_others():
    street = load_instance(DATA / "tiny-street")
    plan = read_plan(DATA / "tiny-street-better.csv", street)
    shapes = plan_shapes(street, plan)
    for p in plan.packages:
        for m in p.members:
            assert shapes.packages[p.id].contains(shapes.communities[m])
    assert not shapes.packages["P3"].intersects(shapes.communities["C1"])


def test_a_single_member_package_is_a_disc_of_the_pad_around_it():
    street = load_instance(DATA / "tiny-street")
    shapes = plan_shapes(street, Plan((Package("S", "F2", ("C9",), "C9"),)))
    area, centre = shapes.packages["S"], shapes.communities["C9"]
    assert isinstance(centre, Point) and 15 <= shapes.pad_m <= 60
    assert area.centroid.distance(centre) < 0.01
    assert abs(area.area - 3.14159 * shapes.pad_m**2) / area.area < 0.02
