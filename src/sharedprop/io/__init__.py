"""Reading and writing the contract's files: instance folders and workbooks, tables and plans."""

from __future__ import annotations

from sharedprop.io.frames import from_frames
from sharedprop.io.instances import list_plan_files, load_instance
from sharedprop.io.plans import read_plan, write_plan
from sharedprop.io.source import Source
from sharedprop.io.template import write_instance_workbook, write_template

__all__ = [
    "Source",
    "from_frames",
    "list_plan_files",
    "load_instance",
    "read_plan",
    "write_instance_workbook",
    "write_plan",
    "write_template",
]
