"""The instance workbook: the template a planner fills in, and any instance saved as one file."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from openpyxl import load_workbook

from sharedprop import write_instance_workbook, write_template
from sharedprop.cli import main
from sharedprop.data import Policy, Resource
from sharedprop.io.instances import load_instance
from sharedprop.io.template import INSTRUCTIONS_SHEET
from tests.io.same import assert_same_instance

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "instances" / "xiamen-pilot"
TINY_STREET = ROOT / "tests" / "data" / "tiny-street"
TABLE_SHEETS = ("communities", "firms", "resources", "edges", "locks")


def _typed(text: str) -> Any:
    """A CSV cell as Excel makes it when pasted: numbers become numbers."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text if text else None


def fill_template(template: Path, folder: Path, out: Path) -> Path:
    """Paste the folder's tables and instance.toml into the template, as a planner would."""
    wb = load_workbook(template)
    for name in TABLE_SHEETS:
        ws = wb[name]
        ws.delete_rows(2, ws.max_row)  # the example rows
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        header = [c.value for c in ws[1]]
        for r, row in enumerate(rows[1:], start=2):
            cells = dict(zip(rows[0], row, strict=True))
            for k, column in enumerate(header, start=1):
                cell = ws.cell(row=r, column=k, value=_typed(cells.get(column, "")))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # pasted as text, as Excel keeps a text cell
    settings = tomllib.loads((folder / "instance.toml").read_text(encoding="utf-8"))
    sections = {
        "instance": {k: v for k, v in settings.items() if not isinstance(v, dict)},
        "policy": settings.get("policy", {}),
        "objective": settings.get("objective", {}),
    }
    for section, values in sections.items():
        ws = wb[section]
        for row in ws.iter_rows(min_row=2):
            if row[0].value in values:
                row[1].value = values[row[0].value]
    wb.save(out)
    return out


@pytest.mark.parametrize("folder", [PILOT, TINY_STREET], ids=["xiamen-pilot", "tiny-street"])
def test_the_template_filled_with_an_instances_tables_loads_as_that_instance(
    folder: Path, tmp_path: Path
) -> None:
    template = write_template(tmp_path / "template.xlsx")
    filled = fill_template(template, folder, tmp_path / "filled.xlsx")
    assert_same_instance(load_instance(filled), load_instance(folder))


def test_the_tiny_instance_pasted_into_the_template_loads_as_itself(
    tiny_instance: Path, tmp_path: Path
) -> None:
    template = write_template(tmp_path / "template.xlsx")
    filled = fill_template(template, tiny_instance, tmp_path / "filled.xlsx")
    assert_same_instance(load_instance(filled), load_instance(tiny_instance))


@pytest.mark.parametrize("folder", [PILOT, TINY_STREET], ids=["xiamen-pilot", "tiny-street"])
def test_an_instance_written_as_a_workbook_reads_back_equal(folder: Path, tmp_path: Path) -> None:
    inst = load_instance(folder)
    path = write_instance_workbook(inst, tmp_path / "saved.xlsx")
    assert_same_instance(load_instance(path), inst)


def test_a_written_workbook_keeps_candidates_coverage_exact_floats_and_a_given_graph(
    tmp_path: Path,
) -> None:
    inst = load_instance(TINY_STREET)
    candidate = replace(inst.resources[0], available=False, lon=118.11120000000000001 + 1e-13)
    graph = nx.path_graph([c.id for c in inst.communities])
    inst = replace(
        inst,
        resources=(candidate, *inst.resources[1:]),
        policy=replace(inst.policy, min_coverage=0.75),
        graph=graph,
    )
    back = load_instance(write_instance_workbook(inst, tmp_path / "saved.xlsx"))
    assert back.resources[0] == candidate and isinstance(back.resources[0], Resource)
    assert back.policy == inst.policy and back.policy.min_coverage == 0.75
    assert set(map(frozenset, back.graph.edges)) == set(map(frozenset, graph.edges))


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    inst = load_instance(TINY_STREET)
    path = write_instance_workbook(inst, tmp_path / "saved.xlsx")
    names = [c.value for c in load_workbook(path)["communities"]["B"][1:]]
    assert "=1+2小区" in names


def test_the_template_as_written_loads_its_two_example_rows(tmp_path: Path) -> None:
    inst = load_instance(write_template(tmp_path / "t.xlsx"))
    assert [c.name for c in inst.communities] == ["安平里", "槟榔东里"]
    assert [r.available for r in inst.resources] == [True, False]
    assert inst.policy == Policy() and inst.name == "t"


def test_every_header_cell_carries_its_meaning_in_chinese_and_english(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    for name in TABLE_SHEETS:
        for cell in wb[name][1]:
            assert cell.comment is not None and "\n" in cell.comment.text, (name, cell.value)
    fee = next(c for c in wb["communities"][1] if c.value == "fee_rate")
    assert "元/平方米/月" in fee.comment.text and "yuan per m² per month" in fee.comment.text


def _validations(ws) -> dict[str, str]:
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


def test_values_from_a_list_get_dropdowns(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "t.xlsx", streets=["筼筜街道", "嘉莲街道"]))
    street = _validations(wb["communities"])["C2:C2001"]
    assert street == "lists!$A$2:$A$3"
    assert [c.value for c in wb["lists"]["A"][1:]] == ["嘉莲街道", "筼筜街道"]
    assert wb["lists"].sheet_state == "hidden"
    assert _validations(wb["locks"])["C2:C2001"] == '"must,forbid"'
    assert "true" in _validations(wb["resources"])["H2:H2001"]
    instance = _validations(wb["instance"])
    assert instance["B4"] == '"haversine,euclidean"' and instance["B5"] == '"wgs84,gcj02,bd09"'
    switches = _validations(wb["policy"])
    assert list(switches.values()) == ['"true,false"'] * 3


def test_without_known_streets_the_street_column_has_no_dropdown(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    assert "lists" not in wb.sheetnames and _validations(wb["communities"]) == {}


def test_the_instructions_come_first_in_chinese_and_english(tmp_path: Path) -> None:
    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    assert wb.sheetnames[0] == INSTRUCTIONS_SHEET
    text = "\n".join(str(c.value) for c in wb[INSTRUCTIONS_SHEET]["A"] if c.value)
    assert "填写说明" in text and "How to fill in" in text
    listed = {(r[0].value, r[1].value) for r in wb[INSTRUCTIONS_SHEET].iter_rows()}
    assert ("resources", "available") in listed and ("policy", "min_coverage") in listed


def test_a_workbook_name_must_end_in_xlsx(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in .xlsx, got 'plan.csv'"):
        write_template(tmp_path / "plan.csv")


def test_the_template_command_writes_a_workbook_that_validates(tmp_path: Path, capsys) -> None:
    out = tmp_path / "street.xlsx"
    assert main(["template", str(out), "--streets", "筼筜街道，嘉莲街道"]) == 0
    assert "sharedprop validate" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0
    assert main(["template", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


def test_the_template_command_saves_an_instance_as_one_workbook(tmp_path: Path, capsys) -> None:
    out = tmp_path / "pilot.xlsx"
    assert main(["template", str(out), "--from", str(PILOT)]) == 0
    assert "29 communities" in capsys.readouterr().out
    assert_same_instance(load_instance(out), load_instance(PILOT))
