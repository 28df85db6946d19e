"""The guides' tables (created by the quebec_guides migrations): reading and writing guides, revisions, editors."""
from __future__ import annotations

import datetime
import uuid
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ckan import model

LANGUAGES = ("fr", "en")
TEXT_FIELDS = tuple(f"{field}_{language}" for field in ("title", "summary", "body")
                    for language in LANGUAGES)
LIST_FIELDS = ("audience", "datasets", "categories")
CONTENT_FIELDS = TEXT_FIELDS + LIST_FIELDS + ("topic",)
FACETS = ("audience", "topic", "categories")

_metadata = sa.MetaData()
guide_table = sa.Table(
    "quebec_guide", _metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("name", sa.UnicodeText),
    sa.Column("state", sa.UnicodeText),
    *(sa.Column(field, sa.UnicodeText) for field in TEXT_FIELDS),
    sa.Column("audience", postgresql.ARRAY(sa.UnicodeText)),
    sa.Column("topic", sa.UnicodeText),
    sa.Column("datasets", postgresql.ARRAY(sa.UnicodeText)),
    sa.Column("categories", postgresql.ARRAY(sa.UnicodeText)),
    sa.Column("author_id", sa.UnicodeText),
    sa.Column("revision", sa.Integer),
    sa.Column("created", sa.DateTime),
    sa.Column("modified", sa.DateTime),
    sa.Column("published", sa.DateTime),
)
revision_table = sa.Table(
    "quebec_guide_revision", _metadata,
    sa.Column("guide_id", sa.UnicodeText, primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("content", postgresql.JSONB),
    sa.Column("author_id", sa.UnicodeText),
    sa.Column("created", sa.DateTime),
)
editor_table = sa.Table(
    "quebec_guide_editor", _metadata,
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    sa.Column("created", sa.DateTime),
)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _as_dict(row: Any) -> dict[str, Any]:
    guide = dict(row._mapping)
    for key in ("created", "modified", "published"):
        if guide.get(key) is not None:
            guide[key] = guide[key].isoformat()
    return guide


def get(id_or_name: str) -> Optional[dict[str, Any]]:
    """The guide of that id or name, or None."""
    row = model.Session.execute(sa.select(guide_table).where(
        sa.or_(guide_table.c.id == id_or_name, guide_table.c.name == id_or_name))).first()
    return _as_dict(row) if row else None


def create(name: str, content: dict[str, Any], author_id: Optional[str]) -> dict[str, Any]:
    """A new draft guide with its first revision (not committed)."""
    now = _now()
    guide_id = str(uuid.uuid4())
    model.Session.execute(guide_table.insert().values(
        id=guide_id, name=name, state="draft", author_id=author_id, revision=1,
        created=now, modified=now, **content))
    _keep_revision(guide_id, 1, content, author_id, now)
    return get(guide_id)


def update(guide: dict[str, Any], name: str, content: dict[str, Any],
           author_id: Optional[str]) -> dict[str, Any]:
    """The guide with new content, kept as its next revision (not committed)."""
    now = _now()
    revision = guide["revision"] + 1
    model.Session.execute(guide_table.update().where(guide_table.c.id == guide["id"]).values(
        name=name, revision=revision, modified=now, **content))
    _keep_revision(guide["id"], revision, content, author_id, now)
    return get(guide["id"])


def _keep_revision(guide_id: str, revision: int, content: dict[str, Any],
                   author_id: Optional[str], now: datetime.datetime) -> None:
    model.Session.execute(revision_table.insert().values(
        guide_id=guide_id, revision=revision, content=content, author_id=author_id, created=now))


def set_state(guide_id: str, state: str) -> dict[str, Any]:
    """The guide published or back to draft (not committed); publishing dates it."""
    values: dict[str, Any] = {"state": state}
    if state == "published":
        values["published"] = _now()
    model.Session.execute(guide_table.update().where(guide_table.c.id == guide_id).values(**values))
    return get(guide_id)


def delete(guide_id: str) -> None:
    """The guide and its revisions removed (not committed)."""
    model.Session.execute(guide_table.delete().where(guide_table.c.id == guide_id))


def revisions(guide_id: str) -> list[dict[str, Any]]:
    """The kept revisions of a guide, newest first, with their content."""
    rows = model.Session.execute(sa.select(revision_table).where(
        revision_table.c.guide_id == guide_id).order_by(revision_table.c.revision.desc()))
    return [_as_dict(row) for row in rows]


def search(where: list[Any], order: str, limit: int, offset: int) -> tuple[int, list[dict], dict]:
    """The guides matching every condition of ``where``: count, one page, facet counts."""
    condition = sa.and_(sa.true(), *where)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(guide_table).where(condition)).scalar()
    ordering = {"title_fr": guide_table.c.title_fr, "title_en": guide_table.c.title_en}.get(
        order, guide_table.c.modified.desc())
    rows = model.Session.execute(sa.select(guide_table).where(condition)
                                 .order_by(ordering, guide_table.c.id).limit(limit).offset(offset))
    return count, [_as_dict(row) for row in rows], _facets(condition)


def _facets(condition: Any) -> dict[str, dict[str, int]]:
    facets = {}
    for field in FACETS:
        column = guide_table.c[field]
        value = sa.func.unnest(column) if field in LIST_FIELDS else column
        matching = sa.select(value.label("value")).where(condition).subquery()
        rows = model.Session.execute(sa.select(matching.c.value, sa.func.count())
                                     .group_by(matching.c.value)
                                     .order_by(sa.func.count().desc(), matching.c.value))
        facets[field] = {value: count for value, count in rows}
    return facets


def text_matches(words: list[str], language: str) -> list[Any]:
    """One condition per word: in the guide's title, summary or body in ``language``."""
    columns = [guide_table.c[f"{field}_{language}"] for field in ("title", "summary", "body")]
    conditions = []
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(sa.or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    return conditions


def is_editor(user_id: str) -> bool:
    return model.Session.execute(sa.select(editor_table.c.user_id).where(
        editor_table.c.user_id == user_id)).first() is not None


def add_editor(user_id: str) -> None:
    """``user_id`` a guide editor (not committed); adding one twice changes nothing."""
    if not is_editor(user_id):
        model.Session.execute(editor_table.insert().values(user_id=user_id, created=_now()))


def remove_editor(user_id: str) -> None:
    model.Session.execute(editor_table.delete().where(editor_table.c.user_id == user_id))


def editors() -> list[str]:
    """The user ids of the guide editors, oldest first."""
    return list(model.Session.execute(sa.select(editor_table.c.user_id)
                                      .order_by(editor_table.c.created)).scalars())


def published_linked_to(dataset_ids: list[str], categories: list[str]) -> list[dict[str, Any]]:
    """The published guides linked to one of ``dataset_ids`` or of ``categories``, in one query.

    Each with its ``id``, ``name``, titles, ``datasets`` and ``categories``, by name.
    """
    if not dataset_ids and not categories:
        return []
    table = guide_table
    rows = model.Session.execute(
        sa.select(table.c.id, table.c.name, table.c.title_fr, table.c.title_en,
                  table.c.datasets, table.c.categories)
        .where(table.c.state == "published",
               sa.or_(table.c.datasets.overlap(list(dataset_ids)),
                      table.c.categories.overlap(list(categories))))
        .order_by(table.c.name))
    return [dict(row._mapping) for row in rows]
