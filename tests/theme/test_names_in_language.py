"""Categories and organizations in the visitor's language on every page that names them (issue 22, item 3)."""
from __future__ import annotations

import re

import pytest

from ckan.tests import helpers

from tests.browser.test_theme_pages import SERVED
from tests.demo.conftest import small_catalogue  # noqa: F401 (fixture)
from tests.security.conftest import activity_tables  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "activity_tables"),
    pytest.mark.ckan_config("ckan.plugins", SERVED),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
]


def _title(body: str) -> str:
    return re.search(r"<title>\s*(.*?)\s*</title>", body, re.S).group(1)


def _breadcrumb(body: str) -> str:
    return re.search(r'<ol class="breadcrumb">(.*?)</ol>', body, re.S).group(1)


def test_english_pages_name_datasets_organizations_and_categories_in_english(app, small_catalogue):  # noqa: F811
    from ckanext.quebec.demo import loader

    loader.load(small_catalogue("bornes-de-recharge", "bibliotheques", "operations-de-deneigement",
                                "comptages-velos"))
    # a machine-translated dataset: its English title in the page title and the breadcrumb
    page = app.get("/en/dataset/bibliotheques").body
    assert _title(page).startswith("Laval libraries")
    assert "Laval libraries" in _breadcrumb(page) and "City of Laval" in _breadcrumb(page)
    assert "Bibliothèques de Laval" not in _breadcrumb(page) + _title(page)
    # and on its resource pages (the preview's heading names the dataset)
    resource = helpers.call_action("package_show", id="bibliotheques")["resources"][0]
    preview = app.get(f"/en/dataset/bibliotheques/resource/{resource['id']}").body
    assert "Laval libraries" in _title(preview) and "Laval libraries" in _breadcrumb(preview)
    assert "Bibliothèques de Laval" not in preview.split("<body", 1)[1].split("application/ld+json")[0]
    # French pages stay French
    assert _title(app.get("/dataset/bibliotheques").body).startswith("Bibliothèques de Laval")
    # an organization: its English title in its pages' titles, headings and breadcrumbs
    organization = app.get("/en/organization/ville-de-laval").body
    assert _title(organization).startswith("City of Laval")
    assert "City of Laval" in _breadcrumb(organization) and "Ville de Laval" not in _breadcrumb(organization)
    # a category: its English label, and its French description marked as French
    category = app.get("/en/group/societe-culture").body
    assert _title(category).startswith("Society and culture")
    assert "Society and culture" in _breadcrumb(category)
    assert "Société et culture" not in category.split("<body", 1)[1]
    assert re.search(r"<span lang=\"fr\">[^<]+</span>\s*<span class=\"quebec-fallback[^>]*>\(in French\)", category)
    # lists: headings and the links' accessible names; the dataset page's organization box
    categories = app.get("/en/group/").body
    assert "Open details page for Society and culture" in categories and "Société et culture" not in categories
    organizations = app.get("/en/organization/").body
    assert 'aria-label="Open details page for City of Laval"' in organizations
    assert "Open details page for Ville de Laval" not in organizations
    assert re.search(r'<h2 class="heading">\s*City of Laval', page)
    # the search page's organization facets (the publisher and the umbrella partner)
    search = app.get("/en/dataset/").body
    labels = re.findall(r'\?(organization|organisation_principale)=ville-de-laval">\s*<span class="item-label">([^<]+)<', search)
    assert sorted(labels) == [("organisation_principale", "City of Laval"), ("organization", "City of Laval")]
