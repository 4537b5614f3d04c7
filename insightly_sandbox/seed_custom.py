"""Custom fields and custom objects of a seeded instance: definitions, values, records."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_fields import (
    AUTONUMBER,
    BIT,
    DATE,
    DATETIME,
    DROPDOWN,
    FIELDS,
    FRUIT_FIELDS,
    MULTILINETEXT,
    MULTISELECT,
    NUMERIC,
    PERCENT,
    SHIPMENT_FIELDS,
    TEXT,
    TEXT_POOLS,
    FieldSpec,
)
from insightly_sandbox.store import parse_timestamp
from tap_insightly.catalogue import BY_PATH, CUSTOMFIELDS

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from insightly_sandbox.seed_context import Seeder
    from insightly_sandbox.store import Record

#: `/CustomObjects` as the recorded account answers it for `Fruit__c`.
FRUIT = {
    "OBJECT_NAME": "Fruit__c",
    "SINGULAR_LABEL": "Fruit",
    "PLURAL_LABEL": "Fruits",
    "DESCRIPTION": None,
    "RECORD_NAME_LABEL": "Fruit Name",
    "RECORD_NAME_TYPE": "TEXT",
    "RECORD_NAME_DISPLAY_FORMAT": None,
    "ENABLE_NAVBAR": True,
    "ENABLE_WORKFLOWS": True,
    "CREATED_USER_ID": 2240727,
    "DATE_CREATED_UTC": "2025-04-22 18:44:45",
    "DATE_UPDATED_UTC": "2025-04-22 18:44:45",
}
SHIPMENT = {
    **FRUIT,
    "OBJECT_NAME": "Shipment__c",
    "SINGULAR_LABEL": "Shipment",
    "PLURAL_LABEL": "Shipments",
    "DESCRIPTION": "Deliveries sent to customers",
    "RECORD_NAME_LABEL": "Shipment Reference",
    "DATE_CREATED_UTC": "2022-05-10 09:12:05",
    "DATE_UPDATED_UTC": "2024-11-03 16:40:51",
}
#: Per custom object: its definition, its fields, and the id its records count on from.
CUSTOM_OBJECTS: tuple[tuple[Record, tuple[FieldSpec, ...], int], ...] = (
    (FRUIT, FRUIT_FIELDS, 54_840_600),
    (SHIPMENT, SHIPMENT_FIELDS, 61_200_000),
)
_FRUITS = ("Apple", "Banana", "Cherry", "Mango", "Pear", "Plum", "Kiwi", "Lime", "Fig", "Peach")
_VARIETIES = ("Golden", "Wild", "Royal", "Dwarf", "Early", "Late", "Organic", "Red", "Sweet")
_CODE_WORDS = ("Code", "Reference", "Number", "Version")


def definitions(field_for: str, specs: tuple[FieldSpec, ...]) -> list[Record]:
    """Custom field definitions as `/CustomFields/{Object}` answers them."""
    return [
        {
            "FIELD_NAME": spec.name + "__c",
            "FIELD_ORDER": order,
            "FIELD_FOR": field_for,
            "FIELD_LABEL": spec.name.replace("_", " "),
            "FIELD_TYPE": spec.type,
            "FIELD_HELP_TEXT": None,
            "DEFAULT_VALUE": spec.default,
            "EDITABLE": spec.type != AUTONUMBER,
            "VISIBLE": True,
            "CUSTOM_FIELD_OPTIONS": [
                {"OPTION_ID": option_id, "OPTION_VALUE": option, "OPTION_DEFAULT": False}
                for option_id, option in zip(
                    spec.option_ids or range(1, len(spec.options) + 1), spec.options, strict=True
                )
            ],
            "DEPENDENCY": None,
            "JOIN_OBJECT": None,
        }
        for order, spec in enumerate(specs, start=1)
    ]


def define(seeder: Seeder) -> None:
    """Define the custom fields of every object that has them, and the custom objects."""
    for path, specs in FIELDS.items():
        field_for = BY_PATH[path].field_for
        assert field_for is not None  # noqa: S101 - every object with custom fields has a name
        seeder.store.custom_fields[path] = definitions(field_for, specs)
    for definition, specs, _ in CUSTOM_OBJECTS:
        name = definition["OBJECT_NAME"]
        seeder.store.add_custom_object(dict(definition), definitions(name.upper(), specs))


@functools.cache
def _in_name_order(path: str) -> tuple[tuple[str, FieldSpec], ...]:
    """An object's fields in the order records list them: by name, as both samples show."""
    specs = FIELDS.get(path) or next(
        fields for definition, fields, _ in CUSTOM_OBJECTS if definition["OBJECT_NAME"] == path
    )
    ordered = sorted(specs, key=lambda spec: spec.name.lower())
    return tuple((spec.name + "__c", spec) for spec in ordered)


def custom_fields(seeder: Seeder, path: str) -> list[Record]:
    """A record's CUSTOMFIELDS: one entry per defined field, some of them null."""
    entries = []
    for name, spec in _in_name_order(path):
        if spec.type == AUTONUMBER:
            value: Any = seeder.next(path + "." + name, 0)
        else:
            value = field_value(seeder.rng, spec)
        entries.append({"FIELD_NAME": name, "FIELD_VALUE": value, "CUSTOM_FIELD_ID": name})
    return entries


def field_value(rng: random.Random, spec: FieldSpec) -> Any:  # noqa: ANN401 - any JSON value
    """A value of a custom field's type as records carry it; unset optional fields are null.

    AUTONUMBER values are not drawn but counted, by `custom_fields`.
    """
    if spec.type == BIT:
        # A checkbox is never unset: it is true or false.
        return rng.random() < 0.4  # noqa: PLR2004
    if rng.random() < 0.2:  # noqa: PLR2004
        return None
    return _MAKERS[spec.type](rng, spec)


_MAKERS: dict[str, Callable[[random.Random, FieldSpec], Any]] = {
    TEXT: lambda rng, spec: _text(rng, spec.name),
    MULTILINETEXT: lambda rng, _: "\n".join(
        values.sentence(rng) for _ in range(values.between(rng, 2, 3))
    ),
    NUMERIC: lambda rng, _: (
        values.between(rng, 1, 500) if rng.random() < 0.5 else values.money(rng, 0.5, 1000)  # noqa: PLR2004
    ),
    PERCENT: lambda rng, _: values.between(rng, 0, 100),
    DROPDOWN: lambda rng, spec: rng.choice(spec.options),
    # Several choices travel as one string, joined by ";" in the order the options are listed.
    MULTISELECT: lambda rng, spec: ";".join(values.pick_some(rng, spec.options, 3)) or None,
    DATE: lambda rng, _: values.day_stamp(values.moment(rng)),
    DATETIME: lambda rng, _: values.stamp(values.moment(rng)),
}


def _text(rng: random.Random, name: str) -> str:
    pool = TEXT_POOLS.get(name)
    if pool:
        return rng.choice(pool)
    if any(word in name for word in _CODE_WORDS):
        return f"{name[:3].upper()}-{rng.randint(10_000, 99_999)}"
    return values.phrase(rng, 2)


def seed_records(seeder: Seeder) -> None:
    """Give each custom object `records` records shaped like samples/get-fruit__c.json."""
    rng = seeder.rng
    for definition, _, first_id in CUSTOM_OBJECTS:
        name = definition["OBJECT_NAME"]
        names = _record_names(rng, name, seeder.records)
        ids = values.id_run(rng, first_id, seeder.records)
        # No record predates the object it belongs to.
        defined = int(parse_timestamp(definition["DATE_CREATED_UTC"]).timestamp())
        for record_id, record_name, (created, updated) in zip(
            ids, names, seeder.stamps(seeder.records, after=defined + 60), strict=True
        ):
            owner = seeder.user()
            visible_to, team = seeder.visibility()
            seeder.add(
                name,
                {
                    "RECORD_ID": record_id,
                    "RECORD_NAME": record_name,
                    "OWNER_USER_ID": owner,
                    "DATE_CREATED_UTC": values.stamp(created),
                    "DATE_UPDATED_UTC": values.stamp(updated),
                    "CREATED_USER_ID": owner if rng.random() < 0.8 else seeder.user(),  # noqa: PLR2004
                    "VISIBLE_TO": visible_to,
                    "VISIBLE_TEAM_ID": team,
                    CUSTOMFIELDS: custom_fields(seeder, name),
                },
                template="/{objectName}",
            )


def _record_names(rng: random.Random, object_name: str, count: int) -> list[str]:
    """Record names: fruit varieties for `Fruit__c`, shipment references otherwise."""
    if object_name == "Fruit__c":
        pool = [*_FRUITS, *(f"{variety} {fruit}" for variety in _VARIETIES for fruit in _FRUITS)]
        rng.shuffle(pool)
        return [pool[index % len(pool)] for index in range(count)]
    return [f"SHP-{2022 + index * 5 // count}-{index + 1:05d}" for index in range(count)]
