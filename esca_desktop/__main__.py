"""Entry point of `esca-desktop` and `python -m esca_desktop`.

Without a verb the window starts, and it starts straight away: the command-line machinery (and
with it the store, the reports and every verb) is imported only when a verb is given."""

from __future__ import annotations

import sys
from collections.abc import Sequence

WINDOW_LANGUAGES = ("en", "de")
WINDOW_OPTIONS = {"--data-dir": True, "--open": True, "--lang": True, "--samples": False}  # name: takes a value


def window_options(argv: Sequence[str]) -> dict[str, str | bool] | None:
    """The window's options when `argv` asks for the window (no verb, no --help), else None."""
    options: dict[str, str | bool] = {}
    items = list(argv)
    while items:
        item = items.pop(0)
        name, _, inline = item.partition("=")
        if name not in WINDOW_OPTIONS:
            return None
        if WINDOW_OPTIONS[name]:
            if inline:
                options[name] = inline
            elif items:
                options[name] = items.pop(0)
            else:
                return None  # let the command line report the missing value
            if name == "--lang" and options[name] not in WINDOW_LANGUAGES:
                return None  # let the command line name the languages
        else:
            options[name] = True
    return options


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    options = window_options(arguments)
    if options is not None:
        from esca_desktop.app import run_gui

        data_dir, open_id, lang = options.get("--data-dir"), options.get("--open"), options.get("--lang")
        return run_gui(
            data_dir if isinstance(data_dir, str) else None,
            open_id if isinstance(open_id, str) else None,
            bool(options.get("--samples")),
            lang if isinstance(lang, str) else None,
        )

    import os

    from esca_desktop.cli import run

    try:
        return run(arguments)
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
