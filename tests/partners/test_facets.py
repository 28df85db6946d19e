"""Each dataset is indexed with its publisher's type and umbrella: facets in package_search and on the search page."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]


def _facets(**params) -> dict:
    result = helpers.call_action(
        "package_search", **{"facet.field": ["partner_type", "organisation_principale"]}, **params)
    return result["facets"]


@pytest.fixture
def datasets(partners):
    return [
        factories.Dataset(owner_org=partners["mtq"]["id"]),
        factories.Dataset(owner_org=partners["mtq"]["id"]),
        factories.Dataset(owner_org=partners["montreal"]["id"]),
        factories.Dataset(owner_org=partners["ulaval"]["id"]),
        factories.Dataset(owner_org=partners["gouv"]["id"]),
    ]


def test_datasets_carry_their_publishers_type_and_umbrella(datasets):
    facets = _facets()
    assert facets["partner_type"] == {"ministere": 2, "municipalite": 1, "universite": 1}
    assert facets["organisation_principale"] == {
        "gouvernement-du-quebec": 3, "ville-de-montreal": 1, "universite-laval": 1}


def test_facets_filter(datasets):
    result = helpers.call_action("package_search", fq="partner_type:ministere")
    assert result["count"] == 2
    result = helpers.call_action("package_search", fq='organisation_principale:"gouvernement-du-quebec"')
    assert result["count"] == 3


def test_changing_an_organizations_type_changes_the_counts(datasets):
    helpers.call_action("organization_patch", id="universite-laval", partner_type="obnl",
                        organisation_principale="ville-de-montreal")
    facets = _facets()
    assert facets["partner_type"] == {"ministere": 2, "municipalite": 1, "obnl": 1}
    assert facets["organisation_principale"]["ville-de-montreal"] == 2


def test_renaming_an_umbrella_renames_it_in_the_counts(datasets):
    # Its own dataset and its ministry's carry its name; CKAN reindexes neither on Solr.
    helpers.call_action("organization_patch", id="gouvernement-du-quebec", name="gouvernement-qc")
    assert _facets()["organisation_principale"] == {
        "gouvernement-qc": 3, "ville-de-montreal": 1, "universite-laval": 1}


def test_retitling_an_organization_retitles_it_on_its_datasets(datasets):
    # On Solr, package_show and package_search answer from the index's copy of the organization.
    retitled = {"fr": "Ville de Montréal (nouveau)", "en": "City of Montréal (new)"}
    helpers.call_action("organization_patch", id="ville-de-montreal", title_translated=retitled,
                        description_translated={"fr": "Nouvelle description", "en": "New description"})
    dataset = helpers.call_action("package_show", id=datasets[2]["id"])
    assert dataset["organization"]["title"] == "Ville de Montréal (nouveau)"
    assert dataset["organization"]["description"] == "Nouvelle description"
    found = helpers.call_action("package_search", fq="organization:ville-de-montreal")["results"]
    assert [result["organization"]["title"] for result in found] == ["Ville de Montréal (nouveau)"]


def test_facets_are_declared_with_labels_in_the_search_results(datasets):
    result = helpers.call_action("package_search", **{"facet.field": '["partner_type"]'})
    items = {item["name"]: item["display_name"]
             for item in result["search_facets"]["partner_type"]["items"]}
    assert items["ministere"] == "Gouvernement du Québec — ministère"


@pytest.mark.parametrize("path, title, label", [
    ("/dataset/", "Publisher type", "Civil society — university"),
    ("/fr/dataset/", "Type de diffuseur", "Société civile — université"),
])
def test_search_page_shows_the_facets(app, datasets, path, title, label):
    body = app.get(path).body
    assert "partner_type" in body and "organisation_principale" in body
    assert label in body
    if path.startswith("/fr"):
        from .conftest import french
        assert french("Publisher type") in body
    else:
        assert title in body and "Umbrella partner" in body
