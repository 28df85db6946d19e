"""facet.mincount=0: values no match holds are listed, counted 0, as Solr lists them.

Only values of datasets the searcher may see: a private dataset's tags stay
hidden from those who cannot read it (Solr would list them).
"""
from __future__ import annotations

import json

import pytest

from ckan.common import config
from ckan.lib.search.common import make_connection
from ckan.tests import factories, helpers

from ckanext.quebec.search import parallel

# Read-only class sharing one catalogue, built with these plugins (shared_db);
# every size of index may be read in parallel (the tests choose).
pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
              pytest.mark.ckan_config(parallel.MIN_DOCUMENTS_OPTION, 0)]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    """Four public datasets and one private one, each with its own tag."""
    org = factories.Organization(name="ville")
    factories.Dataset(name="velo", title="Pistes cyclables", owner_org=org["id"],
                      tags=[{"name": "vélo"}, {"name": "transport"}])
    factories.Dataset(name="ponts", title="Inspection des ponts", owner_org=org["id"],
                      tags=[{"name": "ponts"}, {"name": "transport"}])
    factories.Dataset(name="air", title="Qualité de l'air", owner_org=org["id"],
                      tags=[{"name": "air"}])
    factories.Dataset(name="arbres", title="Arbres publics", owner_org=org["id"],
                      tags=[{"name": "arbres"}])
    factories.Dataset(name="secret", title="Pistes secrètes", owner_org=org["id"],
                      private=True, tags=[{"name": "confidentiel"}])
    return factories.Sysadmin(name="admin-zero")


@pytest.fixture(params=[1, 2], ids=["one connection", "partitions in parallel"])
def workers(request, monkeypatch):
    monkeypatch.setitem(config, parallel.WORKERS_OPTION, request.param)
    return request.param


def tags(user: str = "", **params) -> dict[str, int]:
    result = helpers.call_action(
        "package_search", context={"user": user, "ignore_auth": False},
        **{"facet.field": json.dumps(["tags"]), **params})
    return result["facets"]["tags"]


@pytest.mark.usefixtures("catalogue", "workers")
class TestZeroCounts:
    def test_values_no_match_holds_are_counted_zero(self):
        assert tags(q="pistes", **{"facet.mincount": 0}) == {
            "vélo": 1, "transport": 1, "ponts": 0, "air": 0, "arbres": 0}

    def test_a_minimum_of_one_lists_the_matches_values_only(self):
        assert tags(q="pistes") == {"vélo": 1, "transport": 1}

    def test_private_values_are_not_listed_to_who_cannot_see_them(self):
        assert "confidentiel" not in tags(q="pistes", **{"facet.mincount": 0})
        assert tags("admin-zero", q="ponts", include_private=True,
                    **{"facet.mincount": 0})["confidentiel"] == 0

    def test_a_filtered_search_lists_them_too(self):
        assert tags(fq="tags:air", **{"facet.mincount": 0}) == {
            "air": 1, "vélo": 0, "transport": 0, "ponts": 0, "arbres": 0}

    def test_the_home_page_lists_only_what_the_visitor_may_see(self):
        # No words, no filter but CKAN's: the segments' counts answer.
        assert tags(**{"facet.mincount": 0}) == {
            "vélo": 1, "transport": 2, "ponts": 1, "air": 1, "arbres": 1}

    def test_the_limit_cuts_after_the_counted_values(self):
        result = helpers.call_action("package_search", q="ponts", **{
            "facet.field": '["tags"]', "facet.mincount": 0, "facet.limit": 3})
        assert {(item["name"], item["count"])
                for item in result["search_facets"]["tags"]["items"]} == {
            ("ponts", 1), ("transport", 1), ("air", 0)}

    def test_sorted_by_value_zero_and_counted_values_interleave(self):
        results = make_connection().search(
            q="ponts", fq="+capacity:public", rows=0, facet="true",
            **{"facet.field": ["tags"], "facet.sort": "index", "facet.mincount": 0})
        assert results.facets["facet_fields"]["tags"] == [
            "air", 0, "arbres", 0, "ponts", 1, "transport", 1, "vélo", 0]

    def test_solr_default_minimum_is_zero(self):
        results = make_connection().search(
            q="velo", fq="+capacity:public", rows=0, facet="true", **{"facet.field": ["tags"]})
        assert results.facets["facet_fields"]["tags"] == [
            "transport", 1, "vélo", 1, "air", 0, "arbres", 0, "ponts", 0]
