"""Reading and writing the contract's files: instance folders, tables and plans."""

from __future__ import annotations

from sharedprop.io.instances import list_plan_files, load_instance
from sharedprop.io.plans import read_plan, write_plan

__all__ = ["list_plan_files", "load_instance", "read_plan", "write_plan"]
