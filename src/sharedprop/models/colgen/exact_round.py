"""One round of exact pricing: every option whose cheap bound is negative, most promising first,
is priced exactly (:func:`sharedprop.models.colgen.pricing.exact_price`) until the time is up
or enough improving columns are found.

Only a round that decides every such option proves that no column prices out, which is what
lets a caller take its LP value as a bound. Options left unpriced keep their cheap bound, which
is still valid. Used by the joint model (connected packages, CP-SAT's optimum per option) and by
the bound without contiguity (negative packages only, after a cheaper ``refine``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import numpy as np

from sharedprop.models.colgen.pricing import ExactPricing, exact_price
from sharedprop.models.colgen.reduced_cost import EPS, PricingCache
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

# A cheaper pricing tried on an option first: (its lower bound, a column of negative reduced
# cost or None).
Refine = Callable[[int], tuple[float, Column | None]]


@dataclass(frozen=True)
class ExactRoundSettings:
    """How a round prices: ``workers`` threads (CP-SAT releases the GIL), the deadline and
    the stopping rule looked at every ``batch`` options, at most ``per_call`` seconds an
    option, ``option_charge`` work units charged per option on top of its model's own, and
    :func:`exact_price`'s ``seed``, ``search_nodes`` and ``negative_only``."""

    workers: int = 1
    batch: int = 1
    per_call: float = 2.0
    option_charge: float = 0.0
    seed: int = 0
    search_nodes: int = 4000
    negative_only: bool = False

    def __post_init__(self) -> None:
        for name in ("workers", "batch"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"ExactRoundSettings.{name} must be at least 1, not {getattr(self, name)!r}"
                )
        for name in ("per_call", "option_charge"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"ExactRoundSettings.{name} must be at least 0, not {value!r}")


@dataclass(frozen=True)
class ExactRoundResult:
    bounds: np.ndarray  # per option: the cheap bound, raised where the round priced it
    complete: bool  # every option of negative bound was decided
    priced: int  # options that reached exact_price
    kept: int  # what ``keep`` counted of the columns of negative reduced cost found
    columns: list[Column]  # those columns, in the order found


def exact_round(
    problem: Problem,
    duals: Duals,
    bounds: np.ndarray,
    cache: PricingCache,
    clock: Clock,
    *,
    deadline: float,
    stop: Callable[[], bool],
    enough: int,
    settings: ExactRoundSettings,
    keep: Callable[[Column], int | bool] | None = None,
    skip: np.ndarray | None = None,
    exclude: dict[int, set[int]] | None = None,
    refine: Refine | None = None,
) -> ExactRoundResult:
    """Price the options with ``bounds`` below −EPS exactly, lowest bound first.

    Each column of negative reduced cost is returned, and goes to ``keep`` as soon as it is
    found if given, which says how much it counts toward ``enough`` (a pool's ``offer``: 1 if
    new; without ``keep`` each column counts 1). The round stops early once that count reaches
    ``enough`` (partial pricing: the LP moves on sooner). ``skip``: options already
    priced exactly (their bound is exact); ``exclude``: per option, communities its packages
    may not hold (a branch of the bound); ``refine``: a cheaper pricing tried on each option
    first, which may settle it.
    """
    lb = bounds.copy()
    todo = [
        int(o)
        for o in np.argsort(bounds, kind="stable")
        if bounds[o] < -EPS and (skip is None or not skip[o])
    ]
    complete, priced = True, 0
    counted = _Counter(keep)
    with _mapper(settings.workers) as mapped:
        for start in range(0, len(todo), settings.batch):
            left = deadline - clock.now()
            if left <= 0.05 or stop() or counted.total >= enough:
                complete = False
                break
            chunk = todo[start : start + settings.batch]
            if refine is not None:
                chunk = _refined(problem, duals, lb, refine, counted, chunk)
            price = partial(
                _price,
                problem=problem,
                duals=duals,
                cache=cache,
                clock=clock,
                time_limit=min(settings.per_call, left),
                settings=settings,
                exclude=exclude or {},
            )
            for o, ep in zip(chunk, mapped(price, chunk), strict=True):
                priced += 1
                if settings.option_charge:
                    clock.charge(settings.option_charge)
                lb[o] = max(lb[o], ep.lower_bound)
                complete &= ep.proven
                if ep.column is not None and ep.reduced_cost is not None and ep.reduced_cost < -EPS:
                    counted.add(ep.column)
    return ExactRoundResult(lb, complete, priced, counted.total, counted.found)


def _price(
    o: int,
    *,
    problem: Problem,
    duals: Duals,
    cache: PricingCache,
    clock: Clock,
    time_limit: float,
    settings: ExactRoundSettings,
    exclude: dict[int, set[int]],
) -> ExactPricing:
    return exact_price(
        problem,
        duals,
        o,
        cache=cache,
        time_limit=time_limit,
        seed=settings.seed,
        clock=clock,
        search_nodes=settings.search_nodes,
        exclude=exclude.get(o, frozenset()),
        negative_only=settings.negative_only,
    )


class _Counter:
    """The columns a round found, and how much they count toward its ``enough``."""

    def __init__(self, keep: Callable[[Column], int | bool] | None) -> None:
        self.keep = keep
        self.found: list[Column] = []
        self.total = 0

    def add(self, col: Column) -> None:
        self.found.append(col)
        self.total += 1 if self.keep is None else int(self.keep(col))


def _refined(
    problem: Problem,
    duals: Duals,
    lb: np.ndarray,
    refine: Refine,
    counted: _Counter,
    chunk: list[int],
) -> list[int]:
    """Try ``refine`` on each option of ``chunk`` (raising ``lb`` in place, counting the
    columns it finds); the options it left undecided."""
    left = []
    for o in chunk:
        r_lb, col = refine(o)
        lb[o] = max(lb[o], r_lb)
        if col is not None and duals.reduced_cost(problem, col) < -EPS:
            counted.add(col)
        elif lb[o] < -EPS:
            left.append(o)
    return left


@contextmanager
def _mapper(workers: int) -> Iterator[Callable]:
    """``map`` over ``workers`` threads (in this thread for one)."""
    if workers == 1:
        yield lambda fn, items: [fn(o) for o in items]
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield lambda fn, items: list(pool.map(fn, items))
