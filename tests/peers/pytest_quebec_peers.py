"""A pytest plugin that runs the ckanext-scheming and ckanext-dcat wheels' suites, and CKAN's
own search tests, on quebec_search (or, with QUEBEC_PEERS_SEARCH=solr, on a real Solr node).

Loaded with ``-p tests.peers.pytest_quebec_peers`` (see scripts/peer-suites). The
suites expect their own repository's test.ini, which their wheels do not ship:
its settings are given here, below any ``ckan_config`` mark of the tests. Every
test then runs with quebec_search added to its plugins, and a reset database
gets the search index table back, empty, as tests/conftest.py's clean_db does.

With ``QUEBEC_PEERS_SEARCH=solr`` (``scripts/peer-suites --solr``) the suites
run as their authors run them, on Solr: a Solr 9 node with the suite's
configset (tests/solr/node.py) is started for the session, CKAN's
``solr_url`` points at a core of its own and quebec_search is never loaded.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.tests.helpers as test_helpers
from ckan.tests import factories
from ckan import model, plugins
from ckan.common import config

import ckanext.quebec

SEARCH_PLUGIN = "quebec_search"
ON_SOLR = os.environ.get("QUEBEC_PEERS_SEARCH", "postgres") == "solr"
CORE_SUITE = "core"
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
    # ckanext-harvest's own suite (issue 25), on the real Redis queues.
    "harvest": {
        "ckan.plugins": "harvest ckan_harvester test_harvester test_harvester2 test_action_harvester",
        "ckan.harvest.mq.type": "redis",
        "ckan.harvest.timeout": 5,
    },
    # Not a peer suite of issue 3: its solr-bbox search tests check the
    # spatial support (scripts/peer-suites --spatial).
    "spatial": {
        "ckan.plugins": "spatial_metadata spatial_query",
    },
    # CKAN core's own tests (scripts/peer-suites --core-search): its
    # test-core.ini enables no plugin; each test marks the ones it needs.
    CORE_SUITE: {
        "ckan.plugins": "",
        # A list, as CKAN's config declaration makes it (no plugin load normalizes it on Solr).
        "ckan.extra_resource_fields": ["alt_url"],
    },
}
# CKAN's test-core.ini, which both suites' test.ini extend, offers every
# locale; ours offers fr and en only (dcat's suite checks its Catalan labels).
CORE_CONFIG: dict[str, Any] = {"ckan.locales_offered": []}


def suite_of(path: Path) -> str | None:
    """The suite a test file belongs to (``ckanext/<suite>/tests/...``, or
    ``ckan/tests/...`` for CKAN core's)."""
    parts = path.parts
    for index in range(len(parts) - 1):
        if parts[index] == "site-packages" and parts[index + 1:index + 3] == ("ckan", "tests"):
            return CORE_SUITE
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


def _alias_core_test_plugins() -> None:
    """CKAN's wheels (2.11, 2.12) name their test plugins' module
    ``tests.plugins.ckantestplugins`` in their entry points, and ship it as
    ``ckan.tests.plugins.ckantestplugins``: the entry points load it under both names."""
    from ckan.tests.plugins import ckantestplugins

    sys.modules.setdefault("tests.plugins.ckantestplugins", ckantestplugins)


def _start_solr(pytest_config: pytest.Config) -> None:
    """A Solr node for the session, its core given to CKAN as ``solr_url`` (CKAN_SOLR_URL,
    read when CKAN loads its configuration, after this hook); stopped when pytest ends."""
    from tests.solr.node import ROOT, SolrNode, core_name

    name = core_name(os.environ.get("CKAN_SQLALCHEMY_URL", "")) or "peers"
    log = ROOT / ".stack" / "log" / f"solr-peers-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="solr-peers-"))
    pytest_config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    node = SolrNode(home, log)
    node.start()
    pytest_config.add_cleanup(node.stop)
    os.environ["CKAN_SOLR_URL"] = node.core(f"{name}_peers")


def pytest_configure(config: pytest.Config) -> None:
    _alias_core_test_plugins()
    if ON_SOLR:
        _start_solr(config)
        return
    # CKAN's reset_db fixture (behind clean_db, and dcat's own clean_db)
    # hands out ckan.tests.helpers.reset_db.
    if not getattr(test_helpers.reset_db, "quebec_search", False):
        reset = _reset_db_with_search_index()
        reset.quebec_search = True
        test_helpers.reset_db = reset


def load_search_plugin() -> None:
    """quebec_search loaded, whatever CKAN's last plugin reload left (on Solr: never)."""
    if not ON_SOLR and not plugins.plugin_loaded(SEARCH_PLUGIN):
        plugins.load(SEARCH_PLUGIN)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """quebec_search loaded before CKAN core's class setups run.

    CKAN's with_plugins unloads every plugin after each test, and a core test
    class's ``setup_class`` (which runs before any fixture of its first test)
    may take its search connection then: without the plugin, Solr's.
    """
    if suite_of(Path(str(item.path))) == CORE_SUITE:
        load_search_plugin()


def configure_suite(request: pytest.FixtureRequest, suite: str) -> None:
    """The suite's configuration under the test's marks, with quebec_search loaded."""
    # CKAN's factories fill titles and notes with random words, which a
    # test's search may then find: core's test_name_multiple_results failed in
    # CI when a third dataset's random text held "record". Each test draws the
    # same words at every run, on either backend.
    factories.fake.seed_instance(zlib.crc32(request.node.nodeid.encode()))
    marked = {mark.args[0] for mark in request.node.iter_markers("ckan_config")}
    for key, value in {**CORE_CONFIG, **SUITE_CONFIG[suite]}.items():
        if key not in marked:
            config[key] = value
    names = config.get("ckan.plugins") or []
    names = names.split() if isinstance(names, str) else list(names)
    if ON_SOLR:
        config["ckan.plugins"] = [name for name in names if name != SEARCH_PLUGIN]
    elif SEARCH_PLUGIN not in names:
        config["ckan.plugins"] = [SEARCH_PLUGIN] + names
    if suite == CORE_SUITE:
        # CKAN reads ckan.extra_resource_fields once, at start-up with
        # test-core.ini: read it again now, and again after the test.
        model.Resource.extra_columns = None
        request.addfinalizer(lambda: setattr(model.Resource, "extra_columns", None))
    # Loaded now, before clean_index or any fixture that searches or indexes,
    # and also for the tests that rely on test.ini's plugins being loaded at
    # start-up: until then searches would go to Solr.
    request.getfixturevalue("with_plugins")


@pytest.fixture(autouse=True)
def quebec_search_for_peers(request: pytest.FixtureRequest, ckan_config):
    """The suite's configuration under the test's marks, with quebec_search loaded."""
    suite = suite_of(Path(str(request.node.path)))
    if suite is not None:
        configure_suite(request, suite)
    yield
