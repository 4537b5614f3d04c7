"""The work of a seeded instance: opportunities with their state history, projects, milestones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from insightly_sandbox.seed_reference import linked_email_address
from tap_insightly.catalogue import CUSTOMFIELDS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder
    from insightly_sandbox.store import Record

#: Opportunity states, and how often each occurs.
_STATES = ("OPEN", "WON", "LOST", "ABANDONED", "SUSPENDED")
_STATE_WEIGHTS = (50, 25, 15, 5, 5)
_CLOSED = frozenset({"WON", "LOST", "ABANDONED"})
_DEALS = (
    "CRM rollout", "Annual licence", "Support renewal", "Hardware refresh", "Data migration",
    "Training package", "Warehouse scanners", "Consulting retainer", "Cloud upgrade",
)  # fmt: skip
_PROJECT_STATUSES = ("NOT STARTED", "IN PROGRESS", "DEFERRED", "CANCELLED", "COMPLETED")
_MILESTONES = (
    "Requirements signed off", "Design approved", "Build complete", "User acceptance",
    "Go-live", "Handover",
)  # fmt: skip


def seed_opportunities(seeder: Seeder) -> None:
    """Opportunities in pipeline stages, with states, categories, links and state history."""
    rng = seeder.rng
    organisations = seeder.store.tables["Organisations"].rows
    members: dict[int, list[int]] = seeder.extra["members"]
    for record_id, (created, edited) in zip(
        values.id_run(rng, 28_700_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        state = rng.choices(_STATES, _STATE_WEIGHTS)[0]
        pipeline, stage, probability = _placement(seeder, state)
        organisation_id = seeder.maybe_pick("Organisations", 0.85)
        closed = min(values.anchor_seconds(), created + rng.randint(3_600, values.days(200)))
        updated = edited if state == "OPEN" else max(edited, closed)
        bid_type, duration = rng.choice(
            (("Fixed Bid", None),) * 7 + (("Per Month", 12),) * 2 + (("Per Year", 2),)
        )
        amount = values.money(rng, 500, 90_000)
        prefix = (
            organisations[organisation_id]["ORGANISATION_NAME"].split()[0]
            if organisation_id
            else "New"
        )
        seeder.add(
            "Opportunities",
            {
                "OPPORTUNITY_ID": record_id,
                "OPPORTUNITY_NAME": f"{prefix} {rng.choice(_DEALS)}",
                "OPPORTUNITY_DETAILS": values.maybe(rng, values.paragraph(rng, 2), 0.5),
                "OPPORTUNITY_STATE": state,
                "RESPONSIBLE_USER_ID": seeder.user(),
                "CATEGORY_ID": seeder.maybe_pick("OpportunityCategories", 0.8),
                "BID_CURRENCY": "USD",
                "BID_AMOUNT": amount,
                "BID_TYPE": bid_type,
                "BID_DURATION": duration,
                "ACTUAL_CLOSE_DATE": values.day_stamp(closed) if state in _CLOSED else None,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "OPPORTUNITY_VALUE": round(amount * (duration or 1), 2),
                "PROBABILITY": probability,
                "FORECAST_CLOSE_DATE": values.day_stamp(created + rng.randint(30, 180) * 86_400),
                "OWNER_USER_ID": seeder.user(),
                **values.activity_dates(rng, created),
                "PIPELINE_ID": pipeline,
                "STAGE_ID": stage,
                "CREATED_USER_ID": seeder.user(),
                "ORGANISATION_ID": organisation_id,
                CUSTOMFIELDS: custom_fields(seeder, "Opportunities"),
                TAGS: seeder.tags(2),
                "LINKED_EMAIL_ADDRESS": linked_email_address("O", record_id),
            },
        )
        if organisation_id is not None:
            seeder.link("Opportunity", record_id, "Organisation", organisation_id)
        contacts = members.get(organisation_id or 0) or seeder.ids["Contacts"]
        if rng.random() < 0.7:  # noqa: PLR2004
            seeder.link(
                "Opportunity", record_id, "Contact", rng.choice(contacts), ROLE="Decision maker"
            )
        _state_history(seeder, record_id, state, created, closed)


def _placement(seeder: Seeder, state: str) -> tuple[int | None, int | None, int | None]:
    """A pipeline and a stage of it that fit an opportunity's state, and its probability."""
    rng = seeder.rng
    fixed = {"WON": 100, "LOST": 0, "ABANDONED": 0}
    if rng.random() < 0.1:  # noqa: PLR2004 - some opportunities sit in no pipeline
        return None, None, fixed.get(state, rng.randrange(10, 100, 10))
    pipeline = rng.choice(seeder.extra["opportunity_pipelines"])
    stages: list[int] = seeder.extra["stages"][pipeline]
    index = len(stages) - 1 if state == "WON" else rng.randrange(len(stages))
    return pipeline, stages[index], fixed.get(state, (index + 1) * 90 // len(stages))


def _state_history(seeder: Seeder, record_id: int, state: str, created: int, closed: int) -> None:
    """The states an opportunity went through, for closed ones and some open ones."""
    rng = seeder.rng
    if state == "OPEN" and rng.random() < 0.7:  # noqa: PLR2004
        return
    history = [_state_change(record_id, created, "OPEN", None)]
    if state != "OPEN":
        reasons = [
            row
            for row in seeder.store.records("OpportunityStateReasons")
            if row["FOR_OPPORTUNITY_STATE"] == state
        ]
        history.append(
            _state_change(record_id, closed, state, rng.choice(reasons) if reasons else None)
        )
    seeder.store.children[("Opportunities", record_id, "StateHistory")] = history


def _state_change(record_id: int, moment: int, state: str, reason: Record | None) -> Record:
    return {
        "OPPORTUNITY_ID": record_id,
        "DATE_CHANGED_UTC": values.stamp(moment),
        "FOR_OPPORTUNITY_STATE": state,
        "STATE_REASON_ID": reason["STATE_REASON_ID"] if reason else None,
        "STATE_REASON": reason["STATE_REASON"] if reason else None,
    }


def seed_projects(seeder: Seeder) -> None:
    """Projects in project pipelines, some delivering a won opportunity, with milestones."""
    rng = seeder.rng
    opportunities = seeder.store.tables["Opportunities"].rows
    won = [int(key) for key, row in opportunities.items() if row["OPPORTUNITY_STATE"] == "WON"]
    pipeline = seeder.extra["project_pipelines"][0]
    stages: list[int] = seeder.extra["stages"][pipeline]
    milestones: list[Record] = []
    for record_id, (created, updated) in zip(
        values.id_run(rng, 5_930_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        status = rng.choice(_PROJECT_STATUSES)
        started = values.later(rng, created, 30)
        finished = values.later(rng, started, 200)
        opportunity_id = rng.choice(won) if won and rng.random() < 0.4 else None  # noqa: PLR2004
        organisation_id = (
            opportunities[opportunity_id]["ORGANISATION_ID"]
            if opportunity_id
            else seeder.maybe_pick("Organisations", 0.6)
        )
        in_pipeline = rng.random() < 0.7  # noqa: PLR2004
        seeder.add(
            "Projects",
            {
                "PROJECT_ID": record_id,
                "PROJECT_NAME": f"{values.phrase(rng, 2)} project",
                "STATUS": status,
                "PROJECT_DETAILS": values.maybe(rng, values.paragraph(rng, 2), 0.5),
                "STARTED_DATE": values.day_stamp(started) if status != "NOT STARTED" else None,
                "COMPLETED_DATE": values.day_stamp(finished) if status == "COMPLETED" else None,
                "OPPORTUNITY_ID": opportunity_id,
                "CATEGORY_ID": seeder.maybe_pick("ProjectCategories", 0.7),
                "PIPELINE_ID": pipeline if in_pipeline else None,
                "STAGE_ID": rng.choice(stages) if in_pipeline else None,
                "OWNER_USER_ID": seeder.user(),
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                **values.activity_dates(rng, created),
                "CREATED_USER_ID": seeder.user(),
                "RESPONSIBLE_USER_ID": seeder.user(),
                CUSTOMFIELDS: custom_fields(seeder, "Projects"),
                TAGS: seeder.tags(2),
                "LINKED_EMAIL_ADDRESS": linked_email_address("P", record_id),
            },
        )
        if opportunity_id is not None:
            seeder.link("Project", record_id, "Opportunity", opportunity_id)
        if organisation_id is not None:
            seeder.link("Project", record_id, "Organisation", organisation_id)
        milestones.extend(_milestones(seeder, record_id, created))
    seeder.add_in_creation_order("Milestones", milestones, 2_300_000)
    by_project: dict[int, list[int]] = {}
    for milestone in seeder.store.records("Milestones"):
        by_project.setdefault(milestone["PROJECT_ID"], []).append(milestone["MILESTONE_ID"])
    seeder.extra["milestones"] = by_project


def _milestones(seeder: Seeder, project_id: int, created: int) -> list[Record]:
    rng = seeder.rng
    rows = []
    for title in values.pick_some(rng, _MILESTONES, 3):
        made = values.later(rng, created, 20)
        due = made + rng.randint(7, 120) * 86_400
        completed = due < values.anchor_seconds() and rng.random() < 0.7  # noqa: PLR2004
        rows.append(
            {
                "TITLE": title,
                "COMPLETED": completed,
                "DUE_DATE": values.day_stamp(due),
                "OWNER_USER_ID": seeder.user(),
                "DATE_CREATED_UTC": values.stamp(made),
                "DATE_UPDATED_UTC": values.stamp(
                    min(values.anchor_seconds(), due) if completed else made
                ),
                "COMPLETED_DATE_UTC": values.stamp(min(values.anchor_seconds(), due))
                if completed
                else None,
                "PROJECT_ID": project_id,
                "RESPONSIBLE_USER": seeder.user(),
            }
        )
    return rows
