"""The partner organization schema: its file, its vocabularies and validators, and how it is configured."""
from __future__ import annotations

import os

import pytest
import yaml

from ckan.tests import helpers

from ckanext.quebec import resources
from ckanext.quebec.partners import validators
from ckanext.quebec.partners.plugin import MissingPlugin
from ckanext.quebec.schema import helpers as schema_helpers
from ckanext.quebec.schema import validators as schema_validators
from ckanext.quebec.schema import vocabularies

PLUGINS = "quebec_search scheming_organizations quebec_schema quebec_partners"


def _schema() -> dict:
    with open(os.path.join(resources.schemas_directory(), "organization.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def _field(name: str) -> dict:
    return next(field for field in _schema()["fields"] if field["field_name"] == name)


def test_fields_of_the_partnership_model():
    names = [field["field_name"] for field in _schema()["fields"]]
    assert names == [
        "title_translated", "name", "description_translated", "partner_type",
        "organisation_principale", "region", "date_joined", "open_data_policy_url",
        "sponsor_name", "sponsor_email", "website", "image_url", "certified"]
    assert _schema()["organization_type"] == "organization"


@pytest.mark.parametrize("name", ["partner_type", "region"])
def test_vocabulary_fields_take_their_choices_from_the_vocabulary_file(name):
    field = _field(name)
    assert field["choices_helper"] == "quebec_vocabulary_choices"
    assert field["vocabulary"] in vocabularies.names()
    assert "quebec_vocabulary_choices" in schema_helpers.get_helpers()
    choices = schema_helpers.quebec_vocabulary_choices(field)
    assert all(choice["label"]["fr"] and choice["label"]["en"] for choice in choices)


def test_every_label_is_bilingual():
    for field in _schema()["fields"]:
        assert field["label"]["fr"] and field["label"]["en"], field["field_name"]


def test_every_quebec_validator_named_exists_in_the_schema_plugin_or_ours():
    registered = dict(schema_validators.get_validators(), **validators.get_validators())
    assert not set(validators.get_validators()) & set(schema_validators.get_validators())
    for field in _schema()["fields"]:
        for key in ("validators", "output_validators"):
            for name in field.get(key, "").split():
                if name.startswith("quebec_"):
                    assert name in registered, (field["field_name"], name)


def test_the_french_name_is_required_and_fills_the_core_title():
    field = _field("title_translated")
    assert field["required"] is True and field["core_field"] == "title"
    assert _field("description_translated")["core_field"] == "description"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
def test_the_plugin_gives_scheming_the_partner_schema():
    assert helpers.call_action("scheming_organization_schema_list") == ["organization"]
    schema = helpers.call_action("scheming_organization_schema_show", type="organization")
    assert schema["about"] == "Données Québec partner"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("scheming.organization_schemas",
                         "ckanext.scheming:custom_org_with_address.json")
def test_an_administrators_schema_is_kept():
    assert helpers.call_action("scheming_organization_schema_list") == ["publisher"]


@pytest.mark.parametrize("name", ["title_translated", "description_translated"])
def test_bilingual_fields_use_the_schema_plugins_form_snippets(name):
    field = _field(name)
    snippet = field["form_snippet"]
    assert snippet.startswith("quebec/form_snippets/")
    path = os.path.join(os.path.dirname(schema_validators.__file__), "templates", snippet)
    assert os.path.exists(path)


@pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_organizations quebec_partners")
def test_without_quebec_schema_the_plugin_refuses_to_start(ckan_config):
    from ckan import plugins

    try:
        with pytest.raises(MissingPlugin, match="quebec_partners needs quebec_schema"):
            plugins.load_all()
    finally:
        plugins.unload_all()
