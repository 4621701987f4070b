"""The local executor: inline with one worker, a process pool with more, shared data read once
per worker process, results in completion or submission order."""

from __future__ import annotations

import math
import operator
import os
import pickle
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

from sharedprop.errors import SharedpropError
from sharedprop.execute import LocalExecutor, executor_from

RAN: list[int] = []  # inline tasks record themselves here (same process)
LOADS = 0  # unpickled Counted objects in this process


class Counted:
    """A payload that counts, in each process, how many times it was unpickled."""

    def __init__(self, size: int) -> None:
        self.payload = np.arange(size, dtype=np.float64)

    def __setstate__(self, state: dict) -> None:
        global LOADS
        LOADS += 1
        self.__dict__.update(state)


def record(i: int) -> int:
    RAN.append(i)
    return i * i


def loads_seen(data: Counted, i: int) -> tuple[int, int, float]:
    return os.getpid(), LOADS, float(data.payload[i])


def fail(message: str) -> None:
    raise ValueError(message)


def sleep_then(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def draws(seed: int, size: int) -> list[float]:
    return np.random.default_rng(seed).random(size).round(12).tolist()


@pytest.fixture
def pool():
    with LocalExecutor(2, start_method="fork") as ex:
        yield ex


def test_one_worker_runs_tasks_inline_only_when_their_result_is_needed():
    RAN.clear()
    with LocalExecutor(1) as ex:
        assert ex.inline and ex.workers == 1
        tasks = [ex.submit(record, i) for i in range(4)]
        assert RAN == []
        ex.cancel(tasks[2:3])
        got = [t.result() for t in ex.as_completed(tasks) if t.index != tasks[2].index]
    assert got == [0, 1, 9]
    assert RAN == [0, 1, 3]  # the cancelled task never ran


def test_a_task_error_is_raised_by_its_result_inline_and_in_the_pool(pool):
    with LocalExecutor(1) as inline, pytest.raises(ValueError, match="bad street"):
        inline.submit(fail, "bad street").result()
    with pytest.raises(ValueError, match="bad street"):
        pool.submit(fail, "bad street").result(timeout=30)


def test_the_pool_runs_tasks_in_other_processes_and_map_keeps_the_order(pool):
    pids = {t.result(timeout=30) for t in [pool.submit(os.getpid) for _ in range(6)]}
    assert os.getpid() not in pids
    assert pool.map(operator.mul, range(8), 3) == [3 * i for i in range(8)]


def test_shared_data_crosses_to_each_worker_process_once(pool):
    data = Counted(100_000)  # 800 kB
    handle = pool.share(data)
    assert len(pickle.dumps(handle)) < 1_000  # the handle, not the data, goes with a task
    seen = [t.result(timeout=30) for t in [pool.submit(loads_seen, handle, i) for i in range(24)]]
    assert [v for _, _, v in seen] == [float(i) for i in range(24)]
    per_process: dict[int, int] = {}
    for pid, loads, _ in seen:
        per_process[pid] = max(per_process.get(pid, 0), loads)
    assert set(per_process.values()) == {1}
    assert LOADS == 0  # the caller never unpickled it


def test_inline_tasks_get_the_shared_object_itself():
    data = Counted(10)
    with LocalExecutor(1) as ex:
        handle = ex.share(data)
        assert ex.submit(operator.is_, handle, data).result() is True


def test_as_completed_yields_the_first_finished_task_first_unless_ordered(pool):
    slow = pool.submit(sleep_then, 1.5, 1)
    fast = pool.submit(sleep_then, 0.0, 2)
    assert [t.result() for t in pool.as_completed([slow, fast])] == [2, 1]
    assert [t.result() for t in pool.as_completed([fast, slow], ordered=True)] == [1, 2]


def test_as_completed_gives_up_after_its_timeout(pool):
    task = pool.submit(sleep_then, 3.0, 1)
    with pytest.raises(TimeoutError):
        list(pool.as_completed([task], timeout=0.2))
    with pytest.raises(TimeoutError):
        list(pool.as_completed([task], ordered=True, timeout=0.2))


def test_seeded_tasks_give_the_same_results_in_the_same_order_on_any_local_executor(pool):
    def run(ex) -> list[list[float]]:
        tasks = [ex.submit(draws, seed, 5) for seed in range(6)]
        return [t.result() for t in ex.as_completed(tasks, ordered=True)]

    with LocalExecutor(1) as inline:
        assert run(inline) == run(pool)


def test_a_fork_server_pool_runs_importable_functions_on_shared_data():
    with LocalExecutor(2, start_method="forkserver") as ex:
        numbers = ex.share([5, 6, 7])
        assert ex.map(math.factorial, [3, 4]) == [6, 24]
        assert ex.submit(operator.getitem, numbers, 2).result(timeout=60) == 7


def test_a_handle_of_another_executor_is_refused(pool):
    with LocalExecutor(1) as other:
        handle = other.share([1, 2])
    with pytest.raises(ValueError, match="belongs to another executor"):
        pool.submit(len, handle)


def test_a_closed_executor_refuses_new_tasks():
    ex = LocalExecutor(1)
    ex.close()
    ex.close()  # idempotent
    with pytest.raises(RuntimeError, match="LocalExecutor is closed"):
        ex.submit(len, [1])


def test_workers_must_be_at_least_one():
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        LocalExecutor(0)


def test_executor_from_gives_a_local_pool_without_an_address():
    with executor_from(None, workers=1) as ex:
        assert isinstance(ex, LocalExecutor) and ex.inline
    with executor_from("local", workers=2) as ex:
        assert isinstance(ex, LocalExecutor) and ex.workers == 2 and not ex.inline


def test_executor_from_refuses_an_address_it_cannot_use(monkeypatch):
    with pytest.raises(SharedpropError, match="got 'ftp://host:1'"):
        executor_from("ftp://host:1")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(SharedpropError, match=r"pip install 'sharedprop\[distributed\]'"):
        executor_from("tcp://127.0.0.1:8786")


def marked_sleep(i: int, marks: str, seconds: float) -> tuple[int, int]:
    Path(marks, f"{i}-{os.getpid()}").touch()
    time.sleep(seconds)
    return i, os.getpid()


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_pool_process_loses_no_result_its_tasks_run_again(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    with LocalExecutor(2, start_method="fork") as ex:
        tasks = [ex.submit(marked_sleep, i, str(marks), 0.5) for i in range(4)]
        deadline = time.monotonic() + 30
        while not list(marks.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.01)
        victim = int(next(marks.iterdir()).name.split("-")[1])
        os.kill(victim, signal.SIGKILL)
        results = [t.result() for t in ex.as_completed(tasks, timeout=60)]
    assert sorted(i for i, _ in results) == [0, 1, 2, 3]
    assert victim not in {pid for _, pid in results}


def test_a_task_that_kills_its_process_every_time_fails_after_its_retries():
    with LocalExecutor(2, start_method="fork", retries=1) as ex:
        task = ex.submit(die)
        with pytest.raises(BrokenProcessPool):
            task.result(timeout=60)
        assert ex.submit(operator.add, 2, 3).result(timeout=60) == 5  # the executor goes on
