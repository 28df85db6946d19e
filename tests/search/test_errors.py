"""Bad and hostile searches: CKAN's usual errors, never a 500, never SQL from the user."""
from __future__ import annotations

import json

import pysolr
import pytest

from ckan import model
from ckan.common import config
from ckan.lib.helpers import url_for
from ckan.tests import factories

from ckanext.quebec.search.connection import PostgresSolr

from .helpers import index_documents, index_table_exists, sent_statements

# Read-only classes share one catalogue, built with these plugins (shared_db).
pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]

MARKER = "zq9x"
HOSTILE = [
    f"{MARKER}'; DROP TABLE quebec_search_document; --",
    f'{MARKER}"; DELETE FROM package; --',
    f"{MARKER}' OR '1'='1",
    f"{MARKER}) OR 1=1 --",
    f"{MARKER}\\'; SELECT pg_sleep(5); --",
    f"$${MARKER}$$",
    f"{MARKER}:*",
    f"{MARKER}*",
    f"{MARKER}\\\\y*",  # an escaped backslash in a prefix search
]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    factories.Dataset(name="pistes", title="Pistes cyclables", tags=[{"name": "vélo"}])
    factories.Dataset(name="ponts", title="Ponts")


@pytest.fixture
def statements():
    """Every SQL text sent to PostgreSQL during the test, parameters aside."""
    with sent_statements() as sent:
        yield sent


def api_search(app, status=None, **params):
    url = url_for("api.action", logic_function="package_search", ver=3)
    return app.get(url, query_string=params, status=status)


def assert_index_intact():
    assert index_table_exists()
    assert set(index_documents()) == {"pistes", "ponts"}
    assert model.Session.query(model.Package).count() == 2


@pytest.mark.usefixtures("catalogue")
class TestBadQueries:
    @pytest.mark.parametrize("params", [
        {"q": "title:(pistes"},
        {"q": 'title:"pistes'},
        {"q": "title:pistes AND"},
        {"q": "titlé:pistes"},
        {"fq": "tags:(vélo"},
        {"fq": "metadata_modified:[hier TO NOW]"},
        {"fq": "metadata_modified:[NOW+100000YEARS TO *]"},
        {"fq": "views_total:[beaucoup TO *]"},
        {"fq": "title:/regex/"},
        {"q": "pistes\x00"},
        {"fq": "name:a\x00b"},
        {"sort": "name;drop asc"},
        {"facet.field": json.dumps(["tags'; --"])},
        {"facet.field": json.dumps(["tags"]), "facet.limit": 10**20},
    ])
    def test_bad_search_is_a_409(self, app, params):
        response = api_search(app, status=409, **params)
        body = response.json
        assert body["success"] is False
        assert body["error"]["__type"] in ("Search Error", "Validation Error")
        assert_index_intact()

    @pytest.mark.parametrize("sort", [
        "name", "name upwards", "name asc desc", "name; DROP TABLE package asc"])
    def test_bad_sort_order_is_ckans_invalid_sort(self, app, sort):
        response = api_search(app, status=400, sort=sort)
        assert 'Invalid \\"sort\\" parameter' in response.body

    def test_long_query_is_refused(self, app):
        api_search(app, status=409, q="title:" + "a" * 20_000)


@pytest.mark.usefixtures("catalogue")
class TestInjection:
    @pytest.mark.parametrize("param", ["q", "fq", "sort", "facet.field"])
    def test_hostile_values_are_refused_or_find_nothing(self, app, statements, param):
        for value in HOSTILE:
            if param == "facet.field":
                value = json.dumps([value])
            elif param == "fq":
                value = f"name:{value}"
            response = api_search(app, **{param: value})
            assert response.status_code in (200, 400, 409), (value, response.body)
            if response.status_code == 200:
                assert response.json["result"]["count"] == 0, value
        # A harmless value of the same parameter reaches the index: the
        # statements are being recorded (a refused facet field never does).
        control = {"q": "pistes", "fq": "name:pistes", "sort": "name asc",
                   "facet.field": json.dumps(["tags"])}[param]
        assert api_search(app, **{param: control}).status_code == 200
        index_sql = [s for s in statements if "quebec_search_" in s]
        assert index_sql
        assert not any(MARKER in statement for statement in index_sql)
        assert_index_intact()

    def test_hostile_phrases_are_bound_values(self, app, statements):
        for value in HOSTILE:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            for query in (f'title:"{escaped}"', f'tags:"{escaped}"', f'"{escaped}"'):
                response = api_search(app, q=query)
                assert response.status_code == 200, (query, response.body)
                assert response.json["result"]["count"] == 0, query
        assert not any(MARKER in statement for statement in statements)
        assert_index_intact()

    def test_values_still_match_when_bound(self, app):
        # the same path that refuses SQL finds ordinary values
        response = api_search(app, q='tags:"vélo"')
        assert response.json["result"]["count"] == 1


@pytest.mark.usefixtures("catalogue")
class TestConnection:
    def test_a_value_postgresql_refuses_is_a_solr_error(self):
        # LIMIT takes a bigint; PostgreSQL, not Python, finds this one too big
        # (with a minimum count of 1, as CKAN asks, the limit is applied in SQL)
        with pytest.raises(pysolr.SolrError):
            PostgresSolr().search(q="*:*", facet="true", **{
                "facet.field": ["tags"], "facet.limit": 10**20, "facet.mincount": 1})

    def test_negative_rows_is_a_solr_error(self):
        with pytest.raises(pysolr.SolrError):
            PostgresSolr().search(q="*:*", rows=-1)


# Words enough that no search over them ends within a millisecond (about a
# thousand bound words, each a text query to rank by), under the length limit.
SLOW_QUERY = " OR ".join(f"mot{number}" for number in range(1000))


@pytest.mark.usefixtures("catalogue")
class TestTimeout:
    """Each statement of a search stops after CKAN's solr_timeout (a fraction
    of a second taken too): CKAN's usual search error, never a 500."""

    @pytest.fixture
    def one_millisecond(self, app, monkeypatch):
        # Set once the app is built: CKAN's declaration takes whole seconds.
        monkeypatch.setitem(config, "solr_timeout", 0.001)

    @pytest.mark.usefixtures("one_millisecond")
    def test_a_search_beyond_the_timeout_is_a_search_error(self, app):
        body = api_search(app, status=409, q=SLOW_QUERY).json
        assert body["error"]["__type"] == "Search Error"
        assert "The search took longer than 0.001 s" in body["error"]["message"]
        page = app.get(url_for("dataset.search"), query_string={"q": SLOW_QUERY})
        assert page.status_code == 200
        assert 'id="search-error"' in page.body

    @pytest.mark.usefixtures("one_millisecond")
    def test_the_timeout_is_set_with_the_counted_fields_read(self, app):
        # Facets asked: the statement that reads the counted fields sets it.
        body = api_search(app, status=409, q=SLOW_QUERY,
                          **{"facet.field": '["tags", "res_format"]'}).json
        assert "The search took longer than 0.001 s" in body["error"]["message"]

    def test_the_timeout_ends_with_the_search(self, app, monkeypatch):
        monkeypatch.setitem(config, "solr_timeout", 0.001)
        api_search(app, status=409, q=SLOW_QUERY)
        monkeypatch.setitem(config, "solr_timeout", 60)
        # the same connections, without the millisecond
        for _ in range(3):
            assert api_search(app, q=SLOW_QUERY).json["result"]["count"] == 0
