"""Running ``solve`` outside the request handling: live progress, stop, one at a time.

A worker thread of the server waits on :func:`solve_in_process`, which runs
:func:`sharedprop.solve` in a fresh (spawned) process: the server's threads never slow the search,
and the solver, alone in its process, may fork its own helpers (the bound beside the search, two
streets at once), which it does only when its process has one thread. Progress comes back
through a pipe; stopping sets an event that ``solve`` polls, and ``solve`` then returns the best
plan found so far. At most one solve runs per workspace: the runner refuses a second start, and
holds the workspace's lock file while it runs so that a second app process on the same folder is
refused too.
"""

from __future__ import annotations

import contextlib
import contextvars
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sharedprop.app.i18n import _
from sharedprop.app.workspace import Workspace, WorkspaceBusy
from sharedprop.data import Instance
from sharedprop.errors import SharedpropError
from sharedprop.i18n import language, use_language
from sharedprop.plan import Plan
from sharedprop.result import ProgressPoint, Result

SolveState = Literal["idle", "running", "done", "stopped", "failed"]
# The chart needs the shape of the trace, not every point of a long run.
MAX_TRACE_POINTS = 400


@dataclass(frozen=True)
class SolveRequest:
    """What to solve: the instance (with every lock in force) and the plan to start from."""

    instance: Instance
    initial_plan: Plan | None
    time_limit: float
    workers: int
    mode: Literal["all", "rest"]


@dataclass
class SolveJob:
    request: SolveRequest
    started: float = field(default_factory=time.monotonic)
    trace: list[ProgressPoint] = field(default_factory=list)
    state: SolveState = "running"
    result: Result | None = None
    error: str | None = None
    finished: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)

    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


class SolveBusy(WorkspaceBusy):
    """A solve is already running."""


class SolveFailed(SharedpropError):
    """The solve process raised or died."""


def _solve_child(
    conn: Any, instance: Instance, options: dict[str, Any], stop: Any, lang: str
) -> None:
    from sharedprop import solve

    try:
        with use_language(lang):
            result = solve(
                instance,
                on_progress=lambda p: conn.send(("progress", p)),
                stop=stop.is_set,
                **options,
            )
        conn.send(("result", result))
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def solve_in_process(
    instance: Instance,
    *,
    on_progress: Callable[[ProgressPoint], None] | None = None,
    stop: Callable[[], bool] | None = None,
    **options: Any,
) -> Result:
    """:func:`sharedprop.solve` in a spawned process, with the same arguments and result.

    Parameters
    ----------
    instance
        The instance to solve (sent to the process by pickling).
    on_progress
        Called in this process with each :class:`~sharedprop.result.ProgressPoint`.
    stop
        Polled here every 0.2 s; once true, the solve is asked to stop and keep its best plan.
    **options
        The other keyword arguments of :func:`sharedprop.solve` (``time_limit``, ``workers``,
        ``initial_plan``, ...). The process solves in this thread's language
        (:func:`sharedprop.i18n.language`): its messages come back in it.

    Returns
    -------
    Result
        What ``solve`` returned; :class:`SolveFailed` if it raised or its process died.
    """
    ctx = multiprocessing.get_context("spawn")
    reader, writer = ctx.Pipe(duplex=False)
    stop_event = ctx.Event()
    proc = ctx.Process(
        target=_solve_child,
        args=(writer, instance, options, stop_event, language()),
        name="sharedprop-solve",
    )
    proc.start()
    writer.close()
    try:
        while True:
            if stop is not None and stop():
                stop_event.set()
            if not reader.poll(0.2):
                if proc.is_alive():
                    continue
                if not reader.poll(0):
                    break
            try:
                kind, value = reader.recv()
            except EOFError:
                break
            if kind == "progress" and on_progress is not None:
                on_progress(value)
            elif kind == "result":
                return value
            elif kind == "error":
                raise SolveFailed(value)
        raise SolveFailed(f"the solve process ended without a result (exit code {proc.exitcode})")
    finally:
        stop_event.set()
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
        reader.close()


class SolveRunner:
    """Starts solves in a thread and reports on them; ``on_done`` gets each finished job."""

    def __init__(
        self,
        workspace: Workspace,
        solve: Callable[..., Result],
        on_done: Callable[[SolveJob], None],
    ) -> None:
        self._workspace = workspace
        self._solve = solve
        self._on_done = on_done
        self._lock = threading.Lock()
        self.job: SolveJob | None = None
        self._thread: threading.Thread | None = None

    def start(self, request: SolveRequest) -> SolveJob:
        with self._lock:
            if self.job is not None and self.job.state == "running":
                raise SolveBusy(_("a solve is already running in this workspace"))
            job = SolveJob(request)
            ready = threading.Event()
            problem: list[BaseException] = []
            # The thread runs in the starting request's context: its language among others.
            self._thread = threading.Thread(
                target=contextvars.copy_context().run,
                args=(self._run, job, ready, problem),
                name="sharedprop-solve",
                daemon=True,
            )
            self._thread.start()
            ready.wait(timeout=10)
            if problem:
                raise problem[0]
            self.job = job
            return job

    def _run(self, job: SolveJob, ready: threading.Event, problem: list[BaseException]) -> None:
        try:
            hold = self._workspace.solve_lock()
            hold.__enter__()
        except WorkspaceBusy as exc:
            problem.append(SolveBusy(str(exc)))
            ready.set()
            return
        ready.set()
        state: SolveState = "failed"
        try:
            req = job.request
            job.result = self._solve(
                req.instance,
                time_limit=req.time_limit,
                workers=req.workers,
                initial_plan=req.initial_plan,
                on_progress=job.trace.append,
                stop=job.stop_event.is_set,
            )
            state = "stopped" if job.stop_event.is_set() else "done"
        except Exception as exc:
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = time.monotonic()
            with contextlib.suppress(Exception):
                hold.__exit__(None, None, None)
        # The plan is in place before anyone polling sees the run as finished.
        try:
            self._on_done(job)
        except Exception as exc:
            job.error, state = f"{type(exc).__name__}: {exc}", "failed"
        job.state = state

    def stop(self) -> bool:
        job = self.job
        if job is None or job.state != "running":
            return False
        job.stop_event.set()
        return True

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop a running solve and wait (bounded) for its thread."""
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the current solve; True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()


def thin(points: list[ProgressPoint], most: int = MAX_TRACE_POINTS) -> list[ProgressPoint]:
    """At most ``most`` points, evenly spread, always with the last one."""
    if len(points) <= most:
        return list(points)
    step = len(points) / most
    out = [points[int(k * step)] for k in range(most - 1)]
    return [*out, points[-1]]
