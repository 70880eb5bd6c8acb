"""Content negotiation as data: the result formats and how an ``Accept`` header picks one.

Two tables, one per kind of result. The first row of each is the default (what a client
without an ``Accept`` header, or with ``*/*``, gets). HTML is ``explicit``: a wildcard never
selects it, only ``text/html`` (or an alias) named in the header. A ``format`` query
parameter, when given, overrides ``Accept``: its value is a row's ``key`` or one of its media
types.

Selection: a row's quality is that of the most specific ``Accept`` range matching its media
type (``type/subtype`` over ``type/*`` over ``*/*``; ``q=0`` refuses), or of an exact match of
one of its aliases (``application/json``, ``text/xml``, ...; wildcards do not reach aliases);
the row with the highest quality wins, ties going to the earlier row (the server's
preference). No row with quality above 0 means "406 Not Acceptable". A header with no
readable range counts as absent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One result format: a short key, the media type answered with, and accepted aliases."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    explicit: bool = False  # chosen only when named in Accept (never by a wildcard)
    charset: bool = False  # add "; charset=utf-8" to the Content-Type
    words: tuple[str, ...] = ()  # other names clients send in format/output/results

    def named(self, value: str) -> bool:
        """Return True if a ``format``-style parameter ``value`` names this row."""
        wanted = value.strip().lower()
        return wanted == self.key or wanted in self.names or wanted in self.words

    @property
    def content_type(self) -> str:
        """Return the Content-Type header value for this format."""
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    @property
    def names(self) -> tuple[str, ...]:
        """Return every media type this format answers to, the canonical one first."""
        return (self.media_type, *self.aliases)


# SELECT and ASK results.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json",), words=("srj",)),
    Format(
        "xml", "application/sparql-results+xml", ("application/xml", "text/xml"), words=("srx",)
    ),
    Format("csv", "text/csv", charset=True),
    Format("tsv", "text/tab-separated-values", charset=True),
    Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)

# CONSTRUCT and DESCRIBE results, and the service description.
GRAPH_FORMATS: tuple[Format, ...] = (
    # SPARQLWrapper and others name graph formats by the words of their result formats: "xml"
    # means RDF/XML and "json" JSON-LD for a CONSTRUCT; N3 clients read Turtle (N3 extends it).
    Format("turtle", "text/turtle", ("application/x-turtle",), charset=True, words=("ttl", "n3")),
    Format(
        "ntriples",
        "application/n-triples",
        ("text/plain",),
        charset=True,
        words=("nt", "n-triples"),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        words=("xml", "rdf", "rdf+xml"),
    ),
    Format("jsonld", "application/ld+json", ("application/json",), words=("json-ld", "json")),
    Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)

# Plain JSON documents (the named-query list, /healthz, /version) with an HTML view.
JSON_FORMATS: tuple[Format, ...] = (
    Format("json", "application/json"),
    Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)

FORMAT_KEYS = frozenset(f.key for table in (RESULT_FORMATS, GRAPH_FORMATS) for f in table)

# A parsed Accept range: (type, subtype, quality).
Range = tuple[str, str, float]


def parse_accept(header: str | None) -> list[Range]:
    """Parse an ``Accept`` header into ``(type, subtype, q)`` ranges; junk ranges are dropped.

    A missing or empty header means ``*/*``. Media types are compared case-insensitively;
    parameters other than ``q`` are ignored.
    """
    if not header or not header.strip():
        return [("*", "*", 1.0)]
    ranges: list[Range] = []
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0  # an unreadable q refuses rather than guesses
        ranges.append((kind, sub, quality))
    return ranges or [("*", "*", 1.0)]  # nothing readable: as if the header were absent


def quality(ranges: list[Range], media_type: str, explicit: bool = False) -> float:
    """Return the quality ``ranges`` give ``media_type`` (0 if none matches)."""
    kind, _, sub = media_type.partition("/")
    best: tuple[int, float] | None = None
    for r_kind, r_sub, q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            rank = 2
        elif r_kind == kind and r_sub == "*" and not explicit:
            rank = 1
        elif r_kind == "*" and not explicit:
            rank = 0
        else:
            continue
        if best is None or rank > best[0] or (rank == best[0] and q > best[1]):
            best = (rank, q)
    return best[1] if best else 0.0


def negotiate(accept: str | None, table: tuple[Format, ...]) -> Format | None:
    """Return the row of ``table`` that ``accept`` prefers, or None when nothing is acceptable."""
    if not accept or accept.strip() == "*/*":  # most clients: the default row, as ranked below
        return next((row for row in table if not row.explicit), None)
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for row in table:
        # Wildcards reach a row through its canonical media type only; aliases must be exact.
        q = max(
            [quality(ranges, row.media_type, row.explicit)]
            + [quality(ranges, alias, explicit=True) for alias in row.aliases]
        )
        if q > best_q:
            best, best_q = row, q
    return best


def by_name(value: str, table: tuple[Format, ...]) -> Format | None:
    """Return the row named by ``value`` (a ``format`` param): its key, a media type or a word."""
    return next((row for row in table if row.named(value)), None)


def _first(value: str, table: tuple[Format, ...]) -> Format | None:
    """Return the row named by ``value`` or, for a comma-separated list of media types (as
    SPARQLWrapper sends, e.g. ``application/ld+json,application/x-json+ld``), by its first
    known item."""
    for item in value.split(","):
        row = by_name(item, table) if item.strip() else None
        if row is not None:
            return row
    return None


# The query-string names clients use for the result format: SPARQLWrapper sends all three,
# each possibly twice (a word and a media type) or empty.
FORMAT_PARAMS = ("format", "output", "results")


class FormatParamError(ValueError):
    """Format parameters that name no format (``unknown``) or two different ones."""

    def __init__(self, slug: str, detail: str, parameter: str):
        super().__init__(detail)
        self.slug, self.detail, self.parameter = slug, detail, parameter


def from_params(params: dict[str, list[str]], table: tuple[Format, ...]) -> Format | None:
    """Return the row of ``table`` the format parameters name (None: they name none of it).

    Empty values are ignored and a value repeated, or a word and its media type, count once;
    a value may list media types separated by commas.
    A value no table knows, or two values naming different rows, raise :class:`FormatParamError`.
    """
    given = [(n, v) for n in FORMAT_PARAMS for v in params.get(n, []) if v.strip()]
    for name, value in given:
        if not any(_first(value, t) for t in (RESULT_FORMATS, GRAPH_FORMATS, JSON_FORMATS)):
            keys = ", ".join(sorted(FORMAT_KEYS))
            raise FormatParamError(
                "unknown-format",
                f"Unknown format '{value}'; use one of {keys} or a media type.",
                name,
            )
    rows = {_first(v, table) for _, v in given} - {None}
    if len(rows) > 1:
        shown = ", ".join(f"{n}={v}" for n, v in given)
        raise FormatParamError(
            "conflicting-format", f"The format parameters disagree ({shown}).", given[0][0]
        )
    return rows.pop() if rows else None


def choose(
    accept: str | None, format_param: str | None, table: tuple[Format, ...]
) -> Format | None:
    """Return the format for a response: the ``format`` parameter if given, else ``Accept``."""
    if format_param:
        return by_name(format_param, table)
    return negotiate(accept, table)
