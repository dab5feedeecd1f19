"""The shared part of every command-line verb: parsed arguments, output, the lazily opened context."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from esca_desktop.context import AppContext, open_context
from esca_desktop.services.assessments import AssessmentService, Interview

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
        print(text, file=self.out)

    def emit_json(self, data: Any) -> None:
        json.dump(data, self.out, ensure_ascii=False, indent=2, default=str)
        self.out.write("\n")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def close(self) -> None:
        if self._context is not None:
            self._context.close()


Handler = Callable[[Cli], int]
Handlers = dict[tuple[str, str | None], Handler]
