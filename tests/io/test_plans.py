"""read_plan / write_plan: the plan CSV, its _resources companion, and what makes a plan bad
input."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from sharedprop.errors import PlanError
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import canonical_plan, read_plan, write_plan
from sharedprop.plan import Package, Plan

HEADER = "community_id,package_id,firm_id,hub_id\n"


def _plan_file(folder: Path, body: str, name: str = "p.csv", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_the_tiny_manual_plan_reads_with_its_resources(tiny_instance: Path) -> None:
    inst = load_instance(tiny_instance)
    plan = read_plan(tiny_instance / "plans" / "manual.csv", inst)
    assert plan.name == "manual"
    assert plan.packages == (
        Package("M1", "F1", ("C01", "C02", "C03"), None, ("R1",)),
        Package("M2", "F2", ("C04", "C05", "C06"), None, ()),
    )


def test_empty_package_id_means_uncovered(tmp_path: Path) -> None:
    path = _plan_file(tmp_path, "C1,P1,F1,\nC2,,,\nC3,P1,F1,C3\n")
    plan = read_plan(path)
    assert plan.packages == (Package("P1", "F1", ("C1", "C3"), "C3", ()),)
    assert plan.covered() == {"C1", "C3"}


def test_an_xlsx_plan_is_read_like_a_csv(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["community_id", "package_id", "firm_id"])
    ws.append(["C1", "P1", "F1"])
    ws.append(["C2", "P1", "F1"])
    wb.save(tmp_path / "人工方案.xlsx")
    assert read_plan(tmp_path / "人工方案.xlsx").packages == (Package("P1", "F1", ("C1", "C2")),)


def test_written_plan_reads_back_equal_with_its_resources(tmp_path: Path) -> None:
    plan = Plan(
        packages=(
            Package("P10", "F2", ("C9", "C3"), "C3", ("R2", "R1")),
            Package("P2", "F1", ("C1",), None, ()),
        ),
        name="best",
    )
    paths = write_plan(plan, tmp_path / "out" / "best.csv")
    assert [p.name for p in paths] == ["best.csv", "best_resources.csv"]
    assert read_plan(paths[0]) == plan
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcommunity_id,package_id,firm_id,hub_id\n")
    assert raw.decode("utf-8-sig").splitlines()[1] == "C9,P10,F2,C3"


def test_write_plan_always_writes_the_companion_and_leaves_no_temporary_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "p_resources.csv").write_text("resource_id,package_id\nR9,OLD\n")
    write_plan(Plan((Package("P1", "F1", ("C1",)),), name="p"), tmp_path / "p.csv")
    assert (tmp_path / "p_resources.csv").read_text(
        encoding="utf-8-sig"
    ) == "resource_id,package_id\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "p_resources.csv"]


def test_the_same_plan_gives_the_same_bytes(tmp_path: Path) -> None:
    plan = Plan((Package("P1", "F1", ("C2", "C1"), "C1", ("R1",)),), name="p")
    a = write_plan(plan, tmp_path / "a" / "p.csv")
    b = write_plan(plan, tmp_path / "b" / "p.csv")
    assert [x.read_bytes() for x in a] == [x.read_bytes() for x in b]


def test_canonical_plan_sorts_ids_with_numbers_compared_as_numbers() -> None:
    plan = Plan((Package("P10", "F1", ("C10", "C2")), Package("P9", "F1", ("C1",))))
    canon = canonical_plan(plan)
    assert [p.id for p in canon.packages] == ["P9", "P10"]
    assert canon.packages[1].members == ("C2", "C10")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("C1,P1,F1,\nC2,P1,F2,\n", r"p.csv row 3 \(id C2\): firm_id 'F2' differs from 'F1' given "
         r"for package P1 on row 2; a package has one firm"),
        ("C1,P1,F1,C1\nC2,P1,F1,C2\n", r"p.csv row 3 \(id C2\): hub_id 'C2' differs from 'C1'"),
        ("C1,P1,F1,\nC1,P2,F1,\n", r"p.csv row 3 \(id C1\): community C1 is listed twice, with "
         r"package P1 on row 2 and package P2 here"),
        ("C1,,,\nC1,P2,F1,\n", r"listed twice, with no package on row 2 and package P2 here"),
        (",P1,F1,\n", r"p.csv row 2: community_id is empty"),
        ("C1,P1,,\n", r"p.csv row 2 \(id C1\): firm_id is empty for package P1"),
    ],
)  # fmt: skip
def test_contradictory_plan_rows_are_bad_input(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        read_plan(_plan_file(tmp_path, body))


def test_a_plan_without_its_columns_is_bad_input(tmp_path: Path) -> None:
    path = _plan_file(tmp_path, "C1,P1\n", header="community_id,package\n")
    with pytest.raises(PlanError, match=r"p.csv: missing column\(s\) package_id, firm_id"):
        read_plan(path)


def test_a_missing_plan_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"plan file .*nope.csv does not exist"):
        read_plan(tmp_path / "nope.csv")


def test_unknown_ids_are_reported_against_the_instance(tiny_instance: Path, tmp_path: Path) -> None:
    inst = load_instance(tiny_instance)
    path = _plan_file(tmp_path, "C01,P1,F1,\nC99,P1,F1,\nC02,P2,F7,C77\n")
    (tmp_path / "p_resources.csv").write_text("resource_id,package_id\nR5,P1\nR1,P3\n")
    with pytest.raises(PlanError) as err:
        read_plan(path, inst)
    assert err.value.problems == (
        "p.csv row 3 (id C99): community_id 'C99' is not a community of instance tiny; "
        "correct the id or delete the row",
        "p.csv row 4 (id C02): firm_id 'F7' is not a firm of instance tiny; correct the id",
        "p.csv row 4 (id C02): hub_id 'C77' is not a community of instance tiny",
        "p_resources.csv row 2 (id R5): resource_id 'R5' is not a resource of instance tiny",
        "p_resources.csv row 3 (id R1): package_id 'P3' is not a package in p.csv; bundle the "
        "resource into one of the plan's packages",
    )


def test_a_resource_in_two_packages_is_bad_input(tmp_path: Path) -> None:
    path = _plan_file(tmp_path, "C1,P1,F1,\nC2,P2,F1,\n")
    (tmp_path / "p_resources.csv").write_text("resource_id,package_id\nR1,P1\nR1,P2\n")
    with pytest.raises(
        PlanError, match=r"p_resources.csv row 3 \(id R1\): resource R1 is listed twice"
    ):
        read_plan(path)
