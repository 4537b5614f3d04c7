"""`meltano run tap-insightly target-insightly`: one sandbox copied into another, twice.

Meltano runs the tap on sandbox A and the target, with `id_mode: translate`, on an empty
sandbox B whose configuration has other ids. Every record of the copied objects arrives once,
references point at B's copies, and a second run from the state Meltano kept writes nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from insightly_sandbox.server import SandboxConfig, SandboxServer
from tests.meltano_project import MeltanoProject, meltano_project
from tests.target_run import clear_log, writes

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: The objects whose every record must arrive, and the id field of each.
COPIED = {
    "Organisations": "ORGANISATION_ID",
    "Contacts": "CONTACT_ID",
    "Opportunities": "OPPORTUNITY_ID",
    "OpportunityLineItem": "OPPORTUNITY_ITEM_ID",
    "Notes": "NOTE_ID",
    "Fruit__c": "RECORD_ID",
}


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[tuple[SandboxServer, SandboxServer]]:
    with (
        SandboxServer(SandboxConfig(records=3, seed=1)) as source,
        SandboxServer(SandboxConfig(records=0, seed=2)) as destination,
    ):
        yield source, destination


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Iterator[MeltanoProject]:
    with meltano_project(tmp_path_factory.mktemp("meltano-copy")) as made:
        yield made


def _run(
    project: MeltanoProject, sandboxes: tuple[SandboxServer, SandboxServer], folder: Path
) -> str:
    source, destination = sandboxes
    return project.run(
        "run",
        "--no-install",
        "tap-insightly",
        "target-insightly",
        TAP_INSIGHTLY_API_URL=source.url,
        TAP_INSIGHTLY_API_KEY=source.config.api_key,
        TARGET_INSIGHTLY_API_URL=destination.url,
        TARGET_INSIGHTLY_API_KEY=destination.config.api_key,
        TARGET_INSIGHTLY_ID_MODE="translate",
        TARGET_INSIGHTLY_LEDGER_PATH=str(folder / "ledger.json"),
        TARGET_INSIGHTLY_DEAD_LETTER_PATH=str(folder / "dead-letters.jsonl"),
    )


@pytest.fixture(scope="module")
def copied(project, sandboxes, tmp_path_factory) -> Path:
    folder: Path = tmp_path_factory.mktemp("copy-files")
    _run(project, sandboxes, folder)
    return folder


@pytest.mark.usefixtures("copied")
def test_every_record_arrives_once(sandboxes):
    source, destination = sandboxes
    for path in COPIED:
        assert len(destination.store.tables[path].rows) == len(source.store.tables[path].rows), path


def test_references_point_at_the_copies(sandboxes, copied):
    source, destination = sandboxes
    ledger = json.loads((copied / "ledger.json").read_text())["streams"]

    def copy_of(stream: str, id_field: str, source_id: int) -> int:
        return int(ledger[stream][f"{id_field}={source_id}"]["id"])

    for contact in source.store.tables["Contacts"].rows.values():
        written = destination.store.tables["Contacts"].rows[
            copy_of("contacts", "CONTACT_ID", contact["CONTACT_ID"])
        ]
        organisation = contact["ORGANISATION_ID"]
        if organisation is None:
            assert written["ORGANISATION_ID"] is None
            continue
        names = [
            sandbox.store.tables["Organisations"].rows[key]["ORGANISATION_NAME"]
            for sandbox, key in (
                (source, organisation),
                (destination, written["ORGANISATION_ID"]),
            )
        ]
        assert names[0] == names[1]
    for opportunity in source.store.tables["Opportunities"].rows.values():
        written = destination.store.tables["Opportunities"].rows[
            copy_of("opportunities", "OPPORTUNITY_ID", opportunity["OPPORTUNITY_ID"])
        ]
        pipelines = [
            sandbox.store.tables["Pipelines"].rows[record["PIPELINE_ID"]]["PIPELINE_NAME"]
            for sandbox, record in ((source, opportunity), (destination, written))
            if record["PIPELINE_ID"] is not None
        ]
        assert len(set(pipelines)) <= 1
        assert (opportunity["PIPELINE_ID"] is None) == (written["PIPELINE_ID"] is None)


def test_a_second_run_from_meltanos_state_writes_nothing(project, sandboxes, copied):
    _, destination = sandboxes
    clear_log(destination)

    _run(project, sandboxes, copied)

    assert writes(destination) == []
