"""Word pools and value makers for seeded records: names, addresses, prose, money, moments.

Every maker takes the seeder's `random.Random`, so one seed always yields the same values.
Moments are counted back from a fixed anchor, never from the wall clock.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, TypeVar

from insightly_sandbox.store import TIMESTAMP_FORMAT

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

#: The "now" of every seeded instance; records span the years before it.
ANCHOR = dt.datetime(2026, 6, 30, 12, 0, 0, tzinfo=dt.timezone.utc)
#: Seconds of history before the anchor over which records are created (four years).
HISTORY_SECONDS = 4 * 365 * 86_400
_ANCHOR_SECONDS = int(ANCHOR.timestamp())
_DAY = 86_400

T = TypeVar("T")

#: The share of records never edited after they were created.
_NEVER_EDITED = 0.3

FIRST_NAMES = (
    "Pamela", "Katherine", "Miquel", "Henrietta", "James", "Olivia", "Liam", "Emma", "Noah",
    "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Mateo", "Amelia", "Hiro", "Priya", "Kwame",
    "Ingrid", "Tomasz", "Aisha", "Diego", "Chloe", "Rafael", "Yuki", "Fatima", "Oscar", "Nadia",
    "Samuel", "Leila", "Victor", "Grace", "Arjun", "Elena", "Jonas", "Zara", "Felix", "Maya",
    "Daniel",
)  # fmt: skip
LAST_NAMES = (
    "Huber", "Nguyen", "Anthony", "Sloan", "Smith", "Garcia", "Müller", "Rossi", "Kowalski",
    "Okafor", "Tanaka", "Patel", "Johansson", "O'Brien", "Dubois", "Silva", "Kim", "Novak",
    "Fischer", "Haddad", "Larsen", "Moreau", "Costa", "Schneider", "Walsh", "Ivanova", "Reyes",
    "Chen", "Andersen", "Bianchi", "Murphy", "Weber", "Santos", "Yilmaz", "Brennan", "Lindqvist",
)  # fmt: skip
SALUTATIONS = ("Mr", "Ms", "Mrs", "Dr", "Prof")
JOB_TITLES = (
    "CEO", "CFO", "Head of Sales", "Account Manager", "Operations Director", "IT Manager",
    "Procurement Lead", "Marketing Manager", "Office Manager", "Software Engineer",
    "Project Manager", "Purchasing Officer",
)  # fmt: skip
COMPANY_WORDS = (
    "Acme", "Northwind", "Bluebird", "Summit", "Ironbark", "Lakeside", "Meridian", "Pinecrest",
    "Redwood", "Silverline", "Brightwater", "Harbor", "Keystone", "Granite", "Orchid", "Falcon",
    "Evergreen", "Copperfield", "Aurora", "Sterling", "Cobalt", "Riverstone", "Juniper", "Atlas",
)  # fmt: skip
COMPANY_KINDS = (
    "Logistics", "Foods", "Analytics", "Engineering", "Health", "Media", "Consulting", "Energy",
    "Robotics", "Textiles", "Software", "Builders", "Pharma", "Outfitters", "Labs", "Freight",
)  # fmt: skip
COMPANY_SUFFIXES = ("Ltd", "Inc", "GmbH", "LLC", "Pty Ltd", "SA", "BV", "Co")
INDUSTRIES = (
    "Manufacturing", "Retail", "Healthcare", "Finance", "Education", "Technology",
    "Construction", "Hospitality", "Transport", "Agriculture",
)  # fmt: skip
#: (city, state, country, postcode pattern): `#` becomes a digit.
PLACES = (
    ("San Francisco", "CA", "United States", "941##"),
    ("Austin", "TX", "United States", "787##"),
    ("Chicago", "IL", "United States", "606##"),
    ("New York", "NY", "United States", "100##"),
    ("Toronto", "ON", "Canada", "M5V ###"),
    ("London", None, "United Kingdom", "EC1A #BB"),
    ("Manchester", None, "United Kingdom", "M# #AE"),
    ("Berlin", None, "Germany", "10###"),
    ("Munich", "Bavaria", "Germany", "80###"),
    ("Paris", None, "France", "750##"),
    ("Madrid", None, "Spain", "280##"),
    ("Amsterdam", None, "Netherlands", "10## AB"),
    ("Sydney", "NSW", "Australia", "2###"),
    ("Melbourne", "VIC", "Australia", "3###"),
    ("Dublin", None, "Ireland", "D0#"),
    ("Singapore", None, "Singapore", "0#####"),
)
STREETS = (
    "Market Street", "High Street", "Main Street", "Harbour Road", "King Street", "Elm Avenue",
    "Station Road", "Park Lane", "Mill Road", "Queen Street", "Church Street", "Oak Drive",
)  # fmt: skip
WORDS = (
    "quarterly", "review", "pricing", "renewal", "onboarding", "proposal", "contract",
    "integration", "delivery", "support", "training", "budget", "forecast", "migration",
    "rollout", "workshop", "feedback", "invoice", "licence", "upgrade", "timeline", "scope",
    "warehouse", "pilot", "audit", "kickoff", "shipment", "demo", "roadmap", "survey",
)  # fmt: skip
TAG_NAMES = (
    "Paris", "Washington", "Ottawa", "VIP", "Partner", "Newsletter", "Trade Show 2025",
    "Referral", "Enterprise", "SMB", "Priority", "Churn Risk", "Upsell", "Reseller", "Webinar",
)  # fmt: skip
SENTENCES = (
    "Asked for a revised quote with volume pricing.",
    "Call went well; they want a demo for the wider team next month.",
    "Budget is approved for the second half of the year.",
    "Waiting on legal to review the master services agreement.",
    "They are comparing us with two other vendors.",
    "Delivery was delayed by a week because of customs.",
    "The pilot in the Berlin office finished ahead of schedule.",
    "Decision maker is the head of operations, not IT.",
    "Sent the onboarding checklist and training dates.",
    "Renewal is due in the spring; expect a price discussion.",
    "Integration with their ERP is the main open question.",
    "They asked for references from customers in retail.",
    "Invoice was paid late again; flagged to finance.",
    "Meeting moved to Thursday at the customer's request.",
    "New procurement rules mean three quotes are needed.",
    "The warehouse team reported two faulty scanners.",
    "Agreed next steps: proposal by Friday, call on Monday.",
    "Interested in the analytics add-on after the webinar.",
    "Support tickets dropped sharply after the upgrade.",
    "Contract signed; kickoff planned for the first week of the month.",
    "Their CFO wants quarterly billing instead of annual.",
    "Shipment arrived complete and in good condition.",
    "Requested a security questionnaire before going further.",
    "Champion is leaving the company; need a new contact.",
)
EMAIL_PROVIDERS = ("mail.com", "example.com", "inbox.example.org", "post.example.net")


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from `low` to `high`, both included; a cheaper `rng.randint`."""
    return low + int(rng.random() * (high - low + 1))


def person(rng: random.Random) -> tuple[str, str, str]:
    """A salutation, first name and last name."""
    return rng.choice(SALUTATIONS), rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def company(rng: random.Random) -> str:
    """An organisation name such as `Northwind Logistics Ltd`."""
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_SUFFIXES)}"


def domain_of(name: str) -> str:
    """The web domain an organisation of that name would own."""
    words = name.lower().replace("'", "").split()
    return "".join(words[:2]) + ".example.com"


def mailbox(first: str, last: str) -> str:
    """The local part of a person's e-mail address, plain ASCII."""
    text = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
    return text.replace(" ", "")


def phone(rng: random.Random) -> str:
    """A phone number in international form."""
    return f"+1 {between(rng, 200, 989)} {between(rng, 200, 999)} {between(rng, 1000, 9999)}"


def digits(rng: random.Random, pattern: str) -> str:
    """A pattern with each `#` replaced by a digit."""
    return "".join(str(rng.randint(0, 9)) if char == "#" else char for char in pattern)


def address(rng: random.Random) -> tuple[str, str, str | None, str, str]:
    """A street, city, state, postcode and country that belong together."""
    city, state, country, postcode = rng.choice(PLACES)
    street = f"{rng.randint(1, 399)} {rng.choice(STREETS)}"
    return street, city, state, digits(rng, postcode), country


def address_fields(prefix: str, parts: Sequence[str | None] | None) -> dict[str, str | None]:
    """An address as a record's fields (`ADDRESS_MAIL_CITY`, ...), or all null."""
    street, city, state, postcode, country = parts or (None,) * 5
    return {
        f"{prefix}_STREET": street,
        f"{prefix}_CITY": city,
        f"{prefix}_STATE": state,
        f"{prefix}_POSTCODE": postcode,
        f"{prefix}_COUNTRY": country,
    }


def activity_dates(rng: random.Random, created: int) -> dict[str, str | None]:
    """When a record's last activity happened and its next one is due, when it has them."""
    last = later(rng, created, 300) if rng.random() < 0.5 else None  # noqa: PLR2004
    upcoming = _ANCHOR_SECONDS + rng.randint(_DAY, 60 * _DAY) if rng.random() < 0.3 else None  # noqa: PLR2004
    return {
        "LAST_ACTIVITY_DATE_UTC": None if last is None else stamp(last),
        "NEXT_ACTIVITY_DATE_UTC": None if upcoming is None else stamp(upcoming),
    }


def phrase(rng: random.Random, words: int = 3) -> str:
    """A few words, the first capitalised: `Pricing review rollout`."""
    return " ".join(WORDS[int(rng.random() * len(WORDS))] for _ in range(words)).capitalize()


def sentence(rng: random.Random) -> str:
    """One sentence of the kind people write in a CRM."""
    return SENTENCES[int(rng.random() * len(SENTENCES))]


def paragraph(rng: random.Random, sentences: int = 3) -> str:
    """A few sentences."""
    return " ".join(sentence(rng) for _ in range(sentences))


def money(rng: random.Random, low: float, high: float) -> float:
    """An amount in a currency, to the cent."""
    return round(rng.uniform(low, high), 2)


def maybe(rng: random.Random, value: T, chance: float = 0.5) -> T | None:
    """The value with the given chance, else None: optional fields are often empty."""
    return value if rng.random() < chance else None


def pick_some(rng: random.Random, pool: Sequence[T], most: int) -> list[T]:
    """Between none and `most` distinct items of a pool, in pool order."""
    chosen = {int(rng.random() * len(pool)) for _ in range(between(rng, 0, most))}
    return [pool[index] for index in sorted(chosen)]


def stamp(seconds: int) -> str:
    """A record timestamp (`2025-04-22 20:03:25`, UTC) for a moment in seconds since the epoch.

    The same text as `store.format_timestamp`, without building a datetime: seeding writes
    tens of thousands of timestamps and this is its hottest call.
    """
    return time.strftime(TIMESTAMP_FORMAT, time.gmtime(seconds))


def day_stamp(seconds: int) -> str:
    """The midnight of a moment's day, as Insightly writes dates: `2025-04-22 00:00:00`."""
    return stamp(seconds - seconds % _DAY)


def moment(rng: random.Random, after: int | None = None, before: int | None = None) -> int:
    """A second between two moments, by default anywhere in the seeded history."""
    low = _ANCHOR_SECONDS - HISTORY_SECONDS if after is None else after
    high = _ANCHOR_SECONDS if before is None else before
    return between(rng, low, max(low, high))


def later(rng: random.Random, start: int, most_days: float) -> int:
    """A moment up to `most_days` after `start`, never past the anchor."""
    return min(_ANCHOR_SECONDS, start + between(rng, 0, int(most_days * _DAY)))


def days(count: float) -> int:
    """A span of days in seconds."""
    return int(count * _DAY)


def anchor_seconds() -> int:
    """The anchor in seconds since the epoch."""
    return _ANCHOR_SECONDS


def creations(rng: random.Random, count: int, after: int | None = None) -> list[int]:
    """Creation moments of a table's records, ascending, since ids follow creation order.

    They fall in the seeded history, or after a given moment, and the last comes an hour
    before the anchor at the latest, leaving room for later edits.
    """
    low = _ANCHOR_SECONDS - HISTORY_SECONDS if after is None else after
    return sorted(between(rng, low, _ANCHOR_SECONDS - 3_600) for _ in range(count))


def updates(rng: random.Random, created: Sequence[int]) -> list[int]:
    """Update moments for records created at the given moments, some in the same second.

    About a third of records were never edited after creation. The rest were edited some
    time later, and a few mass edits each touched several records in one second, as bulk
    updates in Insightly do: readers of `updated_after_utc` must cope with such ties.
    """
    updated = [
        stamp_second if rng.random() < _NEVER_EDITED else later(rng, stamp_second, 400)
        for stamp_second in created
    ]
    if len(created) < 2:  # noqa: PLR2004 - a tie needs two records
        return updated
    for _ in range(max(2, len(created) // 40)):
        mass_edit = rng.randint(created[len(created) // 2], _ANCHOR_SECONDS)
        eligible = [index for index, second in enumerate(created) if second <= mass_edit]
        for index in rng.sample(eligible, min(len(eligible), rng.randint(2, 5))):
            updated[index] = mass_edit
    return updated


def id_run(rng: random.Random, start: int, count: int, most_gap: int = 40) -> list[int]:
    """Ascending ids with gaps, as one Insightly pod hands them out among many instances."""
    ids: list[int] = []
    current = start
    for _ in range(count):
        current += between(rng, 1, most_gap)
        ids.append(current)
    return ids
