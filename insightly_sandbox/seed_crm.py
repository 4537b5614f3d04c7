"""The people of a seeded instance: organisations, their contacts, and leads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from insightly_sandbox.seed_reference import linked_email_address
from tap_insightly.catalogue import CUSTOMFIELDS, DATES, EMAILDOMAINS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder
    from insightly_sandbox.store import Record

_ORGANISATION_OCCASIONS = ("Founded", "Contract renewal", "Annual review")
_CONTACT_OCCASIONS = ("Birthday", "Work anniversary")


def seed_organisations(seeder: Seeder) -> None:
    """Organisations with addresses, e-mail domains, dates and tags."""
    rng = seeder.rng
    names: set[str] = set()
    for record_id, (created, updated) in zip(
        values.id_run(rng, 118_400_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        name = values.company(rng)
        while name in names:
            name = values.company(rng)
        names.add(name)
        domain = values.domain_of(name)
        billing = values.address(rng)
        slug = domain.split(".")[0]
        seeder.add(
            "Organisations",
            {
                "ORGANISATION_ID": record_id,
                "ORGANISATION_NAME": name,
                "BACKGROUND": values.maybe(rng, values.sentence(rng), 0.3),
                "OWNER_USER_ID": seeder.user(),
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                **values.activity_dates(rng, created),
                "CREATED_USER_ID": seeder.user(),
                "PHONE": values.phone(rng),
                "PHONE_FAX": values.maybe(rng, values.phone(rng), 0.2),
                "WEBSITE": f"https://www.{domain}",
                **values.address_fields("ADDRESS_BILLING", billing),
                **values.address_fields("ADDRESS_SHIP", values.maybe(rng, billing, 0.6)),
                "SOCIAL_LINKEDIN": values.maybe(rng, f"https://www.linkedin.com/company/{slug}"),
                "SOCIAL_TWITTER": values.maybe(rng, f"@{slug}", 0.3),
                CUSTOMFIELDS: custom_fields(seeder, "Organisations"),
                TAGS: seeder.tags(),
                DATES: occasions(seeder, _ORGANISATION_OCCASIONS, created),
                EMAILDOMAINS: [
                    {
                        "EMAIL_DOMAIN_ID": seeder.next("EmailDomains", 2_870_000, 30),
                        "EMAIL_DOMAIN": domain,
                    }
                ],
            },
        )
    _relate(seeder, "Organisations", "Organisation", "FOR_ORGANISATIONS", 0.05)


def seed_contacts(seeder: Seeder) -> None:
    """Contacts, most of them in an organisation, linked to it and sharing its address."""
    rng = seeder.rng
    organisations = seeder.store.tables["Organisations"].rows
    members: dict[int, list[int]] = {}
    for record_id, (created, updated) in zip(
        values.id_run(rng, 366_600_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        salutation, first, last = values.person(rng)
        organisation_id = seeder.maybe_pick("Organisations", 0.8)
        organisation = organisations.get(organisation_id) if organisation_id else None
        domain = (
            organisation[EMAILDOMAINS][0]["EMAIL_DOMAIN"]
            if organisation
            else rng.choice(values.EMAIL_PROVIDERS)
        )
        mail_address = (
            [organisation[f"ADDRESS_BILLING_{part}"] for part in _ADDRESS_PARTS]
            if organisation
            else values.maybe(rng, values.address(rng), 0.6)
        )
        visible_to, team = seeder.visibility()
        title = values.maybe(rng, rng.choice(values.JOB_TITLES), 0.7)
        contact = seeder.add(
            "Contacts",
            {
                "CONTACT_ID": record_id,
                "SALUTATION": salutation,
                "FIRST_NAME": first,
                "LAST_NAME": last,
                "BACKGROUND": values.maybe(rng, values.sentence(rng), 0.2),
                "VISIBLE_TO": visible_to,
                "OWNER_USER_ID": seeder.user(),
                "VISIBLE_TEAM_ID": team,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "SOCIAL_LINKEDIN": values.maybe(
                    rng, f"https://www.linkedin.com/in/{values.mailbox(first, last)}", 0.3
                ),
                "SOCIAL_TWITTER": values.maybe(rng, f"@{first.lower()}{record_id % 1000}", 0.1),
                "DATE_OF_BIRTH": values.maybe(rng, _birth_date(seeder), 0.3),
                "PHONE": values.maybe(rng, values.phone(rng), 0.6),
                "PHONE_HOME": values.maybe(rng, values.phone(rng), 0.1),
                "PHONE_MOBILE": values.maybe(rng, values.phone(rng), 0.5),
                "EMAIL_ADDRESS": values.maybe(rng, _unique_email(seeder, first, last, domain), 0.9),
                **values.address_fields("ADDRESS_MAIL", mail_address),
                **values.activity_dates(rng, created),
                "CREATED_USER_ID": seeder.user(),
                "ORGANISATION_ID": organisation_id,
                "TITLE": title,
                "EMAIL_OPTED_OUT": rng.random() < 0.1,  # noqa: PLR2004
                CUSTOMFIELDS: custom_fields(seeder, "Contacts"),
                TAGS: seeder.tags(),
                DATES: occasions(seeder, _CONTACT_OCCASIONS, created),
            },
        )
        if organisation_id is not None:
            members.setdefault(organisation_id, []).append(contact["CONTACT_ID"])
            seeder.link("Contact", record_id, "Organisation", organisation_id, ROLE=title)
    seeder.extra["members"] = members
    _relate(seeder, "Contacts", "Contact", "FOR_CONTACTS", 0.1)


_ADDRESS_PARTS = ("STREET", "CITY", "STATE", "POSTCODE", "COUNTRY")


def seed_leads(seeder: Seeder) -> None:
    """Leads with valid sources and statuses; some converted into existing records."""
    rng = seeder.rng
    sources = seeder.ids["LeadSources"]
    statuses = seeder.ids["LeadStatuses"]
    converted_status, open_statuses = statuses[2], [*statuses[:2], statuses[3]]
    for record_id, (created, updated) in zip(
        values.id_run(rng, 78_563_000, seeder.records), seeder.stamps(seeder.records), strict=True
    ):
        salutation, first, last = values.person(rng)
        organisation_name = values.maybe(rng, values.company(rng), 0.6)
        conversion = _conversion(seeder, created) if rng.random() < 0.15 else {}  # noqa: PLR2004
        street, city, state, postcode, country = values.address(rng)
        has_address = rng.random() < 0.5  # noqa: PLR2004
        visible_to, team = seeder.visibility()
        domain = values.domain_of(organisation_name) if organisation_name else None
        seeder.add(
            "Leads",
            {
                "LEAD_ID": record_id,
                "SALUTATION": salutation,
                "FIRST_NAME": first,
                "LAST_NAME": last,
                "LEAD_SOURCE_ID": rng.choice(sources),
                "LEAD_STATUS_ID": converted_status if conversion else rng.choice(open_statuses),
                "TITLE": values.maybe(rng, rng.choice(values.JOB_TITLES), 0.5),
                "CONVERTED": bool(conversion),
                "CONVERTED_CONTACT_ID": None,
                "CONVERTED_DATE_UTC": None,
                "CONVERTED_OPPORTUNITY_ID": None,
                "CONVERTED_ORGANISATION_ID": None,
                **conversion,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": max(
                    values.stamp(updated), conversion.get("CONVERTED_DATE_UTC") or ""
                ),
                # Recorded leads without an e-mail address carry "", not null.
                "EMAIL": (
                    f"{values.mailbox(first, last)}@{domain or rng.choice(values.EMAIL_PROVIDERS)}"
                    if rng.random() < 0.7  # noqa: PLR2004
                    else ""
                ),
                "EMPLOYEE_COUNT": rng.choice((0, 0, 5, 12, 50, 120, 800)),
                "INDUSTRY": values.maybe(rng, rng.choice(values.INDUSTRIES), 0.5),
                "LEAD_DESCRIPTION": values.maybe(rng, values.sentence(rng), 0.5) or "",
                "LEAD_RATING": values.maybe(rng, rng.randint(1, 5), 0.4),
                "MOBILE": values.maybe(rng, values.phone(rng), 0.3),
                "OWNER_USER_ID": seeder.user(),
                "PHONE": values.maybe(rng, values.phone(rng), 0.5),
                "RESPONSIBLE_USER_ID": seeder.user(),
                "WEBSITE": f"https://www.{domain}" if domain else None,
                "ADDRESS_STREET": street if has_address else None,
                "ADDRESS_CITY": city if has_address else None,
                "ADDRESS_STATE": state if has_address else None,
                "ADDRESS_POSTCODE": postcode if has_address else None,
                "ADDRESS_COUNTRY": country,
                **values.activity_dates(rng, created),
                "VISIBLE_TO": visible_to,
                "VISIBLE_TEAM_ID": team,
                "ORGANISATION_NAME": organisation_name,
                "CREATED_USER_ID": seeder.user(),
                "EMAIL_OPTED_OUT": rng.random() < 0.05,  # noqa: PLR2004
                CUSTOMFIELDS: custom_fields(seeder, "Leads"),
                TAGS: seeder.tags(2),
                "LINKED_EMAIL_ADDRESS": linked_email_address("L", record_id),
            },
        )


def occasions(seeder: Seeder, names: tuple[str, ...], created: int) -> list[Record]:
    """A record's DATES: none, one or two yearly occasions."""
    rng = seeder.rng
    return [
        {
            "DATE_ID": seeder.next("Dates", 5_120_000, 40),
            "OCCASION_NAME": name,
            "OCCASION_DATE": values.day_stamp(values.moment(rng, before=created)),
            "REPEAT_YEARLY": rng.random() < 0.8,  # noqa: PLR2004
            "CREATE_TASK_YEARLY": rng.random() < 0.3,  # noqa: PLR2004
        }
        for name in values.pick_some(rng, names, 2)
    ]


def _relate(seeder: Seeder, path: str, name: str, applies: str, chance: float) -> None:
    """Link some records to another of their kind through a relationship (`Manager`)."""
    rng = seeder.rng
    relationships = [
        row["RELATIONSHIP_ID"] for row in seeder.store.records("Relationships") if row[applies]
    ]
    pool = seeder.ids.get(path, [])
    if len(pool) < 2:  # noqa: PLR2004 - a relationship joins two records
        return
    for record_id in pool:
        if rng.random() < chance:
            other = rng.choice([candidate for candidate in pool if candidate != record_id])
            seeder.link(name, record_id, name, other, RELATIONSHIP_ID=rng.choice(relationships))


def _birth_date(seeder: Seeder) -> str:
    year_seconds = 365 * 86_400
    start = values.anchor_seconds() - 70 * year_seconds
    return values.day_stamp(values.moment(seeder.rng, start, start + 48 * year_seconds))


def _unique_email(seeder: Seeder, first: str, last: str, domain: str) -> str:
    """An address no other contact has: addresses are the usual key for matching contacts."""
    taken: set[str] = seeder.extra.setdefault("emails", set())
    local = values.mailbox(first, last)
    address, suffix = f"{local}@{domain}", 1
    while address in taken:
        suffix += 1
        address = f"{local}{suffix}@{domain}"
    taken.add(address)
    return address


def _conversion(seeder: Seeder, created: int) -> dict[str, Any]:
    """What converting a lead left behind: a contact, its organisation, maybe a deal."""
    contact_id = seeder.pick("Contacts")
    contact = seeder.store.tables["Contacts"].rows[contact_id]
    return {
        "CONVERTED_CONTACT_ID": contact_id,
        "CONVERTED_DATE_UTC": values.stamp(values.later(seeder.rng, created, 120)),
        "CONVERTED_OPPORTUNITY_ID": seeder.maybe_pick("Opportunities", 0.5),
        "CONVERTED_ORGANISATION_ID": contact["ORGANISATION_ID"],
    }
