"""Québec's extent is one fact: the dataset validator, the quality check and the preview's map agree at every edge.

Before schema/extent.py each had its own bounds: a GeoJSON file in
EPSG:32198 at x = 1.2 Mm passed the quality check as "in Québec" and its
coordinate columns were not mapped by the preview (x <= 1.0 Mm there).
"""
from __future__ import annotations

import json

import pytest
from pyproj import Transformer

import ckan.plugins.toolkit as tk

from ckanext.quebec.quality import validation
from ckanext.quebec.schema import extent, vocabularies
from ckanext.quebec.schema import validators as v
from ckanext.quebec.viz import extract

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "quebec_schema"),
    pytest.mark.usefixtures("with_plugins", "with_request_context"),
]

DEGREE_STEP = 0.001  # about 100 m
METRE_STEP = 1.0
EDGES = ("west", "south", "east", "north")


def _near_edges(bounds: tuple, step: float) -> list[tuple[str, bool, float, float]]:
    """(edge, inside, x, y): the middle of each edge of ``bounds``, ``step`` inside and outside."""
    west, south, east, north = bounds
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    points = []
    for inside, sign in ((True, 1), (False, -1)):
        points += [("west", inside, west + sign * step, middle_y),
                   ("south", inside, middle_x, south + sign * step),
                   ("east", inside, east - sign * step, middle_y),
                   ("north", inside, middle_x, north - sign * step)]
    return points


def _quality_accepts(tmp_path, x: float, y: float) -> bool:
    """Whether the quality check finds a GeoJSON point in EPSG:32198 in Québec."""
    path = tmp_path / "point.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32198"}},
        "features": [{"type": "Feature", "properties": {"nom": "p"},
                      "geometry": {"type": "Point", "coordinates": [x, y]}}]}), encoding="utf-8")
    report = validation.validate_file(str(path), "geojson", None, validation.Options()).as_dict()
    return report["status"] == "valid"


def _viz_maps(tmp_path, x: float, y: float) -> bool:
    """Whether the preview maps x and y columns in EPSG:32198 (read as Québec Lambert)."""
    source = tmp_path / "point.csv"
    source.write_text(f"nom,x,y\np,{x!r},{y!r}\n", encoding="utf-8")
    folder = tmp_path / "extract"
    folder.mkdir()
    meta = extract.Builder({"id": "r-extent", "format": "CSV"}, str(folder), path=str(source)).build()
    assert meta["state"] == "ready"
    return meta["geo"] is not None and meta["geo"]["reprojected_from"] == "EPSG:32198"


def _validator_accepts(longitude: float, latitude: float) -> bool:
    try:
        v.quebec_geojson({"type": "Point", "coordinates": [longitude, latitude]})
    except tk.Invalid:
        return False
    return True


def test_the_extent_is_the_province_territory_bbox():
    assert list(extent.geographic()) == vocabularies.entry("territories", extent.PROVINCE)["bbox"]
    # the projected bounds hold the projection of every point of the box's edges
    west, south, east, north = extent.geographic()
    to_lambert = Transformer.from_crs(4326, extent.QUEBEC_LAMBERT, always_xy=True)
    for index in range(101):
        along = index / 100
        for longitude, latitude in ((west, south + along * (north - south)),
                                    (east, south + along * (north - south)),
                                    (west + along * (east - west), south),
                                    (west + along * (east - west), north)):
            assert extent.contains_lambert(*to_lambert.transform(longitude, latitude))


@pytest.mark.parametrize("edge, inside, longitude, latitude", _near_edges(extent.geographic(), DEGREE_STEP),
                         ids=lambda value: str(value) if isinstance(value, (str, bool)) else "")
def test_dataset_extent_validator_at_each_geographic_edge(edge, inside, longitude, latitude, tmp_path):
    assert _validator_accepts(longitude, latitude) is inside
    if inside:
        # a place the dataset validator takes as in Québec, given in Québec Lambert, passes both checks
        x, y = Transformer.from_crs(4326, extent.QUEBEC_LAMBERT, always_xy=True).transform(longitude, latitude)
        assert _quality_accepts(tmp_path, x, y)
        assert _viz_maps(tmp_path, x, y)


@pytest.mark.parametrize("edge, inside, x, y", _near_edges(extent.lambert(), METRE_STEP),
                         ids=lambda value: str(value) if isinstance(value, (str, bool)) else "")
def test_quality_and_viz_agree_at_each_projected_edge(edge, inside, x, y, tmp_path):
    assert _quality_accepts(tmp_path, x, y) is inside
    assert _viz_maps(tmp_path, x, y) is inside


def test_the_old_bounds_disagreement_is_gone(tmp_path):
    # x = 1.2 Mm passed quality (its x <= 1.5 Mm) and was not mapped (the preview's x <= 1.0 Mm)
    assert _quality_accepts(tmp_path, 1_200_000.0, 1_000_000.0) is _viz_maps(tmp_path, 1_200_000.0, 1_000_000.0)
