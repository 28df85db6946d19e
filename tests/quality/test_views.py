"""The badge and breakdown on the dataset page, search results, facets, the quality page and the publishers' report."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "false"),
]


@pytest.fixture
def checked():
    organization = factories.Organization()
    good = factories.Dataset(owner_org=organization["id"], notes="Description", license_id="cc-by",
                             tags=[{"name": "velo"}], author_email="a@example.org", name="bon-jeu")
    poor = factories.Dataset(owner_org=organization["id"], name="jeu-faible")
    for dataset in (good, poor):
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
    factories.Dataset(owner_org=organization["id"], name="jamais-evalue")
    return organization, good, poor


def test_dataset_page_badge_and_breakdown(app, checked):
    _organization, good, _poor = checked
    page = app.get(f"/dataset/{good['name']}", headers={"Accept-Language": "en"}).body
    assert 'data-quality-level="faible"' in page
    assert "Quality: Poor" in page
    assert 'data-dimension="findability"' in page
    assert f'/dataset/{good["name"]}/quality' in page


def test_quality_page_lists_checks_with_hints(app, checked):
    _organization, good, _poor = checked
    page = app.get(f"/dataset/{good['name']}/quality").body
    assert 'data-check="categories" data-passed="false"' in page
    assert "Choose at least one category." in page
    assert 'data-check="keywords" data-passed="true"' in page
    assert 'data-criterion="identifiant_unique" data-passed="false"' in page


def test_quality_page_of_a_private_dataset_is_hidden(app):
    organization = factories.Organization()
    dataset = factories.Dataset(owner_org=organization["id"], private=True)
    assert app.get(f"/dataset/{dataset['name']}/quality").status_code == 404
    assert app.get("/dataset/no-such/quality").status_code == 404


def test_search_results_facets_and_sort(app, checked):
    _organization, good, poor = checked
    page = app.get("/dataset/").body
    assert page.count("quebec-quality-badge") == 2
    assert "quality_level" in page
    found = helpers.call_action("package_search", sort="quality_sort desc", q="*:*")
    assert [d["name"] for d in found["results"]] == ["bon-jeu", "jeu-faible", "jamais-evalue"]


def test_publishers_report_worst_first(app, checked):
    organization, _good, _poor = checked
    page = app.get(f"/organization/{organization['name']}/quality").body
    positions = [page.index(f'data-dataset="{name}"') for name in ("jamais-evalue", "jeu-faible", "bon-jeu")]
    assert positions == sorted(positions)
    assert 'data-level="faible"' in page


def test_quality_is_a_sort_option_and_sorts(app, checked):
    page = app.get("/dataset/?sort=quality_sort+desc").body
    assert '<option value="quality_sort desc" selected="selected">' in page
    assert page.index("/dataset/bon-jeu") < page.index("/dataset/jeu-faible") < page.index("/dataset/jamais-evalue")


def test_organization_page_links_to_the_report(app, checked):
    organization, _good, _poor = checked
    page = app.get(f"/organization/{organization['name']}").body
    assert f'/organization/{organization["name"]}/quality' in page
