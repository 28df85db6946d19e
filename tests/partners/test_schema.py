"""The partner organization schema: its file, its vocabularies and validators, and how it is configured."""
from __future__ import annotations

import os

import pytest
import yaml

from ckan.tests import helpers

from ckanext.quebec import resources
from ckanext.quebec.partners import helpers as partner_helpers
from ckanext.quebec.partners import validators
from ckanext.quebec.schema import vocabularies

PLUGINS = "quebec_search scheming_organizations quebec_partners"


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


@pytest.mark.parametrize("name, helper", [("partner_type", "quebec_partner_type_choices"),
                                          ("region", "quebec_region_choices")])
def test_vocabulary_fields_take_their_choices_from_the_vocabulary_file(name, helper):
    field = _field(name)
    assert field["choices_helper"] == helper
    assert field["vocabulary"] in vocabularies.names()
    assert helper in partner_helpers.get_helpers()


def test_every_quebec_validator_named_exists():
    registered = validators.get_validators()
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
