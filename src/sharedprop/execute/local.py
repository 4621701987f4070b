"""The default executor: a process pool on this machine, or inline with one worker.

With ``workers=1`` nothing is started: a task runs in the caller's process when its result is
first needed (``result()``, ``as_completed``), so one-worker runs cost no process and repeat
exactly, and a task cancelled before then never runs. With more workers a
:class:`concurrent.futures.ProcessPoolExecutor` runs the tasks.

Shared data goes to a file once (pickled); a worker process reads it the first time a task
needs it and keeps it for the pool's life, so it crosses the process boundary once per worker,
never with each task.

The pool is started when the executor is made, so the caller chooses the moment its processes
are forked. Forking a process that runs other threads can deadlock the child
(:mod:`sharedprop.models.bounds.background` has the same rule), so ``start_method=None`` forks
only on Linux with one live thread and otherwise uses a fork server (task functions must then
be importable by module name, as they must be for Dask).
"""

from __future__ import annotations

import multiprocessing
import pickle
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Literal

from sharedprop.execute.base import BackendFuture, Executor, R, Shared, Task, resolve

StartMethod = Literal["fork", "forkserver", "spawn"]

# Shared data a pool worker has read, by key: filled on first use, dropped with the process.
_WORKER_CACHE: dict[str, Any] = {}


def _load_shared(handle: Shared[Any]) -> Any:
    if handle.key not in _WORKER_CACHE:
        with open(handle.ref, "rb") as fh:
            _WORKER_CACHE[handle.key] = pickle.load(fh)
    return _WORKER_CACHE[handle.key]


def _run_in_worker(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What a pool worker runs: the task with its handles swapped for the data."""
    args = tuple(resolve(a, _load_shared) for a in args)
    kwargs = {k: resolve(v, _load_shared) for k, v in kwargs.items()}
    return fn(*args, **kwargs)


def _inline_value(handle: Shared[Any]) -> Any:
    return handle.ref


class _InlineFuture:
    """A task run in the caller's process the first time its outcome is asked for."""

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self._call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = (
            fn,
            args,
            kwargs,
        )
        self._value: Any = None
        self._error: BaseException | None = None
        self._cancelled = False

    def _run(self) -> None:
        if self._call is None:
            return
        fn, args, kwargs = self._call
        self._call = None  # drop the arguments once used, as a pool would
        try:
            self._value = fn(
                *(resolve(a, _inline_value) for a in args),
                **{k: resolve(v, _inline_value) for k, v in kwargs.items()},
            )
        except Exception as exc:
            self._error = exc

    def done(self) -> bool:
        return self._call is None

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if self._cancelled:
            raise CancelledError()
        self._run()
        return self._error

    def result(self, timeout: float | None = None) -> Any:
        error = self.exception(timeout)
        if error is not None:
            raise error
        return self._value

    def cancel(self) -> bool:
        if self._call is None:
            return False
        self._call = None
        self._cancelled = True
        return True


def default_start_method() -> StartMethod:
    """``fork`` on Linux while one thread is live (cheap, no re-import), else ``forkserver``."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


class LocalExecutor(Executor):
    """Tasks on ``workers`` processes of this machine; inline when ``workers`` is 1.

    Parameters
    ----------
    workers
        How many tasks run at once (at least 1). One runs them in the caller's process.
    start_method
        How pool processes start (``fork``, ``forkserver``, ``spawn``); ``None`` chooses
        with :func:`default_start_method`. Ignored with one worker.
    """

    def __init__(self, workers: int = 1, *, start_method: StartMethod | None = None) -> None:
        super().__init__()
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._workers = int(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._dir: Path | None = None
        if self._workers > 1:
            method = start_method or default_start_method()
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context(method)
            )
            self._start_processes()
            self._dir = Path(tempfile.mkdtemp(prefix="sharedprop-shared-"))

    def _start_processes(self) -> None:
        # Every process is started now, while the caller knows which threads it runs, not at
        # the first submit (concurrent.futures starts fork-server and spawn pools lazily).
        assert self._pool is not None
        wait([self._pool.submit(int, 0) for _ in range(self._workers)])

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def inline(self) -> bool:
        """Are tasks run in the caller's process (one worker)?"""
        return self._pool is None

    def _put(self, key: str, value: Any) -> Any:
        if self._dir is None:
            return value
        path = self._dir / f"{key}.pickle"
        with open(path, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return str(path)

    def _submit(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> BackendFuture:
        if self._pool is None:
            return _InlineFuture(fn, args, kwargs)
        return self._pool.submit(_run_in_worker, fn, args, kwargs)

    def _completed(self, tasks: list[Task[R]], timeout: float | None) -> Iterator[Task[R]]:
        if self._pool is None:
            # Inline tasks complete when run: in submission order, one after the other.
            for task in sorted(tasks, key=lambda t: t.index):
                task.wait()
                yield task
            return
        pending = {task.future: task for task in tasks}
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            done, _ = wait(list(pending), timeout=left, return_when=FIRST_COMPLETED)
            if not done:
                raise FutureTimeout(f"{len(pending)} tasks not done after {timeout} s")
            # Several finished together: hand them out in submission order.
            for task in sorted((pending.pop(f) for f in done), key=lambda t: t.index):
                yield task

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


__all__ = ["LocalExecutor", "StartMethod", "default_start_method"]
