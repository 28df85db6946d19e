"""Geographic coverage of a dataset: a GeoJSON extent within Québec, or the extent of its territories."""
from __future__ import annotations

import json
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from . import extent, jsonvalue, vocabularies
from .bilingual import NOT_JSON, load_json, quebec_translated_output

missing = tk.missing
Invalid = tk.Invalid

_GEOMETRY_DEPTH = {
    "Point": 0, "MultiPoint": 1, "LineString": 1,
    "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3,
}


def parse_geojson(value: Any) -> dict:
    """A GeoJSON geometry (or Feature) lying within Québec's bounding box.

    :raises Invalid: not JSON, not a geometry, or a position outside Québec.
    """
    value = load_json(value)
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    _check_geometry(value)
    return value


def _check_geometry(geometry: Any) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in (*_GEOMETRY_DEPTH, "GeometryCollection"):
        raise Invalid(tk._("Not a GeoJSON geometry"))
    if geometry["type"] == "GeometryCollection":
        members = geometry.get("geometries")
        if not isinstance(members, list) or not members:
            raise Invalid(tk._("Not a GeoJSON geometry"))
        for member in members:
            _check_geometry(member)
        return
    for position in _positions(geometry.get("coordinates"), _GEOMETRY_DEPTH[geometry["type"]]):
        if not extent.contains_degrees(position[0], position[1]):
            raise Invalid(tk._("The geographic coverage must lie within Québec"))


def _positions(coordinates: Any, depth: int):
    if depth == 0:
        if (not isinstance(coordinates, list) or len(coordinates) not in (2, 3)
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coordinates)):
            raise Invalid(tk._("Not a GeoJSON geometry"))
        yield coordinates
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise Invalid(tk._("Not a GeoJSON geometry"))
    for member in coordinates:
        yield from _positions(member, depth - 1)


def quebec_geojson(value: Any) -> Any:
    """A GeoJSON extent within Québec, stored as a JSON string (as ckanext-spatial reads ``spatial``)."""
    if value is missing or value is None or value == "":
        return value  # an empty object is no geometry
    return json.dumps(parse_geojson(value))


def bbox_polygon(bbox: tuple[float, float, float, float] | list[float]) -> dict:
    """A [west, south, east, north] box as a GeoJSON polygon."""
    west, south, east, north = bbox
    return {"type": "Polygon", "coordinates": [[
        [west, south], [east, south], [east, north], [west, north], [west, south]]]}


def _extra_position(data: dict, name: str) -> Any:
    for key, value in data.items():
        if len(key) == 3 and key[0] == "extras" and key[2] == "key" and value == name:
            return key[1]
    return None


def _territory_extent(territories: Any) -> dict | None:
    values = quebec_translated_output(territories) if territories else []
    box = vocabularies.envelope("territories", values if isinstance(values, list) else [])
    return bbox_polygon(box) if box else None


def _filled_from_territories(context: dict, spatial: str) -> bool:
    """Whether the stored extent ``spatial`` is the one the dataset's stored territories gave."""
    package = context.get("package")
    extras = getattr(package, "extras", None) or {}
    if not extras.get("spatial") or not extras.get("territories"):
        return False
    stored, given = (jsonvalue.from_json(extras["spatial"], NOT_JSON),
                     jsonvalue.from_json(spatial, NOT_JSON))
    if stored is NOT_JSON or given is NOT_JSON:
        return False
    return stored == given == _territory_extent(extras["territories"])


@scheming_validator
def quebec_spatial_from_territories(field: Any, schema: dict) -> Callable:
    """Give the dataset the extent of its territories when it has no extent of its own.

    The extent is the box enclosing the territories' ``bbox`` (schemas/
    vocabularies/territories.yaml), as a GeoJSON polygon in ``spatial``. An
    extent filled this way follows the territories when they change; an
    extent the publisher gave is kept as it is.
    Used as an ``after_validators`` of the dataset schema, after the fields
    are converted to extras.
    """
    def validator(key, data, errors, context):
        if errors.get(("territories",)) or errors.get(("spatial",)):
            return
        territories_at = _extra_position(data, "territories")
        territories = data[("extras", territories_at, "value")] if territories_at is not None else None
        spatial_at = _extra_position(data, "spatial")
        spatial = data.get(("extras", spatial_at, "value")) if spatial_at is not None else None
        if spatial and not _filled_from_territories(context, spatial):
            return
        extent = _territory_extent(territories)
        if extent is None and not spatial:
            return
        if spatial_at is None:
            data[("spatial",)] = json.dumps(extent)
            tk.get_converter("convert_to_extras")(("spatial",), data, errors, context)
            del data[("spatial",)]
        else:
            data[("extras", spatial_at, "value")] = json.dumps(extent) if extent else ""
            if ("spatial",) in data:
                data[("spatial",)] = data[("extras", spatial_at, "value")]

    return validator
