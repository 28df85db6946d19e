"""The suggestion pages in French and English: list with filters and sorts, a suggestion, the form, an organization's list."""
from __future__ import annotations

import csv
import io

import pytest

from ckan.tests import factories, helpers

from .conftest import PLUGINS, a_suggestion

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false")]


def _headers(user: dict) -> dict:
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def test_the_list_filters_and_sorts_in_both_languages(app, people):
    a_suggestion(people["outsider"], title={"fr": "Débits des rivières", "en": "River flows"},
                 category="environnement-ressources-naturelles-energie")
    a_suggestion(people["outsider"], title={"fr": "Menus des cantines"})
    page = app.get("/fr/suggestions", query_string={"category": "environnement-ressources-naturelles-energie",
                                                  "sort": "activity"})
    assert "Débits des rivières" in page.body and "Menus des cantines" not in page.body
    assert "Suggestions de données" in page.body
    english = app.get("/en/suggestions")
    assert "River flows" in english.body and "Data suggestions" in english.body
    bad = app.get("/fr/suggestions", query_string={"status": "lost", "page": "x"}, status=400)
    assert "Valeur inconnue" in bad.body
    bad = app.get("/en/suggestions", query_string={"category": "<script>", "organization": "nowhere"}, status=400)
    assert "Unknown value: &lt;script&gt;" in bad.body and "Organization not found" in bad.body
    assert "Unknown value: <script>" not in bad.body


def test_the_list_shows_facets_with_counts_that_filter(app, people):
    org = factories.Organization(title="Ville <b>de</b> Laval")
    a_suggestion(people["outsider"], owner_org=org["id"], category="sante", title={"fr": "Urgences"})
    a_suggestion(people["outsider"], title={"fr": "Traversiers"})
    page = app.get("/fr/suggestions")
    assert page.body.count('class="module module-narrow module-shallow quebec-suggestion-facet"') == 3
    assert "Santé (1)" in page.body and "Transport (1)" in page.body and "Proposée (2)" in page.body
    assert "Ville &lt;b&gt;de&lt;/b&gt; Laval (1)" in page.body and "<b>de</b>" not in page.body
    assert f"/fr/suggestions?organization={org['name']}" in page.body
    filtered = app.get("/en/suggestions", query_string={"category": "sante", "q": "urgences"})
    assert "Urgences" in filtered.body and "Traversiers" not in filtered.body
    assert "Health (1)" in filtered.body and "Transportation (1)" not in filtered.body
    assert 'aria-current="true"' in filtered.body and "Remove this filter" in filtered.body
    assert '<input type="hidden" name="category" value="sante">' in filtered.body


def test_a_citizen_suggests_votes_and_comments_through_the_forms(app, people):
    headers = _headers(people["outsider"])
    form = app.get("/fr/suggestions/new", query_string={"q": "vélos"}, headers=headers)
    assert 'value="vélos"' in form.body
    refused = app.post("/fr/suggestions/new", data={"title-fr": "", "category": "transport", "reason": "other"},
                       headers=headers, status=400)
    assert 'id="error-title"' in refused.body and 'id="error-description"' in refused.body
    app.post("/suggestions/new", data={
        "title-en": "Bike counts", "description-en": "Hourly <script>alert(1)</script>",
        "category": "transport", "reason": "research"}, headers=headers, status=400)
    response = app.post("/suggestions/new", data={
        "title-en": "Bike counts", "description-en": "Hourly, by counter", "category": "transport",
        "reason": "research", "territories": "region-montreal", "owner_org": people["org"]["name"]},
        headers=headers, follow_redirects=False)
    assert response.status_code == 302
    suggestion_id = response.headers["Location"].rstrip("/").split("/")[-1]
    app.post(f"/suggestions/{suggestion_id}/vote", headers=headers)
    app.post(f"/suggestions/{suggestion_id}/comment", data={"text": "<img src=x onerror=alert(1)>"},
             headers=headers)
    page = app.get(f"/en/suggestions/{suggestion_id}", headers=headers)
    assert "Bike counts" in page.body and "1 vote" in page.body and "Withdraw my vote" in page.body
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.body and "<img src=x" not in page.body
    assert "Answer the suggestion" not in page.body


def test_the_organization_answers_from_the_suggestion_page(app, people):
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    headers = _headers(people["editor"])
    page = app.get(f"/fr/suggestions/{suggestion['id']}", headers=headers)
    assert "Répondre à la suggestion" in page.body
    app.post(f"/suggestions/{suggestion['id']}/status", data={"status": "forwarded"}, headers=headers)
    app.post(f"/suggestions/{suggestion['id']}/status", data={"status": "refused"}, headers=headers)
    shown = helpers.call_action("quebec_suggestion_show", id=suggestion["id"])
    assert shown["status"] == "forwarded"  # a refusal needs its reason
    app.post(f"/suggestions/{suggestion['id']}/status", data={
        "status": "refused", "answer-fr": "Données nominatives"}, headers=headers)
    page = app.get(f"/fr/suggestions/{suggestion['id']}")
    assert "Refusée" in page.body and "Données nominatives" in page.body
    listing = app.get(f"/en/organization/suggestions/{people['org']['name']}")
    assert "Answered (1)" in listing.body and "To answer (0)" in listing.body


def test_a_sysadmin_hides_and_others_get_a_404(app, people):
    suggestion = a_suggestion(people["outsider"])
    app.post(f"/suggestions/{suggestion['id']}/moderate", data={"hidden": "true", "reason": "Insultes"},
             headers=_headers(people["sysadmin"]))
    app.get(f"/suggestions/{suggestion['id']}", status=404)
    page = app.get(f"/suggestions/{suggestion['id']}", headers=_headers(people["sysadmin"]))
    assert "Insultes" in page.body


def test_a_campaign_page_and_its_csv(app, people):
    candidates = [a_suggestion(people["outsider"], title={"fr": "=HYPERLINK(\"http://x\")", "en": "Formula"}),
                  a_suggestion(people["outsider"], title={"fr": "Horaires", "en": "Timetables"})]
    campaign = helpers.call_action("quebec_campaign_create", {"user": people["sysadmin"]["name"]},
                                   title={"fr": "Transport"}, description={"fr": "Priorités"},
                                   opens="2020-01-01", closes="2999-01-01", max_votes=1,
                                   candidates=[c["id"] for c in candidates])
    headers = _headers(people["member"])
    app.post(f"/campaigns/{campaign['id']}/vote", data={"suggestion_id": candidates[1]["id"]}, headers=headers)
    app.post(f"/campaigns/{campaign['id']}/vote", data={"suggestion_id": candidates[0]["id"]}, headers=headers)
    page = app.get(f"/fr/campaigns/{campaign['id']}", headers=headers)
    assert "Il vous reste 0 vote." in page.body and "Résultats" in page.body
    csv_text = app.get(f"/campaigns/{campaign['id']}/results.csv").body
    assert csv_text.splitlines()[:3] == [
        "rank,kind,title_fr,title_en,votes,status,organization,answer_fr,answer_en",
        "1,suggestion,Horaires,Timetables,1,proposed,,,",
        "2,suggestion,\"'=HYPERLINK(\"\"http://x\"\")\",Formula,0,proposed,,,"]
    assert "Transport" in app.get("/fr/campaigns").body
    app.get("/campaigns/no-such-campaign", status=404)


def test_a_sysadmin_adds_an_entry_that_is_voted_for_and_shown_with_the_organizations_answers(app, people):
    answered = a_suggestion(people["outsider"], owner_org=people["org"]["id"], title={"fr": "Horaires"})
    for status, extra in (("forwarded", {}), ("refused", {"answer": {"fr": "Données <b>nominatives</b>",
                                                                       "en": "Personal data"}})):
        helpers.call_action("quebec_suggestion_update_status", {"user": people["editor"]["name"]},
                            id=answered["id"], status=status, **extra)
    campaign = helpers.call_action("quebec_campaign_create", {"user": people["sysadmin"]["name"]},
                                   title={"fr": "Transport"}, description={"fr": "Priorités"},
                                   opens="2020-01-01", closes="2999-01-01", max_votes=1, candidates=[answered["id"]])
    path = f"/campaigns/{campaign['id']}"
    assert "Ajouter un choix" not in app.get(f"/fr{path}", headers=_headers(people["admin"])).body
    sysadmin = _headers(people["sysadmin"])
    assert "Ajouter un choix" in app.get(f"/fr{path}", headers=sysadmin).body
    app.post(f"{path}/entry", data={"title-fr": "Vélos & trottinettes <2 roues>", "title-en": "Bike counts",
                                    "description-fr": "Par compteur"}, headers=sysadmin)
    app.post(f"{path}/entry", data={"title-fr": "", "description-fr": "Sans titre"}, headers=sysadmin)
    app.post(f"{path}/entry", data={"title-fr": "Pirate", "description-fr": "D"}, headers=_headers(people["admin"]))
    shown = helpers.call_action("quebec_campaign_show", id=campaign["id"])
    (entry,) = [row for row in shown["results"] if row["kind"] == "entry"]
    assert len(shown["results"]) == 2
    app.post(f"{path}/vote", data={"entry_id": entry["id"]}, headers=_headers(people["member"]))
    page = app.get(f"/fr{path}", headers=_headers(people["member"]))
    assert "Vélos &amp; trottinettes &lt;2 roues&gt;" in page.body and "<2 roues>" not in page.body
    # the answer as its suggestion's page shows it: Markdown, sanitised
    assert "Données <b>nominatives</b>" in page.body and "Réponse de l'organisation</th>" in page.body
    assert 'name="entry_id" value="' + entry["id"] in page.body and "Retirer mon vote" in page.body
    assert "Personal data" in app.get(f"/en{path}").body
    rows = list(csv.reader(io.StringIO(app.get(f"{path}/results.csv").body)))
    assert rows[1:] == [["1", "entry", "Vélos & trottinettes <2 roues>", "Bike counts", "1", "", "", "", ""],
                        ["2", "suggestion", "Horaires", "", "0", "refused", people["org"]["title"],
                         "Données <b>nominatives</b>", "Personal data"]]


@pytest.mark.ckan_config("ckanext.quebec.participation.rate_limit", "0")
@pytest.mark.ckan_config("ckanext.quebec.participation.address_rate_limit", "2")
def test_the_address_limit_counts_every_account_of_an_address(app, people):
    suggestion = a_suggestion(people["outsider"])
    # set here: CKAN 2.11's test client sends no REMOTE_ADDR (a server always does)
    address = {"REMOTE_ADDR": "192.0.2.7"}
    for role in ("member", "editor"):
        response = app.post("/api/3/action/quebec_comment_create", json={
            "suggestion_id": suggestion["id"], "text": "+1"}, headers=_headers(people[role]), environ_base=address)
        assert response.json["success"]
    response = app.post("/en/api/3/action/quebec_comment_create", json={
        "suggestion_id": suggestion["id"], "text": "+1"}, headers=_headers(people["admin"]), expect_errors=True,
        environ_base=address)
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 3600
    assert response.json["error"]["rate_limit"][0].startswith("Too many at once")
    assert len(helpers.call_action("quebec_comment_list", suggestion_id=suggestion["id"])) == 2


@pytest.mark.ckan_config("ckanext.quebec.participation.rate_limit", "1")
def test_the_forms_and_the_api_answer_429_past_the_account_limit(app, people):
    headers = _headers(people["outsider"])
    first, other = a_suggestion(people["editor"]), a_suggestion(people["member"])
    fields = {"title-fr": "Vélos", "description-fr": "Comptages", "category": "transport", "reason": "research"}
    app.post("/suggestions/new", data=fields, headers=headers, follow_redirects=False, status=302)
    form = app.post("/fr/suggestions/new", data=fields, headers=headers, status=429)
    assert "Trop d&#39;envois à la fois" in form.body and 'value="Vélos"' in form.body
    assert 0 < int(form.headers["Retry-After"]) <= 3600
    app.post(f"/suggestions/{first['id']}/vote", headers=headers, follow_redirects=False, status=302)
    page = app.post(f"/en/suggestions/{other['id']}/vote", headers=headers, status=429)
    assert "Too many at once" in page.body and "Retry-After" in page.headers
    response = app.post("/fr/api/3/action/quebec_suggestion_vote", json={"id": other["id"]}, headers=headers,
                        status=429)
    assert "Trop d'envois à la fois" in response.json["error"]["rate_limit"][0]
    assert helpers.call_action("quebec_suggestion_list", q="Vélos")["count"] == 1
    assert helpers.call_action("quebec_suggestion_show", id=other["id"])["vote_count"] == 0


def test_the_dataset_search_the_dataset_and_the_organization_lead_to_suggestions(app, people):
    dataset = factories.Dataset(owner_org=people["org"]["id"], title="Comptages")
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"],
                              title={"fr": "Comptages de vélos"})
    for status, extra in (("forwarded", {}), ("published", {"datasets": [dataset["id"]]})):
        helpers.call_action("quebec_suggestion_update_status", {"user": people["admin"]["name"]},
                            id=suggestion["id"], status=status, **extra)
    assert "Comptages de vélos" in app.get(f"/dataset/{dataset['name']}").body
    empty = app.get("/fr/dataset/", query_string={"q": "introuvable"})
    assert "/suggestions/new?q=introuvable" in empty.body
    assert "Suggérer des données" in empty.body
    assert f"/organization/suggestions/{people['org']['name']}" in app.get(
        f"/organization/{people['org']['name']}").body


def _statements(app, path: str) -> int:
    import sqlalchemy as sa
    from ckan import model

    statements = []

    def record(*args):
        statements.append(args[2])

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        app.get(path)
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_sql_statements_of_a_page_do_not_grow_with_the_suggestions(app, people):
    first = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    few = _statements(app, "/suggestions"), _statements(app, f"/suggestions/{first['id']}")
    for number in range(12):
        suggestion = a_suggestion(people["member" if number % 2 else "editor"], owner_org=people["org"]["id"])
        helpers.call_action("quebec_suggestion_vote", {"user": people["admin"]["name"]}, id=suggestion["id"])
        helpers.call_action("quebec_comment_create", {"user": people["admin"]["name"]},
                            suggestion_id=first["id"], text=f"Commentaire {number}")
    assert (_statements(app, "/suggestions"), _statements(app, f"/suggestions/{first['id']}")) == few
