"""How a plan fares when the data moves: re-scored under a shock, and each package's margin.

:func:`stress` scores the same plan on the original and on the shocked data with
:func:`sharedprop.evaluate` (nothing is re-optimised) and names the packages that then need
more public money, and by how much, and any rule the shock breaks (a shock to households can
push a package past its household limit).

:func:`collection_headroom` answers "how far can collection fall before each package needs
more money". A package's fee revenue F is linear in the collection rates and its cost C does
not depend on them, so with every rate scaled by k its subsidy is
max(0, (1 + m)·C − k·F − I) (I: its resources' income). A package that needs a subsidy now
needs more at any fall; one that does not first needs money when
k < k* = ((1 + m)·C − I) / F, a fall of 1 − k*.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sharedprop.analysis.shock import Shock, shocked
from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, Violation, evaluate
from sharedprop.plan import Plan

# Subsidy changes smaller than this (yuan/yr) are rounding, not a package needing more money.
MONEY_EPS = 0.005


@dataclass(frozen=True, slots=True)
class PackageStress:
    """One package before and after the shock (yuan per year)."""

    package_id: str
    firm_id: str
    subsidy_before: float
    subsidy_after: float
    cost_before: float
    cost_after: float
    revenue_before: float
    revenue_after: float

    @property
    def extra_subsidy(self) -> float:
        return self.subsidy_after - self.subsidy_before

    @property
    def needs_more(self) -> bool:
        return self.extra_subsidy > MONEY_EPS


@dataclass(frozen=True)
class StressResult:
    """A plan scored before and after a shock."""

    shock: Shock
    before: Evaluation
    after: Evaluation
    packages: tuple[PackageStress, ...]
    # Rules the plan breaks on the shocked data and not on the original.
    newly_broken: tuple[Violation, ...]

    @property
    def extra_public_money(self) -> float:
        return self.after.public_money - self.before.public_money

    def packages_needing_more(self) -> tuple[PackageStress, ...]:
        """The packages whose subsidy rises, most first."""
        rising = [p for p in self.packages if p.needs_more]
        return tuple(sorted(rising, key=lambda p: (-p.extra_subsidy, p.package_id)))

    def to_frame(self) -> pd.DataFrame:
        """One row per package: subsidy, cost and revenue before and after, and the change."""
        rows = [
            {
                "package_id": p.package_id,
                "firm_id": p.firm_id,
                "subsidy_before": p.subsidy_before,
                "subsidy_after": p.subsidy_after,
                "extra_subsidy": p.extra_subsidy,
                "cost_before": p.cost_before,
                "cost_after": p.cost_after,
                "revenue_before": p.revenue_before,
                "revenue_after": p.revenue_after,
            }
            for p in self.packages
        ]
        columns = [
            "package_id",
            "firm_id",
            "subsidy_before",
            "subsidy_after",
            "extra_subsidy",
            "cost_before",
            "cost_after",
            "revenue_before",
            "revenue_after",
        ]
        return pd.DataFrame(rows, columns=columns)


def stress(instance: Instance, plan: Plan, shock: Shock) -> StressResult:
    """Score ``plan`` on ``instance`` before and after ``shock``.

    Parameters
    ----------
    instance
        The data the plan was made for.
    plan
        Any plan of the instance (the solver's or a manual one); it is not changed.
    shock
        The relative change to collection rates, fee rates and households.

    Returns
    -------
    StressResult
        Both evaluations, each package's subsidy before and after, and the rules the shock
        breaks that the plan kept before.
    """
    before = evaluate(instance, plan)
    after = evaluate(shocked(instance, shock), plan)
    after_by_id = {p.package_id: p for p in after.packages}
    packages = tuple(
        PackageStress(
            package_id=b.package_id,
            firm_id=b.firm_id,
            subsidy_before=b.subsidy,
            subsidy_after=after_by_id[b.package_id].subsidy,
            cost_before=b.cost,
            cost_after=after_by_id[b.package_id].cost,
            revenue_before=b.revenue,
            revenue_after=after_by_id[b.package_id].revenue,
        )
        for b in before.packages
    )
    known = {(v.rule, v.subject) for v in before.broken}
    newly = tuple(v for v in after.broken if (v.rule, v.subject) not in known)
    return StressResult(shock, before, after, packages, newly)


@dataclass(frozen=True, slots=True)
class Headroom:
    """How far collection can fall before a package needs more public money."""

    package_id: str
    firm_id: str
    subsidy: float
    fee_revenue: float
    # The share by which every collection rate may fall before the subsidy rises: 0 for a
    # package that is subsidised now, 1 for one whose fees are not needed at all.
    collection_fall: float
    mean_collection_rate: float  # households-weighted, as the plan's data has it

    @property
    def break_even_collection_rate(self) -> float:
        """The households-weighted collection rate at which the package needs money."""
        return self.mean_collection_rate * (1.0 - self.collection_fall)


def collection_headroom(instance: Instance, plan: Plan) -> tuple[Headroom, ...]:
    """Each package's :class:`Headroom` (module docstring), in the plan's package order."""
    ev = evaluate(instance, plan)
    out = []
    for p in ev.packages:
        firm = instance.firm(p.firm_id)
        members = [instance.community(m) for m in p.members]
        need = (1.0 + firm.min_margin) * p.cost - p.resource_income
        if p.subsidy > MONEY_EPS:
            fall = 0.0
        elif p.fee_revenue <= 0 or need <= 0:
            fall = 1.0
        else:
            fall = min(1.0, max(0.0, 1.0 - need / p.fee_revenue))
        households = sum(c.households for c in members)
        mean_rate = sum(c.collection_rate * c.households for c in members) / households
        out.append(Headroom(p.package_id, p.firm_id, p.subsidy, p.fee_revenue, fall, mean_rate))
    return tuple(out)


def headroom_frame(headroom: tuple[Headroom, ...]) -> pd.DataFrame:
    """:func:`collection_headroom` as a table, the most fragile package first."""
    rows = [
        {
            "package_id": h.package_id,
            "firm_id": h.firm_id,
            "subsidy": h.subsidy,
            "fee_revenue": h.fee_revenue,
            "collection_fall": h.collection_fall,
            "mean_collection_rate": h.mean_collection_rate,
            "break_even_collection_rate": h.break_even_collection_rate,
        }
        for h in headroom
    ]
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["package_id"])
    return (
        frame.sort_values(["collection_fall", "package_id"]).reset_index(drop=True)
        if rows
        else frame
    )
