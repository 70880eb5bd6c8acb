"""HTTP to the store, and to nothing else: one persistent connection per process and thread.

Only the standard library's :mod:`http.client`: every request goes to the host and port of a
URL given at start-up (:class:`Target`), redirects are never followed (a 3xx is an error
naming where the store wanted to send us), and every connect and read has a timeout. A
connection is kept per process and thread and reused (keep-alive); one whose last response
was not read to the end (a result cut at the row cap) is closed rather than reused, and a
forked child never touches its parent's socket.

Failures are two exceptions: :class:`StoreUnavailable` (cannot connect, timed out, the
connection broke, or the store answered 5xx: the service answers 503) and
:class:`StoreRefused` (the store answered 4xx or a redirect: it will not do what was asked).
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from nelmkg.graph.remote.auth import Credentials

MAX_ERROR_TEXT = 300  # bytes of a store's error body quoted in a message


class StoreError(Exception):
    """The store did not give the answer asked for (base class).

    ``reason`` says what went wrong without naming the store (the public may read it); the
    message names the store's URL too (for the log).
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class StoreUnavailable(StoreError):
    """The store cannot be reached, did not answer in time, or failed (5xx)."""


class StoreRefused(StoreError):
    """The store answered the request with a refusal (4xx, or a redirect nelmkg won't follow)."""

    def __init__(self, status: int, message: str, reason: str | None = None) -> None:
        super().__init__(message, reason)
        self.status = status


@dataclass(frozen=True)
class Target:
    """An ``http``/``https`` URL split into what a connection needs."""

    scheme: str
    host: str
    port: int
    path: str  # path and query string

    @classmethod
    def parse(cls, url: str) -> Target:
        """Return the target of ``url``; raise ``ValueError`` for anything but a plain URL."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        if parts.username or parts.password:
            raise ValueError(
                "put no credentials in the store URL; use NELMKG_STORE_USER and "
                "NELMKG_STORE_PASSWORD"
            )
        if parts.fragment:
            raise ValueError(f"{url!r}: a store URL has no #fragment")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, parts.hostname, port, path)

    @property
    def origin(self) -> tuple[str, int]:
        """Return ``(host, port)``: the one place requests to this target go."""
        return self.host, self.port

    def with_params(self, params: list[tuple[str, str]]) -> str:
        """Return the path with ``params`` added to its query string."""
        if not params:
            return self.path
        joiner = "&" if "?" in self.path else "?"
        return self.path + joiner + urlencode(params)

    def __str__(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.path}"


class Client:
    """Requests to targets, with credentials, a timeout, and a kept connection per thread."""

    def __init__(self, credentials: Credentials | None = None, timeout: float = 10.0) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self._tls: ssl.SSLContext | None = None
        self._local = threading.local()

    def __getstate__(self) -> dict:  # a pickled copy (a forked evaluator's) starts unconnected
        state = dict(self.__dict__)
        state["_local"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def request(
        self,
        method: str,
        target: Target,
        params: list[tuple[str, str]] = (),
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> http.client.HTTPResponse:
        """Send a request and return the response (status 2xx), its body not yet read.

        Raises :class:`StoreUnavailable` or :class:`StoreRefused`.
        """
        path = target.with_params(list(params))
        wait = self.timeout if timeout is None else timeout
        for attempt in range(3):  # a stale kept connection, then a 401 challenge, then give up
            sent = dict(headers or {})
            auth = self.credentials.header(method, path) if self.credentials else None
            if auth:
                sent["Authorization"] = auth
            conn, fresh = self._connection(target, wait)
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(target)
                if fresh or attempt:
                    why = f"the connection broke ({exc})"
                    raise StoreUnavailable(f"{target}: {why}", why) from exc
                continue  # the store closed a kept connection: one retry on a new one
            except (OSError, http.client.HTTPException) as exc:
                self._drop(target)
                raise StoreUnavailable(f"{target}: {_reason(exc)}", _reason(exc)) from exc
            self._remember(target, response)
            if response.status == 401 and self._challenged(response) and attempt < 2:
                read_all(response, time.monotonic() + wait)
                continue
            return check(response, target)
        why = "the store refused the credentials"
        raise StoreRefused(401, f"{target}: {why}", why)

    def _challenged(self, response: http.client.HTTPResponse) -> bool:
        header = response.getheader("WWW-Authenticate")
        return bool(self.credentials and header and self.credentials.learn(header))

    def _connections(self) -> dict:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # forked: never reuse the parent's socket
            local.pid, local.conns = os.getpid(), {}
        return local.conns

    def _connection(
        self, target: Target, timeout: float
    ) -> tuple[http.client.HTTPConnection, bool]:
        conns = self._connections()
        key = (target.scheme, target.origin)
        held = conns.get(key)
        if held is not None:
            conn, last = held
            if last is None or (last.isclosed() and not getattr(last, "abandoned", False)):
                conn.timeout = timeout
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                    return conn, False
            conn.close()  # the last answer was left unread: the connection cannot be reused
        if target.scheme == "https":
            if self._tls is None:  # made once, before any fork: it reads the CA files
                self._tls = ssl.create_default_context()
            conn = http.client.HTTPSConnection(
                target.host, target.port, timeout=timeout, context=self._tls
            )
        else:
            conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        conns[key] = (conn, None)
        return conn, True

    def _remember(self, target: Target, response: http.client.HTTPResponse) -> None:
        conns = self._connections()
        key = (target.scheme, target.origin)
        if key in conns:
            conns[key] = (conns[key][0], response)

    def _drop(self, target: Target) -> None:
        held = self._connections().pop((target.scheme, target.origin), None)
        if held is not None:
            held[0].close()

    def close(self) -> None:
        """Close this thread's connections."""
        for conn, _ in self._connections().values():
            conn.close()
        self._connections().clear()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the store running?)"
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve"
    return str(exc) or type(exc).__name__


def check(response: http.client.HTTPResponse, target: Target) -> http.client.HTTPResponse:
    """Return a 2xx response; raise for any other status (reading the error body briefly)."""
    status = response.status
    if 200 <= status < 300:
        return response
    try:
        text = response.read(MAX_ERROR_TEXT).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):
        text = ""
    abandon(response)  # an error body read in part only
    if 300 <= status < 400:
        where = response.getheader("Location", "?")
        why = "the store answered with a redirect, and redirects are not followed"
        raise StoreRefused(status, f"{target}: redirect to {where}", why)
    reason = f"HTTP {status}" + (f": {' '.join(text.split())}" if text else "")
    if status >= 500:
        raise StoreUnavailable(f"{target}: {reason}", reason)
    raise StoreRefused(status, f"{target}: {reason}", reason)


def abandon(response: http.client.HTTPResponse) -> None:
    """Close a response left unread: its connection is then never reused (stale bytes)."""
    response.abandoned = True  # closed by hand, unlike one read to its end (Client._connection)
    response.close()


def read_all(response: http.client.HTTPResponse, deadline: float, limit: int = 0) -> bytes:
    """Read a whole body before ``deadline`` (monotonic) and within ``limit`` bytes (0: none)."""
    chunks, size = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise StoreUnavailable("the store sent its answer too slowly")
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if limit and size > limit:
                raise StoreRefused(413, f"the store's answer is larger than {limit} bytes")
            chunks.append(chunk)
    except (OSError, http.client.HTTPException) as exc:
        abandon(response)
        raise StoreUnavailable(f"reading the store's answer: {_reason(exc)}") from exc
    except StoreError:
        abandon(response)
        raise
