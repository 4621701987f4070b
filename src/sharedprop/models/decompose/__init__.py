"""Large instances in parts: street by street (streets share only firms and resources), and
large-neighbourhood search that frees a region of a plan and re-solves it with the joint model.
Both solve a part of the problem as a problem of its own (:mod:`.subproblem`)."""

from sharedprop.models.decompose.regions import improve_by_regions
from sharedprop.models.decompose.streets import solve_by_blocks, street_blocks
from sharedprop.models.decompose.subproblem import SubProblem, sub_problem

__all__ = ["SubProblem", "improve_by_regions", "solve_by_blocks", "street_blocks", "sub_problem"]
