"""The demo loader with quebec_partners: the demo partner list is applied on the first load."""
from __future__ import annotations

import csv
import os

import pytest

from ckan.tests import helpers

from ckanext.quebec.demo import loader
from ckanext.quebec.partners import loader as partners_loader
from ckanext.quebec.schema import vocabularies

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "uploads_removed"),
    pytest.mark.ckan_config(
        "ckan.plugins",
        "quebec_search scheming_datasets scheming_organizations quebec_schema quebec_partners"),
]

PARTNERS_CSV = os.path.join(os.path.dirname(partners_loader.__file__), "data", "partners-demo.csv")


def _demo_partners() -> dict[str, dict[str, str]]:
    with open(PARTNERS_CSV, encoding="utf-8") as stream:
        return {row["name"]: row for row in csv.DictReader(stream)}


def _organizations() -> dict[str, dict]:
    return {org["name"]: org for org in helpers.call_action(
        "organization_list", all_fields=True, include_extras=True, limit=1000)}


def test_the_first_load_applies_the_demo_partners_and_a_second_leaves_them(small_catalogue):
    path = small_catalogue(loader.read_catalogue()["datasets"][0]["name"])

    report = loader.load(path)

    expected = _demo_partners()
    organizations = _organizations()
    assert set(expected) <= set(organizations)
    for name, row in expected.items():
        assert organizations[name].get("partner_type", "") == row["partner_type"], name
        assert (organizations[name].get("organisation_principale") or "") == \
            row["organisation_principale"], name
    typed = {org.get("partner_type") for org in organizations.values()}
    assert {entry["value"] for entry in vocabularies.get("partner_types")} <= typed
    assert any(line.startswith("created: ") for line in report.lines())

    # An administrator changes a demo partner; loading again keeps the change.
    municipality = next(name for name, row in expected.items()
                        if row["partner_type"] == "municipalite")
    helpers.call_action("organization_patch", id=municipality, region="01")
    second = loader.load(path)
    assert second.partner_lines == []
    assert helpers.call_action("organization_show", id=municipality)["region"] == "01"
