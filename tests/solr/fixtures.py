"""Running tests on a real Solr node: QUEBEC_TEST_SEARCH=solr, and the search_backend marker.

With QUEBEC_TEST_SEARCH=solr every test runs with CKAN's ``solr_url`` pointing
at the session's Solr node (a core per test database) and without
quebec_search in its plugin list; the default (``postgres``) keeps
quebec_search. A test marked ``search_backend("solr")`` runs on Solr whatever
the variable says (tests/solr/); one marked ``search_backend("postgres")`` only
makes sense on quebec_search and is deselected on Solr. tests/conftest.py
imports the fixtures and hooks below.
"""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from ckan import plugins
from ckan.common import config
from ckan.lib import search

from .node import ROOT, SolrNode, core_name

MARKER = "search_backend"
BACKENDS = ("postgres", "solr")
SEARCH_BACKEND = os.environ.get("QUEBEC_TEST_SEARCH", "postgres")
if SEARCH_BACKEND not in BACKENDS:
    raise pytest.UsageError(f"QUEBEC_TEST_SEARCH must be one of {BACKENDS}, not {SEARCH_BACKEND!r}")
POSTGRES_PLUGIN = "quebec_search"
# The session's node: the JIT's first tier only (C1, no C2). A test run's
# documents and queries are small and of many kinds; C2's compiling took half
# the JVM's CPU time, on the 2-core machines the suite runs on, for the same
# answers: the feature modules on Solr (1,064 tests) 89 s of CPU, 46 with C1.
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"


def configure(pytest_config: pytest.Config) -> None:
    pytest_config.addinivalue_line(
        "markers", f"{MARKER}(name): the test runs on that search backend only (postgres or solr): "
        "on Solr it gets the session's node whatever QUEBEC_TEST_SEARCH says; "
        "a postgres test is deselected when QUEBEC_TEST_SEARCH=solr")


def deselect_other_backend(pytest_config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests marked for quebec_search when the session runs on Solr."""
    if SEARCH_BACKEND != "solr":
        return
    kept, left_out = [], []
    for item in items:
        mark = item.get_closest_marker(MARKER)
        (left_out if mark and mark.args[0] == "postgres" else kept).append(item)
    if left_out:
        pytest_config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def runs_on_solr(node: pytest.Item) -> bool:
    mark = node.get_closest_marker(MARKER)
    return (mark.args[0] if mark else SEARCH_BACKEND) == "solr"


def use_solr(ckan_config: dict[str, Any], solr_url: str) -> None:
    """CKAN's configuration on Solr: the core's URL, the plugins without quebec_search."""
    ckan_config["solr_url"] = solr_url
    names = ckan_config.get("ckan.plugins") or []
    if isinstance(names, str):
        names = names.split()
    ckan_config["ckan.plugins"] = " ".join(name for name in names if name != POSTGRES_PLUGIN)


def clear_index() -> None:
    """Empty the Solr core of the test (clean_db: an empty database, an empty index)."""
    if not plugins.plugin_loaded(POSTGRES_PLUGIN) and config.get("solr_url"):
        search.clear_all()


@pytest.fixture(scope="session")
def solr_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SolrNode]:
    """The session's Solr node, started on first use (its log: .stack/log/solr-test-<core>.log)."""
    name = core_name(config["sqlalchemy.url"])
    log = ROOT / ".stack" / "log" / f"solr-test-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    node = SolrNode(tmp_path_factory.mktemp("solr-home"), log, java_options=JAVA_OPTIONS)
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def solr_url(solr_node: SolrNode) -> str:
    """The URL of this test database's core."""
    return solr_node.core(core_name(config["sqlalchemy.url"]))


@pytest.fixture(scope="session", autouse=True)
def _session_on_solr(request: pytest.FixtureRequest) -> None:
    """QUEBEC_TEST_SEARCH=solr: tests that load no plugin reach Solr too."""
    if SEARCH_BACKEND == "solr":
        use_solr(config, request.getfixturevalue("solr_url"))
