"""What any text of the schema may hold (quebec_text_limits): unit tests without a
database, and the API's answers in the user's language."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate
from ckan.tests import factories, helpers as th

from ckanext.quebec.schema import limits, validators as v

from .test_dataset_api import dataset_dict

REFUSED = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"] + [
    chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ONE_LINE = {"field_name": "author", "max_length": 10}
MARKDOWN = {"field_name": "data_dictionary", "max_length": 10, "markdown": True}
TITLE = {"field_name": "title_translated", "max_length": 10, "json_value": True}


def _run(field, value, validator=limits.quebec_text_limits):
    name = field["field_name"]
    schema = {name: [validator(field, {})]}
    out, errors = validate({name: value}, schema, {})
    return out.get(name), errors.get(name, [])


@pytest.mark.ckan_config("ckan.plugins", "quebec_schema")
@pytest.mark.usefixtures("with_plugins", "with_request_context")
class TestTextLimits:
    @pytest.mark.parametrize("character", REFUSED)
    @pytest.mark.parametrize("field", [ONE_LINE, MARKDOWN], ids=["one-line", "markdown"])
    def test_control_and_bidi_characters_are_refused(self, field, character):
        _out, errors = _run(field, f"a{character}b")
        assert errors == [f"The character U+{ord(character):04X} is not allowed in this field"]

    @pytest.mark.parametrize("text", ["a\tb", "a\nb", "a\r\nb"])
    def test_line_breaks_and_tabs_in_markdown_only(self, text):
        assert _run(MARKDOWN, text) == (text, [])
        assert _run(ONE_LINE, text)[1]

    def test_a_one_line_text_may_end_with_a_line_break(self):
        assert _run(ONE_LINE, " ab\r\n") == (" ab\r\n", [])

    def test_marks_and_accents_are_kept(self):
        assert _run(ONE_LINE, "Vélo\u200e ç") == ("Vélo\u200e ç", [])

    def test_length(self):
        assert _run(ONE_LINE, "x" * 10) == ("x" * 10, [])
        assert _run(ONE_LINE, "x" * 11)[1] == ["At most 10 characters"]

    @pytest.mark.parametrize("value", [True, [], {}, {"a": 1}, ["x"]])
    def test_a_one_line_field_takes_a_text(self, value):
        assert _run(ONE_LINE, value)[1] == ["Expecting a text"]

    def test_a_number_is_taken_as_its_text(self):
        assert _run(ONE_LINE, 1.5) == ("1.5", [])

    @pytest.mark.parametrize("value", [
        {"fr": "a\u202eb"}, {"fr": "x" * 11}, '{"fr": "a\\u202eb"}', '{"fr": "a\u202eb"}',
        {"a\x00": "x"}, '{"fr": "x\x00"}'])
    def test_texts_inside_a_json_value(self, value):
        assert _run(TITLE, value)[1]

    def test_a_json_value_within_limits_is_left_to_its_field(self):
        assert _run(TITLE, {"fr": "x" * 10}) == ({"fr": "x" * 10}, [])

    def test_later_validators_do_not_run(self):
        """package_name_validator would hand a NUL to PostgreSQL."""
        def fail(value):
            raise AssertionError("ran")
        name = ONE_LINE["field_name"]
        _out, errors = validate({name: "\x00"}, {name: [
            limits.quebec_text_limits(ONE_LINE, {}), fail]}, {})
        assert errors[name]

    def test_bilingual_form_inputs_are_checked_too(self):
        field = {"field_name": "title_translated", "max_length": 5}
        data = {"title_translated": tk.missing,
                "__extras": {"title_translated-fr": "a\u202eb"}}
        schema = {"title_translated": [v.quebec_translated_text(field, {})],
                  "__extras": [tk.get_validator("ignore")]}
        _out, errors = validate(data, schema, {})
        assert errors["title_translated"] == ["The character U+202E is not allowed in this field"]


# (change, field, English, French)
API_CASES = [
    ({"categories": "[broken"}, "categories", "Not valid JSON", "JSON invalide"),
    ({"name": "pistes\x00"}, "name", "The character U+0000 is not allowed in this field",
     "Le caractère U+0000 n'est pas permis dans ce champ"),
    ({"title_translated": {"fr": "Pistes \u202ecyclables"}}, "title_translated",
     "The character U+202E is not allowed in this field",
     "Le caractère U+202E n'est pas permis dans ce champ"),
    ({"author": "Service\x00"}, "author", "The character U+0000 is not allowed in this field",
     "Le caractère U+0000 n'est pas permis dans ce champ"),
    ({"title_translated": {"fr": "x" * 501}}, "title_translated", "At most 500 characters",
     "Au plus 500 caractères"),
    ({"license_id": {}}, "license_id", "Expecting a text", "Un texte est attendu"),
    ({"owner_org": 7}, "owner_org", "Organization does not exist",
     "Cette organisation n'existe pas"),
]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema")
class TestThroughTheApi:
    @pytest.mark.parametrize("change, field, english, french", API_CASES)
    def test_package_patch_gets_409_in_the_user_language(self, app, change, field, english, french):
        sysadmin = factories.SysadminWithToken()
        created = th.call_action("package_create",
                                 **dataset_dict(factories.Organization()["id"]))
        before = th.call_action("package_show", id=created["id"])
        for locale, message in (("en", english), ("fr", french)):
            response = app.post(f"/{locale}/api/3/action/package_patch",
                                json=dict(change, id=created["id"]),
                                headers={"Authorization": sysadmin["token"]}, status=409)
            assert any(message in text for text in response.json["error"][field]), \
                response.json["error"]
        assert th.call_action("package_show", id=created["id"]) == before

    def test_a_resource_url_not_text_is_refused_before_the_uploader(self, app):
        """Core hands a resource's url to urlparse before validating it (a 500 on a number)."""
        sysadmin = factories.SysadminWithToken()
        created = th.call_action("package_create",
                                 **dataset_dict(factories.Organization()["id"]))
        headers = {"Authorization": sysadmin["token"]}
        resources = [dict(created["resources"][0]), {"url": {"a": 1}, "name_translated": {"fr": "x"}}]
        response = app.post("/fr/api/3/action/package_patch", headers=headers, status=409,
                            json={"id": created["id"], "resources": resources})
        assert response.json["error"]["resources"] == [{}, {"url": ["Un texte est attendu"]}]
        app.post("/api/3/action/resource_create", status=403,
                 json={"package_id": created["id"], "url": 7})
        response = app.post("/en/api/3/action/resource_update", headers=headers, status=409,
                            json={"id": created["resources"][0]["id"], "url": 7})
        assert response.json["error"]["url"] == ["Expecting a text"]

    @pytest.mark.parametrize("url", ["http://[broken", "[broken"])
    def test_a_resource_url_core_cannot_parse_is_refused(self, app, url):
        """On CKAN 2.11, "[broken" was stored, shown as http://[broken, and every later write was a 500."""
        created = th.call_action("package_create",
                                 **dataset_dict(factories.Organization()["id"]))
        response = app.post("/fr/api/3/action/resource_create", status=409,
                            headers={"Authorization": factories.SysadminWithToken()["token"]},
                            json={"package_id": created["id"], "url": url,
                                  "name_translated": {"fr": "x"}, "resource_type": "donnees"})
        assert response.json["error"]["url"] == ["URL invalide"]
        th.call_action("package_patch", id=created["id"], author="Service")


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "scheming_datasets quebec_schema")
def test_every_field_of_the_schema_checks_its_texts():
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema("dataset")
    fields = schema["dataset_fields"] + schema["resource_fields"]
    unchecked = [field["field_name"] for field in fields
                 if "quebec_text_limits" not in field.get("validators", "").split()]
    assert fields and not unchecked
