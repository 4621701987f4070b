"""Synthetic Xiamen-like instances in the contract's folder format, with their manual plan.

The numbers follow the estimates in ``DESIGN.md`` and the Xiamen reply it quotes: old compounds
of a few dozen households (log-normal, median about 60, clipped to 12–600), flats of 50–80 m²,
fees of 0.3–0.8 yuan/m²/month collected at 50–75 %, firms with a package fixed cost of
80–150 k yuan/yr and 250–350 yuan per household, margins of 3–8 %, public resources worth
20–200 k yuan/yr. Streets sit side by side around Xiamen Island (24.48 N, 118.10 E), each
1.5–3 km across and split into neighbourhoods (社区) whose communities lie a few hundred metres
apart, so that the proximity graph is mostly connected inside a neighbourhood.

Firm capacities add up to 1.1–1.5 times the households, split unevenly, so not every firm can
take everything; what nobody takes costs the street office ``fallback_cost_per_household``.

Everything is drawn from one ``numpy.random.Generator`` in a fixed order: the same arguments
give byte-identical files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sharedprop.geo import EARTH_RADIUS_M
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import write_plan
from sharedprop.manual import manual_plan

CENTRE_LAT = 24.48
CENTRE_LON = 118.10
METRES_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180.0

STREET_SPACING_M = 2600.0
NEIGHBOURHOOD_SPREAD_M = 170.0  # standard deviation of community positions around a centre
COMMUNITIES_PER_NEIGHBOURHOOD = (6.0, 10.0)
HOUSEHOLD_MEDIAN = 60.0
HOUSEHOLD_SIGMA = 0.75
HOUSEHOLD_RANGE = (12, 600)
FALLBACK_COST_PER_HOUSEHOLD = 400.0

STREET_NAMES = (
    "筼筜", "嘉莲", "中华", "鹭江", "厦港", "滨海", "梧村", "开元", "莲前", "湖里",
    "殿前", "禾山", "江头", "金山", "金尚", "嵩屿", "海沧", "新阳", "集美", "侨英",
    "杏林", "杏滨", "灌口", "后溪", "大同", "祥平", "新店", "马巷", "新圩", "内厝",
)  # fmt: skip
FIRST_CHARS = "东西南北莲湖海松柏文兴华安福瑞振鹭岳金银翠青龙凤槟榔玉和光流芳云梧桐"
SECOND_CHARS = "山园林滨岸阳华苑光新丰和宁泰盛荣源景乐美秀平康"
COMMUNITY_SUFFIXES = ("里", "新村", "小区", "花园", "公寓", "宿舍", "大厦", "楼")
FIRM_SUFFIXES = ("物业服务有限公司", "物业管理有限公司", "物业公司")
RESOURCE_KINDS = (
    ("parking", "停车场"),
    ("public_housing", "公房"),
    ("cleaning_contract", "市政保洁"),
    ("greening_contract", "绿化养护"),
)

COMMUNITY_COLUMNS = [
    "id", "name", "street", "neighbourhood", "lon", "lat", "households", "floor_area_m2",
    "fee_rate", "collection_rate", "buildings", "built_year",
]  # fmt: skip
FIRM_COLUMNS = [
    "id", "name", "lon", "lat", "capacity_households", "max_packages", "service_radius_m",
    "package_fixed_cost", "cost_per_household", "travel_cost_per_km", "min_margin",
]  # fmt: skip
RESOURCE_COLUMNS = ["id", "name", "kind", "lon", "lat", "annual_income", "max_distance_m"]
# What a bureau could bring in but has not (DESIGN.md, "Contract additions"): the source
# document names road cleaning and greening contracts, street lights and city public housing.
CANDIDATE_KINDS = (
    ("cleaning_contract", "道路保洁合同"),
    ("greening_contract", "道路绿化合同"),
    ("street_lights", "路灯维护"),
    ("public_housing", "市级公房"),
)


@dataclass(frozen=True, slots=True)
class _Layout:
    street_centres: np.ndarray  # (S, 2) metres east/north of the centre
    street_radius: np.ndarray  # (S,)


def _to_lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local east/north metres → WGS-84 degrees (flat-earth, fine over a few kilometres)."""
    lat = CENTRE_LAT + xy[:, 1] / METRES_PER_DEG_LAT
    lon = CENTRE_LON + xy[:, 0] / (METRES_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT)))
    return np.round(lon, 6), np.round(lat, 6)


def _whole(values: np.ndarray, decimals: int = 0) -> np.ndarray:
    """Round to ``decimals`` (negative: tens, hundreds...) and keep integers, so files read 5000."""
    return np.round(values, decimals).astype(np.int64)


def _even_split(total: int, parts: int, rng: np.random.Generator) -> np.ndarray:
    """``parts`` positive integers summing to ``total``; the remainder goes to random parts."""
    sizes = np.full(parts, total // parts, dtype=int)
    sizes[rng.permutation(parts)[: total % parts]] += 1
    return sizes


def _fresh_name(
    make: Callable[[np.random.Generator], str], used: set[str], rng: np.random.Generator
) -> str:
    """A name from ``make`` not in ``used`` (numbered when the syllables run out); adds it."""
    for _ in range(20):
        cand = make(rng)
        if cand not in used:
            break
    else:
        # Drawn names never end in a digit, so a running number keeps this one unique.
        cand = f"{make(rng)}{len(used) + 1}"
    used.add(cand)
    return cand


def _unique_names(
    make: Callable[[np.random.Generator], str], count: int, rng: np.random.Generator
) -> list[str]:
    used: set[str] = set()
    return [_fresh_name(make, used, rng) for _ in range(count)]


def _two_chars(rng: np.random.Generator) -> str:
    return (
        FIRST_CHARS[rng.integers(len(FIRST_CHARS))] + SECOND_CHARS[rng.integers(len(SECOND_CHARS))]
    )


def _policy(rng: np.random.Generator) -> dict[str, object]:
    return {
        "package_max_households": int(rng.choice(np.arange(600, 901, 50))),
        "package_min_households": 0,
        "package_max_radius_m": float(rng.choice(np.arange(600, 1001, 100))),
        "link_max_m": float(rng.choice(np.arange(400, 601, 50))),
        "require_contiguity": True,
        "cross_streets": False,
        "allow_uncovered": True,
        "fallback_cost_per_household": FALLBACK_COST_PER_HOUSEHOLD,
    }


def _layout(streets: int, rng: np.random.Generator) -> _Layout:
    cols = math.ceil(math.sqrt(streets))
    rows = math.ceil(streets / cols)
    k = np.arange(streets)
    grid = np.column_stack([k % cols - (cols - 1) / 2, k // cols - (rows - 1) / 2])
    centres = grid * STREET_SPACING_M + rng.normal(0.0, 150.0, size=(streets, 2))
    radius = rng.uniform(750.0, 1500.0, size=streets)
    return _Layout(centres, radius)


def _communities(
    n: int, layout: _Layout, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    streets = len(layout.street_radius)
    street_names = [
        f"{STREET_NAMES[s]}街道" if s < len(STREET_NAMES) else f"第{s + 1}街道"
        for s in range(streets)
    ]
    per_street = _even_split(n, streets, rng)
    rows = []
    xy_all = []
    hood_names_used: set[str] = set()
    for s in range(streets):
        ns = int(per_street[s])
        hoods = max(1, round(ns / rng.uniform(*COMMUNITIES_PER_NEIGHBOURHOOD)))
        per_hood = _even_split(ns, hoods, rng)
        # Neighbourhood centres inside the street's disc (uniform by area).
        ang = rng.uniform(0.0, 2 * math.pi, size=hoods)
        rad = (layout.street_radius[s] - 300.0) * np.sqrt(rng.uniform(0.0, 1.0, size=hoods))
        centres = layout.street_centres[s] + np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])
        for h in range(hoods):
            hood = _fresh_name(lambda r: _two_chars(r) + "社区", hood_names_used, rng)
            k = int(per_hood[h])
            offsets = np.clip(rng.normal(0.0, NEIGHBOURHOOD_SPREAD_M, size=(k, 2)), -400, 400)
            xy_all.append(centres[h] + offsets)
            for _ in range(k):
                rows.append({"street": street_names[s], "neighbourhood": hood})
    xy = np.vstack(xy_all)
    lon, lat = _to_lonlat(xy)

    households = np.clip(
        np.round(rng.lognormal(math.log(HOUSEHOLD_MEDIAN), HOUSEHOLD_SIGMA, size=n)),
        *HOUSEHOLD_RANGE,
    ).astype(int)
    flat_m2 = rng.uniform(50.0, 80.0, size=n)
    fee = np.round(rng.uniform(0.30, 0.80, size=n), 2)
    collection = np.round(rng.uniform(0.50, 0.75, size=n), 2)
    built = rng.integers(1978, 2001, size=n)
    per_building = rng.integers(12, 37, size=n)
    names = _unique_names(
        lambda r: _two_chars(r) + COMMUNITY_SUFFIXES[r.integers(len(COMMUNITY_SUFFIXES))], n, rng
    )
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"C{i + 1:04d}" for i in range(n)])
    frame.insert(1, "name", names)
    frame["lon"] = lon
    frame["lat"] = lat
    frame["households"] = households
    frame["floor_area_m2"] = np.round(households * flat_m2).astype(int)
    frame["fee_rate"] = fee
    frame["collection_rate"] = collection
    frame["buildings"] = np.maximum(1, np.ceil(households / per_building)).astype(int)
    frame["built_year"] = built
    return frame[COMMUNITY_COLUMNS], xy


def _firms(
    count: int, layout: _Layout, total_households: int, policy: dict, rng: np.random.Generator
) -> pd.DataFrame:
    streets = len(layout.street_radius)
    home = np.resize(rng.permutation(streets), count)
    xy = layout.street_centres[home] + rng.normal(0.0, 400.0, size=(count, 2))
    lon, lat = _to_lonlat(xy)
    total_cap = rng.uniform(1.1, 1.5) * total_households
    share = rng.dirichlet(np.full(count, 3.0))
    capacity = np.maximum(10, np.round(total_cap * share, -1)).astype(int)
    pmax = int(policy["package_max_households"])  # type: ignore[call-overload]
    max_packages = np.maximum(1, np.ceil(capacity / (0.45 * pmax))).astype(int)
    names = _unique_names(
        lambda r: _two_chars(r) + FIRM_SUFFIXES[r.integers(len(FIRM_SUFFIXES))], count, rng
    )
    return pd.DataFrame(
        {
            "id": [f"F{i + 1:02d}" for i in range(count)],
            "name": names,
            "lon": lon,
            "lat": lat,
            "capacity_households": capacity,
            "max_packages": max_packages,
            "service_radius_m": _whole(rng.uniform(2000.0, 5000.0, size=count), -2),
            "package_fixed_cost": _whole(rng.uniform(80_000.0, 150_000.0, size=count), -3),
            "cost_per_household": _whole(rng.uniform(250.0, 350.0, size=count)),
            "travel_cost_per_km": _whole(rng.uniform(2000.0, 5000.0, size=count), -2),
            "min_margin": np.round(rng.uniform(0.03, 0.08, size=count), 3),
        },
        columns=FIRM_COLUMNS,
    )


def _resources(
    count: int, communities: pd.DataFrame, xy: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    at = rng.integers(len(communities), size=count)
    pos = xy[at] + rng.normal(0.0, 150.0, size=(count, 2))
    lon, lat = _to_lonlat(pos)
    kinds = rng.integers(len(RESOURCE_KINDS), size=count)
    names = [
        f"{communities['name'].iloc[a]}{RESOURCE_KINDS[k][1]}"
        for a, k in zip(at, kinds, strict=True)
    ]
    return pd.DataFrame(
        {
            "id": [f"R{i + 1:02d}" for i in range(count)],
            "name": names,
            "kind": [RESOURCE_KINDS[k][0] for k in kinds],
            "lon": lon,
            "lat": lat,
            "annual_income": _whole(rng.uniform(20_000.0, 200_000.0, size=count), -3),
            "max_distance_m": _whole(rng.uniform(500.0, 1500.0, size=count) / 50) * 50,
        },
        columns=RESOURCE_COLUMNS,
    )


def _candidates(
    count: int, first_id: int, communities: pd.DataFrame, xy: np.ndarray, seed: int
) -> pd.DataFrame:
    """``count`` candidate resources (``available = false``), from a random stream of their own
    so that the rest of the instance is the same with or without them."""
    rng = np.random.default_rng([seed, 1])
    at = rng.integers(len(communities), size=count)
    pos = xy[at] + rng.normal(0.0, 150.0, size=(count, 2))
    lon, lat = _to_lonlat(pos)
    kinds = rng.integers(len(CANDIDATE_KINDS), size=count)
    return pd.DataFrame(
        {
            "id": [f"R{first_id + i:02d}" for i in range(count)],
            "name": [
                f"{communities['name'].iloc[a]}{CANDIDATE_KINDS[k][1]}"
                for a, k in zip(at, kinds, strict=True)
            ],
            "kind": [CANDIDATE_KINDS[k][0] for k in kinds],
            "lon": lon,
            "lat": lat,
            "annual_income": _whole(rng.uniform(30_000.0, 250_000.0, size=count), -3),
            "max_distance_m": _whole(rng.uniform(600.0, 1500.0, size=count) / 50) * 50,
            "available": ["false"] * count,
        }
    )


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    # A JSON string is a valid TOML basic string for the text we write.
    return json.dumps(str(v), ensure_ascii=False)


def _instance_toml(name: str, description: str, policy: dict[str, object]) -> str:
    lines = [
        f"name = {_toml_value(name)}",
        f"description = {_toml_value(description)}",
        'distance = "haversine"',
        'coordinates = "wgs84"',
        "",
        "[policy]",
        *(f"{k} = {_toml_value(v)}" for k, v in policy.items()),
        "",
        "[objective]",
        "weight_public_money = 1.0",
        "weight_total_cost = 0.0",
    ]
    return "\n".join(lines) + "\n"


def _check_arguments(communities: int, streets: int, firms: int, resources: int, seed: int) -> None:
    problems = []
    if communities < 1:
        problems.append(f"communities must be at least 1, got {communities}")
    if streets < 1:
        problems.append(f"streets must be at least 1, got {streets}")
    elif communities >= 1 and streets > communities:
        problems.append(
            f"streets must not exceed communities (every street needs one), got {streets} > "
            f"{communities}"
        )
    if firms < 1:
        problems.append(f"firms must be at least 1, got {firms}")
    if resources < 0:
        problems.append(f"resources must be at least 0, got {resources}")
    if seed < 0:
        problems.append(f"seed must be at least 0, got {seed}")
    if problems:
        raise ValueError("; ".join(problems))


# Tables of the instance contract; a leftover one (say an old edges.csv) would silently change
# the instance just written, so they go before writing. Other files (other plans) are kept.
CONTRACT_TABLES = ("communities", "firms", "resources", "edges", "locks")
MANUAL_PLAN_FILES = ("manual.csv", "manual.xlsx", "manual_resources.csv", "manual_resources.xlsx")


def _remove_stale_tables(out: Path) -> None:
    stale = [out / f"{t}.{ext}" for t in CONTRACT_TABLES for ext in ("csv", "xlsx")]
    stale += [out / "plans" / f for f in MANUAL_PLAN_FILES]
    for path in stale:
        path.unlink(missing_ok=True)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate_instance(
    out_dir: str | Path,
    *,
    communities: int,
    streets: int,
    firms: int,
    resources: int,
    seed: int,
    name: str | None = None,
    candidates: int = 0,
) -> Path:
    """Write a synthetic instance folder with ``plans/manual.csv`` into ``out_dir``; return it.

    ``candidates`` more resources are written with ``available = false``: resources the bureau
    could bring in (``sharedprop whatif`` ranks them); the rest of the instance is the same.

    Raises :class:`ValueError` on impossible sizes (no communities, more streets than
    communities, no firms, negative resources or seed). Contract tables already in ``out_dir``
    (including an ``edges.csv`` or ``locks.csv`` this function does not write) and the old manual
    plan are replaced; other files are kept. Refusing a non-empty folder is the command line's job.
    """
    _check_arguments(communities, streets, firms, resources, seed)
    if candidates < 0:
        raise ValueError(f"candidates must be at least 0, got {candidates}")
    rng = np.random.default_rng(seed)
    name = name or f"synthetic-n{communities}-s{streets}-f{firms}-r{resources}-seed{seed}"

    policy = _policy(rng)
    layout = _layout(streets, rng)
    comm, xy = _communities(communities, layout, rng)
    firm = _firms(firms, layout, int(comm["households"].sum()), policy, rng)
    res = _resources(resources, comm, xy, rng)
    if candidates:
        res = pd.concat([res, _candidates(candidates, resources + 1, comm, xy, seed)])
        res["available"] = res["available"].fillna("true")

    description = (
        f"Synthetic Xiamen-like instance made by `sharedprop generate` (seed {seed}): "
        f"{communities} communities in {streets} streets and "
        f"{comm['neighbourhood'].nunique()} neighbourhoods, {firms} firms, {resources} "
        "resources. Names, positions and money are invented; the ranges follow the estimates "
        "in DESIGN.md. plans/manual.csv is the hand-planner baseline of sharedprop.manual."
    )
    out = Path(out_dir)
    (out / "plans").mkdir(parents=True, exist_ok=True)
    _remove_stale_tables(out)
    (out / "instance.toml").write_text(_instance_toml(name, description, policy), encoding="utf-8")
    _write_csv(comm, out / "communities.csv")
    _write_csv(firm, out / "firms.csv")
    if resources or candidates:
        _write_csv(res, out / "resources.csv")

    _write_manual_plan(out)
    return out


def _write_manual_plan(out: Path) -> None:
    # The plan is made from the instance exactly as a user will load it, so that it is checked
    # against the same proximity graph and the same parsed numbers.

    write_plan(manual_plan(load_instance(out)), out / "plans" / "manual.csv")
