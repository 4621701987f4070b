"""Chinese map coordinate systems: WGS-84 (GPS), GCJ-02 (Amap, Tencent) and BD-09 (Baidu).

The forward transforms are the standard published formulas (the Krasovsky-ellipsoid offset of
GCJ-02 and Baidu's rotation on top of it). The inverses have no closed form, so they iterate the
forward transform to a fixed point until the residual is below 1e-9 degrees (about 0.1 mm),
far inside the 1 cm we promise.

Outside mainland China GCJ-02 is defined to equal WGS-84 (the usual rule, the same bounding box
every published implementation uses); BD-09 is still Baidu's offset of that GCJ-02 point.
Everything works on scalars or numpy arrays alike; arguments and results are ``(lon, lat)``.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

ArrayLike: TypeAlias = float | np.ndarray

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 50


def in_china(lon: ArrayLike, lat: ArrayLike) -> ArrayLike:
    """True where the point lies in the box where GCJ-02 differs from WGS-84."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    out = (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)
    return out if out.ndim else bool(out)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    sq = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _out(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> tuple[ArrayLike, ArrayLike]:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _prepare(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    a, b = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return a, b, a.ndim == 0 and b.ndim == 0


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    lon, lat, scalar = _prepare(lon, lat)
    dlon, dlat = _offset(lon, lat)
    return _out(lon + dlon, lat + dlat, scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    glon, glat, scalar = _prepare(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(_MAX_ITERATIONS):
        dlon, dlat = _offset(wlon, wlat)
        rlon, rlat = wlon + dlon - glon, wlat + dlat - glat
        wlon, wlat = wlon - rlon, wlat - rlat
        if (
            max(np.max(np.abs(rlon), initial=0.0), np.max(np.abs(rlat), initial=0.0))
            < _TOLERANCE_DEG
        ):
            break
    return _out(wlon, wlat, scalar)


def _gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    lon, lat, scalar = _prepare(lon, lat)
    return _out(*_gcj02_to_bd09(lon, lat), scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    blon, blat, scalar = _prepare(lon, lat)
    # The published closed-form inverse is only good to about a metre; refine it by iteration.
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_MAX_ITERATIONS):
        flon, flat = _gcj02_to_bd09(glon, glat)
        rlon, rlat = flon - blon, flat - blat
        glon, glat = glon - rlon, glat - rlat
        if (
            max(np.max(np.abs(rlon), initial=0.0), np.max(np.abs(rlat), initial=0.0))
            < _TOLERANCE_DEG
        ):
            break
    return _out(glon, glat, scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(system: str, lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """Convert from ``system`` (``"wgs84"``, ``"gcj02"`` or ``"bd09"``) to WGS-84."""
    if system == "wgs84":
        a, b, scalar = _prepare(lon, lat)
        return _out(a, b, scalar)
    if system == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if system == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown coordinate system {system!r}; expected wgs84, gcj02 or bd09")
