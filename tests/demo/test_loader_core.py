"""The demo loader without the schema plugins: the catalogue mapped onto core CKAN fields.

A module of its own because a class mark cannot override test_loader.py's module
mark: CKAN's ckan_config fixture applies the module's ckan.plugins last.
"""
from __future__ import annotations

import json
import os
from urllib.parse import urlparse

import pytest

from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.quebec.demo import loader

CATALOGUE = loader.read_catalogue()
FILES = loader.files_directory(loader.default_catalogue_path())
DATASETS = {dataset["name"]: dataset for dataset in CATALOGUE["datasets"]}
RESOURCE_COUNT = sum(len(dataset["resources"]) for dataset in DATASETS.values())


def _file_bytes(filename: str) -> bytes:
    with open(os.path.join(FILES, filename), "rb") as stream:
        return stream.read()


def _names(**params) -> set[str]:
    return {dataset["name"] for dataset in
            helpers.call_action("package_search", rows=100, **params)["results"]}


@pytest.mark.usefixtures("with_plugins", "clean_db", "uploads_removed")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
class TestLoadWithCoreFields:
    # Without quebec_search (on Solr) no plugin of this list brings `ckan quebec`.
    @pytest.mark.search_backend("postgres")
    def test_cli_loads_the_catalogue_onto_core_fields_and_a_second_run_keeps_edits(self, cli, app):
        result = cli.invoke(ckan, ["quebec", "demo", "load"])

        assert result.exit_code == 0, result.output
        assert "created organization ville-de-montreal" in result.output
        assert "created dataset reseau-cyclable" in result.output
        assert result.output.strip().splitlines()[-1] == (
            f"Demo catalogue loaded: organizations {len(CATALOGUE['organizations'])} created"
            f" / 0 kept, groups 12 created / 0 kept, datasets {len(DATASETS)} created"
            f" / 0 kept, resources {RESOURCE_COUNT} created / 0 kept.")
        assert set(helpers.call_action("package_list")) == set(DATASETS)

        for name, expected in DATASETS.items():
            dataset = helpers.call_action("package_show", id=name)
            assert dataset["state"] == "active"
            assert dataset["title"] == expected["title"]["fr"]
            assert dataset["notes"] == expected["notes"]["fr"].strip()
            assert {tag["name"] for tag in dataset["tags"]} == set(expected["keywords"]["fr"])
            assert {group["name"] for group in dataset["groups"]} == set(expected["categories"])
            extras = {extra["key"]: extra["value"] for extra in dataset["extras"]}
            assert extras["organisation_principale"] == expected["organisation_principale"]
            assert extras["update_frequency"] == expected["update_frequency"]
            assert extras["language"] == expected["language"]
            # Stored as the schema stores them, for a later switch to the schema.
            assert json.loads(extras["title_translated"]) == expected["title"]
            assert json.loads(extras["keywords"]) == expected["keywords"]
            assert ("spatial" in extras) == bool(expected.get("extent") or expected.get("territories"))
            assert json.loads(extras.get("territories", "[]")) == expected.get("territories", [])
            assert [resource["name"] for resource in dataset["resources"]] == [
                resource["name"]["fr"] for resource in expected["resources"]]
            for resource, wanted in zip(dataset["resources"], expected["resources"]):
                assert resource["resource_type"] == wanted["resource_type"]
                if wanted.get("file"):
                    assert resource["url_type"] == "upload"
                    response = app.get(urlparse(resource["url"]).path)
                    assert response.status_code == 200
                    assert response.get_data() == _file_bytes(wanted["file"])
                else:
                    assert resource["url"] == wanted["url"]

        cycling = _names(q="cyclables")
        assert {"reseau-cyclable", "comptages-velos"} <= cycling
        assert "piscines-et-pataugeoires" not in cycling
        assert "reseau-cyclable" in _names(fq='tags:"vélo"')
        assert _names(fq="groups:gouvernement-finances") == {
            name for name, d in DATASETS.items() if "gouvernement-finances" in d["categories"]}

        helpers.call_action("package_patch", id="reseau-cyclable", title="Réseau cyclable 2026")
        parking = helpers.call_action("package_show", id="stationnements-publics")
        helpers.call_action("resource_delete", id=parking["resources"][1]["id"])
        helpers.call_action("group_patch", id="sante", title="Santé et services sociaux")
        helpers.call_action("package_delete", id="budget-municipal")

        result = cli.invoke(ckan, ["quebec", "demo", "load"])

        assert result.exit_code == 0, result.output
        assert "kept dataset reseau-cyclable" in result.output
        assert not [line for line in result.output.splitlines() if line.startswith("created ")]
        assert helpers.call_action("package_show", id="reseau-cyclable")["title"] == (
            "Réseau cyclable 2026")
        assert len(helpers.call_action(
            "package_show", id="stationnements-publics")["resources"]) == 1
        assert helpers.call_action("group_show", id="sante")["title"] == "Santé et services sociaux"
        assert helpers.call_action("package_show", id="budget-municipal")["state"] == "deleted"
        assert model.Session.query(model.Package).count() == len(DATASETS)
        # the deleted resource is not put back
        assert model.Session.query(model.Resource).filter_by(state="active").count() == (
            RESOURCE_COUNT - 1)

    def test_an_interrupted_load_is_finished_by_the_next(self, interrupted_load, small_catalogue):
        path = small_catalogue("qualite-de-l-air")
        interrupted_load(path)
        assert helpers.call_action("package_show", id="qualite-de-l-air")["state"] == "draft"

        report = loader.load(path)

        assert report.created("dataset") == ["qualite-de-l-air"]
        assert "qualite-de-l-air/qualite-air-horaire-2025-01.csv" in report.kept("resource")
        assert helpers.call_action("package_show", id="qualite-de-l-air")["state"] == "active"
