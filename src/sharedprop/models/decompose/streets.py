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
   process: a street's solve is mostly single-threaded Python, so the second core was idle
   (77 CPU-seconds in a 61-s solve of 1,414 communities). Each of the two gets the time of
   both, and the firms both can use are split between them first (``_split_pair``): what the
   transportation LP gave each, the rest by size; a resource both can use goes to one of them.
2. **Recombination.** One set-partitioning master (CP-SAT) over every package the streets'
   column generation produced — plus each chosen package under every other firm that may run
   it — starts from the combined plan and lets the streets trade firms and resources. On a
   large pool it takes only the ``LP_RANKED_COLUMNS`` packages of least reduced cost in the
   pool's LP, and the combined plan's (``master.lp_ranked_columns``): at 1,414 communities
   CP-SAT improved the combined plan 1.4 % over all 78,692 packages and 4.7–5.6 % over the
   15,000 ranked ones in the same 18 s.
3. **Pairs of streets, in long runs.** A street's solve stops paying back after a few seconds
   (``STREET_SECONDS_CAP``), and so does the recombination (``RECOMBINATION_SECONDS_CAP``).
   The time beyond both caps goes to a large-neighbourhood search over pairs of streets that
   share firms (``_resolve_pairs``): both streets' packages are freed and the two are solved
   again as one problem, so firms move between them with new packages; with two workers a
   second pair that shares no street, firm or resource runs beside it in a forked child. At
   1,414 communities and 600 s this took the plan from 0.760 to 0.704 of the manual plan's
   public money; a 60-s solve is not affected (no cap binds).

A first version solved every street with all firms (a relaxation whose bounds add up to a
bound on the whole) and repaired the streets that no longer fitted; on generated instances the
firms' capacity is what the streets compete for, so most streets needed repair and the result
was worse (400 communities: 0.89 of the manual plan's public money against 0.85 in turn; with
the LP's guide 0.83; 1,414 communities: 0.80 in turn, 0.79 guided). No bound is claimed: the
streets in turn are a restriction of the problem.

When packages may cross streets there are no blocks and the caller solves the whole instance.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np

from sharedprop.models.bounds.background import BackgroundBound, end_child
from sharedprop.models.bounds.transport import CapacityRelaxation
from sharedprop.models.colgen.master import LP_RANKED_COLUMNS, solve_integer_master
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, ColumnPool, make_column, plan_objective
from sharedprop.models.core.problem import Problem
from sharedprop.models.core.result import JointResult
from sharedprop.models.decompose.regions import cut_out
from sharedprop.models.decompose.subproblem import SubProblem, sub_problem

# solve_block(sub_problem, time_limit, warm_plans, stop) -> JointResult on the sub-problem's
# indices; ``stop`` (or None: the caller's own) ends it early with its best plan.
BlockSolver = Callable[[Problem, float, list[list[Column]], Callable[[], bool] | None], JointResult]
ProgressFn = Callable[[float, float | None, float | None, str], None]

# Shares of the time limit: streets one after another, then the recombination.
SEQUENTIAL_SHARE = 0.7
MIN_BLOCK_SECONDS = 0.5
# A street's solve stops paying back after a few seconds, and the recombination too. Beyond
# these caps the time goes to re-solving pairs of streets (_resolve_pairs). 1,414 communities,
# 2 workers, one run each: streets combined at 19.0–19.4 M yuan with 2.2 s a street (60-s
# solves), 18.40 M with 5 s, 18.21 M with 10 s, 18.03 M with 44 s; whole 300-s solves with a
# cap of 3 / 5 / 10 s: 0.731 / 0.710 / 0.737 of the manual plan's public money.
STREET_SECONDS_CAP = 5.0
RECOMBINATION_SECONDS_CAP = 30.0
# Each re-solved pair of streets gets this much (work units with one worker).
PAIR_SECONDS = 5.0
# With one worker a pair's 5 units took 9.2–9.9 s on the wall clock (1,414 communities, pairs
# of about 75 communities, unloaded 2-core machine), so each pair is charged 1.9 s a unit.
PAIR_WALL_PER_UNIT = 1.9


def ranking_seconds(columns: int) -> float:
    """About how long the recombination's LP ranking takes on a pool of ``columns``: measured
    on the 1,414-community pool (2-core machine) 0.84 s at 20,000 columns, 2.0 s at 40,000 and
    4.8 s at 75,000, about n^1.3. The pairs of streets keep this much time free: their columns
    grew the pool to some 300,000 in a 600-s solve, whose ranking then overran the limit by
    14–26 s."""
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
    return sub_problem(p, block.members, options, capacity, max_packages, free_resources)


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
    *,
    time_limit: float,
    workers: int,
    seed: int,
    warm: list[list[Column]] = (),  # type: ignore[assignment]
    progress: ProgressFn | None = None,
    elapsed: Callable[[], float],
    stop: Callable[[], bool] | None = None,
    guide: CapacityRelaxation | None = None,
) -> JointResult:
    """Streets in turn, pairs of streets (long runs), recombination (module docstring).

    ``elapsed`` is the caller's clock. With one worker the shares are fixed in advance (work,
    not wall time), so the run repeats exactly.
    """
    p = problem
    deterministic = workers == 1
    stop = stop or (lambda: False)
    say = progress or (lambda *a: None)
    n_total = max(1, sum(len(b.members) for b in blocks))
    full_cap = p.firm_capacity.astype(np.int64)
    full_max = p.firm_max_packages.astype(np.int64)
    stats: dict = {"blocks": len(blocks)}
    pool = ColumnPool(p)
    by_hub: dict[int, list[int]] = {}
    for j, o in enumerate(p.options):
        by_hub.setdefault(o.hub, []).append(j)
    for plan in warm:
        for c in plan:
            pool.add(c)

    def budget(share: float) -> float:
        share = min(share, STREET_SECONDS_CAP)
        if deterministic:
            return max(MIN_BLOCK_SECONDS, share)
        return max(MIN_BLOCK_SECONDS, min(share, time_limit - elapsed()))

    # Streets with the least firm capacity within reach per household go first: they have the
    # fewest alternatives, so they must not be left with what the others did not want.
    def scarcity(block: Block) -> float:
        firms, _ = street_reach(p, block)
        reach = float(sum(full_cap[f] for f in firms))
        return reach / max(1.0, float(p.weight[block.members].sum()))

    order = sorted(blocks, key=lambda b: (scarcity(b), b.street))
    capacity, max_packages = full_cap.copy(), full_max.copy()
    # With the transportation LP's firm shares, each street may use what the LP gave it, its
    # share of the capacity the LP left idle and half a package of rounding room — so the
    # first streets cannot take the firms that later streets have no substitute for.
    allowance: dict[int, np.ndarray] = {}
    given: dict[int, np.ndarray] = {}
    if guide is not None:
        q = np.minimum(full_cap, p.package_max_weight or np.iinfo(np.int64).max)
        given = {b.street: guide.firm_households(p.weight, b.members, p.m) for b in blocks}
        idle = np.maximum(0.0, full_cap - sum(given.values()))
        for b in blocks:
            extra = idle * len(b.members) / n_total + 0.5 * q
            allowance[b.street] = np.ceil(given[b.street] + extra).astype(np.int64)
    used = np.zeros(p.k, dtype=bool)
    final: list[Column] = []
    statuses: list[str] = []
    failed = False
    # With two or more workers two streets run at once, one in a forked child on the second
    # core: the street solves are mostly single-threaded Python (measured: 77 CPU-s in a 61-s
    # solve at 1,414 communities), so each pair gets the time of both streets.
    paired = not deterministic and workers >= 2 and _StreetInChild.available()
    stats["streets_in_pairs"] = paired
    done = 0
    k = 0
    streets_spent = 0.0  # the streets' budgets (what a deterministic run is charged)
    while k < len(order):
        pair = order[k : k + 2] if paired else order[k : k + 1]
        k += len(pair)
        n_pair = sum(len(b.members) for b in pair)
        share = SEQUENTIAL_SHARE * time_limit * n_pair / n_total
        streets_spent += budget(share)
        limits = [
            capacity if guide is None else np.minimum(capacity, allowance[b.street]) for b in pair
        ]
        if len(pair) == 2:
            parts = _split_pair(
                p, pair, limits, capacity, max_packages, ~used, given if guide is not None else None
            )
        else:
            parts = [restrict(p, pair[0], limits[0], max_packages, ~used)]
        warms = [[w for w in (_fitting(part, plan) for plan in warm) if w] for part in parts]
        limit = budget(share)
        child = None
        if len(pair) == 2 and not stop() and _StreetInChild.available():
            child = _StreetInChild(solve_block, parts[1].problem, limit, warms[1])
        results: list[JointResult] = []
        for side, part in enumerate(parts):
            if side == 1 and child is not None:
                # Asked to stop, the child hands in its best plan; one that overruns this much
                # (generous) leaves its street uncovered.
                results.append(child.result(timeout=1.5 * limit + 5.0, stop=stop))
                if child.error is not None:
                    stats.setdefault("street_errors", []).append(child.error)
            elif stop():
                results.append(JointResult("unknown", [], None, None))
            else:  # in this process (the second of a pair too, if it could not fork)
                results.append(solve_block(part.problem, budget(share), warms[side], None))
        for block, part, jr in zip(pair, parts, results, strict=True):
            done += 1
            if jr.objective is None:
                failed = failed or bool(np.any(p.must_cover[block.members]))
                statuses.append(jr.status)
                continue  # the whole street is left to the street office
            # Map the street's pool once; its plan's packages are mostly in it (not those that
            # region search built on a sub-problem of its own).
            mapped = dict((c.key, part.to_full(p, c)) for c in jr.pool)
            for c in mapped.values():
                pool.add(c)
            missing = [c for c in jr.columns if c.key not in mapped]
            mapped.update((c.key, part.to_full(p, c)) for c in missing)
            cols = [mapped[c.key] for c in jr.columns]
            for c in cols:
                for v in _firm_variants(p, by_hub, c):
                    pool.add(v)
            _take(p, cols, capacity, max_packages, used)
            final += cols
            obj = plan_objective(part.problem, jr.columns)
            statuses.append(jr.status)
            say(
                elapsed(),
                None,
                None,
                f"street {done} of {len(blocks)} done: {len(block.members)} communities, "
                f"{obj:,.0f} yuan",
            )
    objective = None if failed else plan_objective(p, final)
    if objective is not None:
        say(elapsed(), objective, None, "streets combined")

    # Time the capped streets left over (long runs) goes to re-solving pairs of streets that
    # share firms, before the recombination's own (capped) share.
    recombination = min(time_limit * (1 - SEQUENTIAL_SHARE), RECOMBINATION_SECONDS_CAP)
    if objective is not None and not stop():
        pair_time = (
            time_limit - streets_spent - recombination
            if deterministic
            else time_limit - elapsed() - recombination
        )
        if pair_time >= PAIR_SECONDS:
            final, objective, pair_stats = _resolve_pairs(
                p,
                blocks,
                final,
                solve_block,
                pool,
                pair_time=pair_time,
                deterministic=deterministic,
                stop=stop,
                reserve=lambda: ranking_seconds(len(pool)),
                on_improve=lambda obj: say(elapsed(), obj, None, "pair of streets re-solved"),
                parallel=paired,
            )
            stats.update(pair_stats)

    # Recombination: one set-partitioning master over every street's packages (and each street
    # plan's packages under every other firm) lets the streets trade firms and resources.
    left = recombination if deterministic else (time_limit - elapsed())
    stats["pool"] = len(pool)
    if left > 0.2 and not stop():
        hint = None if objective is None else [pool.index_of(c) for c in final]
        hint = [h for h in hint if h is not None] if hint else None
        if not deterministic:
            left = time_limit - elapsed()
        # CP-SAT does better on the columns the pool's LP prices cheapest (LP_RANKED_COLUMNS).
        sol = solve_integer_master(
            pool,
            time_limit=max(0.2, left),
            workers=workers,
            seed=seed,
            hint=hint,
            stop=stop,
            clock=Clock(deterministic=True) if deterministic else None,
            rank=LP_RANKED_COLUMNS,
        )
        stats["recombined_columns"] = sol.ranked_columns or len(pool)
        if sol.objective is not None and (objective is None or sol.objective < objective - 1e-6):
            final = [pool.columns[j] for j in sol.chosen]
            objective = sol.objective
            say(elapsed(), objective, None, "streets recombined")
    if objective is None:
        return JointResult("unknown", [], None, None, stats=stats)

    # Each street was solved with what the streets before it left, a restriction of the whole
    # problem, so the streets' bounds do not add up to a bound on it: none is claimed.
    stats["block_status"] = statuses
    say(elapsed(), objective, None, "done")
    return JointResult("feasible", final, objective, None, [], elapsed(), stats)


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


def _resolve_pairs(
    problem: Problem,
    blocks: list[Block],
    plan: list[Column],
    solve_block: BlockSolver,
    pool: ColumnPool,
    *,
    pair_time: float,
    deterministic: bool,
    stop: Callable[[], bool],
    on_improve: Callable[[float], None],
    parallel: bool = False,
    reserve: Callable[[], float] = lambda: 0.0,
) -> tuple[list[Column], float, dict]:
    """Large-neighbourhood search over pairs of streets that share firms.

    The streets were solved in turn, each with the firm capacity the others left, and the
    recombination can only trade the packages they produced. Here two streets at a time are
    freed together — their packages dropped, what those used given back — and solved again as
    one problem (the joint model, warm-started by their packages), so that firms move between
    them with newly built packages. Packages outside stay, so every rule still holds; a pair's
    new plan is kept when the whole plan's objective drops. Every column the solve built joins
    ``pool`` for the recombination. The pairs go round in order until the time is up or every
    pair has been solved once since the plan last changed. With one worker the number of pairs
    is fixed in advance (``pair_time`` over a pair's calibrated cost), so the run repeats.

    ``parallel``: a second pair that shares no street, firm or resource with the first is
    solved at the same time in a forked child (:class:`_StreetInChild`). Neither pair can then
    change what the other may use, so both results apply. ``reserve()``: seconds to leave free
    at the end besides (the recombination's ranking of the growing pool; not with one worker).
    """

    p = problem
    best, best_obj = list(plan), plan_objective(problem, plan)
    queue = deque(street_pairs(p, blocks))
    stats = {"pairs_resolved": 0, "pairs_improved": 0, "pairs_in_parallel": 0}
    if not queue:
        return best, best_obj, stats
    uses = {b.street: street_reach(p, b) for b in blocks}

    def reach(pair: tuple[Block, Block]) -> tuple[set[int], set[int], set[int]]:
        (fa, ra), (fb, rb) = (uses[b.street] for b in pair)
        return {b.street for b in pair}, fa | fb, ra | rb

    def independent(x: tuple[Block, Block], y: tuple[Block, Block]) -> bool:
        return all(not (u & v) for u, v in zip(reach(x), reach(y), strict=True))

    def part(pair: tuple[Block, Block]) -> tuple[set[int], SubProblem, list[Column]]:
        region = {int(i) for b in pair for i in b.members}
        sub, warm, _ = cut_out(p, best, region)
        return region, sub, warm

    start = time.monotonic()
    allowed = int(pair_time // (PAIR_SECONDS * PAIR_WALL_PER_UNIT)) if deterministic else None
    steps = 0
    since_improved = 0  # pairs solved since the plan last changed
    while not stop() and since_improved < len(queue):
        if allowed is not None and steps >= allowed:
            break
        left = pair_time - (time.monotonic() - start) - (0.0 if deterministic else reserve())
        if allowed is None and left < MIN_BLOCK_SECONDS:
            break
        steps += 1
        chosen = [queue.popleft()]
        if parallel and _StreetInChild.available():
            other = next((q for q in queue if independent(chosen[0], q)), None)
            if other is not None:
                queue.remove(other)
                chosen.append(other)
        queue.extend(chosen)
        parts = [part(pair) for pair in chosen]
        limit = PAIR_SECONDS if deterministic else min(PAIR_SECONDS, left)
        child = None
        if len(parts) == 2 and parts[1][1].problem.options:
            _, sub, warm = parts[1]
            child = _StreetInChild(solve_block, sub.problem, limit, [warm] if warm else [])
            stats["pairs_in_parallel"] += 1
        results: list[JointResult | None] = []
        for side, (_, sub, warm) in enumerate(parts):
            if side == 1:
                results.append(
                    None if child is None else child.result(timeout=1.5 * limit + 5.0, stop=stop)
                )
            elif sub.problem.options:
                results.append(solve_block(sub.problem, limit, [warm] if warm else [], None))
            else:
                results.append(None)
        if child is not None and child.error is not None:
            stats.setdefault("street_errors", []).append(child.error)
        for (region, sub, _), jr in zip(parts, results, strict=True):
            since_improved += 1
            if jr is None:  # no option left in the pair, or its child failed
                continue
            stats["pairs_resolved"] += 1
            for c in jr.pool:
                pool.add(sub.to_full(p, c))
            if jr.objective is None:
                continue
            # The other pair of this step shares nothing with this one, so its result (if
            # kept) leaves this sub-problem as it was.
            cand = [c for c in best if not set(c.members) <= region]
            cand += [sub.to_full(p, c) for c in jr.columns]
            obj = plan_objective(p, cand)
            if obj < best_obj - 1e-6:
                best, best_obj = cand, obj
                stats["pairs_improved"] += 1
                since_improved = 0
                on_improve(obj)
    return best, best_obj, stats
