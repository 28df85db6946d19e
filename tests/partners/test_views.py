"""The partner directory, the statistics page, the partner labels and the bilingual organization form."""
from __future__ import annotations

import datetime
import re

import pytest

from ckan import model
from ckan.tests import factories, helpers

from .conftest import create_partner

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
]


@pytest.fixture
def catalogue(partners):
    factories.Group(name="transport", title="Transport")
    datasets = [
        factories.Dataset(owner_org=partners["mtq"]["id"], groups=[{"name": "transport"}]),
        factories.Dataset(owner_org=partners["mtq"]["id"]),
        factories.Dataset(owner_org=partners["montreal"]["id"], groups=[{"name": "transport"}]),
        factories.Dataset(owner_org=partners["montreal"]["id"], private=True),
    ]
    # One of the ministry's datasets is two years old and was updated this year.
    old = model.Package.get(datasets[1]["id"])
    old.metadata_created = datetime.datetime.now() - datetime.timedelta(days=800)
    model.Session.commit()
    helpers.call_action("package_patch", id=old.id, notes="updated")
    return datasets


def _partner(body: str, name: str) -> str:
    """The directory entry of partner ``name``."""
    match = re.search(rf'<li class="quebec-partner[^"]*" data-partner="{name}">(.*?)</li>', body, re.S)
    assert match, name
    return match.group(1)


def _sections(body: str) -> list[str]:
    return re.findall(r'data-partner-type="([^"]*)"', body.split('quebec-partners-directory')[1])


class TestDirectory:
    @pytest.mark.ckan_config("ckan.locale_default", "fr")
    def test_both_addresses_work_in_both_languages(self, app, catalogue):
        for path, english in (("/partenaires", False), ("/fr/partenaires", False), ("/partners", False),
                              ("/en/partners", True), ("/en/partenaires", True)):
            response = app.get(path)
            assert response.status_code == 200, path
            assert ('<html lang="en"' if english else '<html lang="fr"') in response.body, path
            assert ("Organization mtq" if english else "Organisation mtq") in response.body, path
            # Links go to the address of the page's language.
            assert ('/en/partners/statistics"' if english
                    else 'partenaires/statistiques"') in response.body, path

    @pytest.mark.ckan_config("ckan.locale_default", "fr")
    def test_the_header_links_to_the_directory_in_both_languages(self, app):
        for path, link in (("/", '<a href="/partenaires">Partenaires</a>'),
                           ("/dataset/", '<a href="/partenaires">Partenaires</a>'),
                           ("/en/", '<a href="/en/partners">Partners</a>')):
            header = app.get(path).body.split("</header>")[0]
            assert link in header, path
        # The section is marked current on its own page.
        header = app.get("/partenaires").body.split("</header>")[0]
        assert re.search(r'<li class="active">\s*<a href="/partenaires">', header)

    def test_partners_grouped_by_type_then_umbrella(self, app, catalogue):
        body = app.get("/en/partners").body
        assert _sections(body)[:3] == ["ministere", "municipalite", "universite"]
        ministries = body.split('id="type-ministere"')[1].split("</section>")[0]
        assert "Under Organization gouvernement-du-quebec" in ministries
        assert 'data-partner="mtq"' in ministries
        # The umbrella has no type: it is listed with the other partners, last.
        assert 'id="type-other"' in body and body.index('id="type-other"') > body.index('id="type-universite"')

    def test_each_partner_has_its_datasets_link_and_activity(self, app, catalogue):
        body = app.get("/en/partners").body
        mtq = _partner(body, "mtq")
        assert "2 datasets" in mtq
        assert "/dataset/?organization=mtq" in mtq
        assert "last 12 months: 1 added, 1 updated" in mtq
        # The private dataset is not counted for an anonymous visitor.
        assert "1 dataset<" in _partner(body, "ville-de-montreal")

    def test_a_member_sees_the_private_datasets_counted(self, app, catalogue):
        user = factories.UserWithToken()
        helpers.call_action("organization_member_create", id="ville-de-montreal",
                            username=user["name"], role="member")
        body = app.get("/en/partners", headers={"Authorization": user["token"]}).body
        assert "2 datasets" in _partner(body, "ville-de-montreal")

    def test_filter_by_type_or_region(self, app, catalogue):
        body = app.get("/en/partners", query_string={"type": "municipalite"}).body
        assert 'data-partner="ville-de-montreal"' in body and 'data-partner="mtq"' not in body
        assert "1 of 4 partners match" in body
        body = app.get("/partenaires", query_string={"region": "03"}).body
        assert 'data-partner="mtq"' in body and 'data-partner="universite-laval"' in body
        assert 'data-partner="ville-de-montreal"' not in body

    def test_search_by_name_ignores_case_and_accents(self, app, catalogue):
        for q, found in (("montreal", "ville-de-montreal"), ("ORGANIZATION MTQ", "mtq"),
                         ("laval", "universite-laval")):
            body = app.get("/en/partners", query_string={"q": q}).body
            assert f'data-partner="{found}"' in body, q
            assert body.count('class="quebec-partner mb-3"') == 1, q
        body = app.get("/en/partners", query_string={"q": "nothing like it"}).body
        assert "No partner matches this search." in body

    def test_an_unknown_filter_is_a_400_with_a_message(self, app, catalogue):
        for param, value in (("type", "ville"), ("region", "99")):
            response = app.get("/en/partners", query_string={param: value})
            assert response.status_code == 400
            assert f": {value}" in response.body and "alert-danger" in response.body

    def test_a_title_is_escaped(self, app):
        create_partner("esperluette", title_translated={"fr": "Ville & Cie \"A\""})
        body = app.get("/partenaires").body
        assert "Ville &amp; Cie &#34;A&#34;" in body


class TestStatistics:
    def test_page_in_both_languages(self, app, catalogue):
        body = app.get("/en/partners/statistics").body
        assert "Partners by type" in body and "Government of Québec — ministry" in body
        body = app.get("/fr/partenaires/statistiques").body
        assert "Gouvernement du Québec — ministère" in body

    def test_each_chart_is_an_accessible_svg_with_a_table(self, app, catalogue):
        body = app.get("/en/partners/statistics").body
        charts = re.findall(r'<section class="quebec-chart.*?</section>', body, re.S)
        assert len(charts) == 5
        for chart in charts:
            assert 'role="img"' in chart
            title = re.search(r'<title id="([^"]+)">', chart).group(1)
            desc = re.search(r'<desc id="([^"]+)">', chart).group(1)
            assert f'aria-labelledby="{title} {desc}"' in chart
            assert "<caption>" in chart and 'th scope="col"' in chart

    def test_the_figures_are_those_of_the_action(self, app, catalogue):
        body = app.get("/en/partners/statistics").body
        by_type = body.split('id="chart-datasets-by-type"')[1].split("</section>")[0]
        table = by_type.split("<table")[1]
        assert re.search(r'<th scope="row">Government of Québec — ministry</th><td[^>]*>2</td>', table)
        by_category = body.split('id="chart-datasets-by-category"')[1].split("</section>")[0]
        assert re.search(r'<th scope="row">Transport</th><td[^>]*>2</td>', by_category)
        per_year = body.split('id="chart-partners-per-year"')[1].split("</section>")[0]
        assert re.search(r'<th scope="row">2016</th><td[^>]*>3</td>', per_year)
        assert "3 partners publish" not in body and "4 partners publish 3 datasets." in body

    def test_empty_portal(self, app):
        body = app.get("/en/partners/statistics").body
        assert "0 partners publish 0 datasets." in body and "No data yet" in body


class TestLabels:
    def test_organization_page_shows_type_umbrella_and_region(self, app, catalogue):
        body = app.get("/en/organization/mtq").body
        facts = body.split('class="quebec-partner-facts"')[1].split("</dl>")[0]
        assert "Government of Québec — ministry" in facts
        assert "/organization/gouvernement-du-quebec" in facts
        assert "Capitale-Nationale" in facts

    def test_organization_list_shows_the_type(self, app, catalogue):
        body = app.get("/fr/organization/").body
        assert "Municipalité" in body and "Société civile — université" in body
        body = app.get("/en/organization/").body
        assert "Municipality" in body and "Organization mtq" in body

    def test_dataset_page_and_search_results_show_the_publisher_type(self, app, catalogue):
        dataset = catalogue[0]
        body = app.get(f"/en/dataset/{dataset['name']}").body
        assert "Publisher type: Government of Québec — ministry" in body
        body = app.get("/en/dataset/").body
        assert body.count('quebec-publisher-type" data-partner-type="ministere"') == 2


class TestForm:
    def test_the_new_organization_form_has_an_input_per_language(self, app):
        sysadmin = factories.SysadminWithToken()
        body = app.get("/organization/new", headers={"Authorization": sysadmin["token"]}).body
        for name in ("title_translated-fr", "title_translated-en",
                     "description_translated-fr", "description_translated-en"):
            assert f'name="{name}"' in body

    def test_posting_the_form_stores_both_languages(self, app):
        sysadmin = factories.SysadminWithToken()
        response = app.post("/organization/new", headers={"Authorization": sysadmin["token"]}, data={
            "save": "", "name": "ville-de-levis",
            "title_translated-fr": "Ville de Lévis", "title_translated-en": "City of Lévis",
            "description_translated-fr": "Données de Lévis", "description_translated-en": "Lévis data",
            "partner_type": "municipalite", "region": "12",
        })
        assert response.status_code == 200
        shown = helpers.call_action("organization_show", id="ville-de-levis")
        assert shown["title_translated"] == {"fr": "Ville de Lévis", "en": "City of Lévis"}
        assert shown["title"] == "Ville de Lévis"
        assert shown["description_translated"] == {"fr": "Données de Lévis", "en": "Lévis data"}
        assert shown["partner_type"] == "municipalite" and shown["region"] == "12"

    def test_the_form_without_french_name_is_refused(self, app):
        sysadmin = factories.SysadminWithToken()
        response = app.post("/organization/new", headers={"Authorization": sysadmin["token"]}, data={
            "save": "", "name": "ville-de-levis", "title_translated-en": "City of Lévis"})
        assert "The French version is required" in response.body
        assert model.Group.get("ville-de-levis") is None
