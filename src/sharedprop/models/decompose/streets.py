"""Large instances street by street: one street after another, then recombined.

When packages may not cross streets (``cross_streets = false``), the streets interact only
through the firms (capacity, ``max_packages``) and the resources (each goes to one package).
Every street is a *block*; planners work the same way (DESIGN.md: "planners work street by
street"), and the engine does it for instances too large for one joint model in the time.

1. **Streets in turn.** Streets are solved one after another by the joint model, each with a
   share of the time proportional to its communities and with only what the streets before it
   left: remaining firm capacity and packages, unused resources. Streets with the least firm
   capacity within reach per household go first, since they have the fewest alternatives.
   Given the transportation LP of :mod:`sharedprop.models.bounds` (``guide``), a street may
   use of each firm only what the LP gave it, plus its share of the capacity the LP left idle
   and half a package of rounding room, so early streets do not take the firms later streets
   depend on. Every plan combined this way obeys every rule.
   With two or more workers the streets go **two at a time**, the second in a forked child
   process: a street's solve is mostly single-threaded Python, so the second core was idle.
   Each of the two gets the time of both, and the firms both can use are split between them
   first (``_split_pair``): what the transportation LP gave each, the rest by size; a resource
   both can use goes to one of them.
2. **Recombination.** One set-partitioning master (CP-SAT) over every package the streets'
   column generation produced — plus each chosen package under every other firm that may run
   it — starts from the combined plan and lets the streets trade firms and resources. On a
   large pool it takes only the ``LP_RANKED_COLUMNS`` packages of least reduced cost in the
   pool's LP, and the combined plan's (``master.lp_ranked_columns``): CP-SAT improves the
   combined plan far more over those than over the whole pool in the same time.
3. **Pairs of streets, in long runs.** A street's solve stops paying back after a few seconds
   (``STREET_SECONDS_CAP``), and so does the recombination (``RECOMBINATION_SECONDS_CAP``).
   The time beyond both caps goes to a large-neighbourhood search over pairs of streets that
   share firms (:class:`PairSearch`): both streets' packages are freed and the two are solved
   again as one problem, so firms move between them with new packages; with two workers a
   second pair that shares no street, firm or resource runs beside it in a forked child. A
   60-s solve is not affected (no cap binds).

A first version solved every street with all firms (a relaxation whose bounds add up to a
bound on the whole) and repaired the streets that no longer fitted; on generated instances the
firms' capacity is what the streets compete for, so most streets needed repair and the result
was worse. No bound is claimed: the streets in turn are a restriction of the problem. The
measurements behind each choice are in docs/decisions.md and docs/formulation.md.

On a deterministic clock (a repeatable run) every share is fixed in advance in work units and
the streets go one at a time, so the same seed takes the same path.

When packages may cross streets there are no blocks and the caller solves the whole instance.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np

from sharedprop.models.bounds.background import BackgroundBound, end_child
from sharedprop.models.bounds.transport import CapacityRelaxation
from sharedprop.models.colgen.master import LP_RANKED_COLUMNS, solve_integer_master
from sharedprop.models.core.columns import Column, ColumnPool, make_column, plan_objective
from sharedprop.models.core.problem import Problem
from sharedprop.models.core.result import JointResult
from sharedprop.models.core.run import RunContext
from sharedprop.models.decompose.regions import cut_out
from sharedprop.models.decompose.subproblem import SubProblem, sub_problem
from sharedprop.result import StreetStatistics

# solve_block(sub_problem, time_limit, warm_plans, stop) -> JointResult on the sub-problem's
# indices; ``stop`` (or None: the caller's own) ends it early with its best plan.
BlockSolver = Callable[[Problem, float, list[list[Column]], Callable[[], bool] | None], JointResult]

# Shares of the time limit: streets one after another, then the recombination.
SEQUENTIAL_SHARE = 0.7
MIN_BLOCK_SECONDS = 0.5
# A street's solve stops paying back after a few seconds, and the recombination too; beyond
# these caps the time goes to re-solving pairs of streets (PairSearch).
STREET_SECONDS_CAP = 5.0
RECOMBINATION_SECONDS_CAP = 30.0
# Each re-solved pair of streets gets this much (work units on a repeatable run).
PAIR_SECONDS = 5.0
# A deterministic run counts its pairs in advance at this wall cost per work unit, since a
# pair's solve takes about twice its work units on the wall clock.
PAIR_WALL_PER_UNIT = 1.9


def ranking_seconds(columns: int) -> float:
    """About how long the recombination's LP ranking takes on a pool of ``columns`` (about
    n^1.3, fitted on the 1,414-community pool). The pairs of streets keep this much time free,
    since their columns grow the pool the ranking must sort."""
    return 5.0 * (columns / 75_000) ** 1.3


@dataclass(frozen=True)
class Block:
    """One street: its communities and the options whose hub lies in it (global indices)."""

    street: int
    members: np.ndarray
    options: np.ndarray


def street_reach(problem: Problem, block: Block) -> tuple[set[int], set[int]]:
    """The firms and the resources that the options of a street can use."""
    firms: set[int] = set()
    resources: set[int] = set()
    for j in block.options:
        o = problem.options[int(j)]
        firms.add(o.firm)
        resources.update(int(r) for r in o.resources)
    return firms, resources


def street_blocks(problem: Problem) -> list[Block] | None:
    """The streets as blocks, or None when packages may cross streets (or there is one street).

    Blocks need every option to be a member hub whose candidates all share its street; the
    facility-location adapters (hub = -1) and ``cross_streets = true`` instances have none.
    """
    p = problem
    if p.street is None or not p.options:
        return None
    street = p.street
    codes = np.unique(street)
    if len(codes) < 2:
        return None
    by_street: dict[int, list[int]] = {int(s): [] for s in codes}
    for j, o in enumerate(p.options):
        if o.hub < 0 or np.any(street[o.candidates] != street[o.hub]):
            return None
        by_street[int(street[o.hub])].append(j)
    return [
        Block(
            street=s,
            members=np.flatnonzero(street == s),
            options=np.asarray(by_street[s], dtype=np.int64),
        )
        for s in sorted(by_street)
    ]


def restrict(
    problem: Problem,
    block: Block,
    capacity: np.ndarray,
    max_packages: np.ndarray,
    free_resources: np.ndarray,
) -> SubProblem:
    """The sub-problem of one block with the given firm limits and resources: the block's
    options whose firm can still run a package holding their hub."""
    p = problem
    smallest = max(1, int(p.package_min_weight))
    options = [
        int(j)
        for j in block.options
        if max_packages[p.options[int(j)].firm] > 0
        and capacity[p.options[int(j)].firm] >= max(smallest, int(p.weight[p.options[int(j)].hub]))
    ]
    return sub_problem(
        p, block.members, options, capacity, max_packages, free_resources, _floor_share(p, block)
    )


def _floor_share(problem: Problem, block: Block) -> int:
    """A street's share of the coverage floor: the floor's share of all households, of the
    street's households that some option can reach. Every street meeting its share meets the
    floor (the shares round up), unless a street cannot reach its share: then the
    recombination, whose master holds the city-wide row, must make up the difference."""
    p = problem
    if p.min_covered_weight <= 0:
        return 0
    reach = np.zeros(p.n, dtype=bool)
    for j in block.options:
        reach[p.options[int(j)].candidates] = True
    share = p.min_covered_weight / float(p.weight.sum())
    street = int(p.weight[block.members].sum())
    return min(int(p.weight[block.members[reach[block.members]]].sum()), math.ceil(share * street))


def _fitting(part: SubProblem, plan: list[Column]) -> list[Column]:
    """The packages of a whole-instance plan that fit in ``part``, in its terms."""
    return [c for c in (part.to_sub(col) for col in plan) if c is not None]


def _take(
    problem: Problem,
    cols: list[Column],
    capacity: np.ndarray,
    max_packages: np.ndarray,
    used: np.ndarray,
) -> None:
    for c in cols:
        f = problem.options[c.option].firm
        capacity[f] -= c.weight
        max_packages[f] -= 1
        used[list(c.resources)] = True


def _firm_variants(problem: Problem, by_hub: dict[int, list[int]], col: Column) -> list[Column]:
    """The same package run by every other firm that may run it (hub, candidates, capacity)."""
    out = []
    members = np.asarray(col.members)
    hub = problem.options[col.option].hub
    for j in by_hub.get(hub, []):
        o = problem.options[j]
        if j == col.option or col.weight > problem.firm_capacity[o.firm]:
            continue
        if np.all(np.isin(members, o.candidates)):
            res = tuple(r for r in col.resources if r in set(map(int, o.resources)))
            out.append(make_column(problem, j, members, res))
    return out


def _split_pair(
    problem: Problem,
    pair: list[Block],
    limits: list[np.ndarray],
    capacity: np.ndarray,
    max_packages: np.ndarray,
    free: np.ndarray,
    given: dict[int, np.ndarray] | None,
) -> list[SubProblem]:
    """Sub-problems for two streets solved at once, whose plans always fit together.

    A firm that both streets can use has its remaining capacity and packages split: each street
    first gets what the transportation LP gave it (``given``, when there is a guide), and the
    rest goes by the streets' sizes. A resource both can use goes to one of them, alternately.
    """
    p = problem
    a, b = pair
    reach = [np.zeros(p.m, dtype=bool) for _ in pair]
    res = [np.zeros(p.k, dtype=bool) for _ in pair]
    for side, block in enumerate(pair):
        firms, resources = street_reach(p, block)
        reach[side][list(firms)] = True
        res[side][list(resources)] = True
    cap = [limits[0].astype(np.int64).copy(), limits[1].astype(np.int64).copy()]
    mp = [max_packages.copy(), max_packages.copy()]
    w_a = len(a.members) / max(1, len(a.members) + len(b.members))
    q = np.maximum(1, np.minimum(p.firm_capacity, p.package_max_weight or np.iinfo(np.int64).max))
    for f in np.flatnonzero(reach[0] & reach[1]):
        need = [
            0.0 if given is None else float(min(cap[s][f], np.ceil(given[blk.street][f])))
            for s, blk in enumerate(pair)
        ]
        total = int(capacity[f])
        if cap[0][f] + cap[1][f] > total:
            spare = total - need[0] - need[1]
            if spare >= 0:
                first = int(min(cap[0][f], need[0] + np.floor(spare * w_a)))
            else:
                first = int(np.floor(total * need[0] / (need[0] + need[1])))
            cap[0][f], cap[1][f] = first, min(cap[1][f], total - first)
        packages = [int(np.ceil(x / q[f])) for x in need]
        total_p = int(max_packages[f])
        spare_p = total_p - packages[0] - packages[1]
        if spare_p >= 0:
            first_p = packages[0] + int(np.floor(spare_p * w_a + 0.5))
        else:
            first_p = int(np.floor(total_p * packages[0] / (packages[0] + packages[1])))
        mp[0][f], mp[1][f] = first_p, total_p - first_p
    free_of = [free & res[0], free & res[1]]
    contested = np.flatnonzero(free_of[0] & free_of[1])
    free_of[0][contested[1::2]] = False
    free_of[1][contested[0::2]] = False
    return [
        restrict(p, block, cap[side], mp[side], free_of[side]) for side, block in enumerate(pair)
    ]


class _StreetInChild:
    """One street solved in a forked child process while the parent solves another.

    Forked for the reasons of :mod:`sharedprop.models.bounds.background` (never spawned, and only
    where that module allows it). The child ignores Ctrl-C; the parent asks it to stop.
    """

    @staticmethod
    def available() -> bool:
        return BackgroundBound.available()

    def __init__(
        self, solve_block: BlockSolver, sub: Problem, limit: float, warm: list[list[Column]]
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(
            target=_street_child, args=(solve_block, sub, limit, warm, child), daemon=True
        )
        self._proc.start()
        child.close()
        self.error: str | None = None  # what the child raised, if it did

    def result(self, timeout: float, stop: Callable[[], bool]) -> JointResult:
        """The child's result; "unknown" (the street left uncovered) if it fails or overruns
        ``timeout`` s."""
        deadline = time.monotonic() + timeout
        asked = False
        out = JointResult("unknown", [], None, None)
        try:
            while time.monotonic() < deadline:
                if self._conn.poll(0.05):
                    kind, value = self._conn.recv()
                    if kind == "done":
                        out = value
                    else:
                        self.error = value
                    break
                if stop() and not asked:
                    self._conn.send("stop")  # the child returns its best plan so far
                    asked, deadline = True, min(deadline, time.monotonic() + 2.0)
        except (EOFError, OSError):  # the child died: the street stays uncovered
            pass
        finally:
            end_child(self._proc, self._conn)
        return out


def _street_child(
    solve_block: BlockSolver,
    sub: Problem,
    limit: float,
    warm: list[list[Column]],
    conn: Connection,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        jr = solve_block(sub, limit, warm, conn.poll)
        msg: tuple = ("done", jr)
    except Exception as exc:
        msg = ("error", f"{type(exc).__name__}: {exc}")
    with contextlib.suppress(BrokenPipeError, OSError):  # the parent has gone
        conn.send(msg)
    conn.close()


def solve_by_blocks(
    problem: Problem,
    blocks: list[Block],
    solve_block: BlockSolver,
    run: RunContext,
    *,
    warm: Iterable[list[Column]] = (),
    guide: CapacityRelaxation | None = None,
) -> JointResult:
    """Streets in turn, pairs of streets (long runs), recombination (module docstring) within
    ``run.limit``; ``stats["streets"]`` holds the :class:`StreetStatistics`."""
    return StreetByStreet(problem, blocks, solve_block, run, warm=list(warm), guide=guide).solve()


class StreetByStreet:
    """One street-by-street run: its phases share the pool of packages, the firms' capacity
    and packages left, the resources used and the combined plan."""

    def __init__(
        self,
        problem: Problem,
        blocks: list[Block],
        solve_block: BlockSolver,
        run: RunContext,
        *,
        warm: list[list[Column]],
        guide: CapacityRelaxation | None,
    ) -> None:
        p = problem
        self.problem, self.blocks, self.solve_block, self.run = p, blocks, solve_block, run
        self.warm, self.guide = warm, guide
        self.n_total = max(1, sum(len(b.members) for b in blocks))
        self.capacity = p.firm_capacity.astype(np.int64)
        self.max_packages = p.firm_max_packages.astype(np.int64)
        self.used = np.zeros(p.k, dtype=bool)
        self.pool = ColumnPool(p)
        self.by_hub: dict[int, list[int]] = {}
        for j, o in enumerate(p.options):
            self.by_hub.setdefault(o.hub, []).append(j)
        for plan in warm:
            for c in plan:
                self.pool.add(c)
        self.given, self.allowance = self._guide_shares()
        # Two streets at once, one in a forked child on the second core (module docstring).
        paired = not run.deterministic and run.workers >= 2 and _StreetInChild.available()
        self.stats = StreetStatistics(blocks=len(blocks), streets_in_pairs=paired)
        self.final: list[Column] = []
        self.objective: float | None = None
        self.failed = False  # a street with a community that must be covered has no plan
        self.streets_spent = 0.0  # the streets' budgets (what a deterministic run is charged)

    def solve(self) -> JointResult:
        self.streets_in_turn()
        recombination = min(self.run.limit * (1 - SEQUENTIAL_SHARE), RECOMBINATION_SECONDS_CAP)
        if self.objective is not None and not self.run.stopped():
            self.pairs_of_streets(recombination)
        self.recombine(recombination)
        if self.objective is None:
            return JointResult("unknown", [], None, None, stats={"streets": self.stats})
        # Each street was solved with what the streets before it left, a restriction of the
        # whole problem, so the streets' bounds do not add up to a bound on it: none is claimed.
        self.run.report(self.objective, None, "done")
        return JointResult(
            "feasible",
            self.final,
            self.objective,
            None,
            [],
            self.run.elapsed(),
            {"streets": self.stats},
        )

    # -- streets in turn --------------------------------------------------------------------

    def _guide_shares(self) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        """With the transportation LP, the households it gives each street of each firm, and
        what a street may use: that, its share of the capacity the LP left idle and half a
        package of rounding room, so the first streets cannot take the firms that later
        streets have no substitute for."""
        p, guide = self.problem, self.guide
        if guide is None:
            return {}, {}
        full = self.capacity
        q = np.minimum(full, p.package_max_weight or np.iinfo(np.int64).max)
        given = {b.street: guide.firm_households(p.weight, b.members, p.m) for b in self.blocks}
        idle = np.maximum(0.0, full - sum(given.values()))
        allowance = {}
        for b in self.blocks:
            extra = idle * len(b.members) / self.n_total + 0.5 * q
            allowance[b.street] = np.ceil(given[b.street] + extra).astype(np.int64)
        return given, allowance

    def _order(self) -> list[Block]:
        """Streets with the least firm capacity within reach per household first: they have
        the fewest alternatives, so they must not be left with what the others did not want."""
        p = self.problem

        def scarcity(block: Block) -> float:
            firms, _ = street_reach(p, block)
            reach = float(sum(self.capacity[f] for f in firms))
            return reach / max(1.0, float(p.weight[block.members].sum()))

        return sorted(self.blocks, key=lambda b: (scarcity(b), b.street))

    def _budget(self, share: float) -> float:
        share = min(share, STREET_SECONDS_CAP)
        if self.run.deterministic:
            return max(MIN_BLOCK_SECONDS, share)
        return max(MIN_BLOCK_SECONDS, min(share, self.run.left()))

    def streets_in_turn(self) -> None:
        """Every street (two at a time with two workers) with what the earlier ones left."""
        order = self._order()
        size = 2 if self.stats.streets_in_pairs else 1
        for k in range(0, len(order), size):
            pair = order[k : k + size]
            share = SEQUENTIAL_SHARE * self.run.limit * sum(len(b.members) for b in pair)
            share /= self.n_total
            self.streets_spent += self._budget(share)
            parts = self._parts(pair)
            results = self._solve_parts(parts, share)
            for block, part, jr in zip(pair, parts, results, strict=True):
                self._take_street(block, part, jr)
        if not self.failed:
            self.objective = plan_objective(self.problem, self.final)
            self.run.report(self.objective, None, "streets combined")

    def _parts(self, pair: list[Block]) -> list[SubProblem]:
        """The sub-problems of one or two streets, with what the streets before them left."""
        p = self.problem
        limits = [
            self.capacity
            if self.guide is None
            else np.minimum(self.capacity, self.allowance[b.street])
            for b in pair
        ]
        if len(pair) == 2:
            given = self.given if self.guide is not None else None
            return _split_pair(p, pair, limits, self.capacity, self.max_packages, ~self.used, given)
        return [restrict(p, pair[0], limits[0], self.max_packages, ~self.used)]

    def _solve_parts(self, parts: list[SubProblem], share: float) -> list[JointResult]:
        """Each street's solve, the second of a pair in a forked child beside the first."""
        warms = [[w for w in (_fitting(part, plan) for plan in self.warm) if w] for part in parts]
        limit = self._budget(share)
        child = None
        if len(parts) == 2 and not self.run.stopped() and _StreetInChild.available():
            child = _StreetInChild(self.solve_block, parts[1].problem, limit, warms[1])
        results: list[JointResult] = []
        for side, part in enumerate(parts):
            if side == 1 and child is not None:
                # Asked to stop, the child hands in its best plan; one that overruns this much
                # (generous) leaves its street uncovered.
                results.append(child.result(timeout=1.5 * limit + 5.0, stop=self.run.stopped))
                if child.error is not None:
                    self.stats.street_errors.append(child.error)
            elif self.run.stopped():
                results.append(JointResult("unknown", [], None, None))
            else:  # in this process (the second of a pair too, if it could not fork)
                results.append(
                    self.solve_block(part.problem, self._budget(share), warms[side], None)
                )
        return results

    def _take_street(self, block: Block, part: SubProblem, jr: JointResult) -> None:
        """Add a street's plan to the combined one and its packages to the pool."""
        p = self.problem
        self.stats.block_status.append(jr.status)
        done = len(self.stats.block_status)
        if jr.objective is None:
            self.failed = self.failed or bool(np.any(p.must_cover[block.members]))
            return  # the whole street is left to the street office
        # Map the street's pool once; its plan's packages are mostly in it (not those that
        # region search built on a sub-problem of its own).
        mapped = {c.key: part.to_full(p, c) for c in jr.pool}
        for c in mapped.values():
            self.pool.add(c)
        missing = [c for c in jr.columns if c.key not in mapped]
        mapped.update((c.key, part.to_full(p, c)) for c in missing)
        cols = [mapped[c.key] for c in jr.columns]
        for c in cols:
            for v in _firm_variants(p, self.by_hub, c):
                self.pool.add(v)
        _take(p, cols, self.capacity, self.max_packages, self.used)
        self.final += cols
        obj = plan_objective(part.problem, jr.columns)
        self.run.report(
            None,
            None,
            f"street {done} of {len(self.blocks)} done: {len(block.members)} communities, "
            f"{obj:,.0f} yuan",
        )

    # -- pairs of streets -------------------------------------------------------------------

    def pairs_of_streets(self, recombination: float) -> None:
        """The time the capped streets left over (long runs), less the recombination's own
        capped share, goes to re-solving pairs of streets that share firms."""
        if self.run.deterministic:
            pair_time = self.run.limit - self.streets_spent - recombination
        else:
            pair_time = self.run.left() - recombination
        if pair_time < PAIR_SECONDS:
            return
        assert self.objective is not None
        search = PairSearch(
            self.problem,
            self.blocks,
            self.solve_block,
            self.pool,
            self.run,
            stats=self.stats,
            parallel=self.stats.streets_in_pairs,
            reserve=self._ranking_reserve,
        )
        self.final, self.objective = search.run_pairs(self.final, pair_time)

    def _ranking_reserve(self) -> float:
        return ranking_seconds(len(self.pool))

    # -- recombination ----------------------------------------------------------------------

    def recombine(self, recombination: float) -> None:
        """One set-partitioning master over every street's packages (and each street plan's
        packages under every other firm) lets the streets trade firms and resources."""
        run = self.run
        left = recombination if run.deterministic else run.left()
        self.stats.pool = len(self.pool)
        if left <= 0.2 or run.stopped():
            return
        hint = None
        if self.objective is not None:
            hint = [h for h in (self.pool.index_of(c) for c in self.final) if h is not None]
        # CP-SAT does better on the columns the pool's LP prices cheapest (LP_RANKED_COLUMNS).
        sol = solve_integer_master(
            self.pool,
            time_limit=max(0.2, left if run.deterministic else run.left()),
            workers=run.workers,
            seed=run.seed,
            hint=hint or None,
            stop=run.stopped,
            clock=run.clock(),
            rank=LP_RANKED_COLUMNS,
        )
        self.stats.recombined_columns = sol.ranked_columns or len(self.pool)
        if sol.objective is not None and (
            self.objective is None or sol.objective < self.objective - 1e-6
        ):
            self.final = [self.pool.columns[j] for j in sol.chosen]
            self.objective = sol.objective
            run.report(self.objective, None, "streets recombined")


def street_pairs(problem: Problem, blocks: list[Block]) -> list[tuple[Block, Block]]:
    """Pairs of streets that share firms, those sharing the most first (ties by street)."""
    firms = [street_reach(problem, b)[0] for b in blocks]
    ranked = [
        (-len(firms[a] & firms[b]), blocks[a].street, blocks[b].street, a, b)
        for a in range(len(blocks))
        for b in range(a + 1, len(blocks))
        if firms[a] & firms[b]
    ]
    return [(blocks[a], blocks[b]) for *_, a, b in sorted(ranked)]


class PairSearch:
    """Large-neighbourhood search over pairs of streets that share firms.

    The streets were solved in turn, each with the firm capacity the others left, and the
    recombination can only trade the packages they produced. Here two streets at a time are
    freed together — their packages dropped, what those used given back — and solved again as
    one problem (the joint model, warm-started by their packages), so that firms move between
    them with newly built packages. Packages outside stay, so every rule still holds; a pair's
    new plan is kept when the whole plan's objective drops. Every column the solve built joins
    ``pool`` for the recombination. The pairs go round in order until the time is up or every
    pair has been solved once since the plan last changed. On a deterministic clock the number
    of pairs is fixed in advance (the time over a pair's calibrated cost), so the run repeats.

    ``parallel``: a second pair that shares no street, firm or resource with the first is
    solved at the same time in a forked child (:class:`_StreetInChild`). Neither pair can then
    change what the other may use, so both results apply. ``reserve()``: seconds to leave free
    at the end besides (the recombination's ranking of the growing pool; wall clock only).
    ``on_improve(objective)`` hears of every better plan (default: the run's progress).
    """

    def __init__(
        self,
        problem: Problem,
        blocks: list[Block],
        solve_block: BlockSolver,
        pool: ColumnPool,
        run: RunContext,
        *,
        stats: StreetStatistics | None = None,
        parallel: bool = False,
        reserve: Callable[[], float] | None = None,
        on_improve: Callable[[float], None] | None = None,
    ) -> None:
        self.problem, self.solve_block, self.pool, self.run = problem, solve_block, pool, run
        self.stats = stats if stats is not None else StreetStatistics(blocks=len(blocks))
        self.parallel, self.reserve, self.on_improve = parallel, reserve, on_improve
        self.queue = deque(street_pairs(problem, blocks))
        self.uses = {b.street: street_reach(problem, b) for b in blocks}
        self.best: list[Column] = []
        self.best_obj = 0.0

    def run_pairs(self, plan: list[Column], pair_time: float) -> tuple[list[Column], float]:
        """Re-solve pairs of streets of ``plan`` within ``pair_time`` (the run's units); the
        best plan and its objective."""
        self.best, self.best_obj = list(plan), plan_objective(self.problem, plan)
        if not self.queue:
            return self.best, self.best_obj
        start = time.monotonic()
        deterministic = self.run.deterministic
        allowed = int(pair_time // (PAIR_SECONDS * PAIR_WALL_PER_UNIT)) if deterministic else None
        steps = 0
        since_improved = 0  # pairs solved since the plan last changed
        while not self.run.stopped() and since_improved < len(self.queue):
            if allowed is not None and steps >= allowed:
                break
            left = pair_time - (time.monotonic() - start)
            if not deterministic and self.reserve is not None:
                left -= self.reserve()
            if allowed is None and left < MIN_BLOCK_SECONDS:
                break
            steps += 1
            limit = PAIR_SECONDS if deterministic else min(PAIR_SECONDS, left)
            parts = [self._cut(pair) for pair in self._next_pairs()]
            for (region, sub, _), jr in zip(parts, self._solve(parts, limit), strict=True):
                since_improved += 1
                if self._apply(region, sub, jr):
                    since_improved = 0
        return self.best, self.best_obj

    def _reach(self, pair: tuple[Block, Block]) -> tuple[set[int], set[int], set[int]]:
        """The streets, firms and resources a pair of streets touches."""
        (fa, ra), (fb, rb) = (self.uses[b.street] for b in pair)
        return {b.street for b in pair}, fa | fb, ra | rb

    def _independent(self, x: tuple[Block, Block], y: tuple[Block, Block]) -> bool:
        return all(not (u & v) for u, v in zip(self._reach(x), self._reach(y), strict=True))

    def _next_pairs(self) -> list[tuple[Block, Block]]:
        """The next pair in turn, and with ``parallel`` the next one independent of it; both
        go to the back of the queue."""
        chosen = [self.queue.popleft()]
        if self.parallel and _StreetInChild.available():
            other = next((q for q in self.queue if self._independent(chosen[0], q)), None)
            if other is not None:
                self.queue.remove(other)
                chosen.append(other)
        self.queue.extend(chosen)
        return chosen

    def _cut(self, pair: tuple[Block, Block]) -> tuple[set[int], SubProblem, list[Column]]:
        """A pair's communities, its sub-problem and its packages there (a warm start)."""
        region = {int(i) for b in pair for i in b.members}
        sub, warm, _ = cut_out(self.problem, self.best, region)
        return region, sub, warm

    def _solve(
        self, parts: list[tuple[set[int], SubProblem, list[Column]]], limit: float
    ) -> list[JointResult | None]:
        """Each pair's solve (None: no option left, or its child failed), the second in a
        forked child beside the first."""
        child = None
        if len(parts) == 2 and parts[1][1].problem.options:
            _, sub, warm = parts[1]
            child = _StreetInChild(self.solve_block, sub.problem, limit, [warm] if warm else [])
            self.stats.pairs_in_parallel += 1
        results: list[JointResult | None] = []
        for side, (_, sub, warm) in enumerate(parts):
            if side == 1:
                results.append(
                    None
                    if child is None
                    else child.result(timeout=1.5 * limit + 5.0, stop=self.run.stopped)
                )
            elif sub.problem.options:
                results.append(self.solve_block(sub.problem, limit, [warm] if warm else [], None))
            else:
                results.append(None)
        if child is not None and child.error is not None:
            self.stats.street_errors.append(child.error)
        return results

    def _apply(self, region: set[int], sub: SubProblem, jr: JointResult | None) -> bool:
        """Pool a pair's columns and keep its plan if the whole plan gets cheaper; whether it
        did. The other pair of a step shares nothing with this one, so its result (if kept)
        leaves this sub-problem as it was."""
        if jr is None:
            return False
        p = self.problem
        self.stats.pairs_resolved += 1
        for c in jr.pool:
            self.pool.add(sub.to_full(p, c))
        if jr.objective is None:
            return False
        cand = [c for c in self.best if not set(c.members) <= region]
        cand += [sub.to_full(p, c) for c in jr.columns]
        obj = plan_objective(p, cand)
        if obj >= self.best_obj - 1e-6:
            return False
        self.best, self.best_obj = cand, obj
        self.stats.pairs_improved += 1
        if self.on_improve is not None:
            self.on_improve(obj)
        else:
            self.run.report(obj, None, "pair of streets re-solved")
        return True
