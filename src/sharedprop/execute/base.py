"""What every executor offers: shared data put once, tasks submitted, results as they complete.

An :class:`Executor` runs independent tasks — a module-level function and its arguments — on
workers it owns (a local process pool) or reaches (a Dask cluster). Data that many tasks read
(the array problem of an instance) is put on the workers once with :meth:`Executor.share`; the
:class:`Shared` handle it returns is passed as a task argument in place of the data, and each
worker swaps it for its own copy before calling the function. Handles are swapped only where
they stand as a whole positional or keyword argument, not inside lists or dicts.

Results come back in the order the tasks complete, or, with ``ordered=True``, in the order they
were submitted: a caller that wants a run to repeat exactly (one worker and a seed) asks for the
latter, so the same results reach it in the same order whatever the executor.
"""

from __future__ import annotations

import contextlib
import itertools
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BackendFuture(Protocol):
    """The part of a future that :class:`Task` uses (``concurrent.futures`` and Dask agree)."""

    def done(self) -> bool: ...

    def result(self, timeout: float | None = None) -> Any: ...

    def exception(self, timeout: float | None = None) -> BaseException | None: ...

    def cancel(self) -> Any: ...


@dataclass(frozen=True)
class Shared(Generic[T]):
    """A handle to data put on the workers once by :meth:`Executor.share`.

    Pass the handle as a task argument; the task's function receives the data itself. A handle
    belongs to the executor that made it (``owner``) and is small to send: ``ref`` is the
    backend's reference (the data itself for inline runs, a file for the local pool, a Dask
    future on a cluster), never pickled with the data for the pool or the cluster.
    """

    key: str
    owner: str
    ref: Any = field(repr=False, compare=False)


@dataclass(eq=False)
class Task(Generic[R]):
    """One submitted task: its place in the submission order and the backend's future."""

    index: int
    future: BackendFuture = field(repr=False)

    def done(self) -> bool:
        """Has the task finished (with a result, an error or by cancellation)?"""
        return bool(self.future.done())

    def result(self, timeout: float | None = None) -> R:
        """The task's return value; re-raises the task's error; waits at most ``timeout`` s."""
        return self.future.result(timeout)

    def wait(self, timeout: float | None = None) -> None:
        """Wait until the task is done, at most ``timeout`` s (:class:`TimeoutError` after)."""
        with contextlib.suppress(CancelledError):
            self.future.exception(timeout)

    def cancel(self) -> None:
        """Ask the backend not to run the task, or to drop its result if it is running."""
        self.future.cancel()


class Executor(ABC):
    """Independent tasks on workers; see the module docstring. Use it as a context manager."""

    def __init__(self) -> None:
        self._id = uuid.uuid4().hex
        self._count = itertools.count()
        self._closed = False

    # -- what each backend provides ------------------------------------------------------------
    @property
    @abstractmethod
    def workers(self) -> int:
        """How many tasks can run at once."""

    @abstractmethod
    def _put(self, key: str, value: Any) -> Any:
        """Put ``value`` on the workers; return the reference a :class:`Shared` carries."""

    @abstractmethod
    def _submit(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> BackendFuture:
        """Start ``fn(*args, **kwargs)`` (arguments may hold this executor's handles)."""

    @abstractmethod
    def _completed(self, tasks: list[Task[R]], timeout: float | None) -> Iterator[Task[R]]:
        """Yield ``tasks`` as they complete."""

    @abstractmethod
    def _shutdown(self) -> None:
        """Release the workers or the connection, and any shared data."""

    # -- the public interface ------------------------------------------------------------------
    def share(self, value: T) -> Shared[T]:
        """Put ``value`` on the workers once and return its handle for task arguments.

        Parameters
        ----------
        value
            Any picklable object, typically a :class:`~sharedprop.models.core.problem.Problem`.

        Returns
        -------
        Shared
            A small handle; a task given it as an argument receives ``value``.
        """
        self._check_open()
        key = f"shared-{self._id[:8]}-{next(self._count)}"
        return Shared(key=key, owner=self._id, ref=self._put(key, value))

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Task[R]:
        """Run ``fn(*args, **kwargs)`` on a worker.

        Parameters
        ----------
        fn
            A module-level function (it travels by name to the workers).
        *args, **kwargs
            Its arguments; a :class:`Shared` handle of this executor stands for its data.

        Returns
        -------
        Task
            The task; its ``index`` is its place in this executor's submission order.
        """
        self._check_open()
        for value in itertools.chain(args, kwargs.values()):
            if isinstance(value, Shared) and value.owner != self._id:
                raise ValueError(
                    f"shared data {value.key} belongs to another executor; share it with this one"
                )
        return Task(index=next(self._count), future=self._submit(fn, args, kwargs))

    def as_completed(
        self, tasks: Iterable[Task[R]], *, ordered: bool = False, timeout: float | None = None
    ) -> Iterator[Task[R]]:
        """Yield ``tasks`` as they finish; their ``result()`` then returns without waiting.

        Parameters
        ----------
        tasks
            Tasks of this executor.
        ordered
            Yield in submission order instead (each task once it is done): the order a
            repeatable run needs.
        timeout
            Seconds to wait in all; :class:`TimeoutError` when it runs out. Inline runs
            (``LocalExecutor(workers=1)``) cannot be interrupted and ignore it.

        Returns
        -------
        Iterator[Task]
            Every task exactly once, failed and cancelled ones included.
        """
        tasks = list(tasks)
        if not ordered:
            yield from self._completed(tasks, timeout)
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        for task in sorted(tasks, key=lambda t: t.index):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            task.wait(left)
            yield task

    def map(
        self, fn: Callable[..., R], items: Iterable[Any], /, *args: Any, **kwargs: Any
    ) -> list[R]:
        """``[fn(item, *args, **kwargs) for item in items]``, run as tasks; results in order.

        Parameters
        ----------
        fn
            A module-level function.
        items
            The first argument of each task.
        *args, **kwargs
            The same further arguments for every task (handles of this executor allowed).

        Returns
        -------
        list
            The results in the order of ``items``; the first task error is raised.
        """
        tasks = [self.submit(fn, item, *args, **kwargs) for item in items]
        try:
            return [task.result() for task in self.as_completed(tasks, ordered=True)]
        finally:
            self.cancel(tasks)

    def cancel(self, tasks: Iterable[Task[Any]]) -> None:
        """Cancel every task of ``tasks`` that has not finished."""
        for task in tasks:
            if not task.done():
                task.cancel()

    def close(self) -> None:
        """Stop the workers (or drop the connection) and free shared data; idempotent."""
        if not self._closed:
            self._closed = True
            self._shutdown()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} is closed")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def resolve(value: Any, lookup: Callable[[Shared[Any]], Any]) -> Any:
    """``value``, or the data behind it when it is a handle (``lookup`` fetches that data)."""
    return lookup(value) if isinstance(value, Shared) else value


__all__ = ["BackendFuture", "Executor", "Shared", "Task", "resolve"]
