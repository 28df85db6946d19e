"""Search results and resource pages in the visitor's language, with the fallback and
machine-translation markers; territories shown by their labels."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers as th

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]


@pytest.fixture
def bilingual(with_plugins, clean_db):
    org = factories.Organization()
    return th.call_action("package_create", **dataset_dict(
        org["id"], territories=["municipalite-quebec"]))


@pytest.fixture
def french_only(with_plugins, clean_db):
    org = factories.Organization()
    return th.call_action("package_create", **dataset_dict(
        org["id"], name="zones", title_translated={"fr": "Zones inondables", "en-t-fr": "Flood zones"},
        notes_translated={"fr": "Les zones **inondables** du Québec."},
        resources=[{"url": "https://e.ca/z.csv", "resource_type": "donnees",
                    "name_translated": {"fr": "Zones (CSV)", "en-t-fr": "Zones (CSV file)"},
                    "description_translated": {"fr": "Une zone par ligne."}}]))


def test_search_results_show_the_english_description(app, bilingual):
    page = app.get("/en/dataset/").body
    assert '<span class="quebec-translated" lang="en">The bike network.</span>' in page
    assert "Le réseau" not in page
    page = app.get("/fr/dataset/").body
    assert '<span class="quebec-translated" lang="fr">Le réseau cyclable.</span>' in page


def test_search_results_mark_a_french_description(app, french_only):
    page = app.get("/en/dataset/").body
    assert ('<span class="quebec-translated" lang="fr">Les zones inondables du Québec.</span>'
            in page)
    assert "(in French)" in page


def test_resource_page_in_english(app, bilingual):
    resource = bilingual["resources"][0]
    page = app.get(f"/en/dataset/pistes-cyclables/resource/{resource['id']}").body
    assert '<span class="quebec-translated" lang="en">Paths (CSV)</span>' in page
    # the description is French only: shown in French, marked
    assert '<div class="quebec-translated" lang="fr"><p>Une ligne par tronçon.</p>' in page
    assert "(in French)" in page


def test_resource_page_marks_machine_translation(app, french_only):
    resource = french_only["resources"][0]
    page = app.get(f"/en/dataset/zones/resource/{resource['id']}").body
    assert '<span class="quebec-translated" lang="en">Zones (CSV file)</span>' in page
    assert "(machine translation)" in page
    page = app.get(f"/fr/dataset/zones/resource/{resource['id']}").body
    assert '<span class="quebec-translated" lang="fr">Zones (CSV)</span>' in page
    assert "(traduction automatique)" not in page and "(machine translation)" not in page


def test_dataset_page_lists_resources_in_the_visitor_language(app, french_only):
    page = app.get("/en/dataset/zones").body
    assert '<span class="quebec-translated" lang="en">Zones (CSV file)</span>' in page
    assert '<span class="quebec-translated" lang="fr">Une zone par ligne.</span>' in page


@pytest.mark.parametrize("prefix, label", [("/fr", "Québec (ville)"), ("/en", "Québec City")])
def test_dataset_page_shows_territory_labels(app, bilingual, prefix, label):
    page = app.get(f"{prefix}/dataset/pistes-cyclables").body
    assert label in page


def test_the_umbrella_partner_is_shown_by_its_title_and_linked(app):
    umbrella = factories.Organization(name="gouvernement-du-quebec", title="Gouvernement du Québec")
    org = factories.Organization()
    th.call_action("package_create", **dataset_dict(
        org["id"], name="parapluie", organisation_principale="gouvernement-du-quebec"))
    th.call_action("package_create", **dataset_dict(
        org["id"], name="inconnu", organisation_principale="partenaire-inconnu"))

    page = app.get("/en/dataset/parapluie").body
    assert f'<a href="/en/organization/{umbrella["name"]}">Gouvernement du Québec</a>' in page
    # a name that matches no organization is shown as it is, escaped, unlinked
    page = app.get("/en/dataset/inconnu").body
    assert "partenaire-inconnu" in page
    assert "/organization/partenaire-inconnu" not in page
