"""The demo catalogue: its description and files, the loader, `ckan quebec demo load`."""
from __future__ import annotations

import csv
import datetime
import json
import os
from urllib.parse import urlparse

import pytest
import yaml

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import uploader
from ckan.tests import helpers

from ckanext.quebec.demo import loader

# Domain notes §4.1: the portal's categories.
CATEGORIES = {
    "agriculture-alimentation": "Agriculture et alimentation",
    "economie-entreprises": "Économie et entreprises",
    "education-recherche": "Éducation et recherche",
    "environnement-ressources-naturelles-energie":
        "Environnement, ressources naturelles et énergie",
    "gouvernement-finances": "Gouvernement et finances",
    "infrastructures": "Infrastructures",
    "loi-justice-securite-publique": "Loi, justice et sécurité publique",
    "politiques-sociales": "Politiques sociales",
    "sante": "Santé",
    "societe-culture": "Société et culture",
    "tourisme-sports-loisirs": "Tourisme, sports et loisirs",
    "transport": "Transport",
}
# Domain notes §4.2: update frequency codes.
FREQUENCIES = {
    "continuous", "hourly", "daily", "weekly", "fortnightly", "bimonthly", "monthly",
    "quarterly", "semiannual", "annual", "biennial", "triennial", "quinquennial",
    "irregular", "asNeeded", "notPlanned", "archives",
}
# Domain notes §3: resource types.
RESOURCE_TYPES = {"donnees", "cartes", "web", "documentation"}
# Longitude and latitude around Québec, in EPSG:4326.
QUEBEC_BOUNDS = ((-80.0, -57.0), (44.0, 63.0))

CATALOGUE = loader.read_catalogue()
FILES = loader.files_directory(loader.default_catalogue_path())
DATASET_NAMES = {dataset["name"] for dataset in CATALOGUE["datasets"]}
RESOURCE_COUNT = sum(len(dataset["resources"]) for dataset in CATALOGUE["datasets"])


def _file_bytes(filename: str) -> bytes:
    with open(os.path.join(FILES, filename), "rb") as stream:
        return stream.read()


def _catalogue_dataset(name: str) -> dict:
    return next(dataset for dataset in CATALOGUE["datasets"] if dataset["name"] == name)


# -- the catalogue file, without a database --------------------------------------------

def test_catalogue_has_the_portal_publishers_and_categories():
    organizations = CATALOGUE["organizations"]
    assert 6 <= len(organizations) <= 8
    for organization in organizations:
        assert organization["name"].isascii() and organization["name"] == organization["name"].lower()
    assert {group["name"]: group["title"] for group in CATALOGUE["groups"]} == CATEGORIES


def test_catalogue_datasets_follow_the_portal_guidelines():
    datasets = CATALOGUE["datasets"]
    assert 10 <= len(datasets) <= 12
    assert len({dataset["organization"] for dataset in datasets}) == len(CATALOGUE["organizations"])
    for dataset in datasets:
        assert dataset["update_frequency"] in FREQUENCIES, dataset["name"]
        assert dataset.get("license_id", "cc-by") == "cc-by"
        assert dataset["title"] and dataset["notes"] and dataset["tags"] and dataset["groups"]
        assert dataset["author"] and "@" in dataset["author_email"] and dataset["url"]
        assert 1 <= len(dataset["resources"]) <= 3, dataset["name"]
        assert any(resource["resource_type"] == "donnees" for resource in dataset["resources"])
        for resource in dataset["resources"]:
            assert resource["resource_type"] in RESOURCE_TYPES
            assert 300 <= os.path.getsize(os.path.join(FILES, resource["file"])) <= 120_000


def test_catalogue_problems_are_all_reported(tmp_path):
    broken = dict(CATALOGUE, datasets=[dict(
        _catalogue_dataset("reseau-cyclable"),
        organization="ville-inconnue",
        groups=["transport", "categorie-inconnue"],
        resources=[{"file": "absent.csv", "name": "Absent"}, {"file": "carte.kmz", "name": "Carte"}],
    )])
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")

    with pytest.raises(loader.CatalogueError) as error:
        loader.read_catalogue(str(path))
    message = str(error.value)
    assert "unknown organization ville-inconnue" in message
    assert "unknown group categorie-inconnue" in message
    assert "no file absent.csv" in message
    assert "no format declared for carte.kmz" in message


@pytest.mark.parametrize("filename", sorted(
    name for name in os.listdir(FILES) if name.endswith(".csv")))
def test_csv_files_are_comma_separated_utf8_tables(filename):
    text = _file_bytes(filename).decode("utf-8")
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    assert all(header) and len(set(header)) == len(header)
    assert body and all(len(row) == len(header) for row in body)
    if "longitude" in header:
        lon, lat = header.index("longitude"), header.index("latitude")
        for row in body:
            assert QUEBEC_BOUNDS[0][0] < float(row[lon]) < QUEBEC_BOUNDS[0][1]
            assert QUEBEC_BOUNDS[1][0] < float(row[lat]) < QUEBEC_BOUNDS[1][1]


@pytest.mark.parametrize("filename", sorted(
    name for name in os.listdir(FILES) if name.endswith(".geojson")))
def test_geojson_files_are_feature_collections_in_wgs84(filename):
    collection = json.loads(_file_bytes(filename).decode("utf-8"))
    assert collection["type"] == "FeatureCollection" and collection["features"]

    def points(coordinates):
        if isinstance(coordinates[0], (int, float)):
            yield coordinates
        else:
            for part in coordinates:
                yield from points(part)

    for feature in collection["features"]:
        assert feature["properties"]
        for lon, lat in points(feature["geometry"]["coordinates"]):
            assert QUEBEC_BOUNDS[0][0] < lon < QUEBEC_BOUNDS[0][1]
            assert QUEBEC_BOUNDS[1][0] < lat < QUEBEC_BOUNDS[1][1]


def test_hourly_air_quality_is_dated_in_iso_8601():
    with open(os.path.join(FILES, "qualite-air-horaire-2025-01.csv"), encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    moments = [datetime.datetime.fromisoformat(row["date_heure"]) for row in rows]
    assert all(moment.utcoffset() is not None for moment in moments)
    assert {moment.minute for moment in moments} == {0}


# -- loading into CKAN ----------------------------------------------------------------

@pytest.fixture
def uploads_removed():
    """Remove the files the test uploaded, so test runs leave none behind."""
    yield
    for (resource_id,) in model.Session.query(model.Resource.id).filter_by(url_type="upload"):
        path = uploader.get_resource_uploader({}).get_path(resource_id)
        if isinstance(path, str) and os.path.isabs(path) and os.path.isfile(path):
            os.remove(path)
            for folder in (os.path.dirname(path), os.path.dirname(os.path.dirname(path))):
                if not os.listdir(folder):
                    os.rmdir(folder)


@pytest.mark.usefixtures("clean_db", "uploads_removed")
@pytest.mark.ckan_config("ckan.plugins", "quebec_search")
class TestLoad:
    def test_cli_creates_the_whole_catalogue(self, cli):
        result = cli.invoke(ckan, ["quebec", "demo", "load"])

        assert result.exit_code == 0, result.output
        assert "created organization ville-de-montreal" in result.output
        assert "created dataset reseau-cyclable" in result.output
        assert result.output.strip().splitlines()[-1] == (
            f"Demo catalogue loaded: organizations {len(CATALOGUE['organizations'])} created"
            f" / 0 kept, groups 12 created / 0 kept, datasets {len(DATASET_NAMES)} created"
            f" / 0 kept, resources {RESOURCE_COUNT} created / 0 kept.")

        assert set(helpers.call_action("organization_list")) == {
            organization["name"] for organization in CATALOGUE["organizations"]}
        groups = helpers.call_action("group_list", all_fields=True)
        assert {group["name"]: group["title"] for group in groups} == CATEGORIES
        assert set(helpers.call_action("package_list")) == DATASET_NAMES

        for expected in CATALOGUE["datasets"]:
            dataset = helpers.call_action("package_show", id=expected["name"])
            assert dataset["state"] == "active"
            assert dataset["title"] == expected["title"]
            assert dataset["organization"]["name"] == expected["organization"]
            assert dataset["license_id"] == "cc-by"
            assert dataset["author_email"] == expected["author_email"]
            assert {tag["name"] for tag in dataset["tags"]} == set(expected["tags"])
            assert {group["name"] for group in dataset["groups"]} == set(expected["groups"])
            extras = {extra["key"]: extra["value"] for extra in dataset["extras"]}
            assert extras == {
                "organisation_principale": expected["organisation_principale"],
                "update_frequency": expected["update_frequency"],
            }
            assert [resource["name"] for resource in dataset["resources"]] == [
                resource["name"] for resource in expected["resources"]]
            for resource, wanted in zip(dataset["resources"], expected["resources"]):
                assert resource["url_type"] == "upload"
                assert resource["url"].endswith("/download/" + wanted["file"])
                assert resource["size"] == len(_file_bytes(wanted["file"]))
                assert resource["resource_type"] == wanted["resource_type"]
                assert resource["format"] in ("CSV", "GeoJSON")

    def test_second_run_creates_nothing_and_keeps_edits(self, cli):
        loader.load()
        helpers.call_action("package_patch", id="reseau-cyclable", title="Réseau cyclable 2026")
        parking = helpers.call_action("package_show", id="stationnements-publics")
        helpers.call_action("resource_delete", id=parking["resources"][1]["id"])
        helpers.call_action("group_patch", id="sante", title="Santé et services sociaux")
        helpers.call_action("package_delete", id="budget-municipal")

        result = cli.invoke(ckan, ["quebec", "demo", "load"])
        assert result.exit_code == 0, result.output
        assert "kept dataset reseau-cyclable" in result.output
        assert not [line for line in result.output.splitlines() if line.startswith("created ")]
        report = loader.load()

        assert report.counts() == {
            "organization": {"created": 0, "kept": len(CATALOGUE["organizations"])},
            "group": {"created": 0, "kept": 12},
            "dataset": {"created": 0, "kept": len(DATASET_NAMES)},
            # the deleted resource is not put back, and not reported as kept
            "resource": {"created": 0, "kept": RESOURCE_COUNT - 1},
        }
        assert helpers.call_action("package_show", id="reseau-cyclable")["title"] == (
            "Réseau cyclable 2026")
        assert len(helpers.call_action(
            "package_show", id="stationnements-publics")["resources"]) == 1
        assert helpers.call_action("group_show", id="sante")["title"] == "Santé et services sociaux"
        assert helpers.call_action("package_show", id="budget-municipal")["state"] == "deleted"
        assert model.Session.query(model.Package).count() == len(DATASET_NAMES)
        assert model.Session.query(model.Resource).filter_by(state="active").count() == (
            RESOURCE_COUNT - 1)

    def test_an_interrupted_load_is_finished_by_the_next(self, monkeypatch):
        upload = loader._Loader._upload_resource

        def fail_on_second_file(self, dataset_id, resource):
            if resource["file"] == "stations-qualite-air.csv":
                raise RuntimeError("disk full")
            upload(self, dataset_id, resource)

        monkeypatch.setattr(loader._Loader, "_upload_resource", fail_on_second_file)
        with pytest.raises(RuntimeError):
            loader.load()
        assert helpers.call_action("package_show", id="qualite-de-l-air")["state"] == "draft"
        monkeypatch.setattr(loader._Loader, "_upload_resource", upload)

        report = loader.load()

        assert "qualite-de-l-air" in report.created("dataset")
        assert "qualite-de-l-air/qualite-air-horaire-2025-01.csv" in report.kept("resource")
        dataset = helpers.call_action("package_show", id="qualite-de-l-air")
        assert dataset["state"] == "active"
        assert [resource["name"] for resource in dataset["resources"]] == [
            resource["name"] for resource in _catalogue_dataset("qualite-de-l-air")["resources"]]

    def test_search_finds_the_demo_datasets(self):
        loader.load()

        def names(**params):
            return {dataset["name"] for dataset in
                    helpers.call_action("package_search", rows=100, **params)["results"]}

        assert names() == DATASET_NAMES
        assert names(q="cyclables") == {"reseau-cyclable"}
        assert names(q="écoles") == {"ecoles-primaires"}
        assert names(q="inondables") == {"zones-inondables"}
        assert names(fq="organization:ville-de-montreal") == {
            "reseau-cyclable", "arbres-publics", "collisions-routieres"}
        assert names(fq='tags:"vélo"') == {"reseau-cyclable"}
        assert names(fq='tags:"sécurité routière"') == {"collisions-routieres"}
        assert names(fq="groups:gouvernement-finances") == {
            "budget-municipal", "repertoire-des-municipalites"}
        assert names(fq="extras_update_frequency:hourly") == {"qualite-de-l-air"}
        assert names(fq="res_format:GeoJSON") == {
            dataset["name"] for dataset in CATALOGUE["datasets"]
            if any(resource["file"].endswith(".geojson") for resource in dataset["resources"])}

    def test_the_portal_serves_every_resource_file(self, app):
        loader.load()

        for expected in CATALOGUE["datasets"]:
            dataset = helpers.call_action("package_show", id=expected["name"])
            for resource, wanted in zip(dataset["resources"], expected["resources"]):
                assert urlparse(resource["url"]).path == (
                    f"/dataset/{dataset['id']}/resource/{resource['id']}/download/{wanted['file']}")
                response = app.get(urlparse(resource["url"]).path)
                assert response.status_code == 200
                assert response.get_data() == _file_bytes(wanted["file"])
