"""The service's settings as one closed table: Flask config key, environment variable, flag,
default.

:func:`load` builds the config of one app: defaults, then ``NELMKG_*`` environment variables,
then the ``test_config`` mapping given to ``create_app`` (keys of :data:`SETTINGS` only: an
unknown key is refused, as a typo would otherwise be ignored). Values are parsed and checked
here, so a bad value stops start-up with one line naming the variable (or the flag).
:data:`SERVER_SETTINGS` are read by ``nelmkg serve`` only (bind address, worker count, the
front's guards against slow and greedy clients, :mod:`nelmkg.web.front`, metrics and logs).

Every setting is also a flag of ``nelmkg serve``, generated from this table by
:func:`add_flags` (``NELMKG_QUERY_TIMEOUT`` is ``--query-timeout``; a flag wins over its
variable) and read back by :func:`from_flags`. The one table of the docs
(``docs/operations.md``) lists them all (a test checks).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting with a value that cannot be used; the message names the variable."""


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _nonnegative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _cors(text: str) -> str:
    value = text.strip().lower()
    if value not in ("off", "*"):
        raise ValueError("must be 'off' or '*'")
    return value


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _url(text: str) -> str:
    value = text.strip()
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _files(text: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in text.split(os.pathsep) if p.strip())


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise ValueError("must be a TCP port, 1 to 65535")
    return value


def _choice(*names: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in names:
            raise ValueError(f"must be one of {', '.join(names)}")
        return value

    return parse


def _directory(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise ValueError("is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError("is not writable")
    return path


@dataclass(frozen=True)
class Setting:
    """One configurable value."""

    key: str
    env: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    flag: str | None = None  # None: from the variable, NELMKG_MAX_ROWS -> --max-rows
    many: bool = False  # the flag takes several values, added to the variable's
    shown_as: str | None = None  # the default in words, when it is not a constant

    @property
    def option(self) -> str:
        """Return the ``nelmkg serve`` flag of this setting."""
        return self.flag or "--" + self.env.removeprefix("NELMKG_").lower().replace("_", "-")

    @property
    def shown(self) -> str:
        """Return the default as the docs and ``--help`` show it."""
        value = self.default
        if self.shown_as is not None:
            return self.shown_as
        if isinstance(value, bool):
            return "on" if value else "off"
        if value is None or value == ():
            return "(none)"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "QUERY_TIMEOUT",
        "NELMKG_QUERY_TIMEOUT",
        10.0,
        _positive_float,
        "seconds one query may run; then its evaluator process is killed and the answer is 503",
    ),
    Setting(
        "MAX_ROWS",
        "NELMKG_MAX_ROWS",
        10_000,
        _positive_int,
        "result rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned at most; a longer "
        "result is cut and the response carries `Nelmkg-Truncated: true`",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        "NELMKG_MAX_BODY",
        5 * 1024 * 1024,
        _positive_int,
        "request body bytes accepted (default 5 MiB); a larger body gets 413",
    ),
    Setting(
        "FHIR_MAX_ENTRIES",
        "NELMKG_FHIR_MAX_ENTRIES",
        1000,
        _positive_int,
        "entries read in one FHIR Bundle (`/assess`, `/validate`, CDS Hooks); more gets 413",
    ),
    Setting(
        "QUERY_MEMORY_MB",
        "NELMKG_QUERY_MEMORY",
        1024,
        _nonnegative_int,
        "address space (MiB) an evaluator may grow by while answering queries (0: no cap)",
    ),
    Setting(
        "CACHE_MB",
        "NELMKG_CACHE",
        32,
        _nonnegative_int,
        "MiB of recent answers each worker keeps and reuses (the data never changes; 0: off)",
    ),
    Setting(
        "CORS",
        "NELMKG_CORS",
        "off",
        _cors,
        "`off`, or `*` to let any web page query the service (no credentials)",
    ),
    Setting(
        "DATA_FILES",
        "NELMKG_DATA",
        (),
        _files,
        "extra RDF files (.ttl .nt .trig .nq) loaded as named graphs, separated by `:`; the "
        "flag takes several and adds them to the variable's",
        many=True,
    ),
    Setting(
        "ACCESS_LOG",
        "NELMKG_ACCESS_LOG",
        True,
        _boolean,
        "log one line per request (method, path, status, size, time, request id; never the "
        "query string or the body)",
    ),
    Setting(
        "MAX_BATCH",
        "NELMKG_MAX_BATCH",
        1000,
        _positive_int,
        "cases accepted in one `/assess` request (JSON array or NDJSON); more gets 413",
    ),
    Setting(
        "QUERY_SLOTS",
        "NELMKG_QUERY_SLOTS",
        4,
        _positive_int,
        "queries each worker evaluates at once (one evaluator process each); one more gets 503 "
        "with `Retry-After`",
    ),
    Setting(
        "QUERY_SLOTS_PER_CLIENT",
        "NELMKG_QUERY_SLOTS_PER_CLIENT",
        2,
        _nonnegative_int,
        "of those, how many one client address may hold in a worker (0: no cap); one more "
        "gets 429 with `Retry-After`",
    ),
    Setting(
        "CASE_SLOTS",
        "NELMKG_CASE_SLOTS",
        2,
        _positive_int,
        "evaluator processes per worker that read and check the cases of `/assess` and "
        "`/validate`",
    ),
    Setting(
        "CASE_TIMEOUT",
        "NELMKG_CASE_TIMEOUT",
        10.0,
        _positive_float,
        "seconds reading and checking one request's cases may take; then the work is killed "
        "and the answer is 503",
    ),
    Setting(
        "STORE",
        "NELMKG_STORE",
        None,
        _url,
        "answer from this SPARQL 1.1 query endpoint instead of the embedded store (load it "
        "with `nelmkg load --into`; docs/external-store.md)",
    ),
    Setting(
        "STORE_GSP",
        "NELMKG_STORE_GSP",
        None,
        _url,
        "the external store's Graph Store Protocol endpoint, if any: whole graphs are read "
        "from it at start-up",
    ),
    Setting(
        "STORE_USER",
        "NELMKG_STORE_USER",
        None,
        str,
        "user name for the external store (Basic or Digest authentication, as it asks)",
    ),
    Setting(
        "STORE_PASSWORD",
        "NELMKG_STORE_PASSWORD",
        None,
        str,
        "password for the external store (give it in the environment: a flag shows in the "
        "process list; never logged)",
    ),
    Setting(
        "STORE_TIMEOUT",
        "NELMKG_STORE_TIMEOUT",
        10.0,
        _positive_float,
        "seconds a page or start-up read from the external store may take; then 503 "
        "`store-unavailable` (queries keep to `NELMKG_QUERY_TIMEOUT`)",
    ),
    Setting(
        "COMMIT",
        "NELMKG_COMMIT",
        None,
        str,
        "git commit reported by /version",
        shown_as="`git rev-parse HEAD` of the checkout",
    ),
)

SERVER_SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "NELMKG_HOST", "127.0.0.1", str, "address `nelmkg serve` listens on"),
    Setting("PORT", "NELMKG_PORT", 8000, _port, "port `nelmkg serve` listens on"),
    Setting(
        "WORKERS",
        "NELMKG_WORKERS",
        os.cpu_count() or 1,
        _positive_int,
        "gunicorn worker processes",
        shown_as="the number of CPUs",
    ),
    Setting(
        "HEADER_TIMEOUT",
        "NELMKG_HEADER_TIMEOUT",
        10.0,
        _positive_float,
        "seconds a client has to send a request's headers (and an idle connection stays "
        "open); then the connection is closed",
    ),
    Setting(
        "MIN_BODY_RATE",
        "NELMKG_MIN_BODY_RATE",
        1024,
        _nonnegative_int,
        "bytes per second a request body must average after the first `NELMKG_HEADER_TIMEOUT`"
        " seconds; a slower one is dropped (0: no minimum)",
    ),
    Setting(
        "MAX_CONNECTIONS",
        "NELMKG_MAX_CONNECTIONS",
        1000,
        _positive_int,
        "open connections per worker; beyond it the worker accepts no more until some close",
    ),
    Setting(
        "MAX_CLIENT_CONNECTIONS",
        "NELMKG_MAX_CLIENT_CONNECTIONS",
        100,
        _positive_int,
        "open connections per client address per worker; one more is closed at once",
    ),
    Setting(
        "METRICS_DIR",
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        _directory,
        "directory where the workers keep their Prometheus counts, summed by `/metrics` "
        "(prometheus-client's own variable; stale counts in it are removed at start-up)",
        flag="--metrics-dir",
        shown_as="a private temporary directory, made at start-up and removed at exit",
    ),
    Setting(
        "LOG_FORMAT",
        "NELMKG_LOG_FORMAT",
        "json",
        _choice("json", "text"),
        "`json`: one JSON object per log line (time, level, logger, pid, message, request id "
        "and the access log's fields); `text`: plain lines",
    ),
    Setting(
        "LOG_LEVEL",
        "NELMKG_LOG_LEVEL",
        "info",
        _choice("debug", "info", "warning", "error"),
        "least severe log level written",
    ),
)


def from_env(settings: tuple[Setting, ...], environ: Mapping[str, str]) -> dict[str, Any]:
    """Return each setting's value: from ``environ`` when set there, else its default."""
    values = {}
    for setting in settings:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            values[setting.key] = setting.default
            continue
        try:
            values[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={raw!r}: {exc}") from exc
    return values


def add_flags(parser: argparse.ArgumentParser, settings: tuple[Setting, ...]) -> None:
    """Add one flag per setting to ``parser``; the values are read by :func:`from_flags`."""
    for setting in settings:
        parser.add_argument(
            setting.option,
            dest=setting.key,
            default=None,
            nargs="+" if setting.many else None,
            metavar="FILE" if setting.many else "VALUE",
            help=f"{setting.help.replace('%', '%%')} [{setting.env}; default: {setting.shown}]",
        )


def from_flags(settings: tuple[Setting, ...], args: argparse.Namespace) -> dict[str, Any]:
    """Return the parsed values of the flags given in ``args`` (flags left out are absent)."""
    values = {}
    for setting in settings:
        raw = getattr(args, setting.key, None)
        if raw is None:
            continue
        texts = raw if setting.many else [raw]
        try:
            parsed = [setting.parse(text) for text in texts]
        except ValueError as exc:
            raise ConfigError(f"{setting.option} {' '.join(texts)!r}: {exc}") from exc
        values[setting.key] = tuple(p for ps in parsed for p in ps) if setting.many else parsed[0]
    return values


def load(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return the app config: defaults < environment < ``test_config``; refuse unknown keys."""
    values = from_env(SETTINGS, os.environ if environ is None else environ)
    overrides = dict(test_config or {})
    unknown = sorted(set(overrides) - {s.key for s in SETTINGS})
    if unknown:
        known = ", ".join(s.key for s in SETTINGS)
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; known: {known}")
    values.update(overrides)
    values["DATA_FILES"] = tuple(Path(p) for p in values["DATA_FILES"])
    # Werkzeug caps url-encoded form fields separately (500 kB); a form-posted query may be
    # as large as any other body.
    values.setdefault("MAX_FORM_MEMORY_SIZE", values["MAX_CONTENT_LENGTH"])
    return values
