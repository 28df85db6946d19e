"""The index hook: one plain key per language of each bilingual field, no dict."""
from __future__ import annotations

import json

import pytest

from ckan.lib.search import common as search_common
from ckan.tests import factories, helpers as th

from ckanext.quebec.schema import index

from .test_dataset_api import dataset_dict


def test_hook_splits_bilingual_fields():
    doc = index.before_dataset_index({
        "id": "x",
        "title_translated": '{"fr": "Vélo", "en-t-fr": "Bike"}',
        "extras_title_translated": '{"fr": "Vélo", "en-t-fr": "Bike"}',
        "notes_translated": {"fr": "Des pistes"},
        "keywords": {"fr": ["vélo", "piste"], "en": ["bike"]},
        "categories": '["transport"]',
        "other": {"a": 1},
    })
    assert doc["title_translated_fr"] == "Vélo"
    assert doc["title_translated_en"] == "Bike"
    assert doc["notes_translated_fr"] == "Des pistes"
    assert "notes_translated_en" not in doc
    assert doc["keywords_fr"] == ["vélo", "piste"] and doc["keywords_en"] == ["bike"]
    assert doc["categories"] == ["transport"]
    for key in ("title_translated", "extras_title_translated", "notes_translated", "keywords"):
        assert key not in doc
    assert doc["other"] == '{"a": 1}'


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema")
def test_indexed_document(monkeypatch):
    documents = []
    # The documents sent to the index in use: quebec_search's, or Solr's (pysolr) on a Solr run.
    index_connection = type(search_common.make_connection())
    add = index_connection.add

    def spy(self, docs, *args, **kwargs):
        docs = list(docs)
        documents.extend(docs)
        return add(self, docs, *args, **kwargs)

    monkeypatch.setattr(index_connection, "add", spy)
    org = factories.Organization()
    th.call_action("package_create", **dataset_dict(org["id"]))
    doc = documents[-1]
    assert doc["title_translated_fr"] == "Pistes cyclables"
    assert doc["title_translated_en"] == "Bike paths"
    assert doc["keywords_fr"] == ["vélo", "piste cyclable"]
    assert not [key for key, value in doc.items() if isinstance(value, dict)]
    assert "title_translated" not in doc
    found = th.call_action("package_search", q="Pistes")["results"][0]
    assert found["title_translated"] == {"fr": "Pistes cyclables", "en": "Bike paths"}
    assert json.loads(doc["validated_data_dict"])["keywords"]["en"] == ["bike"]
