"""A TCP relay on 127.0.0.1 in front of a store server, for the failure tests of ``--store``.

For tests only. :class:`Relay` passes every connection through to the store (``pass``), or
stands for a store that has become slow: it accepts, reads the request and never answers
(``hold``, until the relay is closed). Every request's bytes are kept (``seen``), so a test
can show that a query nelmkg refused never reached the store.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from urllib.parse import unquote_plus

HOLD_LIMIT = 120.0  # seconds a held connection is kept at most (the relay stops by itself)


class Relay:
    """Relay ``127.0.0.1:port`` to ``upstream``; ``mode`` is ``"pass"`` or ``"hold"``."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.mode = "pass"
        self.seen: list[bytes] = []
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Return ``http://127.0.0.1:PORT/path`` on the relay."""
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def requests_text(self) -> str:
        """Return every request seen so far, form-decoded, as one text."""
        return unquote_plus(b"".join(self.seen).decode("latin-1"))

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            if self.mode == "hold":
                client.settimeout(1.0)
                with contextlib.suppress(OSError):
                    self.seen.append(client.recv(65536))
                self._closed.wait(HOLD_LIMIT)
                return
            with contextlib.suppress(OSError), socket.create_connection(self.upstream) as store:
                self._pump(client, store)

    def _pump(self, client: socket.socket, store: socket.socket) -> None:
        ends = {client: store, store: client}
        while not self._closed.is_set():
            ready, _, _ = select.select(list(ends), [], [], 0.5)
            for side in ready:
                data = side.recv(65536)
                if not data:
                    return
                if side is client:
                    self.seen.append(data)
                    if self.mode == "hold":  # a kept connection goes slow too: never answered
                        continue
                ends[side].sendall(data)
