"""One runner for every benchmark suite: ``python -m benchmarks.run SUITE [options]``.

Suites (each solves every instance file under ``DATA/<family>/``, through sharedprop's models):

* ``gap``    generalized assignment (``gap/``) →
:func:`sharedprop.models.classic.assignment.solve_assignment`
* ``cpmp``   capacitated p-median (``cpmp/``) →
:func:`sharedprop.models.classic.clustering.solve_clustering`
  with contiguity off, exactly p clusters, capacity Q, cost ⌊Euclidean distance⌋ (real
  distances × 100 for Lorena–Senne files)
* ``sscflp`` single-source facility location (``sscflp/``) → the engine's joint model
* ``cpmp-generated`` capacitated p-median instances written by :mod:`benchmarks.generate_cpmp`
  (Lorena–Senne layout, 400 points and 40 medians by default), solved like ``cpmp``
* ``peer``   the ``cpmp/`` instances with PySAL spopt's capacitated p-median (PuLP + CBC) next
  to ``solve_clustering``: both wall times and ours over theirs where both proved the same
  optimum
* ``manual`` manual plans against optimized plans, both scored by :func:`sharedprop.evaluate`

Each run prints a table and writes ``OUT/SUITE.csv``. ``seconds`` is the time at which the
final incumbent was found; ``wall_seconds`` is the whole call (the time to a proof when the
status is optimal). ``known`` comes from the family's ``KNOWN.md``, or ``benchmarks/known.csv``
where the folder has none (empty when not listed). The instance files are read from ``--data``
or, by default, the first of ``../shared/benchmarks/orlib`` and ``benchmarks/data/orlib`` that
holds the family (``python -m benchmarks.fetch`` fills the second).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import orlib
from benchmarks._common import ROOT, machine, wanted, write_rows

SUITES = ("gap", "cpmp", "cpmp-generated", "sscflp", "peer", "manual")
COLUMNS = [
    "instance",
    "file",
    "n",
    "m",
    "known",
    "known_proven",
    "objective",
    "bound",
    "status",
    "matches_known",
    "seconds",
    "wall_seconds",
    "time_limit",
    "workers",
    "seed",
    "machine",
    "notes",
]


@dataclass
class Row:
    instance: str
    file: str
    n: int
    m: int | None
    known: int | None
    known_proven: bool | None
    objective: int | float | None
    bound: int | float | None
    status: str
    seconds: float | None
    wall_seconds: float
    notes: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, options: argparse.Namespace, where: str) -> dict[str, Any]:
        matches = (
            None if self.known is None or self.objective is None else self.objective == self.known
        )
        out = {
            "instance": self.instance,
            "file": self.file,
            "n": self.n,
            "m": "" if self.m is None else self.m,
            "known": "" if self.known is None else self.known,
            "known_proven": "" if self.known_proven is None else self.known_proven,
            "objective": "" if self.objective is None else self.objective,
            "bound": "" if self.bound is None else self.bound,
            "status": self.status,
            "matches_known": "" if matches is None else matches,
            "seconds": "" if self.seconds is None else round(self.seconds, 3),
            "wall_seconds": round(self.wall_seconds, 3),
            "time_limit": options.time_limit,
            "workers": options.workers,
            "seed": options.seed,
            "machine": where,
            "notes": json.dumps(self.notes, sort_keys=True) if self.notes else "",
        }
        out.update(self.extra)
        return out


# -- suites ---------------------------------------------------------------------------------------
def _folder(options: argparse.Namespace, family: str) -> Path:
    """The family's folder: under ``--data`` if given, else the first default folder holding it."""
    return orlib.family_dir(family, options.data)


def _files(options: argparse.Namespace, family: str) -> Iterator[Path]:
    yield from orlib.instance_files(_folder(options, family))


def _known(options: argparse.Namespace, family: str) -> dict[str, orlib.Known]:
    return orlib.read_known(_folder(options, family), family)


def _wanted(options: argparse.Namespace, *names: str) -> bool:
    return wanted(options.only, *names)


def _row(
    name: str,
    path: Path,
    n: int,
    m: int,
    ref: orlib.Known | None,
    result: Any,
    wall: float,
    **fields: Any,
) -> Row:
    """A standard family's row: the known value from ``ref``; objective, bound, status and the
    time to the final incumbent from ``result`` unless ``fields`` give them."""
    values = {
        "objective": result.objective,
        "bound": result.bound,
        "status": result.status,
        "seconds": result.time_to_incumbent,
    }
    values.update(fields)
    return Row(
        name,
        path.name,
        n,
        m,
        None if ref is None else ref.value,
        None if ref is None else ref.proven,
        wall_seconds=wall,
        **values,
    )


def run_gap(options: argparse.Namespace) -> Iterator[Row]:
    from sharedprop.models.classic.assignment import solve_assignment

    known = _known(options, "gap")
    for path in _files(options, "gap"):
        for block in orlib.read_gap(path):
            if not _wanted(options, block.name, path.name, path.stem):
                continue
            started = time.perf_counter()
            result = solve_assignment(
                block.cost,
                block.weight,
                block.capacity,
                time_limit=options.time_limit,
                workers=options.workers,
                seed=options.seed,
            )
            wall = time.perf_counter() - started
            yield _row(block.name, path, block.n, block.m, known.get(block.name), result, wall)


def cpmp_input(problem: orlib.CpmpInstance) -> Any:
    """The capacitated p-median as a clustering problem: exactly p clusters, capacity Q, the
    instance's integer costs (real distances scaled, :meth:`orlib.CpmpInstance.costs`)."""
    from sharedprop.models.classic.clustering_input import ClusteringInput

    return ClusteringInput(
        cost=problem.costs(),
        weight=problem.demand,
        max_weight=problem.capacity,
        n_clusters=problem.p,
    )


def _cpmp_problems(options: argparse.Namespace) -> Iterator[tuple[Path, orlib.CpmpInstance]]:
    for path in _files(options, "cpmp"):
        for problem in orlib.read_cpmp(path):
            if _wanted(options, problem.name, path.name, path.stem):
                yield path, problem


def _solve_cpmp(problem: orlib.CpmpInstance, options: argparse.Namespace) -> tuple[Any, float]:
    from sharedprop.models.classic.clustering import solve_clustering

    started = time.perf_counter()
    result = solve_clustering(
        cpmp_input(problem),
        time_limit=options.time_limit,
        workers=options.workers,
        seed=options.seed,
    )
    return result, time.perf_counter() - started


def _unscaled(value: int | None, scale: int) -> int | float | None:
    """A model value in the instance's own units (real distances were scaled to integers)."""
    if value is None or scale == 1:
        return value
    return round(value / scale, 2)


def _cpmp_row(
    problem: orlib.CpmpInstance,
    path: Path,
    known: dict[str, orlib.Known],
    result: Any,
    wall: float,
    extra: dict[str, Any] | None = None,
) -> Row:
    """One CPMP row: objective and bound in the instance's units, and the proven gap."""
    gap = ""
    if result.objective and result.bound is not None:
        gap = round((result.objective - result.bound) / abs(result.objective), 5)
    return _row(
        problem.name,
        path,
        problem.n,
        problem.p,
        known.get(problem.name),
        result,
        wall,
        objective=_unscaled(result.objective, problem.scale),
        bound=_unscaled(result.bound, problem.scale),
        notes=result.stats.as_dict(),
        extra={"gap": gap, **(extra or {})},
    )


def run_cpmp(options: argparse.Namespace) -> Iterator[Row]:
    known = _known(options, "cpmp")
    for path, problem in _cpmp_problems(options):
        result, wall = _solve_cpmp(problem, options)
        yield _cpmp_row(problem, path, known, result, wall)


def run_cpmp_generated(options: argparse.Namespace) -> Iterator[Row]:
    """Instances written by :mod:`benchmarks.generate_cpmp` (Lorena–Senne layout, seeds
    ``--instance-seeds``) into a temporary folder, solved like the ``cpmp`` suite."""
    import tempfile

    from benchmarks.generate_cpmp import write_instances

    with tempfile.TemporaryDirectory(prefix="sharedprop-cpmp-") as tmp:
        for seed in options.instance_seeds:
            (path,) = write_instances(
                Path(tmp), points=options.points, medians=options.medians, count=1, seed=seed
            )
            (problem,) = orlib.read_cpmp(path)
            if not _wanted(options, problem.name, path.name):
                continue
            result, wall = _solve_cpmp(problem, options)
            yield _cpmp_row(problem, path, {}, result, wall, {"instance_seed": seed})


def sscflp_problem(problem: orlib.SscflpInstance) -> Any:
    """Holmberg's SSCFLP as the engine's array-level problem.

    Facilities are firms (capacity s_j, at most one package), each with one package option
    whose service point is the facility site itself (hub = -1, not a member): fixed cost f_j,
    every customer a candidate at member cost c_ji, margin 0. Customers are communities with
    weight d_i, no revenue, all must be covered. With no revenue the subsidy is the package cost,
    so the engine's objective is Σ f_j y_j + Σ c_ji x_ji, the SSCFLP objective.
    """
    from sharedprop.models.core.problem import PackageOption, Problem

    everyone = np.arange(problem.n, dtype=np.int64)
    options = tuple(
        PackageOption(
            firm=j,
            hub=-1,
            fixed=float(problem.fixed_cost[j]),
            candidates=everyone,
            member_cost=problem.cost[j].astype(np.float64),
            margin=0.0,
        )
        for j in range(problem.m)
    )
    # Every customer must be covered; the uncovered cost only sizes the master LP's artificial
    # variables (it scales them from the options with a member hub, which these have none of).
    worst = float(problem.fixed_cost.max()) + problem.cost.max(axis=0).astype(np.float64)
    return Problem(
        weight=problem.demand.astype(np.int64),
        revenue=np.zeros(problem.n),
        uncovered_cost=worst,
        must_cover=np.ones(problem.n, dtype=bool),
        firm_capacity=problem.capacity.astype(np.int64),
        firm_max_packages=np.ones(problem.m, dtype=np.int64),
        options=options,
    )


def solve_sscflp_via_joint(
    problem: orlib.SscflpInstance, *, time_limit: float, workers: int, seed: int
) -> Any:
    """Single-source facility location through the engine's joint model (facilities = firms).

    Uses the engine's own entry point (``sharedprop.models.classic.facility``, which adds a first
    plan
    from the assignment model) when it exists, else :func:`sscflp_problem` and the joint model.
    """
    try:
        from sharedprop.models.classic.facility import solve_facility_location
    except ImportError:
        solve_facility_location = None
    if solve_facility_location is not None:
        return solve_facility_location(
            problem.fixed_cost,
            problem.capacity,
            problem.demand,
            problem.cost,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
        )
    try:
        from sharedprop.models.colgen.joint import solve_joint
    except ImportError as exc:
        raise NotImplementedError(
            f"sharedprop.models.colgen.joint is not available: {exc}"
        ) from exc
    return solve_joint(sscflp_problem(problem), time_limit=time_limit, workers=workers, seed=seed)


def run_sscflp(options: argparse.Namespace) -> Iterator[Row]:
    known = _known(options, "sscflp")
    for path in _files(options, "sscflp"):
        problem = orlib.read_sscflp(path)
        if not _wanted(options, problem.name, path.name):
            continue
        started = time.perf_counter()
        result = solve_sscflp_via_joint(
            problem, time_limit=options.time_limit, workers=options.workers, seed=options.seed
        )
        yield _row(
            problem.name,
            path,
            problem.n,
            problem.m,
            known.get(problem.name),
            result,
            time.perf_counter() - started,
            objective=_whole(result.objective),
            bound=_whole(result.bound, up=True),
            notes={k: v for k, v in result.stats.items() if isinstance(v, int | float | str)},
        )


def _whole(value: float | None, *, up: bool = False) -> int | float | None:
    """Integer-data objectives and bounds as integers (a bound rounds up, within float noise)."""
    if value is None or not np.isfinite(value):
        return None
    nearest = round(value)
    if abs(value - nearest) < 1e-6:
        return int(nearest)
    return int(np.ceil(value)) if up else value


def solve_with_spopt(
    problem: orlib.CpmpInstance, *, time_limit: float, workers: int
) -> tuple[str, float | None, float]:
    """PySAL spopt's capacitated p-median with CBC: (status, objective, wall seconds).

    spopt weights each distance by the point's demand in its objective; the CPMP objective is
    the plain distance sum, so the objective is replaced by Σ dist(i, j)·z[i, j] over spopt's own
    variables, its constraints are kept as they are (capacity Σ d_i z_ij ≤ Q y_j, z ≤ y, Σ y = p).
    """
    import pulp
    from spopt.locate import PMedian

    dist = problem.distances()
    model = PMedian.from_cost_matrix(
        dist.astype(float),
        problem.demand.astype(float),
        p_facilities=problem.p,
        facility_capacities=np.full(problem.n, float(problem.capacity)),
        name=problem.name,
    )
    z = model.cli_assgn_vars
    model.problem.setObjective(
        pulp.lpSum(
            float(dist[i, j]) * z[i, j]
            for i in range(problem.n)
            for j in range(problem.n)
            if dist[i, j]
        )
    )
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=workers)
    started = time.perf_counter()
    model.problem.solve(solver)
    wall = time.perf_counter() - started
    status = {1: "optimal", 2: "feasible"}.get(model.problem.sol_status, "unknown")
    value = pulp.value(model.problem.objective)
    return status, None if value is None else round(float(value), 6), wall


def run_peer(options: argparse.Namespace) -> Iterator[Row]:
    try:
        import spopt  # noqa: F401
    except ImportError as exc:  # the optional `bench` extra is not installed
        raise SystemExit(
            f"peer suite: spopt is not installed ({exc}); pip install -e '.[bench]'"
        ) from exc
    known = _known(options, "cpmp")
    for path, problem in _cpmp_problems(options):
        ours, ours_wall = _solve_cpmp(problem, options)
        peer_status, peer_value, peer_wall = solve_with_spopt(
            problem, time_limit=options.time_limit, workers=options.workers
        )
        ours_value = _unscaled(ours.objective, problem.scale)
        # Real distances reach the models rounded to 1 / scale each: allow that much per point.
        tolerance = 1e-6 if problem.scale == 1 else problem.n / problem.scale
        same = (
            ours.status == "optimal"
            and peer_status == "optimal"
            and peer_value is not None
            and ours_value is not None
            and abs(peer_value - ours_value) <= tolerance
        )
        yield _cpmp_row(
            problem,
            path,
            known,
            ours,
            ours_wall,
            {
                "peer": "spopt PMedian + CBC",
                "peer_objective": "" if peer_value is None else peer_value,
                "peer_status": peer_status,
                "peer_wall_seconds": round(peer_wall, 3),
                "ours_over_peer": round(ours_wall / peer_wall, 3) if same else "",
            },
        )


# (communities, streets, firms, resources) of the generated instances: a street, a district, the
# city (DESIGN.md, "Sizes that matter").
GENERATED = ((120, 2, 8, 10), (400, 6, 24, 30), (1414, 38, 100, 100))


def _manual_cases(options: argparse.Namespace, folder: Path) -> Iterator[tuple[str, Path]]:
    pilot = ROOT / "instances" / "xiamen-pilot"
    if pilot.is_dir() and _wanted(options, "xiamen-pilot"):
        yield "xiamen-pilot", pilot
    from sharedprop.generate import generate_instance

    for communities, streets, firms, resources in GENERATED:
        name = f"generated-{communities}"
        if not _wanted(options, name, str(communities)):
            continue
        out = generate_instance(
            folder / name,
            communities=communities,
            streets=streets,
            firms=firms,
            resources=resources,
            seed=options.seed,
        )
        yield name, out


def run_manual(options: argparse.Namespace) -> Iterator[Row]:
    """Manual plan against the optimized plan on each instance, both scored by ``evaluate``."""
    try:
        from sharedprop import evaluate, load_instance, read_plan
        from sharedprop.solver import solve
    except ImportError as exc:
        raise NotImplementedError(f"the manual suite needs sharedprop.solver: {exc}") from exc
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sharedprop-bench-") as tmp:
        for name, folder in _manual_cases(options, Path(tmp)):
            instance = load_instance(folder)
            manual_plan = read_plan(folder / "plans" / "manual.csv", instance)
            manual = evaluate(instance, manual_plan)
            started = time.perf_counter()
            result = solve(
                instance,
                time_limit=options.time_limit,
                workers=options.workers,
                seed=options.seed,
                strategy=getattr(options, "strategy", "auto"),
                initial_plan=manual_plan,
            )
            wall = time.perf_counter() - started
            optimized = evaluate(instance, result.plan) if result.plan is not None else None
            extra: dict[str, Any] = {"strategy": result.strategy}
            for label, ev in (("manual", manual), ("optimized", optimized)):
                extra[f"{label}_public_money"] = "" if ev is None else round(ev.public_money, 2)
                extra[f"{label}_total_cost"] = "" if ev is None else round(ev.total_cost, 2)
                extra[f"{label}_coverage"] = "" if ev is None else round(ev.coverage, 4)
                extra[f"{label}_packages"] = "" if ev is None else len(ev.packages)
                extra[f"{label}_firms_used"] = "" if ev is None else ev.firms_used
                extra[f"{label}_broken"] = "" if ev is None else len(ev.broken)
            extra["public_money_ratio"] = (
                round(optimized.public_money / manual.public_money, 4)
                if optimized is not None and manual.public_money > 0
                else ""
            )
            yield Row(
                name,
                folder.name,
                len(instance.communities),
                len(instance.firms),
                None,
                None,
                None if result.objective is None else round(result.objective, 2),
                None if result.best_bound is None else round(result.best_bound, 2),
                result.status,
                result.time_to_incumbent_s,
                wall,
                extra=extra,
            )


RUNNERS: dict[str, Callable[[argparse.Namespace], Iterator[Row]]] = {
    "gap": run_gap,
    "cpmp": run_cpmp,
    "sscflp": run_sscflp,
    "cpmp-generated": run_cpmp_generated,
    "peer": run_peer,
    "manual": run_manual,
}


# -- output ---------------------------------------------------------------------------------------
def _print_header(columns: list[str]) -> None:
    print("  ".join(f"{c:>12}" for c in columns), flush=True)


def _print_row(columns: list[str], row: dict[str, Any]) -> None:
    print("  ".join(f"{str(row.get(c, ''))[:12]:>12}" for c in columns), flush=True)


SHOWN = ["instance", "n", "known", "objective", "bound", "status", "seconds", "wall_seconds"]
SHOWN_EXTRA = {
    "cpmp": ["gap"],
    "cpmp-generated": ["gap"],
    "peer": ["peer_wall_seconds", "ours_over_peer"],
    "manual": ["manual_public_money", "optimized_public_money", "public_money_ratio"],
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("suite", choices=SUITES)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder holding gap/, cpmp/ and sscflp/ (default: the first of "
        + " and ".join(str(d) for d in orlib.DATA_DIRS)
        + " that holds the suite's family)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--only", nargs="+", help="instance or file names to run (default all)")
    parser.add_argument(
        "--points", type=int, default=400, help="cpmp-generated: points per instance"
    )
    parser.add_argument(
        "--medians", type=int, default=40, help="cpmp-generated: medians per instance"
    )
    parser.add_argument(
        "--instance-seeds",
        type=int,
        nargs="+",
        default=[1, 2, 3, 4, 5],
        help="cpmp-generated: the generator's seeds, one instance each",
    )
    parser.add_argument(
        "--strategy",
        default="auto",
        choices=("auto", "joint", "two-stage", "streets"),
        help="solve strategy for the manual suite (default auto)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    where = machine()
    options.out.mkdir(parents=True, exist_ok=True)
    target = options.out / f"{options.suite}.csv"
    rows: list[dict[str, Any]] = []
    columns = list(COLUMNS)
    shown = list(SHOWN) + SHOWN_EXTRA.get(options.suite, [])
    _print_header(shown)
    try:
        for row in RUNNERS[options.suite](options):
            record = row.as_dict(options, where)
            for key in record:
                if key not in columns:
                    columns.append(key)
            rows.append(record)
            _print_row(shown, record)
            write_rows(target, rows, columns)  # after every instance: a long run can be read live
    except (NotImplementedError, orlib.MissingData) as exc:
        print(f"{options.suite}: {exc}", file=sys.stderr)
        return 2
    write_rows(target, rows, columns)
    print(f"wrote {target} ({len(rows)} instances)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
