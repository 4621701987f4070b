"""The project's own error types.

Every problem a planner can cause with their data surfaces as one of these, never as a raw
pandas/KeyError traceback. The CLI turns them into a message and exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sharedprop.i18n import tr


class SharedpropError(Exception):
    """Base class for every error sharedprop raises on purpose."""


class Problem(str):
    """One problem with an instance: its sentence (the string itself, in the language it was
    made in) and, where the reader knows it, the cell it is about.

    A ``str``, so that code and tests that read problems as text keep working; the fields give
    the place without parsing the sentence (whose wording changes with the language).

    Attributes
    ----------
    place
        What the sentence calls the table: ``communities.csv``, ``sheet communities``,
        ``communities frame``; None when the problem is not about one table.
    table
        The table: ``communities``, ``firms``, ``resources``, ``edges`` or ``locks``.
    row
        The spreadsheet row (the header is row 1), or None (no row, or a DataFrame's row,
        which the sentence names by its index).
    column
        The column whose cell is wrong, or None (the row as a whole).
    value
        That cell's text as read (``"-3"``), or None without a column.
    """

    place: str | None
    table: str | None
    row: int | None
    column: str | None
    value: str | None

    def __new__(
        cls,
        text: str,
        *,
        place: str | None = None,
        table: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> Problem:
        self = super().__new__(cls, text)
        for name, field in (
            ("place", place), ("table", table), ("row", row), ("column", column), ("value", value)
        ):  # fmt: skip
            object.__setattr__(self, name, field)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Problem is read-only: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Problem is read-only: cannot delete {name}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_problem, (str(self), self.place, self.table, self.row, self.column, self.value))


def _problem(text: str, *fields: Any) -> Problem:
    place, table, row, column, value = fields
    return Problem(text, place=place, table=table, row=row, column=column, value=value)


class InstanceError(SharedpropError):
    """An instance (or a plan for it) is malformed.

    ``problems`` lists every problem found, each a complete sentence naming the file, row, column
    and id where it can (``communities.csv row 14 (id C013): households must be > 0, got -3``),
    and each a :class:`Problem` whose fields give that place (a plain string given here becomes
    a Problem without one). All problems are collected before raising so that a planner fixes
    their spreadsheet once.
    """

    def __init__(self, problems: Iterable[str] | str, *, note: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem(p) for p in problems
        )
        if not self.problems:
            self.problems = (Problem("invalid instance"),)
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
