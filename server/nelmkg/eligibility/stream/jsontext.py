"""A whole JSON text of cases: one object, an array, or NDJSON, with exact error positions.

Used for small inputs and for the inputs the streaming readers (:mod:`nelmkg.eligibility.
sources`) cannot sniff from their first line; fractions are read as ``Decimal``, as the case
reader reads them, and ``NaN``/``Infinity`` are refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal


class InputError(Exception):
    """An input that cannot be read or parsed; the message starts with ``file:line:column``."""


@dataclass
class Parsed:
    """The cases of one JSON text, and the shape to echo in JSON output."""

    name: str
    shape: str  # "object", "array" or "ndjson"
    cases: list = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # NDJSON: the line of each case


def _refuse(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse)


def loads(text: str, name: str, line: int | None = None):
    """Parse JSON (fractions as ``Decimal``); raise :class:`InputError` naming the place.

    With ``line`` (an NDJSON line) any error names that line; without, a first value followed
    by more raises the ``JSONDecodeError`` itself (the caller then reads NDJSON).
    """
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse)
    except json.JSONDecodeError as exc:
        if line is None and exc.msg.startswith("Extra data"):
            raise
        raise InputError(f"{name}:{line or exc.lineno}:{exc.colno}: {exc.msg}") from exc
    except ValueError as exc:
        raise InputError(f"{name}:{line or 1}:1: {exc}") from exc


def parse_json_text(text: str, name: str, ndjson: bool = False) -> Parsed:
    """Return the cases of a JSON object, array or NDJSON text; raise :class:`InputError`."""
    if not ndjson:
        try:
            value = loads(text, name)
        except json.JSONDecodeError:
            pass  # NDJSON, whose errors name their own line
        else:
            if isinstance(value, dict):
                return Parsed(name, "object", [value])
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                return Parsed(name, "array", value)
            raise InputError(f"{name}:1:1: expected a case object or an array of case objects")
    cases, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            value = loads(line, name, number)
            if not isinstance(value, dict):
                raise InputError(f"{name}:{number}:1: expected one case object per line")
            cases.append(value)
            lines.append(number)
    return Parsed(name, "ndjson", cases, lines)


def parse_line(raw: bytes, name: str, number: int) -> dict:
    """Parse one NDJSON line into a case object; raise :class:`InputError` naming the line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}:{number}:{exc.start + 1}: not UTF-8") from exc
    try:
        value, end = DECODER.raw_decode(text)
        clean = not text[end:].strip()
    except ValueError:
        clean = False
    if not clean:  # read again the usual way, for the parser's own message and place
        value = loads(text, name, number)
    if not isinstance(value, dict):
        raise InputError(f"{name}:{number}:1: expected one case object per line")
    return value
