"""Lon/lat to local metres and back: a local equirectangular projection around the instance.

Over a street or a district (a few km) the error against the great-circle distance is far below
a pixel on the map and a metre in the package outlines, which is all the report needs. Planar
(``distance = "euclidean"``) instances are already in metres and pass through unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from sharedprop.data import Instance
from sharedprop.geo import EARTH_RADIUS_M


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """x = R·cos(lat0)·Δlon, y = R·Δlat (radians), centred on ``(lon0, lat0)``; or the identity."""

    lon0: float
    lat0: float
    planar: bool = False

    @classmethod
    def for_instance(cls, instance: Instance) -> LocalProjection:
        sites = [*instance.communities, *instance.firms, *instance.resources]
        if instance.distance == "euclidean":
            return cls(0.0, 0.0, planar=True)
        if not sites:
            return cls(0.0, 0.0)
        lons = [s.lon for s in sites]
        lats = [s.lat for s in sites]
        return cls((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)

    @property
    def _kx(self) -> float:
        return EARTH_RADIUS_M * math.cos(math.radians(self.lat0)) * math.pi / 180

    @property
    def _ky(self) -> float:
        return EARTH_RADIUS_M * math.pi / 180

    def forward(self, lon: float, lat: float) -> tuple[float, float]:
        if self.planar:
            return lon, lat
        return (lon - self.lon0) * self._kx, (lat - self.lat0) * self._ky

    def forward_array(self, coords: np.ndarray) -> np.ndarray:
        if self.planar:
            return coords
        out = np.empty_like(coords, dtype=float)
        out[:, 0] = (coords[:, 0] - self.lon0) * self._kx
        out[:, 1] = (coords[:, 1] - self.lat0) * self._ky
        return out

    def inverse_array(self, coords: np.ndarray) -> np.ndarray:
        if self.planar:
            return coords
        out = np.empty_like(coords, dtype=float)
        out[:, 0] = coords[:, 0] / self._kx + self.lon0
        out[:, 1] = coords[:, 1] / self._ky + self.lat0
        return out

    def to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, self.forward_array)

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, self.inverse_array)
