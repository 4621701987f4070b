"""The findings in Chinese carry the same numbers as in English, money in 万元."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.evaluate import evaluate
from sharedprop.report.sentences import findings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def street_and_plans():
    street = load_instance(DATA / "tiny-street")
    better = read_plan(DATA / "tiny-street-better.csv", street)
    manual = read_plan(DATA / "tiny-street" / "plans" / "manual.csv", street)
    return street, evaluate(street, better), evaluate(street, manual)


def test_the_chinese_findings_say_public_money_in_wan_yuan(street_and_plans) -> None:
    street, ev, ev_manual = street_and_plans
    topics = dict(findings(street, ev, others={"manual": ev_manual}, lang="zh"))
    assert list(topics)[:2] == ["财政资金", "覆盖"]
    first = topics["财政资金"][0]
    wan = f"{ev.public_money / 10_000:.1f}".removesuffix(".0")
    assert first.startswith(f"方案每年需要财政资金 {wan} 万元")
    assert "“manual”" in topics["财政资金"][1] and "每年节省" in topics["财政资金"][1]


def test_english_stays_the_default_and_chinese_changes_only_the_words(street_and_plans) -> None:
    street, ev, ev_manual = street_and_plans
    english = findings(street, ev, others={"manual": ev_manual})
    assert english == findings(street, ev, others={"manual": ev_manual}, lang="en")
    chinese = findings(street, ev, others={"manual": ev_manual}, lang="zh")
    assert [len(s) for _, s in chinese] == [len(s) for _, s in english]
    assert english[0][0] == "Public money"
