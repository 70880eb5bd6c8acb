"""HTTP authentication to the store: Basic, or Digest (RFC 7616, MD5 with ``qop=auth``).

Credentials come from the environment only (``NELMKG_STORE_USER``, ``NELMKG_STORE_PASSWORD``),
never from the URL, so they appear in no log line or error message. Nothing is sent until the
store asks (a 401 with ``WWW-Authenticate``); the challenge is then kept and answered on every
later request (Basic as is, Digest with the next nonce count), so one round trip is spent once
per connection owner, not per request. Virtuoso's authenticated endpoints
(``/sparql-auth``, ``/sparql-graph-crud-auth``) ask for Digest; most others for Basic.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from urllib.request import parse_http_list, parse_keqv_list


class Credentials:
    """A user name and password, and the last challenge the store sent (shared by threads)."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self._password = password
        self._challenge: tuple[str, dict[str, str]] | None = None
        self._count = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the password
        return f"Credentials(user={self.user!r})"

    def learn(self, header: str) -> bool:
        """Keep the challenge of a ``WWW-Authenticate`` header; False if it cannot be answered."""
        scheme, _, rest = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme not in ("basic", "digest"):
            return False
        fields = parse_keqv_list(parse_http_list(rest)) if rest else {}
        if scheme == "digest" and fields.get("algorithm", "MD5").upper() != "MD5":
            return False
        with self._lock:
            self._challenge, self._count = (scheme, fields), 0
        return True

    def header(self, method: str, uri: str) -> str | None:
        """Return the ``Authorization`` value for a request, or None before any challenge."""
        with self._lock:
            if self._challenge is None:
                return None
            scheme, fields = self._challenge
            self._count += 1
            count = self._count
        if scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self._password}".encode()).decode("ascii")
            return f"Basic {token}"
        return self._digest(fields, method, uri, count)

    def _digest(self, fields: dict[str, str], method: str, uri: str, count: int) -> str:
        def md5(text: str) -> str:
            return hashlib.md5(text.encode("utf-8")).hexdigest()

        realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
        ha1 = md5(f"{self.user}:{realm}:{self._password}")
        ha2 = md5(f"{method}:{uri}")
        parts = {"username": self.user, "realm": realm, "nonce": nonce, "uri": uri}
        if "auth" in [q.strip() for q in fields.get("qop", "").split(",")]:
            nc, cnonce = f"{count:08x}", os.urandom(8).hex()
            parts["response"] = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            extra = f', qop=auth, nc={nc}, cnonce="{cnonce}"'
        else:
            parts["response"] = md5(f"{ha1}:{nonce}:{ha2}")
            extra = ""
        if "opaque" in fields:
            parts["opaque"] = fields["opaque"]
        quoted = ", ".join(f'{k}="{v}"' for k, v in parts.items())
        return f"Digest {quoted}, algorithm=MD5{extra}"


def from_env(environ=None) -> Credentials | None:
    """Return the credentials of ``NELMKG_STORE_USER``/``NELMKG_STORE_PASSWORD``, if set."""
    env = os.environ if environ is None else environ
    user = env.get("NELMKG_STORE_USER")
    if not user:
        return None
    return Credentials(user, env.get("NELMKG_STORE_PASSWORD", ""))
