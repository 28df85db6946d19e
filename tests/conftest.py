"""Project fixtures. CKAN's own pytest plugin (fixtures clean_db, app, ...)
is registered by CKAN itself."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model

# Plugins of the suite whose Alembic migrations create tables.
MIGRATED_PLUGINS = ("quebec_search",)


@pytest.fixture
def clean_db(reset_db, migrate_db_for, with_plugins):
    """CKAN's clean_db, plus the suite's tables.

    The search index lives in the database, so a clean database also means an
    empty index.
    """
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM quebec_search_document"))
