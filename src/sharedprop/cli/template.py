"""``sharedprop template OUT.xlsx``: write the instance workbook a planner fills in.

With ``--from INSTANCE`` the workbook holds that instance's data instead of the example rows
(any instance saved as one file); ``--streets`` offers those streets in the street dropdown.
An existing OUT is kept unless ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sharedprop.cli import EXIT_BAD_INPUT, EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "template",
        help="write an instance workbook to fill in (.xlsx)",
        description="Write one .xlsx workbook with a sheet per table (communities, firms, "
        "resources, edges, locks) and the key/value sheets instance, policy and objective: "
        "header notes with units, dropdowns, two example rows per table and instructions in "
        "Chinese and English. sharedprop validate/solve read the filled workbook.",
    )
    p.add_argument("out", metavar="OUT.xlsx", type=Path, help="the workbook to write")
    p.add_argument(
        "--from",
        dest="source",
        metavar="INSTANCE",
        type=Path,
        help="fill the workbook with this instance (folder or workbook) instead of examples",
    )
    p.add_argument(
        "--streets",
        metavar="A,B",
        default="",
        help="streets offered in the street dropdown, comma-separated",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"sharedprop template: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    from sharedprop.io.instances import load_instance
    from sharedprop.io.template import write_instance_workbook, write_template

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        return _fail(f"OUT must end in .xlsx, got {out.name}")
    if out.exists() and not args.force:
        return _fail(f"{out} exists; choose another name or pass --force to overwrite it")
    if args.source is not None:
        instance = load_instance(args.source)
        write_instance_workbook(instance, out)
        print(
            f"wrote {out}: instance {instance.name} ({len(instance.communities)} communities, "
            f"{len(instance.firms)} firms, {len(instance.resources)} resources)"
        )
        return EXIT_OK
    streets = [s.strip() for s in args.streets.replace("，", ",").split(",") if s.strip()]
    write_template(out, streets=streets)
    print(f"wrote {out}: fill in the sheets, then run sharedprop validate {out}")
    return EXIT_OK
