"""The knowledge base and the community: their structure, articles, posts and comments.

Categories, folders and forums are configuration, present even when `records` is 0, so that
articles and posts written into an empty instance have somewhere to go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insightly_sandbox import seed_values as values
from insightly_sandbox.seed_custom import custom_fields
from insightly_sandbox.seed_reference import setup_stamps
from tap_insightly.catalogue import CUSTOMFIELDS, TAGS

if TYPE_CHECKING:
    from insightly_sandbox.seed_context import Seeder
    from insightly_sandbox.store import Record

KNOWLEDGE = (
    ("Getting Started", ("First steps", "Account setup")),
    ("Billing", ("Invoices", "Payment methods")),
    ("Troubleshooting", ("Sign-in problems", "Integrations")),
)
FORUMS = (
    ("Product", (("Announcements", "Announcement"), ("Ideas", "Idea"))),
    ("Community", (("General Discussion", "Discussion"), ("Questions & Answers", "Question"))),
)


def seed_knowledge_structure(seeder: Seeder) -> None:
    """Knowledge base categories and folders, forum categories and forums: configuration."""
    for category_name, folder_names in KNOWLEDGE:
        category = seeder.add(
            "KnowledgeArticleCategory",
            {
                "CATEGORY_ID": seeder.next("KnowledgeArticleCategory", 5_300, 3),
                "CATEGORY_NAME": category_name,
                "DESCRIPTION": f"Articles about {category_name.lower()}",
                "CREATED_USER_ID": seeder.api_user,
                **setup_stamps(seeder),
            },
        )
        for folder_name in folder_names:
            seeder.add(
                "KnowledgeArticleFolder",
                {
                    "FOLDER_ID": seeder.next("KnowledgeArticleFolder", 8_800, 3),
                    "FOLDER_NAME": folder_name,
                    # The spec types a folder's CATEGORY_ID as a string, unlike everywhere else.
                    "CATEGORY_ID": str(category["CATEGORY_ID"]),
                    "VISIBILITY": "Public",
                    "ORDER_ARTICLES": "Alphabetical",
                    "CREATED_USER_ID": seeder.api_user,
                    **setup_stamps(seeder),
                },
            )
    for category_name, forums in FORUMS:
        category = seeder.add(
            "ForumCategories",
            {
                "FORUM_CATEGORY_ID": seeder.next("ForumCategories", 2_100, 3),
                "CATEGORY_NAME": category_name,
                **setup_stamps(seeder),
            },
        )
        for order, (forum_name, forum_type) in enumerate(forums, start=1):
            seeder.add(
                "CommunityForums",
                {
                    "FORUM_ID": seeder.next("CommunityForums", 6_400, 3),
                    "FORUM_CATEGORY_ID": category["FORUM_CATEGORY_ID"],
                    "FORUM_NAME": forum_name,
                    "DESCRIPTION": f"{forum_name} for customers and the team",
                    "FORUM_TYPE": forum_type,
                    "VISIBILITY": "Public",
                    "CREATED_USER_ID": seeder.api_user,
                    **setup_stamps(seeder),
                    "FORUM_ORDER": str(order),
                },
            )


def seed_knowledge_articles(seeder: Seeder) -> None:
    """Knowledge base articles filed in folders of their category."""
    rng = seeder.rng
    folders = list(seeder.store.records("KnowledgeArticleFolder"))
    for number, (record_id, (created, updated)) in enumerate(
        zip(
            values.id_run(rng, 4_410_000, seeder.records),
            seeder.stamps(seeder.records),
            strict=True,
        ),
        start=1,
    ):
        folder = rng.choice(folders)
        status = rng.choice(("Published", "Published", "Draft", "Archived"))
        title = values.phrase(rng, 4)
        published = values.later(rng, created, 10)
        republished = values.later(rng, published, 200)
        seeder.add(
            "KnowledgeArticle",
            {
                "ARTICLE_ID": record_id,
                "CATEGORY_ID": int(folder["CATEGORY_ID"]),
                "FOLDER_ID": folder["FOLDER_ID"],
                "ARTICLE_NO": number,
                "ArticleVersion": str(rng.randint(1, 3)),
                "Status": status,
                "Language": "en-US",
                "Title": title,
                "Body": f"<p>{values.paragraph(rng, 3)}</p>",
                "URL_SLUG": f"{title.lower().replace(' ', '-')}-{number}",
                "DOWNVOTE_COUNT": rng.randint(0, 5),
                "UPVOTE_COUNT": rng.randint(0, 40),
                "PROMOTED": rng.random() < 0.1,  # noqa: PLR2004
                "FIRST_PUBLISHED_DATE_UTC": values.stamp(published) if status != "Draft" else None,
                "LAST_PUBLISHED_DATE_UTC": values.stamp(republished) if status != "Draft" else None,
                "ARCHIVED_DATE_UTC": values.stamp(republished) if status == "Archived" else None,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": values.stamp(
                    max(updated, republished if status != "Draft" else created)
                ),
                "OWNER_USER_ID": seeder.user(),
                "CREATED_USER_ID": seeder.user(),
                "ExternalLinkCount": str(rng.randint(0, 3)),
                CUSTOMFIELDS: custom_fields(seeder, "KnowledgeArticle"),
                TAGS: seeder.tags(2),
            },
        )


def seed_community(seeder: Seeder) -> None:
    """Community posts in the forums, one for every five records, with their comments."""
    rng = seeder.rng
    forums = seeder.ids["CommunityForums"]
    count = seeder.records // 5
    comments: list[Record] = []
    for record_id, (created, updated) in zip(
        values.id_run(rng, 870_000, count), seeder.stamps(count), strict=True
    ):
        forum_id = rng.choice(forums)
        author = seeder.pick("Contacts")
        replies = [_comment(seeder, record_id, forum_id, created) for _ in range(rng.randint(0, 3))]
        comments.extend(replies)
        latest = max([values.stamp(updated), *(reply["DATE_UPDATED_UTC"] for reply in replies)])
        edited = rng.random() < 0.2  # noqa: PLR2004
        seeder.add(
            "CommunityPosts",
            {
                "POST_ID": record_id,
                "FORUM_ID": forum_id,
                "POST_NAME": values.phrase(rng, 5),
                "MESSAGE": f"<p>{values.paragraph(rng, 2)}</p>",
                "PINNED": rng.random() < 0.05,  # noqa: PLR2004
                "FEATURED": rng.random() < 0.05,  # noqa: PLR2004
                "CLOSED": rng.random() < 0.1,  # noqa: PLR2004
                "PENDING": False,
                "STATUS": "Answered" if any(reply["ANSWER"] for reply in replies) else "Open",
                # The spec types the post's counters as strings.
                "COMMENT_COUNT": str(len(replies)),
                "VIEW_COUNT": str(rng.randint(len(replies), 500)),
                "FOLLOWER_COUNT": str(rng.randint(0, 10)),
                "UPVOTE_COUNT": str(rng.randint(0, 25)),
                "DOWNVOTE_COUNT": str(rng.randint(0, 3)),
                "CREATED_CONTACT_ID": author,
                "EDITED_CONTACT_ID": author if edited else None,
                "DATE_EDITED_UTC": values.stamp(updated) if edited else None,
                "DATE_CREATED_UTC": values.stamp(created),
                "DATE_UPDATED_UTC": latest,
                "SPAM": False,
            },
        )
    seeder.add_in_creation_order("CommunityComments", comments, 1_930_000)


def _comment(seeder: Seeder, post_id: int, forum_id: int, created: int) -> Record:
    rng = seeder.rng
    made = values.stamp(values.later(rng, created, 20))
    return {
        "BODY": f"<p>{values.sentence(rng)}</p>",
        "ANSWER": rng.random() < 0.2,  # noqa: PLR2004
        "SPAM": False,
        "PENDING": False,
        "OFFICIAL": rng.random() < 0.3,  # noqa: PLR2004
        "UPVOTE_COUNT": str(rng.randint(0, 12)),
        "DOWNVOTE_COUNT": str(rng.randint(0, 2)),
        "POST_ID": post_id,
        "CREATED_CONTACT_ID": seeder.pick("Contacts"),
        "DATE_CREATED_UTC": made,
        "DATE_UPDATED_UTC": made,
        "FORUM_ID": forum_id,
    }
