"""The web form of the Québec schema: one input per language, errors beside the fields."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers as th

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]


def _form(org_id: str, **changes) -> dict:
    form = {
        "name": "zones-inondables",
        "title_translated-fr": "Zones inondables",
        "title_translated-en": "Flood zones",
        "title_translated-en-machine": "true",
        "notes_translated-fr": "Les zones **inondables**.",
        "keywords-fr": "inondation, crue",
        "owner_org": org_id,
        "update_frequency": "annual",
        "categories": "environnement-ressources-naturelles-energie",
        "license_id": "cc-by",
        "temporal_start": "2019-01-01",
        "temporal_end": "2023-12-31",
        "_ckan_phase": "dataset_new_1",
        "save": "continue",
    }
    form.update(changes)
    return form


def test_form_creates_a_bilingual_dataset(app):
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    app.post("/dataset/new", data=_form(org["id"]),
             headers={"Authorization": user["token"]}, status=200)
    dataset = th.call_action("package_show", id="zones-inondables")
    assert dataset["title_translated"] == {"fr": "Zones inondables", "en-t-fr": "Flood zones"}
    assert dataset["title"] == "Zones inondables"
    assert dataset["keywords"] == {"fr": ["inondation", "crue"]}
    assert dataset["categories"] == ["environnement-ressources-naturelles-energie"]


def test_form_shows_errors_beside_the_fields_and_keeps_the_input(app):
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    page = app.post("/en/dataset/new", data=_form(
        org["id"], **{"title_translated-fr": "", "temporal_end": "2018-01-01"}),
        headers={"Authorization": user["token"]}).body
    assert "The French version is required" in page
    assert "The end date must not be before the start date" in page
    assert 'value="Flood zones"' in page
    with pytest.raises(tk.ObjectNotFound):
        th.call_action("package_show", id="zones-inondables")


def test_each_fields_languages_and_machine_translation_boxes_are_grouped_under_its_name(app):
    """Two "Machine translation" boxes per field: their group says which field (#22, WCAG 1.3.1)."""
    user = factories.UserWithToken()
    factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    page = app.get("/en/dataset/new", headers={"Authorization": user["token"]}).body
    assert '<fieldset class="quebec-translated-inputs" id="field-title_translated">' \
           '<legend class="visually-hidden">Title</legend>' in page
