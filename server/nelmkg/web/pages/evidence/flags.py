"""The citation audit as the pages use it: the report, its flags by resource, and their links.

The report is computed on first use and kept by the service (the data never changes while the
service runs). :class:`FlagIndex` answers "which flags concern this resource?" for the
recommendation, claim, reference and criterion pages (a flag concerns its subject, its claim
and recommendation, the claims it compares and the references it names), and where each flag
sits in the audit pages (``/audit/kind/<kind>#<anchor>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nelmkg import paths
from nelmkg.audit import KIND_NAMES, Flag, Report, html, run_audit
from nelmkg.audit.model import KIND_BY_NAME
from nelmkg.graph.vocab import ID
from nelmkg.web.service import current


def report() -> Report:
    """Return the service's audit report, computing it on first use."""
    service = current()

    def build() -> Report:
        text, source = paths.read_review()
        return run_audit(service.knowledge(), text, source)

    return service.built("audit", build)


def anchor(flag: Flag) -> str:
    """Return the HTML id of a flag on the audit pages (the same as in the audit file)."""
    return html.anchor(flag)


def slug(iri: str, kind: str) -> str | None:
    """Return the slug of ``https://w3id.org/nelmkg/id/<kind>/<slug>``, else None."""
    base = f"{ID}{kind}/"
    return iri[len(base) :] if iri.startswith(base) else None


def flag_url(flag: Flag) -> str:
    """Return the audit page and anchor where ``flag`` is shown in full."""
    return f"/audit/kind/{flag.kind}#{anchor(flag)}"


def audit_url(recommendation: str) -> str:
    """Return the audit page of one recommendation."""
    return f"/audit/recommendation/{slug(recommendation, 'recommendation')}"


@dataclass
class FlagIndex:
    """The report's flags, indexed by every resource they concern."""

    report: Report
    by_iri: dict[str, list[Flag]] = field(default_factory=dict)

    @classmethod
    def build(cls, report: Report) -> FlagIndex:
        """Index every flag under each resource it concerns (report order kept)."""
        index = cls(report)
        for flag in report.flags:
            concerned = {flag.subject, flag.claim, flag.recommendation}
            concerned |= set(flag.details.get("claims", []))
            concerned |= set(flag.references) | set(flag.recommendations)
            for iri in sorted(i for i in concerned if i):
                index.by_iri.setdefault(iri, []).append(flag)
        return index

    def of(self, iri: str) -> list[Flag]:
        """Return the flags concerning ``iri``, in report order."""
        return self.by_iri.get(iri, [])

    def about(self, iri: str) -> list[Flag]:
        """Return the flags whose subject, claim or compared claims are ``iri`` itself."""
        return [
            f
            for f in self.of(iri)
            if iri in (f.subject, f.claim) or iri in f.details.get("claims", [])
        ]


def index() -> FlagIndex:
    """Return the service's flag index (built once)."""
    audit = report()  # built first: Service.built holds its lock while building
    return current().built("flag-index", lambda: FlagIndex.build(audit))


def kinds() -> list[dict]:
    """Return the kinds of flag in report order, with title, meaning and count."""
    counts = report().summary()["by_kind"]
    return [
        {
            "name": name,
            "title": KIND_BY_NAME[name].title,
            "meaning": KIND_BY_NAME[name].meaning,
            "count": counts[name],
        }
        for name in KIND_NAMES
    ]
