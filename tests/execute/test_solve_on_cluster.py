"""The city strategy through ``solve(..., executor=ADDRESS)`` on a real Dask cluster (a
scheduler and two workers as separate processes): its plans obey every rule, a repeatable run
gives the one-worker local plan, and a worker killed mid-run loses nothing the plan needs."""

from __future__ import annotations

import os
import threading
import time

import pytest

from sharedprop import Instance, load_instance, solve
from sharedprop.generate import generate_instance
from tests.checks import assert_plan_obeys_every_rule_and_matches_evaluate

from .conftest import DaskCluster, require_distributed

require_distributed()

# A wall-clock limit that the repeatable (work-limited) runs here never reach, the workers'
# first imports and Numba compilation included.
WALL = 240.0


@pytest.fixture(scope="module")
def city45(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    folder = generate_instance(
        tmp_path_factory.mktemp("city45"), communities=45, streets=3, firms=4, resources=4, seed=3
    )
    return load_instance(folder)


def test_a_repeatable_city_run_on_the_cluster_gives_the_one_worker_local_plan(
    city45: Instance, dask_cluster: DaskCluster
) -> None:
    runs = {
        where: solve(
            city45,
            time_limit=WALL,
            work_limit=6,
            workers=1,
            seed=4,
            strategy="city",
            executor=where,
        )
        for where in ("local", dask_cluster.address)
    }
    local, cluster = runs["local"], runs[dask_cluster.address]
    assert cluster.stats.city.executor == "dask" and cluster.stats.city.workers == 2
    assert local.stopped_by == cluster.stopped_by == "work"
    assert_plan_obeys_every_rule_and_matches_evaluate(city45, cluster)
    assert cluster.plan == local.plan
    assert cluster.objective == local.objective
    assert cluster.best_bound == local.best_bound


def test_a_city_run_on_both_workers_obeys_every_rule(
    city45: Instance, dask_cluster: DaskCluster
) -> None:
    result = solve(city45, time_limit=20, workers=2, strategy="city", executor=dask_cluster.address)
    assert result.stats.city.executor == "dask"
    assert_plan_obeys_every_rule_and_matches_evaluate(city45, result)
    assert result.best_bound <= result.objective
    assert not result.stats.city.task_errors


def test_a_worker_killed_mid_run_still_leaves_a_plan_that_obeys_every_rule_and_a_valid_bound(
    city45: Instance, dask_cluster: DaskCluster
) -> None:
    victim = dask_cluster.worker_pids()[0]
    killer = _KillWhenBusy(dask_cluster, victim)
    killer.start()
    try:
        result = solve(
            city45, time_limit=25, workers=2, strategy="city", executor=dask_cluster.address
        )
    finally:
        killer.join(timeout=60)
        dask_cluster.add_worker()  # the next test finds two workers again
        dask_cluster.wait_for_workers(2)
    assert killer.killed_while_busy, killer.error
    assert_plan_obeys_every_rule_and_matches_evaluate(city45, result)
    # The killed worker's tasks ran again on the other (Dask's recovery): none was lost.
    assert not result.stats.city.task_errors
    assert result.best_bound <= result.objective
    joint = solve(city45, time_limit=WALL, work_limit=10, workers=1, strategy="joint")
    assert result.best_bound <= joint.objective + 1e-6


class _KillWhenBusy(threading.Thread):
    """Kills worker ``pid`` as soon as the scheduler shows it running a task of the solve."""

    def __init__(self, cluster: DaskCluster, pid: int) -> None:
        super().__init__(daemon=True)
        self.cluster, self.pid = cluster, pid
        self.killed_while_busy = False
        self.error = ""

    def run(self) -> None:
        from distributed import Client

        try:
            with Client(self.cluster.address, timeout=30, set_as_default=False) as client:
                pids = client.run(os.getpid)  # {worker address: its pid}
                address = next(a for a, pid in pids.items() if pid == self.pid)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    busy = client.processing().get(address, ())
                    if any("improve_part" in str(key) for key in busy):
                        self.cluster.kill_worker(self.pid)
                        self.killed_while_busy = True
                        return
                    time.sleep(0.05)
                self.error = "no part task reached the victim in 60 s"
        except Exception as exc:  # the test reports it
            self.error = repr(exc)
