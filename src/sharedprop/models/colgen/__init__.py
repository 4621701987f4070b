"""The joint model: packages, firms and resources decided together by column generation.

A column is a whole package with its exact objective; the set-partitioning master (LP for
duals and bounds, CP-SAT or SCIP for plans) chooses among them. Pricing finds packages of
negative reduced cost (or proves there are none) by bounds, a greedy pass, a branch and bound,
a table of every connected package, a knapsack or CP-SAT with a contiguity flow; enumeration
of every package within the gap closes the proof.
"""

from sharedprop.models.colgen.enumeration import enumerate_option
from sharedprop.models.colgen.exact_round import ExactRoundSettings, exact_round
from sharedprop.models.colgen.hub_matching import HubMatching
from sharedprop.models.colgen.joint import (
    JointParams,
    JointSearch,
    JointStatistics,
    is_valid_column,
    respects_master_rules,
    solve_joint,
)
from sharedprop.models.colgen.limits import EnumerationLimit, SearchLimit
from sharedprop.models.colgen.master import (
    LPFailure,
    LPMaster,
    lp_ranked_columns,
    solve_integer_master,
    solve_integer_master_mip,
)
from sharedprop.models.colgen.pricing import exact_price, greedy_price, relaxation_bound
from sharedprop.models.colgen.reduced_cost import PricingCache, linear_pieces

__all__ = [
    "EnumerationLimit",
    "ExactRoundSettings",
    "HubMatching",
    "JointParams",
    "JointSearch",
    "JointStatistics",
    "LPFailure",
    "LPMaster",
    "PricingCache",
    "SearchLimit",
    "enumerate_option",
    "exact_price",
    "exact_round",
    "greedy_price",
    "is_valid_column",
    "linear_pieces",
    "lp_ranked_columns",
    "relaxation_bound",
    "respects_master_rules",
    "solve_integer_master",
    "solve_integer_master_mip",
    "solve_joint",
]
