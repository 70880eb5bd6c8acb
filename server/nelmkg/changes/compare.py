"""Compare two author views: entities added, removed and changed, field by field."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from nelmkg.changes.model import Entity, View, short


@dataclass(frozen=True)
class FieldChange:
    """One field of an entity that differs: the old and new values, and the difference."""

    field: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        """Values only in the new release."""
        return tuple(v for v in self.new if v not in self.old)

    @property
    def removed(self) -> tuple[str, ...]:
        """Values only in the old release."""
        return tuple(v for v in self.old if v not in self.new)

    def as_dict(self) -> dict:
        """Return the change as plain data (for JSON)."""
        return {**asdict(self), "added": list(self.added), "removed": list(self.removed)}


@dataclass(frozen=True)
class EntityChange:
    """An entity present in both releases whose fields differ."""

    iri: str
    label: str
    fields: tuple[FieldChange, ...]


@dataclass
class KindChanges:
    """What changed among the entities of one kind."""

    key: str
    title: str
    added: list[Entity] = field(default_factory=list)
    removed: list[Entity] = field(default_factory=list)
    changed: list[EntityChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return the number of entities added, removed and changed."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }


@dataclass
class Changes:
    """Every kind's changes between the ``old`` and ``new`` releases (named by their labels)."""

    old: str
    new: str
    kinds: list[KindChanges]

    def empty(self) -> bool:
        """Return True when nothing an author follows changed."""
        return not any(sum(k.counts().values()) for k in self.kinds)

    def as_dict(self) -> dict:
        """Return the changes as plain data (the JSON form)."""

        def entity(e: Entity) -> dict:
            return {"iri": e.iri, "id": short(e.iri), "label": e.label, "fields": e.fields}

        return {
            "old": self.old,
            "new": self.new,
            "summary": {k.key: k.counts() for k in self.kinds},
            "kinds": [
                {
                    "key": k.key,
                    "title": k.title,
                    "added": [entity(e) for e in k.added],
                    "removed": [entity(e) for e in k.removed],
                    "changed": [
                        {
                            "iri": c.iri,
                            "id": short(c.iri),
                            "label": c.label,
                            "fields": [f.as_dict() for f in c.fields],
                        }
                        for c in k.changed
                    ],
                }
                for k in self.kinds
            ],
        }


def field_changes(old: Entity, new: Entity) -> tuple[FieldChange, ...]:
    """Return the fields whose values differ between two versions of one entity."""
    names = sorted(set(old.fields) | set(new.fields))
    return tuple(
        FieldChange(name, old.fields.get(name, ()), new.fields.get(name, ()))
        for name in names
        if old.fields.get(name, ()) != new.fields.get(name, ())
    )


def compare(old: View, new: View, old_name: str, new_name: str) -> Changes:
    """Return what changed from ``old`` to ``new`` for every kind of the new view."""
    kinds = []
    for kind in new.kinds:
        before, after = old.entities(kind), new.entities(kind)
        result = KindChanges(kind.key, kind.title)
        result.added = [after[i] for i in sorted(set(after) - set(before))]
        result.removed = [before[i] for i in sorted(set(before) - set(after))]
        for iri in sorted(set(before) & set(after)):
            diff = field_changes(before[iri], after[iri])
            if diff:
                result.changed.append(EntityChange(iri, after[iri].label, diff))
        kinds.append(result)
    return Changes(old_name, new_name, kinds)
