"""Whether an instance can be served, and why not: the checks behind ``sharedprop validate``,
the obvious reasons no plan exists, and a minimal set of rules that cannot hold together."""

from sharedprop.feasibility.conflict import explain_infeasible, minimal_conflict
from sharedprop.feasibility.obvious import diagnose
from sharedprop.feasibility.summary import InstanceSummary, describe

__all__ = ["InstanceSummary", "describe", "diagnose", "explain_infeasible", "minimal_conflict"]
