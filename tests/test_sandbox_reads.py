"""The sandbox's reads over a real socket: paging, filters, records and their sub-resources."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from insightly_sandbox.api import ApiRequest
from insightly_sandbox.server import SandboxConfig, SandboxServer
from tests import reads_store as data

if TYPE_CHECKING:
    from collections.abc import Iterator

    import requests


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(), store=data.build()) as running:
        yield running


@pytest.fixture(scope="module")
def basic() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(plan="basic"), store=data.build()) as running:
        yield running


def get(api: requests.Session, server: SandboxServer, path: str, **params: Any) -> Any:
    """GET a path that must answer 200; its decoded body."""
    response = api.get(server.url + path.lstrip("/"), params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def status(api: requests.Session, server: SandboxServer, path: str, **params: Any) -> int:
    return api.get(server.url + path.lstrip("/"), params=params, timeout=10).status_code


def ids(records: list[dict[str, Any]], field: str = "CONTACT_ID") -> list[int]:
    return [record[field] for record in records]


# Paging --------------------------------------------------------------------------------------


def test_a_list_is_a_bare_array_of_the_first_100_in_id_order(api, server):
    body = get(api, server, "/Contacts")
    assert ids(body) == list(range(data.FIRST_CONTACT, data.FIRST_CONTACT + 100))


def test_top_and_skip_walk_every_record_once(api, server):
    first = get(api, server, "/Contacts", top=500)
    rest = get(api, server, "/Contacts", top=500, skip=500)
    assert len(first) == 500
    assert len(rest) == data.CONTACTS - 500
    assert ids(first + rest) == list(range(data.FIRST_CONTACT, data.FIRST_CONTACT + data.CONTACTS))
    assert get(api, server, "/Contacts", skip=data.CONTACTS) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("top", "501"), ("top", "-1"), ("top", "ten"), ("top", "1.5"), ("skip", "-3"), ("skip", "x")],
)
def test_a_bad_top_or_skip_is_a_400_naming_it(api, server, name, value):
    for path in ("/Contacts", "/Contacts/Search", f"/Contacts/{data.RICH_CONTACT}/Notes"):
        response = api.get(server.url + path.lstrip("/"), params={name: value}, timeout=10)
        assert response.status_code == 400
        assert name in response.json()["Message"]


def test_brief_drops_nested_collections_in_any_case(api, server):
    full = get(api, server, "/Contacts", top=1)[0]
    brief = get(api, server, "/Contacts", top=1, brief="True")[0]
    assert {"CUSTOMFIELDS", "TAGS", "DATES", "LINKS"} <= full.keys()
    assert not {"CUSTOMFIELDS", "TAGS", "DATES", "LINKS"} & brief.keys()
    assert brief == {
        k: v for k, v in full.items() if k not in {"CUSTOMFIELDS", "TAGS", "DATES", "LINKS"}
    }
    assert status(api, server, "/Contacts", brief="yes") == 400


def test_count_total_reports_every_match_in_a_header(api, server):
    url = server.url + "Contacts"
    assert api.get(url, params={"count_total": "true", "top": 5}).headers["X-Total-Count"] == "620"
    assert "X-Total-Count" not in api.get(url, params={"top": 5}).headers
    found = api.get(
        url + "/Search",
        params={"field_name": "LAST_NAME", "field_value": "Huber", "count_total": "TRUE", "top": 3},
    )
    assert found.headers["X-Total-Count"] == "62"
    assert len(found.json()) == 3


def test_a_page_of_500_costs_well_under_10_ms(server):
    request = ApiRequest("GET", "/Contacts", {"top": "500"})
    server.api.handle(request)  # the first read encodes; later ones join cached bytes
    best = min(_timed(lambda: server.api.handle(request)) for _ in range(5))
    assert best < 0.005


def _timed(action: Any) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


# Search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("LAST_NAME", "huber", 62),  # text, in any case
        ("last_name", "HUBER", 62),  # field names too
        ("EMAIL_OPTED_OUT", "true", 207),  # booleans by their text
        ("EMAIL_OPTED_OUT", "False", 413),
        ("CONTACT_ID", "1005", 1),  # numbers by their text
        ("Hobby__c", "skiing", 155),  # custom fields by FIELD_NAME
        ("Rating__c", "3", 89),
    ],
)
def test_search_matches_a_field_by_its_text(api, server, field, value, expected):
    body = get(api, server, "/Contacts/Search", field_name=field, field_value=value, top=500)
    total = api.get(
        server.url + "Contacts/Search",
        params={"field_name": field, "field_value": value, "count_total": "true"},
    ).headers["X-Total-Count"]
    assert int(total) == expected
    assert len(body) == min(expected, 500)


@pytest.mark.parametrize(
    "params",
    [
        {"field_name": "LAST_NAME"},
        {"field_value": "Huber"},
        {"field_name": "NO_SUCH_FIELD", "field_value": "1"},
        {"field_name": "TAGS", "field_value": "Paris"},
    ],
)
def test_a_broken_field_filter_is_a_400(api, server, params):
    response = api.get(server.url + "Contacts/Search", params=params, timeout=10)
    assert response.status_code == 400
    assert "field_" in response.json()["Message"]


def test_updated_after_utc_is_exclusive_to_the_second(api, server):
    # Contact FIRST_CONTACT + 100 was updated at 10:01:40.
    url = server.url + "Contacts/Search"
    at = api.get(url, params={"updated_after_utc": "2024-03-04T10:01:40Z", "count_total": "true"})
    before = get(api, server, "/Contacts/Search", updated_after_utc="2024-03-04T10:01:39Z")
    assert at.json()[0]["CONTACT_ID"] == data.FIRST_CONTACT + 101
    assert at.headers["X-Total-Count"] == str(data.CONTACTS - 101)
    assert before[0]["CONTACT_ID"] == data.FIRST_CONTACT + 100


@pytest.mark.parametrize(
    "moment",
    ["2024-03-04T10:01:40", "2024-03-04T11:01:40+01:00", "2024-03-04T10:01:40.999Z"],
)
def test_updated_after_utc_takes_other_iso_8601_spellings(api, server, moment):
    body = get(api, server, "/Contacts/Search", updated_after_utc=moment)
    assert body[0]["CONTACT_ID"] == data.FIRST_CONTACT + 101


@pytest.mark.parametrize("moment", ["2024-03-04 10:01:40", "yesterday", "2024-02-30T00:00:00Z"])
def test_a_malformed_updated_after_utc_is_a_400_naming_the_format(api, server, moment):
    response = api.get(server.url + "Contacts/Search", params={"updated_after_utc": moment})
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["Message"]


def test_field_and_date_filters_combine_except_on_users(api, server):
    both = {"field_name": "LAST_NAME", "field_value": "Huber"}
    body = get(api, server, "/Contacts/Search", updated_after_utc="2024-03-04T10:01:40Z", **both)
    assert ids(body)[0] == data.FIRST_CONTACT + 110
    assert status(api, server, "/Users/Search", updated_after_utc="2024-03-04T10:00:00Z") == 200
    assert status(api, server, "/Users/Search", field_name="USER_ID", field_value="1") == 200
    users = {
        "field_name": "USER_ID",
        "field_value": "1",
        "updated_after_utc": "2024-03-04T10:00:00Z",
    }
    assert status(api, server, "/Users/Search", **users) == 400


def test_emails_filter_on_their_creation_time(api, server):
    assert len(get(api, server, "/Emails/Search", updated_after_utc="2024-03-04T10:00:04Z")) == 1
    assert get(api, server, "/Emails/Search", updated_after_utc="2024-03-04T10:00:05Z") == []


def test_search_by_tag(api, server):
    body = get(api, server, "/Contacts/SearchByTag", tagName="paris", top=500)
    assert len(body) == data.CONTACTS // 5
    assert status(api, server, "/Contacts/SearchByTag") == 400


# Single records and wrong names -----------------------------------------------------------


def test_a_single_record_carries_an_etag(api, server):
    response = api.get(server.url + f"Contacts/{data.RICH_CONTACT}", timeout=10)
    assert response.json()["CONTACT_ID"] == data.RICH_CONTACT
    assert response.headers["ETag"].startswith('"')
    again = api.get(server.url + f"Contacts/{data.RICH_CONTACT}", timeout=10)
    assert again.headers["ETag"] == response.headers["ETag"]
    assert status(api, server, "/Contacts/999999") == 404
    assert status(api, server, "/Contacts/abc") == 400


def test_the_etag_moves_when_the_record_does(api):
    with SandboxServer(SandboxConfig(), store=data.build()) as fresh:
        url = fresh.url + f"Contacts/{data.RICH_CONTACT}"
        before = api.get(url, timeout=10).headers["ETag"]
        with fresh.store.lock:
            fresh.store.tables["Contacts"].rows[data.RICH_CONTACT]["FIRST_NAME"] = "Changed"
            fresh.store.touch("Contacts", data.RICH_CONTACT)
        assert api.get(url, timeout=10).headers["ETag"] != before


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/Products", 405), ("/Quote", 405), ("/Quote/Search", 405), ("/Contacts/1/Nothing", 404)],
)
def test_wrong_names_answer_as_insightly_does(api, server, path, expected):
    assert status(api, server, path) == expected


# Sub-resources -------------------------------------------------------------------------------


RICH = f"/Contacts/{data.RICH_CONTACT}"


@pytest.mark.parametrize(
    ("path", "field", "expected"),
    [
        (f"{RICH}/Links", "LINK_OBJECT_ID", [*data.LINKED_NOTES, 5101, 5201, 5301, 2001]),
        (f"{RICH}/Notes", "NOTE_ID", list(data.LINKED_NOTES)),
        (f"{RICH}/Events", "EVENT_ID", [5101]),
        (f"{RICH}/Tasks", "TASK_ID", [5201]),
        (f"{RICH}/Emails", "EMAIL_ID", [5301]),
        (f"{RICH}/Tags", "TAG_NAME", ["Paris"]),
        (f"{RICH}/Dates", "DATE_ID", [0]),
        (f"{RICH}/FileAttachments", "FILE_ID", [0, 1, 2]),
        ("/Organisations/2001/EmailDomains", "EMAIL_DOMAIN", ["acme.example"]),
        (f"/Notes/{data.LINKED_NOTES[0]}/Links", "LINK_OBJECT_ID", [data.RICH_CONTACT]),
        (f"/Notes/{data.LINKED_NOTES[0]}/Comments", "COMMENT_ID", [data.COMMENT]),
        (f"/Notes/{data.LINKED_NOTES[0]}/Comment", "COMMENT_ID", [data.COMMENT]),
        (f"/Comments/{data.COMMENT}/FileAttachments", "FILE_ID", [11]),
        (f"/Opportunities/{data.OPPORTUNITY}/StateHistory", "FOR_OPPORTUNITY_STATE", ["OPEN"]),
        (f"/Opportunities/{data.OPPORTUNITY}/OpportunityLineItem", "OPPORTUNITY_ITEM_ID", [1, 2]),
        (f"/Opportunities/{data.OPPORTUNITY}/Tags", "TAG_NAME", ["big"]),
        (f"/Quotation/{data.QUOTE}/QuotationLineItem", "QUOTATION_ITEM_ID", [1]),
        (f"/Quotation/{data.QUOTE}/QuotationDocument", "QUOTE_DOCUMENT_ID", [1]),
        (f"/Pricebook/{data.PRICEBOOK}/PricebookEntry", "PRICEBOOK_ENTRY_ID", [1]),
        (f"/Product/{data.PRODUCT}/PricebookEntry", "PRICEBOOK_ENTRY_ID", [1]),
        (f"/Projects/{data.PROJECT}/Milestones", "MILESTONE_ID", [1]),
        (f"/CommunityForums/{data.FORUM}/CommunityPosts", "POST_ID", [data.POST]),
        (f"/CommunityPosts/{data.POST}/CommunityComments", "COMMENT_ID", [1]),
        (f"/Prospect/{data.PROSPECT}/StaticListMembership", "LIST_ID", [4]),
        (f"/Ticket/{data.TICKET}/Comments", "TICKET_COMMENT_ID", [1]),
        ("/Fruit__c/1/FileAttachments", "FILE_ID", [3]),
        (f"/MarketingVisits/{data.PROSPECT}", "VISIT_ID", [1]),
    ],
)
def test_each_sub_resource_answers_the_records_data(api, server, path, field, expected):
    assert [item[field] for item in get(api, server, path)] == expected


def test_activity_sub_resources_page_and_filter(api, server):
    notes = api.get(server.url + RICH[1:] + "/Notes", params={"top": 2, "count_total": "true"})
    assert [note["NOTE_ID"] for note in notes.json()] == list(data.LINKED_NOTES[:2])
    assert notes.headers["X-Total-Count"] == "3"
    later = get(api, server, f"{RICH}/Notes", updated_after_utc="2024-03-04T10:00:00Z")
    assert [note["NOTE_ID"] for note in later] == list(data.LINKED_NOTES[1:])
    files = get(api, server, f"{RICH}/FileAttachments", updated_after_utc="2024-03-04T10:00:01Z")
    assert [item["FILE_ID"] for item in files] == [2]
    assert [n["NOTE_ID"] for n in get(api, server, f"{RICH}/Notes", skip=2)] == [5003]
    assert "LINKS" not in get(api, server, f"{RICH}/Notes", brief="true")[0]


def test_follow_and_link_email_address(api, server):
    assert get(api, server, f"{RICH}/Follow") == {"FOLLOWING": True}
    assert get(api, server, f"/Contacts/{data.RICH_CONTACT + 1}/Follow") == {"FOLLOWING": False}
    lead = get(api, server, "/Leads/6001/LinkEmailAddress")
    assert lead == {"EMAIL": "x-L6001@mailbox.insight.ly"}
    made = get(api, server, f"/Opportunities/{data.OPPORTUNITY}/LinkEmailAddress")["EMAIL"]
    assert made.endswith("@mailbox.insight.ly")


@pytest.mark.parametrize(
    "path",
    [
        "/Contacts/1/Links",
        "/Contacts/1/Notes",
        "/Contacts/1/Tags",
        "/Contacts/1/FileAttachments",
        "/Contacts/1/Follow",
        "/Opportunities/1/OpportunityLineItem",
        "/Opportunities/1/StateHistory",
        "/Leads/1/LinkEmailAddress",
        "/Comments/1/FileAttachments",
        "/Fruit__c/99/FileAttachments",
        "/MarketingVisits/1",
    ],
)
def test_a_sub_resource_of_a_missing_record_is_a_404(api, server, path):
    assert status(api, server, path) == 404


# Custom objects, definitions and instance metadata ----------------------------------------


def test_custom_object_records_list_search_and_single(api, server):
    assert ids(get(api, server, "/Fruit__c"), "RECORD_ID") == [1, 2]
    green = get(api, server, "/Fruit__c/Search", field_name="Color__c", field_value="green")
    assert ids(green, "RECORD_ID") == [1]
    banana = get(api, server, "/Fruit__c/Search", field_name="RECORD_NAME", field_value="BANANA")
    assert ids(banana, "RECORD_ID") == [2]
    assert get(api, server, "/Fruit__c/2")["RECORD_NAME"] == "Banana"
    assert "CUSTOMFIELDS" not in get(api, server, "/Fruit__c", brief="true")[0]
    assert get(api, server, "/CustomObjects")[0]["OBJECT_NAME"] == "Fruit__c"
    assert get(api, server, "/CustomObjects/Fruit__c")["SINGULAR_LABEL"] == "Fruit"
    assert status(api, server, "/CustomObjects/Nope__c") == 404


def test_custom_field_definitions(api, server):
    names = ["Hobby__c", "Rating__c"]
    assert [f["FIELD_NAME"] for f in get(api, server, "/CustomFields/Contacts")] == names
    assert [f["FIELD_NAME"] for f in get(api, server, "/CustomFields/contact")] == names
    everything = [f["FIELD_NAME"] for f in get(api, server, "/CustomFields/NoSuchObject")]
    assert everything == [*names, "Color__c"]
    assert get(api, server, "/CustomFields/Milestones") == []
    one = get(api, server, "/CustomFields/Contacts/Search", fieldName="hobby__c")
    assert one["FIELD_NAME"] == "Hobby__c"
    assert status(api, server, "/CustomFields/Contacts/Search", fieldName="Color__c") == 404
    assert status(api, server, "/CustomFields/Contacts/Search") == 400


def test_instance_metadata(api, server):
    assert get(api, server, "/Users/Me")["USER_ID"] == 1
    assert get(api, server, "/Instance")["INSTANCE_SUBDOMAIN"] == "reads"
    assert get(api, server, "/Permissions")["PERMISSIONS_STATE"] == "Full"
    assert [c["CURRENCY_CODE"] for c in get(api, server, "/Currencies", top=1)] == ["USD", "EUR"]


def test_tags_follows_and_lead_statuses(api, server):
    assert get(api, server, "/Tags", record_type="contacts") == [
        {"TAG_NAME": "Oslo"},
        {"TAG_NAME": "Paris"},
    ]
    assert get(api, server, "/Tags", record_type="Opportunities") == [{"TAG_NAME": "big"}]
    assert status(api, server, "/Tags") == 400
    assert status(api, server, "/Tags", record_type="Milestones") == 400
    assert get(api, server, "/Follows") == [
        {"RECORD_TYPE": "Contact", "RECORD_ID": data.RICH_CONTACT},
        {"RECORD_TYPE": "Note", "RECORD_ID": data.LINKED_NOTES[0]},
    ]
    assert len(get(api, server, "/Follows", record_type="notes")) == 1
    assert ids(get(api, server, "/LeadStatuses"), "LEAD_STATUS_ID") == [1, 2]
    everything = get(api, server, "/LeadStatuses", include_converted="TRUE")
    assert ids(everything, "LEAD_STATUS_ID") == [1, 2, 3]


# Plan gating ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/Product", 404),
        ("/Pricebook", 404),
        ("/PricebookEntry", 404),
        ("/Quotation", 404),
        ("/Quotation/Search", 404),
        ("/QuotationLineItem", 404),
        ("/OpportunityLineItem", 404),
        (f"/Opportunities/{data.OPPORTUNITY}/OpportunityLineItem", 404),
        ("/Ticket", 403),
        ("/Prospect", 403),
        ("/KnowledgeArticle", 403),
        ("/KnowledgeArticleCategory", 403),
        ("/KnowledgeArticleFolder", 403),
        ("/CommunityForums", 403),
        ("/CommunityPosts", 403),
        ("/ForumCategories", 403),
        ("/Tags?record_type=Ticket", 403),
        ("/Contacts", 200),
        (f"/Opportunities/{data.OPPORTUNITY}", 200),
    ],
)
def test_a_basic_plan_refuses_what_it_lacks(api, basic, path, expected):
    assert api.get(basic.url + path.lstrip("/"), timeout=10).status_code == expected
