"""A visitor searches the catalogue in a browser, in French and in English, and narrows by a facet.

The suite's smoke test of dataset search: it runs on quebec_search, and on a
real Solr node in the Solr run of ``scripts/portal test`` (docs/solr.md).
"""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.partners.conftest import create_partner
from tests.schema.test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets scheming_organizations"
                                            " quebec_schema quebec_partners"),
]


def _headings(page) -> list[str]:
    return page.locator(".dataset-heading a").all_inner_texts()


@pytest.fixture
def catalogue():
    city = create_partner("ville-de-montreal", partner_type="municipalite")
    ministry = create_partner("mtq", partner_type="ministere")
    helpers.call_action("package_create", **dataset_dict(city["id"]))
    helpers.call_action("package_create", **dataset_dict(
        ministry["id"], name="stations-meteo", organisation_principale="mtq",
        title_translated={"fr": "Stations météorologiques", "en": "Weather stations"},
        notes_translated={"fr": "Les relevés des stations.", "en": "Station readings."},
        keywords={"fr": ["météo"], "en": ["weather"]}))


@pytest.mark.parametrize("language, query, found, partner_type", [
    ("fr", "cyclables", "Pistes cyclables", "municipalite"),
    ("en", "weather", "Weather stations", "ministere"),
])
def test_visitor_searches_and_narrows_by_publisher_type(live_server, page, catalogue,
                                                        language, query, found, partner_type):
    page.goto(f"{live_server}/{language}/dataset/")
    assert sorted(_headings(page)) == sorted(["Pistes cyclables", "Stations météorologiques"]
                                             if language == "fr" else ["Bike paths", "Weather stations"])

    page.fill("#field-giant-search", query)
    page.press("#field-giant-search", "Enter")
    page.wait_for_url(lambda url: "q=" in url)
    assert _headings(page) == [found]

    # A click on its publisher's type among the facets leaves it alone.
    page.goto(f"{live_server}/{language}/dataset/")
    page.click(f"a[href*='partner_type={partner_type}']")
    page.wait_for_url(lambda url: "partner_type=" in url)
    assert _headings(page) == [found]
