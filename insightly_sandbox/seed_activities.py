"""Activities of a seeded instance: tasks, events, notes and e-mails, linked to their subjects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from tap_insightly.catalogue import CUSTOMFIELDS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder

#: What activities are about, as singular link names with object paths, and how often.
_SUBJECTS = (
    ("Contact", "Contacts"),
    ("Organisation", "Organisations"),
    ("Opportunity", "Opportunities"),
    ("Project", "Projects"),
    ("Lead", "Leads"),
)
_SUBJECT_WEIGHTS = (40, 25, 20, 10, 5)
_TASK_VERBS = ("Call", "Email", "Prepare", "Review", "Send")
_EVENT_KINDS = ("Meeting", "Call", "Demo", "Lunch")
_TASK_STATUSES = ("NOT STARTED", "IN PROGRESS", "WAITING", "DEFERRED", "COMPLETED")
_LOCATIONS = ("Head office", "Video call", "Client site", "Café downtown", "Trade show booth")


def _subject(seeder: Seeder) -> tuple[str, int]:
    """A record an activity is about, as its singular link name and id."""
    name, path = seeder.rng.choices(_SUBJECTS, _SUBJECT_WEIGHTS)[0]
    return name, seeder.pick(path)


def seed_tasks(seeder: Seeder) -> None:
    """Tasks linked to a record; those about a deal or project name it in their own fields."""
    rng = seeder.rng
    milestones: dict[int, list[int]] = seeder.extra["milestones"]
    for record_id, (created, edited) in zip(
        values.id_run(rng, 45_100_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        name, subject_id = _subject(seeder)
        status = rng.choice(_TASK_STATUSES)
        start = values.later(rng, created, 10)
        due = start + rng.randint(1, 30) * 86_400
        done = min(values.anchor_seconds(), values.later(rng, start, 30))
        completed = status == "COMPLETED"
        updated = max(edited, done) if completed else edited
        project_id = subject_id if name == "Project" else None
        assigner = seeder.user()
        owner = seeder.user()
        team = seeder.maybe_pick("Teams", 0.1)
        seeder.add(
            "Tasks",
            {
                "TASK_ID": record_id,
                "TITLE": f"{rng.choice(_TASK_VERBS)} {values.phrase(rng, 2).lower()}",
                "CATEGORY_ID": seeder.maybe_pick("TaskCategories", 0.8),
                "DUE_DATE": values.day_stamp(due),
                "COMPLETED_DATE_UTC": values.stamp(done) if completed else None,
                "COMPLETED": completed,
                "DETAILS": values.maybe(rng, values.sentence(rng), 0.5),
                "STATUS": status,
                "PRIORITY": rng.randint(1, 3),
                "PERCENT_COMPLETE": 100 if completed else rng.choice((0, 0, 25, 50, 75)),
                "START_DATE": values.day_stamp(start),
                "MILESTONE_ID": (
                    rng.choice(milestones[project_id]) if project_id in milestones else None
                ),
                "RESPONSIBLE_USER_ID": seeder.user(),
                "OWNER_USER_ID": owner,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "PROJECT_ID": project_id,
                "REMINDER_DATE_UTC": values.maybe(rng, values.stamp(due - 86_400), 0.3),
                "REMINDER_SENT": due - 86_400 < values.anchor_seconds() and rng.random() < 0.3,  # noqa: PLR2004
                "OWNER_VISIBLE": True,
                "ASSIGNED_BY_USER_ID": assigner,
                "RECURRENCE": "FREQ=WEEKLY;INTERVAL=1" if rng.random() < 0.03 else None,  # noqa: PLR2004
                "OPPORTUNITY_ID": subject_id if name == "Opportunity" else None,
                "ASSIGNED_TEAM_ID": team,
                "ASSIGNED_DATE_UTC": values.stamp(created) if assigner != owner or team else None,
                "CREATED_USER_ID": owner,
                CUSTOMFIELDS: custom_fields(seeder, "Tasks"),
            },
        )
        seeder.link("Task", record_id, name, subject_id)
        if name != "Contact" and rng.random() < 0.3:  # noqa: PLR2004
            seeder.link("Task", record_id, "Contact", seeder.pick("Contacts"))


def seed_events(seeder: Seeder) -> None:
    """Meetings and calls in the calendar, linked to contacts and organisations."""
    rng = seeder.rng
    for record_id, (created, updated) in zip(
        values.id_run(rng, 31_800_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        all_day = rng.random() < 0.15  # noqa: PLR2004
        start = created + rng.randint(1, 45) * 86_400
        start -= start % (86_400 if all_day else 1_800)
        end = start + (86_400 if all_day else rng.choice((1_800, 3_600, 5_400)))
        reminder = start - 900
        seeder.add(
            "Events",
            {
                "EVENT_ID": record_id,
                "TITLE": f"{rng.choice(_EVENT_KINDS)}: {values.phrase(rng, 2).lower()}",
                "LOCATION": values.maybe(rng, rng.choice(_LOCATIONS), 0.7),
                "START_DATE_UTC": values.stamp(start),
                "END_DATE_UTC": values.stamp(end),
                "ALL_DAY": all_day,
                "DETAILS": values.maybe(rng, values.sentence(rng), 0.4),
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "REMINDER_DATE_UTC": values.maybe(rng, values.stamp(reminder), 0.5),
                "REMINDER_SENT": reminder < values.anchor_seconds(),
                "OWNER_USER_ID": seeder.user(),
                CUSTOMFIELDS: custom_fields(seeder, "Events"),
            },
        )
        name, subject_id = _subject(seeder)
        seeder.link("Event", record_id, name, subject_id)
        if rng.random() < 0.3:  # noqa: PLR2004
            seeder.link("Event", record_id, "Contact", seeder.pick("Contacts"))


def seed_notes(seeder: Seeder) -> None:
    """Notes, each written under one record (notes are created only under a parent)."""
    rng = seeder.rng
    for record_id, (created, updated) in zip(
        values.id_run(rng, 91_400_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        seeder.add(
            "Notes",
            {
                "NOTE_ID": record_id,
                "TITLE": values.phrase(rng, 3),
                "BODY": f"<p>{values.paragraph(rng, rng.randint(1, 3))}</p>",
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "OWNER_USER_ID": seeder.user(),
            },
        )
        name, subject_id = _subject(seeder)
        seeder.link("Note", record_id, name, subject_id)


def seed_emails(seeder: Seeder) -> None:
    """E-mails filed against contacts and their organisations."""
    rng = seeder.rng
    contacts = seeder.store.tables["Contacts"].rows
    users = seeder.store.tables["Users"].rows
    for record_id, (created, _) in zip(
        values.id_run(rng, 120_500_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        contact_id = seeder.pick("Contacts")
        contact = contacts[contact_id]
        owner = seeder.user()
        incoming = rng.random() < 0.5 and contact["EMAIL_ADDRESS"]  # noqa: PLR2004
        sender = contact if incoming else users[owner]
        name = f"{sender['FIRST_NAME']} {sender['LAST_NAME']}"
        queued = rng.random() < 0.05  # noqa: PLR2004
        seeder.add(
            "Emails",
            {
                "EMAIL_ID": record_id,
                "EMAIL_FROM": f"{name} <{sender['EMAIL_ADDRESS']}>",
                "SUBJECT": f"{rng.choice(('Re: ', 'Fwd: ', ''))}{values.phrase(rng, 3)}",
                "EMAIL_DATE_UTC": values.stamp(created),
                "FORMAT": rng.choice(("HTML", "HTML", "TEXT")),
                "SIZE": rng.randint(2_000, 250_000),
                "OWNER_USER_ID": owner,
                "DATE_CREATED_UTC": values.stamp(created),
                "QUEUED_SEND_DATE_UTC": values.stamp(created + 3_600) if queued else None,
                "CREATED_USER_ID": owner,
                TAGS: seeder.tags(1),
            },
        )
        seeder.link("Email", record_id, "Contact", contact_id)
        if contact["ORGANISATION_ID"] is not None:
            seeder.link("Email", record_id, "Organisation", contact["ORGANISATION_ID"])
