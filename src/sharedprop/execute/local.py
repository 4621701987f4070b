"""The default executor: a process pool on this machine, or inline with one worker.

With ``workers=1`` nothing is started: a task runs in the caller's process when its result is
first needed (``result()``, ``as_completed``), so one-worker runs cost no process and repeat
exactly, and a task cancelled before then never runs. With more workers a
:class:`concurrent.futures.ProcessPoolExecutor` runs the tasks.

Shared data goes to a file once (pickled); a worker process reads it the first time a task
needs it and keeps it for the pool's life, so it crosses the process boundary once per worker,
never with each task.

A pool process that dies (killed, out of memory) breaks the whole pool, and every task not yet
finished fails with :class:`~concurrent.futures.process.BrokenProcessPool`. The executor then
starts a fresh pool and runs those tasks again, up to ``retries`` times each, so a lost process
loses no result, as on a Dask cluster; tasks must therefore be safe to run twice.

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
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
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


class _PoolFuture:
    """A pool task that runs again on a fresh pool when its pool broke (a process died)."""

    def __init__(self, owner: LocalExecutor, call: tuple[Any, ...]) -> None:
        self.owner = owner
        self.call = call
        self.attempts = 0
        self.inner: Future[Any]
        self.generation = -1
        self.submit()

    def submit(self) -> None:
        try:
            self.inner = self.owner._require_pool().submit(_run_in_worker, *self.call)
        except BrokenProcessPool:  # broken by a task that ran out of retries: start afresh
            self.owner._replace_pool()
            self.inner = self.owner._require_pool().submit(_run_in_worker, *self.call)
        self.generation = self.owner._generation

    def broken(self) -> bool:
        """Did the task fail because its pool broke (not because it raised)?"""
        return (
            self.inner.done()
            and not self.inner.cancelled()
            and isinstance(self.inner.exception(), BrokenProcessPool)
        )

    def done(self) -> bool:
        # A task whose pool broke is not done while it may still run again.
        return self.inner.done() and not (self.broken() and self.owner._may_rerun(self))

    def exception(self, timeout: float | None = None) -> BaseException | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            error = self.inner.exception(left)
            if not isinstance(error, BrokenProcessPool) or not self.owner._rerun(self):
                return error

    def result(self, timeout: float | None = None) -> Any:
        error = self.exception(timeout)
        if error is not None:
            raise error
        return self.inner.result()

    def cancel(self) -> bool:
        return self.inner.cancel()


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
    retries
        How many times a task whose pool process died is run again (module docstring).
    """

    def __init__(
        self, workers: int = 1, *, start_method: StartMethod | None = None, retries: int = 2
    ) -> None:
        super().__init__()
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._workers = int(workers)
        self.retries = int(retries)
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0
        self._dir: Path | None = None
        self._method: StartMethod = start_method or default_start_method()
        if self._workers > 1:
            self._pool = self._new_pool()
            self._dir = Path(tempfile.mkdtemp(prefix="sharedprop-shared-"))

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self._workers, mp_context=multiprocessing.get_context(self._method)
        )
        # Every process is started now, while the caller knows which threads it runs, not at
        # the first submit (concurrent.futures starts fork-server and spawn pools lazily).
        wait([pool.submit(int, 0) for _ in range(self._workers)])
        return pool

    def _require_pool(self) -> ProcessPoolExecutor:
        assert self._pool is not None
        return self._pool

    def _may_rerun(self, future: _PoolFuture) -> bool:
        return future.attempts < self.retries and not self._closed

    def _rerun(self, future: _PoolFuture) -> bool:
        """Submit a task whose pool broke again, on a fresh pool; False once out of retries."""
        if not self._may_rerun(future):
            return False
        if future.generation == self._generation:  # its pool is the current one: replace it
            self._replace_pool()
        future.attempts += 1
        future.submit()
        return True

    def _replace_pool(self) -> None:
        self._require_pool().shutdown(wait=True, cancel_futures=True)
        self._pool = self._new_pool()
        self._generation += 1

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
        return _PoolFuture(self, (fn, args, kwargs))

    def _completed(self, tasks: list[Task[R]], timeout: float | None) -> Iterator[Task[R]]:
        if self._pool is None:
            # Inline tasks complete when run: in submission order, one after the other.
            for task in sorted(tasks, key=lambda t: t.index):
                task.wait()
                yield task
            return
        pending = {_inner(task): task for task in tasks}
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            done, _ = wait(list(pending), timeout=left, return_when=FIRST_COMPLETED)
            if not done:
                raise FutureTimeout(f"{len(pending)} tasks not done after {timeout} s")
            finished = []
            for inner in done:
                task = pending.pop(inner)
                future = task.future
                assert isinstance(future, _PoolFuture)
                if future.broken() and self._rerun(future):  # runs again on a fresh pool
                    pending[future.inner] = task
                else:
                    finished.append(task)
            # Several finished together: hand them out in submission order.
            yield from sorted(finished, key=lambda t: t.index)

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


def _inner(task: Task[Any]) -> Future[Any]:
    future = task.future
    assert isinstance(future, _PoolFuture)
    return future.inner


__all__ = ["LocalExecutor", "StartMethod", "default_start_method"]
