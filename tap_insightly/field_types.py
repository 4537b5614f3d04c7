"""Each custom field FIELD_TYPE: its JSON Schema, its values read from records, written back.

Insightly types custom field values loosely: a MULTISELECT is one string joined by `;`, dates
are its `2025-04-22 20:03:25`, and a number may come as text. Reading gives the value its
declared type; writing gives it the form request bodies take. An empty string is unset (null)
for every type but text, and no choices (`[]`) for a MULTISELECT. Types not listed here, such as
calculated fields and any added later, are text.
"""

from __future__ import annotations

import copy
import decimal
import json
import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tap_insightly import values

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_STRING: dict[str, Any] = {"type": ["string", "null"]}
_NUMBER: dict[str, Any] = {"type": ["number", "null"]}
_DATE_TIME: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}

#: The JSON Schema of each FIELD_TYPE's values; a type not listed here is a string.
FIELD_TYPES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "TEXT": _STRING,
        "MULTILINETEXT": _STRING,
        "DROPDOWN": _STRING,
        "NUMERIC": _NUMBER,
        "PERCENT": _NUMBER,
        "BIT": {"type": ["boolean", "null"]},
        "DATE": _DATE_TIME,
        "DATETIME": _DATE_TIME,
        "MULTISELECT": {"type": ["array", "null"], "items": {"type": "string"}},
        "AUTONUMBER": {"type": ["integer", "null"]},
    }
)

_NAMES = {
    "NUMERIC": "number",
    "PERCENT": "number",
    "BIT": "boolean",
    "DATE": "RFC 3339 date-time",
    "DATETIME": "RFC 3339 date-time",
    "MULTISELECT": "list of strings",
    "AUTONUMBER": "integer",
}


class FieldValueError(ValueError):
    """A value does not convert to its field's type."""

    def __init__(self, field_type: str, value: object) -> None:
        """Name the type and what the value is, but not the value, which may be personal data."""
        self.field_type = field_type
        self.kind = kind_of(value)
        super().__init__(f"{self.kind} is not a {field_type} value")


def field_schema(field_type: str | None) -> dict[str, Any]:
    """A fresh JSON Schema for values of a FIELD_TYPE; unknown and calculated types are strings."""
    return copy.deepcopy(dict(FIELD_TYPES.get(field_type or "", _STRING)))


def describe(field_type: str) -> str:
    """How a FIELD_TYPE's typed values read in a description: `number`, `list of strings`."""
    return _NAMES.get(field_type, "string")


def read_value(field_type: str, value: Any) -> Any:  # noqa: ANN401 - any JSON value
    """A record's value in its FIELD_TYPE's type, as `FIELD_TYPES` declares it; None stays None.

    Raises:
        FieldValueError: the value does not convert.
    """
    if value is None:
        return None
    reader: Callable[[Any], Any] = _READERS.get(field_type, _string)
    try:
        return reader(value)
    except (TypeError, ValueError):
        raise FieldValueError(field_type, value) from None


def write_value(field_type: str, value: Any) -> Any:  # noqa: ANN401 - any JSON value
    """A typed value as a request body carries it: lists `;`-joined, date-times Insightly's.

    Raises:
        FieldValueError: the value cannot be written as its FIELD_TYPE.
    """
    if value is None:
        return None
    writer: Callable[[Any], Any] = _WRITERS.get(field_type, _as_given)
    try:
        return writer(value)
    except (TypeError, ValueError):
        raise FieldValueError(field_type, value) from None


def kind_of(value: Any) -> str:  # noqa: ANN401 - any JSON value
    """What a value is, without what it says: `a string`, `a number`."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, (int, float, decimal.Decimal)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else "an object"


def plain_number(value: decimal.Decimal) -> int | float:
    """A decimal as JSON carries it: whole numbers as integers, the rest as floats.

    The SDK reads a target's input numbers as `Decimal`, which `json` cannot write.

    Raises:
        ValueError: the decimal is not finite.
    """
    if not value.is_finite():
        raise ValueError(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _number(value: Any) -> int | float | None:  # noqa: ANN401 - any JSON value
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, decimal.Decimal):
        return plain_number(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError
        return value
    text = _text_of(value).strip()
    if not text:
        return None
    if "_" in text:  # Python reads "1_000" as a number; nothing else does.
        raise ValueError
    try:
        return int(text)
    except ValueError:
        return _number(float(text))


def _integer(value: Any) -> int | None:  # noqa: ANN401 - any JSON value
    number = _number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError
        return int(number)
    return number


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _boolean(value: Any) -> bool | None:  # noqa: ANN401 - any JSON value
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in {0, 1}:
        return bool(value)
    text = _text_of(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def _date_time(value: Any) -> str | None:  # noqa: ANN401 - any JSON value
    if value == "":
        return None
    return values.to_rfc3339(value)


def _choices(value: Any) -> list[str]:  # noqa: ANN401 - any JSON value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        parts: list[str] = value
    else:
        parts = _text_of(value).split(";")
    return [part.strip() for part in parts if part.strip()]


def _string(value: Any) -> str:  # noqa: ANN401 - any JSON value
    # Calculated fields and types added later may carry numbers or booleans; written as JSON
    # text they still fit the string column, and nothing of them is lost.
    return value if isinstance(value, str) else json.dumps(value)


def _text_of(value: Any) -> str:  # noqa: ANN401 - any JSON value
    if not isinstance(value, str):
        raise TypeError
    return value


def _joined(value: Any) -> str:  # noqa: ANN401 - any JSON value
    return ";".join(_choices(value))


def _as_given(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    return value


_READERS: dict[str, Callable[[Any], Any]] = {
    "NUMERIC": _number,
    "PERCENT": _number,
    "BIT": _boolean,
    "DATE": _date_time,
    "DATETIME": _date_time,
    "MULTISELECT": _choices,
    "AUTONUMBER": _integer,
}

# Text is written as given, not as `_string` reads it: what the target is handed for a text
# field is what it means to send.
_WRITERS: dict[str, Callable[[Any], Any]] = {
    "NUMERIC": _number,
    "PERCENT": _number,
    "BIT": _boolean,
    "DATE": values.to_insightly,
    "DATETIME": values.to_insightly,
    "MULTISELECT": _joined,
}
