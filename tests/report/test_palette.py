"""Package colours: all different for a few packages, never alike for neighbours beyond that."""

from __future__ import annotations

from shapely.geometry import box

from sharedprop.report.palette import TOL_MUTED, package_colours


def test_up_to_nine_packages_each_get_their_own_colour():
    areas = {f"P{i}": box(i * 10, 0, i * 10 + 1, 1) for i in range(9)}
    colours = package_colours(areas, near_m=0.5)
    assert len(set(colours.values())) == 9 and set(colours.values()) <= set(TOL_MUTED)


def test_with_more_packages_than_colours_touching_packages_still_differ():
    """Twenty squares in a 4 × 5 grid; each touches its grid neighbours (corners too)."""
    areas = {f"P{r}{c}": box(c, r, c + 1, r + 1) for r in range(4) for c in range(5)}
    colours = package_colours(areas, near_m=0.01)
    for a, ga in areas.items():
        for b, gb in areas.items():
            if a < b and ga.distance(gb) <= 0.01:
                assert colours[a] != colours[b], (a, b)
