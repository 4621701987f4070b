"""Progress a person can watch while ``solve`` runs: elapsed against the limit, objective, bound,
gap.

:class:`ProgressPrinter` is the ``on_progress`` callback. On a terminal it keeps one live line
(rich) whose clock and bar move even between solver reports; elsewhere (a log file, CI, a pipe)
it prints plain lines, at most one every ``interval`` seconds of solver time plus one for every
new incumbent, and the last state when closed, so logs stay short but complete.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from sharedprop.formatting import pct, yuan
from sharedprop.result import ProgressPoint


def describe(point: ProgressPoint | None) -> str:
    """``objective 239,940  bound 230,000  gap 4.1 %`` (or ``no plan yet``)."""
    if point is None or point.objective is None:
        text = "no plan yet"
        if point is not None and point.bound is not None:
            text += f"  bound {yuan(point.bound)}"
    else:
        text = f"objective {yuan(point.objective)}  bound {yuan(point.bound)}  gap {pct(point.gap)}"
    if point is not None and point.message:
        text += f"  ({point.message})"
    return text


def _clock(seconds: float, limit: float | None) -> str:
    return f"{seconds:6.1f} s / {limit:g} s" if limit else f"{seconds:6.1f} s"


class ProgressPrinter:
    """Callable ``on_progress(point)``; use as a context manager or call :meth:`close`.

    ``time_limit``: the limit the clock is shown against. ``elapsed_before``: seconds spent
    before the search started (loading the instance), added to every time shown, so the clock
    counts against a limit on the whole command.
    """

    def __init__(
        self,
        time_limit: float | None,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        interval: float = 2.0,
        elapsed_before: float = 0.0,
    ) -> None:
        self.time_limit = time_limit
        self.elapsed_before = elapsed_before
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.live = bool(isatty and isatty()) if live is None else live
        self.interval = interval
        self.last: ProgressPoint | None = None
        self.lines = 0
        self._printed: ProgressPoint | None = None
        self._incumbent: float | None = None
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._live: Live | None = None
        if self.live:
            console = Console(file=self.stream, force_terminal=True)
            self._live = Live(self, console=console, refresh_per_second=4, transient=False)
            self._live.start()

    # rich asks for this on every refresh, so the clock moves between solver reports.
    def __rich__(self) -> RenderableType:
        elapsed = self.elapsed_before + time.monotonic() - self._t0
        # One line, always: a long message is cut rather than wrapped onto a second line.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, overflow="ellipsis")
        grid.add_row(
            Text(_clock(elapsed, self.time_limit), style="bold"),
            ProgressBar(total=self.time_limit or None, completed=elapsed, width=12),
            Text(describe(self.last), no_wrap=True, overflow="ellipsis"),
        )
        return Group(grid)

    def __call__(self, point: ProgressPoint) -> None:
        with self._lock:
            self.last = point
            if self._live is not None:
                self._live.refresh()
                return
            new_incumbent = point.objective is not None and point.objective != self._incumbent
            if point.objective is not None:
                self._incumbent = point.objective
            due = self._printed is None or point.seconds - self._printed.seconds >= self.interval
            if new_incumbent or due:
                self._print(point)

    def _print(self, point: ProgressPoint) -> None:
        seconds = self.elapsed_before + point.seconds
        self.stream.write(f"[{_clock(seconds, self.time_limit)}] {describe(point)}\n")
        self.stream.flush()
        self._printed = point
        self.lines += 1

    def close(self) -> None:
        with self._lock:
            if self._live is not None:
                self._live.stop()
                self._live = None
            elif self.last is not None and self.last is not self._printed:
                self._print(self.last)

    def __enter__(self) -> ProgressPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
