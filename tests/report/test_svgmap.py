"""The inline SVG map: well-formed, every package drawn and labelled, instance text escaped.

Fixture: ``tests/data/tiny-street`` and its plan ``tiny-street-better.csv`` (see
``test_workbook.py``); one test renames a community to a ``<script>`` tag.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.evaluate import evaluate
from sharedprop.report.svgmap import nice_length, svg_map

DATA = Path(__file__).resolve().parents[1] / "data"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def better(street):
    return read_plan(DATA / "tiny-street-better.csv", street)


def test_the_map_is_well_formed_svg_with_one_area_and_label_per_package(street, better):
    root = ET.fromstring(svg_map(street, better, evaluate(street, better)))
    areas = [e.get("data-package") for e in root.iter(f"{SVG}path") if e.get("data-package")]
    labels = [e.text for e in root.iter(f"{SVG}text") if "label" in (e.get("class") or "")]
    assert areas == ["P1", "P2", "P3"] and labels == ["P1", "P2", "P3"]


def test_every_community_firm_and_resource_is_drawn(street, better):
    root = ET.fromstring(svg_map(street, better))
    drawn = {
        kind: [g.get(f"data-{kind}") for g in root.iter(f"{SVG}g") if g.get(f"data-{kind}")]
        for kind in ("community", "firm", "resource")
    }
    assert drawn == {
        "community": [f"C{i}" for i in range(1, 10)],
        "firm": ["F1", "F2", "F3"],
        "resource": ["R1", "R2", "R3"],
    }


def test_the_scale_bar_shows_a_round_length_in_metres(street, better):
    root = ET.fromstring(svg_map(street, better))
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "scalebar")
    assert bar.find(f"{SVG}text").text in {"100 m", "200 m", "500 m", "1,000 m"}


@pytest.mark.parametrize(
    ("target", "expected"), [(730, 500), (199, 100), (2000, 2000), (0.37, 0.2), (1, 1)]
)
def test_nice_length_is_the_largest_one_two_or_five_step_not_above_the_target(target, expected):
    assert nice_length(target) == pytest.approx(expected)


def test_instance_text_is_escaped(street, better):
    evil = "<script>alert(1)</script>&"
    comms = tuple(replace(c, name=evil) if c.id == "C1" else c for c in street.communities)
    inst = replace(street, communities=comms, graph=street.graph.copy())
    svg = svg_map(inst, better)
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in svg
    ET.fromstring(svg)


def test_the_map_is_the_same_whatever_the_hash_seed():
    # Set iteration order follows PYTHONHASHSEED; a report drawn twice must not differ.
    code = (
        "import sys; from sharedprop import load_instance, read_plan; "
        "from sharedprop.report.svgmap import svg_map; "
        f"i = load_instance({str(DATA / 'tiny-street')!r}); "
        f"p = read_plan({str(DATA / 'tiny-street-better.csv')!r}, i); "
        "sys.stdout.write(svg_map(i, p))"
    )
    maps = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert "<svg" in maps[0] and maps[0] == maps[1]
