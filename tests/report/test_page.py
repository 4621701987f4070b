"""The HTML building blocks both pages share: cells, tables, the moved-community rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedprop import load_instance
from sharedprop.compare import NEWLY_COVERED, Move
from sharedprop.report.page import Col, move_rows, table, td

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


def test_a_cell_carries_its_sort_key_escaped_and_numbers_align_right():
    assert (
        td("1,200", numeric=True, sort='<"x">')
        == '<td class="num" data-v="&lt;&quot;x&quot;&gt;">1,200</td>'
    )


def test_a_table_marks_numeric_headings_and_is_sortable_unless_told():
    html = table([Col("Firm"), Col("Households", True)], [[td("F1"), td("30", numeric=True)]])
    assert '<table class="sortable">' in html and "<th class=num>Households</th>" in html
    assert '<table class="">' in table([Col("a")], [], sortable=False)


def test_a_moved_community_shows_uncovered_for_the_side_without_a_package(street):
    c = street.communities[0]
    move = Move(c.id, c.name, c.households, NEWLY_COVERED, None, None, "P1", "F1")
    (row,) = move_rows(street, [move])
    assert "uncovered" in row[2]
    assert "P1 · " + street.firm("F1").name in row[3]
