"""The guide actions: the editor's workflow, revisions, search and facets, and who may do what."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

import ckan.plugins.toolkit as tk

from .conftest import GUIDES_PLUGINS, as_user, guide_fields

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", GUIDES_PLUGINS)]


def test_editor_writes_previews_publishes_and_unpublishes(editor):
    guide = helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields())
    assert guide["state"] == "draft" and guide["revision"] == 1 and guide["published"] is None
    assert guide["author"] == editor["fullname"]
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("quebec_guide_show", as_user(None), id=guide["name"])
    assert helpers.call_action("quebec_guide_search", as_user(None))["count"] == 0

    helpers.call_action("quebec_guide_publish", as_user(editor), id=guide["name"])
    shown = helpers.call_action("quebec_guide_show", as_user(None), id=guide["name"])
    assert shown["state"] == "published" and shown["published"]
    assert helpers.call_action("quebec_guide_search", as_user(None))["count"] == 1

    helpers.call_action("quebec_guide_unpublish", as_user(editor), id=guide["id"])
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("quebec_guide_show", as_user(None), id=guide["name"])


def test_every_update_is_kept_as_a_revision(editor):
    guide = helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields())
    helpers.call_action("quebec_guide_update", as_user(editor), id=guide["id"], title_en="Find data")
    updated = helpers.call_action("quebec_guide_update", as_user(editor), id=guide["id"],
                                  body_fr="Nouveau texte.")
    assert updated["revision"] == 3 and updated["title_en"] == "Find data"
    assert updated["title_fr"] == "Trouver des données"
    revisions = helpers.call_action("quebec_guide_revision_list", as_user(editor), id=guide["id"])
    assert [item["revision"] for item in revisions] == [3, 2, 1]
    assert revisions[2]["content"]["title_en"] == "Finding data"
    first = helpers.call_action("quebec_guide_show", as_user(editor), id=guide["id"], revision=1)
    assert first["body_fr"] == guide["body_fr"]


def test_bad_fields_are_refused_and_nothing_is_stored(editor):
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields(
            name="Pas Bon", title_en="", audience=["martiens"], topic="x", datasets=["inexistant"]))
    assert set(error.value.error_dict) == {"name", "title_en", "audience", "topic"}
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields(datasets=["inexistant"]))
    assert "datasets" in error.value.error_dict
    assert helpers.call_action("quebec_guide_search", as_user(editor), include_drafts=True)["count"] == 0


def test_a_name_is_taken_once(editor):
    helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields())
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields())
    assert "name" in error.value.error_dict


def test_search_words_filters_and_facets(editor):
    for name, topic, audience, categories, title in [
            ("api", "api", ["reutilisateurs"], ["transport"], "Utiliser l'API"),
            ("trouver", "trouver", ["citoyens", "reutilisateurs"], ["sante"], "Trouver des données"),
            ("diffuser", "diffuser", ["diffuseurs"], [], "Diffuser 100% ouvert")]:
        guide = helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields(
            name, topic=topic, audience=audience, categories=categories, title_fr=title))
        helpers.call_action("quebec_guide_publish", as_user(editor), id=guide["id"])
    search = lambda **params: helpers.call_action("quebec_guide_search", as_user(None), **params)  # noqa: E731
    everything = search()
    assert everything["facets"]["audience"] == {"reutilisateurs": 2, "citoyens": 1, "diffuseurs": 1}
    assert everything["facets"]["categories"] == {"sante": 1, "transport": 1}
    assert [g["name"] for g in search(q="trouver données")["results"]] == ["trouver"]
    assert [g["name"] for g in search(q="100%")["results"]] == ["diffuser"]
    assert search(q="_")["count"] == 0  # a literal underscore, not a LIKE wildcard
    assert [g["name"] for g in search(audience="reutilisateurs", sort="title")["results"]] == ["trouver", "api"]
    assert [g["name"] for g in search(category="sante")["results"]] == ["trouver"]
    assert search(topic="api")["facets"]["topic"] == {"api": 1}


def test_a_dataset_lists_the_guides_of_it_and_of_its_categories(editor):
    group = factories.Group(name="transport")
    linked = factories.Dataset(name="velos")
    in_category = factories.Dataset(name="autobus", groups=[{"name": group["name"]}])
    other = factories.Dataset(name="autre")
    for name, fields in [("par-jeu", {"datasets": ["velos"], "categories": []}),
                         ("par-categorie", {"categories": ["transport"]})]:
        guide = helpers.call_action("quebec_guide_create", as_user(editor), **guide_fields(name, **fields))
        helpers.call_action("quebec_guide_publish", as_user(editor), id=guide["id"])
    found = lambda dataset: sorted(g["name"] for g in helpers.call_action(  # noqa: E731
        "quebec_guide_search", as_user(None), dataset=dataset["name"])["results"])
    assert found(linked) == ["par-jeu"]
    assert found(in_category) == ["par-categorie"]
    assert found(other) == []


def test_a_private_dataset_is_not_revealed(editor):
    organization = factories.Organization()
    private = factories.Dataset(owner_org=organization["id"], private=True)
    sysadmin = factories.Sysadmin()
    guide = helpers.call_action("quebec_guide_create", as_user(sysadmin),
                                **guide_fields(datasets=[private["name"]]))
    helpers.call_action("quebec_guide_publish", as_user(sysadmin), id=guide["id"])
    assert helpers.call_action("quebec_guide_show", as_user(sysadmin), id=guide["id"])["datasets"] == [private["id"]]
    assert helpers.call_action("quebec_guide_show", as_user(None), id=guide["id"])["datasets"] == []
    with pytest.raises(tk.ValidationError):
        helpers.call_action("quebec_guide_create", as_user(editor),
                            **guide_fields("autre", datasets=[private["name"]]))
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("quebec_guide_search", as_user(None), dataset=private["name"])


MANAGING = ["quebec_guide_create", "quebec_guide_update", "quebec_guide_publish",
            "quebec_guide_unpublish", "quebec_guide_delete", "quebec_guide_revision_list"]
EDITORS = ["quebec_guide_editor_add", "quebec_guide_editor_remove", "quebec_guide_editor_list"]
READING = ["quebec_guide_show", "quebec_guide_search"]


def test_auth_matrix(editor):
    """Who may call each action: anonymous, a logged-in citizen, a former editor, an editor, a sysadmin."""
    citizen, former, sysadmin = factories.User(), factories.User(), factories.Sysadmin()
    helpers.call_action("quebec_guide_editor_add", user=former["name"])
    helpers.call_action("quebec_guide_editor_remove", user=former["name"])
    expected = {None: READING, "citizen": READING, "former": READING,
                "editor": READING + MANAGING, "sysadmin": READING + MANAGING + EDITORS}
    users = {None: None, "citizen": citizen, "former": former, "editor": editor, "sysadmin": sysadmin}
    for who, user in users.items():
        for action in MANAGING + EDITORS + READING:
            context = {"user": user["name"] if user else ""}
            assert _may(action, context) == (action in expected[who]), (who, action)
    assert helpers.call_action("quebec_guide_editor_list") == [editor["name"]]


def _may(action: str, context: dict) -> bool:
    try:
        return helpers.call_auth(action, context)
    except tk.NotAuthorized:
        return False
