"""The reuses' table (created by the quebec_reuses migration) and their images on disk."""
from __future__ import annotations

import datetime
import io
import os
import uuid
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import ckan.plugins.toolkit as tk
from ckan import model

LANGUAGES = ("fr", "en")
TEXT_FIELDS = tuple(f"{field}_{language}" for field in ("title", "description") for language in LANGUAGES)
FACETS = ("reuse_type", "categories", "organizations")
IMAGE_WIDTH = 800

_metadata = sa.MetaData()
reuse_table = sa.Table(
    "quebec_reuse", _metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    *(sa.Column(field, sa.UnicodeText) for field in TEXT_FIELDS),
    sa.Column("reuse_type", sa.UnicodeText),
    sa.Column("url", sa.UnicodeText),
    sa.Column("image", sa.UnicodeText),
    sa.Column("datasets", postgresql.ARRAY(sa.UnicodeText)),
    sa.Column("categories", postgresql.ARRAY(sa.UnicodeText)),
    sa.Column("organizations", postgresql.ARRAY(sa.UnicodeText)),
    sa.Column("state", sa.UnicodeText),
    sa.Column("submitter_id", sa.UnicodeText),
    sa.Column("reviewer_id", sa.UnicodeText),
    sa.Column("created", sa.DateTime),
    sa.Column("reviewed", sa.DateTime),
)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _as_dict(row: Any) -> dict[str, Any]:
    reuse = dict(row._mapping)
    for key in ("created", "reviewed"):
        if reuse.get(key) is not None:
            reuse[key] = reuse[key].isoformat()
    return reuse


def get(reuse_id: str) -> Optional[dict[str, Any]]:
    row = model.Session.execute(sa.select(reuse_table).where(reuse_table.c.id == reuse_id)).first()
    return _as_dict(row) if row else None


def create(fields: dict[str, Any], image: Optional[bytes], submitter_id: Optional[str]) -> dict[str, Any]:
    """A new pending reuse (not committed); its image, already resized, written to disk."""
    reuse_id = str(uuid.uuid4())
    image_name = None
    if image is not None:
        image_name = f"{reuse_id}.png"
        path = image_path(image_name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(image)
    model.Session.execute(reuse_table.insert().values(
        id=reuse_id, image=image_name, state="pending", submitter_id=submitter_id,
        created=_now(), **fields))
    return get(reuse_id)


def review(reuse_id: str, state: str, reviewer_id: Optional[str]) -> dict[str, Any]:
    model.Session.execute(reuse_table.update().where(reuse_table.c.id == reuse_id).values(
        state=state, reviewer_id=reviewer_id, reviewed=_now()))
    return get(reuse_id)


def delete(reuse: dict[str, Any]) -> None:
    model.Session.execute(reuse_table.delete().where(reuse_table.c.id == reuse["id"]))
    if reuse.get("image") and os.path.exists(image_path(reuse["image"])):
        os.remove(image_path(reuse["image"]))


def image_path(name: str) -> str:
    """Where an image of a reuse is kept: ``<ckan.storage_path>/quebec_reuses/``."""
    return os.path.join(tk.config.get("ckan.storage_path") or "", "quebec_reuses", os.path.basename(name))


def resized_png(data: bytes) -> bytes:
    """The image at most IMAGE_WIDTH pixels wide, as PNG; ValueError if it is no image Pillow reads."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "GIF", "WEBP"):
                raise ValueError(image.format)
            image.load()
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValueError(str(error))
    if image.width > IMAGE_WIDTH:
        image = image.resize((IMAGE_WIDTH, max(1, round(image.height * IMAGE_WIDTH / image.width))))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def search(where: list[Any], limit: int, offset: int) -> tuple[int, list[dict], dict]:
    """The reuses matching every condition: count, one page (newest first), facet counts."""
    condition = sa.and_(sa.true(), *where)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(reuse_table).where(condition)).scalar()
    rows = model.Session.execute(sa.select(reuse_table).where(condition)
                                 .order_by(reuse_table.c.created.desc(), reuse_table.c.id)
                                 .limit(limit).offset(offset))
    facets = {}
    for field in FACETS:
        column = reuse_table.c[field]
        value = column if field == "reuse_type" else sa.func.unnest(column)
        matching = sa.select(value.label("value")).where(condition).subquery()
        counted = model.Session.execute(sa.select(matching.c.value, sa.func.count())
                                        .group_by(matching.c.value)
                                        .order_by(sa.func.count().desc(), matching.c.value))
        facets[field] = {item: number for item, number in counted}
    return count, [_as_dict(row) for row in rows], facets


def approved_using(dataset_ids: list[str]) -> list[dict[str, Any]]:
    """The approved reuses of one of ``dataset_ids``, in one query, oldest first.

    Each with its ``id``, titles and ``datasets``.
    """
    if not dataset_ids:
        return []
    table = reuse_table
    rows = model.Session.execute(
        sa.select(table.c.id, table.c.title_fr, table.c.title_en, table.c.datasets)
        .where(table.c.state == "approved", table.c.datasets.overlap(list(dataset_ids)))
        .order_by(table.c.created, table.c.id))
    return [dict(row._mapping) for row in rows]
