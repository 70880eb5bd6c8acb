"""FHIR dates and times as comparable instants, and a patient's age in whole years.

A FHIR ``dateTime`` may be partial (``2020``, ``2020-05``, ``2020-05-01``) or a full
time with its offset. To pick "the latest" of several Observations each is taken at the
start of what it names, in UTC; two that land on the same instant are simultaneous, and
different values then are a conflict (the reader reports it rather than choose).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def instant(text: object) -> datetime | None:
    """Return the UTC instant a FHIR date/dateTime/instant starts at; None if unreadable."""
    if not isinstance(text, str):
        return None
    match = _PARTIAL.match(text)
    try:
        if match:
            year, month, day = (int(g) if g else 1 for g in match.groups())
            return datetime(year, month, day, tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo else None


def effective(resource: dict) -> tuple[datetime | None, str | None]:
    """Return when an Observation or Condition holds, and the element it was read from."""
    if resource.get("resourceType") == "Condition":
        names = ("recordedDate", "onsetDateTime")
    else:
        names = ("effectiveDateTime", "effectiveInstant", "effectivePeriod", "issued")
    for name in names:
        value = resource.get(name)
        if name == "effectivePeriod" and isinstance(value, dict):
            value = value.get("end") or value.get("start")
        when = instant(value)
        if when is not None:
            return when, name
    return None, None


def full_date(text: object) -> date | None:
    """Return a FHIR ``date`` that names a whole day, else None (``1970`` names a year)."""
    if isinstance(text, str) and len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def whole_years(born: date, at: datetime) -> int:
    """Return the completed years between a birth date and an instant (its own local day)."""
    day = at.date()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
