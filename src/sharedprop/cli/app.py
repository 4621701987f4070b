"""``sharedprop app [INSTANCE]``: the planner's workbench, a local web app, in the browser."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sharedprop.cli import EXIT_BAD_INPUT, EXIT_OK
from sharedprop.i18n import language

DEFAULT_WORKSPACE = "sharedprop-workspace"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "app",
        help="open the planner's workbench (a local web app) in the browser",
        description="Start a local web app to load, edit, optimise and compare plans, and open "
        "the browser on it. Needs the extra: pip install 'sharedprop[app]'. The address carries "
        "a random token that every request must present; it listens on 127.0.0.1 only unless "
        "--host says otherwise.",
    )
    p.add_argument(
        "instance", metavar="INSTANCE", nargs="?", type=Path,
        help="an instance folder or .xlsx workbook to open (copied into the workspace)",
    )  # fmt: skip
    p.add_argument(
        "--workspace", type=Path, default=Path(DEFAULT_WORKSPACE), metavar="DIR",
        help="folder for the instance, the current plan and scenarios "
        f"(default ./{DEFAULT_WORKSPACE})",
    )  # fmt: skip
    p.add_argument("--port", type=int, default=8765, metavar="N", help="default 8765; 0 = any free")
    p.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )  # fmt: skip
    p.add_argument("--no-browser", action="store_true", help="print the address, do not open it")
    p.add_argument(
        "--workers", type=int, default=2, metavar="W",
        help="CP-SAT workers per solve (default 2)",
    )  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from sharedprop.app.server import serve
        from sharedprop.app.settings import LOOPBACK_HOSTS, AppSettings
        from sharedprop.app.workbench import Workbench
    except ModuleNotFoundError as exc:
        print(
            f"sharedprop app: error: {exc.name} is not installed; "
            "install the app's extra: pip install 'sharedprop[app]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    settings = AppSettings(
        workspace=args.workspace.resolve(),
        host=args.host,
        port=args.port,
        lang=language(),  # --lang, or the locale's (the CLI sets it around every command)
        solve_workers=args.workers,
    )
    if args.host not in LOOPBACK_HOSTS:
        print(
            f"sharedprop app: warning: listening on {args.host}: other machines on the network "
            "can reach the app (the token still guards it); use --host 127.0.0.1 to prevent it",
            file=sys.stderr,
        )
    bench = Workbench(settings)
    if args.instance is not None:
        state = bench.open_path(str(args.instance))
        if state.status != "valid":
            print(
                f"sharedprop app: {args.instance} has {len(state.problems)} problem(s); "
                "the app lists them",
                file=sys.stderr,
            )
    serve(settings, open_browser=not args.no_browser, workbench=bench)
    return EXIT_OK
