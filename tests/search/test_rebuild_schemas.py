"""The rebuild validates a dataset of a scheming type as CKAN 2.12 does: under
the default and under the type's show schema."""
from __future__ import annotations

import json

import pytest

import ckan.lib.search as search
from ckan.tests import factories, helpers

from ckanext.quebec.search import indexing

from ..schema.test_dataset_api import dataset_dict
from .test_rebuild import WORKERS_OPTION, documents, empty_index

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
    pytest.mark.ckan_config(WORKERS_OPTION, "1"),
]


def test_a_scheming_type_under_both_schemas(validations):
    organization = factories.Organization()
    helpers.call_action("package_create", **dataset_dict(organization["id"]))
    helpers.call_action("package_create", **dataset_dict(
        organization["id"], name="zones-inondables",
        title_translated={"fr": "Zones inondables", "en": "Flood zones"}))
    expected = documents()
    empty_index()
    search.rebuild(quiet=True)
    # what package_create indexed, through CKAN's own two validations
    assert documents() == expected
    # validated under the Québec schema: keywords by language
    assert json.loads(expected["zones-inondables"]["stored"]["validated_data_dict"])[
        "keywords"] == {"fr": ["vélo", "piste cyclable"], "en": ["bike"]}
    if indexing.BOTH_SCHEMAS:  # CKAN 2.12
        assert sorted(validations) == sorted(2 * ["pistes-cyclables", "zones-inondables"])
