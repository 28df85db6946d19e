"""The metadata score: MQA points per indicator, bands, Québec checks, the level's caps, freshness."""
from __future__ import annotations

import datetime

import pytest

from ckanext.quebec.quality import score

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
COMPLIANCE = {name: "oui" for name in score.COMPLIANCE_FIELDS}


def complete() -> dict:
    """A dataset that earns every point it can (all but the rights statement's, see below)."""
    return {
        "id": "d", "title": "Vélos", "notes": "Comptages", "owner_org": "o", "license_id": "cc-by",
        "title_translated": {"fr": "Vélos", "en": "Bicycles"}, "notes_translated": {"fr": "Comptages", "en": "Counts"},
        "keywords": {"fr": ["vélo"], "en": ["bicycle"]}, "categories": ["transport"],
        "spatial": '{"type": "Point", "coordinates": [-71.2, 46.8]}', "temporal_start": "2020-01-01",
        "author_email": "donnees@example.org", "update_frequency": "annual", "rights": "© Québec",
        "metadata_created": "2026-01-01T00:00:00", "metadata_modified": "2026-05-01T00:00:00",
        "resources": [
            dict(COMPLIANCE, id="r1", url="http://x/a.csv", url_type="upload", format="CSV", size=10,
                 resource_type="donnees", data_dictionary="id: identifiant"),
            dict(id="r2", url="http://x/doc.pdf", format="PDF", resource_type="documentation", size=5),
        ],
    }


LINKS = {"r1": {"ok": True}, "r2": {"ok": True}}


def points(result: score.Score) -> dict[str, int]:
    return {check.name: check.points for check in result.checks}


def test_the_405_points_are_split_as_in_the_mqa():
    maxima = {check.name: check.max for check in score.score({}).checks if check.dimension != "quebec"}
    assert maxima == {
        "keywords": 30, "categories": 30, "spatial": 20, "temporal": 20,
        "access_url": 50, "download_url": 20, "download_url_works": 30,
        "format": 20, "media_type": 10, "format_vocabulary": 10, "non_proprietary": 20, "machine_readable": 20,
        "dcat_ap": 30,
        "licence": 20, "licence_vocabulary": 10, "access_rights": 10, "access_rights_vocabulary": 5,
        "contact_point": 20, "publisher": 10,
        "rights": 5, "byte_size": 5, "issued": 5, "modified": 5,
    }
    assert sum(maxima.values()) == score.MQA_MAX == 405


def test_a_complete_dataset():
    result = score.score(complete(), LINKS, "valid", NOW)
    lost = {check.name: check.max - check.points for check in result.checks if not check.passed}
    # r2 (a PDF link) is no download, not machine-readable; 1 of 2 resources
    assert lost == {"download_url": 10, "machine_readable": 10}
    assert result.total == 385
    assert (result.band, result.level) == ("excellent", "excellent")
    assert result.dimension("quebec") == {"score": 80, "max": 80}


def test_an_empty_dataset():
    result = score.score({"private": False}, {}, "not_checked", NOW)
    # only the public access rights count
    assert result.total == 15
    assert (result.band, result.level) == ("faible", "faible")


@pytest.mark.parametrize("total, band", [(405, "excellent"), (351, "excellent"), (350, "bon"), (221, "bon"),
                                         (220, "suffisant"), (121, "suffisant"), (120, "faible"), (0, "faible")])
def test_bands(total, band):
    assert score.band(total) == band


@pytest.mark.parametrize("validation, quebec, expected", [
    ("valid", {"score": 80, "max": 80}, "excellent"),
    ("not_checked", {"score": 80, "max": 80}, "excellent"),
    ("invalid", {"score": 80, "max": 80}, "suffisant"),
    ("error", {"score": 80, "max": 80}, "bon"),
    ("valid", {"score": 20, "max": 80}, "bon"),
])
def test_level_caps(validation, quebec, expected):
    assert score.level(400, validation, quebec) == expected
    assert score.level(100, validation, quebec) == "faible"


def test_broken_links_cost_accessibility_in_proportion():
    result = points(score.score(complete(), {"r1": {"ok": True}, "r2": {"ok": False}}, "valid", NOW))
    assert (result["access_url"], result["download_url_works"]) == (25, 30)
    result = points(score.score(complete(), {}, "valid", NOW))
    assert (result["access_url"], result["download_url_works"]) == (0, 0)


def test_quebec_checks():
    dataset = complete()
    dataset["title_translated"] = {"fr": "Vélos", "en": ""}
    dataset["resources"][0].pop("conformite_unites")
    dataset["resources"] = dataset["resources"][:1]
    dataset["resources"][0]["data_dictionary"] = ""
    result = points(score.score(dataset, LINKS, "valid", NOW))
    assert (result["both_languages"], result["compliance"], result["data_dictionary"]) == (0, 0, 0)


@pytest.mark.parametrize("frequency, modified, late", [
    ("annual", "2025-06-01T00:00:00", False), ("annual", "2025-05-01T00:00:00", True),
    ("monthly", "2026-04-01T00:00:00", True), ("irregular", "2000-01-01T00:00:00", None),
    ("daily", "2026-05-31T12:00:00+00:00", False),
])
def test_freshness(frequency, modified, late):
    assert score.is_late({"update_frequency": frequency, "metadata_modified": modified}, NOW) is late


def test_a_late_dataset_loses_the_freshness_points():
    dataset = dict(complete(), metadata_modified="2024-01-01T00:00:00")
    assert points(score.score(dataset, LINKS, "valid", NOW))["freshness"] == 0


def test_score_dict():
    result = score.score(complete(), LINKS, "valid", NOW).as_dict()
    assert (result["score"], result["max_score"], result["level"]) == (385, 405, "excellent")
    assert result["dimensions"]["findability"] == {"score": 100, "max": 100}
    assert all({"passed", "points", "max", "hint", "label"} <= set(check) for check in result["checks"])
