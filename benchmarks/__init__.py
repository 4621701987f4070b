"""Benchmarks: standard OR-Library families and manual plans, solved through sharedprop's models.

Run ``python -m benchmarks.run SUITE --time-limit S --workers N``; see ``benchmarks/README.md``.
"""
