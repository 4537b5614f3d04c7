"""Products and what is sold with them: price book entries, line items and quotations.

Every line item points at a price book entry of its opportunity's or quotation's price book,
and every total is computed from quantities and prices the way Insightly shows them: a line's
subtotal is quantity times unit price, its DISCOUNT a percentage off that subtotal; a
quotation's DISCOUNT is the amount all its lines' discounts take off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from insightly_sandbox.store import parse_timestamp
from tap_insightly.catalogue import CUSTOMFIELDS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder
    from insightly_sandbox.store import Record

_FAMILIES = {
    "Hardware": ("Barcode Scanner", "Label Printer", "Rugged Tablet", "Docking Station"),
    "Software": ("Inventory Suite", "Analytics Add-on", "Mobile App Licence", "API Access"),
    "Services": ("Installation", "Onboarding Workshop", "Premium Support", "Data Migration"),
    "Training": ("Admin Course", "User Course", "Certification Exam"),
}
_GRADES = ("Basic", "Pro", "Plus", "Enterprise", "Mini", "Max", "Lite", "Ultra")
#: Prices in each non-standard book, relative to a product's default price.
_BOOK_FACTORS = {"Partner Price Book": 0.85, "Europe Price Book": 0.92}
#: What a synced quotation line copies from its opportunity line item.
_SYNCED_FIELDS = (
    "PRICEBOOK_ENTRY_ID",
    "DESCRIPTION",
    "CURRENCY_CODE",
    "QUANTITY",
    "LIST_PRICE",
    "UNIT_PRICE",
    "SUBTOTAL",
    "DISCOUNT",
    "TOTAL_PRICE",
)
_QUOTE_STATUSES = ("DRAFT", "NEEDS REVIEW", "APPROVED", "PRESENTED", "ACCEPTED", "DENIED")


def seed_products(seeder: Seeder) -> None:
    """Products, each listed in every price book."""
    rng = seeder.rng
    entries: list[Record] = []
    for number, (record_id, (created, updated)) in enumerate(
        zip(
            values.id_run(rng, 7_050_000, seeder.records),
            seeder.stamps(seeder.records),
            strict=True,
        ),
        start=1,
    ):
        family = rng.choice(tuple(_FAMILIES))
        price = values.money(rng, 15, 4_000)
        active = rng.random() < 0.9  # noqa: PLR2004
        product = seeder.add(
            "Product",
            {
                "PRODUCT_ID": record_id,
                "PRODUCT_NAME": f"{rng.choice(_GRADES)} {rng.choice(_FAMILIES[family])} {number}",
                "PRODUCT_CODE": f"PRD-{number:05d}",
                "PRODUCT_SKU": values.maybe(rng, f"SKU-{rng.randint(100_000, 999_999)}", 0.8),
                "DESCRIPTION": values.maybe(rng, values.sentence(rng), 0.6),
                "PRODUCT_FAMILY": family,
                "CURRENCY_CODE": "USD",
                "DEFAULT_PRICE": price,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(updated),
                "CREATED_USER_ID": seeder.user(),
                "OWNER_USER_ID": seeder.user(),
                "ACTIVE": active,
                CUSTOMFIELDS: custom_fields(seeder, "Product"),
            },
        )
        # A product is listed in every book in one save, so its entries share a second.
        listed = values.later(rng, created, 2)
        entries.extend(
            _entry(seeder, book, product, listed) for book in seeder.store.records("Pricebook")
        )
    seeder.add_in_creation_order("PricebookEntry", entries, 15_400_000, 8)
    by_book: dict[int, list[Record]] = {}
    for entry in seeder.store.records("PricebookEntry"):
        if entry["ACTIVE"]:
            by_book.setdefault(entry["PRICEBOOK_ID"], []).append(entry)
    seeder.extra["entries"] = by_book


def _entry(seeder: Seeder, book: Record, product: Record, listed: int) -> dict[str, Any]:
    """A product's entry in a price book, priced by the book's factor."""
    made = values.stamp(listed)
    factor = _BOOK_FACTORS.get(book["NAME"], 1.0)
    return {
        "PRICEBOOK_ID": book["PRICEBOOK_ID"],
        "PRODUCT_ID": product["PRODUCT_ID"],
        "CURRENCY_CODE": book["CURRENCY_CODE"],
        "PRICE": round(product["DEFAULT_PRICE"] * factor, 2),
        "USE_STANDARD_PRICE": book["IS_STANDARD"],
        "ACTIVE": product["ACTIVE"],
        "CREATED_USER_ID": seeder.user(),
        "DATE_CREATED_UTC": made,
        "DATE_UPDATED_UTC": made,
    }


def seed_opportunity_line_items(seeder: Seeder) -> None:
    """Give about half the opportunities a price book and line items that set their amount."""
    rng = seeder.rng
    books = [
        row
        for row in seeder.store.records("Pricebook")
        if seeder.extra["entries"].get(row["PRICEBOOK_ID"])
    ]
    if not books:
        return
    items: list[Record] = []
    for opportunity in seeder.store.records("Opportunities"):
        if rng.random() < 0.5:  # noqa: PLR2004
            continue
        book = books[0] if rng.random() < 0.6 else rng.choice(books)  # noqa: PLR2004
        created = values.later(rng, _seconds(opportunity["DATE_CREATED_UTC"]), 3)
        lines = [
            {"OPPORTUNITY_ID": opportunity["OPPORTUNITY_ID"], **line}
            for line in _lines(seeder, "OpportunityLineItem", book, rng.randint(1, 3), created)
        ]
        total = round(sum(line["TOTAL_PRICE"] for line in lines), 2)
        opportunity.update(
            PRICEBOOK_ID=book["PRICEBOOK_ID"],
            BID_CURRENCY=book["CURRENCY_CODE"],
            BID_TYPE="Fixed Bid",
            BID_DURATION=None,
            BID_AMOUNT=total,
            OPPORTUNITY_VALUE=total,
        )
        items.extend(lines)
    seeder.add_in_creation_order("OpportunityLineItem", items, 8_810_000)


def seed_quotations(seeder: Seeder) -> None:
    """Quotations on opportunities, priced from the opportunity's price book.

    The first quotation of an opportunity with line items syncs with it and carries copies of
    those lines; other quotations get lines of their own.
    """
    rng = seeder.rng
    if not seeder.ids.get("Opportunities") or not seeder.extra["entries"]:
        return
    opportunity_items: dict[int, list[Record]] = {}
    for item in seeder.store.records("OpportunityLineItem"):
        opportunity_items.setdefault(item["OPPORTUNITY_ID"], []).append(item)
    opportunities = seeder.store.tables["Opportunities"].rows
    chosen = [opportunities[seeder.pick("Opportunities")] for _ in range(seeder.records)]
    plans = sorted(
        ((values.later(rng, _seconds(row["DATE_CREATED_UTC"]), 60), row) for row in chosen),
        key=lambda plan: plan[0],
    )
    quote_ids = values.id_run(rng, 3_330_000, len(plans))
    updates = values.updates(rng, [created for created, _ in plans])
    lines: list[Record] = []
    for number, (quote_id, (created, opportunity), updated) in enumerate(
        zip(quote_ids, plans, updates, strict=True), start=1
    ):
        if opportunity["PRICEBOOK_ID"] is None:
            opportunity.update(PRICEBOOK_ID=seeder.ids["Pricebook"][0], BID_CURRENCY="USD")
        syncing = opportunity_items.pop(opportunity["OPPORTUNITY_ID"], None)
        book = seeder.store.tables["Pricebook"].rows[opportunity["PRICEBOOK_ID"]]
        quote_lines = (
            _synced(syncing, created)
            if syncing
            else _lines(seeder, "QuotationLineItem", book, rng.randint(1, 4), created)
        )
        for order, line in enumerate(quote_lines, start=1):
            line.update(QUOTE_ID=quote_id, SORT_ORDER=order)
        lines.extend(quote_lines)
        quotation = _quotation(seeder, opportunity, book, quote_lines, (created, updated))
        seeder.add(
            "Quotation",
            {"QUOTE_ID": quote_id, "QUOTATION_NUMBER": f"Q-{number:05d}", **quotation},
        )
    seeder.add_in_creation_order("QuotationLineItem", lines, 10_020_000)


def _quotation(
    seeder: Seeder,
    opportunity: Record,
    book: Record,
    lines: list[Record],
    moments: tuple[int, int],
) -> dict[str, Any]:
    """A quotation's fields but its id and number: parties, totals of its lines, addresses."""
    rng = seeder.rng
    created, updated = moments
    organisation_id = opportunity["ORGANISATION_ID"]
    organisation = (
        seeder.store.tables["Organisations"].rows.get(organisation_id) if organisation_id else None
    )
    contact_id = next(
        (
            link["LINK_OBJECT_ID"]
            for link in opportunity["LINKS"]
            if link["LINK_OBJECT_NAME"] == "Contact"
        ),
        None,
    )
    contact = seeder.store.tables["Contacts"].rows[contact_id] if contact_id else None
    subtotal = round(sum(line["SUBTOTAL"] for line in lines), 2)
    total = round(sum(line["TOTAL_PRICE"] for line in lines), 2)
    shipping = rng.choice((0.0, 0.0, 25.0, 49.5))
    tax = round(total * rng.choice((0.0, 0.07, 0.1, 0.2)), 2)
    address = (
        [
            organisation[f"ADDRESS_BILLING_{part}"]
            for part in ("STREET", "CITY", "STATE", "POSTCODE", "COUNTRY")
        ]
        if organisation
        else None
    )
    billing = values.address_fields("ADDRESS_BILLING", address)
    shipping_address = values.address_fields("ADDRESS_SHIPPING", address)
    name = organisation["ORGANISATION_NAME"] if organisation else None
    return {
        "QUOTATION_NAME": f"Quote for {opportunity['OPPORTUNITY_NAME']}",
        "OPPORTUNITY_ID": opportunity["OPPORTUNITY_ID"],
        "CONTACT_ID": contact_id,
        "ORGANISATION_ID": organisation_id,
        "PRICEBOOK_ID": book["PRICEBOOK_ID"],
        "QUOTATION_DESCRIPTION": values.maybe(rng, values.sentence(rng), 0.5),
        "QUOTATION_PHONE": contact["PHONE"] if contact else None,
        "QUOTATION_EMAIL": contact["EMAIL_ADDRESS"] if contact else None,
        "QUOTE_STATUS": rng.choice(_QUOTE_STATUSES),
        "QUOTATION_EXPIRATION_DATE": values.day_stamp(created + 30 * 86_400),
        "LINE_ITEM_COUNT": len(lines),
        "IS_SYNCING": any(line["OPPORTUNITY_ITEM_ID"] for line in lines),
        "QUOTATION_CURRENCY_CODE": book["CURRENCY_CODE"],
        "SUBTOTAL": subtotal,
        "DISCOUNT": round(subtotal - total, 2),
        "TOTAL_PRICE": total,
        "SHIPPING_HANDLING": shipping,
        "TAX": tax,
        "GRAND_TOTAL": round(total + shipping + tax, 2),
        **billing,
        "ADDRESS_BILLING_NAME": name,
        **shipping_address,
        "ADDRESS_SHIPPING_NAME": name,
        "OWNER_USER_ID": seeder.user(),
        "DATE_CREATED_UTC": values.stamp(created),
        "DATE_UPDATED_UTC": values.stamp(updated),
        "CREATED_USER_ID": seeder.user(),
        CUSTOMFIELDS: custom_fields(seeder, "Quotation"),
    }


def _lines(seeder: Seeder, path: str, book: Record, count: int, created: int) -> list[Record]:
    """Line items (of `path`) on distinct entries of a price book, with prices worked out.

    The lines are saved together, so they share their creation second.
    """
    rng = seeder.rng
    made = values.stamp(created)
    entries: list[Record] = seeder.extra["entries"][book["PRICEBOOK_ID"]]
    lines = []
    for entry in rng.sample(entries, min(count, len(entries))):
        quantity = rng.randint(1, 20)
        unit_price = entry["PRICE"] if rng.random() < 0.7 else round(entry["PRICE"] * 0.9, 2)  # noqa: PLR2004
        discount = rng.choice((0, 0, 0, 5, 10))
        subtotal = round(quantity * unit_price, 2)
        line = {
            "PRICEBOOK_ENTRY_ID": entry["PRICEBOOK_ENTRY_ID"],
            "CURRENCY_CODE": entry["CURRENCY_CODE"],
            "UNIT_PRICE": unit_price,
            "DESCRIPTION": values.maybe(rng, values.phrase(rng, 3), 0.4),
            "QUANTITY": quantity,
            "TOTAL_PRICE": round(subtotal * (100 - discount) / 100, 2),
            "DATE_CREATED_UTC": made,
            "DATE_UPDATED_UTC": made,
            "LIST_PRICE": entry["PRICE"],
            "SUBTOTAL": subtotal,
            "DISCOUNT": discount,
        }
        if path == "OpportunityLineItem":
            service = created + rng.randint(7, 60) * 86_400
            line["SERVICE_DATE"] = values.maybe(rng, values.day_stamp(service), 0.3)
        else:
            line["OPPORTUNITY_ITEM_ID"] = None
        lines.append(line)
    return lines


def _synced(items: list[Record], created: int) -> list[Record]:
    """Quotation lines copied from the opportunity line items a quotation syncs with."""
    moment = values.stamp(created)
    return [
        {
            "OPPORTUNITY_ITEM_ID": item["OPPORTUNITY_ITEM_ID"],
            **{name: item[name] for name in _SYNCED_FIELDS},
            "DATE_CREATED_UTC": moment,
            "DATE_UPDATED_UTC": moment,
        }
        for item in items
    ]


def _seconds(timestamp: str) -> int:
    return int(parse_timestamp(timestamp).timestamp())
