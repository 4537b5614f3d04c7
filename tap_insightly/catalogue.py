"""The one description of every Insightly object a connector reads or writes.

The tap builds its streams from it, the target its sinks, the sandbox its tables and routes, and
the schema generator its file names. Nothing else in the repository lists Insightly objects.
Paths are spelled exactly as the v3.1 spec spells them: some are plural (`Contacts`), some are
singular (`Product`, `Quotation`), and a wrong spelling is an error on the real service.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Plan(enum.Enum):
    """A feature that lower Insightly plans lack, and how the API says so."""

    PRODUCTS = ("products, price books and quotes", 404)
    SERVICE = ("service and marketing (tickets, prospects, knowledge base, community)", 403)

    def __init__(self, feature: str, status: int) -> None:
        """Name the feature and the status a plan without it answers."""
        self.feature = feature
        self.status = status


#: Nested collections a record may carry inside itself, as Insightly names them.
CUSTOMFIELDS = "CUSTOMFIELDS"
TAGS = "TAGS"
DATES = "DATES"
EMAILDOMAINS = "EMAILDOMAINS"
LINKS = "LINKS"


@dataclass(frozen=True)
class InsightlyObject:
    """One readable Insightly object and everything a connector needs to reach it.

    Attributes:
        path: the URL segment after `/v3.1/`, exactly as the spec spells it.
        stream: the Singer stream name, snake_case plural.
        key: the fields that identify a record (the id field where there is one).
        record_name: the singular name Insightly uses for the object in links
            (`LINK_OBJECT_NAME`) and in custom field definitions (`FIELD_FOR`, upper-cased).
        updated_field: the timestamp that moves on every change, if the object has one.
        search: whether `/{path}/Search` takes `updated_after_utc`.
        paged: whether the list takes `top` and `skip`.
        brief: whether the list takes `brief`.
        nested: the collections a full record carries inside itself.
        sub_resources: the per-record sub-resources under `/{path}/{id}/`.
        plan: the plan feature without which the object is refused, if any.
        create: whether `POST /{path}` creates a record.
        update: whether `PUT /{path}` updates a record (id in the body).
        delete: whether `DELETE /{path}/{id}` removes a record.
        parent: the path of the object a record belongs to, for objects created under it
            (`POST /{parent}/{id}/{path}`), with the field holding the parent's id.
        singleton: whether `GET /{path}` answers one object rather than a list.
        references: the fields a write sets that hold the id of another record, with the path
            of that record's object (`("ORGANISATION_ID", "Organisations")`); some are set
            through a sub-resource rather than the body (a pipeline, an opportunity's price
            book). Copying records between two instances translates them; the parent's field
            is one implicitly.
        natural_key: the fields that name a record the same way in every instance, for
            configuration objects each instance has its own copy of (a pipeline's name, a
            user's e-mail address), so that a copy matches them instead of creating them again.
        create_only: fields the spec marks read-only yet requires on create (a line item's
            price book entry): sent when a record is created, never on an update.
    """

    path: str
    stream: str
    key: tuple[str, ...]
    record_name: str | None = None
    updated_field: str | None = None
    search: bool = False
    paged: bool = True
    brief: bool = False
    nested: tuple[str, ...] = ()
    sub_resources: tuple[str, ...] = ()
    plan: Plan | None = None
    create: bool = False
    update: bool = False
    delete: bool = False
    parent: tuple[str, str] | None = None
    singleton: bool = False
    references: tuple[tuple[str, str], ...] = ()
    natural_key: tuple[str, ...] = ()
    create_only: tuple[str, ...] = ()

    @property
    def id_field(self) -> str | None:
        """The integer id field, or None for objects keyed otherwise."""
        if len(self.key) == 1 and self.key[0].endswith("_ID"):
            return self.key[0]
        return None

    @property
    def incremental(self) -> bool:
        """Whether the object can be read incrementally on its update timestamp."""
        return self.search and self.updated_field is not None

    @property
    def has_custom_fields(self) -> bool:
        """Whether records carry `CUSTOMFIELDS` defined at `/CustomFields/{path}`."""
        return CUSTOMFIELDS in self.nested

    @property
    def field_for(self) -> str | None:
        """The `FIELD_FOR` value of this object's custom field definitions."""
        return self.record_name.upper() if self.record_name else None


_ACTIVITY = ("Notes", "Events", "Tasks", "Emails", "FileAttachments", "Follow")

# References most records hold: who owns a record, who answers for it, which team sees it.
_OWNER = ("OWNER_USER_ID", "Users")
_RESPONSIBLE = ("RESPONSIBLE_USER_ID", "Users")
_VISIBLE_TEAM = ("VISIBLE_TEAM_ID", "Teams")
_ORGANISATION = ("ORGANISATION_ID", "Organisations")
_PIPELINE = (("PIPELINE_ID", "Pipelines"), ("STAGE_ID", "PipelineStages"))

OBJECTS: tuple[InsightlyObject, ...] = (
    # The main CRM objects: searchable, incremental, writable, with custom fields.
    InsightlyObject(
        path="Contacts",
        stream="contacts",
        key=("CONTACT_ID",),
        record_name="Contact",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS, DATES, LINKS),
        sub_resources=("Links", "Tags", "Dates", *_ACTIVITY),
        create=True,
        update=True,
        delete=True,
        references=(_ORGANISATION, _OWNER, _VISIBLE_TEAM),
    ),
    InsightlyObject(
        path="Organisations",
        stream="organisations",
        key=("ORGANISATION_ID",),
        record_name="Organisation",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS, DATES, EMAILDOMAINS, LINKS),
        sub_resources=("Links", "Tags", "Dates", "EmailDomains", *_ACTIVITY),
        create=True,
        update=True,
        delete=True,
        references=(_OWNER,),
    ),
    InsightlyObject(
        path="Leads",
        stream="leads",
        key=("LEAD_ID",),
        record_name="Lead",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS, LINKS),
        sub_resources=("Tags", *_ACTIVITY, "Pipeline", "PipelineStage"),
        create=True,
        update=True,
        delete=True,
        references=(
            ("LEAD_SOURCE_ID", "LeadSources"),
            ("LEAD_STATUS_ID", "LeadStatuses"),
            _OWNER,
            _RESPONSIBLE,
            _VISIBLE_TEAM,
        ),
    ),
    InsightlyObject(
        path="Opportunities",
        stream="opportunities",
        key=("OPPORTUNITY_ID",),
        record_name="Opportunity",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS, LINKS),
        sub_resources=(
            "Links",
            "Tags",
            *_ACTIVITY,
            "StateHistory",
            "OpportunityLineItem",
            "Pipeline",
            "PipelineStage",
            "StateChange",
            "Pricebook",
        ),
        create=True,
        update=True,
        delete=True,
        references=(
            _ORGANISATION,
            ("CATEGORY_ID", "OpportunityCategories"),
            *_PIPELINE,
            ("PRICEBOOK_ID", "Pricebook"),
            _OWNER,
            _RESPONSIBLE,
        ),
    ),
    InsightlyObject(
        path="Projects",
        stream="projects",
        key=("PROJECT_ID",),
        record_name="Project",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS, LINKS),
        sub_resources=("Links", "Tags", *_ACTIVITY, "Milestones", "Pipeline", "PipelineStage"),
        create=True,
        update=True,
        delete=True,
        references=(("CATEGORY_ID", "ProjectCategories"), *_PIPELINE, _OWNER, _RESPONSIBLE),
    ),
    InsightlyObject(
        path="Tasks",
        stream="tasks",
        key=("TASK_ID",),
        record_name="Task",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, LINKS),
        sub_resources=("Links", "Comments", "Follow"),
        create=True,
        update=True,
        delete=True,
        references=(
            ("CATEGORY_ID", "TaskCategories"),
            ("PROJECT_ID", "Projects"),
            ("MILESTONE_ID", "Milestones"),
            ("OPPORTUNITY_ID", "Opportunities"),
            ("STAGE_ID", "PipelineStages"),
            ("PARENT_TASK_ID", "Tasks"),
            ("EMAIL_ID", "Emails"),
            ("ASSIGNED_TEAM_ID", "Teams"),
            _OWNER,
            _RESPONSIBLE,
        ),
    ),
    InsightlyObject(
        path="Events",
        stream="events",
        key=("EVENT_ID",),
        record_name="Event",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, LINKS),
        sub_resources=("Links",),
        create=True,
        update=True,
        delete=True,
        references=(_OWNER,),
    ),
    InsightlyObject(
        path="Notes",
        stream="notes",
        key=("NOTE_ID",),
        record_name="Note",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(LINKS,),
        sub_resources=("Links", "Comments", "FileAttachments", "Follow"),
        update=True,
        delete=True,
    ),
    InsightlyObject(
        path="Emails",
        stream="emails",
        key=("EMAIL_ID",),
        record_name="Email",
        search=True,
        brief=True,
        nested=(TAGS, LINKS),
        sub_resources=("Links", "Tags", "Comments", "FileAttachments", "Follow"),
        delete=True,
    ),
    InsightlyObject(
        path="Milestones",
        stream="milestones",
        key=("MILESTONE_ID",),
        record_name="Milestone",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        parent=("Projects", "PROJECT_ID"),
        references=(_OWNER, ("RESPONSIBLE_USER", "Users")),
    ),
    InsightlyObject(
        path="Users",
        stream="users",
        key=("USER_ID",),
        record_name="User",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        natural_key=("EMAIL_ADDRESS",),
    ),
    # Products, price books and quotes: v3.1 only, and absent from lower plans.
    InsightlyObject(
        path="Product",
        stream="products",
        key=("PRODUCT_ID",),
        record_name="Product",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS,),
        sub_resources=("PricebookEntry", "Follow"),
        plan=Plan.PRODUCTS,
        create=True,
        update=True,
        delete=True,
    ),
    InsightlyObject(
        path="Pricebook",
        stream="pricebooks",
        key=("PRICEBOOK_ID",),
        record_name="Pricebook",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        sub_resources=("PricebookEntry", "Follow"),
        plan=Plan.PRODUCTS,
        create=True,
        update=True,
        natural_key=("NAME",),
    ),
    InsightlyObject(
        path="PricebookEntry",
        stream="pricebook_entries",
        key=("PRICEBOOK_ENTRY_ID",),
        record_name="PricebookEntry",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS,),
        plan=Plan.PRODUCTS,
        parent=("Pricebook", "PRICEBOOK_ID"),
        references=(("PRODUCT_ID", "Product"),),
        create_only=("PRODUCT_ID",),
    ),
    InsightlyObject(
        path="OpportunityLineItem",
        stream="opportunity_line_items",
        key=("OPPORTUNITY_ITEM_ID",),
        record_name="OpportunityLineItem",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS,),
        plan=Plan.PRODUCTS,
        parent=("Opportunities", "OPPORTUNITY_ID"),
        references=(("PRICEBOOK_ENTRY_ID", "PricebookEntry"),),
        create_only=("PRICEBOOK_ENTRY_ID",),
    ),
    InsightlyObject(
        path="Quotation",
        stream="quotations",
        key=("QUOTE_ID",),
        record_name="Quotation",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS,),
        sub_resources=("QuotationLineItem", "Follow"),
        plan=Plan.PRODUCTS,
        create=True,
        update=True,
        delete=True,
        references=(
            ("OPPORTUNITY_ID", "Opportunities"),
            ("CONTACT_ID", "Contacts"),
            _ORGANISATION,
            ("PRICEBOOK_ID", "Pricebook"),
        ),
    ),
    InsightlyObject(
        path="QuotationLineItem",
        stream="quotation_line_items",
        key=("QUOTATION_ITEM_ID",),
        record_name="QuotationLineItem",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS,),
        plan=Plan.PRODUCTS,
        parent=("Quotation", "QUOTE_ID"),
        references=(("PRICEBOOK_ENTRY_ID", "PricebookEntry"),),
        create_only=("PRICEBOOK_ENTRY_ID", "LIST_PRICE"),
    ),
    # Service and marketing: refused with 403 on plans without them.
    InsightlyObject(
        path="Ticket",
        stream="tickets",
        key=("TICKET_ID",),
        record_name="Ticket",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS),
        sub_resources=("Tags", "Comments", "Follow"),
        plan=Plan.SERVICE,
        create=True,
        update=True,
        delete=True,
        references=(_ORGANISATION, ("CONTACT_ID", "Contacts"), _OWNER),
    ),
    InsightlyObject(
        path="Prospect",
        stream="prospects",
        key=("PROSPECT_ID",),
        record_name="Prospect",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS),
        sub_resources=("Tags", "Follow"),
        plan=Plan.SERVICE,
        create=True,
        update=True,
        delete=True,
        references=(_OWNER,),
    ),
    InsightlyObject(
        path="KnowledgeArticle",
        stream="knowledge_articles",
        key=("ARTICLE_ID",),
        record_name="KnowledgeArticle",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        nested=(CUSTOMFIELDS, TAGS),
        sub_resources=("Tags", "Follow"),
        plan=Plan.SERVICE,
        create=True,
        update=True,
        delete=True,
        references=(
            ("CATEGORY_ID", "KnowledgeArticleCategory"),
            ("FOLDER_ID", "KnowledgeArticleFolder"),
            _OWNER,
        ),
    ),
    InsightlyObject(
        path="KnowledgeArticleCategory",
        stream="knowledge_article_categories",
        key=("CATEGORY_ID",),
        record_name="KnowledgeArticleCategory",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        plan=Plan.SERVICE,
        create=True,
        update=True,
        natural_key=("CATEGORY_NAME",),
    ),
    InsightlyObject(
        path="KnowledgeArticleFolder",
        stream="knowledge_article_folders",
        key=("FOLDER_ID",),
        record_name="KnowledgeArticleFolder",
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        plan=Plan.SERVICE,
        create=True,
        update=True,
        references=(("CATEGORY_ID", "KnowledgeArticleCategory"),),
        natural_key=("CATEGORY_ID", "FOLDER_NAME"),
    ),
    InsightlyObject(
        path="ForumCategories",
        stream="forum_categories",
        key=("FORUM_CATEGORY_ID",),
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        sub_resources=("Follow",),
        plan=Plan.SERVICE,
        natural_key=("CATEGORY_NAME",),
    ),
    InsightlyObject(
        path="CommunityForums",
        stream="community_forums",
        key=("FORUM_ID",),
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        sub_resources=("CommunityPosts", "Follow"),
        plan=Plan.SERVICE,
        create=True,
        update=True,
        references=(("FORUM_CATEGORY_ID", "ForumCategories"),),
        natural_key=("FORUM_CATEGORY_ID", "FORUM_NAME"),
    ),
    InsightlyObject(
        path="CommunityPosts",
        stream="community_posts",
        key=("POST_ID",),
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        sub_resources=("CommunityComments", "Follow"),
        plan=Plan.SERVICE,
        create=True,
        update=True,
        references=(("FORUM_ID", "CommunityForums"),),
    ),
    InsightlyObject(
        path="CommunityComments",
        stream="community_comments",
        key=("COMMENT_ID",),
        updated_field="DATE_UPDATED_UTC",
        search=True,
        brief=True,
        sub_resources=("Follow",),
        plan=Plan.SERVICE,
        create=True,
        update=True,
        references=(("POST_ID", "CommunityPosts"), ("FORUM_ID", "CommunityForums")),
    ),
    InsightlyObject(
        path="DocumentTemplates",
        stream="document_templates",
        key=("TEMPLATE_ID",),
        search=True,
        brief=True,
    ),
    # Reference and configuration objects: small, full-table.
    InsightlyObject(
        path="Pipelines",
        stream="pipelines",
        key=("PIPELINE_ID",),
        natural_key=("PIPELINE_NAME",),
    ),
    InsightlyObject(
        path="PipelineStages",
        stream="pipeline_stages",
        key=("STAGE_ID",),
        references=(("PIPELINE_ID", "Pipelines"),),
        natural_key=("PIPELINE_ID", "STAGE_NAME"),
    ),
    InsightlyObject(
        path="ActivitySets",
        stream="activity_sets",
        key=("ACTIVITYSET_ID",),
        brief=True,
        nested=("ACTIVITIES",),
    ),
    InsightlyObject(
        path="Teams",
        stream="teams",
        key=("TEAM_ID",),
        updated_field="DATE_UPDATED_UTC",
        brief=True,
        nested=("TEAMMEMBERS",),
        create=True,
        update=True,
        delete=True,
        natural_key=("TEAM_NAME",),
    ),
    InsightlyObject(
        path="TeamMembers",
        stream="team_members",
        key=("PERMISSION_ID",),
        create=True,
        delete=True,
        references=(("TEAM_ID", "Teams"), ("MEMBER_USER_ID", "Users")),
        natural_key=("TEAM_ID", "MEMBER_USER_ID"),
    ),
    InsightlyObject(
        path="Relationships",
        stream="relationships",
        key=("RELATIONSHIP_ID",),
        natural_key=("FORWARD_TITLE", "REVERSE_TITLE"),
    ),
    InsightlyObject(
        path="LeadSources",
        stream="lead_sources",
        key=("LEAD_SOURCE_ID",),
        create=True,
        update=True,
        natural_key=("LEAD_SOURCE",),
    ),
    InsightlyObject(
        path="LeadStatuses",
        stream="lead_statuses",
        key=("LEAD_STATUS_ID",),
        create=True,
        update=True,
        natural_key=("LEAD_STATUS",),
    ),
    InsightlyObject(
        path="OpportunityCategories",
        stream="opportunity_categories",
        key=("CATEGORY_ID",),
        create=True,
        update=True,
        delete=True,
        natural_key=("CATEGORY_NAME",),
    ),
    InsightlyObject(
        path="OpportunityStateReasons",
        stream="opportunity_state_reasons",
        key=("STATE_REASON_ID",),
        natural_key=("FOR_OPPORTUNITY_STATE", "STATE_REASON"),
    ),
    InsightlyObject(
        path="ProjectCategories",
        stream="project_categories",
        key=("CATEGORY_ID",),
        create=True,
        update=True,
        delete=True,
        natural_key=("CATEGORY_NAME",),
    ),
    InsightlyObject(
        path="TaskCategories",
        stream="task_categories",
        key=("CATEGORY_ID",),
        create=True,
        update=True,
        delete=True,
        natural_key=("CATEGORY_NAME",),
    ),
    InsightlyObject(
        path="FileCategories",
        stream="file_categories",
        key=("CATEGORY_ID",),
        create=True,
        update=True,
        delete=True,
        natural_key=("CATEGORY_NAME",),
    ),
    InsightlyObject(
        path="MarketingVisits",
        stream="marketing_visits",
        key=("VISIT_ID",),
        plan=Plan.SERVICE,
    ),
    InsightlyObject(
        path="Follows",
        stream="follows",
        key=("RECORD_TYPE", "RECORD_ID"),
    ),
    InsightlyObject(path="Countries", stream="countries", key=("COUNTRY_NAME",), paged=False),
    InsightlyObject(path="Currencies", stream="currencies", key=("CURRENCY_CODE",), paged=False),
    InsightlyObject(path="Tags", stream="tags", key=("TAG_NAME",)),
    InsightlyObject(
        path="CustomObjects",
        stream="custom_objects",
        key=("OBJECT_NAME",),
        updated_field="DATE_UPDATED_UTC",
        paged=False,
    ),
    InsightlyObject(
        path="CustomFields",
        stream="custom_fields",
        key=("FIELD_FOR", "FIELD_NAME"),
        paged=False,
    ),
    InsightlyObject(
        path="Instance",
        stream="instance",
        key=("INSTANCE_SUBDOMAIN",),
        paged=False,
        singleton=True,
    ),
    InsightlyObject(
        path="Permissions",
        stream="permissions",
        key=("PERMISSIONS_STATE",),
        paged=False,
        singleton=True,
    ),
)

#: Records of every custom object share one shape; only their CUSTOMFIELDS differ.
CUSTOM_OBJECT_RECORD = InsightlyObject(
    path="{objectName}",
    stream="custom_object_records",
    key=("RECORD_ID",),
    updated_field="DATE_UPDATED_UTC",
    search=True,
    brief=True,
    nested=(CUSTOMFIELDS,),
    sub_resources=("FileAttachments",),
    create=True,
    update=True,
    delete=True,
)

BY_PATH: dict[str, InsightlyObject] = {obj.path: obj for obj in OBJECTS}
BY_STREAM: dict[str, InsightlyObject] = {obj.stream: obj for obj in OBJECTS}
BY_RECORD_NAME: dict[str, InsightlyObject] = {
    obj.record_name: obj for obj in OBJECTS if obj.record_name
}


def custom_object(object_name: str) -> InsightlyObject:
    """Describe the records of one custom object (`Fruit__c`) found at `/CustomObjects`."""
    return InsightlyObject(
        path=object_name,
        stream=object_name.lower(),
        key=CUSTOM_OBJECT_RECORD.key,
        record_name=object_name,
        updated_field=CUSTOM_OBJECT_RECORD.updated_field,
        search=True,
        brief=True,
        nested=CUSTOM_OBJECT_RECORD.nested,
        sub_resources=CUSTOM_OBJECT_RECORD.sub_resources,
        create=True,
        update=True,
        delete=True,
    )


@dataclass(frozen=True)
class SubResource:
    """A per-record collection under `/{object}/{id}/{name}`.

    One name may answer records of different shapes under different objects: a ticket's
    Comments are a conversation (`TICKET_COMMENT_ID`, `BODY_HTML`), a note's are bare
    (`COMMENT_ID`). Such a name has one entry limited to those objects (`objects`) and one
    general entry for every other object that lists it.

    Attributes:
        name: the path segment, as the spec spells it.
        stream: the Singer stream that carries its records, where the tap reads it as one.
        key: the fields that identify one of its records.
        paged: whether its GET takes `top` and `skip`.
        objects: the paths of the objects this entry is limited to; empty for the general entry.
    """

    name: str
    stream: str | None = None
    key: tuple[str, ...] = ()
    paged: bool = False
    objects: tuple[str, ...] = ()


SUB_RESOURCES: tuple[SubResource, ...] = (
    SubResource("Links", "links", ("LINK_ID",)),
    SubResource("FileAttachments", "file_attachments", ("FILE_ID",), paged=True),
    SubResource("Comments", "comments", ("COMMENT_ID",), paged=True),
    SubResource(
        "Comments", "ticket_comments", ("TICKET_COMMENT_ID",), paged=True, objects=("Ticket",)
    ),
    SubResource(
        "StateHistory", "opportunity_state_history", ("OPPORTUNITY_ID", "DATE_CHANGED_UTC")
    ),
    SubResource("Tags", key=("TAG_NAME",)),
    SubResource("Dates", key=("DATE_ID",)),
    SubResource("EmailDomains", key=("EMAIL_DOMAIN_ID",)),
    SubResource("Follow"),
    SubResource("Notes", key=("NOTE_ID",), paged=True),
    SubResource("Events", key=("EVENT_ID",), paged=True),
    SubResource("Tasks", key=("TASK_ID",), paged=True),
    SubResource("Emails", key=("EMAIL_ID",), paged=True),
    SubResource("Milestones", key=("MILESTONE_ID",)),
    SubResource("OpportunityLineItem", key=("OPPORTUNITY_ITEM_ID",)),
    SubResource("QuotationLineItem", key=("QUOTATION_ITEM_ID",)),
    SubResource("PricebookEntry", key=("PRICEBOOK_ENTRY_ID",)),
    SubResource("CommunityPosts", key=("POST_ID",)),
    SubResource("CommunityComments", key=("COMMENT_ID",)),
    SubResource("Pipeline"),
    SubResource("PipelineStage"),
    SubResource("StateChange"),
    SubResource("Pricebook"),
)

#: The general entry of each sub-resource name.
SUB_RESOURCE_BY_NAME: dict[str, SubResource] = {
    sub.name: sub for sub in SUB_RESOURCES if not sub.objects
}


def sub_resource(obj: InsightlyObject, name: str) -> SubResource | None:
    """What `/{obj.path}/{id}/{name}` answers: the entry limited to `obj`, else the general one.

    None when `obj` does not list `name` among its sub-resources.
    """
    if name not in obj.sub_resources:
        return None
    limited = (sub for sub in SUB_RESOURCES if sub.name == name and obj.path in sub.objects)
    return next(limited, SUB_RESOURCE_BY_NAME.get(name))
