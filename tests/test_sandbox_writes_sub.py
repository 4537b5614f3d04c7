"""The sandbox's sub-resource writes over a real socket: links, notes, line items, and more."""

from __future__ import annotations

from tests.writes_client import link_ids, new_contact

# Links ---------------------------------------------------------------------------------------


def test_links_take_singular_names_and_show_on_both_sides(client):
    key = new_contact(client)["CONTACT_ID"]
    organisation = client.first("/Organisations")["ORGANISATION_ID"]
    links = f"/Contacts/{key}/Links"
    plural = {"LINK_OBJECT_NAME": "Organisations", "LINK_OBJECT_ID": organisation}
    missing = {"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": 1}

    assert "LINK_OBJECT_NAME" in client.refusal("POST", links, plural, 400)
    assert "LINK_OBJECT_ID" in client.refusal("POST", links, missing, 400)
    link = client.call(
        "POST",
        links,
        {**plural, "LINK_OBJECT_NAME": "Organisation", "ROLE": "CEO"},
        expect=201,
    )
    other_side = client.get(f"/Organisations/{organisation}/Links")

    assert link["OBJECT_NAME"] == "Contact"
    assert link["LINK_OBJECT_NAME"] == "Organisation"
    assert [entry for entry in other_side if entry["LINK_ID"] == link["LINK_ID"]] == [
        {
            **link,
            "OBJECT_NAME": "Organisation",
            "OBJECT_ID": organisation,
            "LINK_OBJECT_NAME": "Contact",
            "LINK_OBJECT_ID": key,
            "IS_FORWARD": False,
        }
    ]

    changed = client.call("PUT", links, {"LINK_ID": link["LINK_ID"], "ROLE": "CTO"}, expect=200)
    assert changed["ROLE"] == "CTO"
    assert any(
        entry["ROLE"] == "CTO"
        for entry in client.get(f"/Organisations/{organisation}/Links")
        if entry["LINK_ID"] == link["LINK_ID"]
    )

    client.call("DELETE", f"{links}/{link['LINK_ID']}", expect=202)
    assert client.get(links) == []
    assert link["LINK_ID"] not in link_ids(client.get(f"/Organisations/{organisation}/Links"))
    client.call("DELETE", f"{links}/{link['LINK_ID']}", expect=404)


def test_a_contact_links_to_a_custom_object_record_by_its_name(client):
    key = new_contact(client)["CONTACT_ID"]
    fruit = client.first("/Fruit__c")["RECORD_ID"]

    link = client.call(
        "POST",
        f"/Contacts/{key}/Links",
        {"LINK_OBJECT_NAME": "Fruit__c", "LINK_OBJECT_ID": fruit},
        expect=201,
    )

    assert link["LINK_OBJECT_NAME"] == "Fruit__c"
    assert link_ids(client.get(f"/Contacts/{key}/Links")) == {link["LINK_ID"]}


# Sub-resources -------------------------------------------------------------------------------


def test_notes_are_written_under_their_parent(client):
    key = new_contact(client)["CONTACT_ID"]
    other = client.first("/Contacts")["CONTACT_ID"]

    note = client.call(
        "POST",
        f"/Contacts/{key}/Notes",
        {"TITLE": "Call", "BODY": "<p>Hi</p>"},
        expect=201,
    )
    note_id = note["NOTE_ID"]
    client.call(
        "PUT",
        f"/Contacts/{key}/Notes",
        {"NOTE_ID": note_id, "TITLE": "Called"},
        expect=201,
    )
    client.call("PUT", "/Notes", {"NOTE_ID": note_id, "BODY": "<p>Bye</p>"}, expect=201)
    elsewhere = {"NOTE_ID": note_id, "TITLE": "x"}

    assert [row["NOTE_ID"] for row in client.get(f"/Contacts/{key}/Notes")] == [note_id]
    read = client.get(f"/Notes/{note_id}")
    assert (read["TITLE"], read["BODY"]) == ("Called", "<p>Bye</p>")
    assert client.refusal("PUT", f"/Contacts/{other}/Notes", elsewhere, 404)


def test_comments_on_a_note_are_added_changed_and_deleted(client):
    note = client.first("/Notes")["NOTE_ID"]
    users = [user["USER_ID"] for user in client.get("/Users")]
    comments = f"/Notes/{note}/Comments"

    (comment,) = client.call("POST", comments, {}, expect=201)
    client.call(
        "PUT",
        "/Comments",
        {"COMMENT_ID": comment["COMMENT_ID"], "OWNER_USER_ID": users[-1]},
        expect=201,
    )

    assert comment["OWNER_USER_ID"] == users[0]
    assert [row["OWNER_USER_ID"] for row in client.get(comments)][-1] == users[-1]
    client.call("DELETE", f"/Comments/{comment['COMMENT_ID']}", expect=202)
    assert comment["COMMENT_ID"] not in [row["COMMENT_ID"] for row in client.get(comments)]


def test_tags_dates_and_domains_through_their_sub_resources(client):
    key = client.call("POST", "/Organisations", {"ORGANISATION_NAME": "Huber"}, expect=201)[
        "ORGANISATION_ID"
    ]
    base = f"/Organisations/{key}"

    client.call("POST", f"{base}/Tags", {"TAG_NAME": "a"}, expect=201)
    client.call("POST", f"{base}/Tags", {"TAG_NAME": "A"}, expect=201)
    client.call(
        "PUT",
        f"{base}/Tags",
        [{"TAG_NAME": "b"}, {"TAG_NAME": "c"}],
        expect=201,
    )
    client.call("DELETE", f"{base}/Tags", {"TAG_NAME": "b"}, expect=202)
    dates = client.call(
        "PUT",
        f"{base}/Dates",
        [{"OCCASION_NAME": "Founded", "OCCASION_DATE": "1999-05-01 00:00:00"}],
        expect=200,
    )
    domains = client.call(
        "PUT",
        f"{base}/EmailDomains",
        {"EMAIL_DOMAIN": "huber.example"},
        expect=200,
    )
    changed = client.call(
        "PUT",
        f"{base}/EmailDomains",
        {**domains[0], "EMAIL_DOMAIN": "huber.example.org"},
        expect=200,
    )

    read = client.get(base)
    assert read["TAGS"] == [{"TAG_NAME": "c"}]
    assert read["DATES"] == dates
    assert read["EMAILDOMAINS"] == changed
    assert changed[0]["EMAIL_DOMAIN_ID"] == domains[0]["EMAIL_DOMAIN_ID"]


def test_line_items_price_an_opportunity_and_a_quotation(client):
    entry = client.first("/PricebookEntry")
    book = entry["PRICEBOOK_ID"]
    opportunity = client.call(
        "POST", "/Opportunities", {"OPPORTUNITY_NAME": "Scanners"}, expect=201
    )
    key = opportunity["OPPORTUNITY_ID"]
    items = f"/Opportunities/{key}/OpportunityLineItem"
    line = {"PRICEBOOK_ENTRY_ID": entry["PRICEBOOK_ENTRY_ID"], "QUANTITY": 4, "UNIT_PRICE": 25.0}

    (item,) = client.call("POST", items, {**line, "DISCOUNT": 10}, expect=201)
    assert (item["SUBTOTAL"], item["TOTAL_PRICE"], item["LIST_PRICE"]) == (
        100.0,
        90.0,
        entry["PRICE"],
    )
    read = client.get(f"/Opportunities/{key}")
    assert (read["PRICEBOOK_ID"], read["OPPORTUNITY_VALUE"]) == (book, 90.0)

    client.call(
        "PUT",
        items,
        {"OPPORTUNITY_ITEM_ID": item["OPPORTUNITY_ITEM_ID"], "QUANTITY": 2},
        expect=200,
    )
    (listed,) = client.get(items)
    assert (listed["QUANTITY"], listed["TOTAL_PRICE"]) == (2, 45.0)
    assert client.get(f"/Opportunities/{key}")["OPPORTUNITY_VALUE"] == 45.0

    quotation = client.call(
        "POST",
        "/Quotation",
        {
            "QUOTATION_NAME": "Q",
            "OPPORTUNITY_ID": key,
            "PRICEBOOK_ID": book,
            "SHIPPING_HANDLING": 5,
            "TAX": 2.5,
        },
        expect=201,
    )
    quote_items = f"/Quotation/{quotation['QUOTE_ID']}/QuotationLineItem"
    client.call("POST", quote_items, line, expect=201)
    quote = client.get(f"/Quotation/{quotation['QUOTE_ID']}")
    assert (quote["LINE_ITEM_COUNT"], quote["TOTAL_PRICE"], quote["GRAND_TOTAL"]) == (
        1,
        100.0,
        107.5,
    )

    client.call("DELETE", f"{items}/{item['OPPORTUNITY_ITEM_ID']}", expect=202)
    assert client.get(items) == []


def test_a_line_item_must_come_from_the_parents_price_book(client):
    entries = client.get("/PricebookEntry?top=500")
    books = sorted({entry["PRICEBOOK_ID"] for entry in entries})
    assert len(books) > 1, "the seeded sandbox has one price book"
    opportunity = client.call("POST", "/Opportunities", {"OPPORTUNITY_NAME": "x"}, expect=201)[
        "OPPORTUNITY_ID"
    ]
    client.call(
        "PUT",
        f"/Opportunities/{opportunity}/Pricebook",
        {"PRICEBOOK_ID": books[0]},
        expect=200,
    )
    foreign = next(entry for entry in entries if entry["PRICEBOOK_ID"] == books[1])
    line = {"PRICEBOOK_ENTRY_ID": foreign["PRICEBOOK_ENTRY_ID"], "QUANTITY": 1, "UNIT_PRICE": 1}

    message = client.refusal("POST", f"/Opportunities/{opportunity}/OpportunityLineItem", line, 400)

    assert "PRICEBOOK_ENTRY_ID" in message


def test_price_book_entries_under_a_book_and_a_product(client):
    product = client.call(
        "POST",
        "/Product",
        {"PRODUCT_NAME": "Scanner", "DEFAULT_PRICE": 99.5, "ACTIVE": True},
        expect=201,
    )["PRODUCT_ID"]
    book = client.call("POST", "/Pricebook", {"NAME": "Trade", "ACTIVE": True}, expect=201)[
        "PRICEBOOK_ID"
    ]
    other_book = client.first("/Pricebook")["PRICEBOOK_ID"]
    under_book = f"/Pricebook/{book}/PricebookEntry"

    (entry,) = client.call("POST", under_book, {"PRODUCT_ID": product, "PRICE": 90}, expect=201)
    assert client.refusal("POST", under_book, {"PRODUCT_ID": product, "PRICE": 80}, 400)
    client.call(
        "POST",
        f"/Product/{product}/PricebookEntry",
        {"PRICEBOOK_ID": other_book, "PRICE": 95},
        expect=201,
    )
    client.call(
        "PUT",
        under_book,
        {"PRICEBOOK_ENTRY_ID": entry["PRICEBOOK_ENTRY_ID"], "PRICE": 85},
        expect=200,
    )

    assert [row["PRICE"] for row in client.get(under_book)] == [85]
    assert len(client.get(f"/Product/{product}/PricebookEntry")) == 2
    client.call("DELETE", f"{under_book}/{entry['PRICEBOOK_ENTRY_ID']}", expect=202)
    assert client.get(under_book) == []


def test_milestones_are_written_under_their_project(client, clock):
    project = client.first("/Projects")["PROJECT_ID"]
    milestones = f"/Projects/{project}/Milestones"

    (milestone,) = client.call(
        "POST",
        milestones,
        {"TITLE": "Go-live", "DUE_DATE": "2025-06-01 00:00:00", "COMPLETED": False},
        expect=201,
    )
    done = clock.tick()
    client.call(
        "PUT",
        milestones,
        {"MILESTONE_ID": milestone["MILESTONE_ID"], "COMPLETED": True},
        expect=200,
    )
    read = client.get(f"/Milestones/{milestone['MILESTONE_ID']}")

    assert (read["PROJECT_ID"], read["COMPLETED"], read["COMPLETED_DATE_UTC"]) == (
        project,
        True,
        done,
    )
    client.call("DELETE", f"{milestones}/{milestone['MILESTONE_ID']}", expect=202)
    client.call("GET", f"/Milestones/{milestone['MILESTONE_ID']}", expect=404)


def test_pipeline_stage_and_state_of_an_opportunity(client):
    key = client.call("POST", "/Opportunities", {"OPPORTUNITY_NAME": "Deal"}, expect=201)[
        "OPPORTUNITY_ID"
    ]
    pipeline = next(row for row in client.get("/Pipelines") if row["FOR_OPPORTUNITIES"])
    stages = sorted(
        (
            row
            for row in client.get("/PipelineStages")
            if row["PIPELINE_ID"] == pipeline["PIPELINE_ID"]
        ),
        key=lambda row: row["STAGE_ORDER"],
    )
    foreign = next(
        row
        for row in client.get("/PipelineStages")
        if row["PIPELINE_ID"] != pipeline["PIPELINE_ID"]
    )
    reason = next(
        row
        for row in client.get("/OpportunityStateReasons")
        if row["FOR_OPPORTUNITY_STATE"] == "WON"
    )
    base = f"/Opportunities/{key}"

    client.call(
        "PUT",
        f"{base}/Pipeline",
        {"PIPELINE_ID": pipeline["PIPELINE_ID"]},
        expect=200,
    )
    placed = client.get(base)
    assert (placed["PIPELINE_ID"], placed["STAGE_ID"]) == (
        pipeline["PIPELINE_ID"],
        stages[0]["STAGE_ID"],
    )

    assert "STAGE_ID" in client.refusal(
        "PUT", f"{base}/PipelineStage", {"STAGE_ID": foreign["STAGE_ID"]}, 400
    )
    client.call(
        "PUT",
        f"{base}/PipelineStage",
        {"STAGE_ID": stages[-1]["STAGE_ID"]},
        expect=200,
    )
    assert client.get(base)["STAGE_ID"] == stages[-1]["STAGE_ID"]

    change = {"FOR_OPPORTUNITY_STATE": "Won", "STATE_REASON_ID": reason["STATE_REASON_ID"]}
    state = client.call("PUT", f"{base}/StateChange", change, expect=200)
    assert client.get(base)["OPPORTUNITY_STATE"] == "WON"
    assert client.get(f"{base}/StateHistory")[-1] == state
    assert state["STATE_REASON"] == reason["STATE_REASON"]

    client.call("DELETE", f"{base}/Pipeline", expect=202)
    cleared = client.get(base)
    assert (cleared["PIPELINE_ID"], cleared["STAGE_ID"]) == (None, None)


def test_following_a_record_and_stopping(client):
    key = new_contact(client)["CONTACT_ID"]

    assert client.call("POST", f"/Contacts/{key}/Follow", expect=201) == {"FOLLOWING": True}
    assert client.get(f"/Contacts/{key}/Follow") == {"FOLLOWING": True}
    client.call("DELETE", f"/Contacts/{key}/Follow", expect=202)
    assert client.get(f"/Contacts/{key}/Follow") == {"FOLLOWING": False}


def test_team_members_join_and_leave_a_team(client):
    users = [user["USER_ID"] for user in client.get("/Users")]
    team = client.call("POST", "/Teams", {"TEAM_NAME": "Night shift"}, expect=201)
    members = f"/Teams/{team['TEAM_ID']}/TeamMembers"

    member = client.call("POST", members, {"MEMBER_USER_ID": users[0]}, expect=201)
    other = client.call(
        "POST",
        "/TeamMembers",
        {"TEAM_ID": team["TEAM_ID"], "MEMBER_USER_ID": users[1]},
        expect=201,
    )
    assert client.refusal("POST", members, {"MEMBER_USER_ID": users[0]}, 400)
    assert "MEMBER_USER_ID" in client.refusal("POST", members, {"MEMBER_USER_ID": 1}, 400)

    read = client.get(f"/Teams/{team['TEAM_ID']}")
    assert [entry["MEMBER_USER_ID"] for entry in read["TEAMMEMBERS"]] == users[:2]
    client.call("DELETE", f"{members}/{member['PERMISSION_ID']}", expect=202)
    client.call("DELETE", f"/TeamMembers/{other['PERMISSION_ID']}", expect=202)
    assert client.get(f"/Teams/{team['TEAM_ID']}")["TEAMMEMBERS"] == []


def test_lead_sources_are_written_and_deleted_by_query_unless_in_use(client):
    used = client.first("/Leads")["LEAD_SOURCE_ID"]
    created = client.call("POST", "/LeadSources", {"LEAD_SOURCE": "Webinar"}, expect=201)
    key = created["LEAD_SOURCE_ID"]

    client.call(
        "PUT",
        "/LeadSources",
        {"LEAD_SOURCE_ID": key, "LEAD_SOURCE": "Webinars"},
        expect=200,
    )
    assert "in use" in client.refusal("DELETE", f"/LeadSources?id={used}", None, 409)
    client.call("DELETE", f"/LeadSources?id={key}", expect=202)
    assert key not in [row["LEAD_SOURCE_ID"] for row in client.get("/LeadSources")]
