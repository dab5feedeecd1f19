"""The shared part of every command-line verb: parsed arguments, output, the lazily opened context.

All output goes through `Cli.print`, `Cli.table`, `Cli.emit_json` and `Cli.warn`, which escape control
characters (`text.terminal_safe`): a name typed by someone else cannot repaint the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from esca_desktop.context import AppContext, open_context
from esca_desktop.services.assessments import AssessmentService, Interview
from esca_desktop.text import terminal_safe

PROG = "esca-desktop"


def json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for programs")


class Cli:
    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.lang: str = args.lang or "en"
        self._context: AppContext | None = None

    @property
    def context(self) -> AppContext:
        if self._context is None:
            self._context = open_context(self.args.data_dir, lang=self.lang)
        return self._context

    @property
    def service(self) -> AssessmentService:
        return AssessmentService(self.context)

    def open_interview(self) -> Interview:
        return self.service.open(self.args.id, lang=self.args.lang)

    def print(self, text: str = "") -> None:
        print(terminal_safe(text), file=self.out)

    def warn(self, text: str) -> None:
        """A line on standard error (a warning, a note, progress), escaped like `print`."""
        print(terminal_safe(text), file=sys.stderr, flush=True)

    def emit_json(self, data: Any) -> None:
        # still exact JSON: the escapes terminal_safe writes are JSON's own
        self.out.write(terminal_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        cells = [[terminal_safe(str(cell), multiline=False) for cell in row] for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        for row in cells:
            self.print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def close(self) -> None:
        if self._context is not None:
            self._context.close()


Handler = Callable[[Cli], int]
Handlers = dict[tuple[str, str | None], Handler]
