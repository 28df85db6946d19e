"""A citizen suggests data, votes and comments; the organization answers; a campaign shows its results —
in a real Chromium, in French and English, every page checked by axe-core (no serious or critical violation).

axe checks the page content (#content): CKAN's own header has a user link whose aria-label differs from
its text (label-content-name-mismatch), CKAN core's to fix.
"""
from __future__ import annotations

import os

import pytest

from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_participation"),
    pytest.mark.ckan_config("ckan.locale_default", "fr"),
    pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false"),
]

AXE = os.path.join(os.path.dirname(__file__), "..", "viz", "vendor", "axe.min.js")
PASSWORD = "Sup3r-secret-pass"


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=AXE)
    results = page.evaluate(
        "async () => (await axe.run(document.querySelector('#content'), {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
    return [f"{v['id']} ({v['impact']}, {v['nodes']} nodes)" for v in results
            if v["impact"] in ("serious", "critical")]


def _log_in(page, base_url: str, user: dict) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", PASSWORD)
    page.press("#field-password", "Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)


def test_suggest_vote_comment_answer_and_campaign_in_french_and_english(live_server, page):
    org = factories.Organization(title="Ville de Laval")
    editor = factories.User(password=PASSWORD)
    helpers.call_action("organization_member_create", id=org["id"], username=editor["name"], role="editor")
    admin = factories.User(password=PASSWORD)
    helpers.call_action("organization_member_create", id=org["id"], username=admin["name"], role="admin")
    dataset = factories.Dataset(owner_org=org["id"], title="Comptages de vélos 2026")
    sysadmin = factories.Sysadmin(password=PASSWORD)
    citizen = factories.User(password=PASSWORD)
    other = helpers.call_action("quebec_suggestion_create", {"user": factories.User()["name"]},
                                title={"fr": "Collectes des ordures", "en": "Garbage collection"},
                                description={"fr": "Les **horaires** par secteur."}, category="infrastructures",
                                reason="personal", owner_org=org["id"])
    campaign = helpers.call_action("quebec_campaign_create", {"user": factories.Sysadmin()["name"]},
                                   title={"fr": "Transport", "en": "Transportation"},
                                   description={"fr": "Quelles données ouvrir d'abord?", "en": "Which data first?"},
                                   opens="2020-01-01", closes="2999-01-01", max_votes=2,
                                   candidates=[other["id"]])
    helpers.call_action("quebec_campaign_entry_create", {"user": sysadmin["name"]}, id=campaign["id"],
                        title={"fr": "Pistes cyclables", "en": "Bike paths"}, description={"fr": "Le réseau."})

    # the citizen suggests, votes and comments (French)
    _log_in(page, live_server, citizen)
    page.goto(f"{live_server}/suggestions/new?q=Comptages+de+v%C3%A9los")
    assert page.input_value("#title-fr") == "Comptages de vélos"
    page.fill("#description-fr", "Les passages par compteur, à l'heure.")
    page.select_option("#field-category", "transport")
    page.select_option("#field-reason", "research")
    page.select_option("#field-owner_org", org["name"])
    page.click("form button[type=submit]:has-text('Envoyer la suggestion')")
    page.wait_for_url(lambda url: "/suggestions/new" not in url)
    suggestion_url = page.url
    page.click("button:has-text('Voter pour cette suggestion')")
    page.wait_for_selector("text=Retirer mon vote")
    assert "1 vote" in page.inner_text(".quebec-vote-count")
    page.fill("#comment-text", "Utile pour planifier les pistes <b>cyclables</b>")
    page.click("button:has-text('Commenter')")
    page.wait_for_selector(".quebec-comment-text")
    assert "<b>cyclables</b>" in page.inner_text(".quebec-comment-text")
    page.goto(f"{live_server}/campaigns/{campaign['id']}")
    page.click(".quebec-campaign-results button[aria-label='Voter: Pistes cyclables']")
    page.wait_for_selector(".quebec-campaign-results button:has-text('Retirer mon vote')")
    assert "Pistes cyclables" in page.inner_text(".quebec-campaign-results tbody tr:first-child")

    # the facets narrow the list
    page.goto(f"{live_server}/suggestions")
    page.click(".quebec-suggestion-facet a:has-text('Transport (1)')")
    page.wait_for_selector(".quebec-suggestion-facet a[aria-current='true']")
    assert page.locator(".quebec-suggestion-item").count() == 1
    assert "Comptages de vélos" in page.inner_text(".quebec-suggestion-list")

    # the organization's editor answers
    _log_in(page, live_server, editor)
    page.goto(suggestion_url)
    page.select_option("#status-status", "forwarded")
    page.click("button:has-text(\"Changer l'état\")")
    page.wait_for_selector(".quebec-suggestion-history li:nth-child(2)")
    assert "Transmise" in page.inner_text(".quebec-suggestion-history")

    # the organization's admin publishes it with the dataset that answers it
    _log_in(page, live_server, admin)
    page.goto(suggestion_url)
    page.select_option("#status-status", "published")
    page.fill("#status-datasets", dataset["name"])
    page.click("button:has-text(\"Changer l'état\")")
    page.wait_for_selector(".quebec-suggestion-history li:nth-child(3)")
    assert "Publiée" in page.inner_text(".quebec-suggestion-history")
    assert page.locator(f"a[href$='/dataset/{dataset['name']}']").count() == 1

    # the pages as a sysadmin sees them (entry form, close and moderation forms), in French and English
    _log_in(page, live_server, sysadmin)

    problems = []
    for prefix in ("", "/en"):
        for path in ("/suggestions", "/suggestions/new", suggestion_url.replace(live_server, ""),
                     f"/organization/suggestions/{org['name']}", "/campaigns", f"/campaigns/{campaign['id']}"):
            page.goto(f"{live_server}{prefix}{path.removeprefix('/fr')}")
            assert page.locator("h1").first.inner_text().strip()
            problems += [f"{prefix}{path}: {violation}" for violation in _axe_violations(page)]

    # the sysadmin closes the campaign: no more votes, the results stay
    page.goto(f"{live_server}/campaigns/{campaign['id']}")
    page.click("button:has-text('Terminer la campagne maintenant')")
    page.wait_for_selector("text=Fermée au vote")
    assert page.locator(".quebec-campaign-results button").count() == 0
    assert "Pistes cyclables" in page.inner_text(".quebec-campaign-results tbody tr:first-child")
    page.goto(f"{live_server}/en/suggestions/{other['id']}")
    assert page.inner_text("h1") == "Garbage collection"
    assert not problems, problems
