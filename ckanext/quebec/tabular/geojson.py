"""GeoJSON read within a size and feature cap: the declared CRS and the features' geometries."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from .errors import TabularError, _

CRS_PATTERN = re.compile(r"(?:EPSG:+|epsg/0/)(\d+)$", re.IGNORECASE)


@dataclass
class GeoJSON:
    """A GeoJSON document: ``crs`` (EPSG code as int, 4326 when undeclared or CRS84), features as dicts."""

    crs: Optional[int]
    crs_declared: Optional[str]
    features: list[dict] = field(default_factory=list)


def declared_crs(document: dict) -> tuple[Optional[int], Optional[str]]:
    """The EPSG code of a document's legacy ``crs`` member: 4326 when absent or CRS84, None when not EPSG."""
    member = document.get("crs")
    if not member:
        return 4326, None
    name = str(((member.get("properties") or {}).get("name")) if isinstance(member, dict) else member)
    if name.upper().endswith("CRS84"):
        return 4326, name
    match = CRS_PATTERN.search(name.strip())
    return (int(match.group(1)) if match else None), name


def read_geojson(path: str, max_bytes: int = 64 << 20, max_features: int = 200_000) -> GeoJSON:
    """Read a GeoJSON file of at most ``max_bytes`` with at most ``max_features`` features.

    :raises TabularError: ``too-large``, ``not-json``, ``not-geojson``, ``too-many-features``
    """
    size = os.path.getsize(path)
    if size > max_bytes:
        raise TabularError("too-large", _("The file is larger than the %(limit)s MB that can be checked"),
                           limit=max_bytes >> 20)
    try:
        with open(path, "rb") as f:
            document = json.loads(f.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise TabularError("encoding-error", _("The file is not encoded in UTF-8"))
    except (ValueError, RecursionError) as error:
        raise TabularError("not-json", _("The file is not valid JSON: %(reason)s"), reason=str(error)[:200])
    if not isinstance(document, dict) or "type" not in document:
        raise TabularError("not-geojson", _("The file is JSON but not GeoJSON (no \"type\" member)"))
    kind = document["type"]
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise TabularError("not-geojson", _("The FeatureCollection has no \"features\" list"))
    elif kind == "Feature":
        features = [document]
    elif kind in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection"):
        features = [{"type": "Feature", "geometry": document, "properties": {}}]
    else:
        raise TabularError("not-geojson", _("%(type)s is not a GeoJSON type"), type=str(kind)[:50])
    if len(features) > max_features:
        raise TabularError("too-many-features", _("The file has more than %(count)s features"),
                           count=max_features)
    crs, name = declared_crs(document)
    return GeoJSON(crs=crs, crs_declared=name, features=features)
