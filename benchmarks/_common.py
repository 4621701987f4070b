"""What every benchmark writes the same way: the machine line, rounded cells, CSV files.

One copy, so that every results file names its machine in the same words and a row written by
one runner reads like a row written by another.
"""

from __future__ import annotations

import csv
import os
import platform
from collections.abc import Iterable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    """Where a result was measured: platform, CPU count, Python and OR-Tools versions."""
    return (
        f"{platform.system()} {platform.machine()}; {os.cpu_count() or 0} cpu; "
        f"python {platform.python_version()}; ortools {version('ortools')}"
    )


def csv_value(value: float | None, digits: int = 2) -> float | str:
    """A number rounded for a results file, or an empty cell for None."""
    return "" if value is None else round(float(value), digits)


def wanted(only: Sequence[str] | None, *names: str) -> bool:
    """Whether ``--only`` (None: everything) asks for an item known by any of ``names``."""
    return not only or any(name in only for name in names)


def write_rows(
    path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None
) -> Path:
    """``rows`` as a CSV file at ``path`` (its folder made if needed), written whole or not at all.

    ``columns`` defaults to the first row's keys; cells of other keys are left out. The file is
    written beside its target and then renamed, so a reader never sees half a file.
    """
    rows = list(rows)
    fields = list(columns if columns is not None else rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    partial.replace(path)
    return path
