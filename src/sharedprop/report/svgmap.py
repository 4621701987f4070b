"""The report's map: an inline SVG drawn from the instance's own geometry (no tiles, no network).

Packages are padded convex hulls in their colour with their members as dots sized by households,
the service point (hub) ringed, a dashed line from the firm to the hub; firms are squares,
resources triangles (hollow when not bundled), uncovered communities hollow grey dots, the
proximity graph faint grey lines. A legend and a scale bar sit in a strip under the map. Every
mark carries a ``<title>`` so hovering names it. All instance text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from html import escape

import networkx as nx
import shapely
from shapely.geometry.base import BaseGeometry

from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, PackageMetrics
from sharedprop.formatting import count, metres, yuan
from sharedprop.plan import Package, Plan
from sharedprop.report.palette import FIRM, RESOURCE, UNCOVERED, package_colours
from sharedprop.report.shapes import PlanShapes, plan_shapes

MARGIN = 18.0
SCALEBAR_W = 190.0
EDGE = "#D5D5D0"
GRAPH_MAX_COMMUNITIES = 150
LABEL_W, LABEL_H = 8.0, 14.0  # per character / line, at 13 px bold


@dataclass(frozen=True, slots=True)
class Frame:
    """Local metres → SVG pixels (y flipped so north is up)."""

    minx: float
    maxy: float
    scale: float  # pixels per metre

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return MARGIN + (x - self.minx) * self.scale, MARGIN + (self.maxy - y) * self.scale


def _f(v: float) -> str:
    return f"{v:.1f}"


def _ring(frame: Frame, coords: Iterable[tuple[float, ...]]) -> str:
    pts = [frame.xy(c[0], c[1]) for c in coords]
    return "M" + " L".join(f"{_f(x)} {_f(y)}" for x, y in pts) + " Z"


def _path_d(frame: Frame, geom: BaseGeometry) -> str:
    polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    parts = []
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        parts.append(_ring(frame, poly.exterior.coords))
        parts += [_ring(frame, hole.coords) for hole in poly.interiors]
    return " ".join(parts)


def nice_length(target: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``target`` (for the scale bar)."""
    if target <= 0:
        return 1.0
    k = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * k <= target:
            return m * k
    return k


def _frame(shapes: PlanShapes, instance: Instance, width: float) -> tuple[Frame, float]:
    proj = shapes.projection
    geoms = [*shapes.communities.values(), *shapes.packages.values()]
    geoms += [
        shapely.Point(proj.forward(s.lon, s.lat)) for s in (*instance.firms, *instance.resources)
    ]
    minx, miny, maxx, maxy = shapely.GeometryCollection(geoms).bounds if geoms else (0, 0, 1, 1)
    pad = max(maxx - minx, maxy - miny, 1.0) * 0.04
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    inner = width - 2 * MARGIN
    scale = inner / max(maxx - minx, 1e-9)
    # A tall area is fitted to a height of at most 1.2 × the width.
    if (maxy - miny) * scale > 1.2 * inner:
        scale = 1.2 * inner / (maxy - miny)
    height = (maxy - miny) * scale + 2 * MARGIN
    return Frame(minx, maxy, scale), height


def _dot_radius(households: int) -> float:
    return min(9.0, max(3.0, 2.2 + math.sqrt(households) / 3.2))


def _spanning_tree(
    instance: Instance, members: Sequence[str], pt: Mapping[str, tuple[float, float]]
) -> list[tuple[str, str]]:
    """A minimum spanning tree of the package on the proximity graph (on the plane if the
    package is not connected there), by on-screen length."""
    members = [m for m in members if m in pt]
    if len(members) < 2:
        return []
    # An induced subgraph lists its nodes from a set, in an order that changes with the hash
    # seed; the edges go in sorted so that the tree (ties included) is the same on every run.
    sub = nx.Graph()
    sub.add_nodes_from(members)
    sub.add_edges_from(sorted(_edge(a, b) for a, b in instance.graph.subgraph(members).edges))
    if not nx.is_connected(sub):
        sub = nx.complete_graph(members)
    for a, b in sub.edges:
        sub[a][b]["w"] = math.dist(pt[a], pt[b])
    return sorted(_edge(a, b) for a, b in nx.minimum_spanning_edges(sub, weight="w", data=False))


def _edge(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _label_positions(
    shapes: PlanShapes, frame: Frame, map_h: float
) -> dict[str, tuple[float, float]]:
    """Above each area if free, else below, else at its centre (labels may then overlap)."""
    placed: list[tuple[float, float, float, float]] = []
    out = {}
    for pid, area in shapes.packages.items():
        w = LABEL_W * len(pid) + 4
        cx, cy = frame.xy(*area.centroid.coords[0])
        _, top = frame.xy(0.0, area.bounds[3])
        _, bottom = frame.xy(0.0, area.bounds[1])
        candidates = [(cx, top - 5), (cx, bottom + LABEL_H), (cx, cy + LABEL_H / 2 - 2)]
        chosen = candidates[0]
        for x, y in candidates:
            box = (x - w / 2, y - LABEL_H + 2, x + w / 2, y + 2)
            inside = LABEL_H <= y <= map_h - 4
            if inside and not any(_overlaps(box, other) for other in placed):
                chosen = (x, y)
                break
        x, y = chosen
        placed.append((x - w / 2, y - LABEL_H + 2, x + w / 2, y + 2))
        out[pid] = (x, min(max(y, LABEL_H), map_h - 4))
    return out


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _legend(width: float, top: float, frame: Frame, planar: bool) -> tuple[str, float]:
    """The legend strip's SVG and its height; items wrap left of the scale bar."""
    y = top + 22
    items = [
        ('<circle cx="{x}" cy="{y}" r="5" fill="#332288" stroke="#fff"/>',
         "community in a package"),
        ('<circle cx="{x}" cy="{y}" r="4.5" fill="#fff" stroke="#777" stroke-width="1.5"/>',
         "uncovered community"),
        ('<circle cx="{x}" cy="{y}" r="8" fill="none" stroke="#111" stroke-width="2"/>'
         '<circle cx="{x}" cy="{y}" r="4" fill="#332288"/>', "service point (hub)"),
        ('<rect x="{x0}" y="{y0}" width="11" height="11" fill="' + FIRM + '"/>', "firm"),
        ('<rect x="{x0}" y="{y0}" width="11" height="11" fill="#fff" stroke="' + FIRM
         + '" stroke-width="1.5"/>', "firm with no package"),
        ('<path d="M{x} {ya} L{xr} {yb} L{xl} {yb} Z" fill="' + RESOURCE
         + '" stroke="#5a3d00"/>', "resource bundled"),
        ('<path d="M{x} {ya} L{xr} {yb} L{xl} {yb} Z" fill="#fff" stroke="#5a3d00"/>',
         "resource not bundled"),
        ('<line x1="{xl}" y1="{y}" x2="{xr2}" y2="{y}" stroke="#555" stroke-dasharray="4 3"/>',
         "firm → service point"),
    ]  # fmt: skip
    out = ['<g class="legend" font-size="12">']
    x = MARGIN + 8
    row_y = y
    for shape, label in items:
        width_needed = 30 + 7.4 * len(label)
        if x + width_needed > width - MARGIN - SCALEBAR_W:
            x, row_y = MARGIN + 8, row_y + 22
        out.append(
            shape.format(
                x=_f(x),
                y=_f(row_y),
                x0=_f(x - 5.5),
                y0=_f(row_y - 5.5),
                ya=_f(row_y - 6),
                yb=_f(row_y + 5),
                xl=_f(x - 6),
                xr=_f(x + 6),
                xr2=_f(x + 10),
            )  # fmt: skip
        )
        out.append(f'<text x="{_f(x + 14)}" y="{_f(row_y + 4)}" fill="#222">{escape(label)}</text>')
        x += width_needed
    # Scale bar, bottom right: a round length about a fifth of the map's width.
    metres_wide = nice_length((width - 2 * MARGIN) / frame.scale / 5)
    px = metres_wide * frame.scale
    x1, x0 = width - MARGIN - 8, width - MARGIN - 8 - px
    height = row_y - top + 18
    yb = top + height - 12
    unit = f"{metres_wide:g} (planar units)" if planar else metres(metres_wide)
    out.append(
        f'<g class="scalebar"><path d="M{_f(x0)} {_f(yb - 6)} V{_f(yb)} H{_f(x1)} V{_f(yb - 6)}" '
        f'fill="none" stroke="#222" stroke-width="2"/>'
        f'<text x="{_f((x0 + x1) / 2)}" y="{_f(yb - 9)}" text-anchor="middle" fill="#222">'
        f"{escape(unit)}</text></g>"
    )
    out.append("</g>")
    return "".join(out), height


@dataclass(frozen=True)
class _Scene:
    """What every layer of the map reads: where things are drawn and what the plan says."""

    instance: Instance
    shapes: PlanShapes
    frame: Frame
    map_h: float
    colours: Mapping[str, str]
    packages: Mapping[str, Package]
    package_of: Mapping[str, str]
    metrics: Mapping[str, PackageMetrics]
    bundled: Mapping[str, str]  # resource id → package id

    @cached_property
    def firm_names(self) -> dict[str, str]:
        return {f.id: f.name for f in self.instance.firms}

    @cached_property
    def hub_of(self) -> dict[str, str | None]:
        """The hub the evaluator used (the plan may leave it to the contract's rule)."""
        return {
            pid: (self.metrics[pid].hub_id if pid in self.metrics else p.hub_id)
            for pid, p in self.packages.items()
        }

    @cached_property
    def community_xy(self) -> dict[str, tuple[float, float]]:
        proj = self.shapes.projection
        return {c.id: self.frame.xy(*proj.forward(c.lon, c.lat)) for c in self.instance.communities}

    @cached_property
    def firm_xy(self) -> dict[str, tuple[float, float]]:
        proj = self.shapes.projection
        return {f.id: self.frame.xy(*proj.forward(f.lon, f.lat)) for f in self.instance.firms}

    def firm_name(self, fid: str) -> str:
        return self.firm_names.get(fid, fid)


def _scene(
    instance: Instance,
    plan: Plan | None,
    evaluation: Evaluation | None,
    width: float,
    colours: Mapping[str, str] | None,
) -> _Scene:
    shapes = plan_shapes(instance, plan)
    frame, map_h = _frame(shapes, instance, width)
    return _Scene(
        instance=instance,
        shapes=shapes,
        frame=frame,
        map_h=map_h,
        colours=colours or package_colours(shapes.packages, near_m=3 * shapes.pad_m),
        packages=plan.package_by_id if plan else {},
        package_of=plan.package_of() if plan else {},
        metrics={m.package_id: m for m in evaluation.packages} if evaluation else {},
        bundled=plan.resource_assignment() if plan else {},
    )


def _segments(pt: Mapping[str, tuple[float, float]], pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [f"M{_f(pt[a][0])} {_f(pt[a][1])} L{_f(pt[b][0])} {_f(pt[b][1])}" for a, b in pairs]


# -- the layers, bottom to top ------------------------------------------------------------------


def _canvas(name: str, width: float, map_h: float, legend_h: float) -> list[str]:
    total_h = map_h + legend_h
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(total_h)}" '
        f'width="{_f(width)}" height="{_f(total_h)}" role="img" class="map" '
        f'aria-label="Map of {escape(name)}">',
        f'<rect x="0" y="0" width="{_f(width)}" height="{_f(map_h)}" fill="#F6F5F0"/>',
        f'<rect x="0" y="{_f(map_h)}" width="{_f(width)}" height="{_f(legend_h)}" fill="#fff"/>',
    ]


def _proximity_graph(s: _Scene) -> list[str]:
    # Which communities may share staff: readable on a street, clutter on a district, so it is
    # drawn only for small instances.
    if len(s.instance.communities) > GRAPH_MAX_COMMUNITIES:
        return []
    pt = s.community_xy
    edges = _segments(pt, ((a, b) for a, b in s.instance.graph.edges if a in pt and b in pt))
    if not edges:
        return []
    return [
        f'<path class="graph" d="{" ".join(edges)}" stroke="{EDGE}" stroke-width="1" fill="none"/>'
    ]


def _package_areas(s: _Scene) -> list[str]:
    out = []
    for pid, area in s.shapes.packages.items():
        col, m = s.colours[pid], s.metrics.get(pid)
        tip = f"package {pid} — {s.firm_name(s.packages[pid].firm_id)}"
        if m:
            tip += f" — {count(m.households)} households — subsidy {yuan(m.subsidy)} yuan/yr"
        out.append(
            f'<path class="package" data-package="{escape(pid)}" d="{_path_d(s.frame, area)}" '
            f'fill="{col}" fill-opacity="0.13" stroke="{col}" stroke-width="1.8" '
            f'fill-rule="evenodd"><title>{escape(tip)}</title></path>'
        )
    return out


def _package_links(s: _Scene) -> list[str]:
    # Where hulls overlap (packages interleave in dense neighbourhoods) a spanning tree in the
    # package's colour still shows who is with whom.
    out = []
    for pid, p in s.packages.items():
        tree = _spanning_tree(s.instance, p.members, s.community_xy)
        if tree:
            out.append(
                f'<path class="links" d="{" ".join(_segments(s.community_xy, tree))}" '
                f'stroke="{s.colours[pid]}" stroke-width="1.6" fill="none" opacity="0.9"/>'
            )
    return out


def _firm_to_hub_lines(s: _Scene) -> list[str]:
    out = []
    for pid, p in s.packages.items():
        h = s.hub_of.get(pid)
        if h in s.community_xy and p.firm_id in s.firm_xy:
            (x1, y1), (x2, y2) = s.firm_xy[p.firm_id], s.community_xy[h]
            out.append(
                f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="#555" '
                f'stroke-width="1.2" stroke-dasharray="4 3" opacity="0.8"/>'
            )
    return out


def _community_polygons(s: _Scene) -> list[str]:
    """The communities' own outlines, when the instance has them."""
    out = []
    for c in s.instance.communities:
        geom = s.shapes.communities[c.id]
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            pid = s.package_of.get(c.id)
            col = s.colours.get(pid, UNCOVERED) if pid else UNCOVERED
            out.append(
                f'<path d="{_path_d(s.frame, geom)}" fill="{col}" fill-opacity="0.45" '
                f'stroke="{col}" stroke-width="0.8"/>'
            )
    return out


def _community_dots(s: _Scene) -> list[str]:
    hubs = {h for h in s.hub_of.values() if h}
    out = []
    for c in s.instance.communities:
        x, y = s.community_xy[c.id]
        pid = s.package_of.get(c.id)
        r = _dot_radius(c.households)
        at = f'cx="{_f(x)}" cy="{_f(y)}"'
        tip = f"{c.id} {c.name} — {count(c.households)} households — "
        if pid:
            tip += f"package {pid}, {s.firm_name(s.packages[pid].firm_id)}"
            mark = (
                f'<circle {at} r="{_f(r)}" fill="{s.colours[pid]}" stroke="#fff" stroke-width="1"/>'
            )
            if c.id in hubs:
                tip += " (service point)"
                mark += (
                    f'<circle {at} r="{_f(r + 3.5)}" fill="none" stroke="#111" stroke-width="2"/>'
                )
        else:
            tip += "not in any package"
            mark = f'<circle {at} r="{_f(r)}" fill="#fff" stroke="#777" stroke-width="1.5"/>'
        out.append(
            f'<g class="community" data-community="{escape(c.id)}">{mark}'
            f"<title>{escape(tip)}</title></g>"
        )
    return out


def _resource_marks(s: _Scene) -> list[str]:
    out = []
    for r in s.instance.resources:
        x, y = s.frame.xy(*s.shapes.projection.forward(r.lon, r.lat))
        pid = s.bundled.get(r.id)
        fill = RESOURCE if pid else "#fff"
        tip = f"{r.id} {r.name} ({r.kind}) — {yuan(r.annual_income)} yuan/yr — " + (
            f"bundled into {pid}" if pid else "not bundled"
        )
        out.append(
            f'<g class="resource" data-resource="{escape(r.id)}"><path d="M{_f(x)} {_f(y - 7)} '
            f'L{_f(x + 7)} {_f(y + 5)} L{_f(x - 7)} {_f(y + 5)} Z" fill="{fill}" stroke="#5a3d00" '
            f'stroke-width="1.2"/><title>{escape(tip)}</title></g>'
        )
    return out


def _firm_marks(s: _Scene) -> list[str]:
    used = {p.firm_id for p in s.packages.values()}
    out = []
    for f in s.instance.firms:
        x, y = s.firm_xy[f.id]
        style = (
            f'fill="{FIRM}"' if f.id in used else f'fill="#fff" stroke="{FIRM}" stroke-width="1.5"'
        )
        n_pk = sum(1 for p in s.packages.values() if p.firm_id == f.id)
        tip = (
            f"{f.id} {f.name} — {n_pk} package(s), "
            f"capacity {count(f.capacity_households)} households"
        )
        out.append(
            f'<g class="firm" data-firm="{escape(f.id)}"><rect x="{_f(x - 6)}" y="{_f(y - 6)}" '
            f'width="12" height="12" {style}/><text x="{_f(x + 9)}" y="{_f(y + 4)}" '
            f'class="halo" font-size="11" fill="#111">{escape(f.id)}</text>'
            f"<title>{escape(tip)}</title></g>"
        )
    return out


def _package_labels(s: _Scene) -> list[str]:
    return [
        f'<text class="label halo" x="{_f(x)}" y="{_f(y)}" '
        f'text-anchor="middle" font-size="13" font-weight="700" fill="#1d2330">'
        f"{escape(pid)}</text>"
        for pid, (x, y) in _label_positions(s.shapes, s.frame, s.map_h).items()
    ]


def svg_map(
    instance: Instance,
    plan: Plan | None,
    evaluation: Evaluation | None = None,
    *,
    width: float = 960.0,
    colours: Mapping[str, str] | None = None,
) -> str:
    """The map as an ``<svg>`` element (a string) to inline in the report.

    Layers go bottom to top: the proximity graph, package areas, the links inside each
    package, firm → hub lines, community outlines and dots, resources, firms, and the package
    labels last so that nothing hides them; the legend sits in a strip below.
    """
    s = _scene(instance, plan, evaluation, width, colours)
    planar = instance.distance == "euclidean"
    legend, legend_h = _legend(width, s.map_h, s.frame, planar)
    return "\n".join(
        [
            *_canvas(instance.name, width, s.map_h, legend_h),
            *_proximity_graph(s),
            *_package_areas(s),
            *_package_links(s),
            *_firm_to_hub_lines(s),
            *_community_polygons(s),
            *_community_dots(s),
            *_resource_marks(s),
            *_firm_marks(s),
            *_package_labels(s),
            legend,
            "</svg>",
        ]
    )
