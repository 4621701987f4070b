"""The template's words and example rows: the instructions (Chinese, then English), two example
rows per table (after the Xiamen pilot: 安平里 and 槟榔东里 sharing 员当新市区物业) and every
setting with its default."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sharedprop.data import ObjectiveWeights, Policy

INSTRUCTIONS = (
    "sharedprop 实例模板 / instance template",
    "",
    "填写说明",
    "1. 每张表一行一个对象：communities（无物业小区）、firms（物业企业）必填；"
    "resources（经营性资源）、edges（相邻关系）、locks（锁定规则）可选，不用时只保留表头。",
    "2. 第 1 行是表头，请勿修改列名；把鼠标移到表头单元格上可看到单位和说明。",
    "3. 灰色斜体的两行是示例，请覆盖或删除；留下的示例会被当作数据读入。",
    "4. 有下拉箭头的单元格请从列表中选择（街道列也可输入新街道）。",
    "5. instance、policy、objective 表按 key / value 填写；value 留空表示取默认值。",
    "6. 比例可写小数或百分数（0.65 或 65%）；是/否可写 true/false、1/0、yes/no 或 是/否。",
    "7. 坐标填经纬度（度）；高德/腾讯坐标请在 instance 表选 gcj02，百度坐标选 bd09。",
    "8. 检查：sharedprop validate 文件名.xlsx；求解：sharedprop solve 文件名.xlsx。"
    "出错时会指出表、行、列和取值。",
    "",
    "How to fill in",
    "1. One row per item in each sheet: communities and firms are required; resources, edges and "
    "locks are optional (keep only the header when unused; without edges rows, communities closer "
    "than link_max_m are neighbours).",
    "2. Row 1 is the header: do not rename columns; hover over a header cell for its unit and "
    "meaning.",
    "3. The two grey italic rows are examples: overwrite or delete them; rows left in place are "
    "read as data.",
    "4. Cells with a dropdown take a value from its list (a new street may be typed).",
    "5. The sheets instance, policy and objective hold key / value pairs; an empty value keeps "
    "the default.",
    "6. Shares may be decimals or percentages (0.65 or 65%); yes/no values may be true/false, "
    "1/0, yes/no or 是/否.",
    "7. Coordinates are longitude/latitude in degrees; choose gcj02 (Amap, Tencent) or bd09 "
    "(Baidu) on the instance sheet if they come from those maps.",
    "8. Check with: sharedprop validate FILE.xlsx; solve with: sharedprop solve FILE.xlsx. "
    "Problems name the sheet, row, column and value.",
)

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "communities": [
        {"id": "YD01", "name": "安平里", "street": "筼筜街道", "neighbourhood": "安平社区",
         "lon": 118.107149, "lat": 24.491119, "households": 260, "floor_area_m2": 16120,
         "fee_rate": 0.45, "collection_rate": 0.62, "buildings": 6, "built_year": 1986,
         "geometry_wkt": None},
        {"id": "YD02", "name": "槟榔东里", "street": "筼筜街道", "neighbourhood": "槟榔社区",
         "lon": 118.109126, "lat": 24.49004, "households": 380, "floor_area_m2": 22040,
         "fee_rate": 0.4, "collection_rate": 0.58, "buildings": 9, "built_year": 1984,
         "geometry_wkt": None},
    ],
    "firms": [
        {"id": "F01", "name": "员当新市区物业公司", "lon": 118.108335, "lat": 24.488151,
         "capacity_households": 1400, "max_packages": 2, "service_radius_m": 3000,
         "package_fixed_cost": 120000, "cost_per_household": 300, "travel_cost_per_km": 3000,
         "min_margin": 0.05},
        {"id": "F02", "name": "固家乐物业公司", "lon": 118.122082, "lat": 24.48675,
         "capacity_households": 900, "max_packages": 2, "service_radius_m": 3000,
         "package_fixed_cost": 100000, "cost_per_household": 280, "travel_cost_per_km": 3000,
         "min_margin": 0.05},
    ],
    "resources": [
        {"id": "R01", "name": "筼筜片区公共停车场", "kind": "parking", "lon": 118.108335,
         "lat": 24.4895, "annual_income": 120000, "max_distance_m": 800, "available": "是"},
        {"id": "R02", "name": "市直管公房", "kind": "public_housing", "lon": 118.1102,
         "lat": 24.4899, "annual_income": 60000, "max_distance_m": 600, "available": "否"},
    ],
    "edges": [
        {"source": "YD01", "target": "YD02", "distance_m": None},
        {"source": "YD02", "target": "YD01", "distance_m": None},
    ],
    "locks": [
        {"community_id": "YD01", "firm_id": "F01", "rule": "must"},
        {"community_id": "YD02", "firm_id": "F02", "rule": "forbid"},
    ],
}  # fmt: skip


def _defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in fields(cls)}


SETTING_EXAMPLES: dict[str, dict[str, Any]] = {
    "instance": {
        "name": None,
        "description": None,
        "distance": "haversine",
        "coordinates": "wgs84",
    },
    "policy": _defaults(Policy),
    "objective": _defaults(ObjectiveWeights),
}
