"""An organization or category known only in French, on the English pages that name it: shown with
the visible "(in French)" marker and lang="fr", and named so in page titles and accessible names
(issue 22, item 3)."""
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

MARKED = r'<span(?: class="item-label")? lang="fr">{name}</span> <span class="quebec-fallback[^>]*>\(in French\)</span>'


def _marked(name: str, html: str) -> int:
    """How many times ``name`` is shown in French with the visible marker in ``html``."""
    return len(re.findall(MARKED.format(name=re.escape(name)), html))


def _part(body: str, pattern: str) -> str:
    return re.search(pattern, body, re.S).group(1)


def _title(body: str) -> str:
    return _part(body, r"<title>\s*(.*?)\s*</title>")


def _breadcrumb(body: str) -> str:
    return _part(body, r'<ol class="breadcrumb">(.*?)</ol>')


@pytest.fixture
def french_only(small_catalogue):  # noqa: F811
    """The Laval libraries, their organization named in French only, in a group that is no category."""
    from ckanext.quebec.demo import loader

    loader.load(small_catalogue("bibliotheques"))
    user = {"user": helpers.call_action("get_site_user")["name"]}
    helpers.call_action("organization_patch", user, id="ville-de-laval", title_translated={"fr": "Ville de Laval"})
    helpers.call_action("group_create", user, name="quartiers", title="Quartiers", description="Les quartiers.")
    helpers.call_action("member_create", user, id="quartiers", object="bibliotheques", object_type="package",
                        capacity="public")


def test_an_organization_known_only_in_french_is_marked_on_english_pages(app, french_only):
    name = "Ville de Laval"
    page = app.get("/en/organization/ville-de-laval").body
    assert _title(page).startswith(f"{name} (in French) ")
    breadcrumb = _breadcrumb(page)
    assert _marked(name, breadcrumb) == 1 and f'title="{name} (in French)"' in breadcrumb
    assert re.search(r'<h2 class="heading">' + MARKED.format(name=name), page)  # the sidebar box
    # the category that is no category of the vocabulary, in the page's facets
    assert _marked("Quartiers", page) == 1
    # the list of organizations: the heading and the link's accessible name
    listing = app.get("/en/organization/").body
    assert re.search(r'<h2 class="media-heading">' + MARKED.format(name=name), listing)
    assert 'aria-label="Open details page for Ville de Laval (in French)"' in listing
    # and its description, written in French only, in the sidebar and the list
    described = r'<p class="{}"><span lang="fr">Données ouvertes de la Ville de Laval[^<]*</span>\s*' \
        r'<span class="quebec-fallback[^>]*>\(in French\)</span>'
    assert re.search(described.format("description"), page)
    assert re.search(described.format("media-description"), listing)
    # the dataset's page: its breadcrumb and its organization box
    dataset = app.get("/en/dataset/bibliotheques").body
    assert _marked(name, _breadcrumb(dataset)) == 1 and f'title="{name} (in French)"' in _breadcrumb(dataset)
    assert re.search(r'<h2 class="heading">' + MARKED.format(name=name), dataset)
    resource = helpers.call_action("package_show", id="bibliotheques")["resources"][0]["id"]
    assert _marked(name, _breadcrumb(app.get(f"/en/dataset/bibliotheques/resource/{resource}").body)) == 1
    # the search page: the publisher's and umbrella partner's facets, the applied filter and its remove button
    search = app.get("/en/dataset/?organization=ville-de-laval").body
    assert _marked(name, search.split('class="filter-list"')[1].split("</p>")[0]) == 1
    assert 'aria-label="Remove applied filter: Ville de Laval (in French)"' in search
    facets = app.get("/en/dataset/").body
    assert len(re.findall(r'\?(organization|organisation_principale)=ville-de-laval">\s*' + MARKED.format(name=name),
                          facets)) == 2
    # French pages: no marker
    assert "quebec-fallback" not in app.get("/organization/ville-de-laval").body
    assert "(in French)" not in _title(app.get("/organization/ville-de-laval").body)


def test_a_category_known_only_in_french_is_marked_on_english_pages(app, french_only):
    name = "Quartiers"
    page = app.get("/en/group/quartiers").body
    assert _title(page).startswith(f"{name} (in French) ")
    assert _marked(name, _breadcrumb(page)) == 1
    assert re.search(r'<h2 class="heading">\s*' + MARKED.format(name=name), page)
    about = app.get("/en/group/about/quartiers").body
    assert re.search(r"<h1>" + MARKED.format(name=name) + "</h1>", about)
    assert '<div lang="fr"><p>Les quartiers.</p></div>' in about
    for path in ("/en/group/", "/en/dataset/groups/bibliotheques"):
        listing = app.get(path).body
        assert re.search(r'<h2 class="media-heading">' + MARKED.format(name=name), listing), path
        assert re.search(r'<p class="media-description">' + MARKED.format(name="Les quartiers."), listing), path
        assert 'aria-label="Open details page for Quartiers (in French)"' in listing, path
    # a category of the vocabulary has its English label, unmarked
    assert "Society and culture" in app.get("/en/group/").body
    assert "quebec-fallback" not in app.get("/group/quartiers").body
