"""The limits of the exact searches over packages, raised when a search would grow too large."""

from __future__ import annotations


class EnumerationLimit(Exception):
    """More packages fall within the gap than the caller allows."""


class SearchLimit(Exception):
    """The branch-and-bound search visited more nodes than allowed."""
