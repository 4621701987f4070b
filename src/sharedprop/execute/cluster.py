"""Tasks on a Dask distributed cluster (the optional extra ``sharedprop[distributed]``).

The executor connects to a running scheduler (``tcp://HOST:PORT``); it neither starts nor
stops the cluster. Shared data is scattered once to every worker (``broadcast=True``) and tasks
get the Dask future in its place, so the data is not sent with each task, and a worker that
dies leaves a copy on the others.

Dask's Active Memory Manager (on by default since distributed 2023) drops the copies a
broadcast makes as soon as no waiting task needs them (its ``ReduceReplicas`` policy), after
which a worker that needs the data again fetches it again. So by default the executor stops the
memory manager of the cluster it connects to; on a cluster shared with other work pass
``keep_memory_manager=True`` and accept those transfers.

A worker lost mid-run loses no result: the scheduler runs its tasks again on the remaining
workers (Dask's own recovery, up to its ``distributed.scheduler.allowed-failures`` deaths per
task). A task that raises is not run again unless ``retries`` says so: its error is the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from distributed import Client, Future
from distributed import as_completed as dask_as_completed

from sharedprop.execute.base import BackendFuture, Executor, R, Shared, Task


class DaskExecutor(Executor):
    """Tasks on the workers of the Dask scheduler at ``address``.

    Parameters
    ----------
    address
        The scheduler's address, ``tcp://HOST:PORT``.
    timeout
        Seconds to wait for the connection and for at least one worker.
    retries
        How many more times a task that raised is run (lost workers are handled by Dask
        whatever this says).
    keep_memory_manager
        Leave the cluster's Active Memory Manager running (see the module docstring).
    """

    def __init__(
        self,
        address: str,
        *,
        timeout: float = 30.0,
        retries: int = 0,
        keep_memory_manager: bool = False,
    ) -> None:
        super().__init__()
        self._retries = int(retries)
        self._client = Client(address, timeout=timeout, set_as_default=False)
        try:
            self._client.wait_for_workers(1, timeout=timeout)
            if not keep_memory_manager and self._client.amm.running():
                self._client.amm.stop()
        except Exception:
            self._client.close()
            raise

    @property
    def address(self) -> str:
        """The scheduler's address."""
        return str(self._client.scheduler.address)

    @property
    def workers(self) -> int:
        """Worker threads on the cluster now (it may grow or shrink during a run)."""
        return int(sum(self._client.nthreads().values()))

    @property
    def client(self) -> Client:
        """The Dask client, for what this interface does not cover (dashboards, logs)."""
        return self._client

    def _put(self, key: str, value: Any) -> Any:
        # A list is scattered element by element: wrap the value so it goes as one object.
        [future] = self._client.scatter([value], broadcast=True, hash=False)
        return future

    def _submit(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> BackendFuture:
        # Dask swaps a future argument for its value on the worker.
        args = tuple(a.ref if isinstance(a, Shared) else a for a in args)
        kwargs = {k: v.ref if isinstance(v, Shared) else v for k, v in kwargs.items()}
        return self._client.submit(fn, *args, pure=False, retries=self._retries, **kwargs)

    def _completed(self, tasks: list[Task[R]], timeout: float | None) -> Iterator[Task[R]]:
        by_key: dict[str, Task[R]] = {}
        futures: list[Future] = []
        for task in tasks:
            future = task.future
            assert isinstance(future, Future)
            by_key[future.key] = task
            futures.append(future)
        for future in dask_as_completed(futures, loop=self._client.loop, timeout=timeout):
            yield by_key[future.key]

    def _shutdown(self) -> None:
        self._client.close()


__all__ = ["DaskExecutor"]
