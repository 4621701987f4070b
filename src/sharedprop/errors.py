"""The project's own error types.

Every problem a planner can cause with their data surfaces as one of these, never as a raw
pandas/KeyError traceback. The CLI turns them into a message and exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable

from sharedprop.i18n import tr


class SharedpropError(Exception):
    """Base class for every error sharedprop raises on purpose."""


class InstanceError(SharedpropError):
    """An instance (or a plan for it) is malformed.

    ``problems`` lists every problem found, each a complete sentence naming the file, row, column
    and id where it can (``communities.csv row 14 (id C013): households must be > 0, got -3``).
    All problems are collected before raising so that a planner fixes their spreadsheet once.
    """

    def __init__(self, problems: Iterable[str] | str, *, note: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: tuple[str, ...] = tuple(problems)
        if not self.problems:
            self.problems = ("invalid instance",)
        # A closing remark that is not itself a problem (e.g. how rows are numbered).
        self.note = note
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            text = self.problems[0]
        else:
            lines = [tr("{n} problems found:", n=len(self.problems))]
            lines += [f"  - {p}" for p in self.problems]
            text = "\n".join(lines)
        return f"{text}\n{self.note}" if self.note else text


class PlanError(InstanceError):
    """A plan file is malformed or names things the instance does not have."""
