"""Entry point of `esca-desktop` and `python -m esca_desktop`."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    import os

    from esca_desktop.cli import run

    try:
        return run(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
