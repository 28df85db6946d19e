"""Reading the index table directly, to check the backend from outside it."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckan import model


def index_documents() -> dict[str, dict[str, Any]]:
    """The index table as {dataset name: row}."""
    with model.ensure_engine().connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT name, id, fields, stored, search_text::text AS search_text,"
            " indexed_at FROM quebec_search_document")).mappings()
        return {row["name"]: dict(row) for row in rows}


def index_table_exists() -> bool:
    with model.ensure_engine().connect() as connection:
        return connection.execute(
            sa.text("SELECT to_regclass('quebec_search_document') IS NOT NULL")
        ).scalar_one()
