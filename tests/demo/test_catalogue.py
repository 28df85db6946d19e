"""The demo catalogue file and its data files, checked without a database."""
from __future__ import annotations

import csv
import datetime
import json
import os

import pytest
import yaml

from ckanext.quebec.demo import loader
from ckanext.quebec.schema import extent

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
RESOURCE_TYPES = {"donnees", "cartes", "web", "documentation"}
COMPLIANCE = {"separateur_virgule", "encodage_utf8", "scr", "non_compresse", "valeurs_vides",
              "separateur_decimal", "unites", "booleens", "dates_iso"}
CATALOGUE = loader.read_catalogue()
FILES = loader.files_directory(loader.default_catalogue_path())
DATASETS = CATALOGUE["datasets"]


def _file_bytes(filename: str) -> bytes:
    with open(os.path.join(FILES, filename), "rb") as stream:
        return stream.read()


def _in_quebec(lon: float, lat: float) -> bool:
    """Within Québec's extent as the dataset validator takes it (edges included)."""
    return extent.contains_degrees(lon, lat)


def test_catalogue_has_the_portal_publishers_and_categories():
    organizations = CATALOGUE["organizations"]
    assert len(organizations) == 8
    for organization in organizations:
        assert organization["name"].isascii() and organization["name"] == organization["name"].lower()
    assert {group["name"]: group["title"] for group in CATALOGUE["groups"]} == CATEGORIES


def test_catalogue_has_30_bilingual_datasets_some_french_only_some_machine_translated():
    assert len(DATASETS) >= 30
    assert {dataset["organization"] for dataset in DATASETS} == {
        organization["name"] for organization in CATALOGUE["organizations"]}
    french_only = [d["name"] for d in DATASETS if set(d["title"]) == {"fr"}]
    machine = [d["name"] for d in DATASETS if "en-t-fr" in d["title"]]
    assert 4 <= len(french_only) <= 6 and 4 <= len(machine) <= 6
    for dataset in DATASETS:
        # One language policy for the whole dataset description.
        keys = set(dataset["title"])
        assert set(dataset["notes"]) == set(dataset["keywords"]) == keys, dataset["name"]
        for resource in dataset["resources"]:
            assert set(resource["name"]) == keys, (dataset["name"], resource["name"])


def test_catalogue_datasets_follow_the_portal_guidelines():
    for dataset in DATASETS:
        name = dataset["name"]
        assert dataset["update_frequency"] in FREQUENCIES, name
        assert dataset.get("license_id", "cc-by") == "cc-by"
        assert set(dataset["categories"]) <= set(CATEGORIES), name
        assert dataset["author"] and "@" in dataset["author_email"], name
        assert dataset["url"].startswith("https://"), name
        assert dataset["language"] in ("FR", "EN", "FR_EN"), name
        start = datetime.date.fromisoformat(dataset["temporal_start"])
        if dataset.get("temporal_end"):
            assert start <= datetime.date.fromisoformat(dataset["temporal_end"]), name
        if dataset.get("extent"):
            west, south, east, north = dataset["extent"]
            assert _in_quebec(west, south) and _in_quebec(east, north), name
        # every dataset has a geographic coverage; a city's data covers the city
        assert dataset.get("territories") or dataset.get("extent"), name
        if dataset["organization"].startswith("ville-de-") and dataset.get("territories"):
            city = dataset["organization"][len("ville-de-"):]
            assert dataset["territories"] == [f"municipalite-{city}"], name
        assert 1 <= len(dataset["resources"]) <= 3, name
        assert any(r["resource_type"] == "donnees" and r.get("file") for r in dataset["resources"])
        for resource in dataset["resources"]:
            assert resource["resource_type"] in RESOURCE_TYPES
            if resource.get("file"):
                assert 300 <= os.path.getsize(os.path.join(FILES, resource["file"])) <= 120_000
            else:
                assert resource["url"].startswith("https://") and resource["format"]
    kinds = {r["resource_type"] for d in DATASETS for r in d["resources"]}
    assert kinds == RESOURCE_TYPES


def test_compliance_profiles_answer_the_nine_questions():
    for profile, answers in CATALOGUE["conformite"].items():
        assert set(answers) == COMPLIANCE, profile
        assert set(answers.values()) <= {"oui", "non", "n/a"}, profile


def test_every_data_file_is_used():
    used = {r["file"] for d in DATASETS for r in d["resources"] if r.get("file")}
    assert used == set(os.listdir(FILES))


def test_catalogue_problems_are_all_reported(tmp_path):
    broken = dict(CATALOGUE, datasets=[dict(
        next(d for d in DATASETS if d["name"] == "reseau-cyclable"),
        title={"en": "Bike network"},
        keywords={"fr": ["vélo"], "de": ["Fahrrad"]},
        organization="ville-inconnue",
        categories=["transport", "categorie-inconnue"],
        territories=["municipalite-montreal", "atlantide"],
        extent=[-71.0, 46.0, -72.0, 47.0],
        resources=[
            {"file": "absent.csv", "name": {"fr": "Absent"}, "resource_type": "donnees"},
            {"file": "carte.kmz", "name": {"fr": "Carte"}, "resource_type": "cartes",
             "conformite": "inconnue"},
            {"url": "http://example.com", "name": {"fr": "Lien"}, "resource_type": "web"},
        ],
    )])
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")

    with pytest.raises(loader.CatalogueError) as error:
        loader.read_catalogue(str(path))
    message = str(error.value)
    assert "dataset reseau-cyclable has no French title" in message
    assert "keywords has unknown language keys ['de']" in message
    assert "unknown organization ville-inconnue" in message
    assert "unknown category categorie-inconnue" in message
    assert "unknown territory atlantide" in message
    assert "the extent is not [west, south, east, north]" in message
    assert "no file absent.csv" in message
    assert "no format declared for carte.kmz" in message
    assert "unknown conformite inconnue" in message
    assert "resource http://example.com has neither a file nor an https url" in message


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
            assert _in_quebec(float(row[lon]), float(row[lat])), row


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
            assert _in_quebec(lon, lat), (lon, lat)


def test_hourly_air_quality_is_dated_in_iso_8601():
    with open(os.path.join(FILES, "qualite-air-horaire-2025-01.csv"), encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    moments = [datetime.datetime.fromisoformat(row["date_heure"]) for row in rows]
    assert all(moment.utcoffset() is not None for moment in moments)
    assert {moment.minute for moment in moments} == {0}
