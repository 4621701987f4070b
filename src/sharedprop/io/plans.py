"""Read and write plan files: ``community_id,package_id,firm_id[,hub_id]`` plus a companion.

A plan file (CSV or XLSX) has one row per community; an empty ``package_id`` (or no row) means
the community is uncovered. Bundled resources live beside it in ``<stem>_resources.csv`` (or
``.xlsx``) with columns ``resource_id,package_id``.

:func:`write_plan` writes rows in the plan's own order (packages, then members, as they stand),
so a written plan reads back equal to the plan (its name becomes the file's stem) and the same
plan always gives the same bytes. Callers whose plans come out in an arbitrary order (sets,
hash order) pass them through :func:`canonical_plan` first: packages, members and resources
sorted by id, digits compared as numbers so P2 < P10. Files are UTF-8 with BOM (Excel then shows
Chinese correctly) and are written atomically: a temporary file in the same folder, then
``os.replace``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from sharedprop.data import Instance
from sharedprop.errors import PlanError
from sharedprop.io.tables import Cells, Table, read_table_file, row_note
from sharedprop.plan import Package, Plan

PLAN_COLUMNS = ("community_id", "package_id", "firm_id")
PLAN_WRITE_COLUMNS = (*PLAN_COLUMNS, "hub_id")
RESOURCE_COLUMNS = ("resource_id", "package_id")
RESOURCES_SUFFIX = "_resources"


def natural_key(text: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Sort key comparing runs of digits as numbers: ``C2 < C10``."""
    parts = tuple(
        (0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p != ""
    )
    return parts, text


def companion_path(path: str | Path) -> Path | None:
    """The existing ``<stem>_resources.csv`` (or ``.xlsx``) beside ``path``, if any."""
    path = Path(path)
    for suffix in (".csv", ".xlsx"):
        p = path.with_name(f"{path.stem}{RESOURCES_SUFFIX}{suffix}")
        if p.is_file():
            return p
    return None


def _raise(problems: list[str]) -> None:
    if problems:
        raise PlanError(problems, note=row_note(problems))


def _read(path: Path, name: str, columns: tuple[str, ...], problems: list[str]) -> Table | None:
    if not path.exists():
        problems.append(f"plan file {path} does not exist; check the path")
        return None
    if not path.is_file():
        problems.append(f"{path} is not a file; give the path of a plan CSV or XLSX file")
        return None
    return read_table_file(path, name, columns, problems)


def read_plan(path: str | Path, instance: Instance | None = None) -> Plan:
    """Read a plan CSV/XLSX and its ``_resources`` companion.

    Parameters
    ----------
    path
        The plan file, columns ``community_id,package_id,firm_id[,hub_id]``; bundled resources
        are read from ``<stem>_resources.csv`` (or ``.xlsx``) beside it when that exists.
    instance
        When given, ids the instance does not have are rejected too.

    Returns
    -------
    Plan
        Named after the file's stem. Rules a plan may break (capacity, radius, …) are not
        checked here: that is :func:`sharedprop.evaluate`'s business.

    Raises
    ------
    PlanError
        Naming file, row and column: missing columns, an empty ``community_id``, a package
        without ``firm_id``, a package listed with two different firms or hubs, a community
        listed twice with different packages, a resource listed twice or for a package the plan
        does not have.
    """
    path = Path(path)
    problems: list[str] = []
    table = _read(path, path.stem.lower(), PLAN_COLUMNS, problems)
    _raise(problems)
    assert table is not None
    cids = set(instance.community_index) if instance else None
    fids = set(instance.firm_index) if instance else None
    rids = set(instance.resource_index) if instance else None
    has_hub = table.has("hub_id")

    rows: list[tuple[str, str, str, str | None]] = []
    package_of: dict[str, tuple[str, int]] = {}  # community -> (package or "", row)
    firm_of: dict[str, tuple[str, int]] = {}
    hub_of: dict[str, tuple[str, int]] = {}
    for row in table.rows:
        cid = row.get("community_id")
        cells = Cells(table.where(row, cid or None), row, problems)
        if not cid:
            cells.add("community_id is empty; fill in the community's id or delete the row")
            continue
        pid, fid = row.get("package_id"), row.get("firm_id")
        hid = row.get("hub_id") if has_hub else ""
        if cids is not None and cid not in cids:
            cells.add(
                f"community_id {cid!r} is not a community of instance {instance.name}; "
                "correct the id or delete the row"
            )
        if cid in package_of:
            prev, prev_row = package_of[cid]
            if prev != pid:
                shown = [f"package {p}" if p else "no package" for p in (prev, pid)]
                cells.add(
                    f"community {cid} is listed twice, with {shown[0]} on row {prev_row} and "
                    f"{shown[1]} here (package_id); a community is in one package: keep one row"
                )
            continue
        package_of[cid] = (pid, row.number)
        if not pid:
            continue
        if not fid:
            cells.add(f"firm_id is empty for package {pid}; fill in the firm that runs it")
            continue
        if fids is not None and fid not in fids:
            cells.add(f"firm_id {fid!r} is not a firm of instance {instance.name}; correct the id")
        if pid in firm_of and firm_of[pid][0] != fid:
            cells.add(
                f"firm_id {fid!r} differs from {firm_of[pid][0]!r} given for package {pid} on row "
                f"{firm_of[pid][1]}; a package has one firm: use one firm_id for all its rows"
            )
        firm_of.setdefault(pid, (fid, row.number))
        if hid:
            if cids is not None and hid not in cids:
                cells.add(f"hub_id {hid!r} is not a community of instance {instance.name}")
            if pid in hub_of and hub_of[pid][0] != hid:
                cells.add(
                    f"hub_id {hid!r} differs from {hub_of[pid][0]!r} given for package {pid} on "
                    f"row {hub_of[pid][1]}; a package has one hub: use one hub_id (or leave "
                    "them empty)"
                )
            hub_of.setdefault(pid, (hid, row.number))
        rows.append((cid, pid, fid, hid or None))

    resources = _read_resources(path, set(firm_of), rids, instance, problems)
    _raise(problems)
    return Plan.from_assignments(rows, resources, name=path.stem)


def _read_resources(
    path: Path,
    packages: set[str],
    rids: set[str] | None,
    instance: Instance | None,
    problems: list[str],
) -> dict[str, str]:
    out: dict[str, str] = {}
    comp = companion_path(path)
    if comp is not None:
        table = read_table_file(comp, comp.stem.lower(), RESOURCE_COLUMNS, problems)
    elif path.suffix.lower() == ".xlsx":
        # The workbook sharedprop writes carries its bundled resources on a sheet of its own,
        # so a plan.xlsx copied away from its companion CSV still reads back whole.
        table = read_table_file(
            path, "resources", RESOURCE_COLUMNS, problems, named_sheet_only=True
        )
    else:
        return out
    if table is None:
        return out
    first_row: dict[str, int] = {}
    for row in table.rows:
        rid, pid = row.get("resource_id"), row.get("package_id")
        cells = Cells(table.where(row, rid or None), row, problems)
        if not rid:
            cells.add("resource_id is empty; fill in the resource's id or delete the row")
            continue
        if not pid:
            continue  # a resource no package takes, written out for completeness
        if rids is not None and rid not in rids:
            cells.add(f"resource_id {rid!r} is not a resource of instance {instance.name}")
        if pid not in packages:
            cells.add(
                f"package_id {pid!r} is not a package in {path.name}; bundle the resource "
                "into one of the plan's packages"
            )
        if rid in out:
            if out[rid] != pid:
                cells.add(
                    f"resource {rid} is listed twice, for package {out[rid]} on row "
                    f"{first_row[rid]} and package {pid} here; a resource goes to one package"
                )
            continue
        out[rid] = pid
        first_row[rid] = row.number
    return out


# -- writing -------------------------------------------------------------------------------------


def canonical_plan(plan: Plan) -> Plan:
    """``plan`` with packages, members and resources sorted by id (the order files are written)."""
    pkgs = sorted(plan.packages, key=lambda p: natural_key(p.id))
    return replace(
        plan,
        packages=tuple(
            Package(
                id=p.id,
                firm_id=p.firm_id,
                members=tuple(sorted(p.members, key=natural_key)),
                hub_id=p.hub_id,
                resources=tuple(sorted(p.resources, key=natural_key)),
            )
            for p in pkgs
        ),
    )


def _csv_text(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_plan(plan: Plan, path: str | Path) -> list[Path]:
    """Write ``plan`` to ``path`` and ``<stem>_resources.csv`` beside it.

    The companion is always written (header only when no resource is bundled) so that an old
    companion never lingers beside a new plan. Both files are complete or untouched: each is
    written to a temporary file in the same folder and then renamed over the target.

    Parameters
    ----------
    plan
        The plan to write; every package's hub is written when it has one.
    path
        The plan CSV (``community_id,package_id,firm_id,hub_id``); missing folders are made.

    Returns
    -------
    list of Path
        The plan file and its resources companion.

    Raises
    ------
    OSError
        When a file cannot be written; neither file is then changed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    companion = path.with_name(f"{path.stem}{RESOURCES_SUFFIX}.csv")
    plan_rows = [(m, p.id, p.firm_id, p.hub_id or "") for p in plan.packages for m in p.members]
    res_rows = [(r, p.id) for p in plan.packages for r in p.resources]
    texts = [
        (path, _csv_text(PLAN_WRITE_COLUMNS, plan_rows)),
        (companion, _csv_text(RESOURCE_COLUMNS, res_rows)),
    ]
    temps: list[tuple[str, Path]] = []
    try:
        for target, text in texts:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            temps.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a plan is meant to be shared
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [path, companion]
