"""Shared fixtures: a tiny valid instance, as editable data and as a folder written to disk.

``tiny_files`` is the instance as Python data (``instance.toml`` text plus each table as a list of
row dicts) so a test can corrupt exactly one thing before writing it; ``tiny_instance`` is that
instance written to ``tmp_path``. The instance: six made-up communities in two Xiamen streets
(three each, about 100 m apart inside a street, about 1 km between streets), two firms, one
parking resource, one lock and the obvious manual plan (one package per street).
"""

from __future__ import annotations

import os

# Before sharedprop is imported: a repeatable (work-limited) search may take 50 times its
# expected wall time before its safety net stops it, so that a machine busy with other jobs
# cannot change what the repeatability tests find (models/core/clock.py).
os.environ.setdefault("SHAREDPROP_WORK_SAFETY", "50")

import copy
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

TINY_TOML = """\
name = "tiny"
description = "Six made-up communities in two Xiamen streets, for tests."
distance = "haversine"
coordinates = "wgs84"

[policy]
package_max_households = 300
link_max_m = 800
fallback_cost_per_household = 500

[objective]
weight_public_money = 1.0
weight_total_cost = 0.0
"""

TINY_TABLES: dict[str, list[dict[str, Any]]] = {
    "communities": [
        {"id": "C01", "name": "安平里", "street": "筼筜街道", "neighbourhood": "金榜社区",
         "lon": 118.1100, "lat": 24.4890, "households": 120, "floor_area_m2": 7200,
         "fee_rate": 0.5, "collection_rate": 0.7},
        {"id": "C02", "name": "槟榔东里", "street": "筼筜街道", "neighbourhood": "槟榔社区",
         "lon": 118.1110, "lat": 24.4897, "households": 80, "floor_area_m2": 5200,
         "fee_rate": 0.45, "collection_rate": 0.65},
        {"id": "C03", "name": "槟榔西里", "street": "筼筜街道", "neighbourhood": "槟榔社区",
         "lon": 118.1121, "lat": 24.4902, "households": 60, "floor_area_m2": 3900,
         "fee_rate": 0.4, "collection_rate": 0.6},
        {"id": "C04", "name": "流芳里", "street": "嘉莲街道", "neighbourhood": "嘉莲社区",
         "lon": 118.1200, "lat": 24.4870, "households": 90, "floor_area_m2": 5800,
         "fee_rate": 0.5, "collection_rate": 0.7},
        {"id": "C05", "name": "和光里北区", "street": "嘉莲街道", "neighbourhood": "嘉莲社区",
         "lon": 118.1210, "lat": 24.4878, "households": 70, "floor_area_m2": 4500,
         "fee_rate": 0.45, "collection_rate": 0.6},
        {"id": "C06", "name": "玉亭里", "street": "嘉莲街道", "neighbourhood": "嘉莲社区",
         "lon": 118.1222, "lat": 24.4866, "households": 50, "floor_area_m2": 3100,
         "fee_rate": 0.4, "collection_rate": 0.55},
    ],
    "firms": [
        {"id": "F1", "name": "员当新市区物业", "lon": 118.1105, "lat": 24.4880,
         "capacity_households": 400, "max_packages": 2, "service_radius_m": 3000,
         "package_fixed_cost": 100000, "cost_per_household": 300, "travel_cost_per_km": 2000,
         "min_margin": 0.05},
        {"id": "F2", "name": "固家乐物业", "lon": 118.1215, "lat": 24.4860,
         "capacity_households": 300, "max_packages": 2, "service_radius_m": 3000,
         "package_fixed_cost": 90000, "cost_per_household": 280, "travel_cost_per_km": 2000,
         "min_margin": 0.05},
    ],
    "resources": [
        {"id": "R1", "name": "槟榔停车场", "kind": "parking", "lon": 118.1115, "lat": 24.4895,
         "annual_income": 60000, "max_distance_m": 1000},
    ],
    "locks": [
        {"community_id": "C04", "firm_id": "F2", "rule": "must"},
    ],
    "plans/manual": [
        {"community_id": "C01", "package_id": "M1", "firm_id": "F1"},
        {"community_id": "C02", "package_id": "M1", "firm_id": "F1"},
        {"community_id": "C03", "package_id": "M1", "firm_id": "F1"},
        {"community_id": "C04", "package_id": "M2", "firm_id": "F2"},
        {"community_id": "C05", "package_id": "M2", "firm_id": "F2"},
        {"community_id": "C06", "package_id": "M2", "firm_id": "F2"},
    ],
    "plans/manual_resources": [
        {"resource_id": "R1", "package_id": "M1"},
    ],
}  # fmt: skip


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass
class InstanceFiles:
    """An instance folder as data: ``toml`` text and ``tables`` (name -> rows).

    A table's columns are the keys of its first row, in order. ``xlsx`` names tables to write
    as ``.xlsx`` (one sheet named like the table) instead of CSV; ``encoding`` is the encoding
    of every CSV file (``"utf-8-sig"`` gives a BOM, ``"gbk"`` what Chinese Excel writes).
    """

    toml: str | None = TINY_TOML
    tables: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: copy.deepcopy(TINY_TABLES)
    )
    xlsx: set[str] = field(default_factory=set)
    encoding: str = "utf-8"
    # Header of each table when it has no rows left (an emptied table still has its header).
    headers: dict[str, list[str]] = field(
        default_factory=lambda: {name: list(rows[0]) for name, rows in TINY_TABLES.items()}
    )

    def columns(self, table: str) -> list[str]:
        rows = self.tables[table]
        return list(rows[0]) if rows else list(self.headers.get(table, []))

    def set(self, table: str, row: int, column: str, value: Any) -> None:
        """Set one cell (``row`` is the 0-based index of the data row)."""
        self.tables[table][row][column] = value

    def drop_column(self, table: str, column: str) -> None:
        for r in self.tables[table]:
            r.pop(column, None)

    def csv_text(self, table: str) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        cols = self.columns(table)
        w.writerow(cols)
        for r in self.tables[table]:
            w.writerow([_cell(r.get(c)) for c in cols])
        return buf.getvalue()

    def write(self, folder: Path) -> Path:
        """Write the instance into ``folder`` (created if needed) and return ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.toml is not None:
            (folder / "instance.toml").write_text(self.toml, encoding="utf-8")
        for name, rows in self.tables.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name in self.xlsx:
                self._write_xlsx(target.with_suffix(".xlsx"), name.split("/")[-1], rows)
            else:
                target.with_suffix(".csv").write_text(
                    self.csv_text(name), encoding=self.encoding, newline=""
                )
        return folder

    def _write_xlsx(self, path: Path, sheet: str, rows: list[dict[str, Any]]) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = sheet
        cols = list(rows[0]) if rows else []
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
        wb.save(path)


@pytest.fixture(autouse=True)
def english_unless_a_test_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are asserted in English: a developer's Chinese locale must not change them."""
    monkeypatch.setenv("LANGUAGE", "en")


@pytest.fixture
def tiny_files() -> InstanceFiles:
    """A fresh, editable copy of the tiny valid instance (nothing written yet)."""
    return InstanceFiles()


@pytest.fixture
def write_instance(tmp_path: Path) -> Callable[[InstanceFiles], Path]:
    """Write an :class:`InstanceFiles` to ``tmp_path/instance`` and return the folder."""

    def write(files: InstanceFiles) -> Path:
        return files.write(tmp_path / "instance")

    return write


@pytest.fixture
def tiny_instance(
    tiny_files: InstanceFiles, write_instance: Callable[[InstanceFiles], Path]
) -> Path:
    """The tiny valid instance written to disk (folder path)."""
    return write_instance(tiny_files)
