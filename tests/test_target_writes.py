"""The target writing into real sandboxes over sockets: creates, updates, upserts, the ledger."""

from __future__ import annotations

import pytest

from tests.target_run import clear_log, messages, run_target, served, target_config, writes
from tests.writes_client import Client, custom


@pytest.fixture
def empty(start_sandbox):
    return start_sandbox(records=0)


@pytest.fixture
def seeded(start_sandbox):
    return start_sandbox(records=5)


def client_for(sandbox, api) -> Client:
    return Client(api, sandbox)


def test_creates_with_tags_and_custom_fields_in_one_post_each(empty, api, tmp_path):
    contact = {
        "FIRST_NAME": "Ada",
        "LAST_NAME": "Lovelace",
        "EMAIL_ADDRESS": "ada@example.org",
        "DATE_OF_BIRTH": "1990-05-01T10:00:00+02:00",
        "DATE_UPDATED_UTC": "2020-01-01T00:00:00Z",
        "TAGS": [{"TAG_NAME": "vip"}],
        "Hobby__c": "Chess",
        "Interests__c": ["Music", "Travel"],
    }
    organisation = {
        "ORGANISATION_NAME": "Analytical Engines",
        "TAGS": [{"TAG_NAME": "partner"}],
        "CUSTOMFIELDS": [{"FIELD_NAME": "Account_Code__c", "FIELD_VALUE": "AE-1"}],
    }
    run = run_target(
        target_config(empty, tmp_path),
        [*messages("contacts", [contact]), *messages("organisations", [organisation])],
    )

    assert writes(empty) == [("POST", "/v3.1/Contacts"), ("POST", "/v3.1/Organisations")]
    assert run.counts("contacts") == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }
    client = client_for(empty, api)
    written = client.get("/Contacts")[0]
    assert written["DATE_OF_BIRTH"] == "1990-05-01 08:00:00"
    assert written["DATE_UPDATED_UTC"] != "2020-01-01 00:00:00"
    assert [tag["TAG_NAME"] for tag in written["TAGS"]] == ["vip"]
    assert custom(written)["Hobby__c"] == "Chess"
    assert custom(written)["Interests__c"] == "Music;Travel"
    org = client.get("/Organisations")[0]
    assert custom(org)["Account_Code__c"] == "AE-1"
    assert [tag["TAG_NAME"] for tag in org["TAGS"]] == ["partner"]


def test_update_by_id_changes_only_the_fields_sent_and_null_clears(seeded, api, tmp_path):
    client = client_for(seeded, api)
    before = client.first("/Contacts")
    change = {"CONTACT_ID": before["CONTACT_ID"], "TITLE": "CTO", "PHONE_MOBILE": None}
    clear_log(seeded)

    run = run_target(target_config(seeded, tmp_path), messages("contacts", [change]))

    assert writes(seeded) == [("PUT", "/v3.1/Contacts")]
    assert run.counts("contacts")["updated"] == 1
    after = client.get(f"/Contacts/{before['CONTACT_ID']}")
    assert after["TITLE"] == "CTO"
    assert after["PHONE_MOBILE"] is None
    unchanged = ("FIRST_NAME", "LAST_NAME", "EMAIL_ADDRESS", "TAGS", "CUSTOMFIELDS")
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}


def test_upsert_updates_the_match_and_creates_when_none(seeded, api, tmp_path):
    client = client_for(seeded, api)
    existing = client.first("/Contacts")
    records = [
        {"EMAIL_ADDRESS": existing["EMAIL_ADDRESS"], "FIRST_NAME": "Renamed"},
        {"EMAIL_ADDRESS": "someone.new@example.org", "FIRST_NAME": "New"},
    ]
    clear_log(seeded)
    config = target_config(seeded, tmp_path, upsert_keys={"contacts": "EMAIL_ADDRESS"})

    run = run_target(config, messages("contacts", records))

    assert writes(seeded) == [("PUT", "/v3.1/Contacts"), ("POST", "/v3.1/Contacts")]
    searches = [entry for entry in served(seeded) if entry["path"].endswith("/Search")]
    assert len(searches) == 2
    assert run.counts("contacts") == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert client.get(f"/Contacts/{existing['CONTACT_ID']}")["FIRST_NAME"] == "Renamed"
    found = client.get(
        "/Contacts/Search?field_name=EMAIL_ADDRESS&field_value=someone.new@example.org"
    )
    assert [record["FIRST_NAME"] for record in found] == ["New"]


def test_a_second_identical_run_makes_no_calls(seeded, api, tmp_path):
    client = client_for(seeded, api)
    existing = client.first("/Contacts")
    records = [
        {"CONTACT_ID": existing["CONTACT_ID"], "TITLE": "Chair"},
        {"EMAIL_ADDRESS": "kept@example.org", "FIRST_NAME": "Kept", "TAGS": [{"TAG_NAME": "a"}]},
    ]
    config = target_config(seeded, tmp_path, upsert_keys={"contacts": "EMAIL_ADDRESS"})
    run_target(config, messages("contacts", records))
    assert (tmp_path / "ledger.json").exists()
    clear_log(seeded)

    again = run_target(config, messages("contacts", records))

    assert writes(seeded) == []
    assert not [entry for entry in served(seeded) if entry["path"].endswith("/Search")]
    assert again.counts("contacts") == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "skipped": 0,
        "failed": 0,
    }

    changed = [{**records[1], "FIRST_NAME": "Changed"}]
    clear_log(seeded)
    third = run_target(config, messages("contacts", changed))
    # The ledger knows the record's id, so the change is one PUT and no search; the two GETs
    # are the custom object and custom field definitions every run reads.
    assert [(entry["method"], entry["path"]) for entry in served(seeded)] == [
        ("GET", "/v3.1/CustomObjects"),
        ("GET", "/v3.1/CustomFields/All"),
        ("PUT", "/v3.1/Contacts"),
    ]
    assert third.counts("contacts")["updated"] == 1


def test_dry_run_makes_no_writes(seeded, api, tmp_path):
    client = client_for(seeded, api)
    existing = client.first("/Contacts")
    records = [
        {"CONTACT_ID": existing["CONTACT_ID"], "TITLE": "Dry"},
        {"EMAIL_ADDRESS": existing["EMAIL_ADDRESS"], "FIRST_NAME": "Dry"},
        {"EMAIL_ADDRESS": "nobody@example.org", "FIRST_NAME": "Dry"},
    ]
    clear_log(seeded)
    config = target_config(
        seeded, tmp_path, dry_run=True, upsert_keys={"contacts": "EMAIL_ADDRESS"}
    )

    run = run_target(config, messages("contacts", records))

    assert writes(seeded) == []
    assert run.counts("contacts") == {
        "created": 1,
        "updated": 2,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert client.get(f"/Contacts/{existing['CONTACT_ID']}")["TITLE"] == existing["TITLE"]
    assert not (tmp_path / "ledger.json").exists()


def test_line_items_and_notes_are_written_under_their_parents(seeded, api, tmp_path):
    store = seeded.store
    line = next(iter(store.tables["OpportunityLineItem"].rows.values()))
    contact_id = next(iter(store.tables["Contacts"].rows))
    change = {
        "OPPORTUNITY_ITEM_ID": line["OPPORTUNITY_ITEM_ID"],
        "OPPORTUNITY_ID": line["OPPORTUNITY_ID"],
        "QUANTITY": 7,
    }
    note = {
        "TITLE": "Call notes",
        "BODY": "Asked for a quote.",
        "LINKS": [{"LINK_OBJECT_NAME": "Contact", "LINK_OBJECT_ID": contact_id}],
    }

    run = run_target(
        target_config(seeded, tmp_path),
        [*messages("opportunity_line_items", [change]), *messages("notes", [note])],
    )

    opportunity = line["OPPORTUNITY_ID"]
    assert writes(seeded) == [
        ("PUT", f"/v3.1/Opportunities/{opportunity}/OpportunityLineItem"),
        ("POST", f"/v3.1/Contacts/{contact_id}/Notes"),
    ]
    assert run.counts("opportunity_line_items")["updated"] == 1
    assert store.tables["OpportunityLineItem"].rows[line["OPPORTUNITY_ITEM_ID"]]["QUANTITY"] == 7
    notes = client_for(seeded, api).get(f"/Contacts/{contact_id}/Notes")
    assert [written["TITLE"] for written in notes if written["TITLE"] == "Call notes"]
