"""Solr taken away and brought back: CKAN's errors, nothing half-written, the index made whole again.

What CKAN itself answers while Solr is down: package_create through the API,
500 "Search Index Error" and the dataset not stored (CKAN indexes before it
commits); package_search through the API, 500 "Search Connection Error"; the
dataset search page, CKAN's 500 error page in the visitor's language, whose
one sentence ("Solr returned an error while searching.") CKAN does not
translate.
"""
from __future__ import annotations

import pytest

from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib.search.common import make_connection
from ckan.tests import factories, helpers

from tests.schema.test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.search_backend("solr"),
    pytest.mark.ckan_config("ckan.plugins", "scheming_datasets scheming_organizations quebec_schema"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def indexed_ids() -> set[str]:
    return {doc["id"] for doc in make_connection().search("*:*", fl="id", rows=1000)}


def stored_ids() -> set[str]:
    return {row.id for row in model.Session.query(model.Package.id).filter(model.Package.state == "active")}


@pytest.fixture
def solr_stopped(solr_node):
    """The session's node stopped for the test's first part (started again at the end, whatever happens)."""
    stopped = {"node": solr_node}
    yield stopped
    if stopped.pop("node", None):
        solr_node.start()


def test_solr_down_refuses_cleanly_then_rebuild_only_missing_heals(app, cli, solr_stopped):
    organization = factories.Organization()
    token = factories.SysadminWithToken()["token"]
    helpers.call_action("package_create", **dataset_dict(organization["id"], name="avant"))
    node = solr_stopped["node"]
    node.stop()

    created = app.post("/api/3/action/package_create", headers={"Authorization": token},
                       json=dataset_dict(organization["id"], name="pendant"), status=500)
    assert created.json["error"]["__type"] == "Search Index Error"
    model.Session.remove()
    assert model.Package.get("pendant") is None
    searched = app.get("/api/3/action/package_search", query_string={"q": "pistes"}, status=500)
    assert searched.json["error"] == {"__type": "Search Connection Error",
                                      "message": "Unable to connect to the search server"}
    page = app.get("/fr/dataset/", query_string={"q": "pistes"}, status=500)
    # CKAN's error page in French; its one sentence about Solr is not translated (CKAN core).
    assert "Erreur 500" in page.body and "Solr returned an error while searching." in page.body

    node.start()
    solr_stopped.pop("node")
    # A Solr brought back without some documents (a replica restored from an older copy).
    make_connection().delete(q="name:avant", commit=True)
    assert indexed_ids() == set()
    result = cli.invoke(ckan_command, ["search-index", "rebuild", "--only-missing"])
    assert result.exit_code == 0, result.output
    assert indexed_ids() == stored_ids() == {model.Package.get("avant").id}


def test_writes_answered_before_a_crash_are_found_after_it(solr_stopped):
    """CKAN's commits are soft (schemas/solr/solrconfig.xml): a write is in the update log, not yet
    in the index's files, when Solr answers it; after kill -9 and a restart Solr replays the log."""
    organization = factories.Organization()
    for name in ("avant-la-panne-1", "avant-la-panne-2"):
        helpers.call_action("package_create", **dataset_dict(organization["id"], name=name))
    node = solr_stopped["node"]
    node.kill()
    node.start()
    solr_stopped.pop("node")
    assert indexed_ids() == stored_ids() == {model.Package.get(name).id for name in (
        "avant-la-panne-1", "avant-la-panne-2")}
