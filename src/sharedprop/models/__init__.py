"""The optimisation layer: arrays, a distance matrix and a graph in, packages out; no files.

Subpackages by role:

- :mod:`~sharedprop.models.core` — the array-level problem, columns and their pool, duals,
  the clock, the CP-SAT runner and the result type every search returns;
- :mod:`~sharedprop.models.colgen` — the joint model: column generation over whole packages,
  its set-partitioning master, pricing, enumeration and gap closing;
- :mod:`~sharedprop.models.bounds` — lower bounds for any size: the transportation LP and the
  column generation without contiguity, in a second process beside the search;
- :mod:`~sharedprop.models.classic` — the classical models: generalized assignment,
  capacitated clustering (p-median) and its Lagrangian, facility location, two stages;
- :mod:`~sharedprop.models.decompose` — large instances street by street and region by region.

The package graph has no cycle: core ← colgen ← bounds ← decompose, and classic ← colgen.
"""
