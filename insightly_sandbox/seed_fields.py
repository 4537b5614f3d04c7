"""The custom fields a seeded instance defines, per object, and on its custom objects.

Contacts carry exactly the fields of the recorded account (samples/get-customfields-contacts
.json); every other object with `CUSTOMFIELDS` gets one field of each type Insightly offers,
under names of its own, so that readers meet every type on every object.
"""

from __future__ import annotations

from typing import NamedTuple

TEXT = "TEXT"
MULTILINETEXT = "MULTILINETEXT"
NUMERIC = "NUMERIC"
PERCENT = "PERCENT"
DROPDOWN = "DROPDOWN"
MULTISELECT = "MULTISELECT"
BIT = "BIT"
DATE = "DATE"
DATETIME = "DATETIME"
AUTONUMBER = "AUTONUMBER"

#: Every custom field type a seeded object carries, in the order `all_types` takes them.
FIELD_TYPES = (
    TEXT,
    MULTILINETEXT,
    NUMERIC,
    PERCENT,
    DROPDOWN,
    MULTISELECT,
    BIT,
    DATE,
    DATETIME,
    AUTONUMBER,
)


class FieldSpec(NamedTuple):
    """One custom field before it becomes a definition.

    Attributes:
        name: the field name without its `__c` suffix; the label is it with spaces.
        type: the `FIELD_TYPE`.
        options: the choices of a DROPDOWN or MULTISELECT, in listed order.
        option_ids: their `OPTION_ID`s when not simply 1, 2, 3...
        default: the `DEFAULT_VALUE`, as Insightly writes it (a string).
    """

    name: str
    type: str
    options: tuple[str, ...] = ()
    option_ids: tuple[int, ...] = ()
    default: str | None = None


Choice = tuple[str, tuple[str, ...]]


def all_types(  # noqa: PLR0913, PLR0917 - one argument per field type is the point
    text: str,
    multiline: str,
    numeric: str,
    percent: str,
    dropdown: Choice,
    multiselect: Choice,
    bit: str,
    date: str,
    datetime: str,
    autonumber: str,
) -> tuple[FieldSpec, ...]:
    """One field of each type, named as given, in the order of `FIELD_TYPES`."""
    return (
        FieldSpec(text, TEXT),
        FieldSpec(multiline, MULTILINETEXT),
        FieldSpec(numeric, NUMERIC),
        FieldSpec(percent, PERCENT),
        FieldSpec(dropdown[0], DROPDOWN, dropdown[1]),
        FieldSpec(multiselect[0], MULTISELECT, multiselect[1]),
        FieldSpec(bit, BIT, default="False"),
        FieldSpec(date, DATE),
        FieldSpec(datetime, DATETIME),
        FieldSpec(autonumber, AUTONUMBER),
    )


CONTACT_FIELDS = (
    FieldSpec("Hobby", TEXT),
    FieldSpec(
        "Interests",
        MULTISELECT,
        ("Art", "Food", "Music", "Sports", "Technology", "Travel"),
        (3, 6, 5, 2, 1, 4),
    ),
    FieldSpec("Newsletter_Subscription", BIT, default="False"),
    FieldSpec("Preferred_Contact_Method", DROPDOWN, ("Email", "Phone", "SMS", "WhatsApp")),
    FieldSpec("Date1", DATE),
    FieldSpec("Date2", DATETIME),
    FieldSpec("MultiText1", MULTILINETEXT),
    FieldSpec("Number1", NUMERIC),
    FieldSpec("Percent1", PERCENT),
    FieldSpec("AutoNumber1", AUTONUMBER),
)

_REGIONS = ("APAC", "EMEA", "LATAM", "North America")

#: The custom fields of each object with `CUSTOMFIELDS`, by object path.
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "Contacts": CONTACT_FIELDS,
    "Organisations": all_types(
        "Account_Code", "Company_Profile", "Annual_Revenue", "Growth_Rate",
        ("Tier", ("Bronze", "Silver", "Gold", "Platinum")), ("Regions", _REGIONS),
        "Key_Account", "Customer_Since", "Last_Review", "Account_Number",
    ),
    "Leads": all_types(
        "Campaign_Code", "Qualification_Notes", "Budget", "Fit_Score",
        ("Buying_Stage", ("Awareness", "Consideration", "Decision")),
        ("Products_Of_Interest", ("CRM", "Marketing", "Service", "Projects")),
        "Consent_Given", "First_Contact", "Demo_Booked_At", "Lead_Number",
    ),
    "Opportunities": all_types(
        "Competitor", "Decision_Criteria", "Seats", "Discount_Offered",
        ("Deal_Type", ("New", "Expansion", "Renewal")), ("Regions_Covered", _REGIONS),
        "Legal_Approved", "Contract_Start", "Signed_At", "Deal_Number",
    ),
    "Projects": all_types(
        "Project_Code", "Scope_Summary", "Budget_Hours", "Budget_Used",
        ("Health", ("Green", "Amber", "Red")),
        ("Workstreams", ("Design", "Build", "Test", "Training", "Go-live")),
        "Billable", "Go_Live", "Kickoff_At", "Project_Number",
    ),
    "Tasks": all_types(
        "Ticket_Reference", "Checklist", "Estimated_Hours", "Effort_Done",
        ("Channel", ("Phone", "Email", "Meeting", "Chat")),
        ("Skills", ("Sales", "Support", "Finance", "Legal")),
        "Customer_Visible", "Follow_Up_On", "Logged_At", "Task_Number",
    ),
    "Events": all_types(
        "Meeting_Room", "Agenda", "Attendee_Count", "Attendance_Rate",
        ("Event_Format", ("In person", "Video call", "Phone")),
        ("Topics", ("Pricing", "Product", "Contract", "Support")),
        "Catering_Needed", "Confirmed_On", "Invitation_Sent_At", "Event_Number",
    ),
    "Product": all_types(
        "Manufacturer", "Technical_Specs", "Weight_Kg", "Margin",
        ("Warranty", ("None", "1 year", "3 years")),
        ("Sales_Channels", ("Direct", "Online", "Partner")),
        "Discontinued", "Launch_Date", "Last_Restocked_At", "Catalogue_Number",
    ),
    "PricebookEntry": all_types(
        "Price_Note", "Price_Conditions", "Minimum_Quantity", "Max_Discount",
        ("Price_Tier", ("List", "Partner", "Volume")), ("Valid_Regions", _REGIONS),
        "Promotional", "Valid_From", "Approved_At", "Entry_Number",
    ),
    "OpportunityLineItem": all_types(
        "Configuration", "Delivery_Notes", "Lead_Time_Days", "Commission_Rate",
        ("Fulfilment", ("Ship", "Download", "On site")),
        ("Add_Ons", ("Installation", "Training", "Extended support")),
        "Gift_Wrap", "Requested_Delivery", "Reserved_At", "Line_Number",
    ),
    "Quotation": all_types(
        "Customer_Reference", "Terms_And_Conditions", "Validity_Days", "Deposit_Rate",
        ("Payment_Terms", ("Net 15", "Net 30", "Net 60")),
        ("Delivery_Options", ("Standard", "Express", "Pickup")),
        "Approved", "Issue_Date", "Sent_At", "Quote_Sequence",
    ),
    "QuotationLineItem": all_types(
        "Variant", "Item_Notes", "Pack_Size", "Tax_Rate",
        ("Unit", ("Each", "Box", "Hour", "Licence")),
        ("Item_Options", ("Engraving", "Warranty", "Insurance")),
        "Optional_Item", "Ship_By", "Priced_At", "Item_Sequence",
    ),
    "Ticket": all_types(
        "Product_Version", "Steps_To_Reproduce", "Affected_Users", "Satisfaction",
        ("Severity", ("Minor", "Major", "Critical")),
        ("Components", ("API", "Web app", "Mobile", "Billing")),
        "Escalated", "Reported_On", "First_Response_At", "Case_Number",
    ),
    "Prospect": all_types(
        "Utm_Campaign", "Interests_Summary", "Visits", "Engagement",
        ("Persona", ("Buyer", "User", "Champion")), ("Channels", ("Email", "Social", "Events")),
        "Double_Opt_In", "Subscribed_On", "Last_Scored_At", "Prospect_Number",
    ),
    "KnowledgeArticle": all_types(
        "Audience", "Internal_Notes", "Reading_Minutes", "Helpfulness",
        ("Article_Type", ("How-to", "Troubleshooting", "FAQ")),
        ("Products", ("CRM", "Marketing", "Service")),
        "Needs_Review", "Review_Due", "Verified_At", "Article_Sequence",
    ),
}  # fmt: skip

#: TEXT fields whose values come from a pool rather than from general words.
TEXT_POOLS: dict[str, tuple[str, ...]] = {
    "Hobby": ("Skiing", "Chess", "Cycling", "Photography", "Gardening", "Sailing", "Climbing"),
    "Color": ("Green", "Red", "Yellow", "Orange", "Purple", "Brown"),
    "Competitor": ("Salesforce", "HubSpot", "Pipedrive", "Zoho", "None"),
    "Manufacturer": ("Bosch", "Siemens", "Makita", "Philips", "Logitech"),
}

#: The fields of the custom objects: `Fruit__c` as recorded, `Shipment__c` with most types.
FRUIT_FIELDS = (FieldSpec("Weight", NUMERIC, default="0"), FieldSpec("Color", TEXT))
SHIPMENT_FIELDS = (
    FieldSpec("Tracking_Number", TEXT),
    FieldSpec("Carrier", DROPDOWN, ("DHL", "FedEx", "UPS", "USPS", "Royal Mail")),
    FieldSpec("Ship_Date", DATE),
    FieldSpec("Delivered", BIT, default="False"),
    FieldSpec("Delivered_At", DATETIME),
    FieldSpec("Weight_Kg", NUMERIC),
    FieldSpec("Insured_Share", PERCENT),
    FieldSpec("Handling", MULTISELECT, ("Fragile", "Refrigerated", "Oversize", "Hazardous")),
    FieldSpec("Customs_Notes", MULTILINETEXT),
    FieldSpec("Shipment_Number", AUTONUMBER),
)
