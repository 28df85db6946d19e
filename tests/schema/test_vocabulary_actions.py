"""quebec_vocabulary_list, through call_action and the API, and who may call it."""
from __future__ import annotations

import pathlib

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_schema"),
]

URL = "/api/3/action/quebec_vocabulary_list"
# The vocabularies are the data files of schemas/vocabularies/, by name.
VOCABULARY_FILES = sorted(path.stem for path in (
    pathlib.Path(__file__).resolve().parents[2] / "schemas" / "vocabularies").glob("*.yaml"))


class TestCallAction:
    def test_without_name_lists_the_vocabularies(self):
        result = helpers.call_action("quebec_vocabulary_list")
        assert result == VOCABULARY_FILES
        assert {"categories", "licences", "territories", "update_frequencies"} <= set(result)

    def test_with_name_lists_the_entries(self):
        result = helpers.call_action("quebec_vocabulary_list", name="licences")
        assert result[0]["value"] == "cc-by"
        assert set(result[0]["label"]) == {"fr", "en"}
        assert "display_label" not in result[0]

    @pytest.mark.parametrize("language, expected", [("fr", "Au besoin"), ("en", "As needed")])
    def test_language_adds_a_display_label(self, language, expected):
        result = helpers.call_action(
            "quebec_vocabulary_list", name="update_frequencies", language=language)
        (entry,) = [e for e in result if e["value"] == "asNeeded"]
        assert entry["display_label"] == expected

    def test_a_display_label_does_not_stick_to_the_vocabulary(self):
        helpers.call_action("quebec_vocabulary_list", name="categories", language="en")
        result = helpers.call_action("quebec_vocabulary_list", name="categories")
        assert "display_label" not in result[0]

    def test_unknown_name_is_a_validation_error(self):
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("quebec_vocabulary_list", name="districts")
        assert list(raised.value.error_dict) == ["name"]
        assert "Unknown vocabulary" in raised.value.error_dict["name"][0]

    def test_unknown_language_is_a_validation_error(self):
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("quebec_vocabulary_list", name="categories", language="de")
        assert raised.value.error_dict == {"language": ["Language must be fr or en"]}


class TestApi:
    def test_get_entries_in_english(self, app):
        response = app.get(URL, query_string={"name": "update_frequencies", "language": "en"})
        assert response.status_code == 200
        result = response.json["result"]
        assert len(result) == 17
        assert result[0] == {
            "value": "continuous",
            "label": {"fr": "Temps réel", "en": "Real time"},
            "uri": "http://publications.europa.eu/resource/authority/frequency/CONT",
            "display_label": "Real time",
        }

    def test_post_works_too(self, app):
        response = app.post(URL, json={"name": "resource_types"})
        assert response.status_code == 200
        assert [e["value"] for e in response.json["result"]] == [
            "donnees", "cartes", "web", "documentation"]

    def test_unknown_name_is_a_409_with_a_message(self, app):
        response = app.get(URL, query_string={"name": "districts"})
        assert response.status_code == 409
        error = response.json["error"]
        assert error["__type"] == "Validation Error"
        assert error["name"] == [
            "Unknown vocabulary. Known vocabularies: " + ", ".join(VOCABULARY_FILES)]

    def test_unknown_name_in_french(self, app):
        response = app.get("/fr" + URL, query_string={"name": "districts"})
        assert response.status_code == 409
        assert response.json["error"]["name"][0].startswith(
            "Vocabulaire inconnu. Vocabulaires connus : categories")

    def test_anonymous_may_call_the_api(self, app):
        response = app.get(URL, environ_overrides={"REMOTE_USER": ""})
        assert response.status_code == 200


class TestAuth:
    @pytest.mark.parametrize("role", ["member", "editor", "admin"])
    def test_members_of_an_organization_may_read(self, role):
        user = factories.User()
        factories.Organization(users=[{"name": user["name"], "capacity": role}])
        assert helpers.call_auth("quebec_vocabulary_list",
                                 context={"user": user["name"], "model": model},
                                 name="categories")

    def test_a_user_without_organization_may_read(self):
        user = factories.User()
        assert helpers.call_auth("quebec_vocabulary_list",
                                 context={"user": user["name"], "model": model})

    def test_a_sysadmin_may_read(self):
        sysadmin = factories.Sysadmin()
        assert helpers.call_auth("quebec_vocabulary_list",
                                 context={"user": sysadmin["name"], "model": model})

    def test_anonymous_may_read(self):
        assert helpers.call_auth("quebec_vocabulary_list",
                                 context={"user": "", "model": model}, name="categories")

    def test_anonymous_may_call_the_action(self):
        result = helpers.call_action("quebec_vocabulary_list",
                                     context={"user": "", "ignore_auth": False},
                                     name="licences")
        assert len(result) == 2
