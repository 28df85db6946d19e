"""Scheming loads the Québec schema and presets as quebec_schema configures them."""
from __future__ import annotations

import pytest

from ckan.tests import helpers as th
import ckan.plugins.toolkit as tk

from ckanext.quebec.schema import vocabularies

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]


@pytest.fixture
def schema():
    return th.call_action("scheming_dataset_schema_show", type="dataset", expanded=True)


def test_plugin_configures_scheming():
    assert tk.config["scheming.dataset_schemas"] == "ckanext.quebec.schemas:dataset.yaml"
    assert tk.config["scheming.presets"].split() == [
        "ckanext.scheming:presets.json", "ckanext.quebec.schemas:presets.yaml"]


def test_schema_has_the_portal_fields(schema):
    dataset = {field["field_name"] for field in schema["dataset_fields"]}
    assert {"title_translated", "notes_translated", "keywords", "methodologie_translated",
            "organisation_principale", "categories", "license_id", "author", "author_email",
            "update_frequency", "temporal_start", "temporal_end", "language", "url",
            "spatial"} <= dataset
    resource = {field["field_name"] for field in schema["resource_fields"]}
    assert {"name_translated", "description_translated", "resource_type", "format",
            "taille_entier", "data_dictionary"} <= resource
    assert len([name for name in resource if name.startswith("conformite_")]) == 9


def test_vocabulary_fields_name_a_vocabulary(schema):
    for field in schema["dataset_fields"] + schema["resource_fields"]:
        if "vocabulary" in field:
            assert field["vocabulary"] in vocabularies.names(), field["field_name"]
            assert field["choices_helper"] == "quebec_vocabulary_choices"
            assert "choices" not in field


def test_every_validator_exists(schema):
    for field in schema["dataset_fields"] + schema["resource_fields"]:
        for key in ("validators", "output_validators"):
            for name in field.get(key, "").split():
                tk.get_validator(name.split("(")[0])


@pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.scheming:ckan_dataset.yaml")
def test_site_settings_win():
    assert tk.config["scheming.dataset_schemas"] == "ckanext.scheming:ckan_dataset.yaml"
