"""Large input: validation and proximity-graph building for a 20,000-community instance.

Builds a random Xiamen-like instance (communities clustered into streets over a 60 km square,
300 firms, 500 resources) in memory, writes it to a temporary folder (nothing is kept), then
measures, each best of ``--repeat`` runs:

- ``load``: ``load_instance`` end to end — parse the CSV files, check every value, build the
  proximity graph (the whole of ``sharedprop validate`` before printing);
- ``graph``: ``build_proximity_graph`` alone, from points and, in a second variant, from
  ``geometry_wkt`` polygons (a square of 60-120 m around each point);
- ``describe``: the reachability summary ``sharedprop validate`` prints;

and the peak memory of one ``load_instance`` + ``describe`` (Python allocations by tracemalloc,
and the process's peak resident set from ``resource``). Prints a table and writes
``benchmarks/results/graph_scale.json``. Run: ``python -m benchmarks.graph_scale``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import machine
from sharedprop.data import Community
from sharedprop.feasibility import describe
from sharedprop.graph import build_proximity_graph
from sharedprop.io.instances import load_instance

RESULTS = Path(__file__).parent / "results" / "graph_scale.json"
LINK_MAX_M = 800.0
KM_LAT = 1 / 111.2  # degrees of latitude per km
KM_LON = 1 / (111.2 * np.cos(np.radians(24.5)))


def make_instance(folder: Path, n: int, seed: int, polygons: bool) -> None:
    """Write a random instance of ``n`` communities into ``folder``."""
    rng = np.random.default_rng(seed)
    streets = max(1, n // 100)
    centre_lon = 118.0 + rng.random(streets) * 60 * KM_LON
    centre_lat = 24.3 + rng.random(streets) * 60 * KM_LAT
    street = rng.integers(0, streets, n)
    lon = centre_lon[street] + rng.normal(0, 0.8, n) * KM_LON
    lat = centre_lat[street] + rng.normal(0, 0.8, n) * KM_LAT
    households = np.clip(np.round(rng.lognormal(np.log(60), 0.7, n)), 12, 600).astype(int)
    lines = ["id,name,street,neighbourhood,lon,lat,households,floor_area_m2,fee_rate,"
             "collection_rate"
             + (",geometry_wkt" if polygons else "")]  # fmt: skip
    for i in range(n):
        row = (
            f"C{i:05d},小区{i},街道{street[i]},社区{street[i]}-{i % 7},{lon[i]:.6f},{lat[i]:.6f},"
            f"{households[i]},{households[i] * 65},{rng.uniform(0.3, 0.8):.2f},"
            f"{rng.uniform(0.5, 0.75):.2f}"
        )
        if polygons:
            h = rng.uniform(0.03, 0.06) * KM_LAT
            x0, x1, y0, y1 = lon[i] - h, lon[i] + h, lat[i] - h, lat[i] + h
            row += (
                f',"POLYGON (({x0:.6f} {y0:.6f}, {x1:.6f} {y0:.6f}, {x1:.6f} {y1:.6f}, '
                f'{x0:.6f} {y1:.6f}, {x0:.6f} {y0:.6f}))"'
            )
        lines.append(row)
    (folder / "communities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    firms = ["id,name,lon,lat,capacity_households,max_packages,service_radius_m,"
             "package_fixed_cost,cost_per_household,travel_cost_per_km,min_margin"]  # fmt: skip
    for f in range(300):
        s = rng.integers(0, streets)
        firms.append(
            f"F{f:03d},物业{f},{centre_lon[s]:.6f},{centre_lat[s]:.6f},{rng.integers(2000, 8000)},"
            f"{rng.integers(3, 20)},{rng.integers(2000, 6000)},{rng.integers(80, 150) * 1000},"
            f"{rng.integers(250, 350)},5000,{rng.uniform(0.03, 0.08):.3f}"
        )
    (folder / "firms.csv").write_text("\n".join(firms) + "\n", encoding="utf-8")
    res = ["id,name,kind,lon,lat,annual_income,max_distance_m"]
    for r in range(500):
        k = rng.integers(0, n)
        res.append(
            f"R{r:03d},资源{r},parking,{lon[k]:.6f},{lat[k]:.6f},"
            f"{rng.integers(20, 200) * 1000},1000"
        )
    (folder / "resources.csv").write_text("\n".join(res) + "\n", encoding="utf-8")
    (folder / "instance.toml").write_text(
        f'name = "graph-scale-{n}"\ndistance = "haversine"\ncoordinates = "wgs84"\n\n'
        f"[policy]\npackage_max_households = 1200\npackage_max_radius_m = 1500\n"
        f"link_max_m = {LINK_MAX_M}\n",
        encoding="utf-8",
    )


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024


def measure(n: int, seed: int, repeat: int, polygons: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_instance(folder, n, seed, polygons)
        t_load, inst = best_of(repeat, lambda: load_instance(folder))
        comms: list[Community] = list(inst.communities)
        t_graph = best_of(repeat, lambda: build_proximity_graph(comms, "haversine", LINK_MAX_M))[0]
        t_desc, summary = best_of(repeat, lambda: describe(inst))
        inst = None  # free it before measuring peak memory
        tracemalloc.start()
        describe(load_instance(folder))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "variant": "polygons" if polygons else "points",
        "communities": n,
        "edges": summary.edges,
        "components": summary.components,
        "load_instance_s": round(t_load, 3),
        "graph_build_s": round(t_graph, 3),
        "describe_s": round(t_desc, 3),
        "validate_total_s": round(t_load + t_desc, 3),
        "peak_python_alloc_mb": round(peak / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    rows = [measure(args.n, args.seed, args.repeat, polygons) for polygons in (False, True)]
    cols = list(rows[0])
    print(" | ".join(f"{c:>20}" for c in cols))
    for r in rows:
        print(" | ".join(f"{r[c]!s:>20}" for c in cols))
    rss = peak_rss_mb()
    print(f"peak resident set of the whole run: {rss:.0f} MB")
    report = {
        "benchmark": "graph_scale",
        "command": "python -m benchmarks.graph_scale"
        + (f" --n {args.n}" if args.n != 20_000 else "")
        + (f" --seed {args.seed}" if args.seed else ""),
        "machine": machine(),
        "seed": args.seed,
        "n": args.n,
        "link_max_m": LINK_MAX_M,
        "firms": 300,
        "resources": 500,
        "repeat": args.repeat,
        "timing": "best of repeat, seconds, wall clock",
        "results": rows,
        "peak_rss_mb": round(rss, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
