"""The classical models the engine is built from and benchmarked on: generalized assignment
(stage 2, OR-Library GAP), capacitated clustering around member hubs (stage 1, capacitated
p-median) with its Lagrangian bound, single-source capacitated facility location, and the
two-stage strategy that chains clustering and assignment."""

from sharedprop.models.classic.assignment import AssignmentResult, solve_assignment
from sharedprop.models.classic.clustering import ClusteringResult, solve_clustering
from sharedprop.models.classic.clustering_input import (
    ClusteringInput,
    clustering_objective,
    clustering_violations,
)
from sharedprop.models.classic.facility import solve_facility_location
from sharedprop.models.classic.two_stage import solve_two_stage

__all__ = [
    "AssignmentResult",
    "ClusteringInput",
    "ClusteringResult",
    "clustering_objective",
    "clustering_violations",
    "solve_assignment",
    "solve_clustering",
    "solve_facility_location",
    "solve_two_stage",
]
