"""CKAN core's own search tests, from the installed CKAN wheel, run on quebec_search in the suite.

The whole selection of #21 (lib/search, logic/action/test_get.py, the search
classes of the dataset, group and organization views) takes several minutes
per CKAN version: ``scripts/peer-suites --core-search`` runs it. Within the
suite's time budget this module runs the part that talks to the search
backend most directly: CKAN's lib/search tests of datasets (indexing, dates,
queries, local params), package_autocomplete's tests, and the dataset search
page's syntax error, which caught #21's differences from Solr.
Exclusions and their reasons: tests/peers/EXCLUSIONS.md.

Pytest collects the test classes and functions imported here as if they
were written here; this module's fixtures keep quebec_search loaded beside
the plugins each test names, as tests/peers/pytest_quebec_peers.py does for
``scripts/peer-suites``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ckan.tests.controllers import test_package
from ckan.tests.lib.search import test_common, test_index, test_query, test_search
from ckan.tests.logic.action.test_get import TestPackageAutocomplete  # noqa: F401

from tests.peers.pytest_quebec_peers import CORE_SUITE, configure_suite, load_search_plugin

# They check quebec_search: not run when the suite runs on Solr (tests/solr/fixtures.py).
pytestmark = [pytest.mark.search_backend("postgres")]

# Left out: the tests EXCLUSIONS.md lists for CKAN core (Solr schema files' versions),
# and tag and resource search, which CKAN answers from its own tables, not the index
# (scripts/peer-suites --core-search runs them).
EXCLUDED = set(re.findall(r"^- `ckan/tests/[^`]*::(\w+)`",
                          Path(__file__).with_name("EXCLUSIONS.md").read_text(), re.M))
EXCLUDED |= {"TestTagQuery", "TestResourceQuery"}
for _module in (test_common, test_index, test_query, test_search):
    for _name, _value in vars(_module).items():
        if _name.startswith(("test_", "Test")) and _name not in EXCLUDED:
            globals()[_name] = _value


@pytest.mark.usefixtures("clean_db", "clean_index")  # test_package.TestSearch's
class TestSearchPage:
    test_search_solr_syntax_error = test_package.TestSearch.test_search_solr_syntax_error


@pytest.fixture(scope="class", autouse=True)
def quebec_search_before_class_setup():
    """Loaded before a class's ``setup_class`` takes its search connection:
    CKAN's with_plugins unloads every plugin after each test."""
    load_search_plugin()


@pytest.fixture(autouse=True)
def quebec_search_for_core(request: pytest.FixtureRequest, ckan_config):
    """CKAN's test-core.ini settings under the test's marks, with quebec_search loaded."""
    configure_suite(request, CORE_SUITE)
