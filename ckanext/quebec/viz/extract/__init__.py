"""Building a resource's preview extract: the first rows as Parquet, map features as GeoJSON, and meta.json.

A file is read once, streamed: DuckDB scans CSV and JSON under a memory limit
(spilling to disk), openpyxl streams XLSX, and geographic files (GeoJSON, KML,
zipped Shapefile, WFS answers) are read up to a byte cap. What is kept is
capped (rows, columns, features) and the caps reached are recorded, so the
views can tell the visitor. Everything is written into a fresh folder that
replaces the previous extract only once complete (storage.py).

Getting the bytes (upload or guarded download) and sniffing them (kind,
encoding, delimiter, HTML instead of data) is the shared reader's job
(ckanext.quebec.tabular); its errors carry a msgid the views translate.

A table in CKAN's DataStore (``datastore_active``) is read from there instead
of its file: copied out in ``_id`` order by one read-only COPY, then scanned
like a file with the column types the DataStore knows. Geographic files keep
being read from the file, which holds their geometries.

The package along its seams: ``builder`` (a build's lifecycle and dispatch),
``readers`` (one module per family of formats, registered for their formats
in ``readers/__init__.py``), ``table`` (rows and statistics in DuckDB),
``maps`` (features and coordinate columns), ``resource`` (what is asked of a
resource before a build). This module is what the rest of quebec_viz imports.
"""
from __future__ import annotations

from .builder import Builder
from .common import (FEATURES_FILE, FORMAT_VERSION, META_FILE, ROW_ID, ROWS_FILE, Settings,
                     column_kind, json_value, quote)
from .readers.geojson import wfs_feature_url
from .resource import (FINGERPRINT_FIELDS, can_extract, fingerprint, is_wms, resource_format,
                       uses_datastore)

__all__ = [
    "Builder", "FEATURES_FILE", "FINGERPRINT_FIELDS", "FORMAT_VERSION", "META_FILE", "ROW_ID",
    "ROWS_FILE", "Settings", "can_extract", "column_kind", "fingerprint", "is_wms", "json_value",
    "quote", "resource_format", "uses_datastore", "wfs_feature_url",
]
