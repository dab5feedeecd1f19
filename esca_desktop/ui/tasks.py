"""Runs slow work (documents, signatures, sync) off the GUI thread and reports back on it.

Tasks must not touch widgets: they get plain arguments and return a value; `done(value)` or
`failed(error)` run on the GUI thread afterwards.

Network work runs with `run_cancellable`: its Cancel frees the window at once. A request that
waits for a server cannot be interrupted, so the work is abandoned rather than stopped: its
outcome is dropped, it is told to stop (`cancel()` turns true), and it ends by itself on its
thread when its request returns or times out. Such tasks run one after the other on their own
daemon threads, never on the documents' pool, so that an abandoned one blocks neither the
documents nor quitting."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

Cancel = Callable[[], bool]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    settled = Signal()


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


class TaskHandle:
    """A running cancellable task; `cancelled` is the question the work asks between its steps."""

    def __init__(self, abandoned: Callable[[], None]) -> None:
        self._abandoned = abandoned
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._delivered = False  # the outcome is on its way to the GUI thread: too late to cancel
        self.thread: threading.Thread | None = None

    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> bool:
        """Abandon the task (GUI thread): True when its outcome will not arrive, False when it already did."""
        with self._lock:
            if self._delivered or self._cancelled.is_set():
                return False
            self._cancelled.set()
        self._abandoned()
        return True

    def _deliver(self) -> bool:
        with self._lock:
            if self._cancelled.is_set():
                return False
            self._delivered = True
            return True


class TaskRunner(QObject):
    """One task at a time (documents and sync are not meant to overlap)."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._running = 0
        self._keep: set[_Signals] = set()
        self._lane = threading.Lock()  # cancellable tasks run one after the other
        self._handles: set[TaskHandle] = set()
        self._open = True  # False after `shutdown`: nothing is reported any more

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

    def run_cancellable(
        self,
        work: Callable[[Cancel], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        settled: Callable[[], None] | None = None,
    ) -> TaskHandle:
        """Run `work(cancelled)` on its own thread. After `handle.cancel()` the window is free at once:
        neither `done` nor `failed` is called; `settled` is, once the abandoned work has ended."""
        signals = _Signals()
        finished = False

        def finish() -> None:
            nonlocal finished
            if finished:
                return
            finished = True
            self._running -= 1
            if not self._running:
                self.busy_changed.emit(False)

        handle = TaskHandle(abandoned=finish)  # the window is free at once; the work ends by itself
        self._keep.add(signals)
        self._handles.add(handle)

        def on_done(value: Any) -> None:
            self._forget(signals, handle)
            finish()
            done(value)

        def on_failed(error: BaseException) -> None:
            self._forget(signals, handle)
            finish()
            if failed is not None:
                failed(error)
            else:
                sys.excepthook(type(error), error, error.__traceback__)

        def on_settled() -> None:
            self._forget(signals, handle)
            if settled is not None:
                settled()

        queued = Qt.ConnectionType.QueuedConnection  # emitted on the task's thread, run on this one
        signals.done.connect(on_done, queued)
        signals.failed.connect(on_failed, queued)
        signals.settled.connect(on_settled, queued)

        def body() -> None:
            outcome: tuple[Any, Any] | None = None
            with self._lane:
                if not handle.cancelled():
                    try:
                        outcome = (signals.done, work(handle.cancelled))
                    except BaseException as error:
                        outcome = (signals.failed, error)
            if handle._deliver():
                assert outcome is not None
                signal, value = outcome
                signal.emit(value)
            elif self._open:
                signals.settled.emit()

        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        handle.thread = threading.Thread(target=body, name="esca-network", daemon=True)
        handle.thread.start()
        return handle

    def _forget(self, signals: _Signals, handle: TaskHandle) -> None:
        self._keep.discard(signals)
        self._handles.discard(handle)

    @property
    def lingering(self) -> int:
        """Cancellable tasks whose thread is still running (abandoned ones included)."""
        return sum(1 for h in list(self._handles) if h.thread is not None and h.thread.is_alive())

    def shutdown(self) -> None:
        """Abandon the cancellable tasks (the window is closing) and report nothing from now on."""
        self._open = False
        for handle in list(self._handles):
            handle.cancel()

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
