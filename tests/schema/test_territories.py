"""Geographic coverage as territories: validated, indexed with the territories they lie in,
and filling the spatial extent when none is given."""
from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers as th

from .test_dataset_api import dataset_dict

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]

LAVAL_BOX = {"type": "Polygon", "coordinates": [[
    [-73.89, 45.51], [-73.52, 45.51], [-73.52, 45.70], [-73.89, 45.70], [-73.89, 45.51]]]}


@pytest.fixture
def org():
    return factories.Organization()


def _without_spatial(org_id: str, **changes) -> dict:
    dataset = dataset_dict(org_id, **changes)
    dataset.pop("spatial")
    return dataset


def test_territories_are_stored_in_the_vocabulary_order(org):
    created = th.call_action("package_create", **dataset_dict(
        org["id"], territories=["municipalite-laval", "region-montreal"]))
    assert created["territories"] == ["region-montreal", "municipalite-laval"]


@pytest.mark.parametrize("value", [["atlantis"], [1], {"fr": "laval"}])
def test_an_unknown_territory_is_refused(org, value):
    with pytest.raises(tk.ValidationError) as raised:
        th.call_action("package_create", **dataset_dict(org["id"], territories=value))
    assert list(raised.value.error_dict) == ["territories"]


def test_the_territories_box_fills_a_missing_extent(org):
    created = th.call_action("package_create", **_without_spatial(
        org["id"], territories=["municipalite-laval"]))
    assert json.loads(created["spatial"]) == LAVAL_BOX


def test_an_extent_given_is_kept(org):
    created = th.call_action("package_create", **dataset_dict(
        org["id"], territories=["municipalite-laval"]))
    assert json.loads(created["spatial"]) == {"type": "Point", "coordinates": [-73.56, 45.5]}
    created["territories"] = ["municipalite-gatineau"]
    updated = th.call_action("package_update", **created)
    assert json.loads(updated["spatial"]) == {"type": "Point", "coordinates": [-73.56, 45.5]}


def test_a_filled_extent_follows_the_territories(org):
    created = th.call_action("package_create", **_without_spatial(
        org["id"], territories=["municipalite-laval"]))
    updated = th.call_action("package_patch", id=created["id"],
                             territories=["municipalite-laval", "municipalite-montreal"])
    # the box around Laval and Montréal
    assert json.loads(updated["spatial"])["coordinates"][0][0] == [-73.98, 45.41]
    assert json.loads(updated["spatial"])["coordinates"][0][2] == [-73.47, 45.70]
    # no territory left: no extent left either
    updated["territories"] = []
    emptied = th.call_action("package_update", **updated)
    assert not emptied.get("territories") and not emptied.get("spatial")


def test_no_territory_no_extent(org):
    created = th.call_action("package_create", **_without_spatial(org["id"]))
    assert not created.get("spatial")


def test_a_region_finds_its_municipalities_datasets(org):
    th.call_action("package_create", **dataset_dict(
        org["id"], name="laval", territories=["municipalite-laval"]))
    th.call_action("package_create", **dataset_dict(
        org["id"], name="gatineau", territories=["municipalite-gatineau"]))
    found = th.call_action("package_search", fq='territories:"region-laval"')
    assert [d["name"] for d in found["results"]] == ["laval"]
    assert found["results"][0]["territories"] == ["municipalite-laval"]
    found = th.call_action("package_search", fq="territories:quebec")
    assert found["count"] == 2
