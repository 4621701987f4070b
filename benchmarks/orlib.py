"""Readers for the OR-Library families, where to find their files, and their known values.

The files live outside the repository (they are never committed), in the first of
:data:`DATA_DIRS` that holds the family: ``../shared/benchmarks/orlib`` beside the checkout, or
``benchmarks/data/orlib``, where ``python -m benchmarks.fetch`` downloads them. Each family's
format, as the readers follow it literally:

* ``gap/``: one stream of integers. OR-Library files start with the number of blocks P, type E
  files hold one block without it. A block is ``m n``, the m×n cost matrix, the m×n weight
  matrix (both agent-major) and the m capacities. The file must end right after the last block.
* ``cpmp/``: integers; an optional leading problem count, then per problem ``no best``,
  ``n p Q`` and n rows ``id x y demand``. Files have CRLF line endings and no final newline.
  Distances are ⌊Euclidean⌋, the convention of the recorded optima.
* Lorena–Senne layout (the SJC and p3038 families, and the generated instances of
  ``benchmarks.generate_cpmp``): a first line ``n p``, then n lines ``x y capacity demand``;
  coordinates may be real, capacity and demand are whole; distances are real Euclidean (not
  truncated). Every point must have the same capacity, the clustering model's one ``Q``.
* ``sscflp/``: tokens may end in a dot (``49.``) and files may be padded with NUL bytes; exactly
  ``2 + 2m + n + m·n`` tokens are read and anything after them is ignored (``p47`` has junk).

Every reader reports a malformed file with :class:`~sharedprop.errors.InstanceError` naming the
file and the token position. Known values come from the family's ``KNOWN.md`` tables when the
folder has one (parsed, never hard-coded, so that a value added there shows up in the results),
else from ``benchmarks/known.csv``, the same values with their sources.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks._common import ROOT
from sharedprop.errors import InstanceError

FAMILIES = ("gap", "cpmp", "sscflp")
SHARED_DATA = ROOT.parent / "shared" / "benchmarks" / "orlib"
FETCHED_DATA = ROOT / "benchmarks" / "data" / "orlib"
DATA_DIRS = (SHARED_DATA, FETCHED_DATA)
KNOWN_CSV = ROOT / "benchmarks" / "known.csv"
HOW_TO_GET = (
    "run `python -m benchmarks.fetch` to download them into benchmarks/data/orlib, "
    "or pass --data FOLDER (a folder holding gap/, cpmp/ and sscflp/)"
)


class MissingData(InstanceError):
    """No folder holds a family's OR-Library files; the message says how to get them."""


def family_dir(family: str, data: Path | None = None, dirs: Sequence[Path] | None = None) -> Path:
    """The folder of ``family``'s files: ``data/family`` if ``data`` is given, else the first of
    ``dirs`` (default :data:`DATA_DIRS`) that holds the family.

    Raises :class:`MissingData`, whose message says how to get the files, when there is none.
    """
    candidates = [Path(data)] if data is not None else list(DATA_DIRS if dirs is None else dirs)
    for folder in candidates:
        if (folder / family).is_dir():
            return folder / family
    where = " or ".join(str(folder / family) for folder in candidates)
    raise MissingData(f"no OR-Library {family} files in {where}: {HOW_TO_GET}")


# -- tokens ---------------------------------------------------------------------------------------
class _Tokens:
    """A cursor over a file's whitespace-separated tokens that names the file in its errors."""

    def __init__(self, text: str, source: str, *, allow_trailing_dot: bool = False):
        self.source = source
        self.items = text.replace("\x00", " ").split()
        self.pos = 0
        self.allow_trailing_dot = allow_trailing_dot

    def __len__(self) -> int:
        return len(self.items)

    @property
    def remaining(self) -> int:
        return len(self.items) - self.pos

    def _convert(self, token: str, index: int) -> int:
        text = token
        if self.allow_trailing_dot:
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if math.isfinite(value) and value == int(value):
                return int(value)
        elif re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise InstanceError(f"{self.source}: token {index + 1} is {token!r}, expected an integer")

    def take(self, count: int, what: str) -> np.ndarray:
        if count < 0 or self.remaining < count:
            raise InstanceError(
                f"{self.source}: file ends after {len(self.items)} tokens while reading {what} "
                f"(needed {count} more from token {self.pos + 1})"
            )
        start = self.pos
        values = [
            self._convert(t, start + k) for k, t in enumerate(self.items[start : start + count])
        ]
        self.pos += count
        return np.asarray(values, dtype=np.int64)

    def one(self, what: str) -> int:
        return int(self.take(1, what)[0])


# -- generalized assignment -----------------------------------------------------------------------
@dataclass(frozen=True)
class GapInstance:
    """One GAP block: ``cost[i, j]`` and ``weight[i, j]`` of giving job j to agent i (m×n)."""

    name: str
    cost: np.ndarray
    weight: np.ndarray
    capacity: np.ndarray

    @property
    def m(self) -> int:
        return int(self.cost.shape[0])

    @property
    def n(self) -> int:
        return int(self.cost.shape[1])


def _gap_block(tokens: _Tokens, name: str) -> GapInstance:
    m = tokens.one(f"{name}: m")
    n = tokens.one(f"{name}: n")
    if m <= 0 or n <= 0:
        raise InstanceError(f"{tokens.source}: {name} has m={m}, n={n}; both must be positive")
    cost = tokens.take(m * n, f"{name}: cost matrix").reshape(m, n)
    weight = tokens.take(m * n, f"{name}: weight matrix").reshape(m, n)
    capacity = tokens.take(m, f"{name}: capacities")
    return GapInstance(name, cost, weight, capacity)


def _gap_block_sizes(items: list[str], start: int) -> int | None:
    """Token count of the block at ``start``, or None if its header is not two positive ints."""
    try:
        m, n = int(items[start]), int(items[start + 1])
    except (IndexError, ValueError):
        return None
    return 2 + 2 * m * n + m if m > 0 and n > 0 else None


def parse_gap(text: str, stem: str, source: str | None = None) -> list[GapInstance]:
    """Parse a GAP file; blocks are named ``<stem>-<k>`` after a count, else ``<stem>``."""
    tokens = _Tokens(text, source or stem)
    items = tokens.items
    if not items:
        raise InstanceError(f"{tokens.source}: the file is empty")
    # A single block (type E) has exactly 2 + 2mn + m tokens; otherwise the first token is P.
    if _gap_block_sizes(items, 0) == len(items):
        return [_gap_block(tokens, stem)]
    count = tokens.one("the number of problems")
    blocks = [_gap_block(tokens, f"{stem}-{k}") for k in range(1, count + 1)]
    if tokens.remaining:
        raise InstanceError(
            f"{tokens.source}: {tokens.remaining} tokens left after {count} problems "
            f"(the file must end after the last block)"
        )
    return blocks


def read_gap(path: Path) -> list[GapInstance]:
    path = Path(path)
    return parse_gap(path.read_text(encoding="ascii", errors="replace"), path.stem, path.name)


# -- capacitated p-median -------------------------------------------------------------------------
# Real distances are scaled by this and rounded to integers for the models (two decimals, as
# the Lorena–Senne results are published); objectives are divided back by it in the results.
REAL_DISTANCE_SCALE = 100


@dataclass(frozen=True)
class CpmpInstance:
    """One capacitated p-median problem: points (n×2), demands, p medians of capacity Q.

    ``recorded`` is the ``best`` field of an OR-Library file (not used as the truth; the runner
    reads known values from ``KNOWN.md``), None for the Lorena–Senne layout. ``real`` says
    distances are real Euclidean (Lorena–Senne) rather than truncated (Osman–Christofides).
    """

    name: str
    xy: np.ndarray
    demand: np.ndarray
    p: int
    capacity: int
    recorded: int | None
    real: bool = False

    @property
    def n(self) -> int:
        return int(self.demand.shape[0])

    @property
    def scale(self) -> int:
        """What :meth:`costs` multiplies distances by (1 for truncated distances)."""
        return REAL_DISTANCE_SCALE if self.real else 1

    def costs(self) -> np.ndarray:
        """The integer cost matrix the models see: :meth:`distances` × :attr:`scale`, rounded."""
        if not self.real:
            return self.distances()
        return np.rint(self.distances() * self.scale).astype(np.int64)

    def distances(self) -> np.ndarray:
        """Real Euclidean distances (``real``), else ⌊Euclidean distance⌋, the convention
        under which the recorded Osman–Christofides optima hold."""
        if self.real:
            diff = self.xy[:, None, :].astype(float) - self.xy[None, :, :].astype(float)
            return np.sqrt((diff**2).sum(axis=2))
        diff = self.xy[:, None, :] - self.xy[None, :, :]
        squared = (diff**2).sum(axis=2)
        dist = np.floor(np.sqrt(squared.astype(np.float64))).astype(np.int64)
        # sqrt of a perfect square is exact in IEEE doubles, but guard the floor anyway.
        dist -= (dist * dist > squared).astype(np.int64)
        dist += ((dist + 1) * (dist + 1) <= squared).astype(np.int64)
        return dist


def _cpmp_block(tokens: _Tokens, name: str) -> CpmpInstance:
    tokens.one(f"{name}: the problem number")
    best = tokens.one(f"{name}: the recorded best value")
    n = tokens.one(f"{name}: n")
    p = tokens.one(f"{name}: p")
    capacity = tokens.one(f"{name}: Q")
    if n <= 0 or not 0 < p <= n or capacity <= 0:
        raise InstanceError(f"{tokens.source}: {name} has n={n}, p={p}, Q={capacity}")
    rows = tokens.take(4 * n, f"{name}: point rows").reshape(n, 4)
    expected = np.arange(1, n + 1)
    if not np.array_equal(rows[:, 0], expected):
        bad = int(np.flatnonzero(rows[:, 0] != expected)[0])
        raise InstanceError(
            f"{tokens.source}: {name} point row {bad + 1} has id {rows[bad, 0]}, expected {bad + 1}"
        )
    return CpmpInstance(name, rows[:, 1:3].copy(), rows[:, 3].copy(), p, capacity, best)


def _cpmp_blocks_fit(items: list[str], start: int, count: int | None) -> bool:
    """Whether problems laid out from ``start`` end exactly at the end of the file."""
    pos, seen = start, 0
    while pos < len(items) and (count is None or seen < count):
        try:
            n = int(items[pos + 2])
        except (IndexError, ValueError):
            return False
        if n <= 0:
            return False
        pos += 5 + 4 * n
        seen += 1
    return pos == len(items) and (count is None or seen == count)


def _is_lorena_senne(items: list[str]) -> bool:
    """``n p`` and then exactly n rows of four numbers."""
    try:
        n, p = int(items[0]), int(items[1])
    except (IndexError, ValueError):
        return False
    return 0 < p <= n and len(items) == 2 + 4 * n


def parse_lorena_senne(text: str, name: str, source: str | None = None) -> CpmpInstance:
    """Parse one problem of the Lorena–Senne layout (``n p``, then ``x y capacity demand``)."""
    source = source or name
    lines = [line.split() for line in text.replace("\x00", " ").splitlines()]
    rows = [(k + 1, line) for k, line in enumerate(lines) if line]
    if not rows or len(rows[0][1]) != 2:
        raise InstanceError(f"{source}: line 1 must be 'n p' (two whole numbers)")
    first, header = rows[0]
    n, p = (_whole(source, first, column, text) for column, text in enumerate(header, 1))
    if n <= 0 or not 0 < p <= n:
        raise InstanceError(f"{source}: line {first} gives n={n}, p={p}; need 0 < p <= n")
    points = rows[1:]
    if len(points) != n:
        raise InstanceError(f"{source}: {len(points)} point lines after line {first}, expected {n}")
    xy = np.zeros((n, 2))
    capacity = np.zeros(n, dtype=np.int64)
    demand = np.zeros(n, dtype=np.int64)
    for k, (number, row) in enumerate(points):
        if len(row) != 4:
            raise InstanceError(
                f"{source}: line {number} has {len(row)} values, expected 'x y capacity demand'"
            )
        xy[k] = [_real(source, number, column, row[column - 1]) for column in (1, 2)]
        capacity[k] = _whole(source, number, 3, row[2])
        demand[k] = _whole(source, number, 4, row[3])
    if (demand < 0).any() or (capacity <= 0).any():
        bad = int(np.flatnonzero((demand < 0) | (capacity <= 0))[0])
        raise InstanceError(
            f"{source}: line {points[bad][0]} has capacity {capacity[bad]} and demand "
            f"{demand[bad]}; capacity must be positive and demand non-negative"
        )
    if (capacity != capacity[0]).any():
        bad = int(np.flatnonzero(capacity != capacity[0])[0])
        raise InstanceError(
            f"{source}: line {points[bad][0]} column 3 has capacity {capacity[bad]}, line "
            f"{points[0][0]} has {capacity[0]}: the clustering model takes one capacity for all"
        )
    return CpmpInstance(name, xy, demand, p, int(capacity[0]), None, real=True)


def _real(source: str, line: int, column: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InstanceError(f"{source}: line {line} column {column} is {text!r}, not a number")
    return value


def _whole(source: str, line: int, column: int, text: str) -> int:
    value = _real(source, line, column, text)
    if value != int(value):
        raise InstanceError(f"{source}: line {line} column {column} is {text!r}, not whole")
    return int(value)


def parse_cpmp(text: str, stem: str, source: str | None = None) -> list[CpmpInstance]:
    """Parse a CPMP file, one problem (named ``stem``) or several (``<stem>-<no>``), in the
    OR-Library layout or (one problem, named ``stem``) the Lorena–Senne layout."""
    tokens = _Tokens(text, source or stem)
    items = tokens.items
    if not items:
        raise InstanceError(f"{tokens.source}: the file is empty")
    if _is_lorena_senne(items):
        return [parse_lorena_senne(text, stem, tokens.source)]
    has_count = False
    if not _cpmp_blocks_fit(items, 0, None):
        try:
            count = int(items[0])
        except ValueError:
            count = -1
        if count <= 0 or not _cpmp_blocks_fit(items, 1, count):
            raise InstanceError(
                f"{tokens.source}: {len(items)} tokens do not form CPMP problems "
                f"(no best / n p Q / n rows of id x y demand), with or without a leading count"
            )
        has_count = True
        tokens.one("the number of problems")
    single = not has_count and 5 + 4 * int(items[2]) == len(items)
    problems: list[CpmpInstance] = []
    while tokens.remaining:
        name = stem if single else f"{stem}-{len(problems) + 1}"
        problems.append(_cpmp_block(tokens, name))
    return problems


def read_cpmp(path: Path) -> list[CpmpInstance]:
    path = Path(path)
    return parse_cpmp(path.read_text(encoding="ascii", errors="replace"), path.stem, path.name)


# -- single-source capacitated facility location -------------------------------------------------
@dataclass(frozen=True)
class SscflpInstance:
    """Holmberg instance: m facilities (capacity, fixed cost), n customers, cost[j, i] (m×n)."""

    name: str
    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    cost: np.ndarray

    @property
    def m(self) -> int:
        return int(self.capacity.shape[0])

    @property
    def n(self) -> int:
        return int(self.demand.shape[0])


def parse_sscflp(text: str, name: str, source: str | None = None) -> SscflpInstance:
    tokens = _Tokens(text, source or name, allow_trailing_dot=True)
    m = tokens.one("m")
    n = tokens.one("n")
    if m <= 0 or n <= 0:
        raise InstanceError(f"{tokens.source}: m={m}, n={n}; both must be positive")
    facilities = tokens.take(2 * m, "facility rows (capacity, fixed cost)").reshape(m, 2)
    demand = tokens.take(n, "demands")
    cost = tokens.take(m * n, "the facility-major cost matrix").reshape(m, n)
    # Tokens after the matrix are ignored on purpose: KNOWN.md documents junk in p47.
    return SscflpInstance(name, facilities[:, 0].copy(), facilities[:, 1].copy(), demand, cost)


def read_sscflp(path: Path) -> SscflpInstance:
    path = Path(path)
    return parse_sscflp(path.read_text(encoding="latin-1"), path.stem, path.name)


# -- which files --------------------------------------------------------------------------------
def instance_files(folder: Path) -> list[Path]:
    """Every instance file in a family folder: all regular files but Markdown and hidden ones."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InstanceError(f"{folder}: no such benchmark folder")
    files = [
        f
        for f in folder.iterdir()
        if f.is_file() and not f.name.startswith(".") and f.suffix.lower() != ".md"
    ]
    return sorted(files, key=lambda f: _natural_key(f.name))


def _natural_key(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


# -- KNOWN.md -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Known:
    """A known value: ``proven`` False when KNOWN.md gives it only as a best-known upper bound."""

    value: int
    proven: bool


def markdown_tables(text: str) -> Iterator[list[dict[str, str]]]:
    """Each pipe table in ``text`` as a list of rows keyed by the (stripped) header cells."""
    lines = text.splitlines()
    k = 0
    while k < len(lines):
        header = lines[k].strip()
        separator = lines[k + 1].strip() if k + 1 < len(lines) else ""
        if header.startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", separator):
            names = _cells(header)
            rows = []
            k += 2
            while k < len(lines) and lines[k].strip().startswith("|"):
                cells = _cells(lines[k])
                rows.append(dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=True)))
                k += 1
            yield rows
        else:
            k += 1


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _int(text: str) -> int | None:
    match = re.fullmatch(r"\*{0,2}(-?\d+)\*{0,2}", text.strip())
    return int(match.group(1)) if match else None


def parse_known(family: str, text: str) -> dict[str, Known]:
    """Known minimisation values by instance name (the names the readers give)."""
    known: dict[str, Known] = {}
    for rows in markdown_tables(text):
        if not rows:
            continue
        columns = list(rows[0])
        if family == "gap":
            known.update(_known_gap(columns, rows))
        elif family == "cpmp":
            value_col = next((c for c in columns if c.lower().startswith("optimal")), None)
            if columns[0] == "file" and value_col:
                known.update(_known_simple(rows, "file", value_col))
        elif family == "sscflp":
            if columns[0] == "inst" and "optimal" in columns:
                known.update(_known_simple(rows, "inst", "optimal"))
        else:
            raise ValueError(f"unknown family {family!r}")
    return known


def _known_simple(rows: list[dict[str, str]], key: str, value: str) -> dict[str, Known]:
    out = {}
    for row in rows:
        number = _int(row[value])
        if row[key] and number is not None:
            out[row[key]] = Known(number, True)
    return out


def _known_gap(columns: list[str], rows: list[dict[str, str]]) -> dict[str, Known]:
    out: dict[str, Known] = {}
    per_k = [c for c in columns if re.fullmatch(r"k=\d+ max/min", c)]
    if per_k:  # gap1–12: "max / min" per block, minimisation is the second number
        for row in rows:
            stem = row[columns[0]].split()[0]
            for col in per_k:
                k = int(col[2:].split()[0])
                parts = [_int(p) for p in row[col].split("/")]
                if len(parts) == 2 and parts[1] is not None:
                    out[f"{stem}-{k}"] = Known(parts[1], True)
        return out
    if "where" in columns and "best known (UB)" in columns:  # types A–E
        for row in rows:
            where = row["where"].split()
            value = _int(row["best known (UB)"])
            if not where or value is None:
                continue
            stem = Path(where[0]).stem
            name = f"{stem}-{where[1].lstrip('#')}" if len(where) > 1 else stem
            out[name] = Known(value, row.get("status", "").startswith("optimal"))
    return out


def read_known(folder: Path, family: str, fallback: Path = KNOWN_CSV) -> dict[str, Known]:
    """Known values by instance name: the folder's ``KNOWN.md`` if it has one, else the rows of
    ``fallback`` (columns family, instance, value, proven, source) for ``family``."""
    path = Path(folder) / "KNOWN.md"
    if path.is_file():
        return parse_known(family, path.read_text(encoding="utf-8"))
    if not fallback.is_file():
        return {}
    with fallback.open(encoding="utf-8", newline="") as handle:
        return {
            row["instance"]: Known(int(row["value"]), row["proven"] == "True")
            for row in csv.DictReader(handle)
            if row["family"] == family
        }
