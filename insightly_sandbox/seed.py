"""Deterministic, related sample data for every object of a sandboxed instance.

`build_store` fills a store from a seed: configuration first (users, pipelines, categories,
custom field definitions), then `records` records of each main object, made in an order that
lets every reference point at a record that exists, then what hangs off records (file
attachments, comments, follows) and the `/Tags` list. One `random.Random(seed)` drives it all
and moments count back from a fixed anchor, so the same seed and size give the same store.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_activities import seed_emails, seed_events, seed_notes, seed_tasks
from insightly_sandbox.seed_commerce import (
    seed_opportunity_line_items,
    seed_products,
    seed_quotations,
)
from insightly_sandbox.seed_context import Seeder, shape
from insightly_sandbox.seed_crm import seed_contacts, seed_leads, seed_organisations
from insightly_sandbox.seed_custom import CUSTOM_OBJECTS, define, seed_records
from insightly_sandbox.seed_deals import seed_opportunities, seed_projects
from insightly_sandbox.seed_knowledge import (
    seed_community,
    seed_knowledge_articles,
    seed_knowledge_structure,
)
from insightly_sandbox.seed_reference import seed_reference
from insightly_sandbox.seed_service import seed_prospects, seed_tickets
from insightly_sandbox.store import Store, parse_timestamp
from tap_insightly.catalogue import OBJECTS

if TYPE_CHECKING:
    from collections.abc import Callable

#: Builders of records, in an order where each finds the records it refers to.
RECORD_BUILDERS: tuple[Callable[[Seeder], None], ...] = (
    seed_organisations,
    seed_contacts,
    seed_products,
    seed_opportunities,
    seed_opportunity_line_items,
    seed_projects,
    seed_leads,
    seed_quotations,
    seed_tasks,
    seed_events,
    seed_notes,
    seed_emails,
    seed_tickets,
    seed_prospects,
    seed_knowledge_articles,
    seed_community,
    seed_records,
)
#: Objects whose records may carry files (`/{object}/{id}/FileAttachments`).
ATTACHABLE = tuple(obj.path for obj in OBJECTS if "FileAttachments" in obj.sub_resources)
#: Objects whose records carry plain comments (`/{object}/{id}/Comments`); tickets have their own.
COMMENTABLE = tuple(
    obj.path for obj in OBJECTS if "Comments" in obj.sub_resources and obj.path != "Ticket"
)
_FILES = (
    ("proposal.pdf", "application/pdf"),
    ("contract-signed.pdf", "application/pdf"),
    ("pricing.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("site-photo.jpg", "image/jpeg"),
    (
        "meeting-notes.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
)


def build_store(seed: int = 1, records: int = 200) -> Store:
    """A store filled from a seed: the same seed and size always give the same data.

    Args:
        seed: what the data is drawn from; another seed gives other names, dates and links.
        records: how many records each main object (contacts, organisations, ..., each custom
            object) gets. With 0 the instance holds only configuration, like a new account.

    Returns:
        The filled store, its tables' next ids past their largest id.
    """
    store = Store()
    # Real link ids are large, like every Insightly id; counting from 1 would make seeded
    # links look unlike any a live account answers.
    store.next_link_id = 250_110_000
    seeder = Seeder(random.Random(seed), store, records)  # noqa: S311 - sample data, not secrets
    seed_reference(seeder)
    seed_knowledge_structure(seeder)
    define(seeder)
    if records > 0:
        for builder in RECORD_BUILDERS:
            builder(seeder)
        _attachments(seeder)
        _comments(seeder)
        _follows(seeder)
    for name in sorted(seeder.tag_names):
        store.tables["Tags"].add({"TAG_NAME": name})
    return store


def _attachments(seeder: Seeder) -> None:
    """Files on about one record in ten of each object that takes them."""
    rng = seeder.rng
    categories = seeder.ids["FileCategories"]
    custom = [definition["OBJECT_NAME"] for definition, _, _ in CUSTOM_OBJECTS]
    for path in (*ATTACHABLE, *custom):
        # The spec declares custom-object attachments with the record's own schema, a slip:
        # a file is a file, so every attachment takes the FileAttachment shape.
        template = f"/{'Contacts' if path in custom else path}/{{id}}/FileAttachments"
        table = seeder.store.tables[path]
        id_field = table.obj.id_field
        assert id_field is not None  # noqa: S101 - every attachable object has an id
        for record in table.rows.values():
            if rng.random() >= 0.1:  # noqa: PLR2004
                continue
            created = int(parse_timestamp(record["DATE_CREATED_UTC"]).timestamp())
            files = []
            for name, content_type in rng.sample(_FILES, rng.randint(1, 2)):
                file_id = seeder.next("Files", 210_000_000, 500)
                attached = values.stamp(values.later(rng, created, 30))
                files.append(
                    shape(
                        template,
                        {
                            "FILE_ID": file_id,
                            "FILE_NAME": name,
                            "CONTENT_TYPE": content_type,
                            "FILE_SIZE": rng.randint(8_000, 4_000_000),
                            "FILE_CATEGORY_ID": values.maybe(rng, rng.choice(categories), 0.6),
                            "OWNER_USER_ID": seeder.user(),
                            "DATE_CREATED_UTC": attached,
                            "DATE_UPDATED_UTC": attached,
                            "URL": f"https://files.insightly.example.com/{file_id}/{name}",
                        },
                    )
                )
            seeder.store.children[(path, record[id_field], "FileAttachments")] = files


def _comments(seeder: Seeder) -> None:
    """Comments under some notes, tasks and e-mails, as the spec's Comment object has them."""
    rng = seeder.rng
    for path in COMMENTABLE:
        template = f"/{path}/{{id}}/Comments"
        for key in seeder.store.tables[path].rows:
            if rng.random() < 0.15:  # noqa: PLR2004
                seeder.store.children[(path, int(key), "Comments")] = [
                    shape(
                        template,
                        {
                            "COMMENT_ID": seeder.next("Comments", 33_000_000, 60),
                            "OWNER_USER_ID": seeder.user(),
                        },
                    )
                    for _ in range(rng.randint(1, 3))
                ]


def _follows(seeder: Seeder) -> None:
    """The records the API user follows: about one in twenty of each followable object."""
    rng = seeder.rng
    for path, table in seeder.store.tables.items():
        obj = table.obj
        if "Follow" not in obj.sub_resources or obj.id_field is None:
            continue
        for key in table.rows:
            if rng.random() < 0.05:  # noqa: PLR2004
                seeder.store.follows.add((path, int(key)))
