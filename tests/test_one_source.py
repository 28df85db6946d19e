"""One source per fact: the places that use a fact equal its source, the schema data files."""
from __future__ import annotations

import os

import yaml

from ckanext.quebec import resources
from ckanext.quebec.dcat import quality as dcat_quality
from ckanext.quebec.quality import score
from ckanext.quebec.schema import fields, index


def _source(name: str):
    with open(os.path.join(resources.schemas_directory(), name), encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def test_the_score_frequencies_are_the_vocabulary_days():
    entries = _source("vocabularies/update_frequencies.yaml")
    assert score.FREQUENCY_DAYS == {e["value"]: e["days"] for e in entries if "days" in e}
    assert score.FREQUENCY_DAYS["annual"] == 366
    assert "irregular" not in score.FREQUENCY_DAYS


def test_the_compliance_fields_are_the_schema_resource_fields():
    schema = _source("dataset.yaml")
    names = tuple(f["field_name"] for f in schema["resource_fields"]
                  if f["field_name"].startswith("conformite_"))
    assert len(names) == 9
    assert score.COMPLIANCE_FIELDS == names
    assert tuple(name for name, _labels in dcat_quality.compliance_fields()) == names
    presets = {p["preset_name"]: p["values"] for p in _source("presets.yaml")["presets"]}
    answers = tuple(c["value"] for c in presets["quebec_compliance"]["choices"])
    assert score.COMPLIANCE_ANSWERS == answers == ("oui", "non", "n/a")


def test_the_indexed_bilingual_fields_are_the_schema_translated_fields():
    schema = _source("dataset.yaml")
    presets = {p["preset_name"]: p["values"] for p in _source("presets.yaml")["presets"]}
    names = tuple(f["field_name"] for f in schema["dataset_fields"]
                  if "quebec_translated_output" in presets.get(f.get("preset"), {}).get("output_validators", ""))
    assert index.TRANSLATED_FIELDS == fields.translated_fields() == names
    assert "methodologie_translated" in names and "title_translated" in names


# Where JSON is parsed that is not a field value: whole documents (a feed, a
# serializer's output, a GeoJSON file, a harvested record) and the search
# index's own columns.
NOT_FIELD_VALUES = {
    "schema/jsonvalue.py", "tabular/geojson.py", "search/documents.py",
    "dcat/helpers.py", "dcat/feed.py", "harvest/reading.py", "harvest/mapping.py",
    "harvest/ckan_harvester.py",
}


def test_field_values_stored_as_json_are_read_by_one_helper():
    package = os.path.dirname(os.path.dirname(index.__file__))
    parsing = set()
    for folder, _dirs, files in os.walk(package):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as source:
                    if "json.loads(" in source.read():
                        parsing.add(os.path.relpath(path, package))
    assert parsing <= NOT_FIELD_VALUES, "use ckanext.quebec.schema.jsonvalue.from_json"
