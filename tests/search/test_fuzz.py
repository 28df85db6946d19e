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
