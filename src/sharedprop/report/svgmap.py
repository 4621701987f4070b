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
from html import escape

import networkx as nx
import shapely
from shapely.geometry.base import BaseGeometry

from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation
from sharedprop.formatting import count, metres, yuan
from sharedprop.plan import Plan
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
    sub = nx.Graph(instance.graph.subgraph(members))
    if not nx.is_connected(sub):
        sub = nx.complete_graph(members)
    for a, b in sub.edges:
        sub[a][b]["w"] = math.dist(pt[a], pt[b])
    return sorted(nx.minimum_spanning_edges(sub, weight="w", data=False))


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
        ('<circle cx="{x}" cy="{y}" r="5" fill="#332288" stroke="#fff"/>', "community in a package"),
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


def svg_map(
    instance: Instance,
    plan: Plan | None,
    evaluation: Evaluation | None = None,
    *,
    width: float = 960.0,
    colours: Mapping[str, str] | None = None,
) -> str:
    """The map as an ``<svg>`` element (a string) to inline in the report."""
    shapes = plan_shapes(instance, plan)
    colours = colours or package_colours(shapes.packages, near_m=3 * shapes.pad_m)
    frame, map_h = _frame(shapes, instance, width)
    proj = shapes.projection
    planar = instance.distance == "euclidean"
    metrics = {m.package_id: m for m in evaluation.packages} if evaluation else {}
    pkgs = plan.package_by_id if plan else {}
    pkg_of = plan.package_of() if plan else {}
    firm_names = {f.id: f.name for f in instance.firms}
    used_firms = {p.firm_id for p in pkgs.values()}
    bundled = plan.resource_assignment() if plan else {}
    hub_of = {pid: (metrics[pid].hub_id if pid in metrics else p.hub_id) for pid, p in pkgs.items()}
    hubs = {h for h in hub_of.values() if h}
    pt = {c.id: frame.xy(*proj.forward(c.lon, c.lat)) for c in instance.communities}
    legend, legend_h = _legend(width, map_h, frame, planar)
    total_h = map_h + legend_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(total_h)}" '
        f'width="{_f(width)}" height="{_f(total_h)}" role="img" class="map" '
        f'aria-label="Map of {escape(instance.name)}">',
        f'<rect x="0" y="0" width="{_f(width)}" height="{_f(map_h)}" fill="#F6F5F0"/>',
        f'<rect x="0" y="{_f(map_h)}" width="{_f(width)}" height="{_f(legend_h)}" fill="#fff"/>',
    ]
    # Proximity graph (which communities may share staff): readable on a street, clutter on
    # a district, so it is drawn only for small instances.
    edges = []
    if len(instance.communities) <= GRAPH_MAX_COMMUNITIES:
        edges = [
            f"M{_f(pt[a][0])} {_f(pt[a][1])} L{_f(pt[b][0])} {_f(pt[b][1])}"
            for a, b in instance.graph.edges
            if a in pt and b in pt
        ]
    if edges:
        out.append(
            f'<path class="graph" d="{" ".join(edges)}" stroke="{EDGE}" stroke-width="1" fill="none"/>'
        )
    # Package areas.
    for pid, area in shapes.packages.items():
        col = colours[pid]
        m = metrics.get(pid)
        tip = f"package {pid} — {firm_names.get(pkgs[pid].firm_id, pkgs[pid].firm_id)}"
        if m:
            tip += f" — {count(m.households)} households — subsidy {yuan(m.subsidy)} yuan/yr"
        out.append(
            f'<path class="package" data-package="{escape(pid)}" d="{_path_d(frame, area)}" '
            f'fill="{col}" fill-opacity="0.13" stroke="{col}" stroke-width="1.8" '
            f'fill-rule="evenodd"><title>{escape(tip)}</title></path>'
        )
    # Each package's members joined by a spanning tree in its colour: where hulls overlap
    # (packages interleave in dense neighbourhoods) the lines still show who is with whom.
    for pid, p in pkgs.items():
        tree = _spanning_tree(instance, p.members, pt)
        if tree:
            d = " ".join(
                f"M{_f(pt[a][0])} {_f(pt[a][1])} L{_f(pt[b][0])} {_f(pt[b][1])}" for a, b in tree
            )
            out.append(
                f'<path class="links" d="{d}" stroke="{colours[pid]}" stroke-width="1.6" fill="none" opacity="0.9"/>'
            )
    # Firm → hub lines.
    firm_pt = {f.id: frame.xy(*proj.forward(f.lon, f.lat)) for f in instance.firms}
    for pid, p in pkgs.items():
        h = hub_of.get(pid)
        if h in pt and p.firm_id in firm_pt:
            (x1, y1), (x2, y2) = firm_pt[p.firm_id], pt[h]
            out.append(
                f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="#555" '
                f'stroke-width="1.2" stroke-dasharray="4 3" opacity="0.8"/>'
            )
    # Community polygons (when the instance has them), then dots.
    for c in instance.communities:
        geom = shapes.communities[c.id]
        pid = pkg_of.get(c.id)
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            col = colours.get(pid, UNCOVERED) if pid else UNCOVERED
            out.append(
                f'<path d="{_path_d(frame, geom)}" fill="{col}" fill-opacity="0.45" '
                f'stroke="{col}" stroke-width="0.8"/>'
            )
    for c in instance.communities:
        x, y = pt[c.id]
        pid = pkg_of.get(c.id)
        r = _dot_radius(c.households)
        tip = f"{c.id} {c.name} — {count(c.households)} households — "
        if pid:
            fid = pkgs[pid].firm_id
            tip += f"package {pid}, {firm_names.get(fid, fid)}"
            if c.id in hubs:
                tip += " (service point)"
            mark = f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{colours[pid]}" stroke="#fff" stroke-width="1"/>'
            if c.id in hubs:
                mark += f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r + 3.5)}" fill="none" stroke="#111" stroke-width="2"/>'
        else:
            tip += "not in any package"
            mark = f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="#fff" stroke="#777" stroke-width="1.5"/>'
        out.append(
            f'<g class="community" data-community="{escape(c.id)}">{mark}<title>{escape(tip)}</title></g>'
        )
    # Resources (triangles) and firms (squares) on top.
    for r in instance.resources:
        x, y = frame.xy(*proj.forward(r.lon, r.lat))
        pid = bundled.get(r.id)
        fill = RESOURCE if pid else "#fff"
        tip = f"{r.id} {r.name} ({r.kind}) — {yuan(r.annual_income)} yuan/yr — " + (
            f"bundled into {pid}" if pid else "not bundled"
        )
        out.append(
            f'<g class="resource" data-resource="{escape(r.id)}"><path d="M{_f(x)} {_f(y - 7)} '
            f'L{_f(x + 7)} {_f(y + 5)} L{_f(x - 7)} {_f(y + 5)} Z" fill="{fill}" stroke="#5a3d00" '
            f'stroke-width="1.2"/><title>{escape(tip)}</title></g>'
        )
    for f in instance.firms:
        x, y = firm_pt[f.id]
        used = f.id in used_firms
        style = f'fill="{FIRM}"' if used else f'fill="#fff" stroke="{FIRM}" stroke-width="1.5"'
        n_pk = sum(1 for p in pkgs.values() if p.firm_id == f.id)
        tip = f"{f.id} {f.name} — {n_pk} package(s), capacity {count(f.capacity_households)} households"
        out.append(
            f'<g class="firm" data-firm="{escape(f.id)}"><rect x="{_f(x - 6)}" y="{_f(y - 6)}" '
            f'width="12" height="12" {style}/><text x="{_f(x + 9)}" y="{_f(y + 4)}" '
            f'class="halo" font-size="11" fill="#111">{escape(f.id)}</text>'
            f"<title>{escape(tip)}</title></g>"
        )
    # Package labels last, so nothing hides them.
    for pid, (x, y) in _label_positions(shapes, frame, map_h).items():
        out.append(
            f'<text class="label halo" x="{_f(x)}" y="{_f(y)}" '
            f'text-anchor="middle" font-size="13" font-weight="700" fill="#1d2330">'
            f"{escape(pid)}</text>"
        )
    out.append(legend)
    out.append("</svg>")
    return "\n".join(out)
