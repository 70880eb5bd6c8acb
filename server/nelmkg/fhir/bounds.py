"""Bounds checked on a parsed Bundle before any model sees it.

The FHIR models validate recursively: a Bundle whose extensions nest a few hundred levels
deep exhausts the interpreter's stack inside pydantic. So the nesting depth is measured here
without recursion (an explicit stack), and the entry count is checked before validation.
Numbers are checked when a value is read (:func:`check_number`): a lexical form with an
absurd exponent or length is refused before any arithmetic is done on it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nelmkg.fhir.issues import fail

MAX_DEPTH = 40  # JSON nesting levels; a real Bundle of Observations needs about a dozen
MAX_DIGITS = 30  # significant digits of a fact's number
MAX_EXPONENT = 30  # |adjusted exponent| of a fact's number


def _too_deep(doc: Any, limit: int) -> bool:
    """Return True when ``doc`` nests deeper than ``limit`` (containers only: fast)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def depth_over(doc: Any, limit: int) -> str | None:
    """Return the FHIRPath-like location of the first node deeper than ``limit``, or None.

    The quick check runs first; locations are only built for a document that fails it.
    """
    if not isinstance(doc, dict | list) or not _too_deep(doc, limit):
        return None
    stack: list[tuple[Any, int, str]] = [(doc, 1, "Bundle")]
    while stack:
        node, depth, where = stack.pop()
        if depth > limit:
            return where
        if isinstance(node, dict):
            stack.extend((v, depth + 1, f"{where}.{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(node))
    return None


def check_bounds(doc: dict, max_entries: int, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`~nelmkg.fhir.issues.BundleError` for too many entries or too deep JSON."""
    entries = doc.get("entry")
    if isinstance(entries, list) and len(entries) > max_entries:
        raise fail(
            "fhir-too-large",
            "too-costly",
            f"the Bundle has {len(entries)} entries; this service reads at most {max_entries}",
            "Bundle.entry",
        )
    where = depth_over(doc, max_depth)
    if where is not None:
        raise fail(
            "fhir-invalid-bundle",
            "too-costly",
            f"the Bundle nests deeper than {max_depth} JSON levels (extensions within "
            "extensions?); this service reads no deeper",
            where,
        )


def check_number(value: Any, expression: str) -> Decimal | int:
    """Return a JSON number checked to be finite and of sane size; raise BundleError."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise fail("fhir-data-problem", "value", f"{value!r} is not a JSON number", expression)
    number = Decimal(repr(value)) if isinstance(value, float) else value
    if isinstance(number, Decimal):
        if not number.is_finite():
            raise fail("fhir-data-problem", "value", "the number is not finite", expression)
        digits = len(number.as_tuple().digits)
        if digits > MAX_DIGITS or abs(number.adjusted()) > MAX_EXPONENT:
            raise fail(
                "fhir-data-problem",
                "value",
                f"the number {number} has more digits or a larger exponent than this service "
                f"reads (at most {MAX_DIGITS} digits, exponent within ±{MAX_EXPONENT})",
                expression,
            )
    elif abs(number) >= 10**MAX_EXPONENT:
        raise fail("fhir-data-problem", "value", "the number is too large", expression)
    return number
