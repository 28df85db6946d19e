"""Where quebec_search answered otherwise than Solr in the differential oracle (tests/solr/test_oracle.py)."""
from __future__ import annotations

import json

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.quebec.search.connection import PostgresSolr

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    for name, licence, tags in (("set-a", "cc-by", ["zebra", "apple"]), ("set-b", "odc-by", ["zebra"]),
                                ("set-c", "odc-by", ["zebra", "mango"])):
        factories.Dataset(name=name, license_id=licence, tags=[{"name": tag} for tag in tags])
    factories.Dataset(name="insects", title="Butterflies of the island")


def found(**params) -> set[str]:
    return {dataset["name"] for dataset in call_action("package_search", **params)["results"]}


def facets(**params) -> dict[str, list]:
    result = call_action("package_search", rows=0, **{"facet.field": json.dumps(["tags", "license_id"]), **params})
    return {field: list(values.items()) for field, values in result["facets"].items()}


@pytest.mark.usefixtures("catalogue")
class TestFacetOrder:
    def test_without_a_limit_values_come_in_index_order(self):
        # Solr's facet.sort is "count" with a positive facet.limit, "index" otherwise.
        assert facets(**{"facet.limit": -1}) == {"tags": [("apple", 1), ("mango", 1), ("zebra", 3)],
                                                 "license_id": [("cc-by", 1), ("odc-by", 2)]}

    def test_with_a_limit_by_count(self):
        assert facets(**{"facet.limit": 2})["tags"] == [("zebra", 3), ("apple", 1)]

    def test_an_asked_order_is_kept(self):
        # package_search takes no facet.sort; CKAN's connection does.
        answer = PostgresSolr().search(q="*:*", rows=0, facet="true", **{
            "facet.field": ["tags"], "facet.limit": -1, "facet.sort": "count", "f.tags.facet.mincount": 1})
        assert answer.facets["facet_fields"]["tags"] == ["zebra", 3, "apple", 1, "mango", 1]
        answer = PostgresSolr().search(q="*:*", rows=0, facet="true", **{
            "facet.field": ["tags"], "f.tags.facet.limit": -1, "facet.mincount": 1})
        assert answer.facets["facet_fields"]["tags"] == ["apple", 1, "mango", 1, "zebra", 3]


@pytest.mark.usefixtures("catalogue")
class TestDismaxWildcards:
    # Solr's dismax escapes * and ? (SolrPluginUtils.partialEscape): the text
    # analysis then drops them, so "butt*" is the word "butt", not a prefix.
    @pytest.mark.parametrize("q, names", [
        ("butt*", set()), ("butterflies*", {"insects"}), ("BUTTERFLIES?", {"insects"}), ("bu?terflies", set()), ("islan* butterflies", set()),
        ("butterflies", {"insects"}),
    ])
    def test_a_star_is_no_wildcard_in_plain_words(self, q, names):
        assert found(q=q) == names

    def test_a_fielded_query_keeps_its_wildcards(self):
        assert found(q="title:butt*") == {"insects"}
