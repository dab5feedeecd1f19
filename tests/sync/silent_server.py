"""A real TCP server on 127.0.0.1 that accepts every connection and never answers, like a hotel or
public network holding the line until one logs in in a browser; `answer` makes it reply at last."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest


class SilentServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name=f"silent-{self.port}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        """How many connections it has accepted (and holds)."""
        with self._lock:
            return len(self._held)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._held.append(connection)

    def answer(self, status: int, data: Any) -> None:
        """Reply to every held connection at last (with JSON), then close it."""
        body = json.dumps(data).encode()
        reply = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode() + body
        with self._lock:
            held, self._held = self._held, []
        for connection in held:
            connection.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:  # read the request first: closing with unread data resets
                chunk = connection.recv(65536)
                if not chunk:
                    break
                request += chunk
            connection.sendall(reply)
            connection.shutdown(socket.SHUT_WR)
            connection.close()

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            held, self._held = self._held, []
        for connection in held:
            connection.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()
