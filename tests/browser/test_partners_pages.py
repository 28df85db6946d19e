"""The partner directory, the statistics page and the partner labels, in a real browser, in French and English."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from tests.partners.conftest import create_partner

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_schema quebec_partners"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
]


@pytest.fixture
def partners():
    gouv = create_partner("gouvernement-du-quebec",
                          title_translated={"fr": "Gouvernement du Québec", "en": "Government of Québec"})
    mtq = create_partner("mtq", partner_type="ministere", organisation_principale="gouvernement-du-quebec",
                         region="03", date_joined="2016-04-05",
                         title_translated={"fr": "Ministère des Transports", "en": "Ministry of Transport"})
    montreal = create_partner("ville-de-montreal", partner_type="municipalite", region="06",
                              date_joined="2016-04-05",
                              title_translated={"fr": "Ville de Montréal", "en": "City of Montréal"})
    create_partner("stm", partner_type="societe-de-transport", region="06", date_joined="2017-01-01",
                   title_translated={"fr": "Société de transport de Montréal"})
    factories.Group(name="transport", title="Transport")
    factories.Dataset(owner_org=mtq["id"], groups=[{"name": "transport"}])
    factories.Dataset(owner_org=montreal["id"])
    factories.Dataset(owner_org=montreal["id"])
    return {"gouv": gouv, "mtq": mtq, "montreal": montreal}


def _listed(page) -> list[str]:
    return page.locator("li.quebec-partner").evaluate_all("items => items.map(i => i.dataset.partner)")


@pytest.mark.parametrize("path, language, municipal, region", [
    ("/partenaires", "fr", "Municipalité", "Montréal"),
    ("/en/partners", "en", "Municipality", "Montréal"),
])
def test_directory_filter_by_type_and_search(live_server, page, partners, path, language, municipal, region):
    page.goto(live_server + path)
    assert page.locator("html").get_attribute("lang") == language
    assert sorted(_listed(page)) == ["gouvernement-du-quebec", "mtq", "stm", "ville-de-montreal"]
    montreal = page.locator('li[data-partner="ville-de-montreal"]')
    assert montreal.locator("a.quebec-partner-datasets").inner_text().startswith("2 ")

    page.select_option("#partners-type", "municipalite")
    page.click(".quebec-partners-filters button[type=submit]")
    page.wait_for_url(lambda url: "type=municipalite" in url)
    assert _listed(page) == ["ville-de-montreal"]
    assert page.locator("#type-municipalite h2").inner_text().startswith(municipal)

    # The dataset link leads to the partner's datasets on the search page.
    page.click('li[data-partner="ville-de-montreal"] a.quebec-partner-datasets')
    page.wait_for_url(lambda url: "organization=ville-de-montreal" in url)
    assert page.locator("li.dataset-item").count() == 2

    page.goto(live_server + path)
    page.select_option("#partners-region", "06")
    page.fill("#partners-q", "montreal")
    page.press("#partners-q", "Enter")
    page.wait_for_url(lambda url: "q=montreal" in url)
    assert sorted(_listed(page)) == ["stm", "ville-de-montreal"]
    assert page.locator('li[data-partner="stm"] .quebec-partner-region').inner_text().endswith(region)


@pytest.mark.parametrize("path, language, ministry", [
    ("/partenaires/statistiques", "fr", "Gouvernement du Québec — ministère"),
    ("/en/partners/statistics", "en", "Government of Québec — ministry"),
])
def test_statistics_page(live_server, page, partners, path, language, ministry):
    page.goto(live_server + path)
    assert page.locator("html").get_attribute("lang") == language
    charts = page.locator("svg[role=img]")
    assert charts.count() == 5
    for index in range(5):
        chart = charts.nth(index)
        title = chart.locator("title").text_content()
        assert title and chart.bounding_box()["width"] > 200
        # The chart's accessible name is its title and description.
        assert page.get_by_role("img", name=title).count() == 1
    table = page.locator("#chart-datasets-by-type table")
    assert table.locator("caption").inner_text()
    row = table.locator("tbody tr", has=page.locator(f'th[scope=row]:text-is("{ministry}")'))
    assert row.locator("td").inner_text() == "1"
    assert page.locator("#chart-datasets-by-category th[scope=row]").all_inner_texts() == ["Transport"]


@pytest.mark.parametrize("prefix, ministry, umbrella", [
    ("", "Gouvernement du Québec — ministère", "Gouvernement du Québec"),
    ("/en", "Government of Québec — ministry", "Government of Québec"),
])
def test_organization_page_and_list_show_the_partner(live_server, page, partners, prefix, ministry, umbrella):
    page.goto(f"{live_server}{prefix}/organization/mtq")
    facts = page.locator("dl.quebec-partner-facts")
    assert facts.locator(".quebec-partner-type").inner_text() == ministry
    assert facts.locator(".quebec-partner-umbrella").inner_text() == umbrella
    assert facts.locator(".quebec-partner-region").inner_text() == "Capitale-Nationale"
    facts.locator(".quebec-partner-umbrella a").click()
    page.wait_for_url(lambda url: url.endswith("/organization/gouvernement-du-quebec"))

    page.goto(f"{live_server}{prefix}/organization/")
    item = page.locator("li.media-item", has=page.locator(f'text="{ministry}"'))
    assert item.count() == 1
