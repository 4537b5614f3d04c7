"""Insightly's official v3.1 spec, shipped inside this package, and what is read from it."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

SPEC_FILE = "insightly-v3.1.swagger.json"

Schema = dict[str, Any]


@functools.cache
def load_spec() -> dict[str, Any]:
    """The spec as Insightly serves it at `/v3.1/swagger/docs/v3.1`."""
    text = resources.files("insightly_sandbox").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def resolve(schema: Schema) -> Schema:
    """A schema with its top-level `$ref` (into `#/definitions/`) followed."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: Schema = load_spec()["definitions"][ref.rsplit("/", 1)[-1]]
    return resolved


def response_schema(template: str, method: str = "get") -> Schema | None:
    """The schema of a path's success response (200, else 201), references followed."""
    responses = load_spec()["paths"][template][method]["responses"]
    for status in ("200", "201"):
        schema = responses.get(status, {}).get("schema")
        if schema is not None:
            return resolve(schema)
    return None


def item_schema(template: str, method: str = "get") -> Schema | None:
    """The schema of one record a path answers: the items of an array, or the object."""
    schema = response_schema(template, method)
    if schema is None:
        return None
    if schema.get("type") == "array":
        return resolve(schema["items"])
    return schema


@dataclass(frozen=True)
class UndeclaredField:
    """A field real responses carry that the spec's record shape lacks.

    Attributes:
        shape: the spec's `title` of the record shape that lacks it, so the field reaches every
            place that shape appears (a list, a search, a nested collection).
        name: the field name, as Insightly spells it.
        swagger: its type in the spec's own terms.
        after: the spec field it follows in real responses.
        source: the recorded response in `tests/samples/` that shows it.
    """

    shape: str
    name: str
    swagger: Schema
    after: str
    source: str


_STRING: Schema = {"type": "string"}
_INTEGER: Schema = {"type": "integer", "format": "int64"}
_LINKS: Schema = {"type": "array", "items": {"$ref": "#/definitions/APILinkDto"}}

# What the spec leaves out, and the one place that says so: the schema generator adds these to
# the tap's schemas and the sandbox to its records. Organisations, Opportunities, Projects and
# the other main objects probably carry VISIBLE_TO and VISIBLE_TEAM_ID too, but no recorded
# response shows it, so they are not added; a sample of each would settle it.
UNDECLARED_FIELDS: tuple[UndeclaredField, ...] = (
    UndeclaredField("Contact", "VISIBLE_TO", _STRING, "BACKGROUND", "get-contacts-search.json"),
    UndeclaredField(
        "Contact", "VISIBLE_TEAM_ID", _INTEGER, "OWNER_USER_ID", "get-contacts-search.json"
    ),
    UndeclaredField(
        "Lead", "VISIBLE_TO", _STRING, "NEXT_ACTIVITY_DATE_UTC", "get-leads-page1.json"
    ),
    UndeclaredField("Lead", "VISIBLE_TEAM_ID", _INTEGER, "VISIBLE_TO", "get-leads-page1.json"),
    UndeclaredField("Lead", "LINKS", _LINKS, "TAGS", "get-leads-page1.json"),
    UndeclaredField(
        "CustomObjectsRecords",
        "DATE_UPDATED_UTC",
        {"type": "string", "format": "date-time", "readOnly": True},
        "DATE_CREATED_UTC",
        "get-fruit__c.json",
    ),
    UndeclaredField(
        "CustomObjectsRecords",
        "CREATED_USER_ID",
        {"type": "integer", "format": "int32", "readOnly": True},
        "DATE_UPDATED_UTC",
        "get-fruit__c.json",
    ),
    # Insightly echoes the field name here; it is never sent back in a write.
    UndeclaredField(
        "CustomField",
        "CUSTOM_FIELD_ID",
        {"type": "string", "readOnly": True},
        "FIELD_VALUE",
        "get-contacts-search.json",
    ),
)
