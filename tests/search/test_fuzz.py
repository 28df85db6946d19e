"""Random searches: package_search answers or refuses, never fails.

Hypothesis throws query strings and parameters at package_search through the
action layer and through the API; the only acceptable failures are CKAN's own
(ValidationError, SearchError, and their HTTP 400/409 answers).
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError
from ckan.tests import factories, helpers

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "quebec_search")]

FIELDS = ["name", "title", "text", "tags", "res_format", "extras_theme", "metadata_modified",
          "release_date", "views_total", "title_translated_fr", "keywords_en", "score",
          "organization", "id", "*", "nämé", "a b", "'", ""]
SYNTAX = ["AND", "OR", "NOT", "&&", "||", "!", "+", "-", "(", ")", '"', ":", "*", "?",
          "[", "]", "{", "}", " TO ", "^2", "~", "\\", "/", "{!tag=x}", "NOW-1DAY",
          "NOW/DAY", "2020-01-01T00:00:00Z", "*:*", " ", "'", ";", "--", "%", "_", "\x00",
          "vélo", "données", "bridges", "1e400", "-9999999999999999999999"]
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
QUERY_TEXT = st.lists(
    st.one_of(st.sampled_from(SYNTAX), st.sampled_from(FIELDS).map(lambda f: f + ":"), WORDS),
    max_size=12).map("".join)
SORT = st.one_of(
    st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(["asc", "desc", "up", ""])),
             max_size=3).map(lambda keys: ", ".join(f"{f} {d}" for f, d in keys)),
    WORDS)
NUMBER = st.one_of(st.integers(min_value=-10, max_value=2_000_000), WORDS)
# Blank values included: quebec_search's package_search takes them as not
# given (CKAN's natural_number_validator alone fails on them with a 500).
NATURAL_NUMBER = st.one_of(NUMBER, st.sampled_from(["", " "]))
MM = st.one_of(st.sampled_from(["2<-1 5<80%", "1", "-1", "75%", "-25%", "3<90%", "x", "2<",
                                "<", "%", "1.5", "99999999999999999999"]), WORDS)
PARAMS = st.fixed_dictionaries({}, optional={
    "q": QUERY_TEXT,
    "fq": QUERY_TEXT,
    "sort": SORT,
    "rows": NUMBER,
    "start": NATURAL_NUMBER,
    "facet.field": st.one_of(st.lists(st.sampled_from(FIELDS), max_size=4).map(json.dumps),
                             WORDS),
    "facet.limit": NUMBER,
    "facet.mincount": NATURAL_NUMBER,
    "defType": st.sampled_from(["dismax", "edismax", "lucene", "", "x"]),
    "qf": st.one_of(st.lists(st.sampled_from(FIELDS), max_size=3).map(
        lambda names: " ".join(f"{n}^2" for n in names)), WORDS),
    "mm": MM,
})
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="class")
def catalogue(shared_db):
    factories.Dataset(name="velos", title="Vélos", notes="Données des vélos.",
                      tags=[{"name": "vélo"}],
                      extras=[{"key": "theme", "value": "transport"},
                              {"key": "title_translated_en", "value": "Bridges"},
                              {"key": "release_date", "value": "2020-01-01T00:00:00Z"}])
    factories.Dataset(name="ponts", title="Ponts",
                      resources=[{"url": "http://example.com/p.csv", "format": "CSV"}])


@pytest.mark.usefixtures("catalogue")
class TestRandomSearches:
    @FUZZ
    @given(params=PARAMS)
    def test_action_answers_or_refuses(self, params):
        try:
            result = helpers.call_action("package_search", **params)
        except (tk.ValidationError, SearchError):
            return
        assert result["count"] >= len(result["results"])

    @FUZZ
    @given(params=PARAMS)
    def test_api_never_fails(self, app, params):
        response = app.get("/api/3/action/package_search", query_string=params)
        assert response.status_code in (200, 400, 409), response.body[:500]


BOOLEAN = st.one_of(st.sampled_from(["true", "false", "True", "0", "1", "yes", "off", "abc", "",
                                     " ", "\x00"]), WORDS)
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), WORDS),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(WORDS, inner, max_size=2)),
    max_leaves=4)
# Every parameter package_search reads, with the values people and robots send.
ALL_PARAMS = PARAMS.flatmap(lambda base: st.fixed_dictionaries({}, optional={
    "include_private": BOOLEAN,
    "include_drafts": BOOLEAN,
    "include_deleted": BOOLEAN,
    "use_default_schema": BOOLEAN,
    "fl": st.one_of(st.sampled_from(FIELDS), WORDS, st.sampled_from(["id name", "x\x00"])),
    "facet": st.sampled_from(["true", "false", "abc", ""]),
    "facet.sort": st.sampled_from(["count", "index", "x", ""]),
    "ext_bbox": st.sampled_from(["-80,45,-70,50", "x", "1,2,3", "", "\x00"]),
}).map(lambda extra: {**base, **extra}))
# The same names sent as JSON by POST, with values of any JSON type.
JSON_PARAMS = st.dictionaries(
    st.sampled_from(["q", "fq", "sort", "rows", "start", "facet.field", "facet.limit",
                     "facet.mincount", "include_private", "include_drafts", "include_deleted",
                     "use_default_schema", "fl", "defType", "qf", "mm", "fq_list"]),
    ANY_JSON, max_size=5)


@pytest.mark.usefixtures("catalogue")
class TestEveryParameter:
    """Every parameter, anonymous and as a sysadmin: an answer or CKAN's 400/409."""

    @pytest.fixture(scope="class")
    def sysadmin(self, catalogue):
        return factories.SysadminWithToken()

    @FUZZ
    @given(params=ALL_PARAMS, as_sysadmin=st.booleans())
    def test_api_get_never_fails(self, app, sysadmin, params, as_sysadmin):
        headers = {"Authorization": sysadmin["token"]} if as_sysadmin else {}
        response = app.get("/api/3/action/package_search", query_string=params,
                           headers=headers)
        assert response.status_code in (200, 400, 409), (params, response.body[:500])

    @FUZZ
    @given(params=JSON_PARAMS, as_sysadmin=st.booleans())
    def test_api_post_never_fails(self, app, sysadmin, params, as_sysadmin):
        headers = {"Authorization": sysadmin["token"]} if as_sysadmin else {}
        response = app.post("/api/3/action/package_search", json=params, headers=headers)
        assert response.status_code in (200, 400, 409), (params, response.body[:500])

    @pytest.mark.parametrize("params", [
        {"include_drafts": "abc"}, {"include_private": "abc"}, {"include_deleted": "abc"},
        {"use_default_schema": "abc"}, {"rows": "x"}, {"start": "x"}, {"facet.limit": "x"},
        {"fq": 'name:"ponts'}, {"fq": "(name:ponts"}, {"q": "pon\x00ts"}, {"fq": "name:\x00"},
        {"fl": "id\x00"}, {"sort": "name\x00 asc"},
    ])
    def test_known_bad_values_are_refused_with_a_409(self, app, sysadmin, params):
        for headers in ({}, {"Authorization": sysadmin["token"]}):
            response = app.get("/api/3/action/package_search", query_string=params,
                               headers=headers, status=409)
            assert response.json["error"]["__type"] in ("Validation Error", "Search Error")

    def test_a_bad_boolean_names_the_parameter(self, app):
        response = app.get("/api/3/action/package_search",
                           query_string={"include_drafts": "abc"}, status=409)
        assert response.json["error"]["include_drafts"] == ["Must be true or false"]

    def test_junk_sort_is_ckans_400(self, app):
        app.get("/api/3/action/package_search", query_string={"sort": "junk"}, status=400)
