"""The registry of the preview's readers: one reader per format, and what the views ask derived from it."""
from __future__ import annotations

import pytest

from ckanext.quebec.viz import extract
from ckanext.quebec.viz.extract import readers


def test_every_format_has_one_reader_of_a_known_kind():
    seen: dict[str, str] = {}
    for reader in readers.READERS:
        assert reader.kind in (readers.TABLE, readers.GEO, readers.SERVICE)
        assert (reader.read is None) is (reader.kind == readers.SERVICE)
        for fmt in reader.formats:
            assert fmt == fmt.strip().lower()
            assert fmt not in seen, f"{fmt} has two readers: {seen.get(fmt)}, {reader.name}"
            seen[fmt] = reader.name
            assert readers.for_format(fmt) is reader


@pytest.mark.parametrize("fmt, reader, extractable, wms", [
    ("CSV", "delimited", True, False), (".tsv", "delimited", True, False),
    ("XLSX", "xlsx", True, False), ("JSON", "json", True, False),
    ("GeoJSON", "geojson", True, False), ("WFS", "wfs", True, False), ("KML", "kml", True, False),
    ("SHP", "shapefile", True, False), ("ZIP", "shapefile", True, False),
    ("WMS", "wms", False, True), ("PDF", None, False, False), ("", None, False, False),
])
def test_the_views_questions_follow_the_registry(fmt, reader, extractable, wms):
    resource = {"format": fmt}
    found = readers.for_format(extract.resource_format(resource))
    assert (found.name if found else None) == reader
    assert extract.can_extract(resource) is extractable
    assert extract.is_wms(resource) is wms


@pytest.mark.parametrize("fmt, from_datastore", [
    ("CSV", True), ("XLSX", True), ("JSON", True), ("PDF", True), ("", True),
    ("GeoJSON", False), ("KML", False), ("SHP", False), ("WFS", False), ("WMS", False),
])
def test_only_tables_are_read_from_the_datastore(fmt, from_datastore):
    resource = {"format": fmt, "datastore_active": True}
    assert extract.uses_datastore(resource) is from_datastore
    assert extract.can_extract(resource) is (from_datastore or readers.for_format(
        extract.resource_format(resource)).kind == readers.GEO)


def test_json_that_is_geojson_is_read_as_geojson(tmp_path):
    document = tmp_path / "lieux.json"
    document.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    rows = tmp_path / "rows.json"
    rows.write_text('[{"a": 1}]', encoding="utf-8")
    json_reader = readers.for_format("json")
    assert json_reader.read_as(str(document)) == "geojson"
    assert json_reader.read_as(str(rows)) is None
