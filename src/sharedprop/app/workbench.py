"""The workbench: one workspace's instance, current plan, locks, solve and scenarios.

Every request of the API goes through one :class:`Workbench`; it holds the state behind one lock,
so two tabs see the same plan. Each change of the instance or the plan increases ``version``;
the page polls it and fetches what changed. Scoring is always :func:`sharedprop.evaluate` of the
instance with the planner's locks in force, through a :class:`sharedprop.evaluate.Scorer` that
scores again only the packages a hand edit changed (the same figures, at city scale in a few
milliseconds instead of a tenth of a second); optimising is :func:`sharedprop.solve`.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sharedprop import evaluate, load_instance, read_plan, write_plan
from sharedprop.app import edits
from sharedprop.app.codec import locks_from_json, locks_to_json, plan_from_json, plan_to_json
from sharedprop.app.explaining import ExplainAnswer, ExplainRunner
from sharedprop.app.i18n import _
from sharedprop.app.settings import AppSettings
from sharedprop.app.solving import SolveJob, SolveRequest, SolveRunner, solve_in_process
from sharedprop.app.sources import edit_cell, write_settings
from sharedprop.app.uploads import UploadError, check_workbook, find_instance_root, unpack_zip
from sharedprop.app.validation import CellProblem, TableView, cell_problem, problem_tables
from sharedprop.app.workspace import Workspace
from sharedprop.compare import Comparison, compare_plans
from sharedprop.data import Instance, Lock
from sharedprop.errors import InstanceError, SharedpropError
from sharedprop.evaluate import Evaluation, Scorer
from sharedprop.explain import explain_community
from sharedprop.i18n import use_language
from sharedprop.io.instances import list_plan_files
from sharedprop.outputs import write_outputs
from sharedprop.plan import Plan
from sharedprop.result import Result

InstanceStatus = Literal["empty", "invalid", "valid"]
ExportKind = Literal["csv", "resources_csv", "xlsx", "geojson", "html"]
EXPORT_FILES: dict[str, str] = {
    "csv": "plan.csv",
    "resources_csv": "plan_resources.csv",
    "xlsx": "plan.xlsx",
    "geojson": "plan.geojson",
    "html": "report.html",
}
UNDO_DEPTH = 50


class NotReady(SharedpropError):
    """The request needs a valid instance (or a plan) that the workspace does not have."""


@dataclass(frozen=True)
class InstanceState:
    status: InstanceStatus
    source: Path | None = None
    instance: Instance | None = None
    problems: tuple[CellProblem, ...] = ()
    tables: tuple[TableView, ...] = ()


@dataclass(frozen=True)
class PlanState:
    """The plan being worked on, the locks in force and where the plan came from."""

    plan: Plan
    locks: tuple[Lock, ...]
    source: str
    result: Result | None = None  # the solve it came from, while nobody edited it
    edited: frozenset[str] = frozenset()  # communities moved by hand since the last solve


class Workbench:
    """The app's state and every operation on it (thread-safe)."""

    def __init__(self, settings: AppSettings, solver: Callable[..., Result] | None = None) -> None:
        self.settings = settings
        self.workspace = Workspace(settings.workspace)
        self._lock = threading.RLock()
        self.version = 0
        self.inst = InstanceState("empty")
        self.current: PlanState | None = None
        self.evaluation: Evaluation | None = None
        self._scorer: Scorer | None = None  # the valid instance's packages, scored once
        self._history: list[PlanState] = []
        self.solver = SolveRunner(self.workspace, solver or solve_in_process, self._solve_done)
        self.explainer = ExplainRunner()
        with use_language(settings.lang):  # outside any request: the app's language by hand
            self.reload(restore=True)

    # -- the instance ---------------------------------------------------------------------------
    def reload(self, *, restore: bool = False, keep_plan: bool = False) -> InstanceState:
        """Load the workspace's instance again; keep or restore the plan when it still fits."""
        with self._lock:
            source = self.workspace.instance_source()
            self._scorer = None
            if source is None:
                self.inst = InstanceState("empty")
                self._set(None)
                return self.inst
            try:
                instance = load_instance(source)
            except InstanceError as exc:
                problems = tuple(cell_problem(p) for p in exc.problems)
                tables = tuple(problem_tables(source, list(problems)))
                self.inst = InstanceState("invalid", source, None, problems, tables)
                self._set(None)
                return self.inst
            self.inst = InstanceState("valid", source, instance)
            self._scorer = Scorer(instance)
            kept = self._kept_plan(instance, restore=restore, keep=keep_plan)
            self._set(kept or self._first_plan(instance), record=False)
            self._history.clear()
            return self.inst

    def _kept_plan(self, instance: Instance, *, restore: bool, keep: bool) -> PlanState | None:
        state = self.current if keep else None
        if restore and (saved := self.workspace.load_current()) is not None:
            try:
                state = PlanState(
                    plan_from_json(saved["plan"]),
                    locks_from_json(saved["locks"]),
                    str(saved.get("source", "restored")),
                    edited=frozenset(saved.get("edited", ())),
                )
            except (SharedpropError, KeyError, TypeError):
                state = None
        if state is None:
            return None
        try:
            evaluate(replace(instance, locks=state.locks), state.plan)
        except SharedpropError:  # names communities or firms the instance no longer has
            return None
        return state

    def _first_plan(self, instance: Instance) -> PlanState:
        """The instance's first manual plan if it ships one, else everyone uncovered."""
        for path in list_plan_files(instance) if instance.path and instance.path.is_dir() else []:
            try:
                plan = read_plan(path, instance)
                evaluate(instance, plan)
            except SharedpropError:
                continue
            return PlanState(plan, instance.locks, f"manual plan {path.stem}")
        return PlanState(Plan(name="empty"), instance.locks, "empty")

    def upload(self, filename: str, data: bytes) -> InstanceState:
        """Install an uploaded ``.zip`` (an instance folder) or ``.xlsx`` (one workbook)."""
        name = Path(filename).name
        suffix = Path(name).suffix.lower()
        if suffix not in (".zip", ".xlsx"):
            raise UploadError(
                _("upload a .xlsx workbook or a .zip of an instance folder, not {name}").format(
                    name=name
                )
            )
        staging = self.workspace.new_staging_dir()
        try:
            if suffix == ".xlsx":
                check_workbook(data, self.settings.limits)
                (staging / name).write_bytes(data)
            else:
                unpack_zip(data, staging / "unzipped", self.settings.limits)
                root = find_instance_root(staging / "unzipped")
                self._stage_found(root, staging)
            return self._install(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _stage_found(self, root: Path, staging: Path) -> None:
        target = staging / "instance"
        if root.is_file():  # a zip holding one workbook
            target.mkdir()
            shutil.move(root, target / root.name)
        else:
            shutil.move(root, target)
        shutil.rmtree(staging / "unzipped", ignore_errors=True)
        for child in target.iterdir():
            shutil.move(child, staging / child.name)
        target.rmdir()

    def open_path(self, path: str) -> InstanceState:
        """Copy an instance folder (or workbook) on this machine into the workspace."""
        src = Path(path).expanduser()
        if not src.exists():
            raise UploadError(_("{path} does not exist").format(path=src))
        staging = self.workspace.new_staging_dir()
        try:
            if src.is_file():
                if src.suffix.lower() != ".xlsx":
                    raise UploadError(
                        _("{path} is neither a folder nor an .xlsx workbook").format(path=src)
                    )
                check_workbook(src.read_bytes(), self.settings.limits)
                shutil.copy2(src, staging / src.name)
            else:
                shutil.copytree(src, staging, dirs_exist_ok=True, symlinks=True)
            return self._install(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _install(self, staging: Path) -> InstanceState:
        with self._lock:
            self._require_idle()
            self.workspace.install_instance(staging)
            self.current = None
            return self.reload()

    def edit_cell(self, table: str, row: int, column: str, value: str) -> InstanceState:
        with self._lock:
            source = self._source()
            edit_cell(source, table, row, column, value)
            return self.reload(keep_plan=True)

    def update_settings(self, sections: dict[str, dict[str, Any]]) -> InstanceState:
        with self._lock:
            self._require_idle()
            write_settings(self._source(), sections)
            return self.reload(keep_plan=True)

    def _source(self) -> Path:
        if self.inst.source is None:
            raise NotReady(_("load an instance first"))
        return self.inst.source

    def _require_idle(self) -> None:
        job = self.solver.job
        if job is not None and job.state == "running":
            raise NotReady(_("a solve is running; stop it before changing the instance"))

    # -- the plan -------------------------------------------------------------------------------
    @property
    def instance(self) -> Instance:
        if self.inst.instance is None:
            raise NotReady(_("load a valid instance first: nothing is scored or solved before"))
        return self.inst.instance

    def effective_instance(self) -> Instance:
        """The instance with the planner's locks in force (they replace the file's locks)."""
        assert self.current is not None
        return replace(self.instance, locks=self.current.locks)

    def _set(self, state: PlanState | None, *, record: bool = True) -> None:
        if record and self.current is not None:
            self._history = [*self._history, self.current][-UNDO_DEPTH:]
        self.current = state
        self.evaluation = None
        if state is not None:
            assert self._scorer is not None
            self.evaluation = self._scorer.evaluate(state.plan, locks=state.locks)
            self.workspace.save_current({
                "plan": plan_to_json(state.plan),
                "locks": locks_to_json(state.locks),
                "source": state.source,
                "edited": sorted(state.edited),
            })  # fmt: skip
        self.version += 1

    def edit_plan(self, change: Callable[[Plan], Plan], cid: str | None = None) -> Evaluation:
        """Apply a hand edit to the plan and score it at once (no re-optimising)."""
        with self._lock:
            state = self.plan_state()
            plan = change(state.plan)
            edited = state.edited | ({cid} if cid else set())
            self._set(replace(state, plan=plan, source="edited", result=None, edited=edited))
            assert self.evaluation is not None
            return self.evaluation

    def edit_locks(self, change: Callable[[tuple[Lock, ...]], tuple[Lock, ...]]) -> Evaluation:
        with self._lock:
            state = self.plan_state()
            locks = change(state.locks)
            replace(self.instance, locks=locks)  # validates: unknown ids raise here
            self._set(replace(state, locks=locks))
            assert self.evaluation is not None
            return self.evaluation

    def undo(self) -> bool:
        with self._lock:
            if not self._history:
                return False
            previous = self._history[-1]
            self._history = self._history[:-1]
            self._set(previous, record=False)
            return True

    def plan_state(self) -> PlanState:
        """The current plan state; :class:`NotReady` without a valid instance or a plan."""
        self.instance  # noqa: B018 - raises NotReady without a valid instance
        if self.current is None:
            raise NotReady(_("there is no plan yet"))
        return self.current

    def map_inputs(self) -> tuple[Instance, Plan, Evaluation, int]:
        """What the map is drawn from, taken together: instance (locks in force), plan, scores,
        version."""
        with self._lock:
            state = self.plan_state()
            assert self.evaluation is not None
            return self.effective_instance(), state.plan, self.evaluation, self.version

    # -- solving --------------------------------------------------------------------------------
    def start_solve(self, mode: Literal["all", "rest"], time_limit: float) -> SolveJob:
        with self._lock:
            state = self.plan_state()
            locks = state.locks
            if mode == "rest":
                for lk in edits.edit_locks(self.instance, state.plan, state.edited):
                    if not any(x.community_id == lk.community_id for x in state.locks):
                        locks = (*locks, lk)
            request = SolveRequest(
                instance=replace(self.instance, locks=locks),
                initial_plan=state.plan if state.plan.packages else None,
                time_limit=time_limit,
                workers=self.settings.solve_workers,
                mode=mode,
            )
            return self.solver.start(request)

    def _solve_done(self, job: SolveJob) -> None:
        result = job.result
        if result is None or result.plan is None:
            return
        with self._lock:
            if self.current is None or self.inst.instance is None:
                return
            plan = replace(result.plan, name="solved")
            self._set(PlanState(plan, self.current.locks, "solve", result, frozenset()))

    # -- explaining -----------------------------------------------------------------------------
    def explain(self, cid: str) -> ExplainAnswer:
        with self._lock:
            state = self.plan_state()
            edits.check_ids(self.instance, cid)
            instance, plan, key = self.effective_instance(), state.plan, (self.version, cid)
        return self.explainer.ask(key, lambda: explain_community(instance, plan, cid).to_text())

    # -- scenarios ------------------------------------------------------------------------------
    def save_scenario(self, name: str) -> dict[str, Any]:
        with self._lock:
            state = self.plan_state()
            ev = self.evaluation
            assert ev is not None
            result = state.result
            info = self.workspace.save_scenario(name, {
                "source": state.source,
                "plan": plan_to_json(state.plan),
                "locks": locks_to_json(state.locks),
                "figures": {
                    "public_money": ev.public_money,
                    "objective": ev.objective,
                    "coverage": ev.coverage,
                    "packages": len(ev.packages),
                    "broken": len(ev.broken),
                },
                "solve": None if result is None else {
                    "status": result.status,
                    "objective": result.objective,
                    "best_bound": result.best_bound,
                    "gap": result.gap,
                },
            })  # fmt: skip
            return info.data

    def open_scenario(self, scenario_id: str) -> None:
        with self._lock:
            self._require_idle()
            rec = self.workspace.scenario(scenario_id).data
            plan = plan_from_json(rec["plan"])
            locks = locks_from_json(rec["locks"])
            evaluate(replace(self.instance, locks=locks), plan)  # fits this instance?
            self._set(PlanState(plan, locks, f"scenario {rec['name']}"))

    def compare(self, a: str, b: str) -> tuple[Comparison, dict[str, Plan]]:
        """Scenarios ``a`` and ``b`` (``"current"`` is the plan being edited), scored under
        the instance's own rules and locks."""
        with self._lock:
            plans = {}
            for sid in (a, b):
                if sid == "current":
                    name, plan = "current plan", self.plan_state().plan
                else:
                    rec = self.workspace.scenario(sid).data
                    name, plan = rec["name"], plan_from_json(rec["plan"])
                if name in plans:
                    name = f"{name} ({sid})"
                plans[name] = plan
            return compare_plans(self.instance, plans), plans

    # -- downloads ------------------------------------------------------------------------------
    def export(self, kind: ExportKind) -> tuple[str, bytes]:
        """``(file name, bytes)`` of one of the files ``sharedprop solve`` writes."""
        if kind not in EXPORT_FILES:
            raise SharedpropError(f"no download {kind!r}; choose one of {', '.join(EXPORT_FILES)}")
        with self._lock:
            state = self.plan_state()
            instance, ev = self.effective_instance(), self.evaluation
            assert ev is not None
        result = state.result or Result(
            status="feasible" if ev.feasible else "unknown",
            plan=state.plan,
            objective=ev.objective,
            best_bound=None,
            runtime_s=0.0,
            strategy="edited by hand",
        )
        with tempfile.TemporaryDirectory(dir=self.workspace.tmp_dir) as tmp:
            out = Path(tmp)
            if kind in ("csv", "resources_csv"):
                write_plan(state.plan, out / "plan.csv")
            else:
                write_outputs(instance, replace(result, plan=state.plan), out, evaluation=ev)
            name = EXPORT_FILES[kind]
            return name, (out / name).read_bytes()

    def close(self) -> None:
        self.solver.shutdown()
        self.explainer.close()
