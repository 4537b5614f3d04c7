"""A small store built by hand, whose every value the read tests can predict.

Contacts are numerous enough to page past the 500-record maximum; every other object has the
few records a sub-resource or filter test needs, with the ids and timestamps named below.
"""

from __future__ import annotations

from typing import Any

from insightly_sandbox.store import Store

CONTACTS = 620
FIRST_CONTACT = 1001
#: Contact `FIRST_CONTACT + n` was last updated at `BASE_DAY` 10:00:00 plus n seconds.
BASE_DAY = "2024-03-04"
#: The contact with everything attached: links, notes, files, comments, follow.
RICH_CONTACT = FIRST_CONTACT
LINKED_NOTES = (5001, 5002, 5003)
OPPORTUNITY = 7001
PROJECT = 8001
PRICEBOOK = 9001
PRODUCT = 9101
QUOTE = 9201
FORUM = 9301
POST = 9401
PROSPECT = 9501
TICKET = 9601
COMMENT = 9701
LEAD_CONVERTED_STATUS = 3


def _stamp(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{BASE_DAY} {10 + hours:02d}:{minutes:02d}:{secs:02d}"


def _contact(index: int) -> dict[str, Any]:
    contact_id = FIRST_CONTACT + index
    record: dict[str, Any] = {
        "CONTACT_ID": contact_id,
        "SALUTATION": "Ms" if index % 2 else "Mr",
        "FIRST_NAME": f"First{index}",
        "LAST_NAME": "Huber" if index % 10 == 0 else f"Last{index}",
        "DATE_CREATED_UTC": "2024-01-01 00:00:00",
        "DATE_UPDATED_UTC": _stamp(index),
        "EMAIL_ADDRESS": f"person{index}@mail.example",
        "EMAIL_OPTED_OUT": index % 3 == 0,
        "OWNER_USER_ID": 1,
        "ORGANISATION_ID": None,
        "BACKGROUND": "Met at the fair. " * 4,
    }
    record.update({f"PHONE_{n}": None for n in range(20)})
    record["CUSTOMFIELDS"] = [
        {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing" if index % 4 == 0 else "Chess"},
        {"FIELD_NAME": "Rating__c", "FIELD_VALUE": index % 7},
    ]
    record["TAGS"] = [{"TAG_NAME": "Paris"}] if index % 5 == 0 else [{"TAG_NAME": "Oslo"}]
    record["DATES"] = [{"DATE_ID": index, "OCCASION_NAME": "Birthday"}] if index == 0 else []
    record["LINKS"] = []
    return record


def build() -> Store:
    """The store the read tests serve."""
    store = Store()
    store.instance = {"INSTANCE_NAME": "Reads", "INSTANCE_SUBDOMAIN": "reads", "PLAN_NAME": "Pro"}
    store.permissions = {"PERMISSIONS_STATE": "Full", "OBJECT_PERMISSIONS": []}
    for user_id in (1, 2):
        store.tables["Users"].add(
            {
                "USER_ID": user_id,
                "FIRST_NAME": f"User{user_id}",
                "ACTIVE": True,
                "DATE_UPDATED_UTC": _stamp(user_id),
            }
        )
    for index in range(CONTACTS):
        store.tables["Contacts"].add(_contact(index))
    store.custom_fields["Contacts"] = [
        {"FIELD_NAME": "Hobby__c", "FIELD_FOR": "CONTACT", "FIELD_TYPE": "TEXT"},
        {"FIELD_NAME": "Rating__c", "FIELD_FOR": "CONTACT", "FIELD_TYPE": "NUMERIC"},
    ]
    store.tables["Organisations"].add(
        {
            "ORGANISATION_ID": 2001,
            "ORGANISATION_NAME": "Acme",
            "LINKS": [],
            "EMAILDOMAINS": [{"EMAIL_DOMAIN_ID": 1, "EMAIL_DOMAIN": "acme.example"}],
        }
    )
    _activities(store)
    _products(store)
    _service(store)
    fruit = store.add_custom_object(
        {"OBJECT_NAME": "Fruit__c", "SINGULAR_LABEL": "Fruit"},
        [{"FIELD_NAME": "Color__c", "FIELD_FOR": "FRUIT__C", "FIELD_TYPE": "TEXT"}],
    )
    for record_id, name, color in ((1, "Apple", "Green"), (2, "Banana", "Yellow")):
        fruit.add(
            {
                "RECORD_ID": record_id,
                "RECORD_NAME": name,
                "DATE_UPDATED_UTC": _stamp(record_id),
                "CUSTOMFIELDS": [{"FIELD_NAME": "Color__c", "FIELD_VALUE": color}],
            }
        )
    store.children[("Fruit__c", 1, "FileAttachments")] = [{"FILE_ID": 3, "FILE_NAME": "a.png"}]
    for status_id, status_type in ((1, 1), (2, 1), (3, LEAD_CONVERTED_STATUS)):
        store.tables["LeadStatuses"].add(
            {
                "LEAD_STATUS_ID": status_id,
                "LEAD_STATUS": f"S{status_id}",
                "STATUS_TYPE": status_type,
            }
        )
    for code in ("USD", "EUR"):
        store.tables["Currencies"].add({"CURRENCY_CODE": code, "CURRENCY_SYMBOL": code[0]})
    return store


def _activities(store: Store) -> None:
    """Notes, events, tasks and emails of the rich contact, with files and comments."""
    for offset, note_id in enumerate(LINKED_NOTES):
        store.tables["Notes"].add(
            {
                "NOTE_ID": note_id,
                "TITLE": f"Note {note_id}",
                "LINKS": [],
                "DATE_UPDATED_UTC": _stamp(offset),
            }
        )
        store.add_link(_link("Contact", RICH_CONTACT, "Note", note_id))
    store.tables["Notes"].add({"NOTE_ID": 5999, "TITLE": "Unlinked", "LINKS": []})
    store.tables["Events"].add({"EVENT_ID": 5101, "TITLE": "Lunch", "LINKS": []})
    store.tables["Tasks"].add({"TASK_ID": 5201, "TITLE": "Call", "LINKS": []})
    store.tables["Emails"].add(
        {"EMAIL_ID": 5301, "SUBJECT": "Hi", "DATE_CREATED_UTC": _stamp(5), "TAGS": [], "LINKS": []}
    )
    for name, record_id in (("Event", 5101), ("Task", 5201), ("Email", 5301)):
        store.add_link(_link("Contact", RICH_CONTACT, name, record_id))
    store.add_link(_link("Contact", RICH_CONTACT, "Organisation", 2001))
    store.children[("Contacts", RICH_CONTACT, "FileAttachments")] = [
        {"FILE_ID": n, "FILE_NAME": f"f{n}.txt", "DATE_UPDATED_UTC": _stamp(n)} for n in range(3)
    ]
    store.children[("Notes", LINKED_NOTES[0], "Comments")] = [
        {"COMMENT_ID": COMMENT, "OWNER_USER_ID": 1, "DATE_CREATED_UTC": _stamp(1)}
    ]
    store.children[("Comments", COMMENT, "FileAttachments")] = [{"FILE_ID": 11}]
    store.follows.add(("Contacts", RICH_CONTACT))
    store.follows.add(("Notes", LINKED_NOTES[0]))


def _products(store: Store) -> None:
    """An opportunity with items and history, a project with milestones, a quote, a book."""
    store.tables["Opportunities"].add(
        {
            "OPPORTUNITY_ID": OPPORTUNITY,
            "OPPORTUNITY_NAME": "Deal",
            "LINKS": [],
            "TAGS": [{"TAG_NAME": "big"}],
            "LINKED_EMAIL_ADDRESS": None,
        }
    )
    store.tables["Opportunities"].add({"OPPORTUNITY_ID": OPPORTUNITY + 1, "LINKS": []})
    store.children[("Opportunities", OPPORTUNITY, "StateHistory")] = [
        {"OPPORTUNITY_ID": OPPORTUNITY, "FOR_OPPORTUNITY_STATE": "OPEN"}
    ]
    for item_id, opportunity in ((1, OPPORTUNITY), (2, OPPORTUNITY), (3, OPPORTUNITY + 1)):
        store.tables["OpportunityLineItem"].add(
            {"OPPORTUNITY_ITEM_ID": item_id, "OPPORTUNITY_ID": opportunity}
        )
    store.tables["Leads"].add(
        {"LEAD_ID": 6001, "LINKED_EMAIL_ADDRESS": "x-L6001@mailbox.insight.ly", "TAGS": []}
    )
    store.tables["Projects"].add({"PROJECT_ID": PROJECT, "LINKS": []})
    store.tables["Milestones"].add({"MILESTONE_ID": 1, "PROJECT_ID": PROJECT})
    store.tables["Pricebook"].add({"PRICEBOOK_ID": PRICEBOOK})
    store.tables["Product"].add({"PRODUCT_ID": PRODUCT})
    store.tables["PricebookEntry"].add(
        {"PRICEBOOK_ENTRY_ID": 1, "PRICEBOOK_ID": PRICEBOOK, "PRODUCT_ID": PRODUCT}
    )
    store.tables["Quotation"].add({"QUOTE_ID": QUOTE})
    store.tables["QuotationLineItem"].add({"QUOTATION_ITEM_ID": 1, "QUOTE_ID": QUOTE})
    store.children[("Quotation", QUOTE, "QuotationDocument")] = [{"QUOTE_DOCUMENT_ID": 1}]


def _service(store: Store) -> None:
    """Community, prospect and ticket records for the plan-gated families."""
    store.tables["CommunityForums"].add({"FORUM_ID": FORUM})
    store.tables["CommunityPosts"].add({"POST_ID": POST, "FORUM_ID": FORUM})
    store.tables["CommunityComments"].add({"COMMENT_ID": 1, "POST_ID": POST})
    store.tables["Prospect"].add({"PROSPECT_ID": PROSPECT, "TAGS": []})
    store.tables["MarketingVisits"].add({"VISIT_ID": 1, "PROSPECT_ID": PROSPECT})
    store.tables["MarketingVisits"].add({"VISIT_ID": 2, "PROSPECT_ID": PROSPECT + 1})
    store.children[("Prospect", PROSPECT, "StaticListMembership")] = [{"LIST_ID": 4}]
    store.tables["Ticket"].add({"TICKET_ID": TICKET, "TAGS": []})
    store.children[("Ticket", TICKET, "Comments")] = [{"TICKET_COMMENT_ID": 1}]
    store.tables["KnowledgeArticle"].add({"ARTICLE_ID": 1, "TAGS": []})


def _link(name: str, record_id: int, other: str, other_id: int) -> dict[str, Any]:
    return {
        "OBJECT_NAME": name,
        "OBJECT_ID": record_id,
        "LINK_OBJECT_NAME": other,
        "LINK_OBJECT_ID": other_id,
    }
