"""Facets on the schema's choice fields, labelled in the visitor's language (API and search page)."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers as th

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]

FACETS = ["categories", "territories", "update_frequency", "language", "res_type", "res_format",
          "groups", "license_id"]
URL = "/api/3/action/package_search"


@pytest.fixture
def datasets(with_plugins, clean_db):
    org = factories.Organization()
    factories.Group(name="transport", title="Transport")
    th.call_action("package_create", **dataset_dict(
        org["id"], name="pistes", territories=["municipalite-quebec"]))
    th.call_action("package_create", **dataset_dict(
        org["id"], name="budget", categories=["gouvernement-finances", "transport"],
        update_frequency="asNeeded", language="FR"))


def _facets(app, prefix: str) -> dict[str, dict[str, tuple[str, int]]]:
    response = app.post(prefix + URL, json={"facet.field": FACETS, "rows": 0})
    assert response.status_code == 200
    return {field: {item["name"]: (item["display_name"], item["count"]) for item in facet["items"]}
            for field, facet in response.json["result"]["search_facets"].items()}


@pytest.mark.usefixtures("datasets")
def test_api_facets_in_french(app):
    facets = _facets(app, "/fr")
    assert facets["categories"] == {
        "transport": ("Transport", 2), "gouvernement-finances": ("Gouvernement et finances", 1)}
    assert facets["update_frequency"] == {
        "annual": ("Annuelle", 1), "asNeeded": ("Au besoin", 1)}
    assert facets["language"] == {"FR_EN": ("Français et anglais", 1), "FR": ("Français", 1)}
    assert facets["res_type"] == {"donnees": ("Données", 2)}
    assert facets["territories"]["municipalite-quebec"] == ("Québec (ville)", 1)
    assert facets["territories"]["region-capitale-nationale"] == ("Capitale-Nationale (région)", 1)
    assert facets["res_format"] == {"CSV": ("CSV", 2)}
    # the category groups are the categories (see test_categories_groups.py)
    assert facets["groups"] == {"transport": ("Transport", 2)}


@pytest.mark.usefixtures("datasets")
def test_api_facets_in_english(app):
    facets = _facets(app, "/en")
    assert facets["categories"]["gouvernement-finances"] == ("Government and finance", 1)
    assert facets["categories"]["transport"] == ("Transportation", 2)
    assert facets["groups"]["transport"] == ("Transportation", 2)
    assert facets["update_frequency"]["asNeeded"] == ("As needed", 1)
    assert facets["language"]["FR_EN"] == ("French and English", 1)
    assert facets["res_type"]["donnees"] == ("Data", 2)
    assert facets["territories"]["municipalite-quebec"] == ("Québec City", 1)
    assert facets["license_id"]["cc-by"][0] == "Creative Commons Attribution 4.0 International (CC BY 4.0)"


def test_an_unknown_value_keeps_its_name(app):
    org = factories.Organization()
    th.call_action("package_create", **dataset_dict(org["id"]))
    result = th.call_action("package_search", **{"facet.field": ["name"]})
    assert result["search_facets"]["name"]["items"] == [
        {"name": "pistes-cyclables", "display_name": "pistes-cyclables", "count": 1}]


@pytest.mark.usefixtures("datasets")
@pytest.mark.parametrize("prefix, titles, labels", [
    ("/fr", ["Catégories", "Territoires", "Fréquence de mise à jour", "Langue des données",
             "Type de ressource"], ["Gouvernement et finances", "Au besoin", "Capitale-Nationale (région)"]),
    ("/en", ["Categories", "Territories", "Update frequency", "Data language", "Resource type"],
     ["Government and finance", "As needed", "Capitale-Nationale (region)"]),
])
def test_search_page_facets(app, prefix, titles, labels):
    page = app.get(prefix + "/dataset/").body
    positions = [page.find(title) for title in titles]
    assert -1 not in positions, (titles, positions)
    for label in labels:
        assert label in page
    # categories take the place of the groups facet; the schema's keywords, of tags
    assert 'href="' + prefix + '/dataset/?groups=' not in page
    assert "/dataset/?categories=transport" in page


@pytest.mark.usefixtures("datasets")
def test_a_facet_filters_the_search_page(app):
    page = app.get("/en/dataset/", query_string={"update_frequency": "asNeeded"}).body
    assert "/dataset/budget" in page and "/dataset/pistes" not in page
