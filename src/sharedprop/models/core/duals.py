"""The master's dual prices, and what a package's reduced cost is at them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sharedprop.models.core.columns import Column
from sharedprop.models.core.problem import Problem

# largest single package objective: big enough to mean "infeasible", small enough for GLOP
FEN = 100  # integer money unit of the CP-SAT models: 1 yuan = 100 fen


@dataclass(frozen=True)
class WeightCut:
    """A firm's capacity cut: at most ``slots − 1`` slots among its packages.

    A package of w households fills a(w) = ⌈slots · w / capacity⌉ − 1 slots, the number of
    whole (capacity / slots)-shares it exceeds. The firm's packages hold at most ``capacity``
    households in all, so Σ_p a(w_p) < slots · Σ_p w_p / capacity ≤ slots, and the slots of a
    plan are a whole number: at most slots − 1. With slots = t + 1 it says, for example, "at
    most t packages of more than capacity / (t + 1) households" (a package that exceeds two
    shares counts twice). The LP without it happily runs 1.6 packages of 749 households on a
    firm of 1,160 (a Chvátal–Gomory rounding of the capacity row, Nemhauser & Wolsey 1988,
    II.1.2; the packages are disjoint, so only their weights matter).
    """

    firm: int
    capacity: int  # households: the firm's capacity_households when the cut was made
    slots: int  # ≥ 2

    @property
    def limit(self) -> int:
        return self.slots - 1

    def coefficient(self, weight: int | np.ndarray) -> int | np.ndarray:
        """a(w) = ⌈slots · w / capacity⌉ − 1 (0 for an empty package)."""
        return np.maximum(self.slots * np.asarray(weight, dtype=np.int64) - 1, 0) // self.capacity


@dataclass
class Duals:
    community: np.ndarray  # π_i
    capacity: np.ndarray  # α_f ≤ 0
    count: np.ndarray  # β_f ≤ 0 (either sign in a branch on counts, total count's dual added)
    resource: np.ndarray  # ρ_r ≤ 0
    cuts: tuple[tuple[int, int, int], ...] = ()  # subset-row triples
    cut: np.ndarray = field(default_factory=lambda: np.zeros(0))  # σ_S ≤ 0
    # γ_o ≥ 0 of the rows "option o is used" of a branch (None: no such row)
    option: np.ndarray | None = None
    weight_cuts: tuple[WeightCut, ...] = ()  # rows (7)
    weight_cut: np.ndarray = field(default_factory=lambda: np.zeros(0))  # τ_c ≤ 0
    # μ ≤ 0 of the coverage row Σ_i households_i · u_i ≤ H − L (a floor on covered households).
    # It prices only the "uncovered" variables, so no package's reduced cost depends on it.
    coverage: float = 0.0

    _cut_index: dict[int, list[int]] | None = field(default=None, repr=False, compare=False)

    def cut_penalty(self, members: tuple[int, ...] | set[int]) -> float:
        """−Σ σ_S over the cuts S that the package hits in two or more rows (≥ 0)."""
        if not self.cuts:
            return 0.0
        if self._cut_index is None:
            index: dict[int, list[int]] = {}
            for k, (S, sig) in enumerate(zip(self.cuts, self.cut, strict=True)):
                if sig < 0:
                    for i in S:
                        index.setdefault(i, []).append(k)
            self._cut_index = index
        hits: dict[int, int] = {}
        for i in members:
            for k in self._cut_index.get(i, ()):
                hits[k] = hits.get(k, 0) + 1
        return float(-sum(self.cut[k] for k, c in hits.items() if c >= 2))

    def weight_penalty(self, firm: int, weight: int) -> float:
        """−Σ τ_c · a_c(weight) over the firm's capacity cuts c (≥ 0)."""
        return float(self.weight_penalties(firm, np.array([weight]))[0])

    def weight_penalties(self, firm: int, weights: np.ndarray) -> np.ndarray:
        """:meth:`weight_penalty` of each of ``weights`` (a non-decreasing step function)."""
        out = np.zeros(len(weights))
        for c, tau in zip(self.weight_cuts, self.weight_cut, strict=True):
            if c.firm == firm and tau < 0:
                out -= tau * c.coefficient(weights)
        return out

    def weighs(self, firm: int) -> bool:
        """Whether the firm's packages pay for their households through a capacity cut."""
        return any(
            c.firm == firm and tau < -1e-12
            for c, tau in zip(self.weight_cuts, self.weight_cut, strict=True)
        )

    def fixed_price(self, problem: Problem, o: int) -> float:
        """β_f + γ_o: the duals every package of option o meets, whatever its members."""
        f = problem.options[o].firm
        return float(self.count[f]) + (float(self.option[o]) if self.option is not None else 0.0)

    def fixed_prices(self, firm_of_option: np.ndarray) -> np.ndarray:
        """:meth:`fixed_price` of every option (``firm_of_option``: each option's firm)."""
        out = self.count[firm_of_option]
        return out + self.option if self.option is not None else out

    def mix(self, other: Duals, alpha: float) -> Duals:
        """α·self + (1−α)·other, row by row: a smoothed point between a stability centre
        (``self``) and newer LP duals (``other``) (Wentges 1997).

        ``other`` may have rows ``self`` lacks (cuts added since): a subset-row cut takes
        ``other``'s dual there, a capacity cut or an option row counts ``self``'s as 0. The
        result carries ``other``'s cuts. (Two rules because the joint model, the only one to
        cut subset rows, and the bound without contiguity, the only one to cut capacity, were
        measured with these: docs/decisions.md, 2026-12-06.)
        """
        return Duals(
            community=alpha * self.community + (1 - alpha) * other.community,
            capacity=alpha * self.capacity + (1 - alpha) * other.capacity,
            count=alpha * self.count + (1 - alpha) * other.count,
            resource=alpha * self.resource + (1 - alpha) * other.resource,
            cuts=other.cuts,
            cut=alpha * _pad(self.cut, other.cut) + (1 - alpha) * other.cut,
            option=_mix_optional(self.option, other.option, alpha),
            weight_cuts=other.weight_cuts,
            weight_cut=alpha * _pad(self.weight_cut, np.zeros(len(other.weight_cut)))
            + (1 - alpha) * other.weight_cut,
            coverage=alpha * self.coverage + (1 - alpha) * other.coverage,
        )

    def reduced_cost(self, problem: Problem, col: Column) -> float:
        f = problem.options[col.option].firm
        rc = col.objective - float(self.community[list(col.members)].sum())
        rc -= col.weight * float(self.capacity[f]) + self.fixed_price(problem, col.option)
        if col.resources:
            rc -= float(self.resource[list(col.resources)].sum())
        if self.weight_cuts:
            rc += self.weight_penalty(f, col.weight)
        return rc + self.cut_penalty(col.members)


def _pad(short: np.ndarray, full: np.ndarray) -> np.ndarray:
    """``short`` continued with ``full``'s entries beyond its length."""
    return np.concatenate([short, full[len(short) :]]) if len(short) != len(full) else short


def _mix_optional(a: np.ndarray | None, b: np.ndarray | None, alpha: float) -> np.ndarray | None:
    """α·a + (1−α)·b of two optional rows of one length (a missing one counts as 0)."""
    if a is None and b is None:
        return None
    size = len(a) if a is not None else len(b)  # type: ignore[arg-type]
    a = np.zeros(size) if a is None else a
    b = np.zeros(size) if b is None else b
    return alpha * a + (1 - alpha) * b
