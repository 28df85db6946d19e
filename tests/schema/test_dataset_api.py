"""The Québec dataset schema through the API and the dataset page: bilingual fields,
language policy, bad input as HTTP 409 in the user's language, fallback display."""
from __future__ import annotations

import copy
import os

import pytest
from babel.messages.pofile import read_po

from ckan.tests import factories, helpers as th

from ckanext.quebec import resources

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]


def dataset_dict(owner_org: str, **changes) -> dict:
    """A complete bilingual dataset of the Québec schema."""
    dataset = {
        "name": "pistes-cyclables",
        "owner_org": owner_org,
        "title_translated": {"fr": "Pistes cyclables", "en": "Bike paths"},
        "notes_translated": {"fr": "Le réseau **cyclable**.", "en": "The **bike** network."},
        "keywords": {"fr": ["vélo", "piste cyclable"], "en": ["bike"]},
        "organisation_principale": "ville-de-montreal",
        "categories": ["transport"],
        "license_id": "cc-by",
        "author": "Service de l'urbanisme",
        "author_email": "donnees@montreal.ca",
        "update_frequency": "annual",
        "temporal_start": "2020-01-01",
        "temporal_end": "2024-12-31",
        "language": "FR_EN",
        "methodologie_translated": {"fr": "Relevés sur le terrain."},
        "url": "https://montreal.ca/pistes",
        "spatial": {"type": "Point", "coordinates": [-73.56, 45.5]},
        "resources": [{
            "url": "https://example.ca/pistes.csv",
            "name_translated": {"fr": "Pistes (CSV)", "en": "Paths (CSV)"},
            "description_translated": {"fr": "Une ligne par tronçon."},
            "resource_type": "donnees",
            "format": "CSV",
            "taille_entier": "1.2",
            "data_dictionary": "id: identifiant",
            "conformite_separateur_virgule": "oui",
            "conformite_encodage_utf8": "oui",
            "conformite_scr": "n/a",
        }],
    }
    dataset.update(changes)
    return dataset


def _french_catalogue_has(message: str) -> bool:
    path = os.path.join(resources.i18n_directory(), "fr", "LC_MESSAGES",
                        f"{resources.TRANSLATION_DOMAIN}.po")
    with open(path, "rb") as f:
        catalogue = read_po(f, locale="fr")
    # plural entries (tuples) are not error messages
    return any(isinstance(entry.id, str) and isinstance(entry.string, str) and entry.string
               and entry.string.split("{")[0] in message and entry.id.split("{")[0].strip()
               for entry in catalogue)


@pytest.fixture
def org():
    return factories.Organization()


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


class TestActions:
    def test_create_and_show_both_languages(self, org):
        created = th.call_action("package_create", **dataset_dict(org["id"]))
        shown = th.call_action("package_show", id=created["id"])
        assert shown["title_translated"] == {"fr": "Pistes cyclables", "en": "Bike paths"}
        assert shown["title"] == "Pistes cyclables"
        assert shown["notes"] == "Le réseau **cyclable**."
        assert shown["keywords"] == {"fr": ["vélo", "piste cyclable"], "en": ["bike"]}
        assert shown["categories"] == ["transport"]
        assert shown["update_frequency"] == "annual"
        assert shown["temporal_end"] == "2024-12-31"
        assert shown["spatial"] == '{"type": "Point", "coordinates": [-73.56, 45.5]}'
        resource = shown["resources"][0]
        assert resource["name_translated"] == {"fr": "Pistes (CSV)", "en": "Paths (CSV)"}
        assert resource["name"] == "Pistes (CSV)"
        assert resource["description"] == "Une ligne par tronçon."
        assert resource["conformite_scr"] == "n/a"

    def test_french_only(self, org):
        created = th.call_action("package_create", **dataset_dict(
            org["id"], title_translated={"fr": "Pistes"}, notes_translated={"fr": "Réseau"},
            keywords={"fr": ["vélo"]}))
        assert created["title_translated"] == {"fr": "Pistes"}
        assert created["title"] == "Pistes"

    def test_machine_translated_english(self, org):
        created = th.call_action("package_create", **dataset_dict(
            org["id"], title_translated={"fr": "Pistes", "en-t-fr": "Tracks"}))
        assert created["title_translated"] == {"fr": "Pistes", "en-t-fr": "Tracks"}

    def test_update_shown_dict_round_trips(self, org):
        created = th.call_action("package_create", **dataset_dict(org["id"]))
        created["title_translated"]["en"] = "Cycle paths"
        updated = th.call_action("package_update", **created)
        assert updated["title_translated"]["en"] == "Cycle paths"
        assert updated["resources"][0]["name_translated"]["en"] == "Paths (CSV)"

    def test_resource_create(self, org):
        created = th.call_action("package_create", **dataset_dict(org["id"]))
        resource = th.call_action("resource_create", package_id=created["id"], url="https://e.ca/c.pdf",
                                  name_translated={"fr": "Carte"}, resource_type="cartes")
        assert resource["name"] == "Carte"


# (changes to the dataset, field with the error, English message, French message)
BAD_INPUT = [
    ({"title_translated": {"en": "Bike paths"}}, "title_translated",
     "The French version is required", "La version française est obligatoire"),
    ({"update_frequency": "yearly"}, "update_frequency",
     "Unknown value yearly", "Valeur inconnue yearly"),
    ({"temporal_start": "2024-01-01", "temporal_end": "2020-01-01"}, "temporal_end",
     "The end date must not be before the start date",
     "La date de fin ne peut pas précéder la date de début"),
    ({"author_email": "pas-un-courriel"}, "author_email",
     "Not a valid e-mail address", "Adresse courriel invalide"),
    ({"url": "ftp://montreal.ca"}, "url",
     "Not a valid http or https URL", "URL http ou https invalide"),
    ({"spatial": '{"type": "Point"'}, "spatial", "Not valid JSON", "JSON invalide"),
    ({"spatial": {"type": "Point", "coordinates": [2.35, 48.85]}}, "spatial",
     "The geographic coverage must lie within Québec",
     "La couverture géographique doit se trouver au Québec"),
    ({"keywords": {"fr": "vélo"}}, "keywords",
     "Keywords in fr must be a list", "Les mots-clés en fr doivent former une liste"),
    ({"title_translated": {"fr": "<script>alert(1)</script>"}}, "title_translated",
     "HTML is not allowed in this field", "Le HTML n'est pas permis dans ce champ"),
    ({"notes_translated": {"fr": "<script>alert(1)</script>"}}, "notes_translated",
     "Scripts and active HTML are not allowed in this field",
     "Les scripts et le HTML actif ne sont pas permis dans ce champ"),
]


class TestBadInput:
    @pytest.mark.parametrize("changes, field, english, french", BAD_INPUT)
    @pytest.mark.parametrize("locale", ["en", "fr"])
    def test_create_gets_409_in_the_user_language(self, app, org, sysadmin, changes, field,
                                                  english, french, locale):
        response = app.post(f"/{locale}/api/3/action/package_create",
                            json=dataset_dict(org["id"], **changes),
                            headers={"Authorization": sysadmin["token"]}, status=409)
        error = response.json["error"]
        assert error["__type"] == "Validation Error"
        message = english if locale == "en" else french
        if locale == "fr" and not _french_catalogue_has(french):
            pytest.skip(f"i18n/fr does not translate {english!r} yet")
        assert any(message in text for text in error[field]), error[field]

    @pytest.mark.parametrize("changes, field, english, french", BAD_INPUT)
    def test_failed_update_leaves_the_dataset_unchanged(self, app, org, sysadmin, changes,
                                                        field, english, french):
        created = th.call_action("package_create", **dataset_dict(org["id"]))
        before = th.call_action("package_show", id=created["id"])
        update = copy.deepcopy(before)
        update.update(changes)
        app.post("/api/3/action/package_update", json=update,
                 headers={"Authorization": sysadmin["token"]}, status=409)
        after = th.call_action("package_show", id=created["id"])
        assert after == before

    def test_bad_resource_field(self, app, org, sysadmin):
        dataset = dataset_dict(org["id"])
        dataset["resources"][0]["conformite_utf8_bad"] = "x"
        dataset["resources"][0]["resource_type"] = "tableau"
        dataset["resources"][0]["name_translated"] = {"en": "Paths"}
        response = app.post("/fr/api/3/action/package_create", json=dataset,
                            headers={"Authorization": sysadmin["token"]}, status=409)
        errors = response.json["error"]["resources"][0]
        if not _french_catalogue_has("La version française est obligatoire"):
            pytest.skip("i18n/fr does not translate the schema's messages yet")
        assert any("Valeur inconnue tableau" in text for text in errors["resource_type"])
        assert errors["name_translated"] == ["La version française est obligatoire"]


class TestDatasetPage:
    def test_english_page_shows_english_title(self, app, org):
        th.call_action("package_create", **dataset_dict(org["id"]))
        page = app.get("/en/dataset/pistes-cyclables").body
        assert "Bike paths" in page
        assert "The <strong>bike</strong> network." in page

    def test_french_page_shows_french_title(self, app, org):
        th.call_action("package_create", **dataset_dict(org["id"]))
        page = app.get("/fr/dataset/pistes-cyclables").body
        assert "Pistes cyclables" in page
        assert "(en anglais)" not in page

    def test_english_page_falls_back_to_french_with_a_marker(self, app, org):
        th.call_action("package_create", **dataset_dict(
            org["id"], title_translated={"fr": "Zones inondables"}, notes_translated={"fr": "Cartes"}))
        page = app.get("/en/dataset/pistes-cyclables").body
        assert '<span class="quebec-translated" lang="fr">Zones inondables</span>' in page
        assert "(in French)" in page

    def test_machine_translation_is_marked(self, app, org):
        th.call_action("package_create", **dataset_dict(
            org["id"], title_translated={"fr": "Zones inondables", "en-t-fr": "Flood zones"}))
        page = app.get("/en/dataset/pistes-cyclables").body
        assert "Flood zones" in page
        assert "(machine translation)" in page
        page = app.get("/fr/dataset/pistes-cyclables").body
        assert "Zones inondables" in page

    def test_search_page_lists_titles_in_the_visitor_language(self, app, org):
        th.call_action("package_create", **dataset_dict(
            org["id"], title_translated={"fr": "Zones inondables", "en-t-fr": "Flood zones"}))
        page = app.get("/en/dataset/").body
        assert '<span class="quebec-translated" lang="en">Flood zones</span>' in page
        assert "(machine translation)" in page
        page = app.get("/fr/dataset/").body
        assert '<span class="quebec-translated" lang="fr">Zones inondables</span>' in page

    def test_markdown_is_rendered_and_text_escaped(self, app, org):
        th.call_action("package_create", **dataset_dict(
            org["id"], title_translated={"fr": "Taux < 5 % & plus"},
            methodologie_translated={"fr": "[lien](http://x.ca) *ok*"}))
        page = app.get("/fr/dataset/pistes-cyclables").body
        assert '<a href="http://x.ca"' in page
        assert "Taux &lt; 5 % &amp; plus" in page

    def test_new_dataset_form_has_an_input_per_language(self, app, sysadmin):
        page = app.get("/dataset/new", headers={"Authorization": sysadmin["token"]}).body
        for name in ("title_translated-fr", "title_translated-en", "title_translated-en-machine",
                     "notes_translated-fr", "keywords-en"):
            assert f'name="{name}"' in page
        assert 'value="annual"' in page
