"""``sharedprop evaluate``: readable summary or one JSON object; exit 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

from sharedprop.cli import main

JSON_KEYS = {
    "feasible", "objective", "public_money", "subsidy", "total_cost", "revenue", "packages",
    "coverage_households", "uncovered", "broken",
}  # fmt: skip


def test_a_feasible_plan_prints_its_money_and_tables_and_exits_0(
    tiny_instance: Path, capsys
) -> None:
    plan = tiny_instance / "plans" / "manual.csv"
    assert main(["evaluate", str(tiny_instance), "--plan", str(plan)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("plan manual: feasible")
    assert "public money" in out and "broken rules: none" in out
    assert "M1         F1" in out and "* hub not given in the plan" in out


def test_json_is_one_object_with_the_contract_keys(tiny_instance: Path, capsys) -> None:
    assert main(["evaluate", str(tiny_instance), "--plan", "manual.csv", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= JSON_KEYS
    assert data["feasible"] is True and data["broken"] == [] and data["packages"] == 2
    assert data["coverage_households"] == 470 and data["uncovered"] == []


def test_a_plan_breaking_rules_exits_1_and_lists_them(tiny_files, write_instance, capsys) -> None:
    """One package of all six communities: 470 households over the limit of 300, two streets."""
    for row in tiny_files.tables["plans/manual"]:
        row["package_id"], row["firm_id"] = "ALL", "F1"
    tiny_files.tables["plans/manual_resources"] = []
    inst = write_instance(tiny_files)
    assert main(["evaluate", str(inst), "--plan", "manual", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["feasible"] is False
    assert any(b.startswith("package_max_households:") for b in data["broken"])
    assert any(b.startswith("one_street:") for b in data["broken"])


def test_a_plan_naming_an_unknown_community_exits_2_naming_file_row_and_id(
    tiny_files, write_instance, capsys
) -> None:
    tiny_files.set("plans/manual", 2, "community_id", "C99")
    inst = write_instance(tiny_files)
    assert main(["evaluate", str(inst), "--plan", "manual.csv"]) == 2
    captured = capsys.readouterr()
    assert "manual.csv row 4 (id C99): community_id 'C99' is not a community" in captured.err
    assert captured.out == "" and "Traceback" not in captured.err


def test_a_missing_plan_file_exits_2(tiny_instance: Path, capsys) -> None:
    assert main(["evaluate", str(tiny_instance), "--plan", "nowhere.csv"]) == 2
    assert "plan file nowhere.csv does not exist" in capsys.readouterr().err
