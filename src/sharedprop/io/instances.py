"""Load an instance folder (``instance.toml`` + CSV/XLSX tables) into a validated :class:`Instance`.

The folder format is the contract in ``DESIGN.md``. Every value is typed and checked, and all
problems found in all files are reported together in one :class:`InstanceError`, each naming
file, row, column and id (``communities.csv row 14 (id C013): households must be > 0, got -3``;
row numbers as Excel shows them, see :mod:`sharedprop.io.tables`).

Decisions worth knowing:

- unknown keys in ``[policy]`` or ``[objective]`` are **errors** (a misspelt limit would
  otherwise be silently ignored and change the optimum), with the closest known key suggested;
  a policy or objective key written at the top level (above its table) is an error too; other
  unknown top-level keys and tables are ignored, so an instance may carry its own metadata;
- unknown extra columns in a table are ignored; optional columns may be absent or empty;
- ``name`` defaults to the folder name; ``distance``/``coordinates`` values are matched
  ignoring case and dashes (``WGS-84`` is ``wgs84``);
- ``coordinates = "gcj02"`` / ``"bd09"`` points and polygons are converted to WGS-84 on load;
  the returned instance holds WGS-84 only and says ``coordinates = "wgs84"``;
- ``locks.csv`` that contradict each other (``must`` and ``forbid`` for one pair, or ``must``
  for two firms) are errors: no plan could obey them;
- ``communities`` and ``firms`` must each have at least one row.

Only the fixed file names inside the folder are read, never a path written in a file; a file that
resolves outside the folder (a symbolic link) is refused; nothing is executed or unpickled.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from sharedprop.data import Instance
from sharedprop.errors import InstanceError
from sharedprop.i18n import use_language
from sharedprop.io.frames import build_instance, table_frame
from sharedprop.io.schema import INSTANCE_KEYS, REQUIRED_TABLES, TABLES
from sharedprop.io.settings import OBJECTIVE_FIELDS, POLICY_FIELDS
from sharedprop.io.source import Source
from sharedprop.io.tables import read_table, safe_file
from sharedprop.io.workbook import load_workbook_instance

INSTANCE_TOML = "instance.toml"
PLANS_DIR = "plans"
WORKBOOK_SUFFIX = ".xlsx"


# -- instance.toml -------------------------------------------------------------------------------


def _read_toml(root: Path, problems: list[str]) -> dict[str, Any] | None:
    path = root / INSTANCE_TOML
    if not path.exists() and not path.is_symlink():
        problems.append(
            f"{INSTANCE_TOML} is missing in {root}; create it with at least: "
            'name = "my-street", distance = "haversine", coordinates = "wgs84"'
        )
        return None
    real = safe_file(root, path, INSTANCE_TOML, problems)
    if real is None:
        return None
    data = real.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            problems.append(f"{INSTANCE_TOML} is not UTF-8 text; save it as UTF-8")
            return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        lines = text.splitlines()
        shown = ""
        if found and 0 < int(found[1]) <= len(lines):
            shown = f" Line {found[1]} reads: {lines[int(found[1]) - 1].strip()!r}."
        problems.append(
            f"{INSTANCE_TOML} is not valid TOML: {exc}.{shown} Fix that line; text values need "
            'quotes (name = "xiamen-pilot"), tables are written [policy], true/false are lower case'
        )
        return None


def _table(raw: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{INSTANCE_TOML}: {key} must be a table written [{key}], got {value!r}")
        return {}
    return value


def _toml_settings(
    root: Path, raw: dict[str, Any], problems: list[str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The TOML's instance keys, ``[policy]`` and ``[objective]``; TOML-only checks here, the
    values are checked by :func:`sharedprop.io.settings.read_settings`."""
    for key in raw:
        if key in POLICY_FIELDS or key in OBJECTIVE_FIELDS:
            table = "policy" if key in POLICY_FIELDS else "objective"
            problems.append(
                f"{INSTANCE_TOML}: {key} is a [{table}] key but is written above the [{table}] "
                f"line; move it below [{table}]"
            )
    name = raw.get("name", root.name)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{INSTANCE_TOML}: name must be a non-empty text in quotes, got {name!r}")
        name = root.name
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.append(f"{INSTANCE_TOML}: description must be text in quotes, got {description!r}")
        description = ""
    instance = {k: raw[k] for k in INSTANCE_KEYS if k in raw}
    instance |= {"name": name, "description": description}
    return instance, _table(raw, "policy", problems), _table(raw, "objective", problems)


def _folder_source(root: Path, files: dict[str, str]) -> Source:
    """Tables named by their file (``communities.xlsx`` if that is what was read)."""
    return Source(
        tables={name: files.get(name, f"{name}.csv") for name in TABLES},
        settings={
            "instance": INSTANCE_TOML,
            "policy": f"{INSTANCE_TOML} [policy]",
            "objective": f"{INSTANCE_TOML} [objective]",
        },
        spreadsheet_rows=True,
        path=root,
    )


# -- the entry points ----------------------------------------------------------------------------


def _resolve_root(path: str | Path) -> Path:
    p = Path(path)
    if p.is_file() and p.name.lower() == INSTANCE_TOML:
        p = p.parent
    if not p.exists():
        raise InstanceError(
            f"instance folder {p} does not exist; give the path of the folder "
            f"that holds {INSTANCE_TOML} and communities.csv"
        )
    if not p.is_dir():
        raise InstanceError(
            f"{p} is not a folder; give the instance folder that holds "
            f"{INSTANCE_TOML} and communities.csv"
        )
    return p.resolve()


def load_folder(root: Path, *, graph: nx.Graph | None = None) -> Instance:
    """Read the instance folder ``root`` (``instance.toml`` and CSV or XLSX tables)."""
    problems: list[str] = []
    raw = _read_toml(root, problems)
    settings: tuple[dict[str, Any], ...] = ({"name": root.name}, {}, {})
    if raw is not None:
        settings = _toml_settings(root, raw, problems)
    frames: dict[str, pd.DataFrame | None] = {}
    files: dict[str, str] = {}
    for name, (columns, _) in TABLES.items():
        table = read_table(root, name, columns, problems, required=name in REQUIRED_TABLES)
        if table is not None:
            files[name] = table.file
        frames[name] = table_frame(table)
    source = _folder_source(root, files)
    return build_instance(frames, *settings, source, problems, graph=graph, default_name=root.name)


def load_instance(
    path: str | Path, *, graph: nx.Graph | None = None, lang: str | None = None
) -> Instance:
    """Read an instance: a folder (``instance.toml`` and CSV/XLSX tables) or one ``.xlsx``.

    Parameters
    ----------
    path
        The instance folder (or its ``instance.toml``), or a workbook ending in ``.xlsx`` with
        sheets ``communities`` and ``firms``, optionally ``resources``, ``edges``, ``locks``, and
        key/value sheets ``instance``, ``policy``, ``objective``
        (:mod:`sharedprop.io.workbook`).
    graph
        Replaces the proximity graph built from ``edges`` or ``link_max_m``: its nodes must be
        community ids (communities it lacks are added as isolated nodes); an edge may carry a
        ``distance_m`` attribute.
    lang
        Language of the error messages: ``"en"`` or ``"zh"``; None: the current language
        (:mod:`sharedprop.i18n`).

    Returns
    -------
    Instance
        The frozen, validated instance.

    Raises
    ------
    InstanceError
        Listing every problem found, each naming file or sheet, row, column and value.
    """
    with use_language(lang):
        p = Path(path)
        if p.suffix.lower() == WORKBOOK_SUFFIX and not p.is_dir():
            return load_workbook_instance(p, graph=graph)
        return load_folder(_resolve_root(p), graph=graph)


def list_plan_files(instance_or_path: Instance | str | Path) -> list[Path]:
    """The manual plans in ``<instance>/plans/`` (``*.csv``, ``*.xlsx``), sorted by name.

    A workbook instance has none.

    ``*_resources.csv|xlsx`` companions, hidden files and Excel's ``~$`` lock files are left out;
    so is anything that resolves outside the instance folder.
    """
    if isinstance(instance_or_path, Instance):
        if instance_or_path.path is None:
            return []
        root = Path(instance_or_path.path)
    elif Path(instance_or_path).suffix.lower() == WORKBOOK_SUFFIX:
        return []  # a workbook instance has no plans folder
    else:
        root = _resolve_root(instance_or_path)
    if not root.is_dir():
        return []
    plans = root / PLANS_DIR
    if not plans.is_dir():
        return []
    out = []
    ignored: list[str] = []
    for p in sorted(plans.iterdir(), key=lambda q: q.name):
        stem, suffix = p.stem.lower(), p.suffix.lower()
        if suffix not in (".csv", ".xlsx") or p.name.startswith((".", "~$")):
            continue
        if stem.endswith("_resources"):
            continue
        if safe_file(root, p, f"{PLANS_DIR}/{p.name}", ignored) is not None:
            out.append(p)
    return out
