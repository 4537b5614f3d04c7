"""The configuration of a seeded instance: what an account holds before it holds any records.

Users, teams, pipelines and their stages, activity sets, categories, lead sources and
statuses, relationships, state reasons, countries, currencies, price books, document
templates, `/Instance` and `/Permissions` (the knowledge base and community structure lives
with their content, in `seed_knowledge`). All of it stays when `records` is 0, so that a
connector writing into an empty instance finds the ids it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_sandbox import seed_values as values
from tap_insightly.catalogue import OBJECTS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder

INSTANCE = {
    "INSTANCE_NAME": "Sandbox Trading Co",
    "INSTANCE_SUBDOMAIN": "sandbox",
    "PLAN_NAME": "Enterprise",
    "NEW_USER_EXPERIENCE_ENABLED": True,
}
#: The code Insightly appends to this instance's e-mail drop-box addresses.
_MAILBOX_CODE = "S4NDB0X"

#: (USER_ID, first name, last name, administrator, active); the first is the API user.
USERS = (
    (2240727, "Integration", "Test", True, True),
    (2240731, "Dana", "Whitfield", True, True),
    (2241003, "Marco", "Bellini", False, True),
    (2241876, "Aiko", "Sato", False, True),
    (2243410, "Peter", "Olsen", False, False),
)
TEAMS = ((412_001, "Sales Team", (0, 1, 2)), (412_002, "Customer Success", (1, 3)))
#: (name, for opportunities, stages); stage names in order.
PIPELINES = (
    ("Sales Pipeline", True, ("Qualify", "Discovery", "Proposal", "Negotiation", "Closing")),
    ("Enterprise Deals", True, ("Scoping", "Solution Design", "Commercials", "Contract")),
    ("Project Delivery", False, ("Planning", "Build", "Testing", "Handover")),
)
LEAD_SOURCES = ("Web", "Phone Enquiry", "Partner Referral", "Trade Show", "Email Campaign")
#: (status, STATUS_TYPE): 1 open, 2 closed, the sandbox's stated choice of codes.
LEAD_STATUSES = (
    ("Open - Not Contacted", 1),
    ("Working - Contacted", 1),
    ("Closed - Converted", 2),
    ("Closed - Not Converted", 2),
)
CATEGORIES = {
    "OpportunityCategories": ("New Business", "Renewal", "Upsell", "Services"),
    "ProjectCategories": ("Implementation", "Consulting", "Internal"),
    "TaskCategories": ("Call", "Email", "Follow-up", "Meeting", "Admin"),
    "FileCategories": ("Contracts", "Proposals", "Invoices", "Specifications"),
}
_WEEK = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_COLOURS = ("2E86C1", "28B463", "D68910", "8E44AD", "C0392B")
STATE_REASONS = (
    ("Best price", "WON"),
    ("Strong relationship", "WON"),
    ("Lost to competitor", "LOST"),
    ("Price too high", "LOST"),
    ("No budget", "ABANDONED"),
    ("Project on hold", "SUSPENDED"),
)
RELATIONSHIPS = (
    ("Manager", "is manager of", "Employee", "reports to", True, False),
    ("Partner", "is partner of", "Partner", "is partner of", True, True),
    ("Parent company", "is parent of", "Subsidiary", "is subsidiary of", False, True),
    ("Supplier", "supplies", "Customer", "buys from", False, True),
)
COUNTRIES = (
    "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile", "China",
    "Denmark", "Finland", "France", "Germany", "Greece", "India", "Indonesia", "Ireland",
    "Israel", "Italy", "Japan", "Mexico", "Netherlands", "New Zealand", "Norway", "Poland",
    "Portugal", "Singapore", "South Africa", "South Korea", "Spain", "Sweden", "Switzerland",
    "United Arab Emirates", "United Kingdom", "United States",
)  # fmt: skip
CURRENCIES = (
    ("AUD", "$"), ("BRL", "R$"), ("CAD", "$"), ("CHF", "CHF"), ("CNY", "¥"), ("EUR", "€"),
    ("GBP", "£"), ("INR", "₹"), ("JPY", "¥"), ("NZD", "$"), ("SEK", "kr"), ("SGD", "$"),
    ("USD", "$"), ("ZAR", "R"),
)  # fmt: skip
#: (name, currency, standard): the standard price book lists every product at its price.
PRICEBOOKS = (
    ("Standard Price Book", "USD", True),
    ("Partner Price Book", "USD", False),
    ("Europe Price Book", "EUR", False),
)
DOCUMENT_TEMPLATES = (
    ("Standard Quote", "DOCX", "Quotation"),
    ("Proposal Cover Letter", "DOCX", "Opportunity"),
    ("Welcome Pack", "PDF", "Contact"),
    ("Statement of Work", "DOCX", "Project"),
)


def linked_email_address(letter: str, record_id: int) -> str:
    """The drop-box address Insightly gives a lead (L), opportunity (O) or project (P)."""
    return (
        f"{INSTANCE['INSTANCE_SUBDOMAIN']}-{letter}{record_id}-{_MAILBOX_CODE}@mailbox.insight.ly"
    )


def seed_reference(seeder: Seeder) -> None:
    """Fill the configuration tables, `/Instance` and `/Permissions`."""
    seeder.store.instance = dict(INSTANCE)
    _users(seeder)
    _teams(seeder)
    for path, names in CATEGORIES.items():
        for index, name in enumerate(names):
            seeder.add(
                path,
                {
                    "CATEGORY_ID": seeder.next(path, 3_100_000, 50),
                    "CATEGORY_NAME": name,
                    "ACTIVE": True,
                    "BACKGROUND_COLOR": _COLOURS[index % len(_COLOURS)],
                },
            )
    _activity_sets(seeder)
    _pipelines(seeder)
    _lead_config(seeder)
    _lists(seeder)
    seeder.store.permissions = {
        "PERMISSIONS_STATE": "FULL",
        "OBJECT_PERMISSIONS": [
            {
                "OBJECT_TYPE": obj.record_name,
                "PERMISSIONS_STATE": "FULL",
                "CAN_READ": True,
                "CAN_CREATE": obj.create,
                "CAN_EDIT": obj.update,
                "CAN_DELETE": obj.delete,
            }
            for obj in OBJECTS
            if obj.record_name is not None
        ],
    }


def setup_stamps(seeder: Seeder) -> dict[str, str]:
    """Created and updated timestamps of configuration, set up before the first records."""
    start = values.anchor_seconds() - values.HISTORY_SECONDS - values.days(120)
    created = values.moment(seeder.rng, start, start + values.days(90))
    return {
        "DATE_CREATED_UTC": values.stamp(created),
        "DATE_UPDATED_UTC": values.stamp(values.later(seeder.rng, created, 900)),
    }


def _users(seeder: Seeder) -> None:
    for user_id, first, last, admin, active in USERS:
        mailbox = values.mailbox(first, last)
        seeder.add(
            "Users",
            {
                "USER_ID": user_id,
                "FIRST_NAME": first,
                "LAST_NAME": last,
                "TIMEZONE_ID": "Pacific Standard Time",
                "EMAIL_ADDRESS": f"{mailbox}@sandbox-trading.example.com",
                "EMAIL_DROPBOX_IDENTIFIER": f"{mailbox}-{_MAILBOX_CODE}",
                "EMAIL_DROPBOX_ADDRESS": f"{mailbox}-{_MAILBOX_CODE}@mailbox.insight.ly",
                "ADMINISTRATOR": admin,
                "ACCOUNT_OWNER": user_id == USERS[0][0],
                "ACTIVE": active,
                **setup_stamps(seeder),
                "USER_CURRENCY": "USD",
                "CONTACT_DISPLAY": "FirstLast",
                "CONTACT_ORDER": "LastFirst",
                "TASK_WEEK_START": 1,
                "INSTANCE_ID": 1_084_520,
                "PROFILE_ID": 501 if admin else 502,
                "ROLE_ID": 601 if admin else 602,
            },
        )
        if active:
            seeder.users.append(user_id)


def _teams(seeder: Seeder) -> None:
    for team_id, name, member_indexes in TEAMS:
        members = [
            {
                "PERMISSION_ID": seeder.next("TeamMembers", 9_150_000, 20),
                "TEAM_ID": team_id,
                "MEMBER_USER_ID": USERS[index][0],
            }
            for index in member_indexes
        ]
        seeder.add(
            "Teams",
            {"TEAM_ID": team_id, "TEAM_NAME": name, **setup_stamps(seeder), "TEAMMEMBERS": members},
        )
        for member in members:
            seeder.store.tables["TeamMembers"].add(dict(member))


def _activity_sets(seeder: Seeder) -> None:
    plans = (
        ("New customer onboarding", (True, True, False, False, False), ("Welcome call", "Kickoff")),
        ("Deal follow-up", (False, False, True, False, True), ("Send proposal", "Check in")),
    )
    for name, (contacts, organisations, opportunities, projects, leads), steps in plans:
        set_id = seeder.next("ActivitySets", 880_000, 10)
        activities = [
            _activity(seeder, set_id, step, offset) for offset, step in enumerate(steps, start=1)
        ]
        seeder.add(
            "ActivitySets",
            {
                "ACTIVITYSET_ID": set_id,
                "NAME": name,
                "FOR_CONTACTS": contacts,
                "FOR_ORGANISATIONS": organisations,
                "FOR_OPPORTUNITIES": opportunities,
                "FOR_PROJECTS": projects,
                "FOR_LEADS": leads,
                "OWNER_USER_ID": seeder.api_user,
                "ACTIVITIES": activities,
            },
        )


def _activity(seeder: Seeder, set_id: int, name: str, offset: int) -> dict[str, Any]:
    is_task = offset % 2 == 1
    return {
        "ACTIVITY_ID": seeder.next("Activities", 1_770_000, 10),
        "ACTIVITYSET_ID": set_id,
        "ACTIVITY_NAME": name,
        "ACTIVITY_DETAILS": values.sentence(seeder.rng),
        "ACTIVITY_TYPE": "TASK" if is_task else "EVENT",
        "CATEGORY_ID": seeder.ids["TaskCategories"][0] if is_task else None,
        "REMINDER": is_task,
        "REMINDER_DAYS_BEFORE_DUE": 1 if is_task else None,
        "REMINDER_TIME": "09:00" if is_task else None,
        "PUBLICLY_VISIBLE": True,
        "OWNER_VISIBLE": True,
        "OWNER_USER_ID": seeder.api_user,
        "RESPONSIBLE_USER_ID": seeder.api_user,
        "ASSIGNED_TEAM_ID": None,
        **{f"SKIP_{day}": day in {"SUN", "SAT"} for day in _WEEK},
        "DUE_DAYS_AFTER_START": offset * 3 if is_task else None,
        "DUE_DAYS_BEFORE_END": None,
        "EVENT_DAYS_AFTER_START": None if is_task else offset * 3,
        "EVENT_DAYS_BEFORE_END": None,
        "EVENT_TIME": None if is_task else "10:00",
        "ALL_DAY": False,
        "DURATION": None if is_task else 60,
    }


def _pipelines(seeder: Seeder) -> None:
    activity_sets = seeder.ids["ActivitySets"]
    stages: dict[int, list[int]] = {}
    for name, for_opportunities, stage_names in PIPELINES:
        pipeline = seeder.add(
            "Pipelines",
            {
                "PIPELINE_ID": seeder.next("Pipelines", 3_400_000, 30),
                "PIPELINE_NAME": name,
                "FOR_OPPORTUNITIES": for_opportunities,
                "FOR_PROJECTS": not for_opportunities,
                "OWNER_USER_ID": seeder.api_user,
            },
        )
        for order, stage_name in enumerate(stage_names, start=1):
            stage = seeder.add(
                "PipelineStages",
                {
                    "STAGE_ID": seeder.next("PipelineStages", 4_560_000, 30),
                    "PIPELINE_ID": pipeline["PIPELINE_ID"],
                    "STAGE_NAME": stage_name,
                    "STAGE_ORDER": order,
                    "ACTIVITYSET_ID": activity_sets[1]
                    if order == 1 and for_opportunities
                    else None,
                    "OWNER_USER_ID": seeder.api_user,
                },
            )
            stages.setdefault(pipeline["PIPELINE_ID"], []).append(stage["STAGE_ID"])
    seeder.extra["stages"] = stages
    seeder.extra["opportunity_pipelines"] = seeder.ids["Pipelines"][:2]
    seeder.extra["project_pipelines"] = seeder.ids["Pipelines"][2:]


def _lead_config(seeder: Seeder) -> None:
    for order, source in enumerate(LEAD_SOURCES, start=1):
        seeder.add(
            "LeadSources",
            {
                "LEAD_SOURCE_ID": seeder.next("LeadSources", 3_794_740, 10),
                "LEAD_SOURCE": source,
                "DEFAULT_VALUE": order == 1,
                "FIELD_ORDER": order,
            },
        )
    for order, (status, status_type) in enumerate(LEAD_STATUSES, start=1):
        seeder.add(
            "LeadStatuses",
            {
                "LEAD_STATUS_ID": seeder.next("LeadStatuses", 3_724_790, 10),
                "LEAD_STATUS": status,
                "DEFAULT_STATUS": order == 1,
                "STATUS_TYPE": status_type,
                "FIELD_ORDER": order,
            },
        )
    for reason, state in STATE_REASONS:
        seeder.add(
            "OpportunityStateReasons",
            {
                "STATE_REASON_ID": seeder.next("OpportunityStateReasons", 120_000, 5),
                "STATE_REASON": reason,
                "FOR_OPPORTUNITY_STATE": state,
            },
        )
    for forward_title, forward, reverse_title, reverse, contacts, organisations in RELATIONSHIPS:
        seeder.add(
            "Relationships",
            {
                "RELATIONSHIP_ID": seeder.next("Relationships", 640_000, 5),
                "FORWARD_TITLE": forward_title,
                "FORWARD": forward,
                "REVERSE_TITLE": reverse_title,
                "REVERSE": reverse,
                "FOR_CONTACTS": contacts,
                "FOR_ORGANISATIONS": organisations,
            },
        )


def _lists(seeder: Seeder) -> None:
    for country in COUNTRIES:
        seeder.add("Countries", {"COUNTRY_NAME": country})
    for code, symbol in CURRENCIES:
        seeder.add("Currencies", {"CURRENCY_CODE": code, "CURRENCY_SYMBOL": symbol})
    for name, currency, standard in PRICEBOOKS:
        seeder.add(
            "Pricebook",
            {
                "PRICEBOOK_ID": seeder.next("Pricebook", 1_201_000, 20),
                "NAME": name,
                "DESCRIPTION": None if standard else f"Prices for {name.split()[0].lower()} sales",
                "CURRENCY_CODE": currency,
                "IS_STANDARD": standard,
                "ACTIVE": True,
                "OWNER_USER_ID": seeder.api_user,
                "CREATED_USER_ID": seeder.api_user,
                **setup_stamps(seeder),
            },
        )
    for name, file_type, related in DOCUMENT_TEMPLATES:
        seeder.add(
            "DocumentTemplates",
            {
                "TEMPLATE_ID": seeder.next("DocumentTemplates", 77_000, 10),
                "TEMPLATE_NAME": name,
                "TEMPLATE_FILE_TYPE": file_type,
                "RELATED_OBJECT_NAME": related,
                "DATE_CREATED_UTC": setup_stamps(seeder)["DATE_CREATED_UTC"],
                "ACTIVE": True,
            },
        )
