"""Request bodies checked against Insightly's own spec before the sandbox writes anything.

Each write operation's body parameter in the spec declares its fields: their JSON types,
`maxLength`, `format: date-time` and `readOnly`. Those declarations are the rules; the spec's
`required` lists are trusted only minus their read-only fields, which they wrongly include
(API-NOTES "Writing"). A failed check is a 400 whose message names the field at fault.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insightly_sandbox.query import Refusal
from insightly_sandbox.spec import Schema, item_schema, load_spec, resolve
from insightly_sandbox.store import TIMESTAMP_FORMAT
from tap_insightly.catalogue import CUSTOMFIELDS, DATES, EMAILDOMAINS, LINKS, TAGS

if TYPE_CHECKING:
    from collections.abc import Callable

    from insightly_sandbox.store import Record

#: Fields the sandbox always sets itself, whatever the spec says of them (a few bodies, such
#: as Events and Notes, declare the timestamps writable).
SERVER_MANAGED = frozenset({"DATE_CREATED_UTC", "DATE_UPDATED_UTC", "CREATED_USER_ID"})
#: Fields the sandbox fills in when a create leaves them out, so they are never required.
DEFAULTED = frozenset({"OWNER_USER_ID"})
#: Collections a body may carry, each checked by its own rules rather than as a field.
NESTED = frozenset({CUSTOMFIELDS, TAGS, DATES, EMAILDOMAINS, LINKS, "TEAMMEMBERS"})


@dataclass(frozen=True)
class BodyRules:
    """What one operation's body may hold, read from the spec.

    Attributes:
        properties: the declared fields and their schemas, references followed.
        required: the spec's required fields that are not read-only.
        read_only: fields a body may carry but the sandbox ignores.
        create_only: read-only fields the spec also requires, such as a line item's
            PRICEBOOK_ENTRY_ID: a create must be able to give them, an update cannot change them.
    """

    properties: dict[str, Schema]
    required: frozenset[str]
    read_only: frozenset[str]
    create_only: frozenset[str]


@functools.cache
def rules(template: str, method: str) -> BodyRules:
    """The body rules of the operation at a path template and method."""
    body = body_schema(template, method)
    record = item_schema(template, method) if method != "delete" else None
    properties = {name: resolve(prop) for name, prop in body.get("properties", {}).items()}
    declared_read_only = {name for name, prop in properties.items() if prop.get("readOnly")}
    record_read_only = {
        name
        for name, prop in (record or {}).get("properties", {}).items()
        if resolve(prop).get("readOnly")
    }
    read_only = declared_read_only | record_read_only | SERVER_MANAGED
    required = frozenset(body.get("required") or ())
    return BodyRules(
        properties=properties,
        required=frozenset(required & properties.keys()) - read_only,
        read_only=frozenset(read_only),
        create_only=frozenset(required & declared_read_only) - SERVER_MANAGED,
    )


@functools.cache
def body_schema(template: str, method: str) -> Schema:
    """The schema of an operation's body parameter, or an empty schema if it takes none."""
    operation = load_spec()["paths"][template][method]
    for parameter in operation.get("parameters", ()):
        if parameter.get("in") == "body":
            return resolve(parameter.get("schema", {}))
    return {}


def json_object(body: Any, what: str = "The request body") -> dict[str, Any]:  # noqa: ANN401 - any JSON value
    """A body that must be a JSON object."""
    if not isinstance(body, dict):
        raise Refusal(400, f"{what} must be a JSON object.")
    return body


def check_fields(
    body: dict[str, Any],
    body_rules: BodyRules,
    *,
    creating: bool,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The standard fields a body sets, checked; read-only, unknown and skipped ones dropped.

    Args:
        body: the request body.
        body_rules: the rules of its operation.
        creating: whether the body creates a record (required fields must be present, and
            create-only fields are taken) or updates one (only the fields sent change).
        skip: fields the caller sets or checks itself (the record's own id, a parent's id).

    Raises:
        Refusal: 400 naming the first field that is missing or of the wrong kind.
    """
    accepted: dict[str, Any] = {}
    for name, value in body.items():
        prop = body_rules.properties.get(name)
        if prop is None or name in skip or name in NESTED:
            continue
        if name in body_rules.read_only and not (creating and name in body_rules.create_only):
            continue
        accepted[name] = check_value(name, value, prop)
    for name in sorted(body_rules.required - DEFAULTED - skip):
        if accepted.get(name) is None and (creating or name in accepted):
            raise Refusal(400, f"{name} is required and cannot be empty.")
    return accepted


def check_value(name: str, value: Any, prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    """One field's value, checked against its declared type; null always passes (it clears)."""
    if value is None:
        return None
    check = _CHECKS.get(prop.get("type", ""))
    return value if check is None else check(name, value, prop)


def _string(name: str, value: Any, prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    if not isinstance(value, str):
        raise Refusal(400, f"{name} must be a string, not {_json_kind(value)}.")
    if prop.get("format") == "date-time":
        return check_timestamp(name, value)
    limit = prop.get("maxLength") or 0
    if limit and len(value) > limit:
        raise Refusal(400, f"{name} is {len(value)} characters long; at most {limit} fit.")
    return value


def _integer(name: str, value: Any, _prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refusal(400, f"{name} must be a whole number, not {_json_kind(value)}.")
    return value


def _number(name: str, value: Any, _prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Refusal(400, f"{name} must be a number, not {_json_kind(value)}.")
    return value


def _boolean(name: str, value: Any, _prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    if not isinstance(value, bool):
        raise Refusal(400, f"{name} must be true or false, not {_json_kind(value)}.")
    return value


def _array(name: str, value: Any, _prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    if not isinstance(value, list):
        raise Refusal(400, f"{name} must be a list, not {_json_kind(value)}.")
    return value


def _object(name: str, value: Any, prop: Schema) -> Any:  # noqa: ANN401 - any JSON value
    # The spec types FIELD_VALUE "object" without properties: there it means any value.
    if prop.get("properties") and not isinstance(value, dict):
        raise Refusal(400, f"{name} must be a JSON object, not {_json_kind(value)}.")
    return value


_CHECKS: dict[str, Callable[[str, Any, Schema], Any]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "array": _array,
    "object": _object,
}


def check_timestamp(name: str, value: str) -> str:
    """A body timestamp, which Insightly takes only as `yyyy-MM-dd HH:mm:ss` in UTC."""
    try:
        dt.datetime.strptime(value, TIMESTAMP_FORMAT)  # noqa: DTZ007 - the text carries no zone
    except ValueError:
        hint = " (ISO 8601 belongs in query parameters, not in bodies)" if "T" in value else ""
        raise Refusal(
            400,
            f"{name} must be a UTC date and time written yyyy-MM-dd HH:mm:ss, "
            f"such as 2025-04-22 20:03:25, not {value!r}{hint}.",
        ) from None
    return value


def check_items(value: Any, field: str, definition: str) -> list[dict[str, Any]]:  # noqa: ANN401 - any JSON value
    """A nested collection (DATES, EMAILDOMAINS, ...): a list of objects of a spec definition.

    Each item keeps only the fields its definition declares, each checked; the definition's
    required fields must be there.
    """
    if not isinstance(value, list):
        raise Refusal(400, f"{field} must be a list, not {_json_kind(value)}.")
    schema = load_spec()["definitions"][definition]
    properties = {name: resolve(prop) for name, prop in schema.get("properties", {}).items()}
    items: list[dict[str, Any]] = []
    for item in value:
        given = json_object(item, f"Each entry of {field}")
        checked = {
            name: check_value(f"{field}.{name}", given[name], prop)
            for name, prop in properties.items()
            if name in given
        }
        for name in schema.get("required") or ():
            if checked.get(name) is None:
                raise Refusal(400, f"{field}.{name} is required in every entry.")
        items.append(checked)
    return items


def check_tags(value: Any, field: str = TAGS) -> list[str]:  # noqa: ANN401 - any JSON value
    """Tag names from `[{"TAG_NAME": ...}]`, each non-empty, repeats dropped, order kept."""
    names: list[str] = []
    for item in check_items(value, field, "APITag"):
        name = item.get("TAG_NAME")
        if not isinstance(name, str) or not name.strip():
            raise Refusal(400, f"{field}.TAG_NAME is required in every entry.")
        if name.strip() not in names:
            names.append(name.strip())
    return names


def check_custom_fields(
    value: Any,  # noqa: ANN401 - any JSON value
    definitions: list[Record],
    object_path: str,
) -> dict[str, Any]:
    """The custom field values a body sets, by FIELD_NAME, each checked against its definition.

    Fields that are not editable (AUTONUMBER, calculated) are dropped, as read-only standard
    fields are.

    Raises:
        Refusal: 400 naming a FIELD_NAME the object does not define, or whose value does not
            suit its FIELD_TYPE.
    """
    if not isinstance(value, list):
        raise Refusal(400, f"{CUSTOMFIELDS} must be a list, not {_json_kind(value)}.")
    by_name = {definition["FIELD_NAME"]: definition for definition in definitions}
    values: dict[str, Any] = {}
    for entry in value:
        given = json_object(entry, f"Each entry of {CUSTOMFIELDS}")
        name = given.get("FIELD_NAME")
        if not isinstance(name, str) or name not in by_name:
            raise Refusal(
                400,
                f"CUSTOMFIELDS: {name!r} is not a custom field of {object_path}; "
                f"GET /CustomFields/{object_path} lists the FIELD_NAMEs it defines.",
            )
        definition = by_name[name]
        if definition.get("EDITABLE") is False:
            continue
        values[name] = custom_value(name, given.get("FIELD_VALUE"), definition)
    return values


def custom_value(name: str, value: Any, definition: Record) -> Any:  # noqa: ANN401, PLR0911 - one rule per FIELD_TYPE
    """One custom field value, checked against its FIELD_TYPE; null clears the field."""
    if value is None:
        return None
    kind = definition.get("FIELD_TYPE")
    options = [option["OPTION_VALUE"] for option in definition.get("CUSTOM_FIELD_OPTIONS") or ()]
    if kind in {"NUMERIC", "PERCENT"}:
        return check_value(name, value, {"type": "number"})
    if kind == "BIT":
        return check_value(name, value, {"type": "boolean"})
    if kind in {"DATE", "DATETIME"}:
        return check_value(name, value, {"type": "string", "format": "date-time"})
    if kind in {"TEXT", "MULTILINETEXT"}:
        return check_value(name, value, {"type": "string"})
    if kind == "DROPDOWN":
        if value not in options:
            raise Refusal(400, f"{name} must be one of {options}, not {value!r}.")
        return value
    if kind == "MULTISELECT":
        chosen = check_value(name, value, {"type": "string"}).split(";")
        wrong = [part for part in chosen if part not in options]
        if wrong:
            raise Refusal(
                400, f"{name} takes options of {options} joined by ';'; {wrong} are not among them."
            )
        return value
    return value


def _json_kind(value: Any) -> str:  # noqa: ANN401 - any JSON value
    """How a JSON value reads in a message: `the string '12'`, `a number`."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"
