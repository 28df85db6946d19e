"""The demo loader under the Québec schema: bilingual datasets, search, files, idempotency.

tests/demo/test_loader_core.py loads the same catalogue without the schema plugins.
"""
from __future__ import annotations

import json
import os
from urllib.parse import urlparse

import pytest

from ckan import model
from ckan.tests import helpers

from ckanext.quebec.demo import loader
from ckanext.quebec.schema import vocabularies

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "uploads_removed"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search scheming_datasets quebec_schema"),
]

CATALOGUE = loader.read_catalogue()
FILES = loader.files_directory(loader.default_catalogue_path())
DATASETS = {dataset["name"]: dataset for dataset in CATALOGUE["datasets"]}
RESOURCE_COUNT = sum(len(dataset["resources"]) for dataset in DATASETS.values())


def _file_bytes(filename: str) -> bytes:
    with open(os.path.join(FILES, filename), "rb") as stream:
        return stream.read()


def _search(**params) -> dict:
    return helpers.call_action("package_search", rows=100, **params)


def _names(**params) -> set[str]:
    return {dataset["name"] for dataset in _search(**params)["results"]}


def test_the_whole_catalogue_loads_under_the_schema(app):
    # One load for all the checks: loading 30+ datasets takes a while.
    report = loader.load()

    assert report.counts() == {
        "organization": {"created": len(CATALOGUE["organizations"]), "kept": 0},
        "group": {"created": 12, "kept": 0},
        "dataset": {"created": len(DATASETS), "kept": 0},
        "resource": {"created": RESOURCE_COUNT, "kept": 0},
    }
    assert len(DATASETS) >= 30
    assert set(helpers.call_action("package_list")) == set(DATASETS)
    _check_schema_fields()
    _check_french_only_and_machine_translated()
    _check_search()
    _check_files_served(app)
    _check_pages(app)
    _check_second_load_creates_nothing()


def _check_schema_fields():
    for name, expected in DATASETS.items():
        dataset = helpers.call_action("package_show", id=name)
        assert dataset["state"] == "active"
        assert dataset["title_translated"] == {k: v.strip() for k, v in expected["title"].items()}
        assert dataset["notes_translated"] == {k: v.strip() for k, v in expected["notes"].items()}
        assert dataset["keywords"] == expected["keywords"]
        assert dataset["title"] == expected["title"]["fr"]
        assert dataset["notes"] == expected["notes"]["fr"].strip()
        assert dataset["organization"]["name"] == expected["organization"]
        assert dataset["organisation_principale"] == expected["organisation_principale"]
        assert dataset["update_frequency"] == expected["update_frequency"]
        assert dataset["temporal_start"] == expected["temporal_start"]
        assert dataset.get("temporal_end") == expected.get("temporal_end")
        assert dataset["language"] == expected["language"]
        assert dataset["license_id"] == "cc-by"
        assert dataset["author_email"] == expected["author_email"]
        assert set(dataset["categories"]) == set(expected["categories"])
        assert {group["name"] for group in dataset["groups"]} == set(expected["categories"])
        assert dataset.get("territories", []) == [
            entry["value"] for entry in vocabularies.get("territories")
            if entry["value"] in expected.get("territories", [])]
        # the extent given, else the territories' box
        box = expected.get("extent") or vocabularies.envelope(
            "territories", expected.get("territories", []))
        if box:
            west, south, east, north = box
            assert json.loads(dataset["spatial"])["coordinates"][0][2] == [east, north]
        else:
            assert not dataset.get("spatial")
        if expected.get("methodologie"):
            assert dataset["methodologie_translated"]["fr"] == expected["methodologie"]["fr"].strip()

        assert [resource["name"] for resource in dataset["resources"]] == [
            resource["name"]["fr"] for resource in expected["resources"]]
        for resource, wanted in zip(dataset["resources"], expected["resources"]):
            assert resource["name_translated"] == wanted["name"]
            assert resource["resource_type"] == wanted["resource_type"]
            if wanted.get("description"):
                assert resource["description"] == wanted["description"]["fr"].strip()
            if wanted.get("conformite"):
                for answer, value in CATALOGUE["conformite"][wanted["conformite"]].items():
                    assert resource[f"conformite_{answer}"] == value
            if wanted.get("file"):
                assert resource["url_type"] == "upload"
                assert resource["size"] == len(_file_bytes(wanted["file"]))
                assert float(resource["taille_entier"]) > 0
            else:
                assert resource["url"] == wanted["url"] and resource["format"] == wanted["format"]


def _check_french_only_and_machine_translated():
    snow = helpers.call_action("package_show", id="operations-de-deneigement")
    assert set(snow["title_translated"]) == {"fr"} and set(snow["keywords"]) == {"fr"}
    fountains = helpers.call_action("package_show", id="fontaines-eau-potable")
    assert fountains["title_translated"] == {
        "fr": "Fontaines d'eau potable", "en-t-fr": "Drinking water fountains"}
    assert "en-t-fr" in fountains["resources"][0]["name_translated"]
    french_only = {name for name, d in DATASETS.items() if set(d["title"]) == {"fr"}}
    machine = {name for name, d in DATASETS.items() if "en-t-fr" in d["title"]}
    assert len(french_only) >= 4 and len(machine) >= 4


def _check_search():
    assert _names() == set(DATASETS)
    bike = _names(q="bike")
    assert {"reseau-cyclable", "comptages-velos"} <= bike
    assert "piscines-et-pataugeoires" not in bike
    assert {"reseau-cyclable", "comptages-velos"} <= _names(q="vélo")
    assert {"reseau-cyclable", "comptages-velos"} <= _names(q="velo")
    assert "zones-inondables" in _names(q="flood")
    assert "zones-inondables" in _names(q="inondables")
    # Machine-translated English is searched too.
    assert "fontaines-eau-potable" in _names(q="fountains")
    assert _names(fq="organization:ville-de-montreal") == {
        name for name, d in DATASETS.items() if d["organization"] == "ville-de-montreal"}

    facets = _search(**{"facet.field": '["groups"]', "facet.limit": -1})["facets"]["groups"]
    expected = {}
    for dataset in DATASETS.values():
        for category in dataset["categories"]:
            expected[category] = expected.get(category, 0) + 1
    assert facets == expected
    assert _names(fq="groups:gouvernement-finances") == {
        name for name, d in DATASETS.items() if "gouvernement-finances" in d["categories"]}


def _check_files_served(app):
    for name, expected in DATASETS.items():
        dataset = helpers.call_action("package_show", id=name)
        for resource, wanted in zip(dataset["resources"], expected["resources"]):
            if not wanted.get("file"):
                continue
            path = urlparse(resource["url"]).path
            assert path == (f"/dataset/{dataset['id']}/resource/{resource['id']}"
                            f"/download/{wanted['file']}")
            response = app.get(path)
            assert response.status_code == 200
            assert response.get_data() == _file_bytes(wanted["file"])


def _check_pages(app):
    # A bilingual, a machine-translated and a French-only dataset, in English.
    for name, title in (("reseau-cyclable", "Bike network"),
                        ("fontaines-eau-potable", "Drinking water fountains"),
                        ("collecte-bac-brun", "Calendrier de la collecte du bac brun")):
        response = app.get(f"/dataset/{name}")
        assert response.status_code == 200
        assert title in response.get_data(as_text=True)
    # The stock search page facets on the categories' groups.
    response = app.get("/dataset/", query_string={"groups": "transport"})
    assert response.status_code == 200
    transport = sum("transport" in d["categories"] for d in DATASETS.values())
    assert f"{transport} datasets found" in response.get_data(as_text=True)


def _check_second_load_creates_nothing():
    helpers.call_action("package_patch", id="reseau-cyclable",
                        title_translated={"fr": "Réseau cyclable 2026", "en": "Bike network 2026"})
    helpers.call_action("package_delete", id="budget-municipal")

    report = loader.load()

    assert report.counts() == {
        "organization": {"created": 0, "kept": len(CATALOGUE["organizations"])},
        "group": {"created": 0, "kept": 12},
        "dataset": {"created": 0, "kept": len(DATASETS)},
        "resource": {"created": 0, "kept": RESOURCE_COUNT},
    }
    assert helpers.call_action("package_show", id="reseau-cyclable")["title"] == (
        "Réseau cyclable 2026")
    assert helpers.call_action("package_show", id="budget-municipal")["state"] == "deleted"
    assert model.Session.query(model.Package).count() == len(DATASETS)
    assert model.Session.query(model.Resource).filter_by(state="active").count() == RESOURCE_COUNT


def test_an_interrupted_load_is_finished_by_the_next(interrupted_load, small_catalogue):
    path = small_catalogue("qualite-de-l-air", "reseau-cyclable")
    interrupted_load(path)
    assert helpers.call_action("package_show", id="qualite-de-l-air")["state"] == "draft"

    report = loader.load(path)

    assert report.created("dataset") == ["qualite-de-l-air"]
    assert report.kept("dataset") == ["reseau-cyclable"]
    assert "qualite-de-l-air/qualite-air-horaire-2025-01.csv" in report.kept("resource")
    dataset = helpers.call_action("package_show", id="qualite-de-l-air")
    assert dataset["state"] == "active"
    assert dataset["title_translated"]["en"] == "Air quality – hourly measurements"
    assert [resource["name"] for resource in dataset["resources"]] == [
        resource["name"]["fr"] for resource in DATASETS["qualite-de-l-air"]["resources"]]
