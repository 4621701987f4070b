"""A real Dask cluster for the executor tests: a scheduler and two one-thread workers, each a
separate ``dask`` process on 127.0.0.1, started with bounded waits and ended at the end.

The tests skip when Dask's ``distributed`` is not installed, unless ``SHAREDPROP_REQUIRE_DASK=1``
(set by ``.ci/run``, which installs the extra), where a missing install fails them instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import sharedprop

START_TIMEOUT_S = 60.0  # a cold start imports distributed in three processes on a busy machine


def require_distributed() -> None:
    """Skip the calling test module (or fail it, under ``SHAREDPROP_REQUIRE_DASK=1``) when
    ``distributed`` is missing."""
    if importlib.util.find_spec("distributed") is not None:
        return
    reason = "Dask's distributed is not installed (pip install 'sharedprop[distributed]')"
    if os.environ.get("SHAREDPROP_REQUIRE_DASK") == "1":
        pytest.fail(f"SHAREDPROP_REQUIRE_DASK=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@dataclass
class DaskCluster:
    """The scheduler's address and the processes behind it."""

    address: str
    scheduler: subprocess.Popen
    folder: Path
    workers: list[subprocess.Popen] = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def kill_worker(self, pid: int) -> None:
        """End one worker at once (SIGKILL), as a crash would, and forget it."""
        proc = next(w for w in self.workers if w.pid == pid)
        proc.kill()
        proc.wait(timeout=10)
        self.workers.remove(proc)

    def add_worker(self) -> None:
        """Start one more one-thread worker (no nanny: a killed worker stays dead)."""
        k = len(list(self.folder.glob("worker*.log")))
        self.workers.append(
            _dask(
                ["worker", self.address, "--nthreads", "1", "--no-nanny",
                 "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{k}",
                 "--local-directory", str(self.folder / f"w{k}"), "--death-timeout", "60s"],
                self.folder / f"worker{k}.log",
            )
        )  # fmt: skip

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=START_TIMEOUT_S, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=START_TIMEOUT_S)

    def stop(self) -> None:
        """Workers first, then the scheduler: a worker told to close while its scheduler is
        already gone waits for it before giving up."""
        for group in (self.workers, [self.scheduler]):
            for proc in group:
                if proc.poll() is None:
                    proc.terminate()
            for proc in group:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def _dask(args: list[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ)
    # The workers import this checkout of sharedprop, whichever way the tests found it.
    src = str(Path(sharedprop.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )


def _wait_for_file(path: Path, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Dask scheduler did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)


def start_cluster(folder: Path, workers: int = 2) -> DaskCluster:
    """A scheduler on a free port of 127.0.0.1 and ``workers`` one-thread workers."""
    folder.mkdir(parents=True, exist_ok=True)
    info = folder / "scheduler.json"
    log = folder / "scheduler.log"
    scheduler = _dask(
        ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(info), "--idle-timeout", "300s"],
        log,
    )  # fmt: skip
    cluster = DaskCluster(address="", scheduler=scheduler, folder=folder)
    try:
        _wait_for_file(info, scheduler, log)
        cluster.address = json.loads(info.read_text())["address"]
        for _ in range(workers):
            cluster.add_worker()
        cluster.wait_for_workers(workers)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """Two workers shared by a test module's tests; a test that kills one starts another."""
    require_distributed()
    cluster = start_cluster(tmp_path_factory.mktemp("dask"))
    yield cluster
    cluster.stop()
