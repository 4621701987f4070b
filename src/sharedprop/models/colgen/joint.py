"""The joint model: packages, firms and resources decided together by column generation.

Formulation (set partitioning over packages; see ``docs/formulation.md``): a column is a whole
package (firm, hub, members, resources) with its exact objective, so the nonlinear subsidy
``max(0, (1+m)·cost − revenue)`` is carried exactly. The LP master (GLOP) gives duals; pricing
(:mod:`sharedprop.models.colgen.pricing`) finds packages with negative reduced cost. The best
proven lower bound is the Lagrangian (Lasdon / Farley) bound

    LB = z_LP + Σ_g κ_g · min(0, min_{o ∈ g} lb_rc(o))

where g groups options that can be used at most κ_g times together (all options with hub h:
κ = 1, since h is in at most one package; options with a non-member site: the firm's
max_packages), and lb_rc(o) is a proven lower bound on option o's reduced costs (exact pricing
when time allows, the knapsack relaxation otherwise). When pricing finds nothing negative,
LB = z_LP. Plans come from the integer master over the pool (CP-SAT, price-and-branch), warm
started from any plan the caller gives (manual plan, two-stage plan).

:class:`JointSearch` runs the phases in passes: column generation (the bound), the caller's gap
closing, enumeration of every package within the gap (the proof), local search (plans). When
the local search settles early, the time left goes back to the bound (more cuts).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from sharedprop.models.colgen.enumeration import enumerate_option
from sharedprop.models.colgen.exact_round import ExactRoundSettings, exact_round
from sharedprop.models.colgen.hub_matching import HubMatching
from sharedprop.models.colgen.limits import EnumerationLimit
from sharedprop.models.colgen.master import (
    LPFailure,
    LPMaster,
    solve_integer_master,
    solve_integer_master_mip,
)
from sharedprop.models.colgen.neighbourhood import NeighbourhoodBuilder
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.colgen.package_table import WITHIN_SECONDS_PER_PACKAGE, PackageTable
from sharedprop.models.colgen.pricing import greedy_price
from sharedprop.models.colgen.reduced_cost import EPS, PricingCache
from sharedprop.models.colgen.tree.branch_and_price import (
    BranchAndPrice,
    TreeSettings,
)
from sharedprop.models.colgen.tree.node_pricing import PricingSettings
from sharedprop.models.core.clock import Clock, safety_limit
from sharedprop.models.core.columns import Column, ColumnPool, make_column, plan_objective
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem, is_connected
from sharedprop.models.core.result import JointResult

ProgressFn = Callable[[float, float | None, float | None, str], None]
CloseGapFn = Callable[
    [list[np.ndarray], list[Column], float, float], tuple[list[Column] | None, float | None]
]
# Up to this many options the connected packages of the small ones are enumerated once and
# priced by table (models/colgen/package_table.py); beyond, building the table costs more than
# it saves (docs/decisions.md, 2026-11-27).
TABLE_MAX_OPTIONS = 400
# A one-worker clock's costs of the proof by enumeration, per package (measured in a region
# search, halved as WITHIN_SECONDS_PER_PACKAGE is: docs/decisions.md, 2026-11-28): adding one
# to the pool and the LP, a reduced cost over the pool, and all in (costed, pooled, priced and
# solved over by SCIP), which caps how many packages a proof may enumerate in the time left.
POOL_SECONDS_PER_PACKAGE = 3e-5
REDUCED_COST_SECONDS = 1.6e-5
ENUMERATED_SECONDS_PER_PACKAGE = 2.5e-4
# ... and of the set-up, per option and per edge of the options' local graphs (the LP with a
# column per option, the candidates and their edges laid flat; docs/decisions.md, 2026-11-28).
SETUP_SECONDS_PER_OPTION = 2.5e-5
SETUP_SECONDS_PER_EDGE = 3.5e-7
# Beyond this many columns in the pool the integer master runs on the columns of least LP
# reduced cost only (master.lp_ranked_columns), as the streets' recombination does: a large
# pool's master does better on them (docs/decisions.md, 2026-11-27).
RANKED_MASTER_COLUMNS = 6_000
# Before the local search, the packages of least reduced cost at the last duals (negative or
# not, at most 25 an option) join the pool from the table, so the integer master can combine
# packages column generation never needed (docs/decisions.md, 2026-11-27).
TABLE_POOL = 2000
# Not in short solves (regions, the streets of the street-by-street strategy: a second or so
# each), where it made the plans worse (docs/decisions.md, 2026-11-27).
TABLE_POOL_MIN_SECONDS = 10.0
SMOOTHING = 0.5  # weight of the stability centre in the smoothed duals (Wentges 1997)
MASTER_EVERY_ROUNDS = 8  # column generation solves an integer master this often
FIRST_CUT_TAIL = 0.02  # the first pass cuts while a round closes ≥ 2 % of the gap left
# The branch-and-price tree leaves at least this much of the time left to the local search.
TREE_RESERVE_SECONDS = 2.0
TREE_RESERVE_SHARE = 0.05


def _groups(problem: Problem) -> tuple[list[int], list[int]]:
    """Group id per option and κ per group (see module docstring)."""
    gid: dict[tuple[str, int], int] = {}
    group_of, kappa = [], []
    for opt in problem.options:
        key = ("hub", opt.hub) if opt.hub >= 0 else ("firm", opt.firm)
        if key not in gid:
            gid[key] = len(kappa)
            kappa.append(
                1 if opt.hub >= 0 else int(min(problem.firm_max_packages[opt.firm], problem.n))
            )
        group_of.append(gid[key])
    return group_of, kappa


def lagrangian_bound(
    lp_value: float, option_lb: np.ndarray, group_of: list[int], kappa: list[int]
) -> float:
    worst = np.zeros(len(kappa))
    np.minimum.at(worst, np.asarray(group_of, dtype=np.int64), np.minimum(option_lb, 0.0))
    return lp_value + float(np.dot(worst, kappa))


def is_valid_column(problem: Problem, col: Column) -> bool:
    """A column obeys every package-level rule (firm-level rules belong to the master)."""
    opt = problem.options[col.option]
    if not col.members:
        return False
    if opt.hub >= 0 and opt.hub not in col.members:
        return False
    cand = set(int(c) for c in opt.candidates)
    if any(i not in cand for i in col.members):
        return False
    if any(r not in set(int(x) for x in opt.resources) for r in col.resources):
        return False
    w = col.weight
    if problem.package_max_weight is not None and w > problem.package_max_weight:
        return False
    if w < problem.package_min_weight or w > problem.firm_capacity[opt.firm]:
        return False
    return is_connected(problem.adjacency, col.members)


def respects_master_rules(p: Problem, cols: list[Column]) -> bool:
    """Firm capacity, max packages, one package per community and resource, must-cover and
    the coverage floor."""
    seen = np.zeros(p.n, dtype=bool)
    res_seen: set[int] = set()
    hh = np.zeros(p.m, dtype=np.int64)
    cnt = np.zeros(p.m, dtype=np.int64)
    for c in cols:
        mem = list(c.members)
        if seen[mem].any():
            return False
        seen[mem] = True
        if res_seen.intersection(c.resources):
            return False
        res_seen.update(c.resources)
        f = p.options[c.option].firm
        hh[f] += c.weight
        cnt[f] += 1
    return bool(
        np.all(hh <= p.firm_capacity)
        and np.all(cnt <= p.firm_max_packages)
        and np.all(seen[p.must_cover])
        and int(p.weight[seen].sum()) >= p.min_covered_weight
    )


@dataclass(frozen=True)
class JointParams:
    """The joint search's settings.

    Parameters
    ----------
    time_limit
        Seconds (work units on a deterministic clock) for the whole search, at least 0.
    workers
        CP-SAT workers of the integer masters and threads of the exact pricing, at least 1.
    seed
        Seed of the random choices and of CP-SAT, at least 0.
    deterministic
        Measure time in work units, so a run repeats exactly (None: with one worker).
    exact_pricing
        Price exactly (CP-SAT) when the heuristics find nothing: what proves the LP bound.
    master_share
        Share of the limit kept from the first column generation pass for the plans, in
        [0, 1] (None: 0.35 up to 400 options, 0.6 beyond).
    use_cuts
        Add subset-row cuts once pricing is complete.
    enumerate_gap
        Prove optimality by enumerating every package within the gap.
    enumeration_limit
        At most this many packages in that proof, at least 0.
    close_gap
        ``close_gap(starts, incumbent, ub, seconds)``, run once after the first column
        generation pass with the community duals met so far (``starts``): a plan (or None)
        and a valid lower bound (or None), e.g. :mod:`sharedprop.models.colgen.knapsack_closing`.
    package_table
        Price the options with few candidates by table
        (:mod:`sharedprop.models.colgen.package_table`, models of at most
        ``TABLE_MAX_OPTIONS`` options).
    table_pool
        How many of the table's nearest packages join the pool before the local search
        (solves of ``TABLE_POOL_MIN_SECONDS`` or more; 0: none), at least 0.
    hub_matching
        Tighten the bound each round with
        :class:`sharedprop.models.colgen.hub_matching.HubMatching`.
    branch_and_price
        When enumeration has not closed the gap, search the branch-and-price tree
        (:mod:`sharedprop.models.colgen.tree.branch_and_price`) for the time left: its
        global bound is the search's bound, its nodes give plans.
    tree
        The tree's settings (:class:`sharedprop.models.colgen.tree.branch_and_price.TreeSettings`;
        None: the defaults, with the pricing on ``workers`` threads).
    """

    time_limit: float
    workers: int = 2
    seed: int = 0
    deterministic: bool | None = None
    exact_pricing: bool = True
    master_share: float | None = None
    use_cuts: bool = True
    enumerate_gap: bool = True
    enumeration_limit: int = 60_000
    close_gap: CloseGapFn | None = None
    package_table: bool = True
    table_pool: int = TABLE_POOL
    hub_matching: bool = True
    branch_and_price: bool = False
    tree: TreeSettings | None = None

    def __post_init__(self) -> None:
        _require(
            isinstance(self.time_limit, numbers.Real)
            and math.isfinite(self.time_limit)
            and self.time_limit >= 0,
            "time_limit",
            self.time_limit,
            "a finite number of seconds ≥ 0",
        )
        _require(_is_int(self.workers) and self.workers >= 1, "workers", self.workers, "≥ 1")
        _require(_is_int(self.seed) and self.seed >= 0, "seed", self.seed, "an integer ≥ 0")
        _require(
            self.master_share is None or 0.0 <= self.master_share <= 1.0,
            "master_share",
            self.master_share,
            "None or in [0, 1]",
        )
        for name in ("enumeration_limit", "table_pool"):
            value = getattr(self, name)
            _require(_is_int(value) and value >= 0, name, value, "an integer ≥ 0")
        _require(
            self.close_gap is None or callable(self.close_gap),
            "close_gap",
            self.close_gap,
            "None or callable",
        )

    @property
    def on_work_clock(self) -> bool:
        """Whether the search counts work units (repeatable) instead of wall seconds."""
        return self.workers == 1 if self.deterministic is None else self.deterministic


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _require(ok: bool, name: str, value: object, what: str) -> None:
    if not ok:
        raise ValueError(f"JointParams.{name} must be {what}, not {value!r}")


@dataclass
class JointStatistics:
    """What the search counts as it goes; :meth:`as_dict` is ``JointResult.stats``."""

    options: int
    rounds: int = 0  # column generation rounds
    exact_calls: int = 0  # options priced exactly
    columns: int = 0  # the pool's size when column generation last ended
    table_options: int | None = None  # None: no package table built
    table_packages: int | None = None
    cuts: int | None = None  # subset-row cuts (None: pricing was never complete)
    ranked_masters: int = 0  # integer masters run on the LP's cheapest columns only
    lp_failure: bool = False
    converged: bool = False
    cg_done_s: float | None = None  # when column generation last ended
    root_converged_s: float | None = None  # when pricing first proved the LP complete
    lp_value: float | None = None
    enumeration: str | None = None  # how the proof by enumeration ended (None: not tried)
    enumeration_done_s: float | None = None
    table_pool: int | None = None  # packages the table added before the local search
    ls_rounds: int = 0  # integer masters of the local search
    passes: int = 1
    work: float = 0.0  # the clock's reading at the end
    tree: dict | None = None  # the branch-and-price tree's statistics (None: no tree)

    def as_dict(self) -> dict:
        """The statistics under the keys callers read (a key only once its step has run)."""
        out: dict = {
            "rounds": self.rounds,
            "exact_calls": self.exact_calls,
            "columns": self.columns,
            "options": self.options,
        }
        optional = {
            "table_options": self.table_options,
            "table_packages": self.table_packages,
            "cuts": self.cuts,
            "ranked_masters": self.ranked_masters or None,
            "lp_failure": self.lp_failure or None,
        }
        out |= {k: v for k, v in optional.items() if v is not None}
        out |= {"converged": self.converged, "cg_done_s": self.cg_done_s}
        if self.root_converged_s is not None:
            out["root_converged_s"] = self.root_converged_s
        out["lp_value"] = self.lp_value
        later = {
            "enumeration": self.enumeration,
            "enumeration_done_s": self.enumeration_done_s,
            "table_pool": self.table_pool,
            "ls_rounds": self.ls_rounds or None,
            "passes": self.passes if self.passes > 1 else None,
        }
        out |= {k: v for k, v in later.items() if v is not None}
        out |= self.tree or {}
        out["work"] = self.work
        return out


@dataclass
class Incumbent:
    """The best plan so far."""

    objective: float | None = None
    columns: list[Column] = field(default_factory=list)
    hint: list[int] = field(default_factory=list)  # its columns' indices in the pool
    found_at: float | None = None  # on the search's clock

    def beaten_by(self, objective: float, tolerance: float = 1e-6) -> bool:
        return self.objective is None or objective < self.objective - tolerance


@dataclass(frozen=True)
class ConvergedLP:
    """The LP of a column generation pass that priced out completely with no cut to add."""

    value: float
    duals: Duals


class JointSearch:
    """Column generation, gap closing, enumeration and local search over one problem.

    Parameters
    ----------
    problem
        The array-level problem.
    params
        The settings (:class:`JointParams`).
    on_progress
        Called ``(seconds, objective, bound, message)`` whenever the plan or the bound
        improves.
    stop
        Polled often; True ends the search with what it has.
    """

    def __init__(
        self,
        problem: Problem,
        params: JointParams,
        *,
        on_progress: ProgressFn | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self.problem = problem
        self.params = params
        self.on_progress = on_progress
        self._user_stop = stop
        self.clock = Clock(deterministic=params.on_work_clock)
        self.rng = np.random.default_rng(params.seed)
        self.lp = LPMaster(problem)
        self.pool = ColumnPool(problem, on_new=self.lp.add)
        self.cache = PricingCache(problem)
        self.flat = FlatOptions(problem)
        self.neighbours = NeighbourhoodBuilder(problem)
        self.group_of, self.kappa = _groups(problem)
        self.table: PackageTable | None = None
        self.all_tabled = False  # the table prices every option exactly
        self.charged_scans = 0.0  # the table's scans charged to the clock so far
        self.matching: HubMatching | None = None
        self.incumbent = Incumbent()
        self.best_bound = -np.inf
        self.trace: list[tuple[float, float | None, float | None, str]] = []
        self.stats = JointStatistics(options=len(problem.options))
        self.max_new = max(30, problem.n)  # columns added per round at most
        # Column generation's state, per pass: its deadline, where it stands, and the
        # stability centre of the dual smoothing.
        self.cg_deadline = 0.0
        self.lp_value: float | None = None
        self.last_duals: Duals | None = None
        self.centre: Duals | None = None
        self.converged = False
        self.final: ConvergedLP | None = None
        self.prev_complete: float | None = None  # the last complete round's LP value
        self.proven_cuts: int | None = None  # cuts of the LP the pricing last proved
        self.cut_tail = FIRST_CUT_TAIL
        self.last_master = -1  # the round of the last integer master
        self.gap_closed = False  # the caller's close_gap has run
        self.enumerated_at: float | None = None  # the LP value the proof last started from
        self.master_status = ""
        self.ran = False
        self.tree: BranchAndPrice | None = None

    # -- the phases -----------------------------------------------------------------------

    def run(self, initial: Iterable[list[Column]] = ()) -> JointResult:
        """Search from the plans ``initial`` (lists of columns) until the limit or a proof.

        Once per search: the clock, pool and bounds carry over, so a second run would not be
        the same search again (RuntimeError).
        """
        if self.ran:
            raise RuntimeError("JointSearch.run was called twice; make a new JointSearch")
        self.ran = True
        self._take_initial(initial)
        self._set_up()
        while True:
            self._generate_columns()
            self._close_gap()
            self._enumerate()
            self._branch_and_price()
            self._search_locally()
            if not self._another_pass():
                break
        return self._result()

    def _take_initial(self, initial: Iterable[list[Column]]) -> None:
        """Pool the given plans' valid columns (the best plan that keeps the master's rules is
        the incumbent) and every single-community package, which keeps the LP honest."""
        p, inc = self.problem, self.incumbent
        for cols in initial:
            cols = [c for c in cols if is_valid_column(p, c)]
            idx = []
            for c in cols:
                self.pool.offer(c)
                idx.append(self.pool.index_of(c))
            obj = plan_objective(p, cols)
            if respects_master_rules(p, cols) and inc.beaten_by(obj, 1e-9):
                self._set_incumbent(obj, list(cols), [int(j) for j in idx])
        for o, opt in enumerate(p.options):
            if opt.hub >= 0:
                single = make_column(p, o, (opt.hub,))
                # A package no plan may hold (too few households, too many for its firm) would
                # only let the LP cover a fraction of what no whole plan covers.
                if is_valid_column(p, single):
                    self.pool.offer(single)
        if inc.objective is not None:
            self._report("initial plan")

    def _set_up(self) -> None:
        """Charge the set-up, build the package table and the hub matching, and set the first
        pass's deadline."""
        p, params = self.problem, self.params
        self.clock.charge(
            SETUP_SECONDS_PER_OPTION * len(p.options)
            + SETUP_SECONDS_PER_EDGE * len(self.flat.edge_u)
        )
        self.table = self._build_table()
        self.all_tabled = self.table is not None and bool(self.table.covered.all())
        # hub_matching=False: no hub-matching bound (region search's small solves, where its
        # LP each round cost more time than the proofs it brought forward; docs/formulation.md).
        self.matching = HubMatching(p, self.clock) if params.hub_matching else None
        share = params.master_share
        if share is None:
            # Where column generation can converge (street-sized option sets) the bound
            # deserves most of the time; beyond that the plan does (benchmarks/README.md).
            share = 0.35 if len(p.options) <= 400 else 0.6
        self.cg_deadline = params.time_limit * (1.0 - share)

    def _build_table(self) -> PackageTable | None:
        p = self.problem
        if not (
            self.params.package_table
            and p.adjacency is not None
            and 0 < len(p.options) <= TABLE_MAX_OPTIONS
        ):
            return None
        # The build may take a tenth of the limit (about 20 ns a set visited): a street of the
        # street-by-street strategy, solved in a second, must not spend it enumerating.
        table = PackageTable(p, self.cache, max_work=int(0.1 * self.params.time_limit / 2e-8))
        self.clock.charge(0.01 + 2e-8 * table.enumerated + 2e-7 * len(table))
        self.stats.table_options, self.stats.table_packages = len(table.options), len(table)
        return table if len(table.options) else None

    def _generate_columns(self) -> None:
        """Column generation rounds until the pass's deadline, convergence or a stall."""
        while self.clock.now() < self.cg_deadline and not self.stop():
            if not self._generation_round():
                break
        self.stats.converged = self.converged
        self.stats.cg_done_s = round(self.clock.now(), 2)
        self.stats.columns = len(self.pool)
        self.stats.lp_value = self.lp_value

    def _close_gap(self) -> None:
        """The caller's gap closing (``JointParams.close_gap``), once, after column
        generation, from the community duals met so far."""
        closer, inc = self.params.close_gap, self.incumbent
        if closer is None or self.gap_closed or inc.objective is None or self.last_duals is None:
            return
        self.gap_closed = True
        starts = [q.community for q in (self.centre, self.last_duals) if q is not None]
        seconds = self.params.time_limit - self.clock.now() - 0.5
        cols, bound = closer(starts, inc.columns, inc.objective, seconds)
        if cols and respects_master_rules(self.problem, cols):
            for c in cols:
                self.pool.offer(c)
            idx = [self.pool.index_of(c) for c in cols]
            obj = plan_objective(self.problem, cols)
            if inc.beaten_by(obj):
                self._set_incumbent(obj, list(cols), idx)
                self._report("plan from closing the gap")
        if bound is not None:
            self._raise_bound(bound, "bound from closing the gap")

    def _enumerate(self) -> None:
        """With the LP converged and a gap open, prove the incumbent optimal by enumerating
        every package within the gap (:mod:`sharedprop.models.colgen.enumeration`)."""
        inc = self.incumbent
        if (
            self.final is not None
            and inc.objective is not None
            and self.params.enumerate_gap
            and not self._gap_is_closed()
            and not self.stop()
        ):
            self.enumerated_at = self.final.value
            if self._prove_by_enumeration(self.final) and inc.objective is not None:
                self.best_bound = inc.objective
                self._report("optimal: every package within the gap enumerated")

    def _branch_and_price(self) -> None:
        """With the gap still open once pricing has proven an LP, the branch-and-price tree
        (``JointParams.branch_and_price``) for its share of the time left (the local search
        takes the rest); a second call (another pass) goes on with the same tree."""
        params = self.params
        if (
            not params.branch_and_price
            or self._gap_is_closed()
            or self.stop()
            or self.stats.lp_failure
        ):
            return
        if self.tree is None and self.proven_cuts is None:
            # Its root would have to finish the column generation with the tree's pricing,
            # which took the time and left the bound lower (docs/decisions.md, 2026-12-07).
            return
        settings = params.tree or TreeSettings(pricing=PricingSettings(workers=params.workers))
        left = params.time_limit - self.clock.now()
        deadline = self.clock.now() + min(
            settings.time_share * left, left - min(TREE_RESERVE_SECONDS, TREE_RESERVE_SHARE * left)
        )
        if deadline - self.clock.now() < 0.5:
            return
        if self.tree is None:
            self.tree = BranchAndPrice(
                self.problem,
                self.pool,
                _TreeHooks(self),
                self.clock,
                settings,
                cache=self.cache,
                cuts=tuple(self.lp.cut_sets[: self.proven_cuts]),
                stop=self.stop,
            )
        # The column generation proved the LP over the pool and these cuts (the later ones
        # stay with the joint LP): the root need not price again.
        tree = self.tree.run(deadline, start_bound=self.best_bound, root_proven=True)
        self.stats.tree = tree.as_dict()
        if tree.finished and self.incumbent.objective is not None:
            self._raise_bound(self.incumbent.objective, "optimal: branch and price closed")

    def _offer_plan(self, columns: list[Column], source: str) -> bool:
        """A plan from elsewhere (the tree): the incumbent if it is cheaper; whether it keeps
        every rule."""
        p, inc = self.problem, self.incumbent
        if not all(is_valid_column(p, c) for c in columns):
            return False
        if not respects_master_rules(p, columns):
            return False
        for c in columns:
            self.pool.offer(c)
        obj = plan_objective(p, columns)
        if inc.beaten_by(obj):
            self._set_incumbent(obj, list(columns), [self.pool.index_of(c) for c in columns])
            self._report(source)
        return True

    def _search_locally(self) -> None:
        """Large-neighbourhood search: packages one move from the incumbent, recombined exactly
        by the master, until the time is up or the master proves nothing nearby is better."""
        self._pool_table_packages()
        wide = False
        while (remaining := self.params.time_limit - self.clock.now()) > 0.05 and not self.stop():
            if self._gap_is_closed():
                break
            before = self.incumbent.objective
            fresh = self._add_neighbours(second_order=wide)
            proven = self._solve_master(
                min(remaining, max(3.0, remaining / 3)), "integer master (local search)"
            )
            self.stats.ls_rounds += 1
            after = self.incumbent.objective
            improved = before is None or (after is not None and after < before - 1e-6)
            if fresh == 0 and (proven and wide or self.master_status == "infeasible"):
                # Nothing new to recombine: the same master would say the same again (an
                # infeasible pool without an incumbent gets no neighbours).
                break
            # Nothing better one move away: widen to two moves until something improves.
            wide = not improved

    def _another_pass(self) -> bool:
        """Whether time and work are left for another pass; if so, set it up: more column
        generation and cuts with most of the time left."""
        if self._gap_is_closed():
            return False
        remaining = self.params.time_limit - self.clock.now()
        if remaining < min(1.0, 0.1 * self.params.time_limit) or self.stop():
            return False
        if self.stats.lp_failure:
            return False
        if (
            self.converged
            and (
                self.final is None
                or self.enumerated_at == self.final.value
                or self.incumbent.objective is None
            )
            and self.cut_tail == 0.0
        ):
            # Nothing left to try: without a plan there is nothing to enumerate against and
            # no neighbourhood to search, and the converged LP prices out nothing new.
            return False
        self.converged, self.final = False, None
        self.cut_tail = 0.0
        self.prev_complete = None
        self.cg_deadline = self.clock.now() + 0.7 * remaining
        self.stats.passes += 1
        return True

    def _result(self) -> JointResult:
        # The work this solve did, in its clock's units: a caller on a deterministic clock
        # (region search) charges it, not the whole budget, so a region proven early leaves
        # time to others.
        self.stats.work = self.clock.now()
        inc, bound = self.incumbent, _finite(self.best_bound)
        if inc.objective is None:
            status = "unknown"
            if self.converged and self.lp.artificial_in_use():
                status = "infeasible"  # the LP over all packages cannot cover what must be
            stats = self.stats.as_dict()
            return JointResult(status, [], None, bound, self.trace, None, stats, self.pool.columns)
        gap_ok = bound is not None and inc.objective - bound <= _tolerance(inc.objective)
        if gap_ok:
            bound = inc.objective
        self._report("done")
        return JointResult(
            "optimal" if gap_ok else "feasible",
            inc.columns,
            inc.objective,
            bound,
            self.trace,
            inc.found_at,
            self.stats.as_dict(),
            self.pool.columns,
        )

    # -- column generation ----------------------------------------------------------------

    def _generation_round(self) -> bool:
        """One round: the LP, its bounds, heuristic pricing (at smoothed duals first), exact
        pricing when that finds nothing, and now and then an integer master. False ends the
        pass's column generation (an LP failure, convergence or a stall)."""
        self.stats.rounds += 1
        solved = self._solve_lp()
        if solved is None:
            return False
        lp_value, duals, values = solved
        relax = self._round_bound(lp_value, duals)
        added = self._price_heuristically(duals, relax)
        self.centre = duals if self.centre is None else self.centre.mix(duals, SMOOTHING)
        exact = self.params.exact_pricing or self.all_tabled
        if added == 0 and exact and self.clock.now() < self.cg_deadline:
            if self._price_exactly(lp_value, duals, values, relax):
                return False
        elif added == 0:
            return False
        self._master_now_and_then()
        return True

    def _solve_lp(self) -> tuple[float, Duals, np.ndarray] | None:
        try:
            self.clock.charge(0.002 + 1e-5 * len(self.pool))
            self.lp_value, duals, values = self.lp.solve()
        except LPFailure:
            self.stats.lp_failure = True  # no bound from here on; the master still finds plans
            return None
        self.last_duals = duals
        return self.lp_value, duals, values

    def _round_bound(self, lp_value: float, duals: Duals) -> np.ndarray:
        """The cheap valid bound every round (the knapsack relaxation of every option and the
        hub matching); returns the options' bounds."""
        relax = self._option_bounds(duals)
        lb = lp_value
        if self.problem.options:
            lb = lagrangian_bound(lp_value, relax, self.group_of, self.kappa)
        if self.matching is not None:
            lb = max(lb, self.matching.bound(lp_value, relax))
        self._raise_bound(lb, "bound")
        return relax

    def _option_bounds(self, duals: Duals) -> np.ndarray:
        """Each option's lower bound on its reduced costs at ``duals``: exact for the options of
        the package table (whose scan also leaves their packages' reduced costs in the table),
        the knapsack relaxation for the others."""
        self.clock.charge(0.002 + 1e-6 * len(self.flat.cand))
        out = self.flat.bounds(duals)
        if self.table is not None:
            out[self.table.options] = np.maximum(out[self.table.options], self.table.price(duals))
            self._charge_scans()
        return out

    def _charge_scans(self) -> None:
        """Charge the clock the table's scans since the last charge (PackageTable.work)."""
        if self.table is not None:
            self.clock.charge(self.table.work - self.charged_scans)
            self.charged_scans = self.table.work

    def _price_heuristically(self, duals: Duals, relax: np.ndarray) -> int:
        """Columns from the table and the greedy pricing; how many joined the pool.

        Dual smoothing (Wentges 1997; Pessoa et al. 2018): price at a point between the
        stability centre and the LP duals, which cuts the tail of column generation. When the
        smoothed point finds nothing, price at the LP duals themselves (no mispricing).
        """
        added = 0
        points = [duals] if self.centre is None else [self.centre.mix(duals, SMOOTHING), duals]
        for point in points:
            relax_pt = relax if point is duals else self._option_bounds(point)
            if point is not duals and self.matching is not None:
                lb_pt = self.matching.bound_at(point, relax_pt)
                self._raise_bound(lb_pt, "bound (smoothed duals)")
            if self.table is not None:
                cands = self.table.columns(point, self.max_new)
                skip = self.table.covered
            else:
                cands, skip = [], None
            cands += self._greedy_candidates(point, relax_pt, skip)
            cands.sort(key=lambda t: t[0])
            added = sum(self.pool.offer(c) for _, c in cands[: self.max_new])
            if added:
                break
        return added

    def _greedy_candidates(
        self, duals: Duals, relax: np.ndarray, skip: np.ndarray | None
    ) -> list[tuple[float, Column]]:
        """Greedy pricing, most promising options first (partial pricing: stop when there is
        plenty to add). Options marked in ``skip`` (priced exactly by the package table) are
        left out."""
        p, clock = self.problem, self.clock
        cands: list[tuple[float, Column]] = []
        for o in np.argsort(relax, kind="stable"):
            if relax[o] >= -EPS or len(cands) >= 3 * self.max_new:
                break
            if skip is not None and skip[o]:
                continue
            cands.extend(greedy_price(p, duals, int(o), self.cache, keep=2))
            clock.charge(3e-4)
            if self.stats.rounds % 3 == 0:  # a randomised pass now and then for diversity
                cands.extend(greedy_price(p, duals, int(o), self.cache, keep=1, rng=self.rng))
                clock.charge(3e-4)
            if clock.now() > self.cg_deadline or self.stop():
                break
        return cands

    def _price_exactly(
        self, lp_value: float, duals: Duals, values: np.ndarray, relax: np.ndarray
    ) -> bool:
        """Exact pricing of the options of negative bound (the table's are exact already) and
        the bound it proves; True when the LP has converged."""
        if self.all_tabled:  # the table priced every option exactly at these duals
            added, lb_exact, complete = 0, relax, True
        else:
            workers = self.params.workers
            result = exact_round(
                self.problem,
                duals,
                relax,
                self.cache,
                self.clock,
                deadline=self.cg_deadline,
                stop=self.stop,
                keep=self.pool.offer,
                enough=max(8, self.problem.n // 8),
                settings=ExactRoundSettings(
                    workers=workers,
                    batch=4 * workers,
                    per_call=2.0,
                    option_charge=0.004,
                    seed=self.params.seed,
                ),
                skip=None if self.table is None else self.table.covered,
            )
            self.stats.exact_calls += result.priced
            added, lb_exact, complete = result.kept, result.bounds, result.complete
        lb = lagrangian_bound(lp_value, lb_exact, self.group_of, self.kappa)
        if self.matching is not None:
            lb = max(lb, self.matching.bound(lp_value, lb_exact))
        self._raise_bound(lb, "bound (exact pricing)")
        if added == 0 and complete:
            return self._at_lp_optimum(lp_value, duals, values)
        return False

    def _at_lp_optimum(self, lp_value: float, duals: Duals, values: np.ndarray) -> bool:
        """Pricing is proven complete: the LP value is a bound, an integral LP optimum is the
        optimal plan, and cuts tighten the LP while they pay. True when no cut was added."""
        self.best_bound = max(self.best_bound, lp_value)
        # The LP with the cuts it has now is proven (cuts are only ever appended).
        self.proven_cuts = len(self.lp.cut_sets)
        if self.stats.root_converged_s is None:
            self.stats.root_converged_s = round(self.clock.now(), 2)
        lp_plan = _integral_plan(self.problem, self.lp, values)
        if lp_plan is not None:
            obj = plan_objective(self.problem, lp_plan)
            if self.incumbent.beaten_by(obj):
                self._set_incumbent(obj, lp_plan, [self.pool.index_of(c) for c in lp_plan])
                self._report("integral LP optimum")
        # Cut while cuts pay: stop once a round closes less than cut_tail of the gap left.
        best = self.incumbent.objective
        tailing = (
            self.prev_complete is not None
            and best is not None
            and lp_value - self.prev_complete < self.cut_tail * max(best - lp_value, 1e-9)
        )
        self.prev_complete = lp_value
        n_cuts = self.lp.separate_subset_rows(values) if self.params.use_cuts and not tailing else 0
        self.stats.cuts = (self.stats.cuts or 0) + n_cuts
        if n_cuts == 0:
            self.converged = True
            self.final = ConvergedLP(lp_value, duals)
            return True
        self._report(f"bound; {n_cuts} subset-row cuts added")
        return False

    def _master_now_and_then(self) -> None:
        """Every ``MASTER_EVERY_ROUNDS`` rounds, while a second is left: the integer master
        over the pool and the incumbent's neighbours."""
        rounds = self.stats.rounds
        if (
            rounds - self.last_master >= MASTER_EVERY_ROUNDS
            and self.clock.now() + 1 < self.cg_deadline
        ):
            self.last_master = rounds
            self._add_neighbours()
            self._solve_master(min(2.0, self.cg_deadline - self.clock.now()), "integer master")

    # -- the proof by enumeration ---------------------------------------------------------

    def _prove_by_enumeration(self, final: ConvergedLP) -> bool:
        """Enumerate every package with reduced cost ≤ UB − z_LP and solve the master over
        them. True when that master is proven optimal: then the incumbent is a proven optimum
        of the whole instance (see :mod:`sharedprop.models.colgen.enumeration`)."""
        assert self.incumbent.objective is not None
        gap = self.incumbent.objective - final.value
        if gap <= 0:
            return True
        deadline, clock = self.params.time_limit, self.clock
        # No more packages than the time left can cost, enumerate and prove over: a region's
        # second-long solve once spent 5 s making 60,000 packages it had no time to use.
        limit = min(
            self.params.enumeration_limit,
            int(max(0.0, deadline - clock.now()) / ENUMERATED_SECONDS_PER_PACKAGE),
        )
        if not self._enumerate_within(final.duals, gap, limit):
            return False
        self.stats.enumeration_done_s = round(clock.now(), 2)
        left = deadline - clock.now()
        if left <= 0.1:
            return False
        # Only packages within the gap can be in a better plan: the master needs no others.
        within = [
            j
            for j, c in enumerate(self.pool.columns)
            if final.duals.reduced_cost(self.problem, c) <= gap + 1e-6
        ]
        clock.charge(REDUCED_COST_SECONDS * len(self.pool.columns))
        return self._solve_master(
            left, "integer master (all packages within the gap)", columns=within, mip=True
        )

    def _enumerate_within(self, duals: Duals, gap: float, limit: int) -> bool:
        """Pool every package of reduced cost ≤ ``gap`` at ``duals`` (the table's options at
        once, by scan, the others option by option); False when the limit or the time ran
        out first. ``stats.enumeration`` says how it ended."""
        clock, table = self.clock, self.table
        bounds = self.flat.bounds(duals)
        found = 0
        if table is not None:
            cols = table.within(duals, gap, limit)
            self._charge_scans()  # a rescan, if the table was last priced at other duals
            clock.charge(0.01 + POOL_SECONDS_PER_PACKAGE * len(cols or ()))
            if cols is None:
                self.stats.enumeration = f"more than {limit} packages within the gap"
                return False
            found = len(cols)
            for c in cols:
                self.pool.offer(c)
        try:
            for o in np.argsort(bounds, kind="stable"):
                if bounds[o] > gap + 1e-6:
                    break
                if table is not None and table.covered[o]:
                    continue
                if clock.now() > self.params.time_limit - 1.0 or self.stop():
                    self.stats.enumeration = "out of time"
                    return False
                cols = enumerate_option(self.problem, duals, int(o), self.cache, gap, limit - found)
                clock.charge(
                    0.001 + (WITHIN_SECONDS_PER_PACKAGE + POOL_SECONDS_PER_PACKAGE) * len(cols)
                )
                found += len(cols)
                for c in cols:
                    self.pool.offer(c)
        except EnumerationLimit as exc:
            self.stats.enumeration = str(exc)
            return False
        self.stats.enumeration = f"{found} packages within the gap of {gap:,.2f}"
        return True

    # -- plans ----------------------------------------------------------------------------

    def _pool_table_packages(self) -> None:
        """Before the local search, the table's packages nearest to pricing out at the last
        duals join the pool (``JointParams.table_pool``)."""
        if not (
            self.params.table_pool
            and self.params.time_limit >= TABLE_POOL_MIN_SECONDS
            and self.table is not None
            and self.last_duals is not None
            and not self.stop()
        ):
            return
        near = self.table.columns(
            self.last_duals, self.params.table_pool, per_option=25, below=np.inf
        )
        fresh = sum(self.pool.offer(c) for _, c in near)
        self.clock.charge(0.005 + 2e-5 * len(near))
        self._charge_scans()  # a rescan, if the table was last priced at other duals
        self.stats.table_pool = (self.stats.table_pool or 0) + fresh

    def _add_neighbours(self, second_order: bool = False) -> int:
        """Packages one move from the incumbent; with ``second_order``, also two moves away
        from a random sample of those (a wider neighbourhood once the first is exhausted)."""
        if not self.incumbent.columns:
            return 0
        first = self.neighbours.around(self.incumbent.columns)
        self.clock.charge(2e-5 * len(first))
        fresh = sum(self.pool.offer(c) for c in first)
        if second_order and first:
            pick = self.rng.choice(len(first), size=min(120, len(first)), replace=False)
            for j in pick:
                more = self.neighbours.around([first[int(j)]])
                self.clock.charge(2e-5 * len(more))
                fresh += sum(self.pool.offer(c) for c in more)
        return fresh

    def _solve_master(
        self, limit: float, tag: str, columns: list[int] | None = None, mip: bool = False
    ) -> bool:
        """Solve the integer master over the pool (or ``columns`` of it); True if it proved
        its optimum over those columns. A pool above ``RANKED_MASTER_COLUMNS`` is cut to its
        LP-ranked columns first, so "proved" is over those; the same pool and incumbent rank
        the same way again, which is all the local search's stopping rule needs."""
        inc = self.incumbent
        if mip:
            sol = solve_integer_master_mip(
                self.pool,
                columns=columns,  # type: ignore[arg-type]
                time_limit=limit,
                hint=inc.hint or None,
                stop=self.stop,
                clock=self.clock,
            )
        else:
            sol = solve_integer_master(
                self.pool,
                time_limit=limit,
                workers=self.params.workers,
                seed=self.params.seed,
                hint=inc.hint or None,
                stop=self.stop,
                columns=columns,
                clock=self.clock,
                # a large pool's master does better on the LP's cheapest columns
                rank=RANKED_MASTER_COLUMNS,
            )
            if sol.ranked_columns is not None:
                self.stats.ranked_masters += 1
        if sol.objective is not None and inc.beaten_by(sol.objective):
            self._set_incumbent(
                sol.objective, [self.pool.columns[j] for j in sol.chosen], list(sol.chosen)
            )
            self._report(tag)
        self.master_status = sol.status
        return sol.status == "optimal"

    # -- bookkeeping ----------------------------------------------------------------------

    def stop(self) -> bool:
        """The caller's stop, or, on a work clock, the wall-clock safety net."""
        if self._user_stop is not None and self._user_stop():
            return True
        return self.clock.deterministic and self.clock.wall() > safety_limit(self.params.time_limit)

    def _set_incumbent(self, objective: float, columns: list[Column], hint: list[int]) -> None:
        self.incumbent.objective = objective
        self.incumbent.columns = columns
        self.incumbent.hint = hint
        self.incumbent.found_at = self.clock.now()

    def _raise_bound(self, bound: float, message: str) -> None:
        if bound > self.best_bound + 1e-9:
            self.best_bound = bound
            self._report(message)

    def _gap_is_closed(self) -> bool:
        obj = self.incumbent.objective
        return obj is not None and obj - self.best_bound <= _tolerance(obj)

    def _report(self, message: str) -> None:
        bound = _finite(self.best_bound)
        obj = self.incumbent.objective
        self.trace.append((self.clock.now(), obj, bound, message))
        if self.on_progress is not None:
            self.on_progress(self.clock.now(), obj, bound, message)


def solve_joint(
    problem: Problem,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    initial: Iterable[list[Column]] = (),
    on_progress: ProgressFn | None = None,
    stop: Callable[[], bool] | None = None,
    exact_pricing: bool = True,
    master_share: float | None = None,
    use_cuts: bool = True,
    enumerate_gap: bool = True,
    enumeration_limit: int = 60_000,
    close_gap: CloseGapFn | None = None,
    package_table: bool = True,
    table_pool: int = TABLE_POOL,
    hub_matching: bool = True,
    deterministic: bool | None = None,
    branch_and_price: bool = False,
    tree: TreeSettings | None = None,
) -> JointResult:
    """Column generation and the integer master within ``time_limit`` seconds.

    Parameters
    ----------
    problem
        The array-level problem.
    time_limit, workers, seed, exact_pricing, master_share, use_cuts, enumerate_gap,
    enumeration_limit, close_gap, package_table, table_pool, hub_matching, deterministic,
    branch_and_price, tree
        The settings of :class:`JointParams` (``deterministic=None``: a work clock with one
        worker, so a one-worker run repeats exactly).
    initial
        Plans (lists of columns) to start from; the best that keeps every rule is the first
        incumbent.
    on_progress
        Called ``(seconds, objective, bound, message)`` when the plan or the bound improves.
    stop
        Polled often; True ends the search with what it has.

    Returns
    -------
    JointResult
        The plan's columns, objective, bound, status, trace, statistics and the whole pool.
    """
    params = JointParams(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        exact_pricing=exact_pricing,
        master_share=master_share,
        use_cuts=use_cuts,
        enumerate_gap=enumerate_gap,
        enumeration_limit=enumeration_limit,
        close_gap=close_gap,
        package_table=package_table,
        table_pool=table_pool,
        hub_matching=hub_matching,
        branch_and_price=branch_and_price,
        tree=tree,
    )
    return JointSearch(problem, params, on_progress=on_progress, stop=stop).run(initial)


class _TreeHooks:
    """The joint search as the branch-and-price tree's host
    (:class:`sharedprop.models.colgen.tree.branch_and_price.PlanHooks`)."""

    def __init__(self, search: JointSearch) -> None:
        self.search = search

    def incumbent(self) -> float:
        obj = self.search.incumbent.objective
        return np.inf if obj is None else obj

    def offer_plan(self, columns: list[Column], source: str) -> bool:
        return self.search._offer_plan(columns, source)

    def search_plans(self, seconds: float) -> None:
        self.search._add_neighbours()
        self.search._solve_master(seconds, "integer master (branch and price)")

    def bound_raised(self, bound: float, message: str) -> None:
        self.search._raise_bound(bound, message)


def _integral_plan(p: Problem, lp: LPMaster, values: np.ndarray) -> list[Column] | None:
    """The LP's columns when its solution is 0/1 (and obeys the master's rules), else None."""
    if len(values) and np.any(np.minimum(values, 1 - values) > 1e-6):
        return None
    if lp.artificial_in_use():
        return None
    cols = [lp.cols[j] for j in range(len(values)) if values[j] > 0.5]
    return cols if respects_master_rules(p, cols) else None


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _tolerance(objective: float) -> float:
    """How close a bound must come to the objective to prove it optimal."""
    return max(0.01, 1e-9 * abs(objective))
