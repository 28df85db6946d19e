"""The guides' and reuses' Alembic migrations go down (their tables gone) and up again (back, empty, working)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_guides quebec_reuses")]

# Each plugin's tables (its Alembic version table aside), and the search that reads them.
MIGRATIONS = {
    "quebec_guides": ({"quebec_guide", "quebec_guide_revision", "quebec_guide_editor"},
                      "quebec_guide_search"),
    "quebec_reuses": ({"quebec_reuse"}, "quebec_reuse_search"),
}


def _tables(prefix: str) -> set[str]:
    with model.ensure_engine().connect() as connection:
        names = connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename LIKE :prefix"), {"prefix": prefix + "%"}).scalars()
        return {name for name in names if not name.endswith("_alembic_version")}


def _fill(plugin: str) -> None:
    """A guide with a revision and an editor; or an approved reuse."""
    admin = factories.Sysadmin()
    context = {"user": admin["name"], "ignore_auth": False}
    if plugin == "quebec_guides":
        helpers.call_action("quebec_guide_editor_add", dict(context), user=admin["name"])
        guide = helpers.call_action("quebec_guide_create", dict(context), **{
            "name": "guide", "title_fr": "Guide", "title_en": "Guide", "summary_fr": "R.",
            "summary_en": "S.", "body_fr": "T.", "body_en": "T.", "audience": ["citoyens"],
            "topic": "trouver"})
        helpers.call_action("quebec_guide_publish", dict(context), id=guide["id"])
    else:
        reuse = helpers.call_action("quebec_reuse_create", dict(context), **{
            "title_fr": "Carte", "title_en": "Map", "description_fr": "D.", "description_en": "D.",
            "reuse_type": "application", "url": "https://exemple.qc.ca/",
            "datasets": [factories.Dataset()["id"]]})
        helpers.call_action("quebec_reuse_approve", dict(context), id=reuse["id"])


@pytest.mark.parametrize("plugin", sorted(MIGRATIONS))
def test_upgrade_downgrade_upgrade(plugin, migrate_db_for):
    tables, search = MIGRATIONS[plugin]
    prefix = sorted(tables)[0]
    _fill(plugin)
    assert helpers.call_action(search)["count"] == 1
    model.Session.remove()
    try:
        migrate_db_for(plugin, "base", False)
        assert _tables(prefix) == set()
    finally:
        migrate_db_for(plugin)
    assert _tables(prefix) == tables
    assert helpers.call_action(search)["count"] == 0
    _fill(plugin)
    assert helpers.call_action(search)["count"] == 1
