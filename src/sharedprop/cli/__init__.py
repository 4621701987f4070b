"""The ``sharedprop`` command: a thin layer over the public Python API.

Exit codes: 0 success; 1 the plan breaks rules or no feasible plan was found; 2 bad input;
130 interrupted; 141 the reader of stdout went away (``sharedprop … | head``): no traceback,
the shell's 128 + SIGPIPE. Every subcommand lives in its own module here and registers itself
with ``register(subparsers)``; errors the user can cause are :class:`SharedpropError` and are
printed
as a message, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import time
from collections.abc import Sequence

from sharedprop.errors import SharedpropError
from sharedprop.i18n import LANGUAGES, use_language

EXIT_OK = 0
EXIT_RULES = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
# 128 + SIGPIPE, what a shell reports for a tool whose reader (``| head``) went away.
EXIT_BROKEN_PIPE = 141

# Module names under sharedprop.cli, in the order `sharedprop --help` lists them.
COMMANDS = (
    "solve",
    "evaluate",
    "validate",
    "compare",
    "explain",
    "frontier",
    "whatif",
    "stress",
    "sweep",
    "generate",
    "template",
    "app",
)


_LANG_OPTION = {
    "choices": LANGUAGES,
    "help": "language of messages and summaries: zh or en (default: from the locale, "
    "Chinese for a zh_* locale)",
}


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message short and clear."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"sharedprop: error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    from sharedprop import __version__

    parser = _Parser(
        prog="sharedprop",
        description="Group communities without property management into service packages "
        "and assign them to property firms at the least public money.",
    )
    parser.add_argument("--version", action="version", version=f"sharedprop {__version__}")
    parser.add_argument("--lang", **_LANG_OPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"sharedprop.cli.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet stays out of the menu
            if exc.name == f"sharedprop.cli.{name}":
                continue
            raise
        mod.register(sub)
    # --lang is global, and also accepted after the command (sharedprop solve X --lang zh).
    for command in sub.choices.values():
        command.add_argument("--lang", **_LANG_OPTION, default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, *, started: float | None = None) -> int:
    """Run one command; its exit code. ``started``: the :func:`time.monotonic` instant the
    command began (default: now), from which a limit on the whole command counts."""
    started = time.monotonic() if started is None else started
    parser = build_parser()
    args = parser.parse_args(argv)
    args.started = started
    with use_language(args.lang):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        code = args.func(args)
        # Piped output sits in a buffer: a reader that left shows up here, not at exit.
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except SharedpropError as exc:
        print(f"sharedprop: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("sharedprop: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        print(f"sharedprop: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return int(code or 0)


def _drop_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (captured in tests)
        pass


def process_age() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere 0)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            # The start time in clock ticks after boot is field 22, counted from the state
            # (field 3) after the command name's closing bracket.
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def run() -> None:  # pragma: no cover - console entry
    # The command's time counts from the interpreter's start: imports take a second or more.
    code = main(started=time.monotonic() - process_age())
    # Every output is written and closed by now. The interpreter's teardown of OR-Tools, Numba
    # and SciPy would take another 0.4-2 s (measured on the pilot), which --time-limit counts:
    # flush what is left and exit at once.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError, ValueError):  # the reader went away
        _drop_stdout()
        code = code or EXIT_BROKEN_PIPE
    logging.shutdown()
    os._exit(code)
