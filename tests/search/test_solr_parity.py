"""Where quebec_search answered otherwise than Solr with CKAN's schema (#21): each case as Solr answers it."""
from __future__ import annotations

import datetime as dt

import pysolr
import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.helpers import url_for
from ckan.lib.search import common as search_common
from ckan.lib.search import query_for
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.quebec.search.connection import PostgresSolr
from ckanext.quebec.search.lucene import Compiler, Params

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]


def api_search(app, status=200, **params):
    url = url_for("api.action", logic_function="package_search", ver=3)
    return app.get(url, query_string=params, status=status)


def search_count(**params) -> int:
    return query_for(model.Package).run(params)["count"]


@pytest.fixture(scope="class")
def catalogue(shared_db):
    factories.Dataset(name="war-and-peace", title="War and Peace")
    factories.Dataset(name="rivers", title="Blind river crossings")
    factories.Dataset(name="bees", title="A dataset about bees")
    factories.Dataset(name="butterflies", title="A dataset about butterflies")


def names(results) -> set[str]:
    return {result["name"] for result in results}


@pytest.mark.usefixtures("catalogue")
class TestAutocompleteNgrams:
    @pytest.mark.parametrize("q, found", [
        ("war", {"war-and-peace"}),   # start of a name and of a title
        ("bli", {"rivers"}),          # start of a title word only
        ("IVER", {"rivers"}),         # inside words, any case
        ("d-pe", {"war-and-peace"}),  # across a name's hyphen
        ("ss", {"rivers"}),           # two characters, Solr's shortest gram
    ])
    def test_part_of_a_word_is_suggested(self, q, found):
        assert names(call_action("package_autocomplete", q=q)) == found

    @pytest.mark.parametrize("q", [
        "w",               # shorter than a gram
        "butterflie",      # ten characters: a gram ...
        "utterflies",      # ... and another (nothing else than the dataset has it)
        "a dataset abou",  # several words: a phrase, which grams never form
    ])
    def test_grams_are_two_to_ten_characters_of_one_word(self, q):
        expected = {"butterflies"} if q in ("butterflie", "utterflies") else set()
        assert names(call_action("package_autocomplete", q=q)) == expected

    def test_longer_than_a_gram_is_not_a_gram(self):
        assert search_count(q="title_ngram:butterflies", rows=0) == 0
        assert search_count(q="title_ngram:butterflie", rows=0) == 1

    def test_a_trigram_index_serves_the_match(self):
        params = Params()
        condition = Compiler(params).compile_text("title_ngram:iver")
        with model.ensure_engine().begin() as connection:
            connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(connection.execute(sa.text(
                f"EXPLAIN SELECT index_id FROM quebec_search_document d WHERE {condition}"),
                params.values).scalars())
        assert "Bitmap Index Scan" in plan and "Index Cond: (lower(" in plan, plan


@pytest.mark.usefixtures("catalogue")
class TestMillisecondDates:
    def test_a_date_ckan_returned_finds_its_dataset(self):
        modified = call_action("package_show", id="bees")["metadata_modified"]
        assert len(modified) == 26, modified  # microseconds, as CKAN returns them
        assert search_count(fq=f'metadata_modified:"{modified}Z"', rows=0) == 1
        milliseconds = modified[:23] + "Z"
        assert search_count(fq=f"metadata_modified:[* TO {milliseconds}]", rows=0) >= 1
        assert search_count(fq=f'metadata_modified:"{milliseconds}"', rows=0) == 1
        assert search_count(fq=f"name:bees AND metadata_modified:{{{milliseconds} TO *]",
                            rows=0) == 0


@pytest.mark.usefixtures("catalogue")
class TestQuerySyntax:
    @pytest.mark.parametrize("q", ["--included", "+-bees", "title:bees AND --peace",
                                   "NOT -bees", "title:(NOT NOT bees)"])
    def test_two_operators_on_one_clause_are_a_syntax_error(self, app, q):
        response = api_search(app, status=409, q=q)
        assert response.json["error"]["__type"] == "Search Error"

    def test_dismax_drops_operators_in_a_row_after_a_space(self, app):
        # Solr's dismax strips them (stripIllegalOperators) before parsing.
        assert api_search(app, q="bees --butterflies").json["result"]["count"] == 0
        assert api_search(app, q="bees -").json["result"]["count"] == 1

    @pytest.mark.parametrize("rows, q", [(0, "*:*"), (10, "name:nothing"), (10, "*:*")])
    def test_a_sort_without_direction_is_refused_with_or_without_a_page(self, app, rows, q):
        with pytest.raises(pysolr.SolrError, match="Can't determine a Sort Order"):
            PostgresSolr().search(q=q, sort="name", rows=rows)
        response = api_search(app, status=400, sort="name", rows=rows, q=q)
        assert 'Invalid \\"sort\\" parameter' in response.body


@pytest.mark.usefixtures("catalogue")
@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "bool lucene knn")
class TestLocalParams:
    @pytest.mark.parametrize("q, found", [
        ("{!bool must=bees}", {"bees"}),
        (" {!bool must=bees}", {"bees"}),
        ("{!type=bool must=beetles}", set()),
        ("{!must=bees type=bool}", {"bees"}),
        ("{!bool should=bees should=butterflies}", {"bees", "butterflies"}),
        ("{!bool must=dataset must_not=bees}", {"butterflies"}),
        ("{!bool filter=dataset should=bees}", {"bees", "butterflies"}),
        ("{!bool must_not=dataset}", {"war-and-peace", "rivers"}),
        ("{!bool must='title:river' must=blind}", {"rivers"}),
        ("{!bool}", set()),
        ("{!lucene}title:peace", {"war-and-peace"}),
        ("{!lucene v='name:bees'}", {"bees"}),
        ("{!lucene q.op=OR}bees butterflies", {"bees", "butterflies"}),
        ("{!lucene q.op=AND}bees butterflies", set()),
        ("{!df=name}bees", {"bees"}),
    ])
    def test_query_parsers(self, q, found):
        results = query_for(model.Package).run({"q": q, "defType": "lucene", "fl": "id name"})
        assert {result["name"] for result in results["results"]} == found

    def test_bool_in_a_filter(self):
        assert search_count(q="*:*", fq="{!bool must=dataset must_not=butterflies}") == 1

    @pytest.mark.parametrize("q", ["{!knn f=vector topK=10}[1.0, 2.0]", "{!bool must='title:(bees'}"])
    def test_parsers_it_does_not_have_are_refused(self, app, q):
        response = api_search(app, status=409, q=q)
        assert response.json["error"]["__type"] == "Search Error"


@pytest.mark.usefixtures("catalogue")
class TestDecodedDates:
    @pytest.mark.parametrize("decode_dates, kind", [(True, dt.datetime), (False, str)])
    def test_make_connection_decodes_dates_when_asked(self, decode_dates, kind):
        connection = search_common.make_connection(decode_dates=decode_dates)
        docs = connection.search(q="name:bees", fl="name,metadata_modified").docs
        assert [doc["name"] for doc in docs] == ["bees"]
        assert isinstance(docs[0]["metadata_modified"], kind)
