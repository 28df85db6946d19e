"""Map features for previews: checked and repaired geometries, reprojected to EPSG:4326, from GeoJSON, KML and Shapefiles."""
from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any, Iterable, Optional

import shapely
import shapely.geometry
from pyproj import CRS, Transformer

from ckanext.quebec import tabular
from ckanext.quebec.tabular.errors import TabularError, _

log = logging.getLogger(__name__)

WGS84 = 4326
# A projection's WKT fits in a few kilobytes; a longer .prj is not read.
MAX_PRJ_BYTES = 64 << 10
KML_NAMESPACES = ("http://www.opengis.net/kml/2.2", "http://earth.google.com/kml/2.2",
                  "http://earth.google.com/kml/2.1", "http://earth.google.com/kml/2.0")


@dataclasses.dataclass
class Features:
    """Features ready for Leaflet, the properties of all features (the table's rows), and what was done."""

    features: list[dict] = dataclasses.field(default_factory=list)
    properties: list[dict] = dataclasses.field(default_factory=list)
    property_names: list[str] = dataclasses.field(default_factory=list)
    total: int = 0
    repaired: int = 0
    dropped: int = 0
    reprojected_from: Optional[str] = None
    bbox: Optional[list[float]] = None
    warnings: list[dict] = dataclasses.field(default_factory=list)

    def warn(self, code: str, msgid: str, **params: Any) -> None:
        self.warnings.append({"code": code, "msgid": msgid, "params": params})


def _transformer(epsg: Optional[int]) -> Optional[Transformer]:
    if epsg in (None, WGS84):
        return None
    try:
        return Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(WGS84), always_xy=True)
    except Exception:
        raise TabularError("unknown-crs", _("The coordinate system EPSG:%(code)s is not known"), code=epsg)


def _in_degrees(geometry) -> bool:
    west, south, east, north = geometry.bounds
    return -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90


def normalise(features: Iterable[dict], epsg: Optional[int], max_features: int,
              max_rows: int) -> Features:
    """Check, repair and reproject the features; keep ``max_features`` for the map, all properties.

    A feature's ``_row`` links it to its row in the table, which keeps the
    first ``max_rows``.

    Coordinates outside longitude/latitude ranges in a file that names no
    coordinate system are taken as EPSG:32198 (Québec Lambert), the
    projection of the province's reference data.
    """
    result = Features()
    transformer = _transformer(epsg)
    guessed = False
    names: dict[str, None] = {}
    boxes: list[tuple[float, float, float, float]] = []
    for feature in features:
        result.total += 1
        properties = _keep_properties(result, names, feature)
        if len(result.features) >= max_features:
            continue
        geometry = _repaired_shape(result, feature)
        if geometry is None:
            continue
        if transformer is None and epsg is None and not guessed and not _in_degrees(geometry):
            guessed = True
            transformer = _transformer(32198)
            result.warn("crs-assumed",
                        _("The coordinates are not longitudes and latitudes; they were read as EPSG:32198 (Québec Lambert)"))
        if transformer is not None:
            geometry = shapely.transform(geometry, lambda xy: _project(transformer, xy))
        if not _in_degrees(geometry) or geometry.is_empty:
            result.dropped += 1
            continue
        boxes.append(geometry.bounds)
        result.features.append({
            "type": "Feature", "id": result.total,
            "geometry": shapely.geometry.mapping(geometry),
            # the feature's row in the table, when its properties were kept there
            "properties": dict(properties, _row=result.total)
            if result.total <= max_rows else dict(properties),
        })
    _summarise(result, names, boxes, f"EPSG:{epsg or 32198}" if transformer is not None else None)
    return result


def _keep_properties(result: Features, names: dict[str, None], feature: dict) -> dict:
    """Record every feature's properties (the table keeps the first rows, statistics count all) and their names."""
    properties = feature.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    result.properties.append(properties)
    for key in properties:
        names.setdefault(str(key), None)
    return properties


def _repaired_shape(result: Features, feature: dict):
    """The feature's geometry, made valid, or None (counted as dropped) when it has none usable."""
    try:
        geometry = shapely.geometry.shape(feature.get("geometry"))
        if geometry.is_empty:
            raise ValueError("empty geometry")
    except Exception:
        result.dropped += 1
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
        result.repaired += 1
    return geometry


def _summarise(result: Features, names: dict[str, None], boxes: list[tuple[float, float, float, float]],
               reprojected_from: Optional[str]) -> None:
    """Set the property names, the source projection and the bounding box; warn of repaired and dropped features."""
    result.property_names = list(names)
    result.reprojected_from = reprojected_from
    if boxes:
        result.bbox = [round(value, 6) for value in (min(box[0] for box in boxes), min(box[1] for box in boxes),
                                                      max(box[2] for box in boxes), max(box[3] for box in boxes))]
    if result.repaired:
        result.warn("geometry-repaired", _("%(count)s invalid geometries were repaired for display"),
                    count=result.repaired)
    if result.dropped:
        result.warn("geometry-dropped",
                    _("%(count)s features have no usable geometry and are not on the map"),
                    count=result.dropped)


def _project(transformer: Transformer, xy):
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    xy = xy.copy()
    xy[:, 0], xy[:, 1] = x, y
    return xy


def points(rows: list[tuple[int, float, float]], epsg: Optional[int], max_features: int,
           attributes: dict[int, dict]) -> Features:
    """Point features from (row, x, y) tuples; properties: the row's ``attributes`` and its number."""
    result = Features(total=len(rows))
    transformer = _transformer(epsg)
    kept = rows[:max_features]
    xs = [x for _row, x, _y in kept]
    ys = [y for _row, _x, y in kept]
    if transformer is not None:
        xs, ys = transformer.transform(xs, ys)
        result.reprojected_from = f"EPSG:{epsg}"
    for (row, _x, _y), x, y in zip(kept, xs, ys):
        if math.isfinite(x) and math.isfinite(y):
            result.features.append({"type": "Feature", "id": row,
                                    "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]},
                                    "properties": dict(attributes.get(row) or {}, _row=row)})
    if result.features:
        xs = [feature["geometry"]["coordinates"][0] for feature in result.features]
        ys = [feature["geometry"]["coordinates"][1] for feature in result.features]
        result.bbox = [min(xs), min(ys), max(xs), max(ys)]
    return result


# -- KML ------------------------------------------------------------------------------------


def kml_features(path: str) -> list[dict]:
    """Placemarks as GeoJSON features. The parser resolves no entity and fetches nothing."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.parse(path, parser).getroot()
    except etree.XMLSyntaxError:
        raise TabularError("invalid-xml", _("The file is not valid XML"))
    features = []
    for placemark in root.iter("{*}Placemark"):
        properties: dict[str, Any] = {}
        for field in ("name", "description"):
            element = placemark.find(f"{{*}}{field}")
            if element is not None and element.text:
                properties[field] = element.text.strip()
        for data in placemark.iter("{*}Data"):
            value = data.find("{*}value")
            if data.get("name"):
                properties[data.get("name")] = value.text if value is not None else None
        for data in placemark.iter("{*}SimpleData"):
            if data.get("name"):
                properties[data.get("name")] = data.text
        geometries = [geometry for geometry in (_kml_geometry(child) for child in placemark)
                      if geometry is not None]
        geometry: Optional[dict] = None
        if len(geometries) == 1:
            geometry = geometries[0]
        elif geometries:
            geometry = {"type": "GeometryCollection", "geometries": geometries}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _coordinates(element) -> list[list[float]]:
    found = element.find("{*}coordinates")
    text = found.text if found is not None else ""
    coordinates = []
    for token in (text or "").split():
        parts = token.split(",")
        try:
            coordinates.append([float(parts[0]), float(parts[1])])
        except (ValueError, IndexError):
            continue
    return coordinates


def _kml_geometry(element) -> Optional[dict]:
    kind = _local(element.tag)
    if kind == "Point":
        coordinates = _coordinates(element)
        return {"type": "Point", "coordinates": coordinates[0]} if coordinates else None
    if kind == "LineString":
        return {"type": "LineString", "coordinates": _coordinates(element)}
    if kind == "Polygon":
        rings = []
        for boundary in ("outerBoundaryIs", "innerBoundaryIs"):
            for ring in element.findall(f"{{*}}{boundary}/{{*}}LinearRing"):
                rings.append(_coordinates(ring))
        return {"type": "Polygon", "coordinates": rings}
    if kind == "MultiGeometry":
        parts = [geometry for geometry in (_kml_geometry(child) for child in element)
                 if geometry is not None]
        return {"type": "GeometryCollection", "geometries": parts} if parts else None
    return None


# -- Shapefile ------------------------------------------------------------------------------


def shapefile_features(path: str, names: list[str], max_uncompressed: int,
                       scratch: str) -> tuple[list[dict], Optional[int]]:
    """Features of the first .shp in the ZIP at ``path``, and the EPSG code of its .prj (None: unknown).

    The archive's declared sizes are checked by the caller (tabular.check_zip);
    its members are inflated to files in a folder under ``scratch``, under a
    cap that counts the real bytes.
    """
    import tempfile

    import shapefile

    shp = next(name for name in names if name.lower().endswith(".shp"))
    stem = shp[:-4].lower()
    wanted = {extension: name for name in names for extension in ("shp", "shx", "dbf", "prj")
              if name.lower() == f"{stem}.{extension}"}
    with tempfile.TemporaryDirectory(dir=scratch) as directory:
        files = tabular.extract_members(path, list(wanted.values()), directory, max_uncompressed)
        local = {extension: files[name] for extension, name in wanted.items()}
        epsg = _prj_epsg(local.pop("prj", None))
        streams = {extension: open(file, "rb") for extension, file in local.items()}
        try:
            reader = shapefile.Reader(**streams, encodingErrors="replace")
            fields = [field[0] for field in reader.fields[1:]]
            features = []
            for shape_record in reader.iterShapeRecords():
                geometry = shape_record.shape.__geo_interface__ \
                    if shape_record.shape.shapeType != shapefile.NULL else None
                features.append({"type": "Feature", "geometry": geometry,
                                 "properties": dict(zip(fields, shape_record.record))})
            return features, epsg
        except shapefile.ShapefileException as error:
            log.info("pyshp cannot read %s: %s", path, error)
            raise TabularError("invalid-shapefile", _("The Shapefile in the archive cannot be read"))
        finally:
            for stream in streams.values():
                stream.close()


def _prj_epsg(path: Optional[str]) -> Optional[int]:
    """The EPSG code of a .prj file's WKT; None when absent, unknown, or too long to be a projection."""
    wkt = tabular.read_capped(path, MAX_PRJ_BYTES) if path else None
    if wkt is None:
        return None
    try:
        return CRS.from_wkt(wkt.decode("latin-1")).to_epsg(min_confidence=70)
    except Exception:  # pyproj raises several kinds on a bad WKT
        return None
