"""MeltanoLabs target-postgres, loading JSON Schema `date-time` as `timestamp with time zone`.

The loader maps every `date-time` to PostgreSQL's `timestamp`, which keeps no zone: a value
read back means UTC only by convention, and `now() - "DATE_UPDATED_UTC"` is off by the session's
offset. Insightly's timestamps are UTC instants, so they load as `timestamptz`. Everything else
is the loader as released; its settings and behaviour are unchanged.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.types import TIMESTAMP
from target_postgres.connector import PostgresConnector
from target_postgres.sinks import PostgresSink
from target_postgres.target import TargetPostgres

if TYPE_CHECKING:
    from singer_sdk.sql.connector import JSONSchemaToSQL


def _instant(_schema: dict[str, object]) -> TIMESTAMP:
    return TIMESTAMP(timezone=True)


class TimezoneAwareConnector(PostgresConnector):
    """The loader's connector, with `date-time` as `timestamp with time zone`."""

    @cached_property
    def jsonschema_to_sql(self) -> JSONSchemaToSQL:
        """The loader's type mapping, but for `date-time`."""
        to_sql = PostgresConnector.jsonschema_to_sql.func(self)  # the uncached original
        to_sql.register_format_handler("date-time", _instant)
        return to_sql


class TimezoneAwareSink(PostgresSink):
    """The loader's sink, through the time-zone-aware connector."""

    connector_class = TimezoneAwareConnector


class TargetPostgresTz(TargetPostgres):
    """target-postgres, with instants kept as instants."""

    name = "target-postgres"
    default_sink_class = TimezoneAwareSink
