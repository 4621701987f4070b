"""The JSON API (FastAPI): every route is a thin call into the :class:`Workbench`.

The OpenAPI description is at ``/api/openapi.json`` so that other tools can drive the app
(with the token in the ``X-Sharedprop-Token`` header).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from sharedprop.app import edits, views
from sharedprop.app.i18n import _, page_catalog
from sharedprop.app.solving import SolveJob, thin
from sharedprop.app.workbench import EXPORT_FILES, Workbench
from sharedprop.data import Lock
from sharedprop.i18n import language

router = APIRouter(prefix="/api")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "resources_csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "html": "text/html; charset=utf-8",
}


def bench(request: Request) -> Workbench:
    return request.app.state.workbench


# -- request bodies -----------------------------------------------------------------------------


class OpenPath(BaseModel):
    path: str = Field(description="an instance folder or .xlsx workbook on this machine")


class CellEdit(BaseModel):
    table: str = Field(description="communities, firms, resources, edges or locks")
    row: int = Field(ge=2, description="spreadsheet row (the header is row 1)")
    column: str
    value: str = Field(max_length=10_000)


class Settings(BaseModel):
    policy: dict[str, Any] = Field(default_factory=dict)
    objective: dict[str, Any] = Field(default_factory=dict)


class Move(BaseModel):
    community_id: str
    package_id: str | None = Field(description="target package; null leaves it uncovered")


class NewPackage(BaseModel):
    community_id: str
    firm_id: str


class SetFirm(BaseModel):
    package_id: str
    firm_id: str


class LockBody(BaseModel):
    community_id: str
    firm_id: str
    rule: Literal["must", "forbid"]


class SolveBody(BaseModel):
    mode: Literal["all", "rest"] = Field(
        "all", description="all: optimise everything; rest: keep the hand edits as locks"
    )
    time_limit: float = Field(60.0, gt=0, le=24 * 3600, description="seconds")


class ScenarioBody(BaseModel):
    name: str = Field(min_length=1, max_length=120)


# -- state ----------------------------------------------------------------------------------------


def solve_json(job: SolveJob | None, with_trace: bool) -> dict[str, Any]:
    if job is None:
        return {"state": "idle"}
    last = job.trace[-1] if job.trace else None
    result = job.result
    out: dict[str, Any] = {
        "state": job.state,
        "mode": job.request.mode,
        "elapsed": round(job.elapsed(), 2),
        "time_limit": job.request.time_limit,
        "objective": views.num(result.objective if result else last and last.objective),
        "bound": views.num(result.best_bound if result else last and last.bound),
        "gap": (result.gap if result else last and last.gap),
        "status": result.status if result else None,
        "message": job.error or (last.message if last else ""),
        "reasons": list(result.reasons) if result else [],
    }
    if with_trace:
        out["trace"] = [
            [round(p.seconds, 2), views.num(p.objective), views.num(p.bound)]
            for p in thin(job.trace)
        ]
    return out


@router.get("/i18n", summary="The page's strings in the app's language")
def i18n() -> dict[str, Any]:
    return {"lang": language(), "catalog": page_catalog()}


@router.get("/state", summary="What changed: version, instance status, solve status")
def state(request: Request) -> dict[str, Any]:
    wb = bench(request)
    ev, cur = wb.evaluation, wb.current
    return {
        "version": wb.version,
        "instance": {
            "status": wb.inst.status,
            "name": wb.inst.instance.name if wb.inst.instance else None,
        },
        "plan": None if ev is None or cur is None else {
            "source": cur.source,
            "public_money": views.num(ev.public_money),
            "feasible": ev.feasible,
        },
        "solve": solve_json(wb.solver.job, with_trace=False),
    }  # fmt: skip


# -- the instance ---------------------------------------------------------------------------------


def instance_json(wb: Workbench) -> dict[str, Any]:
    inst = wb.inst
    out: dict[str, Any] = {
        "status": inst.status,
        "version": wb.version,
        "problems": [asdict(p) for p in inst.problems],
        "tables": [asdict(t) for t in inst.tables],
        "settings": views.settings_form(inst.instance),
    }
    if inst.instance is not None:
        i = inst.instance
        out |= {
            "name": i.name,
            "description": i.description,
            "planar": i.distance == "euclidean",
            "communities": [
                {"id": c.id, "name": c.name, "street": c.street} for c in i.communities
            ],
            "firms": [{"id": f.id, "name": f.name} for f in i.firms],
            "counts": {
                "communities": len(i.communities),
                "firms": len(i.firms),
                "resources": len(i.resources),
                "households": i.total_households,
            },
        }
    return out


@router.get("/instance", summary="The instance: status, validation problems, settings")
def get_instance(request: Request) -> dict[str, Any]:
    return instance_json(bench(request))


@router.post(
    "/instance/upload",
    summary="Upload an .xlsx workbook or a .zip of an instance folder (the raw bytes as body)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload(request: Request, filename: str = Query(max_length=255)) -> dict[str, Any]:
    wb = bench(request)
    cap = wb.settings.limits.upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise HTTPException(413, _("the upload is larger than {n} MB").format(n=cap // 2**20))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise HTTPException(413, _("the upload is larger than {n} MB").format(n=cap // 2**20))
    await run_in_threadpool(wb.upload, filename, bytes(body))
    return instance_json(wb)


@router.post("/instance/open", summary="Open an instance folder or workbook on this machine")
def open_path(request: Request, body: OpenPath) -> dict[str, Any]:
    wb = bench(request)
    wb.open_path(body.path)
    return instance_json(wb)


@router.post("/instance/cell", summary="Fix one cell of a table, then validate again")
def cell(request: Request, body: CellEdit) -> dict[str, Any]:
    wb = bench(request)
    wb.edit_cell(body.table, body.row, body.column, body.value)
    return instance_json(wb)


@router.put("/instance/settings", summary="Write the policy and objective settings")
def put_settings(request: Request, body: Settings) -> dict[str, Any]:
    wb = bench(request)
    wb.update_settings({"policy": body.policy, "objective": body.objective})
    return instance_json(wb)


# -- the plan and its edits -----------------------------------------------------------------------


def plan_json(wb: Workbench) -> dict[str, Any]:
    cur, ev = wb.plan_state(), wb.evaluation
    assert ev is not None
    result = cur.result
    return {
        "version": wb.version,
        "source": cur.source,
        "edited": sorted(cur.edited),
        "locks": [{"community_id": lk.community_id, "firm_id": lk.firm_id, "rule": lk.rule}
                  for lk in cur.locks],  # fmt: skip
        "evaluation": views.evaluation_json(wb.instance, ev),
        "solve": None if result is None else {
            "status": result.status,
            "objective": views.num(result.objective),
            "best_bound": views.num(result.best_bound),
            "gap": result.gap,
        },
    }  # fmt: skip


@router.get("/plan", summary="The current plan scored by evaluate, its locks and broken rules")
def get_plan(request: Request) -> dict[str, Any]:
    return plan_json(bench(request))


@router.get("/map", summary="The plan's map layers as GeoJSON (in a base map's coordinates)")
def get_map(
    request: Request, system: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
) -> dict[str, Any]:
    instance, plan, ev, version = bench(request).map_inputs()
    out = views.map_json(instance, plan, ev, system)
    out["sharedprop"]["version"] = version
    return out


@router.post("/plan/move", summary="Move a community to another package, or leave it uncovered")
def move(request: Request, body: Move) -> dict[str, Any]:
    wb = bench(request)
    edits.check_ids(wb.instance, body.community_id)
    wb.edit_plan(lambda p: edits.move_community(p, body.community_id, body.package_id),
                 body.community_id)  # fmt: skip
    return plan_json(wb)


@router.post("/plan/new-package", summary="Give a community a package of its own")
def new_package(request: Request, body: NewPackage) -> dict[str, Any]:
    wb = bench(request)
    edits.check_ids(wb.instance, body.community_id, body.firm_id)
    wb.edit_plan(lambda p: edits.new_package(p, body.community_id, body.firm_id),
                 body.community_id)  # fmt: skip
    return plan_json(wb)


@router.post("/plan/firm", summary="Let another firm run a package")
def set_firm(request: Request, body: SetFirm) -> dict[str, Any]:
    wb = bench(request)
    edits.check_ids(wb.instance, firm_id=body.firm_id)
    wb.edit_plan(lambda p: edits.set_firm(p, body.package_id, body.firm_id))
    return plan_json(wb)


@router.post("/plan/undo", summary="Undo the last edit")
def undo(request: Request) -> dict[str, Any]:
    wb = bench(request)
    if not wb.undo():
        raise HTTPException(409, _("nothing to undo"))
    return plan_json(wb)


@router.post("/locks", summary="Lock a community to a firm (must) or forbid a firm")
def add_lock(request: Request, body: LockBody) -> dict[str, Any]:
    wb = bench(request)
    edits.check_ids(wb.instance, body.community_id, body.firm_id)
    lock = Lock(body.community_id, body.firm_id, body.rule)
    wb.edit_locks(lambda locks: edits.add_lock(locks, lock))
    return plan_json(wb)


@router.delete("/locks", summary="Remove a community's locks (only the one on firm_id if given)")
def remove_lock(request: Request, community_id: str, firm_id: str | None = None) -> dict[str, Any]:
    wb = bench(request)
    wb.edit_locks(lambda locks: edits.remove_locks(locks, community_id, firm_id))
    return plan_json(wb)


@router.get("/explain/{community_id}", summary="Why this community is where it is (may be pending)")
def explain(request: Request, community_id: str) -> dict[str, Any]:
    answer = bench(request).explain(community_id)
    return {"state": answer.state, "text": answer.text}


# -- solving --------------------------------------------------------------------------------------


@router.post("/solve", summary="Start a solve (one per workspace; 409 while one runs)")
def start_solve(request: Request, body: SolveBody) -> dict[str, Any]:
    wb = bench(request)
    job = wb.start_solve(body.mode, body.time_limit)
    return solve_json(job, with_trace=True)


@router.get("/solve", summary="The solve's status, objective, bound, gap and trace")
def get_solve(request: Request) -> dict[str, Any]:
    return solve_json(bench(request).solver.job, with_trace=True)


@router.post("/solve/stop", summary="Stop the solve; the best plan found is kept")
def stop_solve(request: Request) -> dict[str, Any]:
    wb = bench(request)
    return {"stopping": wb.solver.stop()}


# -- scenarios ------------------------------------------------------------------------------------


def _scenario_row(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in ("id", "name", "saved_at", "source", "figures", "solve")}


@router.get("/scenarios", summary="The saved scenarios, oldest first")
def scenarios(request: Request) -> list[dict[str, Any]]:
    return [_scenario_row(s.data) for s in bench(request).workspace.scenarios()]


@router.post("/scenarios", summary="Save the current plan as a named scenario")
def save_scenario(request: Request, body: ScenarioBody) -> dict[str, Any]:
    return _scenario_row(bench(request).save_scenario(body.name))


@router.post("/scenarios/{scenario_id}/open", summary="Make a scenario the current plan")
def open_scenario(request: Request, scenario_id: str) -> dict[str, Any]:
    wb = bench(request)
    wb.open_scenario(scenario_id)
    return plan_json(wb)


@router.delete("/scenarios/{scenario_id}", summary="Delete a scenario")
def delete_scenario(request: Request, scenario_id: str) -> dict[str, Any]:
    bench(request).workspace.delete_scenario(scenario_id)
    return {"deleted": scenario_id}


@router.get("/compare", summary='Two scenarios side by side ("current" is the current plan)')
def compare(request: Request, a: str, b: str) -> dict[str, Any]:
    wb = bench(request)
    cmp, plans = wb.compare(a, b)
    return views.comparison_json(wb.instance, cmp, plans)


@router.get("/download/{kind}", summary="plan.csv, plan_resources.csv, plan.xlsx, plan.geojson "
            "or report.html of the current plan")  # fmt: skip
def download(request: Request, kind: Literal["csv", "resources_csv", "xlsx", "geojson", "html"]):
    name, data = bench(request).export(kind)
    assert name == EXPORT_FILES[kind]
    return Response(
        data,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
