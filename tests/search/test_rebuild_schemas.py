"""The rebuild validates a dataset of a scheming type as CKAN 2.12 does: under
the default and under the type's show schema."""
from __future__ import annotations

import json
import re

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


def comparable(documents: dict[str, dict]) -> dict[str, dict]:
    """Documents with their extras in one order.

    CKAN 2.12's package_show lists a dataset's extras in the order they were
    written right after a write, and in jsonb's order (shortest key first)
    once the dataset is read back from the database: the documents' copies of
    the dataset, and their words' positions, follow. Everything else is
    compared as it is.
    """
    out = {}
    for name, row in documents.items():
        row = dict(row, stored=dict(row["stored"]))
        for key in ("data_dict", "validated_data_dict"):
            dataset = json.loads(row["stored"][key])
            if isinstance(dataset.get("extras"), list):
                dataset["extras"] = sorted(dataset["extras"], key=lambda extra: extra["key"])
            row["stored"][key] = dataset
        row["search_text"] = _without_positions(row["search_text"])
        out[name] = row
    return out


def _without_positions(vector: str) -> dict[str, list[str]]:
    """A tsvector's text as {lexeme: the weight of each of its occurrences, sorted}."""
    return {lexeme: sorted(position.lstrip("0123456789") or "D"
                           for position in positions.split(","))
            for lexeme, positions in _LEXEME.findall(vector)}


_LEXEME = re.compile(r"'((?:[^']|'')*)':([0-9A-D,]+)")


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
    assert comparable(documents()) == comparable(expected)
    # validated under the Québec schema: keywords by language
    assert json.loads(expected["zones-inondables"]["stored"]["validated_data_dict"])[
        "keywords"] == {"fr": ["vélo", "piste cyclable"], "en": ["bike"]}
    if indexing.BOTH_SCHEMAS:  # CKAN 2.12
        assert sorted(validations) == sorted(2 * ["pistes-cyclables", "zones-inondables"])
