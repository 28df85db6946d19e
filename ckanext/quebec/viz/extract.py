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
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import decimal
import json
import logging
import math
import os
import re
import time
import dataclasses
from typing import Any, Iterable, Iterator, Optional

import duckdb

from ckanext.quebec import tabular
from ckanext.quebec.schema import extent
from ckanext.quebec.tabular.errors import TabularError, _


log = logging.getLogger(__name__)

FORMAT_VERSION = 1
ROWS_FILE = "rows.parquet"
FEATURES_FILE = "features.geojson"
META_FILE = "meta.json"
ROW_ID = "_row"

# CKAN formats (lower-cased) by the reader that opens them.
TABLE_FORMATS = {"csv", "tsv", "txt", "text/csv"}
XLSX_FORMATS = {"xlsx", "xlsm", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
JSON_FORMATS = {"json", "application/json"}
GEOJSON_FORMATS = {"geojson", "application/geo+json", "application/vnd.geo+json"}
KML_FORMATS = {"kml", "application/vnd.google-earth.kml+xml"}
SHAPEFILE_FORMATS = {"shp", "shapefile", "zip", "esri shapefile", "application/zip"}
WFS_FORMATS = {"wfs"}
WMS_FORMATS = {"wms"}
EXTRACT_FORMATS = (TABLE_FORMATS | XLSX_FORMATS | JSON_FORMATS | GEOJSON_FORMATS | KML_FORMATS
                   | SHAPEFILE_FORMATS | WFS_FORMATS)

NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")
# DataStore (PostgreSQL) column types read as they are; any other is read as text.
DATASTORE_TYPES = {"int2": "BIGINT", "int4": "BIGINT", "int8": "BIGINT", "smallint": "BIGINT",
                   "integer": "BIGINT", "bigint": "BIGINT", "numeric": "DOUBLE", "float4": "DOUBLE",
                   "float8": "DOUBLE", "real": "DOUBLE", "double precision": "DOUBLE",
                   "date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMP",
                   "bool": "BOOLEAN", "boolean": "BOOLEAN"}
DATASTORE_SYSTEM_COLUMNS = {"_id", "_full_text"}
# bounds the DataStore's work if the build process is killed mid-query
DATASTORE_STATEMENT_TIMEOUT_MS = 25 * 60 * 1000
# What a preview is built from: a change to any of these calls for a new build.
FINGERPRINT_FIELDS = ("url", "url_type", "format", "size", "hash", "last_modified",
                      "datastore_active")
LAT_NAMES = re.compile(r"^(lat|latitude|lat_wgs84|latitude_wgs84|y|coord_y|y_coord)$")
LON_NAMES = re.compile(r"^(lon|lng|long|longitude|lon_wgs84|longitude_wgs84|x|coord_x|x_coord)$")


def resource_format(resource: dict) -> str:
    return (resource.get("format") or "").strip().lower().lstrip(".")


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def uses_datastore(resource: dict) -> bool:
    """Whether the preview is read from the resource's DataStore table rather than its file."""
    geo = GEOJSON_FORMATS | KML_FORMATS | SHAPEFILE_FORMATS | WFS_FORMATS | WMS_FORMATS
    return _true(resource.get("datastore_active")) and resource_format(resource) not in geo


def can_extract(resource: dict) -> bool:
    """Whether the preview job can read this resource (its declared format, or its DataStore table)."""
    return resource_format(resource) in EXTRACT_FORMATS or uses_datastore(resource)


def fingerprint(resource: dict) -> dict[str, Any]:
    """What a preview is built from (file, format, DataStore): compared to tell when to rebuild.

    The same whether the resource comes from resource_show or from the
    validated dict package_update hands its plugins (an upload's URL is its
    file name there, and dates are datetimes).
    """
    found: dict[str, Any] = {}
    for name in FINGERPRINT_FIELDS:
        value = resource.get(name)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        found[name] = None if value in (None, "") else str(value)
    found["datastore_active"] = _true(resource.get("datastore_active"))
    found["format"] = resource_format(resource)
    if found["url_type"] == "upload" and found["url"]:
        found["url"] = found["url"].rstrip("/").rsplit("/", 1)[-1]
    elif found["url_type"] == "datastore":  # its URL is the DataStore's dump, shown or not
        found["url"] = None
    return found


def is_wms(resource: dict) -> bool:
    return resource_format(resource) in WMS_FORMATS


def column_kind(duckdb_type: str) -> str:
    """The kind of a column for the views: number, date, datetime, boolean or text."""
    base = duckdb_type.upper()
    if base.startswith("DECIMAL") or base in NUMBER_TYPES:
        return "number"
    if base == "DATE":
        return "date"
    if base.startswith("TIMESTAMP"):
        return "datetime"
    if base == "BOOLEAN":
        return "boolean"
    return "text"


def quote(identifier: str) -> str:
    """An SQL identifier, quoted (names come from the file, never from a request)."""
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclasses.dataclass
class Settings:
    """The caps and limits of a build (viz/config.py's extract_settings() reads them from CKAN)."""

    max_rows: int = 10_000
    max_columns: int = 100
    max_features: int = 5_000
    max_download_bytes: int = 2 << 30
    max_geo_bytes: int = 100 << 20
    memory_limit: str = "200MB"
    allow_private_urls: bool = False
    fetch_timeout: int = 30


class Builder:
    """Builds one extract into ``directory`` (an empty folder) from a resource dict.

    ``path``: the resource's file when the caller already has it locally (an
    upload); otherwise the resource's URL is downloaded. ``datastore``: read
    the rows from the DataStore instead (``url``: its read-only database URL,
    ``table``, ``fields``: datastore_info's ``id`` and ``type``). Needs no
    CKAN: the preview job runs it in a child process (child.py).
    """

    def __init__(self, resource: dict, directory: str, settings: Optional[Settings] = None,
                 path: Optional[str] = None, datastore: Optional[dict] = None) -> None:
        self.resource = resource
        self.directory = directory
        self.path = path
        self.datastore = datastore
        self.settings = settings = settings or Settings()
        self.max_rows = settings.max_rows
        self.max_columns = settings.max_columns
        self.max_features = settings.max_features
        self.meta: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "resource_id": resource["id"],
            "format": resource_format(resource),
            "source": "datastore" if datastore else "file",
            "fingerprint": fingerprint(resource),
            "state": "ready",
            "rows_total": None, "rows_kept": 0, "rows_capped": False, "rows_rejected": 0,
            "columns": [], "columns_total": 0, "columns_capped": False,
            "stats_scope": "file",
            "geo": None,
            "warnings": [],
            "error": None,
            "max_rows": self.max_rows, "max_columns": self.max_columns,
            "max_features": self.max_features,
        }
        self.connection: Optional[duckdb.DuckDBPyConnection] = None

    def warn(self, code: str, msgid: str, **params: Any) -> None:
        self.meta["warnings"].append({"code": code, "msgid": msgid, "params": params})

    def fail(self, error: TabularError) -> dict[str, Any]:
        """Record ``error`` as the extract's state, without reading anything."""
        self.meta["state"] = "error"
        self.meta["error"] = error.as_dict()
        return self._finish(time.monotonic())

    def build(self) -> dict[str, Any]:
        started = time.monotonic()
        # outside the try: a DuckDB that cannot start is the portal's fault, not the file's
        self.connection = tabular.connect(memory_limit=self.settings.memory_limit, threads=2,
                                          temp_directory=os.path.join(self.directory, ".spill"))
        # "the first rows" must be the file's first rows
        self.connection.execute("SET preserve_insertion_order = true")
        try:
            self._build()
        except TabularError as error:
            self.meta["state"] = "error"
            self.meta["error"] = error.as_dict()
        except duckdb.Error as error:
            log.info("Preview of resource %s: DuckDB cannot read it: %s", self.resource["id"], error)
            self.meta["state"] = "error"
            self.meta["error"] = TabularError(
                "unreadable", _("The file cannot be read as a table: it is not valid %(format)s"),
                format=self.meta["format"].upper() or "CSV").as_dict()
        return self._finish(started)

    def _finish(self, started: float) -> dict[str, Any]:
        if self.connection is not None:
            with contextlib.suppress(duckdb.Error):
                self.connection.close()
        self.meta["seconds"] = round(time.monotonic() - started, 3)
        self.meta["built"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with open(os.path.join(self.directory, META_FILE), "w", encoding="utf-8") as stream:
            json.dump(self.meta, stream, ensure_ascii=False, default=str)
        return self.meta

    def _build(self) -> None:
        fmt = self.meta["format"]
        if fmt in WMS_FORMATS:
            self.meta["kind"] = "service"
            return
        if self.datastore:
            self._from_datastore()
            return
        if fmt not in EXTRACT_FORMATS:
            raise TabularError("unsupported-format",
                               _("Previews of %(format)s files are not available"),
                               format=fmt.upper() or "?")
        if self.path is not None and fmt not in WFS_FORMATS:
            if not os.path.isfile(self.path):
                raise TabularError("no-data", _("The uploaded file of this resource is missing"))
            self._read(self.path, os.path.getsize(self.path), fmt)
            return
        settings = self.settings
        limits = tabular.Limits(max_bytes=settings.max_download_bytes,
                                read_timeout=settings.fetch_timeout,
                                allow_private=settings.allow_private_urls)
        resource = dict(self.resource, url_type=None)  # a URL: uploads come as ``path``
        if fmt in WFS_FORMATS:
            resource["url"] = wfs_feature_url(resource.get("url") or "", self.max_features)
        if fmt in GEOJSON_FORMATS | KML_FORMATS | SHAPEFILE_FORMATS | WFS_FORMATS:
            limits.max_bytes = min(limits.max_bytes, settings.max_geo_bytes)
        with tabular.open_resource(resource, limits) as local:
            self._read(local.path, local.size, fmt)

    def _read(self, path: str, size: int, fmt: str) -> None:
        looked = tabular.sniff(path, full_utf8_check=fmt in TABLE_FORMATS)
        if looked.kind == "empty":
            raise TabularError("empty-file", _("The file is empty"))
        if looked.kind == "html":
            raise TabularError(
                "html-instead-of-data",
                _("The file is an HTML page, not %(format)s data (a web page instead of the file?)"),
                format=fmt.upper())
        geo = fmt in GEOJSON_FORMATS | KML_FORMATS | SHAPEFILE_FORMATS | WFS_FORMATS
        if geo or (fmt in JSON_FORMATS and _looks_like_geojson(path)):
            if size > self.settings.max_geo_bytes:
                raise TabularError("too-large",
                                   _("The file is larger than the %(limit)s MB that can be previewed"),
                                   limit=self.settings.max_geo_bytes >> 20)
            if fmt in KML_FORMATS:
                features, crs = read_kml(path), None
            elif fmt in SHAPEFILE_FORMATS:
                if looked.kind != "zip":
                    raise TabularError("not-a-zip", _("A Shapefile is previewed from a ZIP archive"))
                features, crs = read_shapefile_zip(path, self.settings.max_download_bytes,
                                                   self.directory)
            else:
                features, crs = read_geojson(path, self.settings.max_geo_bytes)
            self._from_features(features, crs)
            return
        if fmt in XLSX_FORMATS:
            if looked.kind != "zip":
                raise TabularError("format-mismatch",
                                   _("The resource says %(format)s but the file is %(kind)s"),
                                   format="XLSX", kind=looked.kind)
            self._from_python_rows(*read_xlsx(path, self.settings.max_download_bytes))
            self._detect_points()
            return
        if fmt in JSON_FORMATS:
            if looked.kind != "json":
                raise TabularError("format-mismatch",
                                   _("The resource says %(format)s but the file is %(kind)s"),
                                   format="JSON", kind=looked.kind)
            self._from_scan(f"read_json_auto({_literal(path)}, maximum_object_size=16777216)")
            self._detect_points()
            return
        if looked.kind not in ("csv",):
            raise TabularError("format-mismatch",
                               _("The resource says %(format)s but the file is %(kind)s"),
                               format=fmt.upper(), kind=looked.kind)
        source = path
        if looked.encoding != "utf-8":
            self.warn("not-utf8", _("The file is not in UTF-8 (line %(line)s); it was read as %(encoding)s"),
                      line=looked.invalid_utf8_line, encoding=looked.encoding)
            source = os.path.join(self.directory, ".utf8.csv")
            transcode(path, source, looked.encoding or "cp1252")
        delimiter = looked.delimiter or ","
        self._from_scan(
            f"read_csv({_literal(source)}, delim={_literal(delimiter)}, header=true,"
            " store_rejects=true, strict_mode=false, sample_size=20480)", csv_rejects=True)
        if source != path:
            os.remove(source)
        self._detect_points()

    # -- tables ---------------------------------------------------------------------------

    def _columns_of(self, relation_sql: str) -> list[tuple[str, str]]:
        described = self.connection.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()
        return [(row[0], str(row[1])) for row in described]

    def _set_columns(self, columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
        columns = [(name, kind) for name, kind in columns if name != ROW_ID]
        if not columns:
            raise TabularError("no-columns", _("The file has no columns"))
        self.meta["columns_total"] = len(columns)
        if len(columns) > self.max_columns:
            self.meta["columns_capped"] = True
            columns = columns[:self.max_columns]
        return columns

    def _from_scan(self, relation_sql: str, csv_rejects: bool = False) -> None:
        """The extract and the statistics of a file DuckDB scans: first rows kept, whole file counted."""
        columns = self._set_columns(self._columns_of(relation_sql))
        selected = ", ".join(quote(name) for name, _type in columns)
        self.connection.execute(
            f"CREATE TABLE kept AS SELECT {selected} FROM {relation_sql} LIMIT {int(self.max_rows) + 1}")
        self._write_rows(columns)
        total = self._stats(relation_sql, columns)
        self.meta["rows_total"] = total
        self.meta["rows_capped"] = total > self.meta["rows_kept"]
        if csv_rejects:
            rejected = self.connection.execute(
                "SELECT count(DISTINCT line) FROM reject_errors").fetchone()[0]
            self.meta["rows_rejected"] = int(rejected)
            if rejected:
                self.warn("rows-rejected",
                          _("%(count)s rows could not be read (wrong number of fields or broken quotes) and are left out"),
                          count=int(rejected))
        if total == 0:
            self.warn("no-rows", _("The file has a header but no data rows"))

    def _write_rows(self, columns: list[tuple[str, str]]) -> None:
        kept = self.connection.execute("SELECT count(*) FROM kept").fetchone()[0]
        if kept > self.max_rows:
            self.meta["rows_capped"] = True
            kept = self.max_rows
        self.meta["rows_kept"] = int(kept)
        selected = ", ".join(quote(name) for name, _type in columns)
        target = os.path.join(self.directory, ROWS_FILE)
        self.connection.execute(
            f"COPY (SELECT row_number() OVER () AS {ROW_ID}, {selected} FROM "
            f"(SELECT * FROM kept LIMIT {int(self.max_rows)})) TO {_literal(target)} (FORMAT parquet)")

    def _stats(self, relation_sql: str, columns: list[tuple[str, str]]) -> int:
        """Row count and per-column statistics in one scan of ``relation_sql``."""
        parts = ["count(*)"]
        for name, duckdb_type in columns:
            column = quote(name)
            kind = column_kind(duckdb_type)
            parts += [f"count({column})", f"approx_count_distinct({column})"]
            if kind == "text":
                parts += [f"min(length({column}))", f"max(length({column}))", "NULL"]
            elif kind == "boolean":
                parts += [f"count_if({column})", f"count_if(NOT {column})", "NULL"]
            else:
                parts += [f"min({column})", f"max({column})",
                          f"avg({column})" if kind == "number" else "NULL"]
        row = self.connection.execute(f"SELECT {', '.join(parts)} FROM {relation_sql}").fetchone()
        total = int(row[0])
        for index, (name, duckdb_type) in enumerate(columns):
            values, distinct, low, high, mean = row[1 + 5 * index: 6 + 5 * index]
            kind = column_kind(duckdb_type)
            stats: dict[str, Any] = {"values": int(values), "empty": total - int(values),
                                     # an estimate: never more than the values
                                     "distinct": min(int(distinct), int(values))}
            if kind == "text":
                stats.update(min_length=low, max_length=high)
            elif kind == "boolean":
                stats.update(true=low, false=high)
            else:
                stats.update(min=json_value(low), max=json_value(high))
                if mean is not None:
                    stats["mean"] = round(float(mean), 6)
            self.meta["columns"].append(
                {"name": name, "type": duckdb_type, "kind": kind, "stats": stats})
        return total

    def _from_python_rows(self, names: list[str], rows: Iterable[list[Any]]) -> None:
        """The extract of rows read in Python (XLSX, feature properties), with statistics of all rows.

        Every row is spilled, as text, to a CSV in the build folder while each
        column's type is found from the Python values of all rows (a text
        cell "01" stays text); DuckDB then scans the spill, cast to those
        types, as it scans a CSV file: first rows kept, all rows counted.
        """
        names = _unique_names(names)
        width = len(names)
        seen: list[set[str]] = [set() for _name in names]
        spill = os.path.join(self.directory, ".rows.csv")
        with open(spill, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            for row in rows:
                cells = list(row[:width]) + [None] * (width - len(row))
                writer.writerow([_spilled(value, kinds) for value, kinds in zip(cells, seen)])
        self._from_spill(spill, [(name, _spilled_type(kinds)) for name, kinds in zip(names, seen)])

    def _from_spill(self, spill: str, columns: list[tuple[str, str]]) -> None:
        """Scan a headerless CSV of text cells, cast to ``columns`` (name, DuckDB type), then delete it."""
        raw = ", ".join(f"{_literal(f'c{index}')}: 'VARCHAR'" for index in range(len(columns)))
        typed = ", ".join(f"CAST(c{index} AS {kind}) AS {quote(name)}"
                          for index, (name, kind) in enumerate(columns))
        self._from_scan(f"(SELECT {typed} FROM read_csv({_literal(spill)}, header=false,"
                        f" auto_detect=false, delim=',', quote='\"', escape='\"', columns={{{raw}}}))")
        os.remove(spill)

    # -- DataStore ------------------------------------------------------------------------

    def _from_datastore(self) -> None:
        """The extract of a DataStore table, read like a file: first rows in ``_id`` order, all rows counted.

        The table is copied out (COPY, streamed to a CSV in the build folder)
        in one read-only transaction, then scanned by DuckDB with the types
        the DataStore gives its columns: the same caps and statistics as a
        file's, in bounded memory whatever the table's size.
        """
        import psycopg2
        from psycopg2 import sql

        fields = [(field["id"], str(field.get("type") or "text").lower())
                  for field in self.datastore.get("fields") or ()
                  if field["id"] not in DATASTORE_SYSTEM_COLUMNS]
        types = dict(fields)
        columns = [(name, DATASTORE_TYPES.get(kind, "VARCHAR")) for name, kind in fields]
        columns_total = len(columns)
        columns = self._set_columns(columns)
        selected = []
        for name, duckdb_type in columns:
            column = sql.Identifier(name)
            if types[name] == "timestamptz":  # as DuckDB's TIMESTAMP holds it: in UTC
                selected.append(sql.SQL("({} AT TIME ZONE 'UTC')").format(column))
            elif duckdb_type == "BOOLEAN":  # true/false, not COPY's t/f
                selected.append(sql.SQL("{}::text").format(column))
            else:
                selected.append(column)
        copy = sql.SQL("COPY (SELECT {} FROM {} ORDER BY _id) TO STDOUT WITH (FORMAT csv)").format(
            sql.SQL(", ").join(selected), sql.Identifier(self.datastore["table"]))
        spill = os.path.join(self.directory, ".rows.csv")
        try:
            database = psycopg2.connect(
                self.datastore["url"], connect_timeout=self.settings.fetch_timeout,
                application_name="quebec_viz preview", client_encoding="UTF8",
                options=f"-c statement_timeout={DATASTORE_STATEMENT_TIMEOUT_MS}")
        except psycopg2.Error as error:
            log.warning("Preview of resource %s: the DataStore cannot be reached: %s",
                        self.resource["id"], error)
            raise TabularError("datastore-unreachable",
                               _("The DataStore, where this table is kept, cannot be reached"))
        try:
            database.set_session(readonly=True)
            with database.cursor() as cursor, open(spill, "w", encoding="utf-8") as stream:
                cursor.copy_expert(copy.as_string(cursor), stream, size=1 << 20)
        except psycopg2.Error as error:
            log.warning("Preview of resource %s: the DataStore table cannot be read: %s",
                        self.resource["id"], error)
            raise TabularError("datastore-unreadable",
                               _("The DataStore table of this resource cannot be read"))
        finally:
            database.close()
        self._from_spill(spill, columns)
        self.meta["columns_total"] = columns_total
        self.meta["columns_capped"] = columns_total > len(columns)
        for column in self.meta["columns"]:
            column["type"] = types[column["name"]]
        self.meta["stats_scope"] = "datastore"
        if self.meta["rows_total"] == 0:
            self.meta["warnings"] = [warning for warning in self.meta["warnings"]
                                     if warning["code"] != "no-rows"]
            self.warn("no-rows", _("The DataStore table has no rows"))
        self._detect_points()

    # -- maps -----------------------------------------------------------------------------

    def _from_features(self, features: Iterable[dict], crs: Optional[int]) -> None:
        from . import geo

        result = geo.normalise(features, crs, self.max_features, self.max_rows)
        for warning in result.warnings:
            self.meta["warnings"].append(warning)
        if not result.features and not result.properties:
            raise TabularError("no-features", _("The file has no map features"))
        names = result.property_names or ["id"]
        self._from_python_rows(names, ([properties.get(name) for name in names]
                                       for properties in result.properties))
        self._write_features(result.features)
        self.meta["geo"] = {
            "source": "geometry", "features_total": result.total,
            "features_kept": len(result.features), "features_capped": result.total > len(result.features),
            "reprojected_from": result.reprojected_from, "bbox": result.bbox,
            "invalid_repaired": result.repaired, "invalid_dropped": result.dropped,
        }

    def _detect_points(self) -> None:
        """A map of the rows when two columns hold latitudes and longitudes (by name and value range)."""
        from . import geo

        columns = {column["name"]: column for column in self.meta["columns"]}
        latitude = next((name for name in columns if LAT_NAMES.match(_normal(name))), None)
        longitude = next((name for name in columns if LON_NAMES.match(_normal(name))), None)
        if latitude is None or longitude is None:
            return
        for name in (latitude, longitude):
            if columns[name]["kind"] != "number" and columns[name]["stats"]["values"]:
                self.warn("coordinates-not-numbers",
                          _("The column %(column)s should hold coordinates but holds text; no map can be drawn"),
                          column=name)
                return
        path = os.path.join(self.directory, ROWS_FILE)
        names = [column["name"] for column in self.meta["columns"]]
        found = self.connection.execute(
            f"SELECT {ROW_ID}, {quote(latitude)}, {quote(longitude)}, "
            f"{', '.join(quote(name) for name in names)} FROM read_parquet(?) "
            f"WHERE {quote(latitude)} IS NOT NULL AND {quote(longitude)} IS NOT NULL "
            f"ORDER BY {ROW_ID}", [path]).fetchall()
        if not found:
            return
        rows = [(row[0], row[1], row[2]) for row in found]
        attributes = {row[0]: {name: json_value(value) for name, value in zip(names, row[3:])}
                      for row in found[:self.max_features]}
        in_degrees = sum(1 for _row, lat, lon in rows if -90 <= lat <= 90 and -180 <= lon <= 180)
        in_lambert = sum(1 for _row, y, x in rows if extent.contains_lambert(x, y))
        crs = None
        if in_degrees >= 0.9 * len(rows):
            points = [(row, lon, lat) for row, lat, lon in rows
                      if -90 <= lat <= 90 and -180 <= lon <= 180]
        elif in_lambert >= 0.9 * len(rows) and _normal(latitude) not in ("lat", "latitude"):
            crs = extent.QUEBEC_LAMBERT
            points = [(row, x, y) for row, y, x in rows]
        else:
            self.warn("coordinates-out-of-range",
                      _("The columns %(latitude)s and %(longitude)s are not latitudes and longitudes; no map can be drawn"),
                      latitude=latitude, longitude=longitude)
            return
        result = geo.points(points, crs, self.max_features, attributes)
        self.meta["warnings"] += result.warnings
        self._write_features(result.features)
        self.meta["geo"] = {
            "source": "columns", "latitude": latitude, "longitude": longitude,
            "features_total": len(points), "features_kept": len(result.features),
            "features_capped": len(points) > len(result.features) or bool(self.meta["rows_capped"]),
            "reprojected_from": result.reprojected_from, "bbox": result.bbox,
            "invalid_repaired": 0, "invalid_dropped": len(rows) - len(points),
        }

    def _write_features(self, features: list[dict]) -> None:
        with open(os.path.join(self.directory, FEATURES_FILE), "w", encoding="utf-8") as stream:
            json.dump({"type": "FeatureCollection", "features": features}, stream,
                      ensure_ascii=False, default=str, separators=(",", ":"))


# -- readers ------------------------------------------------------------------------------


def transcode(source: str, target: str, encoding: str) -> None:
    """Stream a text file into UTF-8 (bad bytes replaced), 1 MB at a time."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    with open(source, "rb") as inp, open(target, "w", encoding="utf-8", newline="") as out:
        while True:
            block = inp.read(1 << 20)
            out.write(decoder.decode(block, final=not block))
            if not block:
                break


def read_xlsx(path: str, max_uncompressed: int) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows (blank rows left out) of the first sheet, streamed by openpyxl."""
    import openpyxl

    tabular.check_zip(path, max_uncompressed=max_uncompressed)
    try:
        # a file object: openpyxl refuses paths without an .xlsx extension
        workbook = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        log.info("openpyxl cannot open %s: %s", path, error)
        raise TabularError("unreadable", _("The file cannot be read as a table: it is not valid %(format)s"),
                           format="XLSX")
    values = workbook.worksheets[0].iter_rows(values_only=True)
    header = next(values, None)
    if header is None:
        workbook.close()
        raise TabularError("empty-file", _("The file is empty"))
    names = [str(cell) if cell is not None else f"column{index + 1}"
             for index, cell in enumerate(header)]

    def rows() -> Iterator[list[Any]]:
        try:
            for row in values:
                if any(cell is not None for cell in row):
                    yield list(row)
        finally:
            workbook.close()
    return names, rows()


def _looks_like_geojson(path: str) -> bool:
    with open(path, "rb") as stream:
        head = stream.read(4096)
    return b'"FeatureCollection"' in head or b'"Feature"' in head


def read_geojson(path: str, max_bytes: int) -> tuple[list[dict], Optional[int]]:
    """The features of a GeoJSON file and the EPSG code its ``crs`` member names (None: not named)."""
    document = tabular.read_geojson(path, max_bytes=max_bytes, max_features=10_000_000)
    return document.features, document.crs if document.crs_declared else None


def read_kml(path: str) -> list[dict]:
    """Placemarks of a KML file as GeoJSON features (no DTD, no entities, no network)."""
    from . import geo

    return geo.kml_features(path)


def read_shapefile_zip(path: str, max_uncompressed: int,
                      scratch: str) -> tuple[list[dict], Optional[int]]:
    """The features of the first Shapefile in a ZIP archive (zip-bomb checked), and its CRS from the .prj.

    Its members are inflated into a folder under ``scratch``, removed after.
    """
    from . import geo

    try:
        names = [member.filename for member in tabular.check_zip(path, max_uncompressed)]
    except TabularError as error:
        if error.code != "not-a-zip":
            raise
        raise TabularError("not-a-zip", _("A Shapefile is previewed from a ZIP archive"))
    if not any(name.lower().endswith(".shp") for name in names):
        raise TabularError("no-shapefile", _("The ZIP archive holds no Shapefile (.shp)"))
    return geo.shapefile_features(path, names, max_uncompressed, scratch)


def wfs_feature_url(url: str, count: int) -> str:
    """A GetFeature request for GeoJSON from a WFS URL (a GetCapabilities URL or a bare endpoint)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = {key.lower(): value for key, value in parse_qsl(parts.query)}
    if query.get("request", "").lower() == "getfeature":
        return url
    params = {"service": "WFS", "version": query.get("version", "2.0.0"), "request": "GetFeature",
              "outputFormat": "application/json", "count": str(count)}
    type_name = query.get("typenames") or query.get("typename")
    if type_name:
        params["typeNames"] = type_name
    return urlunsplit(parts._replace(query=urlencode(params)))


# -- values -------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for index, name in enumerate(names):
        name = (str(name).strip() if name is not None else "") or f"column{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        unique.append(name)
    return unique


def _spilled(value: Any, kinds: set[str]) -> str:
    """A value as text in the spill CSV; its kind (bool, number, datetime, date, text) noted in ``kinds``."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        kinds.add("bool")
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        kinds.add("number")
        return str(value)
    if isinstance(value, datetime.datetime):
        kinds.add("datetime")
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        kinds.add("date")
        return value.isoformat()
    kinds.add("text")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _spilled_type(kinds: set[str]) -> str:
    """The DuckDB type of a spilled column whose values were all of ``kinds``."""
    if kinds == {"bool"}:
        return "BOOLEAN"
    if kinds == {"number"}:
        return "DOUBLE"
    if kinds == {"date"}:
        return "DATE"
    if kinds and kinds <= {"date", "datetime"}:
        return "TIMESTAMP"
    return "VARCHAR"


def json_value(value: Any) -> Any:
    """A value read by DuckDB as JSON can hold it (statistics, rows, chart points)."""
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
