"""Entry point of `esca-desktop` and `python -m esca_desktop`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _start_window(args: argparse.Namespace) -> int:
    from esca_desktop.app import run_gui

    return run_gui(args.data_dir, args.open, args.samples)


def main(argv: Sequence[str] | None = None) -> int:
    import os

    from esca_desktop.cli import run

    try:
        return run(sys.argv[1:] if argv is None else argv, gui=_start_window)
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
