"""The sandbox's record writes over a real socket: POST, PUT, DELETE, each read back by GET."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from insightly_sandbox.api import Plan
from insightly_sandbox.server import SandboxConfig, SandboxServer
from tests.writes_client import Client, custom, link_ids, new_contact

if TYPE_CHECKING:
    from collections.abc import Iterator

    import requests

SAMPLE = Path(__file__).parent / "samples" / "put-contacts-response.json"


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxServer]:
    """One sandbox for tests whose writes are all refused, so they change nothing."""
    with SandboxServer(SandboxConfig(records=50)) as server:
        yield server


@pytest.fixture
def refused(api: requests.Session, shared: SandboxServer) -> Client:
    return Client(api, shared)


# Creating ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_a_created_contact_has_the_recorded_shape_and_reads_back(client, api, fresh_sandbox):
    recorded = json.loads(SAMPLE.read_text(encoding="utf-8"))
    me = client.get("/Users/Me")

    response = api.post(
        fresh_sandbox.url + "Contacts", json={"FIRST_NAME": "Pamela", "LAST_NAME": "Huber"}
    )
    created = response.json()
    read = api.get(f"{fresh_sandbox.url}Contacts/{created['CONTACT_ID']}")

    assert response.status_code == 201
    assert set(recorded) <= set(created)
    assert read.json() == created
    assert read.headers["ETag"] == response.headers["ETag"]
    assert created["DATE_CREATED_UTC"] == created["DATE_UPDATED_UTC"] == "2025-04-22 20:03:25"
    assert created["OWNER_USER_ID"] == created["CREATED_USER_ID"] == me["USER_ID"]
    assert created["TAGS"] == created["DATES"] == created["LINKS"] == []
    assert created["EMAIL_OPTED_OUT"] is False
    assert created["VISIBLE_TO"] == "EVERYONE"


@pytest.mark.usefixtures("clock")
def test_read_only_and_unknown_fields_in_a_body_are_ignored(client):
    taken = client.first("/Contacts")["CONTACT_ID"]

    created = new_contact(
        client,
        CONTACT_ID=taken,
        DATE_CREATED_UTC="2001-01-01 00:00:00",
        IMAGE_URL="http://example.com/me.png",
        NOT_A_FIELD="ignored",
    )

    assert created["CONTACT_ID"] != taken
    assert created["DATE_CREATED_UTC"] == "2025-04-22 20:03:25"
    assert created["IMAGE_URL"] is None
    assert "NOT_A_FIELD" not in created
    assert client.get(f"/Contacts/{taken}")["CONTACT_ID"] == taken


def test_collections_in_one_post_land_in_the_record(client):
    contact = new_contact(client)
    definitions = client.get("/CustomFields/Organisations")
    by_type = {definition["FIELD_TYPE"]: definition for definition in definitions}
    text, dropdown = by_type["TEXT"]["FIELD_NAME"], by_type["DROPDOWN"]
    option = dropdown["CUSTOM_FIELD_OPTIONS"][0]["OPTION_VALUE"]
    body = {
        "ORGANISATION_NAME": "Huber Trading",
        "CUSTOMFIELDS": [
            {"FIELD_NAME": text, "FIELD_VALUE": "ACME-1"},
            {"FIELD_NAME": dropdown["FIELD_NAME"], "FIELD_VALUE": option},
        ],
        "TAGS": [{"TAG_NAME": "Ottawa"}, {"TAG_NAME": "Paris"}],
        "DATES": [{"OCCASION_NAME": "Founded", "OCCASION_DATE": "1999-05-01 00:00:00"}],
        "EMAILDOMAINS": [{"EMAIL_DOMAIN": "huber.example.com"}],
        "LINKS": [{"LINK_OBJECT_NAME": "Contact", "LINK_OBJECT_ID": contact["CONTACT_ID"]}],
    }

    created = client.call("POST", "/Organisations", body, expect=201)
    read = client.get(f"/Organisations/{created['ORGANISATION_ID']}")

    assert read == created
    assert custom(read)[text] == "ACME-1"
    assert custom(read)[dropdown["FIELD_NAME"]] == option
    assert {entry["FIELD_NAME"] for entry in read["CUSTOMFIELDS"]} == {
        definition["FIELD_NAME"] for definition in definitions
    }
    assert read["TAGS"] == [{"TAG_NAME": "Ottawa"}, {"TAG_NAME": "Paris"}]
    assert read["DATES"][0]["OCCASION_NAME"] == "Founded"
    assert isinstance(read["DATES"][0]["DATE_ID"], int)
    assert read["EMAILDOMAINS"][0]["EMAIL_DOMAIN"] == "huber.example.com"
    assert isinstance(read["EMAILDOMAINS"][0]["EMAIL_DOMAIN_ID"], int)
    contact_links = client.get(f"/Contacts/{contact['CONTACT_ID']}/Links")
    assert link_ids(read["LINKS"]) == link_ids(contact_links)


# Refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"LAST_NAME": "Huber"}, "FIRST_NAME"),
        ({"FIRST_NAME": None}, "FIRST_NAME"),
        ({"FIRST_NAME": 12}, "FIRST_NAME"),
        ({"FIRST_NAME": "P", "EMAIL_OPTED_OUT": "yes"}, "EMAIL_OPTED_OUT"),
        ({"FIRST_NAME": "P", "ORGANISATION_ID": "7"}, "ORGANISATION_ID"),
        ({"FIRST_NAME": "P", "SALUTATION": "x" * 51}, "SALUTATION"),
        ({"FIRST_NAME": "P", "DATE_OF_BIRTH": "1980-05-01T00:00:00Z"}, "DATE_OF_BIRTH"),
        ({"FIRST_NAME": "P", "DATE_OF_BIRTH": "1980-05-01"}, "DATE_OF_BIRTH"),
        ({"FIRST_NAME": "P", "ORGANISATION_ID": 1}, "ORGANISATION_ID"),
        ({"FIRST_NAME": "P", "TAGS": [{"TAG_NAME": ""}]}, "TAG_NAME"),
        (
            {"FIRST_NAME": "P", "CUSTOMFIELDS": [{"FIELD_NAME": "Shoe_Size__c", "FIELD_VALUE": 9}]},
            "Shoe_Size__c",
        ),
        (
            {"FIRST_NAME": "P", "CUSTOMFIELDS": [{"FIELD_NAME": "Number1__c", "FIELD_VALUE": "9"}]},
            "Number1__c",
        ),
        (
            {
                "FIRST_NAME": "P",
                "CUSTOMFIELDS": [{"FIELD_NAME": "Interests__c", "FIELD_VALUE": "Music;Golf"}],
            },
            "Interests__c",
        ),
        (
            {
                "FIRST_NAME": "P",
                "CUSTOMFIELDS": [{"FIELD_NAME": "Date2__c", "FIELD_VALUE": "2025-04-22T20:03:25Z"}],
            },
            "Date2__c",
        ),
        (
            {
                "FIRST_NAME": "P",
                "LINKS": [{"LINK_OBJECT_NAME": "Organisations", "LINK_OBJECT_ID": 1}],
            },
            "LINK_OBJECT_NAME",
        ),
    ],
)
def test_a_bad_contact_is_refused_with_400_naming_the_field(refused, shared, body, named):
    count = len(shared.store.tables["Contacts"].rows)

    message = refused.refusal("POST", "/Contacts", body, 400)

    assert named in message
    assert len(shared.store.tables["Contacts"].rows) == count


def test_a_body_that_is_not_an_object_is_refused(refused):
    assert "JSON object" in refused.refusal("POST", "/Contacts", [{"FIRST_NAME": "P"}], 400)


def test_required_fields_follow_the_spec_without_its_read_only_ids(refused):
    lead = {
        "LAST_NAME": "Sloan",
        "LEAD_STATUS_ID": refused.first("/LeadStatuses")["LEAD_STATUS_ID"],
    }

    assert "LEAD_SOURCE_ID" in refused.refusal("POST", "/Leads", lead, 400)
    assert "ORGANISATION_NAME" in refused.refusal("POST", "/Organisations", {}, 400)


def test_an_update_must_name_an_existing_record(refused):
    missing = refused.refusal("PUT", "/Contacts", {"TITLE": "Boss"}, 400)
    unknown = refused.refusal("PUT", "/Contacts", {"CONTACT_ID": 1, "TITLE": "Boss"}, 404)

    assert "CONTACT_ID" in missing
    assert "1" in unknown


# Updating ------------------------------------------------------------------------------------


def test_a_partial_put_changes_only_what_it_sends_and_null_clears(client, clock):
    contact = new_contact(client, TITLE="Buyer", PHONE="555-0100", BACKGROUND="x")
    key = contact["CONTACT_ID"]
    later = clock.tick(60)

    answer = client.call(
        "PUT",
        "/Contacts",
        {"CONTACT_ID": key, "TITLE": "Boss", "PHONE": None},
        expect=201,
    )
    read = client.get(f"/Contacts/{key}")

    assert answer == read
    assert read["TITLE"] == "Boss"
    assert read["PHONE"] is None
    assert read["BACKGROUND"] == "x"
    assert read["LAST_NAME"] == "Huber"
    assert read["DATE_CREATED_UTC"] == contact["DATE_CREATED_UTC"]
    assert read["DATE_UPDATED_UTC"] == later


def test_put_replaces_tags_and_dates_and_merges_custom_fields(client):
    contact = new_contact(
        client,
        TAGS=[{"TAG_NAME": "a"}, {"TAG_NAME": "b"}],
        DATES=[{"OCCASION_NAME": "Birthday", "OCCASION_DATE": "1980-05-01 00:00:00"}],
        CUSTOMFIELDS=[
            {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Chess"},
            {"FIELD_NAME": "Number1__c", "FIELD_VALUE": 3},
            {"FIELD_NAME": "Interests__c", "FIELD_VALUE": "Music;Travel"},
        ],
    )
    key, date = contact["CONTACT_ID"], contact["DATES"][0]

    client.call(
        "PUT",
        "/Contacts",
        {
            "CONTACT_ID": key,
            "TAGS": [{"TAG_NAME": "c"}],
            "DATES": [{**date, "OCCASION_NAME": "Birthday!"}],
            "CUSTOMFIELDS": [
                {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Golf"},
                {"FIELD_NAME": "Interests__c", "FIELD_VALUE": None},
            ],
        },
        expect=201,
    )
    client.call("PUT", "/Contacts", {"CONTACT_ID": key, "TITLE": "Boss"}, expect=201)
    read = client.get(f"/Contacts/{key}")

    assert read["TAGS"] == [{"TAG_NAME": "c"}]
    assert read["DATES"] == [{**date, "OCCASION_NAME": "Birthday!"}]
    assert custom(read)["Hobby__c"] == "Golf"
    assert custom(read)["Number1__c"] == 3
    assert custom(read)["Interests__c"] is None


def test_date_updated_moves_with_every_change_to_what_get_answers(client, clock):
    contact = new_contact(client)
    key = contact["CONTACT_ID"]
    organisation = client.first("/Organisations")["ORGANISATION_ID"]

    def updated(path: str = f"/Contacts/{key}") -> str:
        return str(client.get(path)["DATE_UPDATED_UTC"])

    moment = clock.tick()
    client.call("POST", f"/Contacts/{key}/Tags", {"TAG_NAME": "vip"}, expect=201)
    assert updated() == moment

    moment = clock.tick()
    link = {"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": organisation}
    client.call("POST", f"/Contacts/{key}/Links", link, expect=201)
    assert updated() == updated(f"/Organisations/{organisation}") == moment

    moment = clock.tick()
    client.call("POST", f"/Contacts/{key}/Notes", {"TITLE": "Call"}, expect=201)
    assert updated() == moment

    clock.tick()
    client.call("POST", f"/Contacts/{key}/Follow", expect=201)
    assert updated() == moment


# Deleting, custom objects, versions and plans ------------------------------------------------


def test_a_deleted_record_is_gone_with_its_links(client):
    organisation = client.first("/Organisations")["ORGANISATION_ID"]
    key = new_contact(
        client,
        LINKS=[{"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": organisation}],
    )["CONTACT_ID"]

    assert client.call("DELETE", f"/Contacts/{key}", expect=202) is None
    client.call("GET", f"/Contacts/{key}", expect=404)
    client.call("DELETE", f"/Contacts/{key}", expect=404)
    assert all(
        link["LINK_OBJECT_ID"] != key for link in client.get(f"/Organisations/{organisation}/Links")
    )


def test_custom_object_records_are_created_changed_and_deleted(client):
    created = client.call(
        "POST",
        "/Fruit__c",
        {
            "RECORD_NAME": "Quince",
            "CUSTOMFIELDS": [{"FIELD_NAME": "Weight__c", "FIELD_VALUE": 7.5}],
        },
        expect=201,
    )
    key = created["RECORD_ID"]
    client.call(
        "PUT",
        "/Fruit__c",
        {"RECORD_ID": key, "CUSTOMFIELDS": [{"FIELD_NAME": "Color__c", "FIELD_VALUE": "Yellow"}]},
        expect=201,
    )
    read = client.get(f"/Fruit__c/{key}")

    assert read["RECORD_NAME"] == "Quince"
    assert custom(read) == {"Color__c": "Yellow", "Weight__c": 7.5}
    assert "RECORD_ID" in client.refusal("PUT", "/Fruit__c", {"RECORD_NAME": "x"}, 400)
    assert "RECORD_NAME" in client.refusal("POST", "/Fruit__c", {}, 400)
    client.call("DELETE", f"/Fruit__c/{key}", expect=202)
    client.call("GET", f"/Fruit__c/{key}", expect=404)


def test_an_update_with_a_stale_etag_is_refused_with_400(client, fresh_sandbox):
    key = new_contact(client)["CONTACT_ID"]
    stale = client.etag(f"/Contacts/{key}")
    client.call("PUT", "/Contacts", {"CONTACT_ID": key, "TITLE": "Boss"}, expect=201)

    def put(if_match: str) -> int:
        answer = client.api.put(
            fresh_sandbox.url + "Contacts",
            json={"CONTACT_ID": key, "TITLE": "CEO"},
            headers={"If-Match": if_match},
            timeout=10,
        )
        return int(answer.status_code)

    assert put(stale) == 400
    assert put(client.etag(f"/Contacts/{key}")) == 201
    assert client.get(f"/Contacts/{key}")["TITLE"] == "CEO"


def test_creating_beyond_the_record_limit_answers_402(api):
    with SandboxServer(SandboxConfig(records=5, record_limit=6)) as server:
        limited = Client(api, server)
        limited.call("POST", "/Contacts", {"FIRST_NAME": "Sixth"}, expect=201)

        assert "Record limit" in limited.refusal("POST", "/Contacts", {"FIRST_NAME": "P"}, 402)
        assert len(limited.get("/Contacts?top=500")) == 6


def test_a_basic_plan_refuses_product_writes_with_404(client, fresh_sandbox):
    opportunity = client.first("/Opportunities")["OPPORTUNITY_ID"]
    entry = client.first("/PricebookEntry")["PRICEBOOK_ENTRY_ID"]
    fresh_sandbox.api.plan = Plan("basic")
    line = {"PRICEBOOK_ENTRY_ID": entry, "QUANTITY": 1, "UNIT_PRICE": 1}
    product = {"PRODUCT_NAME": "x", "DEFAULT_PRICE": 1, "ACTIVE": True}

    client.refusal("POST", "/Product", product, 404)
    client.refusal("POST", f"/Opportunities/{opportunity}/OpportunityLineItem", line, 404)


# What some objects do beyond their fields ----------------------------------------------------


def test_a_state_changed_by_put_enters_the_state_history(client):
    key = client.call("POST", "/Opportunities", {"OPPORTUNITY_NAME": "Deal"}, expect=201)[
        "OPPORTUNITY_ID"
    ]

    client.call(
        "PUT", "/Opportunities", {"OPPORTUNITY_ID": key, "OPPORTUNITY_STATE": "lost"}, expect=201
    )
    bad = {"OPPORTUNITY_ID": key, "OPPORTUNITY_STATE": "closed"}

    assert client.get(f"/Opportunities/{key}")["OPPORTUNITY_STATE"] == "LOST"
    assert client.get(f"/Opportunities/{key}/StateHistory")[-1]["FOR_OPPORTUNITY_STATE"] == "LOST"
    assert "OPPORTUNITY_STATE" in client.refusal("PUT", "/Opportunities", bad, 400)


def test_a_teams_members_follow_the_teammembers_it_is_sent(client):
    users = [user["USER_ID"] for user in client.get("/Users")]

    def members(team: dict[str, Any]) -> list[int]:
        return [entry["MEMBER_USER_ID"] for entry in team["TEAMMEMBERS"]]

    team = client.call(
        "POST",
        "/Teams",
        {"TEAM_NAME": "Day", "TEAMMEMBERS": [{"MEMBER_USER_ID": user} for user in users[:2]]},
        expect=201,
    )
    changed = {"TEAM_ID": team["TEAM_ID"], "TEAMMEMBERS": [{"MEMBER_USER_ID": users[2]}]}
    client.call("PUT", "/Teams", changed, expect=200)

    assert members(team) == users[:2]
    assert members(client.get(f"/Teams/{team['TEAM_ID']}")) == users[2:3]
    listed = client.get("/TeamMembers?top=500")
    assert [row["MEMBER_USER_ID"] for row in listed if row["TEAM_ID"] == team["TEAM_ID"]] == [
        users[2]
    ]


def test_a_deleted_product_takes_its_price_book_entries_and_a_used_category_stays(client):
    product = client.first("/Product")["PRODUCT_ID"]
    opportunities = client.get("/Opportunities?top=500")
    category = next(row["CATEGORY_ID"] for row in opportunities if row["CATEGORY_ID"])

    client.call("DELETE", f"/Product/{product}", expect=202)

    assert client.get(f"/PricebookEntry/Search?field_name=PRODUCT_ID&field_value={product}") == []
    assert "in use" in client.refusal("DELETE", f"/OpportunityCategories/{category}", None, 409)
