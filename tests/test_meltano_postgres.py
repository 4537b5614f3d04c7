"""`meltano run tap-insightly target-postgres` into a real PostgreSQL server, twice.

The server is a cluster of this module's own (tests/postgres.py); the sandbox is read over its
socket by the tap Meltano starts. The first run loads every selected stream whole; between the
runs records are updated and created through the API; the second run must change exactly those
rows, from the state Meltano kept. The tests read the two runs of one module-wide pipeline
(`make test` runs pytest with `--dist loadfile`, which keeps them on one worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg.rows import dict_row

from insightly_sandbox.server import SandboxConfig, SandboxServer
from insightly_sandbox.store import parse_timestamp
from tests import postgres
from tests.meltano_pipeline import (
    CUSTOM_FIELD_OBJECTS,
    RECORDS,
    STREAMS,
    Edits,
    Table,
    check_every_stream_loaded,
    check_second_run,
    custom_field_values,
    edit,
    loaded,
    tap_settings,
    utc,
)
from tests.meltano_project import MeltanoProject, meltano_project
from tests.postgres import PASSWORD, REQUIRE, SUPERUSER, PostgresServer

if TYPE_CHECKING:
    from collections.abc import Iterator

SCHEMA = "insightly"

#: The column type each custom FIELD_TYPE must load as; dates are checked against the type the
#: loader gives every other date-time, in the test of time zones.
POSTGRES_TYPES = {
    "TEXT": "text",
    "MULTILINETEXT": "text",
    "DROPDOWN": "text",
    "NUMERIC": "numeric",
    "PERCENT": "numeric",
    "BIT": "boolean",
    "MULTISELECT": "text[]",
    "AUTONUMBER": "bigint",
}


@dataclass
class Pipeline:
    """The module's server, sandbox and Meltano project, and how to run and read them."""

    postgres: PostgresServer
    database: str
    sandbox: SandboxServer
    project: MeltanoProject

    def run(self) -> str:
        return self.project.run(
            "run",
            "--no-install",
            "tap-insightly",
            "target-postgres",
            TARGET_POSTGRES_HOST="127.0.0.1",
            TARGET_POSTGRES_PORT=str(self.postgres.port),
            TARGET_POSTGRES_USER=SUPERUSER,
            TARGET_POSTGRES_PASSWORD=PASSWORD,
            TARGET_POSTGRES_DATABASE=self.database,
            TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA=SCHEMA,
            **tap_settings(self.sandbox),
        )

    def tables(self) -> dict[str, Table]:
        """Every table of the schema, read back whole."""
        keys = {stream.name: stream.key for stream in STREAMS}
        tables: dict[str, Table] = {}
        with psycopg.connect(self.postgres.url(self.database)) as connection:
            names = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (SCHEMA,),
            ).fetchall()
            for (name,) in names:
                relation = f'{SCHEMA}."{name}"'
                types = connection.execute(
                    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    (relation,),
                ).fetchall()
                with connection.cursor(row_factory=dict_row) as cursor:
                    rows = cursor.execute(f"SELECT * FROM {relation}").fetchall()  # noqa: S608
                key = keys.get(name, "")
                tables[name] = Table(
                    rows={row.get(key, index): row for index, row in enumerate(rows)},
                    count=len(rows),
                    types=dict(types),
                )
        return tables


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Iterator[Pipeline]:
    with (
        PostgresServer() as postgres,
        SandboxServer(SandboxConfig(records=RECORDS)) as sandbox,
        meltano_project(tmp_path_factory.mktemp("meltano-postgres")) as project,
    ):
        yield Pipeline(postgres, postgres.create_database("warehouse"), sandbox, project)


@pytest.fixture(scope="module")
def first(pipeline: Pipeline) -> dict[str, Table]:
    """The tables after a first run, from no state."""
    pipeline.run()
    return pipeline.tables()


@pytest.fixture(scope="module")
def second(pipeline: Pipeline, first) -> tuple[dict[str, Table], Edits]:  # noqa: ARG001
    """The tables after edits through the API and a second run, from the first run's state.

    It asks for `first` so that the first run has happened before anything is edited.
    """
    edits = edit(pipeline.sandbox)
    pipeline.run()
    return pipeline.tables(), edits


def test_every_selected_stream_is_a_table_with_every_record(pipeline, first):
    check_every_stream_loaded(pipeline.sandbox, first)


def test_timestamps_hold_insightlys_utc_moments(pipeline, first):
    for stream in STREAMS:
        for record in pipeline.sandbox.store.records(stream.path):
            row = first[stream.name].rows[record[stream.key]]
            for name, value in record.items():
                if name.endswith("_UTC") and value is not None:
                    assert utc(row[name]) == parse_timestamp(value), (stream.name, name)


def test_timestamps_are_time_zone_aware(first):
    contacts = first["contacts"].types
    timestamps = {name for name in contacts if name.endswith("_UTC") or name.startswith("Date")}
    assert {contacts[name] for name in timestamps} == {"timestamp with time zone"}


def test_custom_fields_are_typed_columns_holding_their_values(pipeline, first):
    for stream, path in CUSTOM_FIELD_OBJECTS.items():
        table = first[stream]
        definitions = pipeline.sandbox.store.custom_fields[path]
        date_time = table.types["DATE_UPDATED_UTC"]
        for definition in definitions:
            name, field_type = definition["FIELD_NAME"], definition["FIELD_TYPE"]
            expected = POSTGRES_TYPES.get(field_type, date_time)
            assert table.types.get(name) == expected, (stream, name, field_type)
        for record_id, values in custom_field_values(pipeline.sandbox, path).items():
            row = table.rows[record_id]
            assert {name: loaded(row[name]) for name in values} == values, (stream, record_id)


def test_a_second_run_changes_exactly_the_edited_rows_and_adds_none(pipeline, first, second):
    check_second_run(pipeline.sandbox, first, second)


def test_without_postgresql_these_tests_skip_saying_how_to_install_it_or_fail_in_ci(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(postgres, "DEBIAN", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install -y postgresql"):
        PostgresServer()

    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE} is set"):
        PostgresServer()
