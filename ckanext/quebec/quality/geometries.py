"""Validation of a GeoJSON resource: declared coordinate system, well-formed and valid geometries within Québec."""
from __future__ import annotations

from ckanext.quebec import tabular
from ckanext.quebec.schema import extent
from ckanext.quebec.schema.extent import QUEBEC_LAMBERT

from .report import Options, Report


def _(message: str) -> str:
    return message


def validate_geojson(path: str, options: Options) -> Report:
    import shapely
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    report = Report(status="invalid", format="geojson", encoding="utf-8")
    limit = options.max_errors
    document = tabular.read_geojson(path, options.max_geojson_bytes, options.max_features)
    report.rows = len(document.features)
    if document.crs not in (4326, QUEBEC_LAMBERT):
        report.add("crs-error", _("The declared coordinate system %(crs)s is not EPSG:4326 or EPSG:32198"),
                   limit=limit, crs=document.crs_declared or "")
        return report.finish()
    for number, feature in enumerate(document.features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is None:
            continue
        try:
            built = shape(geometry)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError,
                shapely.errors.ShapelyError) as error:
            report.add("geometry-error", _("Feature %(number)s has a malformed geometry: %(reason)s"),
                       row=number, limit=limit, number=number, reason=str(error)[:120] or type(error).__name__)
            continue
        if built.is_empty:
            continue
        if not built.is_valid:
            report.add("geometry-invalid", _("Feature %(number)s has an invalid geometry: %(reason)s"),
                       row=number, limit=limit, number=number, reason=explain_validity(built))
        minx, miny, maxx, maxy = built.bounds
        if document.crs == 4326 and not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
            report.add("crs-error", _("Feature %(number)s has coordinates that are not longitude and latitude "
                                      "(EPSG:4326); declare EPSG:32198 if they are in Québec Lambert"),
                       row=number, limit=limit, number=number)
        elif document.crs == QUEBEC_LAMBERT and not extent.contains_lambert(minx, miny, maxx, maxy):
            report.add("crs-error", _("Feature %(number)s lies outside Québec in EPSG:32198"),
                       row=number, limit=limit, number=number)
    return report.finish()
