"""Request bodies from Singer records: writable fields only, in the forms Insightly takes.

A record becomes the body of one POST or PUT. Read-only fields (marked `readOnly` in the stream's
schema, the tap's or the one the upstream tap sent) are left out, as are the record's id field,
which the writer adds where a PUT needs it, and LINKS, which are written one by one after the
record exists. Only the fields present in the record travel, so a partial record updates only
what it holds and a `null` clears a field. Custom fields, given as top-level `*__c` properties
(the tap's `flatten` shape) or inside CUSTOMFIELDS (its `nested` shape), travel together in one
CUSTOMFIELDS list, typed back by their definitions.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import TYPE_CHECKING, Any

from tap_insightly.catalogue import CUSTOMFIELDS, LINKS
from tap_insightly.custom_fields import CustomFieldError, CustomFields
from tap_insightly.field_types import plain_number
from tap_insightly.values import TimestampError, to_insightly

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tap_insightly.catalogue import InsightlyObject

Schema = dict[str, Any]

#: The suffix Insightly gives every custom field name (`Hobby__c`).
CUSTOM_SUFFIX = "__c"


class RecordError(ValueError):
    """A record cannot become a request body; the message names the field."""


class BodyBuilder:
    """Turns records of one stream into request bodies."""

    def __init__(
        self,
        obj: InsightlyObject,
        schemas: Iterable[Mapping[str, Any]],
        custom_fields: CustomFields,
    ) -> None:
        """Build bodies for `obj`, reading `readOnly` and `date-time` marks from `schemas`."""
        self.obj = obj
        self.custom_fields = custom_fields
        merged: Schema = {}
        for schema in schemas:
            _merge(merged, schema)
        self._properties: dict[str, Schema] = merged.get("properties") or {}
        self._defined = set(custom_fields.names)

    def create_only(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The read-only fields a create must still give (a line item's price book entry).

        Raises:
            RecordError: a value cannot be written; the message names the field.
        """
        given = {}
        for name in self.obj.create_only:
            if record.get(name) is None:
                continue
            try:
                given[name] = _written(record[name], self._properties.get(name, {}))
            except TimestampError as error:
                raise RecordError(str(error.within(name))) from None
        return given

    def body(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The writable fields of `record` as a POST or PUT body, without the id field.

        Raises:
            RecordError: a timestamp or custom field value cannot be written; the message
                names the field.
        """
        body: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for name, value in record.items():
            if name in {self.obj.id_field, LINKS} or name.startswith("_sdc_"):
                continue
            if name == CUSTOMFIELDS:
                custom.update(_entries(value))
                continue
            if name in self._defined or name.endswith(CUSTOM_SUFFIX):
                custom[name] = value
                continue
            prop = self._properties.get(name, {})
            if prop.get("readOnly"):
                continue
            try:
                body[name] = _written(value, prop)
            except TimestampError as error:
                raise RecordError(str(error.within(name))) from None
        if custom:
            try:
                # Fields not defined pass as given, numbers still as the SDK's decimals.
                body[CUSTOMFIELDS] = _written(self.custom_fields.to_insightly(custom), {})
            except CustomFieldError as error:
                raise RecordError(str(error)) from None
        return body


def _merge(merged: Schema, schema: Mapping[str, Any]) -> None:
    """Fill `merged` with what `schema` says and it does not yet, at every depth.

    The upstream schema comes first; Insightly's own fills what it leaves out, so nested
    `date-time` and `readOnly` marks survive an upstream schema that declares a collection's
    items without their properties. `readOnly` anywhere wins.
    """
    for key, value in schema.items():
        if key in {"properties", "items"} and isinstance(value, dict):
            inner = merged.setdefault(key, {})
            if isinstance(inner, dict):
                if key == "properties":
                    for name, prop in value.items():
                        if isinstance(prop, dict):
                            _merge(inner.setdefault(name, {}), prop)
                else:
                    _merge(inner, value)
            continue
        merged.setdefault(key, value)
        if key == "readOnly" and value is True:
            merged[key] = True


def _entries(value: Any) -> dict[str, Any]:  # noqa: ANN401 - any JSON value
    """The values of a CUSTOMFIELDS list by FIELD_NAME; a null list holds none."""
    if value is None:
        return {}
    if not isinstance(value, list):
        msg = f"{CUSTOMFIELDS} must be a list of {{FIELD_NAME, FIELD_VALUE}}, not {value!r}"
        raise RecordError(msg)
    values = {}
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("FIELD_NAME"), str):
            msg = f"every entry of {CUSTOMFIELDS} needs a FIELD_NAME, and {entry!r} has none"
            raise RecordError(msg)
        values[entry["FIELD_NAME"]] = entry.get("FIELD_VALUE")
    return values


def _written(value: Any, prop: Mapping[str, Any]) -> Any:  # noqa: ANN401 - any JSON value
    """A value as a body carries it: timestamps in Insightly's form, read-only parts left out.

    The SDK parses only top-level `date-time` fields into datetimes; nested ones
    (`DATES[].OCCASION_DATE`) arrive as RFC 3339 text, so the schema says where they are.
    """
    if isinstance(value, (dt.datetime, dt.date)):
        return to_insightly(value)
    if isinstance(value, decimal.Decimal):
        return plain_number(value)
    if isinstance(value, str) and prop.get("format") == "date-time":
        return to_insightly(value)
    if isinstance(value, list):
        items = prop.get("items")
        return [_written(item, items if isinstance(items, dict) else {}) for item in value]
    if isinstance(value, dict):
        properties = prop.get("properties")
        children: Mapping[str, Any] = properties if isinstance(properties, dict) else {}
        written = {}
        for key, item in value.items():
            child = children.get(key)
            child = child if isinstance(child, dict) else {}
            if child.get("readOnly"):
                continue
            try:
                written[key] = _written(item, child)
            except TimestampError as error:
                raise error.within(key) from None
        return written
    return value
