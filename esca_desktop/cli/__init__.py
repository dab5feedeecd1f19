"""The command line: headless verbs over the same services the window uses.

Human-readable output by default, `--json` where a machine reads it. Exit 0 on success, 2 with a
one-line message on stderr for a user error (a folder that cannot be written and a full disk are
user errors, wherever they are noticed); anything else is a bug and shows its traceback.
Each verb group lives in its own module with a `register(verbs) -> Handlers` function.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TextIO

from esca_desktop import __version__
from esca_desktop.cli.base import PROG, Cli, Handlers
from esca_desktop.errors import UserError
from esca_desktop.paths import folder_error
from esca_desktop.text import terminal_safe

VERB_MODULES = ("catalog", "assessments", "documents", "identity", "profile", "bundles", "sync")


def build_parser() -> tuple[argparse.ArgumentParser, Handlers]:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="ESCA Assessor: prepare, conduct and score Cluster Management Excellence assessments.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="data folder (default: ESCA_DESKTOP_DATA_DIR or the user data folder)"
    )
    parser.add_argument("--lang", choices=("en", "de"), help="language of catalog texts and messages")
    parser.add_argument("--open", metavar="ID", help="window: open this assessment")
    parser.add_argument(
        "--samples", action="store_true", help="window: create the sample assessments (once) and open the Gold one"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    handlers: Handlers = {}
    for name in VERB_MODULES:
        module = importlib.import_module(f"esca_desktop.cli.{name}")
        handlers.update(module.register(verbs))
    return parser, handlers


def run(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run a verb; returns the exit code. A `UserError` prints one line on stderr and returns 2.
    (Without a verb the entry point starts the window; here that prints the help.)"""
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help(out or sys.stdout)
        return 0
    cli = Cli(args, out or sys.stdout)
    handler = handlers[(args.verb, getattr(args, "action", None))]
    try:
        return handler(cli)
    except UserError as exc:
        print(terminal_safe(f"{PROG}: error: {exc.message}"), file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        problem = folder_error(exc, lang=cli.lang)
        if problem is None:
            raise
        print(terminal_safe(f"{PROG}: error: {problem.message}"), file=sys.stderr)
        return problem.exit_code
    finally:
        cli.close()
