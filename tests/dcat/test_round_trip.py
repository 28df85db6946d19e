"""A dataset serialized with euro_dcat_ap_3 + quebec_dcat_ap_3 and parsed back with them keeps its fields."""
from __future__ import annotations

import json
from typing import Any

import pytest

from ckanext.dcat.processors import RDFParser, RDFSerializer

from . import datasets

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search dcat quebec_dcat"),
]

PROFILES = ["euro_dcat_ap_3", "quebec_dcat_ap_3"]


def _round_trip(dataset: dict[str, Any], rdf_format: str) -> dict[str, Any]:
    text = RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format=rdf_format)
    parser = RDFParser(profiles=PROFILES)
    parser.parse(text, _format=rdf_format)
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    return parsed[0]


def _field(dataset: dict[str, Any], key: str) -> Any:
    if key in dataset:
        return dataset[key]
    return next((e["value"] for e in dataset.get("extras", []) if e["key"] == key), None)


@pytest.mark.parametrize("rdf_format", ["turtle", "xml", "json-ld"])
def test_bilingual_fields_come_back(rdf_format):
    dataset = datasets.as_schema_dict(datasets.bilingual_dataset())
    parsed = _round_trip(dataset, rdf_format)

    for key in (
        "title_translated", "notes_translated", "methodologie_translated",
        "update_frequency", "temporal_start", "temporal_end", "language",
        "license_id", "author", "author_email", "url",
    ):
        assert parsed[key] == dataset[key], key
    assert parsed["title"] == dataset["title_translated"]["fr"]
    assert {lang: sorted(words) for lang, words in parsed["keywords"].items()} == {
        lang: sorted(words) for lang, words in dataset["keywords"].items()
    }
    assert [g["name"] for g in parsed["groups"]] == [g["name"] for g in dataset["groups"]]
    assert json.loads(_field(parsed, "spatial")) == json.loads(dataset["spatial"])

    resources = {r["uri"].rsplit("/", 1)[-1]: r for r in parsed["resources"]}
    for resource in dataset["resources"]:
        back = resources[resource["id"]]
        for key in ("name_translated", "description_translated", "format", "url"):
            assert back[key] == resource[key], key
        if resource.get("size"):
            assert int(back["size"]) == resource["size"]


def test_core_fields_come_back():
    dataset = datasets.core_dataset()
    parsed = _round_trip(dataset, "turtle")

    for key in ("title", "notes", "url", "license_id", "author", "author_email"):
        assert parsed[key] == dataset[key], key
    assert sorted(t["name"] for t in parsed["tags"]) == sorted(t["name"] for t in dataset["tags"])
    formats = sorted(r["format"] for r in parsed["resources"])
    assert formats == sorted(r["format"] for r in dataset["resources"])
