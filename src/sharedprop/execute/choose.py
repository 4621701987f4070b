"""From the command line's ``--executor`` and ``--workers`` to an executor."""

from __future__ import annotations

import importlib.util

from sharedprop.errors import SharedpropError
from sharedprop.execute.base import Executor
from sharedprop.execute.local import LocalExecutor

CLUSTER_SCHEMES = ("tcp://", "tls://")


def executor_from(address: str | None, workers: int = 1) -> Executor:
    """The executor for ``address``: a local pool when it is empty, else a Dask cluster.

    Parameters
    ----------
    address
        ``None``, ``""`` or ``"local"``: a :class:`LocalExecutor` over ``workers`` processes
        (inline with one). ``tcp://HOST:PORT`` (or ``tls://``): a
        :class:`~sharedprop.execute.cluster.DaskExecutor` on that scheduler.
    workers
        Processes of the local pool; a cluster has its own workers and ignores it.

    Returns
    -------
    Executor
        Open; close it (or use it in a ``with`` block) when done.

    Raises
    ------
    SharedpropError
        For an address of another form, or a cluster address without ``distributed``
        installed.
    """
    if address is None or address.strip() in ("", "local"):
        return LocalExecutor(workers)
    address = address.strip()
    if not address.startswith(CLUSTER_SCHEMES):
        raise SharedpropError(
            f"executor must be 'local' or a Dask scheduler address like tcp://127.0.0.1:8786, "
            f"got {address!r}"
        )
    if importlib.util.find_spec("distributed") is None:
        raise SharedpropError(
            f"executor {address} is a Dask cluster, but Dask is not installed: "
            "pip install 'sharedprop[distributed]'"
        )
    from sharedprop.execute.cluster import DaskExecutor  # needs the optional extra

    return DaskExecutor(address)


__all__ = ["executor_from"]
