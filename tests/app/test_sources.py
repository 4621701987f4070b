"""The instance's own files: settings written back, cells fixed."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from sharedprop import load_instance, write_instance_workbook
from sharedprop.app.sources import edit_cell, write_settings
from sharedprop.errors import SharedpropError
from tests.app.pilot_files import PILOT


def test_settings_are_written_and_the_rest_of_instance_toml_is_kept(tmp_path):
    folder = tmp_path / "pilot"
    folder.mkdir()
    for name in ("instance.toml", "communities.csv", "firms.csv", "resources.csv"):
        (folder / name).write_bytes((PILOT / name).read_bytes())
    before = load_instance(folder)
    write_settings(folder, {
        "policy": {"package_max_households": None, "fallback_cost_per_household": 650.0,
                   "require_contiguity": False},
        "objective": {"weight_total_cost": 0.5},
    })  # fmt: skip
    after = load_instance(folder)
    assert (after.name, after.description) == (before.name, before.description)
    assert after.policy.package_max_households is None  # "no limit" is left out
    assert after.policy.fallback_cost_per_household == 650.0
    assert after.policy.require_contiguity is False
    assert after.objective.weight_total_cost == 0.5


def test_a_cell_is_fixed_in_a_csv_file_and_in_a_workbook(tiny_files, write_instance):
    tiny_files.xlsx.add("firms")
    folder = write_instance(tiny_files)
    edit_cell(folder, "communities", 3, "households", "95")
    edit_cell(folder, "firms", 2, "capacity_households", "450")
    inst = load_instance(folder)
    assert inst.community("C02").households == 95
    assert inst.firm("F1").capacity_households == 450
    with pytest.raises(SharedpropError, match="no table"):
        edit_cell(folder, "plans", 2, "x", "1")
    with pytest.raises(SharedpropError, match="one line"):
        edit_cell(folder, "communities", 2, "name", "a\nb")


def test_a_workbook_cell_is_written_as_the_template_writes_it(tmp_path):
    path = write_instance_workbook(load_instance(PILOT), tmp_path / "pilot.xlsx")
    edit_cell(path, "communities", 2, "Name ", "=HYPERLINK(1)")  # header matched as the loader
    edit_cell(path, "communities", 3, "households", "1,250")
    cell = load_workbook(path)["communities"]["B2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")  # text, never a formula
    inst = load_instance(path)
    assert inst.communities[0].name == "=HYPERLINK(1)" and inst.communities[1].households == 1250


def test_a_workbook_s_settings_keep_the_template_s_notes_and_place(tmp_path):
    path = write_instance_workbook(load_instance(PILOT), tmp_path / "pilot.xlsx")
    before = load_workbook(path).sheetnames
    write_settings(path, {"policy": {"link_max_m": 650.0, "package_max_households": None}})
    book = load_workbook(path)
    assert book.sheetnames == before
    rows = {r[0]: r for r in book["policy"].iter_rows(min_row=2, values_only=True)}
    assert rows["link_max_m"][1] == 650.0 and rows["link_max_m"][2]  # a note beside it
    assert "package_max_households" not in rows  # "no limit": left out, the default
    assert load_instance(path).policy.link_max_m == 650.0
