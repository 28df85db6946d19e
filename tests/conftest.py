"""Project fixtures. CKAN's own pytest plugin (fixtures clean_db, app, ...)
is registered by CKAN itself."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model, plugins

# Plugins of the suite whose Alembic migrations create tables. The search
# index table is always there (a clean database means an empty index, with or
# without the plugin); the others are migrated when their plugin is loaded.
MIGRATED_PLUGINS = ("quebec_search", "quebec_quality")
ALWAYS_MIGRATED = ("quebec_search",)


@pytest.fixture
def clean_db(reset_db, migrate_db_for, with_plugins):
    """CKAN's clean_db, plus the suite's tables.

    The search index lives in the database, so a clean database also means an
    empty index.
    """
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        if plugin in ALWAYS_MIGRATED or plugins.plugin_loaded(plugin):
            migrate_db_for(plugin)
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM quebec_search_document"))


@pytest.fixture
def cli(cli, monkeypatch, ckan_config):
    """CKAN's cli, running with the test's plugins and the suite's options.

    The ``ckan`` command builds its app from the ini file; CKAN's own CLI
    tests patch load_config too. A ``ckan jobs worker --burst`` started this
    way forks a work horse per job that runs with the test's configuration.
    """
    from ckan import cli as ckan_cli

    load_config = ckan_cli.load_config

    def load_with_test_config(path=None):
        config = load_config(path)
        config.update({key: value for key, value in ckan_config.items()
                       if key == "ckan.plugins" or key.startswith("ckanext.quebec.")})
        return config

    monkeypatch.setattr(ckan_cli, "load_config", load_with_test_config)
    return cli
