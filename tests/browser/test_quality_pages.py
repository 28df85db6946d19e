"""The quality badge, its breakdown and the quality page in a real browser, in French and in English."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.quebec.quality.messages import translate

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "false"),
]


@pytest.fixture
def dataset():
    # The quality tables start empty: the project's clean_db empties every table.
    organization = factories.Organization()
    created = factories.Dataset(owner_org=organization["id"], name="velos", notes="Comptages",
                                license_id="cc-by", tags=[{"name": "velo"}])
    helpers.call_action("quebec_quality_run", id=created["id"], background=False)
    return created


@pytest.mark.parametrize("prefix, language", [("", "fr"), ("/en", "en")])
def test_badge_breakdown_and_checks(live_server, page, dataset, prefix, language):
    page.goto(f"{live_server}{prefix}/dataset/velos")
    assert page.locator("html").get_attribute("lang") == language
    badge = page.locator(".quebec-quality-badge").first
    assert badge.get_attribute("data-quality-level") == "faible"
    assert badge.inner_text().strip() == translate("Quality: {level}", language).format(
        level=translate("Poor", language))
    breakdown = page.locator("[data-quality-breakdown]")
    assert breakdown.locator('tr[data-dimension="findability"] td').nth(1).inner_text().strip() == "30 / 100"
    assert breakdown.locator("tr[data-dimension]").count() == 6

    page.click("a[href$='/dataset/velos/quality']")
    page.wait_for_url(lambda url: url.endswith("/dataset/velos/quality"))
    categories = page.locator('tr[data-check="categories"]')
    assert categories.get_attribute("data-passed") == "false"
    assert categories.locator("td").nth(2).inner_text().strip() == translate("Choose at least one category.",
                                                                              language)

    page.goto(f"{live_server}{prefix}/dataset/")
    assert page.locator(".quebec-quality-badge").count() == 1
