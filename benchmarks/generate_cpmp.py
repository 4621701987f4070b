"""Generated capacitated p-median instances in the Lorena–Senne layout.

``python -m benchmarks.generate_cpmp OUT --points 400 --medians 40 --count 5 --seed 1`` writes
``OUT/cpmp-n400-p40-s<seed>.txt`` for seeds ``seed`` … ``seed + count − 1``: a first line
``n p``, then ``x y capacity demand`` per point (:func:`benchmarks.orlib.parse_lorena_senne`
reads them; distances are real Euclidean).

The recipe follows the Osman–Christofides family, scaled up: points uniform on a 100 × 100
square at two decimals, whole demands uniform in 1 … 20, and one capacity
``Q = ⌈total demand / (tightness · p)⌉`` for every median (tightness 0.9 by default, the
middle of the Osman–Christofides range 0.82–0.94), so that capacity binds.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np


def instance_text(points: int, medians: int, seed: int, tightness: float = 0.9) -> str:
    """One instance of the recipe above, as the file's text."""
    if not 0 < medians <= points:
        raise ValueError(f"need 0 < medians <= points, got {medians} and {points}")
    if not 0 < tightness <= 1:
        raise ValueError(f"tightness must be in (0, 1], got {tightness}")
    rng = np.random.default_rng(seed)
    xy = np.round(rng.uniform(0, 100, size=(points, 2)), 2)
    demand = rng.integers(1, 21, size=points)
    capacity = math.ceil(int(demand.sum()) / (tightness * medians))
    capacity = max(capacity, int(demand.max()))
    lines = [f"{points} {medians}"]
    lines += [f"{x:.2f} {y:.2f} {capacity} {d}" for (x, y), d in zip(xy, demand, strict=True)]
    return "\n".join(lines) + "\n"


def write_instances(
    out: Path, *, points: int, medians: int, count: int, seed: int, tightness: float = 0.9
) -> list[Path]:
    """Write ``count`` instances (seeds ``seed`` …) to ``out``; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(seed, seed + count):
        path = out / f"cpmp-n{points}-p{medians}-s{k}.txt"
        path.write_text(instance_text(points, medians, k, tightness), encoding="ascii")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate_cpmp", description=__doc__)
    parser.add_argument("out", type=Path, help="folder to write the instance files to")
    parser.add_argument("--points", type=int, default=400)
    parser.add_argument("--medians", type=int, default=40)
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tightness", type=float, default=0.9)
    options = parser.parse_args(argv)
    for path in write_instances(
        options.out,
        points=options.points,
        medians=options.medians,
        count=options.count,
        seed=options.seed,
        tightness=options.tightness,
    ):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
