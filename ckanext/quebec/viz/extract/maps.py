"""The map part of an extract: features.geojson, from a file's features or from coordinate columns.

Coordinate columns are found by name and by the range of their values:
longitudes and latitudes anywhere in the world, or EPSG:32198 (Québec
Lambert) metres within Québec's extent as schema/extent.py defines it for
the whole suite (what the quality checks accept as "in Québec" is mapped).
"""
from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Iterable, Optional

from ckanext.quebec.schema import extent
from ckanext.quebec.tabular.errors import TabularError, _

from .common import FEATURES_FILE, ROW_ID, ROWS_FILE, json_value, normal, quote

if TYPE_CHECKING:
    from .builder import Builder

LAT_NAMES = re.compile(r"^(lat|latitude|lat_wgs84|latitude_wgs84|y|coord_y|y_coord)$")
LON_NAMES = re.compile(r"^(lon|lng|long|longitude|lon_wgs84|longitude_wgs84|x|coord_x|x_coord)$")


def from_features(build: Builder, features: Iterable[dict], crs: Optional[int]) -> None:
    """The extract of a geographic file: its features' properties as rows, its geometries as the map."""
    from .. import geo

    result = geo.normalise(features, crs, build.max_features, build.max_rows)
    for warning in result.warnings:
        build.meta["warnings"].append(warning)
    if not result.features and not result.properties:
        raise TabularError("no-features", _("The file has no map features"))
    names = result.property_names or ["id"]
    build.table.from_python_rows(names, ([properties.get(name) for name in names]
                                         for properties in result.properties))
    _write_features(build.directory, result.features)
    build.meta["geo"] = {
        "source": "geometry", "features_total": result.total,
        "features_kept": len(result.features), "features_capped": result.total > len(result.features),
        "reprojected_from": result.reprojected_from, "bbox": result.bbox,
        "invalid_repaired": result.repaired, "invalid_dropped": result.dropped,
    }


def _coordinate_columns(build: Builder) -> Optional[tuple[str, str]]:
    """The latitude and longitude columns by their names, when both are there and hold numbers."""
    columns = {column["name"]: column for column in build.meta["columns"]}
    latitude = next((name for name in columns if LAT_NAMES.match(normal(name))), None)
    longitude = next((name for name in columns if LON_NAMES.match(normal(name))), None)
    if latitude is None or longitude is None:
        return None
    for name in (latitude, longitude):
        if columns[name]["kind"] != "number" and columns[name]["stats"]["values"]:
            build.warn("coordinates-not-numbers",
                       _("The column %(column)s should hold coordinates but holds text; no map can be drawn"),
                       column=name)
            return None
    return latitude, longitude


def detect_points(build: Builder) -> None:
    """A map of the rows when two columns hold latitudes and longitudes (by name and value range)."""
    from .. import geo

    found_columns = _coordinate_columns(build)
    if found_columns is None:
        return
    latitude, longitude = found_columns
    path = os.path.join(build.directory, ROWS_FILE)
    names = [column["name"] for column in build.meta["columns"]]
    found = build.connection.execute(
        f"SELECT {ROW_ID}, {quote(latitude)}, {quote(longitude)}, "
        f"{', '.join(quote(name) for name in names)} FROM read_parquet(?) "
        f"WHERE {quote(latitude)} IS NOT NULL AND {quote(longitude)} IS NOT NULL "
        f"ORDER BY {ROW_ID}", [path]).fetchall()
    if not found:
        return
    rows = [(row[0], row[1], row[2]) for row in found]
    attributes = {row[0]: {name: json_value(value) for name, value in zip(names, row[3:])}
                  for row in found[:build.max_features]}
    in_degrees = sum(1 for _row, lat, lon in rows if -90 <= lat <= 90 and -180 <= lon <= 180)
    in_lambert = sum(1 for _row, y, x in rows if extent.contains_lambert(x, y))
    crs = None
    if in_degrees >= 0.9 * len(rows):
        points = [(row, lon, lat) for row, lat, lon in rows
                  if -90 <= lat <= 90 and -180 <= lon <= 180]
    elif in_lambert >= 0.9 * len(rows) and normal(latitude) not in ("lat", "latitude"):
        crs = extent.QUEBEC_LAMBERT
        points = [(row, x, y) for row, y, x in rows]
    else:
        build.warn("coordinates-out-of-range",
                   _("The columns %(latitude)s and %(longitude)s are not latitudes and longitudes; no map can be drawn"),
                   latitude=latitude, longitude=longitude)
        return
    result = geo.points(points, crs, build.max_features, attributes)
    build.meta["warnings"] += result.warnings
    _write_features(build.directory, result.features)
    build.meta["geo"] = {
        "source": "columns", "latitude": latitude, "longitude": longitude,
        "features_total": len(points), "features_kept": len(result.features),
        "features_capped": len(points) > len(result.features) or bool(build.meta["rows_capped"]),
        "reprojected_from": result.reprojected_from, "bbox": result.bbox,
        "invalid_repaired": 0, "invalid_dropped": len(rows) - len(points),
    }


def _write_features(directory: str, features: list[dict]) -> None:
    with open(os.path.join(directory, FEATURES_FILE), "w", encoding="utf-8") as stream:
        json.dump({"type": "FeatureCollection", "features": features}, stream,
                  ensure_ascii=False, default=str, separators=(",", ":"))
