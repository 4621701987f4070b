"""Branch and price over connected packages: the tree that closes the joint model's gap
(``docs/formulation.md``, "Branch and price")."""
