"""A pytest plugin that runs the ckanext-scheming and ckanext-dcat wheels' suites on quebec_search.

Loaded with ``-p tests.peers.pytest_quebec_peers`` (see scripts/peer-suites). The
suites expect their own repository's test.ini, which their wheels do not ship:
its settings are given here, below any ``ckan_config`` mark of the tests. Every
test then runs with quebec_search added to its plugins, and a reset database
gets the search index table back, empty, as tests/conftest.py's clean_db does.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.tests.helpers as test_helpers
from ckan.common import config

import ckanext.quebec

SEARCH_PLUGIN = "quebec_search"
MIGRATIONS = Path(ckanext.quebec.__file__).parent / "migration" / SEARCH_PLUGIN

# What each suite's test.ini (in its repository) sets, keyed by the suite's
# package folder.
SUITE_CONFIG: dict[str, dict[str, Any]] = {
    "scheming": {
        "ckan.plugins": "scheming_datasets scheming_groups scheming_organizations"
                        " scheming_test_plugin scheming_nerf_index",
        "scheming.dataset_schemas": "ckanext.scheming:ckan_dataset.yaml"
                                    " ckanext.scheming.tests:test_schema.json"
                                    " ckanext.scheming.tests:test_subfields.yaml"
                                    " ckanext.scheming.tests:test_datastore_choices.json",
        "scheming.organization_schemas": "ckanext.scheming:org_with_dept_id.json"
                                         " ckanext.scheming:custom_org_with_address.json",
        "scheming.group_schemas": "ckanext.scheming:group_with_bookface.json"
                                  " ckanext.scheming:custom_group_with_status.json",
    },
    "dcat": {
        "ckan.plugins": "dcat",
        "ckanext.dcat.enable_content_negotiation": True,
    },
    # Not a peer suite of issue 3: its solr-bbox search tests check the
    # spatial support (scripts/peer-suites --spatial).
    "spatial": {
        "ckan.plugins": "spatial_metadata spatial_query",
    },
}
# CKAN's test-core.ini, which both suites' test.ini extend, offers every
# locale; ours offers fr and en only (dcat's suite checks its Catalan labels).
CORE_CONFIG: dict[str, Any] = {"ckan.locales_offered": []}


def suite_of(path: Path) -> str | None:
    """The peer suite a test file belongs to (``ckanext/<suite>/tests/...``)."""
    parts = path.parts
    for index in range(len(parts) - 2):
        if parts[index] == "ckanext" and parts[index + 2] == "tests":
            return parts[index + 1] if parts[index + 1] in SUITE_CONFIG else None
    return None


def _reset_db_with_search_index(reset_db=test_helpers.reset_db):
    """CKAN's reset_db, then the search index table, migrated and empty."""
    def reset() -> None:
        from ckan import model

        reset_db()
        # The plugin may not be loaded yet (clean_db often runs before
        # with_plugins), so CKAN's migrate_db_for could not find its migrations.
        original = model.repo._alembic_ini
        model.repo._alembic_ini = str(MIGRATIONS / "alembic.ini")
        try:
            model.repo.upgrade_db("head")
        finally:
            model.repo._alembic_ini = original
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM quebec_search_document"))
    return reset


def pytest_configure(config: pytest.Config) -> None:
    # CKAN's reset_db fixture (behind clean_db, and dcat's own clean_db)
    # hands out ckan.tests.helpers.reset_db.
    if not getattr(test_helpers.reset_db, "quebec_search", False):
        reset = _reset_db_with_search_index()
        reset.quebec_search = True
        test_helpers.reset_db = reset


@pytest.fixture(autouse=True)
def quebec_search_for_peers(request: pytest.FixtureRequest, ckan_config):
    """The suite's configuration under the test's marks, with quebec_search loaded."""
    suite = suite_of(Path(str(request.node.path)))
    if suite is None:
        yield
        return
    marked = {mark.args[0] for mark in request.node.iter_markers("ckan_config")}
    for key, value in {**CORE_CONFIG, **SUITE_CONFIG[suite]}.items():
        if key not in marked:
            config[key] = value
    plugins = config.get("ckan.plugins") or []
    names = plugins.split() if isinstance(plugins, str) else list(plugins)
    if SEARCH_PLUGIN not in names:
        config["ckan.plugins"] = [SEARCH_PLUGIN] + names
    # Loaded now, before clean_index or any fixture that searches or indexes,
    # and also for the tests that rely on test.ini's plugins being loaded at
    # start-up: until then searches would go to Solr.
    request.getfixturevalue("with_plugins")
    yield
