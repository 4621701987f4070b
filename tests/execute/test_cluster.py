"""The Dask executor on a real cluster (scheduler and two workers as separate processes):
tasks run on the workers, shared data is sent once per worker, a killed worker's tasks run again
on the other, and seeded tasks give the same ordered results as the local executor."""

from __future__ import annotations

import operator
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sharedprop.execute import LocalExecutor, executor_from

from .conftest import DaskCluster, require_distributed

require_distributed()
cloudpickle = pytest.importorskip("cloudpickle")
from sharedprop.execute.cluster import DaskExecutor  # noqa: E402  (needs the extra)

# The workers cannot import this test module: its functions travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class Logged:
    """A payload that appends a line to ``log`` each time it is unpickled (in any process)."""

    def __init__(self, size: int, log: Path) -> None:
        self.payload = np.arange(size, dtype=np.float64)
        self.log = str(log)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        with open(self.log, "a") as fh:
            fh.write(f"{os.getpid()}\n")


def value_at(data: Logged, i: int) -> float:
    return float(data.payload[i])


def marked_sleep(i: int, data: Logged, marks: str, seconds: float) -> tuple[int, int, float]:
    Path(marks, f"{i}-{os.getpid()}").touch()
    time.sleep(seconds)
    return i, os.getpid(), float(data.payload[i])


def draws(seed: int, size: int) -> list[float]:
    return np.random.default_rng(seed).random(size).round(12).tolist()


@pytest.fixture(scope="module")
def dask_ex(dask_cluster: DaskCluster):
    with DaskExecutor(dask_cluster.address) as ex:
        yield ex


def test_executor_from_connects_to_the_scheduler_and_sees_both_workers(dask_cluster):
    with executor_from(dask_cluster.address) as ex:
        assert isinstance(ex, DaskExecutor)
        assert ex.workers == 2
        assert ex.map(operator.mul, range(6), 7) == [7 * i for i in range(6)]


def test_tasks_run_on_the_worker_processes(dask_ex, dask_cluster):
    pids = {t.result(timeout=60) for t in [dask_ex.submit(os.getpid) for _ in range(8)]}
    assert pids <= set(dask_cluster.worker_pids())
    assert os.getpid() not in pids


def test_shared_data_is_sent_once_to_each_worker_not_with_each_task(dask_ex, tmp_path):
    log = tmp_path / "unpickled.txt"
    handle = dask_ex.share(Logged(100_000, log))
    tasks = [dask_ex.submit(value_at, handle, i) for i in range(20)]
    assert [t.result() for t in dask_ex.as_completed(tasks, ordered=True)] == [
        float(i) for i in range(20)
    ]
    loads = log.read_text().split()
    assert len(loads) == 2 and len(set(loads)) == 2  # once in each of the two workers


def test_a_task_error_comes_back_from_its_result(dask_ex):
    with pytest.raises(ZeroDivisionError):
        dask_ex.submit(operator.truediv, 1, 0).result(timeout=60)


def test_seeded_tasks_give_the_same_ordered_results_as_the_local_executor(dask_ex):
    def run(ex) -> list[list[float]]:
        tasks = [ex.submit(draws, seed, 5) for seed in range(6)]
        return [t.result() for t in ex.as_completed(tasks, ordered=True)]

    with LocalExecutor(1) as local:
        assert run(dask_ex) == run(local)
    unordered = [t.result() for t in dask_ex.as_completed([dask_ex.submit(draws, 3, 5)])]
    assert unordered == [draws(3, 5)]


def test_killing_a_worker_mid_task_still_completes_every_task(dask_cluster, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    victim, survivor = dask_cluster.worker_pids()
    try:
        with DaskExecutor(dask_cluster.address) as ex:
            data = ex.share(Logged(16, tmp_path / "unpickled.txt"))
            tasks = [ex.submit(marked_sleep, i, data, str(marks), 1.0) for i in range(4)]
            started = _first_started_on(victim, marks)
            dask_cluster.kill_worker(victim)
            results = [t.result() for t in ex.as_completed(tasks, ordered=True, timeout=60)]
    finally:
        dask_cluster.add_worker()  # the next test finds two workers again
        dask_cluster.wait_for_workers(2)
    assert [i for i, _, _ in results] == [0, 1, 2, 3]
    assert [v for _, _, v in results] == [0.0, 1.0, 2.0, 3.0]
    # The task the killed worker was running ran again, on the other worker.
    assert {pid for i, pid, _ in results if i in started} == {survivor}


def _first_started_on(pid: int, marks: Path) -> list[int]:
    """Indices of the tasks that started on worker ``pid`` (waits for the first, 30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        started = [int(p.name.split("-")[0]) for p in marks.glob(f"*-{pid}")]
        if started:
            return started
        time.sleep(0.02)
    raise AssertionError(f"no task started on worker {pid} in 30 s")
