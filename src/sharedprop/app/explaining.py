"""``explain_community`` in the background: the latest click wins, answers are kept per plan.

At city scale one explanation scores hundreds of alternative plans and takes long (it scores
every single change around the community), so the page asks for it and polls; a newer request
replaces one still waiting, and only one runs at a time. Each computation runs in the context
of the request that asked for it (its language among others).
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ExplainState = Literal["pending", "ready", "failed"]


@dataclass(frozen=True)
class ExplainAnswer:
    state: ExplainState
    text: str = ""


Key = tuple[int, str]  # (plan version, community id)


class ExplainRunner:
    """Runs the computations in one thread at a time; :meth:`ask` returns the answer or pending."""

    def __init__(self, keep: int = 64) -> None:
        self._keep = keep
        self._answers: dict[Key, ExplainAnswer] = {}
        self._wanted: tuple[Key, Callable[[], str]] | None = None
        self._running: Key | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def ask(self, key: Key, compute: Callable[[], str]) -> ExplainAnswer:
        """The answer for ``key`` if known; else ``compute`` is queued (replacing any other
        request still waiting) and the answer is pending."""
        with self._cond:
            if key in self._answers:
                return self._answers[key]
            if key != self._running and (self._wanted is None or self._wanted[0] != key):
                self._wanted = (key, functools.partial(contextvars.copy_context().run, compute))
            # A thread only while there is work: an idle app runs none.
            if not self._closed and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(
                    target=self._loop, name="sharedprop-explain", daemon=True
                )
                self._thread.start()
            return ExplainAnswer("pending")

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._wanted is None or self._closed:
                    self._thread = None
                    return
                (key, compute), self._wanted = self._wanted, None
                self._running = key
            try:
                answer = ExplainAnswer("ready", compute())
            except Exception as exc:
                answer = ExplainAnswer("failed", f"{type(exc).__name__}: {exc}")
            with self._cond:
                self._answers[key] = answer
                self._running = None
                while len(self._answers) > self._keep:
                    self._answers.pop(next(iter(self._answers)))

    def close(self, timeout: float = 60.0) -> None:
        """Drop waiting requests and wait (bounded) for the one being computed."""
        with self._cond:
            self._closed = True
            self._wanted = None
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
