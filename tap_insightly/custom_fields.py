"""Custom fields typed by their definitions: JSON Schema and values for records, bodies back.

Insightly sends every custom field value inside a record's `CUSTOMFIELDS` list, typed loosely:
a MULTISELECT is one string joined by `;`, dates are Insightly's `2025-04-22 20:03:25`. The
definitions from `GET /CustomFields/{Object}` say what each field holds, so the tap can declare
real types and convert values to match, and the target can turn typed values back into the form
request bodies take. Custom objects (`Fruit__c`) keep every business field in `CUSTOMFIELDS`,
so the same rules serve them.

Two shapes are offered, chosen by the `custom_fields` setting:

- `flatten`: each field defined at discovery becomes a typed top-level property named by its
  `FIELD_NAME`, always present (null when unset) so that columns are stable. `CUSTOMFIELDS`
  keeps what does not fit a column, as Insightly sent it: fields created after discovery, and
  values that do not convert to their field's type.
- `nested`: `CUSTOMFIELDS` stays a list of `{FIELD_NAME, FIELD_VALUE, CUSTOM_FIELD_ID}`, with
  each `FIELD_VALUE` converted to its field's type where it can be.

How each FIELD_TYPE's values are read and written is in `field_types`.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tap_insightly.catalogue import CUSTOMFIELDS
from tap_insightly.field_types import (
    FIELD_TYPES,
    FieldValueError,
    describe,
    field_schema,
    read_value,
    write_value,
)
from tap_insightly.settings import SettingsError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "FIELD_TYPES",
    "FLATTEN",
    "MODES",
    "NESTED",
    "CustomFieldError",
    "CustomFields",
    "check_mode",
    "field_schema",
]

FLATTEN = "flatten"
NESTED = "nested"
#: The values the `custom_fields` setting takes.
MODES = (FLATTEN, NESTED)


#: Every JSON type, for a value whose type depends on another field.
_ANY_JSON = ("string", "number", "integer", "boolean", "array", "object", "null")


class CustomFieldError(ValueError):
    """Definitions that cannot be used, or a value that cannot be written as its field's type.

    The message names the field and says what to do.
    """


def check_mode(mode: str) -> str:
    """The `custom_fields` setting, once it is known to be one of `MODES`.

    Raises:
        SettingsError: a ValueError naming the setting and the values it takes.
    """
    if mode not in MODES:
        msg = (
            f"custom_fields is {mode!r}; set it to 'flatten' (a typed column per custom field) "
            "or 'nested' (typed values inside CUSTOMFIELDS)"
        )
        raise SettingsError(msg)
    return mode


@dataclass(frozen=True)
class _Field:
    """One custom field definition, as much of it as typing its values needs."""

    name: str
    label: str
    kind: str
    editable: bool

    def schema(self) -> dict[str, Any]:
        prop = field_schema(self.kind)
        prop["description"] = self.label
        if not self.editable:
            prop["readOnly"] = True
        return prop


class CustomFields:
    """The custom fields one Insightly object (or custom object) defines, and how to type them.

    Built from the answer to `GET /CustomFields/{Object}` for that object alone. A value that
    does not convert to its field's type never stops a sync: in `flatten` mode its column is
    null and the entry stays under `CUSTOMFIELDS` as sent; in `nested` mode the entry keeps the
    value as sent. Either way one warning per field says so, naming the type of the value but
    not the value, which may be personal data.
    """

    def __init__(
        self,
        definitions: Iterable[Mapping[str, Any]],
        *,
        object_name: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        """Read the definitions of one object's custom fields.

        Args:
            definitions: the entries of `GET /CustomFields/{Object}`.
            object_name: how warnings and errors name the object; by default its `FIELD_FOR`.
            logger: where warnings about values of the wrong type go.

        Raises:
            CustomFieldError: a definition has no FIELD_NAME, or the definitions belong to more
                than one object.
        """
        definitions = list(definitions)
        owners = sorted({str(definition.get("FIELD_FOR")) for definition in definitions})
        if len(owners) > 1:
            msg = (
                f"custom field definitions of several objects ({', '.join(owners)}) were given "
                "as one object's: keep only those whose FIELD_FOR is the object's"
            )
            raise CustomFieldError(msg)
        self.object_name = object_name or (owners[0] if owners else "this object")
        self._logger = logger or logging.getLogger(__name__)
        self._warned: set[str] = set()
        self._fields: dict[str, _Field] = {}
        for definition in definitions:
            name = definition.get("FIELD_NAME")
            if not isinstance(name, str) or not name:
                msg = f"a custom field definition of {self.object_name} has no FIELD_NAME"
                raise CustomFieldError(msg)
            self._fields[name] = _Field(
                name=name,
                label=str(definition.get("FIELD_LABEL") or name),
                kind=str(definition.get("FIELD_TYPE") or ""),
                editable=definition.get("EDITABLE") is not False,
            )

    @property
    def names(self) -> tuple[str, ...]:
        """The FIELD_NAMEs defined, in the order the definitions listed them."""
        return tuple(self._fields)

    def field_type(self, name: str) -> str | None:
        """The FIELD_TYPE of a defined field, or None for a field not defined."""
        field = self._fields.get(name)
        return None if field is None else field.kind

    def property_schemas(self) -> dict[str, dict[str, Any]]:
        """Each field's JSON Schema by FIELD_NAME, with its label as the description.

        Fields Insightly fills itself (`EDITABLE: false`: AUTONUMBER, calculated) are marked
        `readOnly`, as the generated schemas mark standard read-only fields.
        """
        return {name: field.schema() for name, field in self._fields.items()}

    def schema(self, base_schema: Mapping[str, Any], mode: str) -> dict[str, Any]:
        """A new stream schema: the base one with the custom fields declared as `mode` shapes them.

        Raises:
            SettingsError: `mode` is not one of `MODES`.
            CustomFieldError: in `flatten` mode, a FIELD_NAME is also a standard property.
        """
        check_mode(mode)
        schema = copy.deepcopy(dict(base_schema))
        properties: dict[str, Any] = schema.setdefault("properties", {})
        entries = properties.get(CUSTOMFIELDS) or _entries_schema()
        properties[CUSTOMFIELDS] = entries
        if mode == NESTED:
            entries.setdefault("items", {}).setdefault("properties", {})["FIELD_VALUE"] = {
                # Any JSON value: which type FIELD_VALUE has depends on FIELD_NAME, which JSON
                # Schema can say only through an if/then per field that targets do not read. An
                # anyOf of the defined types would still have to admit the values of fields
                # created after discovery and values that did not convert, so it would admit
                # anything while looking as if it did not. The types are listed all the same:
                # the SDK and targets need a type to place a value, a list included.
                "type": list(_ANY_JSON),
                "description": self._value_description(),
            }
            return schema

        clashes = sorted(name for name in self._fields if name in properties)
        if clashes:
            msg = (
                f"custom fields {', '.join(clashes)} of {self.object_name} have the names of "
                "standard properties and cannot become columns of their own: set custom_fields "
                "to 'nested' to keep custom fields inside CUSTOMFIELDS"
            )
            raise CustomFieldError(msg)
        entries["description"] = (
            "Custom fields not defined when the catalog was discovered, and values that did not "
            "convert to their field's type, as Insightly sent them."
        )
        properties.update(self.property_schemas())
        return schema

    def record(self, record: Mapping[str, Any], mode: str) -> dict[str, Any]:
        """A new record with the custom field values typed and shaped as `mode` says.

        Raises:
            SettingsError: `mode` is not one of `MODES`.
        """
        check_mode(mode)
        typed = dict(record)
        entries = record.get(CUSTOMFIELDS)
        if mode == NESTED:
            if isinstance(entries, list):
                typed[CUSTOMFIELDS] = [self._nested_entry(entry) for entry in entries]
            return typed

        for name in self._fields:
            typed[name] = None
        leftovers = []
        for entry in entries if isinstance(entries, list) else ():
            field = self._field_of(entry)
            if field is None:
                leftovers.append(_copy(entry))
                continue
            try:
                typed[field.name] = read_value(field.kind, entry.get("FIELD_VALUE"))
            except FieldValueError as error:
                self._warn(field, error, "its column is null and the value is")
                leftovers.append(_copy(entry))
        typed[CUSTOMFIELDS] = leftovers
        return typed

    def to_insightly(self, typed_values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The `CUSTOMFIELDS` of a request body for typed values given by FIELD_NAME.

        Lists become one `;`-joined string, date-times Insightly's `2025-04-22 20:03:25` in UTC,
        numbers and booleans stay what they are and None clears the field. Fields not defined
        pass as given; fields Insightly fills itself (AUTONUMBER, calculated) are left out, as it
        would ignore them.

        Raises:
            CustomFieldError: a value cannot be written as its field's type; the message names
                the field.
        """
        body = []
        for name, value in typed_values.items():
            field = self._fields.get(name)
            if field is not None and not field.editable:
                continue
            written = value
            if field is not None:
                try:
                    written = write_value(field.kind, value)
                except FieldValueError as error:
                    msg = f"custom field {name} of {self.object_name}: {error}"
                    raise CustomFieldError(msg) from None
            body.append({"FIELD_NAME": name, "FIELD_VALUE": written})
        return body

    def _field_of(self, entry: Any) -> _Field | None:  # noqa: ANN401 - any JSON value
        if not isinstance(entry, dict):
            return None
        name = entry.get("FIELD_NAME")
        return self._fields.get(name) if isinstance(name, str) else None

    def _nested_entry(self, entry: Any) -> Any:  # noqa: ANN401 - any JSON value
        field = self._field_of(entry)
        if field is None:
            return _copy(entry)
        try:
            return {**entry, "FIELD_VALUE": read_value(field.kind, entry.get("FIELD_VALUE"))}
        except FieldValueError as error:
            self._warn(field, error, "it is")
            return _copy(entry)

    def _warn(self, field: _Field, error: FieldValueError, outcome: str) -> None:
        if field.name in self._warned:
            return
        self._warned.add(field.name)
        self._logger.warning(
            "Custom field %s of %s is %s but holds %s; %s kept under %s as Insightly sent it. "
            "If the field's type was changed in Insightly, discover the catalog again.",
            field.name,
            self.object_name,
            field.kind,
            error.kind,
            outcome,
            CUSTOMFIELDS,
        )

    def _value_description(self) -> str:
        kinds = ", ".join(f"{name} {describe(field.kind)}" for name, field in self._fields.items())
        return (
            f"Typed by the field's definition ({kinds or 'none defined'}). Fields created after "
            "the catalog was discovered, and values that did not convert to their field's type, "
            "come as Insightly sent them."
        )


def _entries_schema() -> dict[str, Any]:
    """`CUSTOMFIELDS` as the generated schemas declare it, for a base schema that lacks it."""
    return {
        "type": ["array", "null"],
        "items": {
            "type": ["object", "null"],
            "properties": {
                "FIELD_NAME": {"type": ["string", "null"]},
                "FIELD_VALUE": {},
                "CUSTOM_FIELD_ID": {"type": ["string", "null"], "readOnly": True},
            },
        },
    }


def _copy(entry: Any) -> Any:  # noqa: ANN401 - any JSON value
    """An entry of CUSTOMFIELDS, copied so the record returned shares nothing it may change."""
    return dict(entry) if isinstance(entry, dict) else entry
