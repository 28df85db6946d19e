"""GeoJSON files and WFS services (asked for GeoJSON by a GetFeature request), read up to the geographic byte cap."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ckanext.quebec import tabular

if TYPE_CHECKING:
    from ..builder import Builder

FORMATS = frozenset({"geojson", "application/geo+json", "application/vnd.geo+json"})
WFS_FORMATS = frozenset({"wfs"})


def read(build: Builder, path: str, looked: tabular.Sniffed) -> tuple[list[dict], Optional[int]]:
    """The features of a GeoJSON file and the EPSG code its ``crs`` member names (None: not named)."""
    document = tabular.read_geojson(path, max_bytes=build.settings.max_geo_bytes,
                                    max_features=10_000_000)
    return document.features, document.crs if document.crs_declared else None


def wfs_feature_url(url: str, count: int) -> str:
    """A GetFeature request for GeoJSON from a WFS URL (a GetCapabilities URL or a bare endpoint)."""
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
