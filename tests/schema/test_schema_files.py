"""Every schema file of the suite loads and speaks French and English."""
from __future__ import annotations

import os

import pytest
import yaml

from ckanext.quebec import resources

YAML_FILES = sorted(
    name for name in os.listdir(resources.schemas_directory()) if name.endswith(".yaml")
)
PRESET_FILES = ["presets.yaml"]
SCHEMA_FILES = [name for name in YAML_FILES if name not in PRESET_FILES]
LANGUAGES = ("fr", "en")


def _load(name: str) -> dict:
    with open(os.path.join(resources.schemas_directory(), name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def _fields(schema: dict) -> list[dict]:
    return [field for key in ("dataset_fields", "resource_fields", "fields")
            for field in schema.get(key) or []] + [
        preset["values"] for preset in schema.get("presets") or []]


def test_there_are_schema_files():
    assert "dataset.yaml" in SCHEMA_FILES


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_is_valid_scheming_yaml(name):
    schema = _load(name)
    assert schema["scheming_version"] == 2
    for key in ("dataset_fields", "resource_fields"):
        names = [field["field_name"] for field in schema.get(key) or []]
        assert len(names) == len(set(names)), f"duplicate field in {key}"


@pytest.mark.parametrize("name", PRESET_FILES)
def test_presets_file_is_valid(name):
    presets = _load(name)
    assert presets["scheming_presets_version"] == 1
    names = [preset["preset_name"] for preset in presets["presets"]]
    assert len(names) == len(set(names))
    assert all(name.startswith("quebec_") for name in names)


@pytest.mark.parametrize("name", YAML_FILES)
def test_every_label_and_help_text_is_in_french_and_english(name):
    for field in _fields(_load(name)):
        for key in ("label", "help_text", "form_placeholder", "facet_label"):
            if key in field:
                text = field[key]
                assert isinstance(text, dict), f"{field['field_name']}.{key} is not translated"
                for language in LANGUAGES:
                    assert text.get(language), f"{field['field_name']}.{key} lacks {language}"


@pytest.mark.parametrize("name", YAML_FILES)
def test_choices_have_unique_values_and_translated_labels(name):
    for field in _fields(_load(name)):
        values = [choice["value"] for choice in field.get("choices", [])]
        assert len(values) == len(set(values)), f"{field.get('field_name')} repeats a choice"
        for choice in field.get("choices", []):
            assert isinstance(choice["label"], dict), f"{field.get('field_name')}={choice['value']}"
            for language in LANGUAGES:
                assert choice["label"].get(language), (
                    f"{field.get('field_name')}={choice['value']} lacks a {language} label")
