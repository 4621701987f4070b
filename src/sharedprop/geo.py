"""Distances under the contract: great-circle (haversine) on a 6,371,008.8 m sphere, or planar.

Coordinate-system conversion lives in :mod:`sharedprop.coords`; the proximity graph in
:mod:`sharedprop.graph`. Everything here works on plain floats and numpy arrays.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (degrees)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def euclidean_m(x1: float, y1: float, x2: float, y2: float) -> float:
    return math.hypot(x2 - x1, y2 - y1)


def point_distance(kind: str, lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The contract distance between two points; ``kind`` is the instance's ``distance``."""
    if kind == "euclidean":
        return euclidean_m(lon1, lat1, lon2, lat2)
    return haversine_m(lon1, lat1, lon2, lat2)


def distance_matrix(
    kind: str,
    lon_a: np.ndarray,
    lat_a: np.ndarray,
    lon_b: np.ndarray,
    lat_b: np.ndarray,
) -> np.ndarray:
    """``len(a) × len(b)`` matrix of contract distances in metres (vectorised, same formula)."""
    lon_a = np.asarray(lon_a, dtype=float)[:, None]
    lat_a = np.asarray(lat_a, dtype=float)[:, None]
    lon_b = np.asarray(lon_b, dtype=float)[None, :]
    lat_b = np.asarray(lat_b, dtype=float)[None, :]
    if kind == "euclidean":
        return np.hypot(lon_b - lon_a, lat_b - lat_a)
    p1, p2 = np.radians(lat_a), np.radians(lat_b)
    dp = p2 - p1
    dl = np.radians(lon_b - lon_a)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
