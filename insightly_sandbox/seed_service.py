"""Service and marketing records: tickets with their comments, prospects and their visits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from tap_insightly.catalogue import CUSTOMFIELDS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder
    from insightly_sandbox.store import Record

_TICKET_STATUSES = ("New", "Open", "Pending", "On-hold", "Solved", "Closed")
_DONE = frozenset({"Solved", "Closed"})
_GRADES = ("A", "B", "C", "D", "F")
#: (MKT_MEDIUM, MKT_SOURCE, REFR_MEDIUM, REFR_SOURCE) of typical campaign visits.
_CHANNELS = (
    ("email", "newsletter", "email", "Newsletter"),
    ("cpc", "google", "search", "Google"),
    ("social", "linkedin", "social", "LinkedIn"),
    ("organic", "bing", "search", "Bing"),
)


def seed_tickets(seeder: Seeder) -> None:
    """Support tickets from contacts, with the comments of the conversation on some."""
    rng = seeder.rng
    contacts = seeder.store.tables["Contacts"].rows
    for number, (record_id, (created, edited)) in enumerate(
        zip(
            values.id_run(rng, 1_650_000, seeder.records),
            seeder.stamps(seeder.records),
            strict=True,
        ),
        start=1,
    ):
        contact_id = seeder.pick("Contacts")
        status = rng.choice(_TICKET_STATUSES)
        solved = values.later(rng, created, 14)
        closed = values.later(rng, solved, 7)
        finished = closed if status == "Closed" else solved
        updated = max(edited, finished) if status in _DONE else edited
        owner = seeder.user()
        seeder.add(
            "Ticket",
            {
                "TICKET_ID": record_id,
                "ORGANISATION_ID": contacts[contact_id]["ORGANISATION_ID"],
                "TICKET_TYPE": rng.choice(("Question", "Problem", "Incident", "Task")),
                "SUBJECT": values.phrase(rng, 4),
                "TICKET_STATUS": status,
                "PRIORITY": rng.choice(("Low", "Normal", "Normal", "High", "Urgent")),
                "TO_EMAIL_ADDRESS": "support@sandbox-trading.example.com",
                "CONTACT_ID": contact_id,
                "CREATED_USER_ID": owner,
                "OWNER_USER_ID": owner,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "TICKET_NUMBER": f"{number:05d}",
                "SOURCE": rng.choice(("Email", "Web", "Phone")),
                "DATE_SOLVED_UTC": values.stamp(solved) if status in _DONE else None,
                "DATE_CLOSED_UTC": values.stamp(closed) if status == "Closed" else None,
                "BRAND_ID": 1,
                "TicketCommentBodyHtml": f"<p>{values.sentence(rng)}</p>",
                CUSTOMFIELDS: custom_fields(seeder, "Ticket"),
                TAGS: seeder.tags(1),
            },
        )
        if rng.random() < 0.4:  # noqa: PLR2004
            seeder.store.children[("Ticket", record_id, "Comments")] = _conversation(
                seeder, record_id, contact_id, owner, created
            )


def _conversation(
    seeder: Seeder, ticket_id: int, contact_id: int, agent: int, created: int
) -> list[Record]:
    """Ticket comments taking turns: the agent answers, the customer replies."""
    rng = seeder.rng
    comments = []
    for index in range(rng.randint(1, 3)):
        from_customer = index % 2 == 1
        public = from_customer or rng.random() < 0.7  # noqa: PLR2004
        comments.append(
            {
                "TICKET_COMMENT_ID": seeder.next("TicketComments", 700_000, 20),
                "TICKET_ID": ticket_id,
                "BODY_HTML": f"<p>{values.sentence(rng)}</p>",
                "PUBLIC_COMMENT": public,
                "CHANNEL": "Email" if public else "Internal",
                "AUTHOR_CONTACT_ID": contact_id if from_customer else None,
                "CREATED_USER_ID": None if from_customer else agent,
                "DATE_CREATED_UTC": values.stamp(values.later(rng, created + index * 3_600, 1)),
            }
        )
    return comments


def seed_prospects(seeder: Seeder) -> None:
    """Marketing prospects, some matched to leads or contacts, and their website visits."""
    rng = seeder.rng
    leads = seeder.store.tables["Leads"].rows
    for record_id, (created, updated) in zip(
        values.id_run(rng, 9_600_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        salutation, first, last = values.person(rng)
        lead_id = seeder.maybe_pick("Leads", 0.2)
        contact_id = seeder.maybe_pick("Contacts", 0.2)
        organisation = values.company(rng)
        street, city, state, postcode, country = values.address(rng)
        seeder.add(
            "Prospect",
            {
                "PROSPECT_ID": record_id,
                "LEAD_ID": lead_id,
                "CONTACT_ID": contact_id,
                "ORGANISATION_ID": seeder.maybe_pick("Organisations", 0.1),
                "SALUTATION": salutation,
                "FIRST_NAME": first,
                "LAST_NAME": last,
                "ORGANISATION_NAME": organisation,
                "TITLE": values.maybe(rng, rng.choice(values.JOB_TITLES), 0.6),
                "EMAIL_ADDRESS": f"{values.mailbox(first, last)}@{values.domain_of(organisation)}",
                "PHONE": values.maybe(rng, values.phone(rng), 0.4),
                "MOBILE": values.maybe(rng, values.phone(rng), 0.2),
                "WEBSITE": f"https://www.{values.domain_of(organisation)}",
                "ADDRESS_STREET": street,
                "ADDRESS_CITY": city,
                "ADDRESS_STATE": state,
                "ADDRESS_POSTCODE": postcode,
                "ADDRESS_COUNTRY": country,
                "INDUSTRY": rng.choice(values.INDUSTRIES),
                "EMPLOYEE_COUNT": rng.choice((10, 25, 80, 250, 1_200)),
                "SCORE": rng.randint(0, 100),
                "GRADE": rng.choice(_GRADES),
                "DESCRIPTION": values.maybe(rng, values.sentence(rng), 0.3),
                "DO_NOT_EMAIL": rng.random() < 0.05,  # noqa: PLR2004
                "DO_NOT_CALL": rng.random() < 0.1,  # noqa: PLR2004
                "OPTED_OUT": rng.random() < 0.05,  # noqa: PLR2004
                "LAST_ACTIVITY_DATE_UTC": values.stamp(values.later(rng, created, 90)),
                "CREATED_USER_ID": seeder.user(),
                "OWNER_USER_ID": seeder.user(),
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "DO_NOT_SYNC": False,
                "LEAD_CONVERSION_DATE_UTC": (
                    max(values.stamp(created), leads[lead_id]["DATE_CREATED_UTC"])
                    if lead_id
                    else None
                ),
                "GRADE_PROFILE_ID": 1,
                CUSTOMFIELDS: custom_fields(seeder, "Prospect"),
                TAGS: seeder.tags(2),
            },
        )
    _visits(seeder)


def _visits(seeder: Seeder) -> None:
    rng = seeder.rng
    visits: list[Record] = []
    for prospect_id in rng.choices(seeder.ids["Prospect"], k=seeder.records):
        medium, source, referrer_medium, referrer_source = rng.choice(_CHANNELS)
        first = values.moment(rng)
        visits.append(
            {
                "PROSPECT_ID": prospect_id,
                "MKT_MEDIUM": medium,
                "MKT_SOURCE": source,
                "MKT_TERM": values.maybe(rng, rng.choice(values.WORDS), 0.3),
                "MKT_CONTENT": values.maybe(rng, f"{rng.choice(values.WORDS)}-banner", 0.3),
                "MKT_NETWORK": "g" if source == "google" else None,
                "MKT_CLICKID": f"{rng.getrandbits(64):016x}" if medium == "cpc" else None,
                "PAGE_REFERRER": f"https://www.{source}.com/",
                "REFR_SOURCE": referrer_source,
                "REFR_MEDIUM": referrer_medium,
                "PAGE_VIEW_COUNT": rng.randint(1, 12),
                "FIRST_PAGE_VIEW_DATE_UTC": values.stamp(first),
                "LAST_PAGE_VIEW_DATE_UTC": values.stamp(values.later(rng, first, 0.05)),
            }
        )
    visits.sort(key=lambda visit: visit["FIRST_PAGE_VIEW_DATE_UTC"])
    for visit, visit_id in zip(visits, values.id_run(rng, 40_000_000, len(visits)), strict=True):
        seeder.add("MarketingVisits", {"VISIT_ID": visit_id, **visit})
