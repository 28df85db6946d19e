"""quebec_search's package_search: a blank start, rows or facet.mincount is not a 500."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search"),
]


@pytest.mark.parametrize("parameter", ["start", "rows", "facet.mincount"])
@pytest.mark.parametrize("blank", ["", "  "])
def test_blank_number_is_taken_as_not_given(parameter, blank):
    factories.Dataset(title="Patinoires")
    result = helpers.call_action("package_search", q="patinoires", **{parameter: blank})
    assert result["count"] == 1


@pytest.mark.parametrize("parameter", ["start", "rows", "facet.mincount"])
@pytest.mark.parametrize("blank", ["", " "])
def test_blank_number_through_the_api(app, parameter, blank):
    factories.Dataset(title="Patinoires")
    # " " is the blank the API fuzz test found for rows on CKAN 2.11.
    response = app.get("/api/3/action/package_search",
                       query_string={"q": "patinoires", parameter: blank})
    assert response.status_code == 200
    assert response.json["result"]["count"] == 1


def test_a_negative_start_is_still_refused(app):
    response = app.get("/api/3/action/package_search", query_string={"start": "-1"},
                       status=409)
    assert "start" in response.json["error"]
