"""Capacitated clustering: the engine's stage 1 and the CPMP benchmark route.

The problem (:mod:`sharedprop.models.classic.clustering_input`): points grouped into clusters
around member hubs, at most ``max_weight`` each, exactly ``n_clusters`` of them, optionally
connected in a graph. :func:`solve_clustering` runs :class:`ClusteringSearch`, whose phases are:

1. **bound**: the Lagrangian bound L (:mod:`sharedprop.models.classic.clustering_lagrangian`):
   the assignment rows relaxed, one knapsack per hub, subgradient-optimised; contiguity, the
   minimum weight and pair rules are dropped, which keeps it a valid bound.
2. **incumbent**: CP-SAT on the model restricted to the pairs whose forced Lagrangian bound
   is within 1 % (then 2 %) of L (:func:`~sharedprop.models.classic.clustering_heuristics.
   restricted_search`); when it proves that restricted model's optimum within its target, that
   is the optimum of the whole problem. A feasible ``hint`` is the first incumbent.
3. **improvement**: a large-neighbourhood search that re-solves groups of neighbouring
   clusters exactly (:class:`~sharedprop.models.classic.clustering_heuristics.ClusterLns`).
4. **tightening**: the subgradient again, aimed at the incumbent's value U; ⌈L⌉ = U proves U.
5. **proof below the incumbent**: every pair and hub whose forced Lagrangian bound exceeds
   U − 1 is removed (reduced-cost fixing) and the reduced model must prove that nothing costs
   at most U − 1 — U is optimal — or find a cheaper solution, after which the reduction is
   redone with the new U. Without contiguity this is a MIP with the strong linking rows, on
   HiGHS (:mod:`sharedprop.models.classic.clustering_mip`) with U − 1 as its cut-off; with two
   or more workers CP-SAT's ``lb_tree_search`` searches the same reduced model beside it and
   the first to finish stops the other. With contiguity (the engine's stage 1 with a graph)
   CP-SAT alone searches the flow model.

Deterministic runs (``deterministic``; by default when ``workers == 1``) measure every budget
in work units (:mod:`sharedprop.models.core.clock`) and keep CP-SAT for the proof, whose
deterministic time repeats exactly; HiGHS has only a wall-clock limit. The measured choices
are in ``docs/formulation.md`` and ``docs/decisions.md``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from sharedprop.models.classic import clustering_lagrangian as lagrangian
from sharedprop.models.classic.assignment import solve_assignment
from sharedprop.models.classic.clustering_cpsat import base_parameters, build_model, hub_of_run
from sharedprop.models.classic.clustering_heuristics import (
    ClusterLns,
    Found,
    LnsParams,
    restricted_search,
)
from sharedprop.models.classic.clustering_input import (
    ClusteringInput,
    candidate_pairs,
    clustering_objective,
    clustering_violations,
    largest_objective,
)
from sharedprop.models.classic.clustering_mip import ClusteringMip, MipOutcome
from sharedprop.models.core.clock import (
    CLUSTERING_SECONDS_PER_DTIME,
    FLOW_MODEL_SECONDS_PER_DTIME,
    Clock,
)
from sharedprop.models.core.cpsat import Progress, Run, Status, solve_model

# Points may join one of this many nearest Lagrangian hubs in the first plan.
NEAREST_HUBS = 8
# Above this many pairs the reduced model goes to CP-SAT alone: at 400 points HiGHS did not
# finish its root on 3,966 pairs in 40 s, and on the unreduced 160,000 it could not be stopped
# inside its first LP, so a 120-s solve took 213-219 s (docs/decisions.md).
MIP_MAX_PAIRS = 20_000
# Beside HiGHS, CP-SAT searches for a bound when the incumbent is this close to it, and for
# cheaper plans when it is further.
CLOSE_GAP = 0.015

__all__ = [
    "ClusteringInput",
    "ClusteringParams",
    "ClusteringResult",
    "ClusteringSearch",
    "ClusteringStatistics",
    "clustering_objective",
    "clustering_violations",
    "solve_clustering",
]


@dataclass(frozen=True)
class ClusteringParams:
    """Settings of :class:`ClusteringSearch`.

    ``deterministic`` measures budgets in work units so that a seed repeats exactly (then the
    proof uses CP-SAT alone). The shares are fractions of ``time_limit`` given to the first
    bound, the incumbent search, the LNS and the tightened bound, each counted from the start.
    """

    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    deterministic: bool = False
    use_bound: bool | None = None
    bound_share: float = 0.1
    incumbent_share: float = 0.15
    lns_share: float = 0.05
    lns_until: float = 0.2
    tighten_share: float = 0.03

    def __post_init__(self) -> None:
        if not math.isfinite(self.time_limit) or self.time_limit < 0:
            raise ValueError(f"time_limit must be a finite number ≥ 0, got {self.time_limit}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {self.seed}")
        for name in ("bound_share", "incumbent_share", "lns_share", "lns_until", "tighten_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be a fraction in [0, 1], got {value}")


@dataclass
class ClusteringStatistics:
    """What the phases did, for benchmarks and logs (None: the phase did not run)."""

    pairs: int = 0
    lagrangian_first: float | None = None
    lagrangian_first_s: float | None = None
    first_solution: int | None = None
    first_solution_s: float | None = None
    heuristic: int | None = None
    heuristic_s: float | None = None
    lagrangian: float | None = None
    pairs_after_reduction: int | None = None
    proved_by: str | None = None
    prover: str | None = None
    restarts: int = 0
    mip_nodes: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The fields that were set, for a results file's ``notes``."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ClusteringResult:
    """``hub_of[i]`` is point i's hub (``hub_of[h] == h`` for a hub), -1 when uncovered.

    ``bound`` is a proven lower bound on the optimum (None when infeasible or unknown);
    ``seconds`` is the whole call and ``time_to_incumbent`` when the returned solution was
    found. ``stats`` records what each phase did.
    """

    status: Status
    hub_of: np.ndarray
    objective: int | None
    bound: int | None
    seconds: float
    time_to_incumbent: float | None
    stats: ClusteringStatistics

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass(frozen=True)
class _Searched:
    """One search of the reduced model: ``status`` as CP-SAT's, with the searcher's name."""

    status: Status
    hub_of: np.ndarray | None
    objective: int | None
    bound: int | None
    searcher: str


class ClusteringSearch:
    """The phases of the module docstring over one input; :meth:`run` reads as those phases."""

    def __init__(
        self,
        inp: ClusteringInput,
        params: ClusteringParams,
        hint: np.ndarray | None = None,
        on_progress: Progress | None = None,
    ):
        self.inp = inp
        self.params = params
        self.on_progress = on_progress
        self.clock = Clock(deterministic=params.deterministic)
        self.stats = ClusteringStatistics()
        self.pair = candidate_pairs(inp)
        self.stats.pairs = int(self.pair.sum())
        self.problem = lagrangian.LagrangianProblem(
            cost=np.asarray(inp.cost, dtype=np.float64),
            weight=np.asarray(inp.weight, dtype=np.int64),
            capacity=inp.max_weight,
            pair=self.pair,
            hub_cost=np.zeros(inp.n) if inp.hub_cost is None else np.asarray(inp.hub_cost, float),
            n_clusters=inp.n_clusters,
            uncovered_cost=None
            if inp.uncovered_cost is None
            else np.asarray(inp.uncovered_cost, dtype=np.float64),
        )
        self.incumbent: np.ndarray | None = None
        self.upper: int | None = None
        self.found_at: float | None = None
        self.lower: int | None = None
        self.multipliers: lagrangian.LagrangianOutcome | None = None
        self.status: Status = "unknown"
        self._hint = hint
        self._started = time.perf_counter()

    # -- the phases -------------------------------------------------------------------------------
    def run(self) -> ClusteringResult:
        if self.inp.uncovered_cost is None and not self.pair.any(axis=1).all():
            return self._infeasible("a point has no cluster it may join")
        self._take_hint()
        if self._bound_fits():
            if not self._first_bound():
                return self._infeasible("the relaxation has no hub set")
            self._heuristic_incumbent()
            if self.lower is not None and self.lower > largest_objective(self.inp):
                return self._infeasible("the bound exceeds every possible cost")
        if self.status not in ("optimal", "infeasible") and not self._closed():
            if self.multipliers is not None and self.incumbent is not None:
                self._prove()
            else:
                self._search_whole_model()
        if self._closed() and self.stats.proved_by is None:
            self.stats.proved_by = "lagrangian bound"
        return self._result()

    def _uses_mip(self) -> bool:
        """HiGHS searches the reduced models: no contiguity, and budgets on the wall clock."""
        return self.inp.adjacency is None and not self.params.deterministic

    def _take_hint(self) -> None:
        if self._hint is None:
            return
        hint = np.asarray(self._hint, dtype=np.int64)
        value = clustering_objective(self.inp, hint) if hint.shape == (self.inp.n,) else None
        if value is not None:
            self._accept(Found(hint.copy(), value))

    def _bound_fits(self) -> bool:
        if self.inp.n == 0:
            return False
        if self.params.use_bound is not None:
            return self.params.use_bound
        return lagrangian.Relaxation.fits(self.problem)

    def _first_bound(self) -> bool:
        """Phase 1; False when the relaxation has no hub set (nothing is feasible)."""
        outcome = lagrangian.optimise(
            self.problem,
            upper=self.upper,
            time_budget=self.params.bound_share * self.params.time_limit,
            clock=self.clock,
        )
        self.stats.lagrangian_first = round(outcome.bound, 3)
        self.stats.lagrangian_first_s = round(self._elapsed(), 2)
        if not math.isfinite(outcome.bound):
            return False
        self._raise_lower(outcome)
        return True

    def _heuristic_incumbent(self) -> None:
        """Phases 2-4; on the MIP route a first plan from the Lagrangian's hubs when the
        restricted search found nothing (400 points and 40 medians on a loaded machine)."""
        budget = self.params.incumbent_share * self.params.time_limit
        self._first_incumbent(budget)
        if self.incumbent is None and self._uses_mip():
            self._assign_to_lagrangian_hubs(budget / 3)
        if self.status != "optimal":
            self._improve_incumbent()
            self._tighten_bound()

    def _assign_to_lagrangian_hubs(self, budget: float) -> None:
        """A first plan: the hubs the Lagrangian subproblem opens, every point assigned to one
        of its ``NEAREST_HUBS`` nearest among them by the generalized-assignment model
        (Lorena & Senne 2004's Lagrangian heuristic). Only for inputs that model covers: no
        minimum weight and no pair rules."""
        assert self.multipliers is not None
        inp = self.inp
        if inp.max_weight is None or inp.min_weight > 0 or inp.together or inp.apart:
            return
        relaxation = lagrangian.Relaxation(self.problem)
        hubs = np.asarray(
            relaxation.evaluate(self.multipliers.multipliers, want_members=False)["selected"],
            dtype=np.int64,
        )
        if len(hubs) == 0:
            return
        cost = np.asarray(inp.cost, dtype=np.int64)[:, hubs].T  # agents × points
        allowed = self.pair[:, hubs].T.copy()
        near = np.argsort(np.where(allowed, cost, np.iinfo(np.int64).max), axis=0, kind="stable")
        allowed &= (np.argsort(near, axis=0) < NEAREST_HUBS) | np.isin(np.arange(inp.n), hubs)
        result = solve_assignment(
            cost,
            np.tile(np.asarray(inp.weight, dtype=np.int64), (len(hubs), 1)),
            np.full(len(hubs), int(inp.max_weight)),
            allowed=allowed,
            unassigned_cost=None
            if inp.uncovered_cost is None
            else np.asarray(inp.uncovered_cost, dtype=np.int64),
            fixed=[(int(h), a) for a, h in enumerate(hubs)],
            time_limit=budget,
            workers=self.params.workers,
            seed=self.params.seed,
        )
        if result.objective is not None:
            hub_of = np.where(result.agent_of >= 0, hubs[result.agent_of], -1)
            value = clustering_objective(inp, hub_of)
            if value is not None:
                self._accept(Found(hub_of, value))
        self.stats.first_solution = self.upper
        self.stats.first_solution_s = round(self._elapsed(), 2)

    def _first_incumbent(self, budget: float) -> None:
        """Phase 2: the restricted search, unless a hint gave an incumbent."""
        assert self.multipliers is not None
        if self.incumbent is None:
            restricted = restricted_search(
                self.inp,
                self.problem,
                self.multipliers,
                self.upper,
                self.incumbent,
                deadline=budget - self.clock.now(),  # shares count from the start
                workers=self.params.workers,
                seed=self.params.seed,
                clock=self.clock,
            )
            if restricted.found is not None:
                self._accept(restricted.found)
            if restricted.lower is not None:
                self.lower = max(self.lower or restricted.lower, restricted.lower)
            if restricted.optimal:
                self.status = "optimal"
                self.stats.proved_by = "CP-SAT: optimal over the pairs within its target"
        self.stats.first_solution = self.upper
        self.stats.first_solution_s = round(self._elapsed(), 2)

    def _improve_incumbent(self) -> None:
        """Phase 3: the cluster LNS, until the bound or its share of the limit."""
        if self.incumbent is None or self.upper is None or self._closed():
            self.stats.heuristic = self.upper
            return
        limit = self.params.time_limit
        budget = min(
            self.params.lns_share * limit, self.params.lns_until * limit - self.clock.now()
        )
        lns = ClusterLns(
            self.inp,
            self.pair,
            Found(self.incumbent, self.upper),
            LnsParams(time_budget=budget, seed=self.params.seed, good_enough=self.lower),
            self.clock,
        )
        self._accept(lns.run())
        self.stats.heuristic = self.upper
        self.stats.heuristic_s = round(self._elapsed(), 2)

    def _tighten_bound(self) -> None:
        """Phase 4: the subgradient from the first multipliers, aimed at the incumbent."""
        if self.upper is None or self.multipliers is None or self._closed():
            return
        again = lagrangian.optimise(
            self.problem,
            upper=self.upper,
            time_budget=self.params.tighten_share * self.params.time_limit,
            start=self.multipliers.multipliers,
            clock=self.clock,
        )
        self._raise_lower(again)

    def _prove(self) -> None:
        """Phase 5: search the model reduced at U − 1 for anything that costs at most U − 1.

        Nothing: U is optimal. A solution: the new incumbent (optimal if the search proved it,
        since every solution at most U − 1 uses only the pairs kept), and the reduction is
        redone with the new U.
        """
        began = self.clock.now()
        deadline = self.params.time_limit - began
        while not self._closed():
            assert self.multipliers is not None and self.upper is not None
            target = self.upper - 1
            pair, _ = lagrangian.reduce_pairs(
                self.problem, self.multipliers.multipliers, target, self.clock
            )
            self.stats.pairs_after_reduction = int(pair.sum())
            left = deadline - (self.clock.now() - began)
            if left <= 0.05:
                return
            searched = self._search_reduced(pair, target, left)
            if searched.status == "infeasible":
                self.stats.proved_by = f"{searched.searcher}: nothing costs less than the incumbent"
                self.lower = self.upper
                break
            if searched.objective is None or searched.hub_of is None:
                if searched.bound is not None:
                    bound = min(searched.bound, self.upper)
                    self.lower = bound if self.lower is None else max(self.lower, bound)
                self._report()
                return
            self._accept(Found(searched.hub_of, searched.objective))
            if searched.status == "optimal":
                self.stats.proved_by = f"{searched.searcher}: optimal below the previous incumbent"
                self.lower = self.upper
                break
            self.stats.restarts += 1
            self._retighten(left)
        self.status = "optimal"
        self._report()

    def _retighten(self, left: float) -> None:
        assert self.multipliers is not None
        again = lagrangian.optimise(
            self.problem,
            upper=self.upper,
            time_budget=min(2.0, 0.1 * left),
            start=self.multipliers.multipliers,
            clock=self.clock,
        )
        self._raise_lower(again)

    def _search_whole_model(self) -> None:
        """Without the bound (or without an incumbent): CP-SAT on the whole model."""
        inp, params = self.inp, self.params
        parameters = base_parameters(inp)
        if inp.adjacency is None and params.workers >= 2:
            parameters["subsolvers"] = ["lb_tree_search", "default_lp"]
        model, x = build_model(inp, self.pair, self.lower, self.incumbent)
        run = solve_model(
            model,
            time_limit=max(0.0, params.time_limit - self.clock.now()),
            workers=params.workers,
            seed=params.seed,
            on_progress=self.on_progress,
            parameters=parameters,
            elapsed_before=self._elapsed(),
            clock=self.clock,
            seconds_per_dtime=FLOW_MODEL_SECONDS_PER_DTIME
            if inp.adjacency is not None
            else CLUSTERING_SECONDS_PER_DTIME,
        )
        if run.bound is not None and run.status != "infeasible":
            self.lower = run.bound if self.lower is None else max(self.lower, run.bound)
        if run.objective is not None and (self.upper is None or run.objective < self.upper):
            self.incumbent = hub_of_run(inp.n, x, run)
            self.upper, self.found_at = run.objective, run.time_to_incumbent
        if run.status == "optimal":
            self.status = "optimal"
        elif run.status == "infeasible" and self.incumbent is None:
            self.status = "infeasible"  # with an incumbent this cannot happen (it is in the model)

    # -- searching the reduced model ------------------------------------------------------------
    def _search_reduced(self, pair: np.ndarray, at_most: int, left: float) -> _Searched:
        """HiGHS, CP-SAT, or both side by side on the model reduced at ``at_most``."""
        mip = None
        if self._uses_mip() and pair.sum() <= MIP_MAX_PAIRS:
            mip = ClusteringMip(
                self.inp,
                pair,
                at_most=at_most,
                time_limit=left,
                seed=self.params.seed,
                heuristics=False,  # measured: the root's sub-MIPs cost more than they find
            )
        cpsat_workers = self.params.workers - (1 if mip is not None else 0)
        if mip is not None and cpsat_workers == 0:
            self.stats.prover = "HiGHS"
            return self._from_mip(mip.solve())
        side = None if mip is None else _SideBySide(mip)
        run, x = self._cpsat_below(pair, at_most, left, cpsat_workers, side)
        searched = self._from_cpsat(run, x)
        if side is None:
            self.stats.prover = "CP-SAT"
            return searched
        self.stats.prover = "HiGHS + CP-SAT"
        return _better(self._from_mip(side.finish()), searched)

    def _cpsat_below(
        self,
        pair: np.ndarray,
        at_most: int,
        left: float,
        workers: int,
        side: _SideBySide | None,
    ) -> tuple[Run, dict[tuple[int, int], cp_model.IntVar]]:
        """CP-SAT on the reduced model. Beside HiGHS: its bound search (``lb_tree_search``)
        when the incumbent is within ``CLOSE_GAP`` of the bound, else its default search from
        the incumbent as a hint, which finds the cheaper plans that shrink the next reduction
        (pmedcap11 on a loaded machine: U = 1,086 left 9,332 of 10,000 pairs to a proof that
        could not start)."""
        parameters = base_parameters(self.inp)
        hint = None
        if self._uses_mip() and self._gap() > CLOSE_GAP:
            hint = self.incumbent
        elif side is not None:
            parameters["subsolvers"] = ["lb_tree_search"]
        elif self.inp.adjacency is None and workers >= 2:
            parameters["subsolvers"] = ["lb_tree_search", "max_lp"]
            parameters["num_full_subsolvers"] = 2
        model, x = build_model(self.inp, pair, self.lower, hint, at_most=at_most)
        run = solve_model(
            model,
            time_limit=left,
            workers=workers,
            seed=self.params.seed,
            parameters=parameters,
            elapsed_before=self._elapsed(),
            stop_below=at_most + 1,  # the first solution ends the search: reduce again
            clock=self.clock,
            on_start=None if side is None else side.start,
            seconds_per_dtime=CLUSTERING_SECONDS_PER_DTIME,
        )
        return run, x

    def _from_cpsat(self, run: Run, x: dict[tuple[int, int], cp_model.IntVar]) -> _Searched:
        hub_of = hub_of_run(self.inp.n, x, run) if run.objective is not None else None
        return _Searched(run.status, hub_of, run.objective, run.bound, "CP-SAT")

    def _from_mip(self, outcome: MipOutcome) -> _Searched:
        self.stats.mip_nodes += outcome.nodes
        return _Searched(outcome.status, outcome.hub_of, outcome.objective, outcome.bound, "HiGHS")

    # -- state ---------------------------------------------------------------------------------
    def _accept(self, found: Found) -> None:
        if self.upper is None or found.objective < self.upper:
            self.incumbent, self.upper = found.hub_of, found.objective
            self.found_at = self._elapsed()
            self._report()

    def _raise_lower(self, outcome: lagrangian.LagrangianOutcome) -> None:
        if self.multipliers is None or outcome.bound > self.multipliers.bound:
            self.multipliers = outcome
            self.stats.lagrangian = round(outcome.bound, 3)
        if math.isfinite(outcome.bound):
            bound = math.ceil(outcome.bound - 1e-6 * max(1.0, abs(outcome.bound)))
            self.lower = bound if self.lower is None else max(self.lower, bound)

    def _gap(self) -> float:
        """(U − lower) / U; 1 without an incumbent or a bound."""
        if self.upper is None or self.lower is None or self.upper == 0:
            return 1.0
        return (self.upper - self.lower) / abs(self.upper)

    def _closed(self) -> bool:
        return self.upper is not None and self.lower is not None and self.lower >= self.upper

    def _elapsed(self) -> float:
        """Wall-clock seconds since the search began, for what the result reports."""
        return time.perf_counter() - self._started

    def _report(self) -> None:
        if self.on_progress is not None and self.upper is not None:
            self.on_progress(self._elapsed(), self.upper, self.lower)

    def _infeasible(self, why: str) -> ClusteringResult:
        self.stats.proved_by = why
        n = self.inp.n
        return ClusteringResult(
            "infeasible",
            np.full(n, -1, dtype=np.int64),
            None,
            None,
            self._elapsed(),
            None,
            self.stats,
        )

    def _result(self) -> ClusteringResult:
        if self.status == "infeasible" or self.incumbent is None:
            bound = None if self.status == "infeasible" else self.lower
            hub_of = np.full(self.inp.n, -1, dtype=np.int64)
            return ClusteringResult(
                self.status, hub_of, None, bound, self._elapsed(), None, self.stats
            )
        assert self.upper is not None
        status: Status = "feasible"
        bound = self.lower
        if self.status == "optimal" or self._closed():
            status, bound = "optimal", self.upper
        return ClusteringResult(
            status, self.incumbent, self.upper, bound, self._elapsed(), self.found_at, self.stats
        )


class _SideBySide:
    """HiGHS in its thread beside CP-SAT: it starts when CP-SAT starts, and a proof by HiGHS
    stops CP-SAT; :meth:`finish` (after CP-SAT returned) stops HiGHS and reads its outcome.

    A stop request that arrives before CP-SAT's search has started is lost, so it is repeated
    until CP-SAT has returned.
    """

    def __init__(self, mip: ClusteringMip):
        self.mip = mip
        self._returned = threading.Event()

    def start(self, solver: cp_model.CpSolver) -> None:
        self.mip.start()
        threading.Thread(target=self._watch, args=(solver,), daemon=True).start()

    def _watch(self, solver: cp_model.CpSolver) -> None:
        if self.mip.join().status in ("infeasible", "optimal"):
            while not self._returned.wait(0.05):
                solver.stop_search()

    def finish(self) -> MipOutcome:
        self._returned.set()
        self.mip.stop()
        return self.mip.join()


def _better(mip: _Searched, cpsat: _Searched) -> _Searched:
    """The more useful of two searches of the same model: a proof first, then the cheaper
    solution, with the better of the two bounds."""
    proven = ("infeasible", "optimal")
    cheaper = mip.objective is not None and (
        cpsat.objective is None or mip.objective < cpsat.objective
    )
    chosen = mip if cpsat.status not in proven and (mip.status in proven or cheaper) else cpsat
    bounds = [b for b in (mip.bound, cpsat.bound) if b is not None]
    if chosen.status in proven or not bounds:
        return chosen
    return _Searched(chosen.status, chosen.hub_of, chosen.objective, max(bounds), chosen.searcher)


def solve_clustering(
    inp: ClusteringInput,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    hint: np.ndarray | None = None,
    on_progress: Progress | None = None,
    use_bound: bool | None = None,
    deterministic: bool | None = None,
) -> ClusteringResult:
    """Cluster the points at minimum cost; see the module docstring for the phases.

    Parameters
    ----------
    inp
        The array-level problem.
    time_limit
        Seconds for the whole call (work units when deterministic).
    workers
        Threads: with two or more, HiGHS and CP-SAT search the reduced model side by side.
    seed
        Seed of every randomised step.
    hint
        A ``hub_of`` vector to start from (ignored if it breaks a rule).
    on_progress
        Called with (seconds, objective, bound) whenever either improves.
    use_bound
        Switches the Lagrangian bound, heuristics and reduction (None: on when the knapsack
        tables are small enough).
    deterministic
        Measure budgets in work units so that the same seed repeats exactly (None:
        ``workers == 1``).

    Returns
    -------
    ClusteringResult
        Status, ``hub_of``, objective, proven bound, times and per-phase statistics.
    """
    params = ClusteringParams(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=workers == 1 if deterministic is None else deterministic,
        use_bound=use_bound,
    )
    return ClusteringSearch(inp, params, hint, on_progress).run()
