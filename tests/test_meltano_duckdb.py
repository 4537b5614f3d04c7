"""`meltano run insightly-to-duckdb`, the job of meltano.yml, into a DuckDB file, twice.

The same pipeline as the PostgreSQL tests, into the embedded default destination the demo
uses: every selected stream whole on the first run, exactly the edited rows on the second.
The tests read the two runs of one module-wide pipeline, as in the PostgreSQL tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from insightly_sandbox.server import SandboxConfig, SandboxServer
from insightly_sandbox.store import parse_timestamp
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

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SCHEMA = "insightly"

#: The column type each custom FIELD_TYPE loads as in target-duckdb.
DUCKDB_TYPES = {
    "TEXT": "VARCHAR",
    "MULTILINETEXT": "VARCHAR",
    "DROPDOWN": "VARCHAR",
    "NUMERIC": "DOUBLE",
    "PERCENT": "DOUBLE",
    "BIT": "BOOLEAN",
    "DATE": "TIMESTAMP",
    "DATETIME": "TIMESTAMP",
    "MULTISELECT": "JSON",
    "AUTONUMBER": "HUGEINT",
}


@dataclass
class Pipeline:
    """The module's sandbox, DuckDB file and Meltano project, and how to run and read them."""

    sandbox: SandboxServer
    database: Path
    project: MeltanoProject

    def run(self) -> str:
        return self.project.run(
            "run",
            "--no-install",
            "insightly-to-duckdb",
            TARGET_DUCKDB_FILEPATH=str(self.database),
            TARGET_DUCKDB_DEFAULT_TARGET_SCHEMA=SCHEMA,
            **tap_settings(self.sandbox),
        )

    def tables(self) -> dict[str, Table]:
        """Every table of the schema, read back whole; target-duckdb lower-cases column names."""
        keys = {stream.name: stream.key.lower() for stream in STREAMS}
        tables: dict[str, Table] = {}
        with duckdb.connect(str(self.database), read_only=True) as connection:
            names = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                [SCHEMA],
            ).fetchall()
            for (name,) in names:
                relation = f'{SCHEMA}."{name}"'
                described = connection.execute(f"DESCRIBE {relation}").fetchall()
                types = {str(row[0]): str(row[1]) for row in described}
                cursor = connection.execute(f"SELECT * FROM {relation}")  # noqa: S608
                columns = [column[0] for column in cursor.description or []]
                rows = [
                    {
                        column: json.loads(value) if types[column] == "JSON" and value else value
                        for column, value in zip(columns, row, strict=True)
                    }
                    for row in cursor.fetchall()
                ]
                key = keys.get(name, "")
                tables[name] = Table(
                    rows={row.get(key, index): row for index, row in enumerate(rows)},
                    count=len(rows),
                    types=types,
                )
        return tables


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Iterator[Pipeline]:
    directory = tmp_path_factory.mktemp("meltano-duckdb")
    with (
        SandboxServer(SandboxConfig(records=RECORDS)) as sandbox,
        meltano_project(directory) as project,
    ):
        yield Pipeline(sandbox, directory / "warehouse.duckdb", project)


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
                    assert first[stream.name].types[name.lower()] == "TIMESTAMP"
                    assert utc(row[name.lower()]) == parse_timestamp(value), (stream.name, name)


def test_custom_fields_are_typed_columns_holding_their_values(pipeline, first):
    for stream, path in CUSTOM_FIELD_OBJECTS.items():
        table = first[stream]
        for definition in pipeline.sandbox.store.custom_fields[path]:
            name, field_type = definition["FIELD_NAME"].lower(), definition["FIELD_TYPE"]
            assert table.types.get(name) == DUCKDB_TYPES[field_type], (stream, name)
        for record_id, values in custom_field_values(pipeline.sandbox, path).items():
            row = table.rows[record_id]
            found: dict[str, Any] = {name: loaded(row[name.lower()]) for name in values}
            assert found == values, (stream, record_id)


def test_a_second_run_changes_exactly_the_edited_rows_and_adds_none(pipeline, first, second):
    check_second_run(pipeline.sandbox, first, second, str.lower)
