"""What every part of seeding shares: the random source, the store, and the records made so far.

Records are shaped here from the spec: each gets every property the spec's response schema
declares for its path, in the spec's order, plus the few fields real responses carry that the
spec leaves out, at the places the recorded samples show them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from insightly_sandbox.spec import UNDECLARED_FIELDS, item_schema
from tap_insightly.catalogue import CUSTOMFIELDS

if TYPE_CHECKING:
    import random

    from insightly_sandbox.store import Record, Store


@functools.cache
def record_fields(template: str) -> tuple[tuple[str, bool], ...]:
    """The fields of a record a path answers, in order, each with whether it holds a list."""
    schema = item_schema(template) or {}
    shape = schema.get("title")
    fields: list[tuple[str, bool]] = []
    for name, prop in schema.get("properties", {}).items():
        fields.append((name, prop.get("type") == "array"))
        for extra in UNDECLARED_FIELDS:
            if extra.shape == shape and extra.after == fields[-1][0]:
                fields.append((extra.name, extra.swagger.get("type") == "array"))
    return tuple(fields)


@functools.cache
def _names(template: str) -> frozenset[str]:
    return frozenset(name for name, _ in record_fields(template))


def shape(template: str, given: dict[str, Any]) -> Record:
    """A record with every field the path answers, in order: given values, else null or [].

    Raises:
        ValueError: when a given field is not one the path answers, which is a seeding bug.
    """
    fields = record_fields(template)
    if len(given) > len(fields) or not _names(template).issuperset(given):
        unknown = given.keys() - _names(template)
        msg = f"{template} answers no field {sorted(unknown)}"
        raise ValueError(msg)
    return {name: given.get(name, [] if is_list else None) for name, is_list in fields}


@dataclass
class Seeder:
    """The state one seeding run threads through every builder.

    Attributes:
        rng: the only source of randomness.
        store: the store being filled.
        records: how many records each main object gets.
        users: the ids of active users, the API user first.
        ids: the ids of records made so far, by object path, for references between them.
        extra: lookups builders leave for later builders (stages by pipeline, and so on).
        tag_names: every tag name given to a record, for the `/Tags` list.
        counters: the last number handed out per sequence (date ids, file ids, ...).
    """

    rng: random.Random
    store: Store
    records: int
    users: list[int] = field(default_factory=list)
    ids: dict[str, list[int]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    tag_names: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def api_user(self) -> int:
        """The user whose API key the sandbox answers to: the account owner."""
        return self.users[0]

    def user(self) -> int:
        """An active user, the API user more often than the others."""
        return self.api_user if self.rng.random() < 0.4 else self.rng.choice(self.users)  # noqa: PLR2004

    def visibility(self) -> tuple[str, int | None]:
        """Who may see a record (`VISIBLE_TO`) and the team it is shared with, if any."""
        roll = self.rng.random()
        if roll < 0.85:  # noqa: PLR2004 - most records are visible to everyone
            return "EVERYONE", None
        if roll < 0.95:  # noqa: PLR2004
            return "TEAM", self.pick("Teams")
        return "OWNER", None

    def pick(self, path: str) -> int:
        """The id of a random record already made at a path."""
        return self.rng.choice(self.ids[path])

    def maybe_pick(self, path: str, chance: float = 0.5) -> int | None:
        """The id of a random record at a path with the given chance, else None."""
        pool = self.ids.get(path)
        if not pool or self.rng.random() >= chance:
            return None
        return self.rng.choice(pool)

    def next(self, sequence: str, start: int, most_gap: int = 1) -> int:
        """The next number of a sequence that begins after `start`."""
        current = self.counters.get(sequence, start) + self.rng.randint(1, most_gap)
        self.counters[sequence] = current
        return current

    def add(self, path: str, given: dict[str, Any], template: str | None = None) -> Record:
        """Shape a record for a path and store it in that path's table."""
        record = self.store.tables[path].add(shape(template or "/" + path, given))
        key = self.store.tables[path].obj.id_field
        if key is not None:
            self.ids.setdefault(path, []).append(record[key])
        return record

    def add_in_creation_order(
        self, path: str, rows: list[dict[str, Any]], start: int, most_gap: int = 40
    ) -> list[Record]:
        """Store records made out of order, giving ids that ascend with `DATE_CREATED_UTC`.

        Children (line items, milestones, entries) are made parent by parent, but Insightly
        numbers records in the order they were created, and pages come in id order. Custom
        field values are drawn here too, so that AUTONUMBER fields count in that order.
        """
        obj = self.store.tables[path].obj
        assert obj.id_field is not None  # noqa: S101 - only objects with ids are numbered
        rows.sort(key=lambda row: row["DATE_CREATED_UTC"])
        for row, record_id in zip(
            rows, values.id_run(self.rng, start, len(rows), most_gap), strict=True
        ):
            row[obj.id_field] = record_id
            if obj.has_custom_fields:
                row[CUSTOMFIELDS] = custom_fields(self, path)
        return [self.add(path, row) for row in rows]

    def tags(self, most: int = 3) -> list[Record]:
        """A record's TAGS: a few names from the pool, remembered for `/Tags`."""
        names = values.pick_some(self.rng, values.TAG_NAMES, most)
        self.tag_names.update(names)
        return [{"TAG_NAME": name} for name in names]

    def link(self, name: str, record_id: int, other: str, other_id: int, **more: Any) -> None:  # noqa: ANN401 - ROLE, DETAILS, RELATIONSHIP_ID
        """Link two records by their singular object names (`Contact`, `Organisation`)."""
        self.store.add_link(
            {
                "OBJECT_NAME": name,
                "OBJECT_ID": record_id,
                "LINK_OBJECT_NAME": other,
                "LINK_OBJECT_ID": other_id,
                **more,
            }
        )

    def stamps(self, count: int, after: int | None = None) -> list[tuple[int, int]]:
        """Created and updated moments, in seconds, for a table's records in id order."""
        created = values.creations(self.rng, count, after)
        return list(zip(created, values.updates(self.rng, created), strict=True))
