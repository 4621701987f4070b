"""Where tasks run: a local process pool (the default) or a Dask cluster.

::

    from sharedprop.execute import executor_from

    with executor_from(None, workers=2) as ex:         # or "tcp://HOST:PORT"
        data = ex.share(problem)                         # on every worker once
        tasks = [ex.submit(price, data, street) for street in streets]
        for task in ex.as_completed(tasks, ordered=ex.workers == 1):
            use(task.result())

:mod:`sharedprop.execute.base` defines the interface, :mod:`~sharedprop.execute.local` the
local pool and :mod:`~sharedprop.execute.cluster` the Dask executor (imported only when a
cluster address is given, since it needs the optional extra ``distributed``).
"""

from __future__ import annotations

from sharedprop.execute.base import Executor, Shared, Task
from sharedprop.execute.choose import executor_from
from sharedprop.execute.local import LocalExecutor

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "Shared", "Task", "executor_from"]


def __getattr__(name: str) -> object:
    # DaskExecutor is imported on first use: importing distributed takes a second or two and
    # the extra may be missing.
    if name == "DaskExecutor":
        from sharedprop.execute.cluster import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
