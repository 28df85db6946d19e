"""Guides and reuses in the browser, in French and English, checked by axe.

A guide editor writes, previews and publishes a guide that readers find; a
citizen submits a reuse with an image, a publisher of its dataset approves
it, and it shows on the reuse list and the dataset page.

axe checks the page content (#content): CKAN's own header has a user link whose
aria-label differs from its text (label-content-name-mismatch), not ours to fix here.
"""
from __future__ import annotations

import os

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_guides quebec_reuses"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
]

AXE = os.path.join(os.path.dirname(__file__), "..", "viz", "vendor", "axe.min.js")
PASSWORD = "Sup3r-secret-pass"


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=AXE)
    results = page.evaluate("async () => (await axe.run(document.querySelector('#content'), {resultTypes: ['violations']}))"
                            ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, at: v.nodes.map(n => n.html.slice(0, 120))}))")
    return [f"{v['id']} ({v['impact']}, {v['nodes']} nodes: {v['at']})" for v in results
            if v["impact"] in ("serious", "critical")]


def _log_in(page, base_url: str, user: dict) -> None:
    page.goto(f"{base_url}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", PASSWORD)
    page.press("#field-password", "Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)


def test_an_editor_publishes_a_guide_that_readers_find(live_server, page, browser):
    factories.Dataset(name="velos", title="Comptages de vélos")
    editor = factories.User(password=PASSWORD)
    helpers.call_action("quebec_guide_editor_add", user=editor["name"])
    _log_in(page, live_server, editor)

    page.goto(f"{live_server}/guides/new")
    assert _axe_violations(page) == []
    page.fill("#field-name", "premiers-pas")
    for language, title, body in (("fr", "Premiers pas", "## Bienvenue\n\nUn *guide*."),
                                  ("en", "First steps", "## Welcome\n\nA *guide*.")):
        page.fill(f"#field-title_{language}", title)
        page.fill(f"#field-summary_{language}", title + ".")
        page.fill(f"#field-body_{language}", body)
    page.check("#audience-citoyens")
    page.select_option("#field-topic", "trouver")
    page.fill("#field-datasets", "velos")
    page.click("button[name=preview]")
    assert page.locator(".quebec-guide-preview h2", has_text="Bienvenue").count() == 1
    page.click("button[name=save]")
    page.wait_for_url(lambda url: url.endswith("/guides/premiers-pas"))
    page.click(".quebec-guide-actions button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/guides/premiers-pas"))
    assert page.locator(".quebec-guide-actions .badge").inner_text() == "Publié"

    reader = browser.new_context(locale="en-CA").new_page()
    for path, title, heading in (("/guides", "Premiers pas", "Bienvenue"),
                                 ("/en/guides", "First steps", "Welcome")):
        reader.goto(live_server + path)
        assert _axe_violations(reader) == [], path
        reader.click(f"a:text('{title}')")
        assert reader.locator(".quebec-guide-body h2").inner_text() == heading
        assert _axe_violations(reader) == [], path
    reader.goto(f"{live_server}/en/dataset/velos")
    assert reader.locator(".quebec-dataset-guides a").inner_text() == "First steps"
    reader.goto(f"{live_server}/guides/absent")
    assert "Guide introuvable" in reader.content()
    reader.context.close()


def test_a_citizen_submits_a_reuse_that_a_publisher_approves(live_server, page, browser, tmp_path):
    from PIL import Image

    publisher, citizen = factories.User(password=PASSWORD), factories.User(password=PASSWORD)
    organization = factories.Organization(users=[{"name": publisher["name"], "capacity": "editor"}])
    factories.Dataset(name="velos", title="Comptages de vélos", owner_org=organization["id"])
    image = tmp_path / "carte.png"
    Image.new("RGB", (1200, 600), (10, 80, 140)).save(image)
    _log_in(page, live_server, citizen)

    page.goto(f"{live_server}/reuses/new")
    assert _axe_violations(page) == []
    for language, title in (("fr", "Carte des vélos"), ("en", "Bike map")):
        page.fill(f"#field-title_{language}", title)
        page.fill(f"#field-description_{language}", title + " : comptages.")
    page.select_option("#field-reuse_type", "visualisation")
    page.fill("#field-url", "https://exemple.qc.ca/carte")
    page.fill("#field-datasets", "velos")
    page.set_input_files("#field-image_upload", str(image))
    page.click(".quebec-reuse-form button[type=submit]")
    page.wait_for_url(lambda url: "/reuses/" in url and not url.endswith("/new"))
    assert page.locator(".quebec-reuse-state").inner_text() == "En attente d'approbation"
    reuse_url = page.url

    reviewer = browser.new_context(locale="fr-CA").new_page()
    _log_in(reviewer, live_server, publisher)
    reviewer.goto(reuse_url)
    assert _axe_violations(reviewer) == []
    reviewer.click(".quebec-reuse-review button.btn-primary")
    reviewer.wait_for_url(reuse_url)
    assert reviewer.locator(".quebec-reuse-state").count() == 0
    reviewer.context.close()

    reader = browser.new_context(locale="en-CA").new_page()
    for path, type_label in (("/reuses", "Visualisation (1)"), ("/en/reuses", "Visualization (1)")):
        reader.goto(live_server + path)
        assert reader.locator(".nav-facet a", has_text=type_label).count() == 1
        assert _axe_violations(reader) == [], path
    reader.click("a:text('Bike map')")
    assert reader.locator(".quebec-reuse img").evaluate("img => img.naturalWidth") == 800
    assert _axe_violations(reader) == []
    reader.goto(f"{live_server}/en/dataset/velos")
    assert reader.locator(".quebec-dataset-reuses a").inner_text() == "Bike map"
    reader.context.close()
