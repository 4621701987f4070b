"""Sweep, frontier and what-if through a real Dask cluster: a scheduler and two workers, each a
separate ``dask`` process on 127.0.0.1 (the harness of tests/execute/conftest.py), give the same
repeatable results as the local pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sharedprop.analysis.frontier import frontier
from sharedprop.analysis.sweep import sweep
from sharedprop.analysis.whatif import whatif
from tests.analysis.cases import two_communities, with_candidate_parking
from tests.execute.conftest import DaskCluster, require_distributed, start_cluster

require_distributed()

LIMITS = {"time_limit": 60, "work_limit": 5, "seed": 1}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    running = start_cluster(tmp_path_factory.mktemp("dask-analysis"))
    yield running
    running.stop()


def test_a_sweep_on_the_cluster_gives_the_local_pools_results(cluster: DaskCluster) -> None:
    vary = ["policy.min_coverage=0,0.5,1"]
    local = sweep(two_communities(), vary, workers=2, **LIMITS)
    remote = sweep(two_communities(), vary, executor=cluster.address, **LIMITS)
    assert [o.plan for o in remote.outcomes] == [o.plan for o in local.outcomes]
    assert [o.result.objective for o in remote.outcomes] == [
        o.result.objective for o in local.outcomes
    ]


def test_a_frontier_and_a_whatif_on_the_cluster_give_the_local_results(
    cluster: DaskCluster,
) -> None:
    local = frontier(two_communities(), [0.0, 1.0], workers=2, **LIMITS)
    remote = frontier(two_communities(), [0.0, 1.0], executor=cluster.address, **LIMITS)
    assert [p.objective for p in remote.points] == [p.objective for p in local.points]

    here = whatif(with_candidate_parking(), kinds=["resource"], workers=2, **LIMITS)
    there = whatif(with_candidate_parking(), kinds=["resource"], executor=cluster.address, **LIMITS)
    assert [w.saving for w in there.items] == [w.saving for w in here.items]
    assert there.items[0].proven
