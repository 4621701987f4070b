"""The JSON API through Starlette's test client: safety, scoring, solving, scenarios, downloads.

Solving uses a stand-in for ``sharedprop.solve`` that waits until it is stopped, so that "one
solve at a time" and "stop keeps the best plan" are tested without timing; the real solver runs
in the browser test.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import replace

import pytest

from sharedprop import evaluate, load_instance, read_plan
from sharedprop.app.settings import Limits
from sharedprop.app.views import subject_kind
from sharedprop.result import ProgressPoint, Result
from tests.app.client import TOKEN, make_client


class StandInSolver:
    """Reports one progress point, then waits for ``stop`` (or 20 s) and returns its plan."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.plan = None
        self.instances = []

    def __call__(self, instance, *, time_limit, workers, initial_plan, on_progress, stop):
        self.instances.append(instance)
        self.started.set()
        on_progress(ProgressPoint(0.01, 900_000.0, 400_000.0, "stand-in"))
        deadline = time.monotonic() + 20
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        plan = self.plan or initial_plan
        ev = evaluate(instance, plan)
        return Result("feasible", plan, ev.objective, 400_000.0, 0.1, "stand-in")


@pytest.fixture
def solver():
    return StandInSolver()


@pytest.fixture
def client(tmp_path, tiny_instance, solver):
    c = make_client(tmp_path / "workspace", solver)
    assert (
        c.post("/api/instance/open", json={"path": str(tiny_instance)}).json()["status"] == "valid"
    )
    yield c
    c.app.state.workbench.close()


def scored(client):
    wb = client.app.state.workbench
    return evaluate(replace(load_instance(wb.inst.source), locks=wb.current.locks), wb.current.plan)


# -- safety ---------------------------------------------------------------------------------------


def test_every_request_without_the_token_is_refused(tmp_path):
    c = make_client(tmp_path / "ws")
    c.cookies.clear()
    for path in ("/", "/api/state", "/static/js/main.js", "/vendor/leaflet/leaflet.js"):
        assert c.get(path).status_code == 403, path
    assert c.get("/api/state", headers={"X-Sharedprop-Token": "wrong" * 5}).status_code == 403
    assert c.get("/api/state", headers={"X-Sharedprop-Token": TOKEN}).status_code == 200
    assert c.get("/api/state", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_launch_address_trades_its_token_for_a_cookie_and_drops_it(tmp_path):
    c = make_client(tmp_path / "ws")
    c.cookies.clear()
    r = c.get(f"/?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "sharedprop_token_8765=" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    page = c.get("/")
    assert (
        page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    )


def test_a_change_from_another_origin_is_refused_even_with_the_cookie(client):
    body = {"name": "x"}
    r = client.post("/api/scenarios", json=body, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "evil.example" in r.json()["detail"]
    del client.headers["Origin"]
    assert client.post("/api/scenarios", json=body).status_code == 403  # cookie alone: no
    ok = client.post("/api/scenarios", json=body, headers={"X-Sharedprop-Token": TOKEN})
    assert ok.status_code == 200  # a tool sends the token in a header


def test_an_upload_over_the_cap_is_refused(tmp_path):
    c = make_client(tmp_path / "ws", limits=Limits(upload_bytes=1000))
    r = c.post("/api/instance/upload?filename=x.zip", content=b"0" * 5000)
    assert r.status_code == 413
    assert c.get("/api/instance").json()["status"] == "empty"


def test_the_api_is_described_by_openapi(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/plan/move", "/api/solve", "/api/scenarios", "/api/download/{kind}"} <= set(
        spec["paths"]
    )


# -- data in ------------------------------------------------------------------------------------


def test_a_broken_cell_is_located_and_fixing_it_makes_the_instance_valid(
    tmp_path, tiny_files, write_instance
):
    tiny_files.set("communities", 2, "households", "-5")
    tiny_files.xlsx.add("firms")
    tiny_files.set("firms", 1, "min_margin", "lots")
    folder = write_instance(tiny_files)
    c = make_client(tmp_path / "ws")
    inst = c.post("/api/instance/open", json={"path": str(folder)}).json()
    assert inst["status"] == "invalid"
    cells = {(p["table"], p["row"], p["column"], p["value"]) for p in inst["problems"]}
    assert cells == {("communities", 4, "households", "-5"), ("firms", 3, "min_margin", "lots")}
    table = next(t for t in inst["tables"] if t["name"] == "communities")
    assert table["rows"][0]["marked"] == ["households"] and table["rows"][0]["row"] == 4
    assert c.post("/api/solve", json={"time_limit": 1}).status_code == 409
    c.post("/api/instance/cell", json={"table": "communities", "row": 4, "column": "households",
                                       "value": "60"})  # fmt: skip
    inst = c.post("/api/instance/cell", json={"table": "firms", "row": 3, "column": "min_margin",
                                              "value": "0.05"}).json()  # fmt: skip
    assert inst["status"] == "valid", inst["problems"]
    assert load_instance(tmp_path / "ws" / "instance").firm("F2").min_margin == 0.05


def test_the_settings_form_writes_the_policy_and_the_plan_is_scored_under_it(client):
    form = {f["name"]: f for f in client.get("/api/instance").json()["settings"]}
    assert form["fallback_cost_per_household"]["value"] == 500
    assert form["package_max_households"]["optional"] and form["link_max_m"]["unit"] == "m"
    client.post("/api/plan/move", json={"community_id": "C06", "package_id": None})
    before = client.get("/api/plan").json()["evaluation"]["public_money"]
    inst = client.put("/api/instance/settings", json={
        "policy": {"fallback_cost_per_household": 900, "package_max_households": 300},
        "objective": {"weight_public_money": 1.0},
    }).json()  # fmt: skip
    assert inst["status"] == "valid"
    after = client.get("/api/plan").json()["evaluation"]["public_money"]
    assert after == pytest.approx(before + 400 * 50, abs=0.01)  # C06: 50 households uncovered
    assert after == pytest.approx(scored(client).public_money, abs=0.01)


# -- editing and scoring --------------------------------------------------------------------------


def test_the_manual_plan_is_scored_when_the_instance_opens(client):
    plan = client.get("/api/plan").json()
    wb = client.app.state.workbench
    manual = read_plan(wb.inst.source / "plans" / "manual.csv", wb.instance)
    assert plan["source"] == "manual plan manual"
    assert plan["evaluation"]["public_money"] == round(
        evaluate(wb.instance, manual).public_money, 2
    )


def test_moving_a_community_is_scored_by_evaluate_and_can_be_undone(client):
    first = client.get("/api/plan").json()["evaluation"]
    moved = client.post("/api/plan/move", json={"community_id": "C03", "package_id": "M2"}).json()
    ev = scored(client)
    assert moved["evaluation"]["public_money"] == round(ev.public_money, 2)
    assert moved["edited"] == ["C03"]
    rules = {(v["rule"], v["subject"], v["kind"]) for v in moved["evaluation"]["broken"]}
    assert ("one_street", "M2", "package") in rules  # C03 lies in the other street
    assert rules == {(v.rule, v.subject, subject_kind(v.rule)) for v in ev.broken}
    undone = client.post("/api/plan/undo").json()["evaluation"]
    assert undone["public_money"] == first["public_money"]
    assert client.post("/api/plan/undo").status_code == 409  # nothing left to undo


def test_a_new_package_and_a_new_firm_are_scored_at_once(client):
    p = client.post("/api/plan/new-package", json={"community_id": "C01", "firm_id": "F2"}).json()
    new = next(q for q in p["evaluation"]["packages"] if q["members"] == ["C01"])
    assert new["firm_id"] == "F2" and new["hub_id"] == "C01"
    p = client.post("/api/plan/firm", json={"package_id": "M1", "firm_id": "F2"}).json()
    assert {q["firm_id"] for q in p["evaluation"]["packages"]} == {"F2"}
    assert p["evaluation"]["public_money"] == round(scored(client).public_money, 2)
    bad = client.post("/api/plan/move", json={"community_id": "C99", "package_id": "M1"})
    assert bad.status_code == 400 and "C99" in bad.json()["detail"]


def test_a_lock_is_a_rule_the_plan_is_scored_against_until_it_is_removed(client):
    p = client.post("/api/locks", json={"community_id": "C01", "firm_id": "F2", "rule": "must"})
    broken = p.json()["evaluation"]["broken"]
    assert [(v["rule"], v["subject"], v["kind"]) for v in broken] == [
        ("lock_must", "C01", "community")
    ]
    p = client.post("/api/locks", json={"community_id": "C01", "firm_id": "F2", "rule": "forbid"})
    locks = [(lk["community_id"], lk["firm_id"], lk["rule"]) for lk in p.json()["locks"]]
    assert ("C01", "F2", "forbid") in locks and ("C01", "F2", "must") not in locks
    p = client.delete("/api/locks", params={"community_id": "C01"})
    assert all(lk["community_id"] != "C01" for lk in p.json()["locks"])
    assert p.json()["evaluation"]["broken"] == []


# -- solving --------------------------------------------------------------------------------------


def test_one_solve_at_a_time_and_stop_keeps_the_plan_found(client, solver):
    wb = client.app.state.workbench
    solver.plan = read_plan(wb.inst.source / "plans" / "manual.csv", wb.instance)
    started = client.post("/api/solve", json={"time_limit": 30})
    assert started.status_code == 200 and started.json()["state"] == "running"
    assert solver.started.wait(10)
    second = client.post("/api/solve", json={"time_limit": 30})
    assert second.status_code == 409 and "already running" in second.json()["detail"]
    assert client.post("/api/instance/open", json={"path": "/nowhere"}).status_code in (400, 409)
    assert client.post("/api/solve/stop").json() == {"stopping": True}
    assert wb.solver.wait(10)
    status = client.get("/api/solve").json()
    assert status["state"] == "stopped" and status["trace"][0][1:] == [900_000.0, 400_000.0]
    plan = client.get("/api/plan").json()
    assert plan["source"] == "solve" and plan["solve"]["best_bound"] == 400_000.0


def test_optimising_the_rest_keeps_hand_edits_as_locks(client, solver):
    client.post("/api/plan/move", json={"community_id": "C06", "package_id": None})
    client.post("/api/plan/move", json={"community_id": "C03", "package_id": "M2"})
    client.post("/api/solve", json={"mode": "rest", "time_limit": 5})
    assert solver.started.wait(10)
    client.post("/api/solve/stop")
    assert client.app.state.workbench.solver.wait(10)
    locks = {(lk.community_id, lk.firm_id, lk.rule) for lk in solver.instances[-1].locks}
    assert ("C03", "F2", "must") in locks
    assert {("C06", "F1", "forbid"), ("C06", "F2", "forbid")} <= locks
    assert ("C04", "F2", "must") in locks  # the instance's own lock stays


def test_a_second_app_on_the_same_workspace_cannot_solve_at_the_same_time(
    tmp_path, tiny_instance, solver
):
    a = make_client(tmp_path / "ws", solver)
    a.post("/api/instance/open", json={"path": str(tiny_instance)})
    b = make_client(tmp_path / "ws", StandInSolver())
    assert a.post("/api/solve", json={"time_limit": 5}).status_code == 200
    assert solver.started.wait(10)
    refused = b.post("/api/solve", json={"time_limit": 5})
    assert refused.status_code == 409 and "another solve" in refused.json()["detail"]
    a.post("/api/solve/stop")
    assert a.app.state.workbench.solver.wait(10)


# -- scenarios and downloads ---------------------------------------------------------------------


def test_saved_scenarios_and_the_current_plan_survive_a_restart(tmp_path, client):
    client.post("/api/plan/move", json={"community_id": "C06", "package_id": None})
    saved = client.post("/api/scenarios", json={"name": "不含玉亭里"}).json()
    assert saved["figures"]["public_money"] == pytest.approx(scored(client).public_money)
    client.app.state.workbench.close()
    again = make_client(tmp_path / "workspace")
    assert [s["name"] for s in again.get("/api/scenarios").json()] == ["不含玉亭里"]
    plan = again.get("/api/plan").json()
    assert "C06" in plan["evaluation"]["uncovered"] and plan["edited"] == ["C06"]
    again.app.state.workbench.close()


def test_a_scenario_saved_again_under_its_name_replaces_it(client):
    first = client.post("/api/scenarios", json={"name": "A"}).json()
    client.post("/api/plan/move", json={"community_id": "C06", "package_id": None})
    second = client.post("/api/scenarios", json={"name": "A"}).json()
    assert first["id"] == second["id"]
    assert len(client.get("/api/scenarios").json()) == 1


def test_two_scenarios_compare_with_the_moved_communities(client):
    a = client.post("/api/scenarios", json={"name": "manual"}).json()["id"]
    client.post("/api/plan/move", json={"community_id": "C06", "package_id": None})
    b = client.post("/api/scenarios", json={"name": "without C06"}).json()["id"]
    cmp = client.get("/api/compare", params={"a": a, "b": b}).json()
    assert cmp["names"] == ["manual", "without C06"]
    money = next(m for m in cmp["metrics"] if m["key"] == "public_money")
    assert money["values"][1] - money["values"][0] == pytest.approx(
        scored(client).public_money - money["values"][0]
    )
    assert [(m["community_id"], m["change"]) for m in cmp["moves"]] == [("C06", "newly uncovered")]
    pairs = {(r["a"]["id"] if r["a"] else None, r["b"]["id"] if r["b"] else None)
             for r in cmp["packages"]}  # fmt: skip
    assert pairs == {("M1", "M1"), ("M2", "M2")}
    opened = client.post(f"/api/scenarios/{a}/open").json()
    assert opened["evaluation"]["uncovered"] == [] and opened["source"] == "scenario manual"


def test_downloads_are_the_files_solve_writes_and_read_back(client, tmp_path):
    wb = client.app.state.workbench
    r = client.get("/api/download/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="plan.csv"'
    (tmp_path / "plan.csv").write_bytes(r.content)
    (tmp_path / "plan_resources.csv").write_bytes(client.get("/api/download/resources_csv").content)
    back = read_plan(tmp_path / "plan.csv", wb.instance)
    assert back.package_of() == wb.current.plan.package_of()
    assert back.resource_assignment() == {"R1": "M1"}
    geo = json.loads(client.get("/api/download/geojson").content)
    assert {f["properties"]["kind"] for f in geo["features"]} >= {"community", "package", "firm"}
    assert "安平里" in client.get("/api/download/html").text
    xlsx = client.get("/api/download/xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/api/download/pdf").status_code == 422


def test_the_map_shifts_into_a_base_map_s_coordinates(client):
    wgs = client.get("/api/map").json()
    gcj = client.get("/api/map", params={"system": "gcj02"}).json()

    def point(fc, cid):
        f = next(f for f in fc["features"] if f["properties"]["kind"] == "community"
                 and f["properties"]["id"] == cid)  # fmt: skip
        return f["geometry"]["coordinates"]

    from sharedprop.coords import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(*point(wgs, "C01"))
    assert point(gcj, "C01") == pytest.approx([lon, lat], abs=1e-7)
    assert point(gcj, "C01") != pytest.approx(point(wgs, "C01"), abs=1e-4)  # ~500 m in Xiamen
    c01 = next(f for f in wgs["features"] if f["properties"].get("id") == "C01")
    assert c01["properties"]["fee_income"] == pytest.approx(12 * 0.5 * 7200 * 0.7)


def test_names_reach_the_page_only_as_json_data(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/download/csv").text)))
    assert rows and "<" not in client.get("/api/plan").text
    assert "安平里" not in client.get("/").text  # the page is static; data comes as JSON
