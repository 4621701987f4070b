"""What the instance tables hold: their columns, which are required, and what each one means.

The readers check the required columns, the template writes every column with its unit and
meaning as a header note, and the instructions sheet lists them; all from this one table. The
keys of the ``instance``, ``policy`` and ``objective`` settings are here too.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMUNITY_COLUMNS = (
    "id", "name", "street", "neighbourhood", "lon", "lat",
    "households", "floor_area_m2", "fee_rate", "collection_rate",
)  # fmt: skip
COMMUNITY_OPTIONAL_COLUMNS = ("buildings", "built_year", "geometry_wkt")
FIRM_COLUMNS = (
    "id", "name", "lon", "lat", "capacity_households", "max_packages", "service_radius_m",
    "package_fixed_cost", "cost_per_household", "travel_cost_per_km", "min_margin",
)  # fmt: skip
RESOURCE_COLUMNS = ("id", "name", "kind", "lon", "lat", "annual_income", "max_distance_m")
RESOURCE_OPTIONAL_COLUMNS = ("available",)
EDGE_COLUMNS = ("source", "target")
EDGE_OPTIONAL_COLUMNS = ("distance_m",)
LOCK_COLUMNS = ("community_id", "firm_id", "rule")

# Table name -> (required columns, optional columns), in the order files are written.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "communities": (COMMUNITY_COLUMNS, COMMUNITY_OPTIONAL_COLUMNS),
    "firms": (FIRM_COLUMNS, ()),
    "resources": (RESOURCE_COLUMNS, RESOURCE_OPTIONAL_COLUMNS),
    "edges": (EDGE_COLUMNS, EDGE_OPTIONAL_COLUMNS),
    "locks": (LOCK_COLUMNS, ()),
}
REQUIRED_TABLES = ("communities", "firms")

# The key/value settings: the top level of instance.toml, then its two tables.
INSTANCE_KEYS = ("name", "description", "distance", "coordinates")
SETTINGS_SECTIONS = ("instance", "policy", "objective")


@dataclass(frozen=True, slots=True)
class ColumnNote:
    """What a column (or setting) means, with its unit, in Chinese and English."""

    zh: str
    en: str


# Shown as header notes in the template and listed on its instructions sheet.
NOTES: dict[str, dict[str, ColumnNote]] = {
    "communities": {
        "id": ColumnNote("小区编号，唯一", "community id, unique"),
        "name": ColumnNote("小区名称", "community name"),
        "street": ColumnNote("所属街道", "street office (街道)"),
        "neighbourhood": ColumnNote("所属社区", "neighbourhood (社区)"),
        "lon": ColumnNote("经度（度，东经）", "longitude (degrees east)"),
        "lat": ColumnNote("纬度（度，北纬）", "latitude (degrees north)"),
        "households": ColumnNote("户数（户，整数，> 0）", "households (whole number, > 0)"),
        "floor_area_m2": ColumnNote("建筑面积（平方米）", "floor area (m²)"),
        "fee_rate": ColumnNote("物业费标准（元/平方米/月）", "fee rate (yuan per m² per month)"),
        "collection_rate": ColumnNote(
            "收缴率（0 到 1，或写 65%）", "collection rate (share 0 to 1, or 65%)"
        ),
        "buildings": ColumnNote("楼栋数（可选）", "buildings (optional)"),
        "built_year": ColumnNote("建成年份（可选）", "year built (optional)"),
        "geometry_wkt": ColumnNote(
            "小区边界 WKT 多边形（可选，经度 纬度）",
            "boundary as a WKT polygon (optional, 'lon lat' vertices)",
        ),
    },
    "firms": {
        "id": ColumnNote("企业编号，唯一", "firm id, unique"),
        "name": ColumnNote("物业企业名称", "firm name"),
        "lon": ColumnNote("经度（度）", "longitude (degrees)"),
        "lat": ColumnNote("纬度（度）", "latitude (degrees)"),
        "capacity_households": ColumnNote("可承接户数上限（户）", "capacity (households)"),
        "max_packages": ColumnNote("可承接片区数上限（个）", "most packages it can run"),
        "service_radius_m": ColumnNote("服务半径（米）", "service radius (metres)"),
        "package_fixed_cost": ColumnNote(
            "每个片区固定成本（元/年）", "fixed cost per package (yuan/yr)"
        ),
        "cost_per_household": ColumnNote(
            "每户服务成本（元/户/年）", "cost per household (yuan/yr)"
        ),
        "travel_cost_per_km": ColumnNote(
            "每公里通勤成本（元/公里/年）", "travel cost (yuan per km per yr)"
        ),
        "min_margin": ColumnNote(
            "最低利润率（0 到 1，如 0.05）", "minimum margin (share, e.g. 0.05)"
        ),
    },
    "resources": {
        "id": ColumnNote("资源编号，唯一", "resource id, unique"),
        "name": ColumnNote("资源名称", "resource name"),
        "kind": ColumnNote(
            "类别（停车场、公房、保洁合同……）", "kind (parking, public housing, ...)"
        ),
        "lon": ColumnNote("经度（度）", "longitude (degrees)"),
        "lat": ColumnNote("纬度（度）", "latitude (degrees)"),
        "annual_income": ColumnNote("年收益（元/年）", "annual income (yuan/yr)"),
        "max_distance_m": ColumnNote(
            "与服务点的最大距离（米）", "farthest distance from the service point (metres)"
        ),
        "available": ColumnNote(
            "现在是否可用（是/否；否 = 候选资源，方案不得使用）",
            "available now (true/false; false = a candidate no plan may bundle)",
        ),
    },
    "edges": {
        "source": ColumnNote("小区编号", "community id"),
        "target": ColumnNote("相邻小区编号", "neighbouring community id"),
        "distance_m": ColumnNote(
            "距离（米，可选，仅用于显示）", "distance (metres, optional, display only)"
        ),
    },
    "locks": {
        "community_id": ColumnNote("小区编号", "community id"),
        "firm_id": ColumnNote("企业编号", "firm id"),
        "rule": ColumnNote(
            "must = 必须由该企业服务；forbid = 不得由该企业服务",
            "must = served by this firm; forbid = never by this firm",
        ),
    },
    "instance": {
        "name": ColumnNote("实例名称", "instance name"),
        "description": ColumnNote("说明", "description"),
        "distance": ColumnNote(
            "距离：haversine（经纬度）或 euclidean（平面坐标，米）",
            "distance: haversine (lon/lat) or euclidean (planar metres)",
        ),
        "coordinates": ColumnNote(
            "坐标系：wgs84、gcj02（高德/腾讯）或 bd09（百度）",
            "coordinate system: wgs84, gcj02 (Amap/Tencent) or bd09 (Baidu)",
        ),
    },
    "policy": {
        "package_max_households": ColumnNote(
            "每个片区最多户数（空 = 不限）", "most households per package (empty = no limit)"
        ),
        "package_min_households": ColumnNote("每个片区最少户数", "fewest households per package"),
        "package_max_radius_m": ColumnNote(
            "片区半径上限（米，空 = 不限）", "package radius limit (metres, empty = no limit)"
        ),
        "link_max_m": ColumnNote(
            "无 edges 表时相邻距离（米）", "neighbour distance without an edges sheet (metres)"
        ),
        "require_contiguity": ColumnNote(
            "片区必须连片（true/false）", "packages must be contiguous (true/false)"
        ),
        "cross_streets": ColumnNote(
            "允许跨街道组片（true/false）", "packages may cross streets (true/false)"
        ),
        "allow_uncovered": ColumnNote(
            "允许小区不入片（true/false）", "communities may stay uncovered (true/false)"
        ),
        "fallback_cost_per_household": ColumnNote(
            "街道兜底成本（元/户/年）", "fallback cost (yuan per household per yr)"
        ),
        "min_coverage": ColumnNote(
            "最低覆盖户数比例（0 到 1）", "least share of households covered (0 to 1)"
        ),
    },
    "objective": {
        "weight_public_money": ColumnNote("财政资金权重", "weight of public money"),
        "weight_total_cost": ColumnNote("总成本权重", "weight of total cost"),
    },
}  # fmt: skip
