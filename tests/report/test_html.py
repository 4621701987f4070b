"""report.html: self-contained, escaped, with headline figures, tables and the comparison.

Fixture: ``tests/data/tiny-street`` with the hand-made better plan as a fake solver result and
the manual plan to compare with — see ``test_workbook.py``. The browser test renders it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.evaluate import evaluate
from sharedprop.plan import Package, Plan
from sharedprop.report.html import render_report
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


@pytest.fixture(scope="module")
def page(street, better, manual) -> str:
    ev = evaluate(street, better)
    result = Result("feasible", better, ev.objective, 230_000.0, 12.3, "joint", time_limit=60)
    return render_report(street, better, result=result, evaluation=ev, plans={"manual": manual})


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") or (tag == "link" and name == "rel"):
                self.refs.append(f"{tag}.{name}={value}")

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_loads_nothing_from_outside(page):
    parser = _Collector()
    parser.feed(page)
    assert parser.refs == []
    assert "@import" not in page and "url(" not in page
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}


def test_the_page_declares_utf8_and_a_chinese_font_fallback(page):
    assert '<meta charset="utf-8">' in page
    assert '"Noto Sans CJK SC"' in page and '"Microsoft YaHei"' in page and '"PingFang SC"' in page


def test_headline_figures_are_shown(page, street, better):
    ev = evaluate(street, better)
    assert f"{round(ev.public_money):,} ¥" in page
    assert f"{round(ev.total_cost):,} ¥" in page
    assert "96.6 %" in page  # coverage of households
    assert "4.1 %" in page  # proven gap: (239,940 − 230,000) / 239,940


def test_every_package_and_firm_has_a_row(page):
    for pid in ("P1", "P2", "P3"):
        assert f'data-v="{pid}"' in page
    for name in ("员当新市区物业", "固家乐物业", "-盛泰和物业"):
        assert f"{name} <small>" in page


def test_the_comparison_lists_the_moved_communities_and_the_saving(page):
    assert "Compared with “manual”" in page
    assert "saves 163,600 yuan of public money a year (40.5 %)" in page
    assert "2 communities changed firm" in page
    moves_table = page.split("2 communities move</summary>")[1].split("</table>")[0]
    assert re.findall(r"\((C\d)\)</small>", moves_table) == ["C4", "C5"]
    assert moves_table.count("changed firm") == 2


def test_instance_text_is_escaped_everywhere(street, better):
    evil = '<img src=x onerror="alert(1)">'
    comms = tuple(replace(c, name=evil) if c.id == "C2" else c for c in street.communities)
    inst = replace(street, communities=comms, description=evil, graph=street.graph.copy())
    html = render_report(inst, better, plans={"manual": better})
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_a_run_without_a_plan_shows_why(street):
    result = Result("infeasible", None, None, None, 0.5, "joint", reasons=("C9 cannot be reached",))
    html = render_report(street, None, result=result)
    assert "No plan" in html and "C9 cannot be reached" in html


def test_a_manual_plan_naming_unknown_firms_becomes_a_note_not_a_crash(street, better):
    bad = Plan((Package("X1", "F99", ("C1",)),), name="bad")
    html = render_report(street, better, plans={"bad": bad})
    assert "The plan “bad” cannot be compared" in html and "F99" in html
