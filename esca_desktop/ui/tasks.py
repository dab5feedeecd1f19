"""Runs slow work (documents, signatures, sync) off the GUI thread and reports back on it.

Tasks must not touch widgets: they get plain arguments and return a value; `done(value)` or
`failed(error)` run on the GUI thread afterwards."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.work = work
        self.signals = signals

    def run(self) -> None:
        try:
            value = self.work()
        except BaseException as error:
            self.signals.failed.emit(error)
            return
        self.signals.done.emit(value)


class TaskRunner(QObject):
    """One task at a time (documents and sync are not meant to overlap)."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._running = 0
        self._keep: set[_Signals] = set()

    @property
    def busy(self) -> bool:
        return self._running > 0

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        signals = _Signals()
        self._keep.add(signals)

        def finish() -> None:
            self._keep.discard(signals)
            self._running -= 1
            if not self._running:
                self.busy_changed.emit(False)

        def on_done(value: Any) -> None:
            finish()
            done(value)

        def on_failed(error: BaseException) -> None:
            finish()
            if failed is not None:
                failed(error)
            else:
                sys.excepthook(type(error), error, error.__traceback__)

        signals.done.connect(on_done)
        signals.failed.connect(on_failed)
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Runnable(work, signals))

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
