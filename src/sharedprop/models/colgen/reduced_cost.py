"""An option's reduced cost in arrays: its candidates' data, cached, and the two linear pieces
of the subsidy that every pricing and enumeration method bounds it by."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

EPS = 1e-6


@dataclass
class OptionData:
    """Per-option arrays reused across pricing rounds."""

    cand: np.ndarray
    mc: np.ndarray
    w: np.ndarray
    rev: np.ndarray
    hub_pos: int  # position of the hub inside cand, -1 for a non-member site
    local_adj: list[np.ndarray] | None  # neighbours by position, inside cand
    res: np.ndarray
    res_inc: np.ndarray
    max_w: int


class PricingCache:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._data: dict[int, OptionData] = {}

    def get(self, o: int) -> OptionData:
        d = self._data.get(o)
        if d is None:
            d = self._build(o)
            self._data[o] = d
        return d

    def _build(self, o: int) -> OptionData:
        p = self.problem
        opt = p.options[o]
        cand = opt.candidates
        hub_pos = int(np.searchsorted(cand, opt.hub)) if opt.hub >= 0 else -1
        local_adj = None
        if p.adjacency is not None:
            pos = {int(c): j for j, c in enumerate(cand)}
            local_adj = [
                np.array(
                    [pos[int(b)] for b in p.adjacency[int(c)] if int(b) in pos], dtype=np.int64
                )
                for c in cand
            ]
        max_w = int(p.firm_capacity[opt.firm])
        if p.package_max_weight is not None:
            max_w = min(max_w, int(p.package_max_weight))
        return OptionData(
            cand=cand,
            mc=opt.member_cost,
            w=p.weight[cand],
            rev=p.revenue[cand],
            hub_pos=hub_pos,
            local_adj=local_adj,
            res=opt.resources,
            res_inc=p.resource_income[opt.resources] if len(opt.resources) else np.zeros(0),
            max_w=max_w,
        )


def member_values(p: Problem, duals: Duals, o: int, d: OptionData) -> np.ndarray:
    f = p.options[o].firm
    return duals.community[d.cand] + duals.capacity[f] * d.w


@dataclass
class Pieces:
    """The reduced cost's two linear pieces for one option, per candidate and constant.

    A (subsidy ≥ deficit): a0 + Σ a_j, with every resource's best case folded into a0;
    B (subsidy ≥ 0): b0 + Σ b_j. rc(S, R) ≥ max(A, B) for every package, so each piece gives a
    lower bound; ``v`` is π_j + α_f·w_j, what the master pays for candidate j.
    """

    a: np.ndarray
    a0: float
    b: np.ndarray
    b0: float
    v: np.ndarray
    beta: float
    prices: np.ndarray


def linear_pieces(p: Problem, duals: Duals, o: int, d: OptionData) -> Pieces:
    opt = p.options[o]
    v = member_values(p, duals, o, d)
    beta = duals.fixed_price(p, o)
    prices = -duals.resource[d.res] if len(d.res) else np.zeros(0)
    wpm, wtc, mg = p.w_public_money, p.w_total_cost, opt.margin
    a = (wpm * (1 + mg) + wtc) * d.mc - wpm * d.rev - v
    a0 = (wpm * (1 + mg) + wtc) * opt.fixed - beta
    if len(d.res):
        a0 += float(np.minimum(0.0, -wpm * d.res_inc + prices).sum())
    b = wtc * d.mc - v
    b0 = wtc * opt.fixed - beta
    return Pieces(a, float(a0), b, float(b0), v, beta, prices)
