"""`id_mode: translate` record by record: waiting for what a record names, and what never comes."""

from __future__ import annotations

import json

import pytest

from target_insightly.pending import Pending
from target_insightly.target import TargetError, TooManyFailuresError
from tests.target_run import messages, run_target, target_config, writes

ORGANISATION = {"ORGANISATION_ID": 9001, "ORGANISATION_NAME": "Source Org"}
CONTACT = {"CONTACT_ID": 7001, "FIRST_NAME": "Ada", "LAST_NAME": "Source", "ORGANISATION_ID": 9001}


def test_a_contact_waits_for_the_organisation_that_comes_after_it(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0, seed=2)
    config = target_config(sandbox, tmp_path, id_mode="translate")
    lines = [*messages("contacts", [CONTACT]), *messages("organisations", [ORGANISATION])]

    run = run_target(config, lines)

    (organisation,) = sandbox.store.tables["Organisations"].rows.values()
    (contact,) = sandbox.store.tables["Contacts"].rows.values()
    assert organisation["ORGANISATION_NAME"] == "Source Org"
    assert contact["ORGANISATION_ID"] == organisation["ORGANISATION_ID"] != 9001
    assert run.counts("contacts")["created"] == run.counts("organisations")["created"] == 1
    # The organisation first, then the contact that waited for it.
    assert writes(sandbox) == [("POST", "/v3.1/Organisations"), ("POST", "/v3.1/Contacts")]


def test_a_record_naming_one_never_supplied_is_dead_lettered_with_what_it_lacks(
    start_sandbox, tmp_path
):
    sandbox = start_sandbox(records=0, seed=2)
    config = target_config(sandbox, tmp_path, id_mode="translate")

    with pytest.raises(TooManyFailuresError, match="1 records were refused"):
        run_target(config, messages("contacts", [CONTACT]))

    (letter,) = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").open()]
    assert letter["record"]["CONTACT_ID"] == 7001
    assert "Organisations 9001" in letter["message"]
    assert "include their streams" in letter["message"]
    assert writes(sandbox) == []


def test_a_dry_run_copy_goes_on_past_what_it_would_create(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0, seed=2)
    config = target_config(sandbox, tmp_path, id_mode="translate", dry_run=True)
    lines = [*messages("contacts", [CONTACT]), *messages("organisations", [ORGANISATION])]

    run = run_target(config, lines)

    assert writes(sandbox) == []
    assert run.counts("contacts")["created"] == run.counts("organisations")["created"] == 1


def test_a_ledger_written_in_the_other_mode_is_refused(start_sandbox, tmp_path):
    sandbox = start_sandbox(records=0, seed=2)
    ledger = tmp_path / "ledger.json"
    ledger.write_text(json.dumps({"format": 1, "id_mode": "update", "streams": {}}))
    config = target_config(sandbox, tmp_path, id_mode="translate")

    with pytest.raises(TargetError, match="written with id_mode 'update'"):
        run_target(config, messages("organisations", [ORGANISATION]))


def test_pending_hands_back_an_item_once_everything_it_needs_is_settled():
    pending: Pending[str] = Pending()
    pending.wait("contact", {("Organisations", 1), ("Users", 2)})
    pending.wait("task", {("Organisations", 1)})

    assert pending.settle(("Organisations", 1)) == ["task"]
    assert len(pending) == 1
    assert pending.settle(("Users", 2)) == ["contact"]
    assert pending.drain() == []


def test_pending_drains_what_still_waits_with_what_it_needs():
    pending: Pending[str] = Pending()
    pending.wait("contact", {("Organisations", 1), ("Users", 2)})
    pending.settle(("Users", 2))

    assert pending.drain() == [("contact", {("Organisations", 1)})]
    assert len(pending) == 0
