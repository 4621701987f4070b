"""``sharedprop generate OUT``: write a synthetic Xiamen-like instance and its manual plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sharedprop.cli import EXIT_BAD_INPUT, EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "generate",
        help="write a synthetic Xiamen-like instance with its manual plan",
        description="Write a synthetic Xiamen-like instance folder (instance.toml, "
        "communities.csv, firms.csv, resources.csv) and plans/manual.csv, the plan a careful "
        "street office makes by hand. The same arguments always give the same files.",
    )
    p.add_argument("out", metavar="OUT", type=Path, help="folder to write (must be empty)")
    p.add_argument("--communities", type=int, default=120, metavar="N", help="default 120")
    p.add_argument("--streets", type=int, default=3, metavar="S", help="default 3")
    p.add_argument("--firms", type=int, default=8, metavar="F", help="default 8")
    p.add_argument("--resources", type=int, default=6, metavar="R", help="default 6")
    p.add_argument(
        "--candidates",
        type=int,
        default=0,
        metavar="C",
        help="more resources with available = false, which a bureau could bring in (default 0)",
    )
    p.add_argument("--seed", type=int, default=0, metavar="K", help="random seed, default 0")
    p.add_argument("--name", help="instance name (default: from the sizes and seed)")
    p.add_argument("--force", action="store_true", help="write into a non-empty OUT")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"sharedprop generate: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    from sharedprop.generate import generate_instance

    out: Path = args.out
    if out.exists() and not out.is_dir():
        return _fail(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        return _fail(f"{out} is not empty; choose another folder or pass --force to overwrite")
    try:
        path = generate_instance(
            out,
            communities=args.communities,
            streets=args.streets,
            firms=args.firms,
            resources=args.resources,
            seed=args.seed,
            name=args.name,
            candidates=args.candidates,
        )
    except ValueError as exc:
        return _fail(str(exc))
    print(
        f"wrote {path}: {args.communities} communities in {args.streets} streets, "
        f"{args.firms} firms, {args.resources} resources"
        + (f" and {args.candidates} candidates" if args.candidates else "")
        + f" (seed {args.seed}), "
        f"and the manual plan {path / 'plans' / 'manual.csv'}"
    )
    return EXIT_OK
