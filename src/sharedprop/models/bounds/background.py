"""The bound without contiguity in a second process, beside the search for plans.

On a street of 120 communities the bound of :mod:`sharedprop.models.bounds.without_contiguity`
needs 30–90 s
of column generation to converge, while the search for plans gains little from its last
seconds (docs/formulation.md). With two or more workers the bound therefore runs for the whole
limit in a child process on its own core, instead of a share of the limit before the search.

The child is forked, never spawned: a spawned child re-imports the caller's main module, which
re-runs an unguarded user script. Forking a process that runs other threads can deadlock the
child, so :meth:`BackgroundBound.available` allows it only on Linux with one live thread (the
CLI, scripts and benchmarks); elsewhere the caller computes the bound in turn, as with one worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem


class BackgroundBound:
    """:func:`relaxed_lp_bound` running in a forked child; poll for its best bound so far."""

    @staticmethod
    def available() -> bool:
        return sys.platform == "linux" and threading.active_count() == 1

    def __init__(
        self,
        problem: Problem,
        *,
        time_limit: float,
        start: Duals | None = None,
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(
            target=_child, args=(problem, time_limit, start, child), daemon=True
        )
        self._proc.start()
        child.close()
        self.bound: float | None = None
        self.stats: dict = {}
        self.error: str | None = None
        self._done = False

    def poll(self) -> float | None:
        """The best bound the child has reported so far (None before the first); ``stats``
        holds the child's statistics as of the last report that carried them (at most
        ``STATS_EVERY_SECONDS`` old when the bound last rose)."""
        while not self._done and self._receive(0.0):
            pass
        return self.bound

    def join(self, timeout: float) -> tuple[float | None, dict]:
        """Wait up to ``timeout`` s for the child to end on its own, then :meth:`finish`."""
        deadline = time.monotonic() + timeout
        while not self._done and self._receive(max(0.0, deadline - time.monotonic())):
            pass
        return self.finish(timeout=1.0)

    def finish(self, timeout: float = 2.0) -> tuple[float | None, dict]:
        """Ask the child to stop, wait up to ``timeout`` s for its last word, then end it."""
        try:
            if not self._done:
                self._conn.send("stop")
                while not self._done and self._receive(timeout):
                    pass
        except (BrokenPipeError, EOFError, OSError):
            pass
        finally:
            self._end()
        return self.bound, self.stats

    def _receive(self, timeout: float) -> bool:
        try:
            if not self._conn.poll(timeout):
                return False
            msg = self._conn.recv()
        except (EOFError, OSError):  # the child died: keep what it sent
            self._done = True
            return False
        kind = msg[0]
        if kind in ("bound", "done") and msg[1] is not None:
            self.bound = msg[1] if self.bound is None else max(self.bound, msg[1])
        if kind == "bound" and len(msg) > 2:
            self.stats = msg[2]  # the child's statistics when it sent this bound
        if kind == "done":
            self.stats = msg[2]
            self._done = True
        elif kind == "error":
            self.error = msg[1]
            self._done = True
        return True

    def _end(self) -> None:
        self._done = True
        end_child(self._proc, self._conn)


def end_child(proc: multiprocessing.process.BaseProcess, conn: Connection) -> None:
    """Give a forked child half a second to exit, then terminate it; close its pipe."""
    proc.join(0.5)
    if proc.is_alive():
        proc.terminate()
        proc.join(1.0)
    conn.close()


class _Reporter:
    """What the child sends its parent: bounds, and now and then its statistics.

    The statistics (``so_far``, filled as the run goes) ride with a bound at most every
    ``STATS_EVERY_SECONDS`` and whenever the root's bound changes: a parent that cannot wait
    for the last word (a round of pricing can outlast its half second) still knows how far it
    got. Not with every bound: a bound alone pickles to 31 bytes, with the statistics to about
    210, and the parent reads the pipe only when its search reports progress.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.so_far: dict = {}
        self.sent_at = -STATS_EVERY_SECONDS  # when the statistics were last sent
        self.sent_root: float | None = None  # and the root's bound they held then

    def send(self, *msg: Any) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):  # the parent has gone
            self.conn.send(msg)

    def on_bound(self, bound: float) -> None:
        now = time.monotonic()
        root = self.so_far.get("root_bound")
        if now - self.sent_at >= STATS_EVERY_SECONDS or root != self.sent_root:
            self.sent_at, self.sent_root = now, root
            self.send("bound", float(bound), dict(self.so_far))
        else:
            self.send("bound", float(bound))


def _child(
    problem: Problem,
    time_limit: float,
    start: Duals | None,
    conn: Connection,
) -> None:
    # Ctrl-C reaches the whole process group; the parent decides when the child stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reporter = _Reporter(conn)
    try:
        bound, stats = relaxed_lp_bound(
            problem,
            time_limit=time_limit,
            clock=Clock(deterministic=False),
            stop=conn.poll,  # any word from the parent means stop
            on_bound=reporter.on_bound,
            start=start,
            before_branching=_yield_to_the_search,
            stats=reporter.so_far,
        )
        reporter.send("done", bound, stats)
    except Exception as exc:
        reporter.send("error", f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


BRANCHING_NICENESS = 10
STATS_EVERY_SECONDS = 2.0


def _yield_to_the_search() -> None:
    """Once the LP has converged, the child's branching runs at a lower priority.

    The search for plans proves small instances optimal on its own, and a child branching
    at full priority on the second core slowed it past the limit on the shipped pilot
    (docs/decisions.md, 2026-11-27). At niceness 10 the branching gets the CPU the search
    leaves.
    """
    with contextlib.suppress(OSError):
        os.nice(BRANCHING_NICENESS)
