"""The guide pages: list with facets, a guide, the editor's form with preview, the dataset page's guides."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from .conftest import GUIDES_PLUGINS, as_user, guide_fields

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", GUIDES_PLUGINS)]


def test_the_list_and_a_guide_in_french_and_english(app, published):
    french = app.get("/fr/guides").body
    assert "Trouver des données" in french and "Citoyens (1)" in french and "1 guide" in french
    english = app.get("/en/guides").body
    assert "Finding data" in english and "Citizens (1)" in english
    page = app.get("/en/guides/trouver-des-donnees").body
    assert "<h2>Search</h2>" in page and "Type a word." in page
    assert "Trouver des données" in app.get("/fr/guides/trouver-des-donnees").body
    assert "Citizens (1)" in app.get("/en/guides", query_string={"audience": "citoyens"}).body
    assert app.get("/guides", query_string={"topic": "inconnu"}, status=400)


def test_unknown_and_draft_guides_are_404_in_the_visitors_language(app, editor):
    helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields("brouillon"))
    assert "Guide introuvable" in app.get("/fr/guides/absent", status=404).body
    assert "Guide not found" in app.get("/en/guides/brouillon", status=404).body
    headers = {"Authorization": editor["token"]}
    assert "brouillon" in app.get("/guides/brouillon", headers=headers).body


def test_script_in_markdown_and_titles_is_neutralised(app, editor):
    guide = helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields(
        title_fr="<script>alert('titre')</script>",
        body_fr="<script>alert('corps')</script>\n\n[lien](javascript:alert(1)) <img src=x onerror=alert(2)>"))
    helpers.call_action("quebec_guide_publish", as_user(editor), id=guide["id"])
    body = app.get("/fr/guides/trouver-des-donnees").body
    assert "<script>alert" not in body and "javascript:alert" not in body and "onerror" not in body
    assert "&lt;script&gt;alert(&#39;titre&#39;)" in body


def test_an_editor_previews_saves_and_publishes_through_the_form(app, editor):
    headers = {"Authorization": editor["token"]}
    form = dict(guide_fields("par-formulaire"), audience="reutilisateurs", categories="transport")
    preview = app.post("/en/guides/new", data=dict(form, preview="1"), headers=headers)
    assert "Preview" in preview.body and "<h2>Search</h2>" in preview.body
    assert helpers.call_action("quebec_guide_search", include_drafts=True)["count"] == 0
    refused = app.post("/en/guides/new", data=dict(form, name="Pas Bon", save="1"), headers=headers,
                       status=400)
    assert "lowercase letters" in refused.body
    app.post("/guides/new", data=dict(form, save="1"), headers=headers, follow_redirects=False, status=302)
    app.post("/guides/par-formulaire/edit", data=dict(form, title_en="Found", save="1"), headers=headers)
    app.post("/guides/par-formulaire/publish", headers=headers)
    guide = helpers.call_action("quebec_guide_show", id="par-formulaire")
    assert guide["state"] == "published" and guide["title_en"] == "Found" and guide["revision"] == 2
    citizen = factories.UserWithToken()
    app.post("/guides/par-formulaire/unpublish", headers={"Authorization": citizen["token"]}, status=403)
    app.get("/guides/new", headers={"Authorization": citizen["token"]}, status=403)


def test_the_dataset_page_lists_its_guides(app, editor):
    dataset = factories.Dataset(name="velos")
    guide = helpers.call_action("quebec_guide_create", as_user(editor),
                                **guide_fields(datasets=["velos"], categories=[]))
    assert "Trouver des données" not in app.get("/dataset/velos").body
    helpers.call_action("quebec_guide_publish", as_user(editor), id=guide["id"])
    assert "Finding data" in app.get(f"/en/dataset/{dataset['name']}").body
